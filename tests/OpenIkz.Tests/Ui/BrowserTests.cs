using System.Diagnostics;
using OpenIkz.Directory.Accounts;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Ui;

/// <summary>
/// End to end in a real browser: the real server process, Debian's chromium driven by playwright-core
/// (tests/e2e/smoke.mjs), axe on every page. Needs node, chromium and `npm ci` in tests/e2e.
/// </summary>
public sealed class BrowserTests
{
    private static string E2eFolder => Path.Combine(TestEnvironment.RepositoryRoot, "tests", "e2e");

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, program)));

    [SkippableFact]
    public async Task LoginMunicipalitiesAndAdministration_WorkInChromium_WithNoAxeViolations()
    {
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";
        TestEnvironment.SkipUnless(OnPath("node"), "Node.js", "apt-get install -y nodejs npm");
        TestEnvironment.SkipUnless(File.Exists(chromium), "Chromium", "apt-get install -y chromium");
        TestEnvironment.SkipUnless(System.IO.Directory.Exists(Path.Combine(E2eFolder, "node_modules", "playwright-core")), "The browser-test packages", "npm ci --prefix tests/e2e");

        var data = TestEnvironment.NewTempDirectory("browser");
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?> { ["OpenIkz__DataDirectory"] = data, ["OpenIkz__Mode"] = "demo" });

        var info = new ProcessStartInfo("node", ["smoke.mjs"])
        {
            WorkingDirectory = E2eFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["BASE_URL"] = server.BaseAddress.ToString().TrimEnd('/');
        info.Environment["E2E_USERNAME"] = "frankenthal.admin";
        info.Environment["E2E_PASSWORD"] = UserAccounts.DemoPassword;
        info.Environment["CHROMIUM_PATH"] = chromium;
        info.Environment["E2E_TIMES"] = "1";
        using var node = Process.Start(info)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        // The walk visits every page of every module with axe (64 steps): about 8 min alone on two cores, more beside other
        // test classes. The limit only guards against a hang (E2E_TIMES=1 prints each step's time).
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(25));
        var hung = false;
        try { await node.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            hung = true; // stopped, so that its output so far says where it hung
            node.Kill(entireProcessTree: true);
            await node.WaitForExitAsync();
        }
        var output = await stdout + "\n" + await stderr;
        Assert.False(hung, $"smoke.mjs did not finish within 25 min:\n{output}");
        Assert.True(node.ExitCode == 0, $"smoke.mjs failed (exit {node.ExitCode}):\n{output}\n--- server ---\n{server.Output}");
        Assert.Contains("\"ok\": true", output.Replace("\"ok\":true", "\"ok\": true"));
    }
}
