using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>
/// Debian's nginx as a load balancer in front of several app processes (round robin), started in the foreground with
/// a configuration of its own in a temporary folder. A failed connection to one upstream is retried on the next one
/// (idempotent requests), as a production balancer does.
/// </summary>
public sealed class NginxBalancer : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/nginx";
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public Uri BaseAddress { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }

    private NginxBalancer(Process process, Uri baseAddress) => (_process, BaseAddress) = (process, baseAddress);

    public static void Require() =>
        TestEnvironment.SkipUnless(File.Exists(Binary), "nginx", "apt-get install -y nginx");

    public static async Task<NginxBalancer> StartAsync(IEnumerable<Uri> upstreams)
    {
        Require();
        var prefix = TestEnvironment.NewTempDirectory("nginx");
        foreach (var folder in new[] { "logs", "tmp" }) System.IO.Directory.CreateDirectory(Path.Combine(prefix, folder));
        var port = ServerProcess.FreePort();
        var servers = string.Join("\n", upstreams.Select(u => $"        server {u.Host}:{u.Port} max_fails=1 fail_timeout=5s;"));
        // As root the workers would run as nobody, who may not write the temporary folders: they run as the caller.
        var user = Environment.UserName == "root" ? "user root root;" : "";
        var config = $$"""
            {{user}}
            daemon off;
            worker_processes 1;
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/logs/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{prefix}}/tmp/body;
                proxy_temp_path {{prefix}}/tmp/proxy;
                fastcgi_temp_path {{prefix}}/tmp/fastcgi;
                uwsgi_temp_path {{prefix}}/tmp/uwsgi;
                scgi_temp_path {{prefix}}/tmp/scgi;
                client_max_body_size 100m;
                upstream app {
            {{servers}}
                    keepalive 64;
                }
                server {
                    listen 127.0.0.1:{{port}};
                    location / {
                        proxy_pass http://app;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host $host;
                        proxy_set_header X-Forwarded-For $remote_addr;
                        proxy_set_header X-Forwarded-Proto $scheme;
                        proxy_next_upstream error timeout http_502;
                        proxy_connect_timeout 2s;
                        proxy_read_timeout 30s;
                    }
                }
            }
            """;
        var file = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(file, config);
        var info = new ProcessStartInfo(Binary, ["-p", prefix, "-c", file])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info)!;
        var balancer = new NginxBalancer(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (balancer._output) balancer._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (balancer._output) balancer._output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"nginx exited with {process.ExitCode}: {balancer.Output} {ErrorLog(prefix)}");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return balancer;
            }
            catch (SocketException) { await Task.Delay(100); }
        }
        await balancer.DisposeAsync();
        throw new TimeoutException($"nginx did not listen within 20 s: {balancer.Output} {ErrorLog(prefix)}");
    }

    private static string ErrorLog(string prefix)
    {
        var log = Path.Combine(prefix, "logs", "error.log");
        return File.Exists(log) ? File.ReadAllText(log) : "";
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
