using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Options;
using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Backoffice.Cases;
using OpenIkz.Backoffice.Decisions;
using OpenIkz.Backoffice.Documents;
using OpenIkz.Backoffice.Intake;
using OpenIkz.Infrastructure;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Infrastructure.Files;

namespace OpenIkz.Bench;

/// <summary>
/// OpenIKZ load benchmark. Every figure is measured at three levels in the same run:
/// <b>bare</b>: the same SQL (and file writes) straight on the database with the app's connection
/// settings, no HTTP, no app logic; <b>service</b>: the app's own service class called in-process (no
/// HTTP, no authentication); <b>http</b>: the real server process over HTTP on 127.0.0.1.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        BenchOptions o;
        try { o = BenchOptions.Parse(args); }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine("usage: OpenIkz.Bench seed|run|all|settle|settle-seed|settle-run|registry|registry-seed|registry-run|assess-queue|assess-shapley|assess-simulation|assess-evaluation|appt|appt-seed|appt-run|backup|backup-seed|backup-run [--database sqlite|postgres] [--municipalities 11000] [--entries 100000] [--requests 400] [--cases 1000000] [--clerks 200] [--concurrency 50] [--intake-concurrency 16] [--seconds 20] [--warmup 3] [--port 5391] [--data DIR] [--phases claim,read,intake,open] [--rounds 1] [--open-rates 100,300,1000] [--out FILE.md] [--partners 40] [--runs 3] [--rate 5,20,500] [--documents 100000]");
            return 2;
        }
        // The load generator and the in-process baselines must not be limited by thread-pool ramp-up
        // (Microsoft.Data.Sqlite blocks a thread per call). The server runs with the runtime defaults.
        ThreadPool.SetMinThreads(o.Concurrency + 16, o.Concurrency + 16);
        if (o.Command is "settle" or "settle-seed") await SettleBench.SeedAsync(o);
        if (o.Command is "settle" or "settle-run") await SettleBench.RunAsync(o);
        if (o.Command is "registry" or "registry-seed") await RegistrySeeder.SeedAsync(o);
        if (o.Command is "registry" or "registry-run") await RegistryBench.RunAsync(o);
        if (o.Command is "appt" or "appt-seed") await AppointmentBench.SeedAsync(o);
        if (o.Command is "appt" or "appt-run") await AppointmentBench.RunAsync(o);
        if (o.Command is "assess-queue") await QueueBench.RunAsync(o);
        if (o.Command is "assess-shapley") await ShapleyBench.RunAsync(o);
        if (o.Command is "assess-simulation") await SimulationBench.RunAsync(o);
        if (o.Command is "assess-evaluation") await EvaluationBench.RunAsync(o);
        if (o.Command is "backup" or "backup-seed") await BackupBench.SeedAsync(o);
        if (o.Command is "backup" or "backup-run") await BackupBench.RunAsync(o);
        if (o.Command is "seed" or "all") await Seeder.SeedAsync(o);
        if (o.Command is "run" or "all") await RunAsync(o);
        return 0;
    }

    private sealed record Clerk(long Id, string Username, string DisplayName, string Ags)
    {
        public Actor Actor => new(Id, null, Username, DisplayName, Ags, false, ["kfz-zulassung", "elterngeld"]);
    }

    // The app's own SQL (internal to the app, visible to the benchmark), so the bare level measures exactly what the app runs.
    private const string CaseColumns = CaseQueries.CaseColumns;
    private const string CaseFrom = CaseQueries.CaseFrom;
    /// <summary>The case under the access rule, as CaseQueries.LoadAsync sends it.</summary>
    private const string LoadSql = CaseAccess.With + $"SELECT {CaseColumns} {CaseFrom} WHERE c.id = @CaseId";

    private static DynamicParameters Params(Actor actor, object more)
    {
        var p = new DynamicParameters(CaseAccess.Parameters(actor, BerlinTime.Today(TimeProvider.System)));
        p.AddDynamicParams(more);
        return p;
    }

    private static async Task RunAsync(BenchOptions o)
    {
        var started = DateTime.UtcNow;
        var results = new List<(string Phase, string Level, PhaseResult R)>();
        using var db = o.Postgres ? Db.ForPostgres(o.PostgresConnectionString) : Db.ForSqlite(o.SqliteFile);
        var clock = TimeProvider.System;
        var options = Options.Create(new OpenIkzOptions { DataDirectory = o.DataDirectory, Database = o.Database, Mode = "production" });
        var audit = new AuditLog(clock);
        var documents = new FileSystemFileStore(options);
        var limits = new IntakeLimits();
        var queries = new CaseQueries(db, audit, clock);
        var claim = new ClaimNextCase(db, audit, queries);
        var getCase = new GetCase(db, queries);
        var submit = new SubmitApplication(db, documents, audit, clock, limits);

        var casesInDb = await db.QuerySingleAsync<long>("SELECT COUNT(*) FROM cases");
        var pool = await db.QuerySingleAsync<long>("SELECT COUNT(*) FROM cases WHERE status = 'open'");
        var clerks = (await db.QueryAsync<Clerk>("SELECT id, username, display_name AS DisplayName, municipality_ags AS Ags FROM users ORDER BY id")).ToList();
        var clientId = await db.QuerySingleAsync<long>("SELECT id FROM api_clients WHERE name = 'bench-portal'");
        var secret = (await File.ReadAllTextAsync(Path.Combine(o.DataDirectory, "bench-client-secret.txt"))).Trim();
        var active = clerks.Take(o.Concurrency).ToList();
        Console.Error.WriteLine($"{o.Database}: {casesInDb:N0} cases ({pool:N0} open), {clerks.Count} clerks, {o.Concurrency} concurrent, {o.Seconds:0} s per phase");

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1024, UseCookies = false, UseProxy = false, AllowAutoRedirect = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        using var http = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{o.Port}"), Timeout = TimeSpan.FromSeconds(60) };
        void Add((string Phase, string Level, PhaseResult R) measured) => results.Add(measured); // one round of a closed-loop level; Report merges the rounds
        (double Seconds, double Warmup) Slice(int round) => (o.Seconds / o.Rounds, round == 0 ? o.Warmup : Math.Min(o.Warmup, 1));
        var server = await BenchEnv.StartServerAsync(o, http);
        try
        {
            Console.Error.WriteLine($"server pid {server.Id}, RSS after start {BenchEnv.ProcStatusMb(server.Id, "VmRSS"):0} MB");
            // Bearer tokens, one per active clerk (PBKDF2 per login: two at a time, outside the measurements).
            var tokens = new string[active.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, active.Count), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (i, ct) =>
            {
                using var r = await http.PostAsJsonAsync("/api/v1/auth/token", new { username = active[i].Username, password = Seeder.Password }, ct);
                r.EnsureSuccessStatusCode();
                tokens[i] = (await r.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("token").GetString()!;
            });
            HttpRequestMessage Authed(HttpMethod m, string url, int w) { var q = new HttpRequestMessage(m, url); q.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[w]); return q; }

            // ---- (1) claim -------------------------------------------------------------------------
            if (o.Phases.Contains("claim"))
            {
                Console.Error.WriteLine("claim (kfz-zulassung pool):");
                var pickSql = ClaimNextCase.PickSql(db);
                for (var round = 0; round < o.Rounds; round++)
                {
                    var (secs, warm) = Slice(round);
                    Add(("claim", "bare SQL", await Load.RunAsync("claim: bare, the statements ClaimNextCase sends", o.Concurrency, secs, warm, async (w, _) =>
                        await BareClaimAsync(db, audit, queries, active[w].Actor, "kfz-zulassung", default))));
                    await ResetPoolAsync(db);
                    Add(("claim", "bare minimal", await Load.RunAsync("claim: bare pick + UPDATE only, 1 tx each", o.Concurrency, secs, warm, async (w, _) =>
                        await BareMinimalClaimAsync(db, pickSql, active[w].Actor, default))));
                    await ResetPoolAsync(db);
                    Add(("claim", "service", await Load.RunAsync("claim: ClaimNextCase in-process", o.Concurrency, secs, warm, async (w, _) =>
                        await claim.HandleAsync(active[w].Actor, "kfz-zulassung") is not null)));
                    await ResetPoolAsync(db);
                    ReleaseConnections();
                    Add(("claim", "http", await Load.RunAsync("claim: POST /api/v1/work/claim", o.Concurrency, secs, warm, async (w, _) =>
                    {
                        using var q = Authed(HttpMethod.Post, "/api/v1/work/claim", w);
                        q.Content = new StringContent("{\"service\":\"kfz-zulassung\"}", Encoding.UTF8, "application/json");
                        using var r = await http.SendAsync(q);
                        await r.Content.ReadAsByteArrayAsync();
                        if (r.StatusCode == HttpStatusCode.NoContent) throw new Exception("204: pool empty");
                        return r.StatusCode == HttpStatusCode.OK ? true : throw new Exception($"HTTP {(int)r.StatusCode}");
                    })));
                    await ResetPoolAsync(db);
                }
            }

            // ---- (2) case read by a partner clerk (owner is another municipality: audited) -------------
            if (o.Phases.Contains("read"))
            {
                Console.Error.WriteLine("case read by a partner clerk (foreign case):");
                var sample = (await db.QueryAsync<(string Id, string Owner)>("SELECT id, owner_ags FROM cases ORDER BY random() LIMIT 20000")).ToList();
                var foreign = active.Select(k => sample.Where(s => s.Owner != k.Ags).Select(s => s.Id).ToArray()).ToArray();
                string Pick(int w) => foreign[w][Random.Shared.Next(foreign[w].Length)];
                // The case page needs a cookie session (form login with antiforgery token).
                var cookies = new string?[active.Count];
                cookies[0] = await CookieLoginAsync(http, active[0].Username);
                using var probe = new HttpRequestMessage(HttpMethod.Get, "/Vorgaenge/" + Pick(0));
                probe.Headers.TryAddWithoutValidation("Cookie", cookies[0]);
                probe.Headers.Add("X-Forwarded-Proto", "https");
                using var probeResponse = await http.SendAsync(probe);
                string? pageSkipped = null;
                if (probeResponse.StatusCode != HttpStatusCode.OK)
                {
                    var why = $"GET /Vorgaenge/{{id}} answered {(int)probeResponse.StatusCode} (404: no case page in this build; 500: see the server log)";
                    Console.Error.WriteLine("  page: skipped (" + why + ")");
                    pageSkipped = why;
                }
                else
                {
                    await Parallel.ForEachAsync(Enumerable.Range(1, active.Count - 1), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (i, _) => cookies[i] = await CookieLoginAsync(http, active[i].Username));
                }
                for (var round = 0; round < o.Rounds; round++)
                {
                    var (secs, warm) = Slice(round);
                    Add(("read", "bare SQL", await Load.RunAsync("read: bare, the statements GetCase sends", o.Concurrency, secs, warm, async (w, _) =>
                        await BareReadAsync(db, audit, active[w].Actor, Pick(w), default))));
                    Add(("read", "bare minimal", await Load.RunAsync("read: bare SELECT of the case only", o.Concurrency, secs, warm, async (w, _) =>
                        await BareMinimalReadAsync(db, active[w].Actor, Pick(w), default))));
                    Add(("read", "service", await Load.RunAsync("read: GetCase in-process", o.Concurrency, secs, warm, async (w, _) =>
                        (await getCase.HandleAsync(active[w].Actor, Pick(w))).Id.Length > 0)));
                    ReleaseConnections();
                    Add(("read", "http", await Load.RunAsync("read: GET /api/v1/cases/{id}", o.Concurrency, secs, warm, async (w, _) =>
                    {
                        using var q = Authed(HttpMethod.Get, "/api/v1/cases/" + Pick(w), w);
                        using var r = await http.SendAsync(q);
                        await r.Content.ReadAsByteArrayAsync();
                        return r.StatusCode == HttpStatusCode.OK ? true : throw new Exception($"HTTP {(int)r.StatusCode}");
                    })));
                    Add(("read", "http (1 clerk)", await Load.RunAsync("read: GET /api/v1/cases/{id}, one clerk", 1, Math.Min(secs, 10), 1, async (w, _) =>
                    {
                        using var q = Authed(HttpMethod.Get, "/api/v1/cases/" + Pick(w), w);
                        using var r = await http.SendAsync(q);
                        await r.Content.ReadAsByteArrayAsync();
                        return r.StatusCode == HttpStatusCode.OK ? true : throw new Exception($"HTTP {(int)r.StatusCode}");
                    })));
                    if (pageSkipped is null)
                        Add(("read", "http page", await Load.RunAsync("read: GET /Vorgaenge/{id} (HTML page)", o.Concurrency, secs, warm, async (w, _) =>
                        {
                            using var q = new HttpRequestMessage(HttpMethod.Get, "/Vorgaenge/" + Pick(w));
                            q.Headers.TryAddWithoutValidation("Cookie", cookies[w]);
                            q.Headers.Add("X-Forwarded-Proto", "https");
                            using var r = await http.SendAsync(q);
                            await r.Content.ReadAsByteArrayAsync();
                            return r.StatusCode == HttpStatusCode.OK ? true : throw new Exception($"HTTP {(int)r.StatusCode}");
                        })));
                }
                if (pageSkipped is not null) results.Add(("read", "http page", PhaseResult.Skipped("page", pageSkipped)));
            }

            // ---- open loop: claim and case read at fixed rates, bare SQL and HTTP, each rate in ascending order ----
            if (o.Phases.Contains("open"))
            {
                Console.Error.WriteLine("open loop (requests started on schedule, whether or not earlier ones were answered):");
                var pickSql = ClaimNextCase.PickSql(db);
                var sample = (await db.QueryAsync<(string Id, string Owner)>("SELECT id, owner_ags FROM cases ORDER BY random() LIMIT 20000")).ToList();
                var foreign = active.Select(k => sample.Where(s => s.Owner != k.Ags).Select(s => s.Id).ToArray()).ToArray();
                int Clerk(long i) => (int)(i % active.Count);
                string Foreign(int w) => foreign[w][Random.Shared.Next(foreign[w].Length)];
                foreach (var rate in o.OpenRates.Order())
                {
                    var phase = $"claim, open {rate:0}/s";
                    results.Add((phase, "bare SQL", await Load.OpenLoopAsync($"claim: bare, the statements ClaimNextCase sends, at {rate:0}/s", rate, o.Seconds, o.Warmup, async (i, ct) =>
                        await BareClaimAsync(db, audit, queries, active[Clerk(i)].Actor, "kfz-zulassung", ct))));
                    await ResetPoolAsync(db);
                    results.Add((phase, "bare minimal", await Load.OpenLoopAsync($"claim: bare pick + UPDATE only at {rate:0}/s", rate, o.Seconds, o.Warmup, async (i, ct) =>
                        await BareMinimalClaimAsync(db, pickSql, active[Clerk(i)].Actor, ct))));
                    await ResetPoolAsync(db);
                    ReleaseConnections();
                    results.Add((phase, "http", await Load.OpenLoopAsync($"claim: POST /api/v1/work/claim at {rate:0}/s", rate, o.Seconds, o.Warmup, async (i, ct) =>
                    {
                        using var q = Authed(HttpMethod.Post, "/api/v1/work/claim", Clerk(i));
                        q.Content = new StringContent("{\"service\":\"kfz-zulassung\"}", Encoding.UTF8, "application/json");
                        using var r = await http.SendAsync(q, ct);
                        await r.Content.ReadAsByteArrayAsync(ct);
                        return r.StatusCode == HttpStatusCode.OK ? true : throw new Exception($"HTTP {(int)r.StatusCode}");
                    })));
                    await ResetPoolAsync(db);
                    phase = $"read, open {rate:0}/s";
                    results.Add((phase, "bare SQL", await Load.OpenLoopAsync($"read: bare, the statements GetCase sends, at {rate:0}/s", rate, o.Seconds, o.Warmup, async (i, ct) =>
                        await BareReadAsync(db, audit, active[Clerk(i)].Actor, Foreign(Clerk(i)), ct))));
                    results.Add((phase, "bare minimal", await Load.OpenLoopAsync($"read: bare SELECT of the case only at {rate:0}/s", rate, o.Seconds, o.Warmup, async (i, ct) =>
                        await BareMinimalReadAsync(db, active[Clerk(i)].Actor, Foreign(Clerk(i)), ct))));
                    ReleaseConnections();
                    results.Add((phase, "http", await Load.OpenLoopAsync($"read: GET /api/v1/cases/{{id}} at {rate:0}/s", rate, o.Seconds, o.Warmup, async (i, ct) =>
                    {
                        using var q = Authed(HttpMethod.Get, "/api/v1/cases/" + Foreign(Clerk(i)), Clerk(i));
                        using var r = await http.SendAsync(q, ct);
                        await r.Content.ReadAsByteArrayAsync(ct);
                        return r.StatusCode == HttpStatusCode.OK ? true : throw new Exception($"HTTP {(int)r.StatusCode}");
                    })));
                }
                // The highest rate whose p99 stays under 20 ms (the goal of issue 13: 300/s for claim and read).
                foreach (var op in new[] { "claim", "read" })
                    foreach (var level in new[] { "bare SQL", "bare minimal", "http" })
                    {
                        var best = results.Where(r => r.Phase.StartsWith(op + ", open", StringComparison.Ordinal) && r.Level == level && r.R.Errors == 0 && r.R.P99Ms < 20)
                            .Select(r => double.Parse(r.Phase[(r.Phase.LastIndexOf(' ') + 1)..].TrimEnd('/', 's'), CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();
                        Console.Error.WriteLine($"  {op} {level}: highest open-loop rate with p99 < 20 ms and no error: {(best > 0 ? $"{best:0}/s" : "none of the rates")}");
                    }
            }

            // ---- (3) intake with one 100 KB PDF each --------------------------------------------------
            if (o.Phases.Contains("intake"))
            {
                Console.Error.WriteLine($"intake (one ~100 KB PDF each, municipality {Seeder.IntakeAgs}):");
                var client = new Actor(null, clientId, "client:bench-portal", "client:bench-portal", Seeder.IntakeAgs, false, []);
                for (var round = 0; round < o.Rounds; round++)
                {
                    var (secs, warm) = Slice(round);
                    var run = DateTime.UtcNow.Ticks; // per round: the idempotency keys count from 1 in each measurement
                    Add(("intake", "bare SQL+file", await Load.RunAsync("intake: bare file+fsync, then 1 tx of inserts", o.IntakeConcurrency, secs, warm, async (w, n) =>
                    {
                        await BareIntakeAsync(db, documents, audit, client, run, n);
                        return true;
                    })));
                    Add(("intake", "service", await Load.RunAsync("intake: SubmitApplication.HandleAsync in-process", o.IntakeConcurrency, secs, warm, async (w, n) =>
                        !(await submit.HandleAsync(client, $"svc-{run}-{n}", ApplicationBody(run * 10 + 1, n))).Replayed)));
                    ReleaseConnections();
                    Add(("intake", "http", await Load.RunAsync("intake: POST /api/v1/applications", o.IntakeConcurrency, secs, warm, async (w, n) =>
                    {
                        using var q = new HttpRequestMessage(HttpMethod.Post, "/api/v1/applications");
                        q.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
                        q.Headers.Add("Idempotency-Key", $"http-{run}-{n}");
                        q.Content = new ByteArrayContent(ApplicationBody(run * 10 + 2, n));
                        q.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                        using var r = await http.SendAsync(q);
                        await r.Content.ReadAsByteArrayAsync();
                        return r.StatusCode == HttpStatusCode.Created ? true : throw new Exception($"HTTP {(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
                    })));
                }
            }

            // ---- (4) peak memory ----------------------------------------------------------------
            var hwm = BenchEnv.ProcStatusMb(server.Id, "VmHWM");
            var rss = BenchEnv.ProcStatusMb(server.Id, "VmRSS");
            var report = Report(o, started, casesInDb, pool, clerks.Count, results, hwm, rss);
            Console.WriteLine(report);
            if (o.Output is not null) await File.WriteAllTextAsync(o.Output, report);
        }
        finally
        {
            await BenchEnv.StopAsync(server);
        }
    }

    /// <summary>Closes the bench's idle PostgreSQL connections, so they do not take max_connections slots the server needs.</summary>
    private static void ReleaseConnections() => Npgsql.NpgsqlConnection.ClearAllPools();

    /// <summary>Puts the cases claimed by a phase back into the pool, so every claim phase sees the same pool.</summary>
    private static async Task ResetPoolAsync(Db db)
    {
        var t = Stopwatch.StartNew();
        var n = await db.ExecuteAsync("UPDATE cases SET status = 'open', assigned_user_id = NULL, assigned_at = NULL WHERE assigned_user_id IS NOT NULL AND status = 'assigned'");
        Console.Error.WriteLine($"  (pool reset: {n:N0} cases back to open in {t.Elapsed.TotalSeconds:0.0} s)");
    }

    /// <summary>
    /// A claim's statements exactly as ClaimNextCase sends them, on the same connections and transactions, without its C#
    /// around them: in one write transaction the absence check, the pick and assignment (one statement on PostgreSQL), the
    /// history row and the audit entry (one round trip on PostgreSQL); after the commit the case and its file (documents,
    /// notes, history) are read.
    /// </summary>
    private static async Task<bool> BareClaimAsync(Db db, AuditLog audit, CaseQueries queries, Actor actor, string service, CancellationToken ct)
    {
        var today = BerlinTime.Today(TimeProvider.System);
        var claimed = await db.InTransactionAsync(async (c, tx) =>
        {
            var now = DateTime.UtcNow;
            await CaseQueries.IsAbsentAsync(c, tx, actor.UserId!.Value, today);
            ClaimNextCase.Claimed? hit;
            if (db.Kind == DatabaseKind.Postgres)
                hit = await c.QuerySingleOrDefaultAsync<ClaimNextCase.Claimed>(new CommandDefinition(ClaimNextCase.ClaimPostgresSql, Params(actor, new { Service = service, Now = now }), tx, cancellationToken: ct));
            else
            {
                hit = await c.QuerySingleOrDefaultAsync<ClaimNextCase.Claimed>(new CommandDefinition(ClaimNextCase.PickSql(db), Params(actor, new { Service = service }), tx, cancellationToken: ct));
                if (hit is not null) await c.ExecuteAsync(new CommandDefinition(ClaimNextCase.AssignSql, new { ActorId = actor.UserId, Now = now, hit.Id }, tx, cancellationToken: ct));
            }
            if (hit is null) return null; // PostgreSQL: every head row locked by a concurrent claim; still one executed claim
            var entry = new AuditEntry("case.claimed", hit.OwnerAgs, hit.AgreementId, hit.Id);
            if (db.Kind == DatabaseKind.Postgres)
            {
                var both = new DynamicParameters(audit.NewEntry(actor, entry));
                both.Add("HistoryAt", now);
                both.Add("HistoryName", actor.DisplayName);
                await c.ExecuteAsync(new CommandDefinition(ClaimNextCase.ClaimHistorySql + ";\n" + AuditLog.InsertSql, both, tx, cancellationToken: ct));
            }
            else
            {
                await CaseHistory.AddAsync(c, tx, hit.Id, now, actor, ClaimNextCase.ClaimHistoryAction, ClaimNextCase.ClaimHistoryDetails);
                await audit.AppendAsync(c, tx, actor, entry);
            }
            return hit;
        }, ct);
        if (claimed is null) return true;
        await using var rc = await db.OpenAsync(ct);
        _ = await queries.LoadOwnAsync(rc, claimed.Id, claimed.AgreementId) ?? throw new InvalidOperationException("claimed case not found");
        await ReadFileAsync(rc, claimed.Id);
        return true;
    }

    /// <summary>A partner's case read exactly as GetCase sends it: the case under the access rule, the audit entry (PostgreSQL: on the same connection; SQLite: through the one writer), the file.</summary>
    private static async Task<bool> BareReadAsync(Db db, AuditLog audit, Actor actor, string caseId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<CaseQueries.Row>(new CommandDefinition(LoadSql, Params(actor, new { CaseId = caseId }), cancellationToken: ct))
            ?? throw new InvalidOperationException("case not found");
        var entry = new AuditEntry("case.read", row.OwnerAgs, row.AgreementId, row.Id);
        if (db.Kind == DatabaseKind.Postgres) await audit.AppendAsync(c, null, actor, entry);
        else await db.InTransactionAsync((wc, tx) => audit.AppendAsync(wc, tx, actor, entry), ct);
        await ReadFileAsync(c, row.Id);
        return true;
    }

    /// <summary>The earlier bare claim, kept for comparison: the pick and the UPDATE only, one transaction.</summary>
    private static async Task<bool> BareMinimalClaimAsync(Db db, string pickSql, Actor actor, CancellationToken ct)
    {
        await db.InTransactionAsync(async (c, tx) =>
        {
            var id = await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(pickSql, Params(actor, new { Service = "kfz-zulassung" }), tx, cancellationToken: ct));
            if (id is not null) await c.ExecuteAsync(new CommandDefinition(ClaimNextCase.AssignSql, new { ActorId = actor.UserId, Now = DateTime.UtcNow, Id = id }, tx, cancellationToken: ct));
        }, ct);
        return true; // null = row taken concurrently (PostgreSQL SKIP LOCKED race); still one executed claim
    }

    /// <summary>The earlier bare read, kept for comparison: the case SELECT under the access rule only.</summary>
    private static async Task<bool> BareMinimalReadAsync(Db db, Actor actor, string caseId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QueryFirstOrDefaultAsync(new CommandDefinition(LoadSql, Params(actor, new { CaseId = caseId }), cancellationToken: ct)) is not null;
    }

    private static async Task ReadFileAsync(System.Data.Common.DbConnection c, string caseId)
    {
        await using var file = await c.QueryMultipleAsync(CaseQueries.FileSql, new { Id = caseId });
        _ = (await file.ReadAsync<CaseQueries.DocumentRow>()).AsList();
        _ = (await file.ReadAsync<CaseQueries.NoteRow>()).AsList();
        _ = (await file.ReadAsync<CaseQueries.HistoryRow>()).AsList();
    }

    /// <summary>The writes of an intake without HTTP, JSON or validation: the PDF to disk (fsync, rename), then one transaction with the same inserts as SubmitApplication.</summary>
    private static async Task BareIntakeAsync(Db db, IFileStore documents, AuditLog audit, Actor client, long run, long n)
    {
        var pdf = BenchPdf.Create(run * 10 + 3 + n * 1000);
        var sha = await documents.SaveAsync(pdf);
        var now = DateTime.UtcNow;
        var today = BerlinTime.Today(TimeProvider.System);
        await db.InTransactionAsync(async (c, tx) =>
        {
            var caseId = Guid.CreateVersion7().ToString();
            await c.ExecuteAsync("""
                INSERT INTO api_client_requests (client_id, idem_key, request_hash, case_id, created_at) VALUES (@Client, @Key, @Hash, @CaseId, @Now)
                ON CONFLICT (client_id, idem_key) DO NOTHING
                """, new { Client = client.ClientId, Key = $"bare-{run}-{n}", Hash = sha, CaseId = caseId, Now = now }, tx);
            await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM municipalities WHERE ags = @Ags", new { Ags = client.Ags }, tx);
            var number = await SubmitApplication.NextNumberAsync(c, tx, client.Ags, "KFZ", today.Year);
            await c.ExecuteAsync("""
                INSERT INTO cases (id, reference, owner_ags, service_slug, case_group, status, complete,
                    applicant_given_name, applicant_family_name, applicant_birth_date, applicant_email, applicant_street, applicant_postal_code, applicant_city,
                    applicant_search, form_json, received_at, due_date, api_client_id, version)
                VALUES (@Id, @Reference, @Owner, 'kfz-zulassung', 'neuzulassung', 'open', @Complete,
                    'Erika', 'Mustermann', @Birth, 'erika@example.org', 'Rathausplatz 2', '67227', 'Frankenthal (Pfalz)', 'mustermann erika', @Form, @Now, @Due, @Client, 1)
                """, new { Id = caseId, Reference = $"{client.Ags}-KFZ-{today.Year}-{number:D6}", Owner = client.Ags, Complete = true, Birth = new DateOnly(1964, 8, 12),
                    Form = "{\"vin\":\"WVWZZZ1JZXW000001\",\"desiredPlate\":\"FT-AB 123\"}", Now = now, Due = today.AddDays(5), Client = client.ClientId }, tx);
            await c.ExecuteAsync("""
                INSERT INTO case_documents (id, case_id, document_type, file_name, content_type, size_bytes, sha256, source, added_at)
                VALUES (@Id, @CaseId, 'zulassungsbescheinigung-teil-2', 'zb2.pdf', 'application/pdf', @Size, @Sha, 'intake', @Now)
                """, new { Id = Guid.CreateVersion7().ToString(), CaseId = caseId, Size = pdf.LongLength, Sha = sha, Now = now }, tx);
            await CaseHistory.AddAsync(c, tx, caseId, now, client, "eingegangen", "Antrag vollständig eingegangen.");
            await audit.AppendAsync(c, tx, client, new AuditEntry("case.received", client.Ags, null, caseId));
        });
    }

    private static byte[] ApplicationBody(long series, long n)
    {
        var pdf = BenchPdf.Create(series * 1_000_000 + n);
        var vin = "WVWZZZ1JZXW" + (n % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
        return Encoding.UTF8.GetBytes($$$"""
            {"service":"kfz-zulassung","caseGroup":"neuzulassung","municipality":"{{{Seeder.IntakeAgs}}}",
             "applicant":{"givenName":"Erika","familyName":"Mustermann","birthDate":"1964-08-12","email":"erika@example.org",
               "address":{"street":"Rathausplatz 2","postalCode":"67227","city":"Frankenthal (Pfalz)"}},
             "form":{"vin":"{{{vin}}}","desiredPlate":"FT-AB 123"},
             "attachments":[{"documentType":"zulassungsbescheinigung-teil-2","fileName":"zb2.pdf","contentType":"application/pdf","contentBase64":"{{{Convert.ToBase64String(pdf)}}}"}]}
            """);
    }

    /// <summary>Signs in through the /Anmelden form (antiforgery token and cookie) and returns the Cookie header for later requests.</summary>
    private static async Task<string> CookieLoginAsync(HttpClient http, string username)
    {
        var jar = new Dictionary<string, string>();
        void Collect(HttpResponseMessage r)
        {
            if (!r.Headers.TryGetValues("Set-Cookie", out var values)) return;
            foreach (var v in values) { var pair = v.Split(';')[0]; var eq = pair.IndexOf('='); jar[pair[..eq]] = pair[(eq + 1)..]; }
        }
        string Header() => string.Join("; ", jar.Select(kv => kv.Key + "=" + kv.Value));
        // Production cookies are Secure: the server sits behind a TLS proxy, which the X-Forwarded-Proto header stands for (127.0.0.1 is a trusted proxy).
        using var getRequest = new HttpRequestMessage(HttpMethod.Get, "/Anmelden");
        getRequest.Headers.Add("X-Forwarded-Proto", "https");
        using var get = await http.SendAsync(getRequest);
        Collect(get);
        var html = await get.Content.ReadAsStringAsync();
        var token = Regex.Match(html, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        using var post = new HttpRequestMessage(HttpMethod.Post, "/Anmelden")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["Benutzername"] = username, ["Passwort"] = Seeder.Password, ["__RequestVerificationToken"] = token }),
        };
        if (jar.Count > 0) post.Headers.TryAddWithoutValidation("Cookie", Header());
        post.Headers.Add("X-Forwarded-Proto", "https");
        using var r = await http.SendAsync(post);
        if (r.StatusCode != HttpStatusCode.Redirect && r.StatusCode != HttpStatusCode.Found) throw new InvalidOperationException($"Cookie login for {username} answered {(int)r.StatusCode}.");
        Collect(r);
        return Header();
    }

    private static string Report(BenchOptions o, DateTime started, long cases, long pool, int clerks, List<(string Phase, string Level, PhaseResult R)> results, double hwm, double rss)
    {
        var sb = new StringBuilder();
        string F(double v, string fmt) => double.IsNaN(v) ? "–" : v.ToString(fmt, CultureInfo.InvariantCulture);
        sb.AppendLine(CultureInfo.InvariantCulture, $"OpenIKZ benchmark, {o.Database}, {started:yyyy-MM-dd HH:mm} UTC, {System.Environment.ProcessorCount} cores, {cases:N0} cases ({pool:N0} open at start), {clerks} clerks, {o.Seconds:0} s per measurement after {o.Warmup:0} s warm-up{(o.Rounds > 1 ? $" (closed loop: in {o.Rounds} rounds)" : "")}");
        sb.AppendLine();
        // "bare SQL" runs the statements the app sends; "bare minimal" (claim and read) only the pick + UPDATE or the case SELECT, for comparison with earlier runs.
        sb.AppendLine("| Phase | Level | Concurrency | ops/s | ratio to bare | ratio to bare minimal | p50 ms | p99 ms | p99 ratio to bare | max ms | errors |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var perRound = new List<string>();
        foreach (var byPhase in results.GroupBy(r => r.Phase))
        {
            // The rounds of each level (--rounds) as one figure, the levels in the order they first ran.
            var group = byPhase.GroupBy(r => r.Level).Select(l => (Phase: byPhase.Key, Level: l.Key, R: PhaseResult.Merge(l.Select(x => x.R).ToList()), Rounds: l.Select(x => x.R).ToList())).ToList();
            var bare = group.First(r => r.Level.StartsWith("bare")).R;
            var minimal = group.FirstOrDefault(r => r.Level == "bare minimal").R;
            var bareRounds = group.First(r => r.Level.StartsWith("bare")).Rounds;
            foreach (var l in group.Where(l => l.Level.StartsWith("http") && l.Rounds.Count > 1 && l.Rounds.Count == bareRounds.Count && !l.R.IsSkipped))
                perRound.Add(string.Create(CultureInfo.InvariantCulture, $"{l.Phase}, {l.Level} ÷ bare per round: {string.Join(", ", l.Rounds.Zip(bareRounds, (h, b) => (h.PerSecond / b.PerSecond).ToString("0.00", CultureInfo.InvariantCulture)))}"));
            foreach (var (phase, level, r, _) in group)
            {
                if (r.IsSkipped) { sb.AppendLine($"| {phase} | {level} | – | – | – | – | – | – | – | – | {r.FirstError} |"); continue; }
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| {phase} | {level} | {r.Concurrency} | {F(r.PerSecond, "0.0")} | {F(r.PerSecond / bare.PerSecond, "0.00")} | {(minimal is null ? "–" : F(r.PerSecond / minimal.PerSecond, "0.00"))} | {F(r.P50Ms, "0.00")} | {F(r.P99Ms, "0.00")} | {F(r.P99Ms / bare.P99Ms, "0.0")} | {F(r.MaxMs, "0")} | {r.Errors} |");
            }
        }
        if (perRound.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"{o.Rounds} rounds of {o.Seconds / o.Rounds:0.#} s per level, the levels in turn; the ratios of each round:");
            foreach (var line in perRound) sb.AppendLine("- " + line);
        }
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Server peak memory (VmHWM): {hwm:0} MB; resident at the end (VmRSS): {rss:0} MB; MALLOC_ARENA_MAX={BenchEnv.MallocArenaMaxOf(o)}.");
        var errors = results.Where(r => r.R.FirstError is not null && !r.R.IsSkipped).Select(r => $"{r.Phase}/{r.Level}: {r.R.FirstError}").ToList();
        if (errors.Count > 0) { sb.AppendLine(); sb.AppendLine("First error per measurement: " + string.Join("; ", errors)); }
        return sb.ToString();
    }
}
