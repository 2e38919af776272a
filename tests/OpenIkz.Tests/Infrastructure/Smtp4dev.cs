using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>
/// A real SMTP server for the mail tests: smtp4dev (NuGet tool Rnwood.Smtp4dev, pinned in .config/dotnet-tools.json,
/// installed by <c>dotnet tool restore</c>), started on free loopback ports with an in-memory store. The tests read what
/// it received through its web API (<c>/api/messages</c>).
/// </summary>
public sealed class Smtp4dev : IAsyncLifetime
{
    private Process? _process;
    private readonly StringBuilder _output = new();
    private string? _home;

    public int SmtpPort { get; } = ServerProcess.FreePort();
    public int WebPort { get; } = ServerProcess.FreePort();
    public HttpClient Api { get; private set; } = null!;
    public string Output { get { lock (_output) return _output.ToString(); } }

    public const string Install = "dotnet tool restore (in the repository; .ci/run does it)";

    public async Task InitializeAsync()
    {
        _home = TestEnvironment.NewTempDirectory("smtp4dev");
        var info = new ProcessStartInfo("dotnet", ["tool", "run", "smtp4dev", "--", $"--urls=http://127.0.0.1:{WebPort}", $"--smtpport={SmtpPort}",
            "--bindaddress=127.0.0.1", "--imapport=", "--pop3port=", "--db=", "--nousersettings", "--tlsmode=None"])
        {
            WorkingDirectory = TestEnvironment.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["XDG_CONFIG_HOME"] = _home; // its settings and keys stay in the test's folder
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{WebPort}"), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                await Task.Delay(200); // let the output arrive
                Available = false;
                return;
            }
            try
            {
                if ((await Api.GetAsync("/api/messages")).IsSuccessStatusCode && Output.Contains("SMTP Server is listening", StringComparison.Ordinal)) { Available = true; return; }
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException("smtp4dev did not start within 90 s:\n" + Output);
    }

    /// <summary>False when the tool is not installed (the process ended at once); the tests then skip, or fail under OPENIKZ_REQUIRE_ALL_TESTS.</summary>
    public bool Available { get; private set; }

    public void Require() => TestEnvironment.SkipUnless(Available, "smtp4dev (" + Output.Trim().Split('\n').LastOrDefault() + ")", Install);

    public sealed record Received(string Id, string From, IReadOnlyList<string> To, string Subject, string Body);

    /// <summary>Waits until a message to <paramref name="to"/> has arrived and returns it with its plain-text body.</summary>
    public async Task<Received> WaitForAsync(string to, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            var page = await Api.GetFromJsonAsync<JsonElement>("/api/messages?pageSize=100");
            foreach (var m in page.GetProperty("results").EnumerateArray())
            {
                var recipients = m.GetProperty("to").EnumerateArray().Select(t => t.GetString()!).ToList();
                if (!recipients.Contains(to, StringComparer.OrdinalIgnoreCase)) continue;
                var id = m.GetProperty("id").GetString()!;
                var body = await Api.GetStringAsync($"/api/messages/{id}/plaintext");
                return new Received(id, m.GetProperty("from").GetString()!, recipients, m.GetProperty("subject").GetString()!, body);
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"No message to {to} arrived at smtp4dev.");
    }

    /// <summary>Points the app's SMTP settings at this server; call before the app's host is built (its first request).</summary>
    public void ConfigureFor(OpenIkzApp app, string? appUrl = null)
    {
        app.Settings["OpenIkz:Smtp:Host"] = "127.0.0.1";
        app.Settings["OpenIkz:Smtp:Port"] = SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        app.Settings["OpenIkz:Smtp:Security"] = "None";
        app.Settings["OpenIkz:Smtp:From"] = "openikz@ikz.example";
        if (appUrl is not null) app.Settings["OpenIkz:Smtp:AppUrl"] = appUrl;
    }

    /// <summary>The message as it arrived (the .eml file smtp4dev offers for download), e.g. to read its attachments.</summary>
    public Task<byte[]> DownloadAsync(string id) => Api.GetByteArrayAsync($"/api/messages/{id}/download");

    /// <summary>The ids of the messages smtp4dev holds for <paramref name="to"/>, newest first.</summary>
    public async Task<IReadOnlyList<string>> IdsForAsync(string to)
    {
        var page = await Api.GetFromJsonAsync<JsonElement>("/api/messages?pageSize=500");
        return page.GetProperty("results").EnumerateArray()
            .Where(m => m.GetProperty("to").EnumerateArray().Any(t => string.Equals(t.GetString(), to, StringComparison.OrdinalIgnoreCase)))
            .Select(m => m.GetProperty("id").GetString()!).Reverse().ToList();
    }

    /// <summary>How many messages smtp4dev holds for <paramref name="to"/>.</summary>
    public async Task<int> CountAsync(string to)
    {
        var page = await Api.GetFromJsonAsync<JsonElement>("/api/messages?pageSize=100");
        return page.GetProperty("results").EnumerateArray().Count(m => m.GetProperty("to").EnumerateArray().Any(t => string.Equals(t.GetString(), to, StringComparison.OrdinalIgnoreCase)));
    }

    public Task DisposeAsync()
    {
        Api?.Dispose();
        if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
        _process?.WaitForExit(10_000);
        _process?.Dispose();
        try { if (_home is not null) System.IO.Directory.Delete(_home, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
