using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>
/// The real server as a separate process (dotnet OpenIkz.dll), as an operator runs it: for the
/// crash-durability test (kill -9) and the browser test.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    public Uri BaseAddress { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }

    private ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public static string ServerAssembly
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<Configuration>/net10.0/
            var path = Path.Combine(TestEnvironment.RepositoryRoot, "src", "OpenIkz", "bin", configuration, "net10.0", "OpenIkz.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first: server assembly not found.", path);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<ServerProcess> StartAsync(IDictionary<string, string?> environment, int? port = null)
    {
        var url = new Uri($"http://127.0.0.1:{port ?? FreePort()}");
        var info = new ProcessStartInfo("dotnet", [ServerAssembly, "--urls", url.ToString().TrimEnd('/')])
        {
            WorkingDirectory = Path.Combine(TestEnvironment.RepositoryRoot, "src", "OpenIkz"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (k, v) in environment) info.Environment[k] = v;
        var process = Process.Start(info)!;
        var server = new ServerProcess(process, url);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (server._output) server._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (server._output) server._output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await server.DisposeAsync(); // a server that never became healthy is not left running
            throw;
        }
        return server;
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"Server exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if ((await http.GetAsync("/health")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"Server did not become healthy within {timeout}:\n{Output}");
    }

    /// <summary>Runs the server until it exits by itself (a refused start) and returns its exit code and both outputs.</summary>
    public static async Task<(int Exit, string Out, string Err)> RunToExitAsync(IDictionary<string, string?> environment, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("dotnet", [ServerAssembly, "--urls", $"http://127.0.0.1:{FreePort()}"])
        {
            WorkingDirectory = Path.Combine(TestEnvironment.RepositoryRoot, "src", "OpenIkz"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (k, v) in environment) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The server did not exit within {timeout}.");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>SIGKILL: no shutdown, no flushing: what a crash or `kill -9` does.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await Task.CompletedTask;
        _process.Dispose();
    }
}
