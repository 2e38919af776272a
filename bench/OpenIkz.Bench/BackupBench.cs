using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace OpenIkz.Bench;

/// <summary>
/// <c>backup</c>: backup and restore of the back-office data set (1,000,000 cases, 100,000 documents), each against a
/// plain copy of the same data in the same run. The plain copy is what an operator without OpenIKZ would do: the
/// database file (SQLite, after a checkpoint) or <c>pg_dump</c> in the same custom format (PostgreSQL), and the document
/// tree copied file by file, then <c>sync</c>, so both sides end durable on disk. OpenIKZ's side is its own command line,
/// <c>backup run</c> to a directory target and <c>restore --from … --key …</c> into an empty data folder or database,
/// timed from process start to exit (the .NET start-up, about a second, is included), then the app is started on the
/// restored data and one case is read through the API. Before each timed step the page cache is dropped when the
/// machine allows it (root), so every step reads from disk.
/// </summary>
public static class BackupBench
{
    private const string TargetName = "bench-partner";

    private static string Work(BenchOptions o) => o.DataDirectory + "-work";
    private static string KeyFile(BenchOptions o) => Path.Combine(Work(o), "keys", "operator.key");

    public static async Task SeedAsync(BenchOptions o)
    {
        var total = Stopwatch.StartNew();
        await Seeder.SeedAsync(o);
        if (System.IO.Directory.Exists(Work(o))) System.IO.Directory.Delete(Work(o), recursive: true);
        System.IO.Directory.CreateDirectory(Path.Combine(Work(o), "keys"));
        var t = Stopwatch.StartNew();
        var (count, bytes) = await AddDocumentsAsync(o, o.Documents, seed: 20261204);
        Console.Error.WriteLine($"seed {count:N0} documents, {bytes / 1e9:0.00} GB: {t.Elapsed.TotalSeconds:0.0} s");
        // Four recipients, as in a cooperation of four: the operator's recovery key and one key per partner municipality.
        await BenchEnv.RunCliAsync(o, ["backup", "keys", "create", "--operator", "--label", "Betrieb", "--out", KeyFile(o)]);
        foreach (var p in Seeder.Partners.Take(3))
            await BenchEnv.RunCliAsync(o, ["backup", "keys", "create", "--municipality", p.Ags, "--out", Path.Combine(Work(o), "keys", p.Ags + ".key")]);
        Console.Error.WriteLine($"backup seed total: {total.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>
    /// Documents of 10–90 KB (mean 50 KB, random bytes behind a PDF header: scans and PDFs do not compress), each on one
    /// case spread over the whole data set, stored content-addressed as the app's file store does and recorded in
    /// <c>case_documents</c>.
    /// </summary>
    private static async Task<(int Count, long Bytes)> AddDocumentsAsync(BenchOptions o, int count, int seed)
    {
        using var db = o.Postgres ? OpenIkz.Infrastructure.Database.Db.ForPostgres(o.PostgresConnectionString) : OpenIkz.Infrastructure.Database.Db.ForSqlite(o.SqliteFile);
        var caseIds = (await db.QueryAsync<string>("SELECT id FROM cases ORDER BY id")).ToList();
        var rng = new Random(seed);
        var root = Path.Combine(o.DataDirectory, "documents");
        var rows = new List<object>(count);
        long bytes = 0;
        var now = DateTime.UtcNow;
        var header = "%PDF-1.7\n"u8.ToArray();
        for (var i = 0; i < count; i++)
        {
            var content = new byte[10_240 + rng.Next(81_920)];
            rng.NextBytes(content);
            header.CopyTo(content, 0);
            var sha = Convert.ToHexStringLower(SHA256.HashData(content));
            var dir = Path.Combine(root, sha[..2], sha[2..4]);
            System.IO.Directory.CreateDirectory(dir);
            await File.WriteAllBytesAsync(Path.Combine(dir, sha), content);
            bytes += content.Length;
            rows.Add(new
            {
                Id = Guid.CreateVersion7().ToString(), Case = caseIds[(int)((long)i * caseIds.Count / count)], Name = $"nachweis-{i:D6}.pdf",
                Size = (long)content.Length, Sha = sha, At = now,
            });
        }
        await db.InTransactionAsync((c, tx) => c.ExecuteAsync("""
            INSERT INTO case_documents (id, case_id, document_type, file_name, content_type, size_bytes, sha256, source, added_at)
            VALUES (@Id, @Case, 'nachweis', @Name, 'application/pdf', @Size, @Sha, 'intake', @At)
            """, rows, tx));
        return (count, bytes);
    }

    public static async Task RunAsync(BenchOptions o)
    {
        var started = DateTime.UtcNow;
        if (!File.Exists(KeyFile(o))) throw new InvalidOperationException($"{KeyFile(o)} is missing: run `backup-seed` (or `backup`) first.");
        var target = Path.Combine(Work(o), "target");
        var plain = Path.Combine(Work(o), "plain");
        var settings = new Dictionary<string, string>
        {
            ["OpenIkz__Backup__Targets__0__Name"] = TargetName,
            ["OpenIkz__Backup__Targets__0__Directory"] = target,
            ["OpenIkz__Backup__IntervalHours"] = "0",
            ["OpenIkz__Backup__DrillIntervalDays"] = "0",
        };
        var (documents, documentBytes) = DocumentTree(Path.Combine(o.DataDirectory, "documents"));
        var databaseBytes = o.Postgres ? await PostgresSizeAsync(o, o.PostgresDatabase) : new FileInfo(o.SqliteFile).Length;
        var cases = await CountCasesAsync(o);
        Console.Error.WriteLine($"data: {cases:N0} cases, database {databaseBytes / 1e6:0} MB, {documents:N0} documents {documentBytes / 1e6:0} MB");
        await ShellAsync("sync");
        var dropped = await DropCachesAsync();

        var rows = new List<Row>();
        for (var run = 1; run <= o.Runs; run++)
        {
            foreach (var dir in new[] { target, plain }) if (System.IO.Directory.Exists(dir)) System.IO.Directory.Delete(dir, recursive: true);
            await PurgeSentObjectsAsync(o); // every run sends everything: a first, full backup

            // Backup: plain copy, then OpenIKZ (order alternates between runs against drift on a noisy machine).
            var backupSteps = new List<Func<Task<Step>>>
            {
                async () => { await DropCachesAsync(); return await PlainBackupAsync(o, plain); },
                async () => { await DropCachesAsync(); return await CliStepAsync(o, ["backup", "run", "--target", TargetName], settings); },
            };
            if (run % 2 == 0) backupSteps.Reverse();
            var b = new Dictionary<string, Step>();
            foreach (var s in backupSteps) { var r = await s(); b[r.Kind] = r; Console.Error.WriteLine($"run {run} backup {r.Kind}: {r.Seconds:0.0} s, peak {r.PeakMb:0} MB"); }
            var targetBytes = DocumentTree(target).Bytes;

            // Restore: the plain copy put back, then OpenIKZ's restore with verification into an empty destination.
            var plainRestore = Path.Combine(Work(o), "plain-restore");
            var restoreData = Path.Combine(Work(o), "restore");
            var restored = new BenchOptions { Database = o.Database, DataDirectoryOption = restoreData, PostgresServer = o.PostgresServer, PostgresDatabase = o.PostgresDatabase + "_restore", Port = o.Port };
            var restoreSteps = new List<Func<Task<Step>>>
            {
                async () => { await DropCachesAsync(); return await PlainRestoreAsync(o, plain, plainRestore); },
                async () =>
                {
                    await BenchEnv.PrepareAsync(restored); // an empty data folder (and an empty database)
                    await DropCachesAsync();
                    return await CliStepAsync(restored, ["restore", "--from", target, "--key", KeyFile(o)], settings);
                },
            };
            if (run % 2 == 0) restoreSteps.Reverse();
            foreach (var s in restoreSteps) { var r = await s(); b[r.Kind] = r; Console.Error.WriteLine($"run {run} restore {r.Kind}: {r.Seconds:0.0} s, peak {r.PeakMb:0} MB"); }

            // The app starts on the restored data and serves a case of the backup.
            var startup = await StartAndReadAsync(restored, settings);
            Console.Error.WriteLine($"run {run} app on the restored data: healthy after {startup.Seconds:0.0} s, case read {startup.Status}");
            rows.Add(new Row(run, b["plain-backup"], b["backup"], b["plain-restore"], b["restore"], startup, targetBytes));
            if (System.IO.Directory.Exists(plainRestore)) System.IO.Directory.Delete(plainRestore, recursive: true);
            await DropRestoredAsync(restored);
        }

        // Incremental: 1,000 new documents, then a second backup sends only those.
        var (added, addedBytes) = await AddDocumentsAsync(o, 1000, seed: 20261205 + o.Runs);
        await ShellAsync("sync");
        await DropCachesAsync();
        var incremental = await CliStepAsync(o, ["backup", "run", "--target", TargetName], settings);
        Console.Error.WriteLine($"incremental backup ({added} new documents): {incremental.Seconds:0.0} s — {incremental.Output.Trim()}");

        var report = Report(o, started, cases, databaseBytes, documents, documentBytes, dropped, rows, incremental, added, addedBytes);
        Console.WriteLine(report);
        if (o.Output is { } path) await File.WriteAllTextAsync(path, report);
    }

    private sealed record Step(string Kind, double Seconds, double PeakMb, string Output);
    private sealed record Startup(double Seconds, int Status);
    private sealed record Row(int Run, Step PlainBackup, Step Backup, Step PlainRestore, Step Restore, Startup Startup, long TargetBytes);

    private static async Task<Step> PlainBackupAsync(BenchOptions o, string plain)
    {
        System.IO.Directory.CreateDirectory(plain);
        var t = Stopwatch.StartNew();
        if (o.Postgres)
            await ToolAsync("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", Path.Combine(plain, "database.pgdump"), "--dbname", o.PostgresDatabase], o);
        else
        {
            await using (var c = new SqliteConnection($"Data Source={o.SqliteFile};Pooling=False"))
            {
                await c.OpenAsync();
                await c.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE)");
            }
            File.Copy(o.SqliteFile, Path.Combine(plain, "openikz.db"));
        }
        CopyTree(Path.Combine(o.DataDirectory, "documents"), Path.Combine(plain, "documents"));
        await ShellAsync("sync");
        return new Step("plain-backup", t.Elapsed.TotalSeconds, double.NaN, "");
    }

    private static async Task<Step> PlainRestoreAsync(BenchOptions o, string plain, string destination)
    {
        if (System.IO.Directory.Exists(destination)) System.IO.Directory.Delete(destination, recursive: true);
        System.IO.Directory.CreateDirectory(destination);
        var database = o.PostgresDatabase + "_plain";
        if (o.Postgres) await RecreateDatabaseAsync(o, database);
        var t = Stopwatch.StartNew();
        if (o.Postgres)
            await ToolAsync("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname", database, Path.Combine(plain, "database.pgdump")], o);
        else
            File.Copy(Path.Combine(plain, "openikz.db"), Path.Combine(destination, "openikz.db"));
        CopyTree(Path.Combine(plain, "documents"), Path.Combine(destination, "documents"));
        await ShellAsync("sync");
        var step = new Step("plain-restore", t.Elapsed.TotalSeconds, double.NaN, "");
        if (o.Postgres) await DropDatabaseAsync(o, database);
        return step;
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var dir in System.IO.Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            System.IO.Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (var file in System.IO.Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }

    /// <summary>Runs the app's command line, timed from start to exit, with its peak resident memory (VmHWM, sampled).</summary>
    private static async Task<Step> CliStepAsync(BenchOptions o, string[] args, IReadOnlyDictionary<string, string> settings)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(BenchEnv.AppDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        BenchEnv.Configure(psi, o);
        foreach (var (k, v) in settings) psi.Environment[k] = v;
        var t = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        double peak = 0;
        while (!p.HasExited)
        {
            try { if (BenchEnv.ProcStatusMb(p.Id, "VmHWM") is var mb && !double.IsNaN(mb)) peak = Math.Max(peak, mb); }
            catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException) { } // exited between the check and the read
            await Task.WhenAny(p.WaitForExitAsync(), Task.Delay(100));
        }
        await p.WaitForExitAsync();
        var seconds = t.Elapsed.TotalSeconds;
        if (p.ExitCode != 0) throw new InvalidOperationException($"OpenIkz {string.Join(' ', args)} failed ({p.ExitCode}): {await stderr}{await stdout}");
        return new Step(args[0] == "restore" ? "restore" : "backup", seconds, peak, await stdout);
    }

    private static async Task<Startup> StartAndReadAsync(BenchOptions restored, IReadOnlyDictionary<string, string> settings)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{restored.Port}") };
        var t = Stopwatch.StartNew();
        var server = await BenchEnv.StartServerAsync(restored, http, settings: settings);
        var seconds = t.Elapsed.TotalSeconds;
        try
        {
            var token = await BenchEnv.TokenAsync(http, "bench0000", Seeder.Password);
            using var db = restored.Postgres ? OpenIkz.Infrastructure.Database.Db.ForPostgres(restored.PostgresConnectionString) : OpenIkz.Infrastructure.Database.Db.ForSqlite(restored.SqliteFile);
            var caseId = await db.QuerySingleAsync<string>($"SELECT id FROM cases WHERE owner_ags = '{Seeder.Partners[0].Ags}' ORDER BY id LIMIT 1");
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/cases/{caseId}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"The restored app answered {(int)response.StatusCode} for a case of the backup.");
            return new Startup(seconds, (int)response.StatusCode);
        }
        finally
        {
            await BenchEnv.StopAsync(server);
        }
    }

    private static async Task DropRestoredAsync(BenchOptions restored)
    {
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        if (System.IO.Directory.Exists(restored.DataDirectory)) System.IO.Directory.Delete(restored.DataDirectory, recursive: true);
        if (restored.Postgres) await DropDatabaseAsync(restored, restored.PostgresDatabase);
    }

    private static async Task PurgeSentObjectsAsync(BenchOptions o)
    {
        using var db = o.Postgres ? OpenIkz.Infrastructure.Database.Db.ForPostgres(o.PostgresConnectionString) : OpenIkz.Infrastructure.Database.Db.ForSqlite(o.SqliteFile);
        await db.ExecuteAsync("DELETE FROM backup_sent_objects");
        if (!o.Postgres) await db.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE)");
        SqliteConnection.ClearAllPools();
    }

    private static async Task<long> CountCasesAsync(BenchOptions o)
    {
        using var db = o.Postgres ? OpenIkz.Infrastructure.Database.Db.ForPostgres(o.PostgresConnectionString) : OpenIkz.Infrastructure.Database.Db.ForSqlite(o.SqliteFile);
        return await db.QuerySingleAsync<long>("SELECT COUNT(*) FROM cases");
    }

    private static (int Files, long Bytes) DocumentTree(string root)
    {
        if (!System.IO.Directory.Exists(root)) return (0, 0);
        var files = 0; long bytes = 0;
        foreach (var f in new DirectoryInfo(root).EnumerateFiles("*", SearchOption.AllDirectories)) { files++; bytes += f.Length; }
        return (files, bytes);
    }

    private static async Task<long> PostgresSizeAsync(BenchOptions o, string database)
    {
        await using var c = new NpgsqlConnection(o.PostgresServer + ";Database=postgres");
        return await c.QuerySingleAsync<long>("SELECT pg_database_size(@D)", new { D = database });
    }

    private static async Task RecreateDatabaseAsync(BenchOptions o, string database)
    {
        await DropDatabaseAsync(o, database);
        await using var c = new NpgsqlConnection(o.PostgresServer + ";Database=postgres");
        await c.ExecuteAsync($"CREATE DATABASE {database}");
    }

    private static async Task DropDatabaseAsync(BenchOptions o, string database)
    {
        await using var c = new NpgsqlConnection(o.PostgresServer + ";Database=postgres");
        await c.ExecuteAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
    }

    private static async Task ToolAsync(string tool, string[] args, BenchOptions o)
    {
        var cs = new NpgsqlConnectionStringBuilder(o.PostgresServer);
        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PGHOST"] = cs.Host; psi.Environment["PGPORT"] = cs.Port.ToString(CultureInfo.InvariantCulture);
        psi.Environment["PGUSER"] = cs.Username; psi.Environment["PGPASSWORD"] = cs.Password;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} failed: {await err}");
    }

    private static async Task<int> ShellAsync(string command)
    {
        using var p = Process.Start(new ProcessStartInfo("sh", ["-c", command]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false })!;
        await p.StandardOutput.ReadToEndAsync();
        await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return p.ExitCode;
    }

    /// <summary>Drops the page cache (root only; elsewhere the steps read warm data, and the report says so).</summary>
    private static async Task<bool> DropCachesAsync()
    {
        await ShellAsync("sync");
        return await ShellAsync("echo 3 > /proc/sys/vm/drop_caches") == 0;
    }

    private static string Report(BenchOptions o, DateTime started, long cases, long databaseBytes, int documents, long documentBytes, bool dropped,
        List<Row> rows, Step incremental, int added, long addedBytes)
    {
        var s = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var gb = (databaseBytes + documentBytes) / 1e9;
        s.AppendLine(inv, $"# Backup benchmark ({o.Database}), {started:yyyy-MM-dd HH:mm} UTC");
        s.AppendLine();
        s.AppendLine(inv, $"`dotnet run -c Release --project bench/OpenIkz.Bench -- backup --database {o.Database} --cases {o.Cases} --documents {o.Documents} --runs {o.Runs}`");
        s.AppendLine();
        s.AppendLine(inv, $"Data: {cases:N0} cases, the database {databaseBytes / 1e6:N0} MB, {documents:N0} documents {documentBytes / 1e6:N0} MB (together {gb:0.00} GB); four recipients (operator and three partners). "
            + $"Page cache {(dropped ? "dropped before each step (every step reads from disk)" : "not dropped (not root): the steps read warm data")}. Machine: {Environment.ProcessorCount} cores.");
        s.AppendLine();
        s.AppendLine("Plain: the database copied (SQLite file after a checkpoint; PostgreSQL `pg_dump -Fc`, put back with `pg_restore --single-transaction`) and the documents copied file by file, then `sync`. "
            + "OpenIKZ: `backup run` to a directory target (snapshot, every object encrypted to four recipients and flushed to disk, manifest, index) and `restore --from DIR --key FILE` into an empty destination "
            + "(decryption and authentication of every object, row counts, audit head and hash chain, every document's SHA-256), timed as processes from start to exit. Speed ratio = plain seconds / OpenIKZ seconds (1.0 = as fast as the plain copy).");
        s.AppendLine();
        s.AppendLine("| run | plain backup s | backup s | backup speed vs plain | backup peak MB | target GB | plain restore s | restore + verify s | restore speed vs plain | restore peak MB | app healthy on it s |");
        s.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
            s.AppendLine(inv, $"| {r.Run} | {r.PlainBackup.Seconds:0.0} | {r.Backup.Seconds:0.0} | {r.PlainBackup.Seconds / r.Backup.Seconds:0.00} | {r.Backup.PeakMb:0} | {r.TargetBytes / 1e9:0.00} | {r.PlainRestore.Seconds:0.0} | {r.Restore.Seconds:0.0} | {r.PlainRestore.Seconds / r.Restore.Seconds:0.00} | {r.Restore.PeakMb:0} | {r.Startup.Seconds:0.0} |");
        var mb = BenchEnv.Median(rows.Select(r => r.PlainBackup.Seconds / r.Backup.Seconds).ToList());
        var mr = BenchEnv.Median(rows.Select(r => r.Restore.Seconds).ToList());
        var mrr = BenchEnv.Median(rows.Select(r => r.PlainRestore.Seconds / r.Restore.Seconds).ToList());
        s.AppendLine();
        s.AppendLine(inv, $"Median: backup at **{mb:0.00}** of the plain copy's speed (goal ≥ 0.50: {(mb >= 0.5 ? "met" : "NOT met")}), {gb / BenchEnv.Median(rows.Select(r => r.Backup.Seconds).ToList()) * 1000:0} MB/s; "
            + $"restore and verification **{mr:0.0} s** (goal ≤ 300 s: {(mr <= 300 ? "met" : "NOT met")}), at {mrr:0.00} of the plain copy's speed.");
        s.AppendLine();
        s.AppendLine(inv, $"Incremental: after {added:N0} new documents ({addedBytes / 1e6:0} MB) the next `backup run` took {incremental.Seconds:0.0} s (peak {incremental.PeakMb:0} MB): {incremental.Output.Trim()}");
        return s.ToString();
    }
}
