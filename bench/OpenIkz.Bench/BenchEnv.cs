using System.Diagnostics;
using Npgsql;

namespace OpenIkz.Bench;

public sealed class BenchOptions
{
    public string Command { get; set; } = "all";
    public string Database { get; set; } = "sqlite";
    public int Cases { get; set; } = 1_000_000;
    public int Clerks { get; set; } = 200;
    public int Concurrency { get; set; } = 50;
    public int IntakeConcurrency { get; set; } = 16;
    public double Seconds { get; set; } = 20;
    public double Warmup { get; set; } = 3;
    public int Port { get; set; } = 5391;
    public string? DataDirectoryOption { get; set; }
    public string PostgresServer { get; set; } = "Host=127.0.0.1;Username=postgres;Password=openikz-ci";
    public string PostgresDatabase { get; set; } = "openikz_bench";
    public string? Output { get; set; }
    public HashSet<string> Phases { get; set; } = ["claim", "read", "intake"];
    /// <summary>settle: member municipalities of the agreement (40), timed repetitions per level (3).</summary>
    public int Partners { get; set; } = 40;
    public int Runs { get; set; } = 3;
    /// <summary>The settlement data set: <c>settle*</c>, and <c>assess-evaluation</c>, which evaluates the same agreement.</summary>
    public bool Settle => Command.StartsWith("settle", StringComparison.Ordinal) || Command == "assess-evaluation";
    /// <summary>registry: municipalities in the directory (11,000) and generated register entries (100,000); timed requests per query and level.</summary>
    public int Municipalities { get; set; } = 11_000;
    public int Entries { get; set; } = 100_000;
    public int Requests { get; set; } = 400;
    public bool Registry => Command.StartsWith("registry", StringComparison.Ordinal);
    /// <summary>appt: the open-loop rush's request rates per second (--rate 5,20,500, the default), run in ascending order; --seconds (10 for appt) the timed length of each.</summary>
    public List<double> Rates { get; set; } = [5, 20, 500];
    /// <summary>run/all, phase <c>open</c>: the open-loop rates per second for claim and case read (--open-rates 100,300,1000).</summary>
    public List<double> OpenRates { get; set; } = [100, 300, 1000];
    /// <summary>
    /// Closed loop (claim, read, intake): the levels run in this many rounds, in turn (bare, …, http, bare, …), each for
    /// --seconds ÷ rounds; a drift of the machine then hits every level alike. Each level's figure is over all its rounds.
    /// </summary>
    public int Rounds { get; set; } = 1;
    /// <summary>
    /// MALLOC_ARENA_MAX of the server process, as docs/OPERATIONS.md recommends running it (--malloc-arenas, default 2);
    /// null ("glibc") leaves glibc's default of 8 arenas per core. A MALLOC_ARENA_MAX in the bench's own environment wins.
    /// </summary>
    public string? MallocArenas { get; set; } = "2";
    public bool Appointments => Command.StartsWith("appt", StringComparison.Ordinal);
    /// <summary>backup: documents beside the cases (100,000); --runs (3) timed backup/restore pairs.</summary>
    public int Documents { get; set; } = 100_000;
    public bool Backup => Command.StartsWith("backup", StringComparison.Ordinal);

    public bool Postgres => Database == "postgres";
    public string DataDirectory => Path.GetFullPath(DataDirectoryOption ?? Path.Combine(Path.GetTempPath(), "openikz-bench-" + Database));
    public string SqliteFile => Path.Combine(DataDirectory, "openikz.db");
    public string PostgresConnectionString => $"{PostgresServer};Database={PostgresDatabase};Maximum Pool Size=40";

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        var i = 0;
        var casesGiven = false;
        bool requestsGiven = false, concurrencyGiven = false, secondsGiven = false, runsGiven = false;
        if (args.Length > 0 && !args[0].StartsWith("--")) { o.Command = args[0]; i = 1; }
        for (; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--database": o.Database = Next().ToLowerInvariant(); break;
                case "--cases": o.Cases = int.Parse(Next()); casesGiven = true; break;
                case "--partners": o.Partners = int.Parse(Next()); break;
                case "--runs": o.Runs = int.Parse(Next()); runsGiven = true; break;
                case "--municipalities": o.Municipalities = int.Parse(Next()); break;
                case "--entries": o.Entries = int.Parse(Next()); break;
                case "--requests": o.Requests = int.Parse(Next()); requestsGiven = true; break;
                case "--clerks": o.Clerks = int.Parse(Next()); break;
                case "--concurrency": o.Concurrency = int.Parse(Next()); concurrencyGiven = true; break;
                case "--intake-concurrency": o.IntakeConcurrency = int.Parse(Next()); break;
                case "--seconds": o.Seconds = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); secondsGiven = true; break;
                case "--open-rates": o.OpenRates = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(r => double.Parse(r, System.Globalization.CultureInfo.InvariantCulture)).ToList(); break;
                case "--rate": o.Rates = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(r => double.Parse(r, System.Globalization.CultureInfo.InvariantCulture)).ToList(); break;
                case "--warmup": o.Warmup = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--rounds": o.Rounds = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); if (o.Rounds < 1) throw new ArgumentException("--rounds must be at least 1."); break;
                case "--malloc-arenas": o.MallocArenas = Next() is var a && a == "glibc" ? null
                    : int.TryParse(a, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : throw new ArgumentException("--malloc-arenas must be a positive number or glibc."); break;
                case "--port": o.Port = int.Parse(Next()); break;
                case "--data": o.DataDirectoryOption = Next(); break;
                case "--pg-server": o.PostgresServer = Next(); break;
                case "--pg-database": o.PostgresDatabase = Next(); break;
                case "--out": o.Output = Next(); break;
                case "--documents": o.Documents = int.Parse(Next()); break;
                case "--phases": o.Phases = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(); break;
                default: throw new ArgumentException($"Unknown option {args[i]}.");
            }
        }
        if (o.Database is not ("sqlite" or "postgres")) throw new ArgumentException("--database must be sqlite or postgres.");
        if (o.Command is not ("seed" or "run" or "all" or "settle" or "settle-seed" or "settle-run" or "registry" or "registry-seed" or "registry-run" or "assess-queue" or "assess-shapley" or "assess-simulation" or "assess-evaluation" or "appt" or "appt-seed" or "appt-run" or "backup" or "backup-seed" or "backup-run"))
            throw new ArgumentException("The command must be seed, run, all, settle, settle-seed, settle-run, registry, registry-seed, registry-run, assess-queue, assess-shapley, assess-simulation, assess-evaluation, appt, appt-seed, appt-run, backup, backup-seed or backup-run.");
        if (o.Command == "assess-simulation" && (o.Cases < 1000 || o.Runs < 1)) throw new ArgumentException("assess-simulation needs --cases >= 1000 and --runs >= 1.");
        if (o.Registry)
        {
            o.DataDirectoryOption ??= Path.Combine(Path.GetTempPath(), "openikz-registry-" + o.Database);
            if (o.PostgresDatabase == "openikz_bench") o.PostgresDatabase = "openikz_registry";
            if (o.Municipalities < 1000 || o.Entries < 100 || o.Requests < 10) throw new ArgumentException("Need --municipalities >= 1000, --entries >= 100, --requests >= 10.");
        }
        if (o.Settle)
        {
            // The settlement data set lives apart from the back-office one, so both can be kept.
            if (!casesGiven) o.Cases = 10_000_000;
            o.DataDirectoryOption ??= Path.Combine(Path.GetTempPath(), "openikz-settle-" + o.Database);
            if (o.PostgresDatabase == "openikz_bench") o.PostgresDatabase = "openikz_settle";
            if (o.Partners is < 2 or > 999 || o.Runs < 1) throw new ArgumentException("Need 2 <= --partners <= 999 and --runs >= 1.");
        }
        if (o.Appointments)
        {
            // The appointments data set: 20 offices, 8 weeks at 60 %; 200 searches per level, 5 bursts of 200 bookings per level, 10 s per rush rate.
            o.DataDirectoryOption ??= Path.Combine(Path.GetTempPath(), "openikz-appt-" + o.Database);
            if (o.PostgresDatabase == "openikz_bench") o.PostgresDatabase = "openikz_appt";
            if (!requestsGiven) o.Requests = 200;
            if (!concurrencyGiven) o.Concurrency = 200;
            if (!secondsGiven) o.Seconds = 10;
            if (!runsGiven) o.Runs = 5;
            if (o.Requests < 10 || o.Concurrency < 1 || o.Runs < 1 || o.Rates.Count == 0 || o.Rates.Any(r => r <= 0) || o.Seconds <= 0) throw new ArgumentException("Need --requests >= 10, --concurrency >= 1, --runs >= 1, --rate > 0, --seconds > 0.");
            return o;
        }
        if (o.Backup)
        {
            // The back-office data set with documents, apart from the load benchmark's, so both can be kept.
            o.DataDirectoryOption ??= Path.Combine(Path.GetTempPath(), "openikz-backup-" + o.Database);
            if (o.PostgresDatabase == "openikz_bench") o.PostgresDatabase = "openikz_backup";
            if (o.Documents < 1 || o.Runs < 1 || o.Cases < 1) throw new ArgumentException("Need --documents >= 1, --cases >= 1 and --runs >= 1.");
        }
        if (o.Clerks < 4 || o.Concurrency < 1 || o.Concurrency > o.Clerks) throw new ArgumentException("Need at least 4 clerks and 1 <= concurrency <= clerks.");
        return o;
    }
}

/// <summary>Paths, the app's CLI, and the server process.</summary>
public static class BenchEnv
{
    public static string RepoRoot
    {
        get
        {
            foreach (var start in new[] { System.Environment.CurrentDirectory, AppContext.BaseDirectory })
                for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                    if (File.Exists(Path.Combine(d.FullName, "OpenIkz.slnx"))) return d.FullName;
            throw new InvalidOperationException("Cannot find the repository root (OpenIkz.slnx).");
        }
    }

    public static string AppDirectory => Path.Combine(RepoRoot, "src", "OpenIkz");

    public static string AppDll
    {
        get
        {
            var dll = Path.Combine(AppDirectory, "bin", "Release", "net10.0", "OpenIkz.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: run `dotnet build -c Release src/OpenIkz` first.");
        }
    }

    /// <summary>The server's MALLOC_ARENA_MAX: the bench's own environment's, else --malloc-arenas; null for glibc's default.</summary>
    private static string? MallocArenas(BenchOptions o) =>
        Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is { Length: > 0 } own ? own : o.MallocArenas;

    /// <summary>The server's MALLOC_ARENA_MAX as the report states it.</summary>
    public static string MallocArenaMaxOf(BenchOptions o) => MallocArenas(o) ?? "glibc's default (8 per core)";

    public static void Configure(ProcessStartInfo psi, BenchOptions o)
    {
        psi.WorkingDirectory = AppDirectory;
        psi.Environment["OpenIkz__DataDirectory"] = o.DataDirectory;
        psi.Environment["OpenIkz__Mode"] = "production";
        // The load comes from one address and a few accounts: no rate limits, and the seeded accounts sign in with a password only.
        psi.Environment["OpenIkz__RateLimits__Enabled"] = "false";
        psi.Environment["OpenIkz__Appointments__RequireChallenge"] = "false"; // the switch for load tests and the benchmark
        psi.Environment["OpenIkz__Security__RequireSecondFactor"] = "false";
        psi.Environment["OpenIkz__Database"] = o.Database;
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        // As docs/OPERATIONS.md recommends running the app: few malloc arenas (an explicit MALLOC_ARENA_MAX of the caller wins).
        if (MallocArenas(o) is { } arenas) psi.Environment["MALLOC_ARENA_MAX"] = arenas;
        if (o.Postgres) psi.Environment["ConnectionStrings__Postgres"] = $"{o.PostgresServer};Database={o.PostgresDatabase}"; // the app's own pool settings
    }

    public static async Task PrepareAsync(BenchOptions o)
    {
        if (System.IO.Directory.Exists(o.DataDirectory)) System.IO.Directory.Delete(o.DataDirectory, recursive: true);
        System.IO.Directory.CreateDirectory(o.DataDirectory);
        if (!o.Postgres) return;
        await using var c = new NpgsqlConnection(o.PostgresServer + ";Database=postgres");
        await c.OpenAsync();
        foreach (var sql in new[] { $"DROP DATABASE IF EXISTS {o.PostgresDatabase} WITH (FORCE)", $"CREATE DATABASE {o.PostgresDatabase}" })
        {
            await using var cmd = new NpgsqlCommand(sql, c);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Runs the app's CLI (same environment as the server) and returns its stdout.</summary>
    /// <summary>A fresh data folder or database (<see cref="PrepareAsync"/>), migrated by the app's own command line.</summary>
    public static async Task PrepareAndMigrateAsync(BenchOptions o)
    {
        await PrepareAsync(o);
        var t = System.Diagnostics.Stopwatch.StartNew();
        await RunCliAsync(o, ["migrate"]);
        Console.Error.WriteLine($"migrate: {t.Elapsed.TotalSeconds:0.0} s");
    }

    public static async Task<string> RunCliAsync(BenchOptions o, string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(AppDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        Configure(psi, o);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(cts.Token);
        if (p.ExitCode != 0) throw new InvalidOperationException($"OpenIkz {string.Join(' ', args)} failed ({p.ExitCode}): {await stderr}{await stdout}");
        return await stdout;
    }

    /// <summary>
    /// Ends a server the bench started (SIGKILL) and waits for it. Falls back to the process alone when the tree cannot
    /// be walked (it reads /proc, which fails when the bench has run out of file descriptors), so no server is left
    /// holding the port for the next run.
    /// </summary>
    public static async Task StopAsync(Process server)
    {
        if (server.HasExited) return;
        try { server.Kill(entireProcessTree: true); }
        catch (Exception) { server.Kill(); } // IOException from /proc, or AggregateException when a child could not be killed
        await server.WaitForExitAsync();
    }

    /// <summary>Starts the server as its own process on 127.0.0.1 (on <paramref name="port"/>, default --port, with further settings as environment variables) and waits for /health.</summary>
    public static async Task<Process> StartServerAsync(BenchOptions o, HttpClient http, int? port = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        // Another process on the port (a server an earlier run left behind) would answer /health and take the load.
        using (var probe = new System.Net.Sockets.TcpClient())
        {
            var taken = true;
            try { await probe.ConnectAsync(System.Net.IPAddress.Loopback, port ?? o.Port); }
            catch (System.Net.Sockets.SocketException) { taken = false; }
            if (taken) throw new InvalidOperationException($"Port {port ?? o.Port} is in use already (a server left by an earlier run?); stop it or choose --port.");
        }
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(AppDll);
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add($"http://127.0.0.1:{port ?? o.Port}");
        Configure(psi, o);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) psi.Environment[key] = value;
        var p = Process.Start(psi)!;
        var log = new StreamWriter(Path.Combine(o.DataDirectory, "server.log"), append: true) { AutoFlush = true };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (p.HasExited) throw new InvalidOperationException($"The server exited with {p.ExitCode}; see {o.DataDirectory}/server.log.");
            try
            {
                using var r = await http.GetAsync($"http://127.0.0.1:{port ?? o.Port}/health");
                if (r.IsSuccessStatusCode) return p;
            }
            catch (HttpRequestException) { }
            await Task.Delay(250);
        }
        await StopAsync(p);
        throw new TimeoutException("The server did not become healthy within 90 s.");
    }

    /// <summary>A line of /proc/PID/status in MB (VmHWM = peak resident set, VmRSS = current).</summary>
    /// <summary>A bearer token for a user of the seeded data (POST /api/v1/auth/token).</summary>
    public static async Task<string> TokenAsync(HttpClient http, string username, string password)
    {
        using var response = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(http, "/api/v1/auth/token", new { username, password });
        response.EnsureSuccessStatusCode();
        return (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.JsonElement>(response.Content)).GetProperty("token").GetString()!;
    }

    /// <summary>The median of the runs (NaN for none).</summary>
    public static double Median(IReadOnlyCollection<double> values)
    {
        var s = values.Order().ToList();
        return s.Count == 0 ? double.NaN : s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    public static double ProcStatusMb(int pid, string key)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
                return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0]) / 1024.0;
        return double.NaN;
    }
}
