using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using OpenIkz.Agreements.Settlement;
using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Intake;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Bench;

/// <summary>
/// The settlement benchmark (<c>settle</c>): a year (2025) of decided cases over N member municipalities
/// of one active agreement, settled by the app (<see cref="SettlementService.RunAsync"/> in-process and
/// <c>POST /api/v1/agreements/{id}/settlements</c> over HTTP) and compared with the bare aggregate over the
/// same rows in the same run.
/// </summary>
public static class SettleBench
{
    public const int Year = 2025;
    public const string Period = "2025";
    internal const string Password = Seeder.Password;
    internal const string CoordinatorName = "bench-koordination";

    /// <summary>Member keys: kreisfreie Städte in Rheinland-Pfalz (state prefix 07) without a district.</summary>
    public static string Ags(int i) => "074" + (i + 1).ToString("D5", CultureInfo.InvariantCulture);

    /// <summary>Uneven case shares: weight 1/(i+1)^0.8, i.e. the largest member has ~8x the cases of the 40th.</summary>
    private static double[] Shares(int n)
    {
        var w = Enumerable.Range(0, n).Select(i => 1.0 / Math.Pow(i + 1, 0.8)).ToArray();
        var sum = w.Sum();
        var cumulative = new double[n];
        double acc = 0;
        for (var i = 0; i < n; i++) { acc += w[i] / sum; cumulative[i] = acc; }
        cumulative[^1] = 1.0;
        return cumulative;
    }

    private static int Pick(double[] cumulative, double r)
    {
        var i = Array.BinarySearch(cumulative, r);
        return Math.Min(i < 0 ? ~i : i, cumulative.Length - 1);
    }

    /// <summary>The settlement key of the agreement (cents): flat amount per case and fee per case.</summary>
    private static readonly (string Service, string Group, long Flat, long? Fee)[] Rates =
    [
        ("kfz-zulassung", "neuzulassung", 1500, 2670),
        ("kfz-zulassung", "umschreibung", 1200, 2190),
        ("kfz-zulassung", "ausserbetriebsetzung", 600, 740),
        ("elterngeld", "", 4500, null),
    ];

    internal static readonly DateTime YearStartUtc = SettlementService.BerlinMidnightUtc(new DateOnly(Year, 1, 1));
    internal static readonly DateTime YearEndUtc = SettlementService.BerlinMidnightUtc(new DateOnly(Year + 1, 1, 1));

    private sealed record Row(string Id, string Reference, string Owner, string Service, string? Group, string Given, string Family, DateOnly Birth,
        string Email, string Street, string Search, DateTime Received, DateTime Assigned, DateOnly Due, DateTime Decided, string Outcome, string Processor, DateOnly Retention);

    /// <summary>
    /// The closed cases in decided order (ascending UUIDv7 keys): 70 % Kfz (50/35/15 % over the case groups), 30 % Elterngeld;
    /// 55 % decided by the owner itself; received 1 hour to 30 days before the decision, last claimed at a uniform point in between.
    /// </summary>
    private static IEnumerable<Row> Cases(int count, int partners)
    {
        var rng = new Random(20250101);
        var shares = Shares(partners);
        var counters = new long[partners, 2];
        var span = (YearEndUtc - YearStartUtc).Ticks;
        var step = span / Math.Max(1, count);
        string[] given = ["Erika", "Max", "Jörg", "Sabine", "Ömer", "Anna", "Lukas", "Marie", "Jürgen", "Sophie", "Paul", "Emma"];
        string[] family = ["Mustermann", "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer"];
        string[] streets = ["Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Goethestraße", "Rheinstraße", "Ludwigstraße"];
        for (var k = 0; k < count; k++)
        {
            var decided = new DateTime(YearStartUtc.Ticks + k * step + rng.NextInt64(step), DateTimeKind.Utc);
            decided = new DateTime(decided.Ticks - decided.Ticks % 10, DateTimeKind.Utc);
            var received = decided.AddMinutes(-rng.Next(60, 60 * 24 * 30));
            var o = Pick(shares, rng.NextDouble());
            var p = rng.NextDouble() < 0.55 ? o : Pick(shares, rng.NextDouble());
            var kfz = rng.NextDouble() < 0.7;
            var g = rng.NextDouble();
            var group = kfz ? (g < 0.50 ? "neuzulassung" : g < 0.85 ? "umschreibung" : "ausserbetriebsetzung") : null;
            var number = ++counters[o, kfz ? 0 : 1];
            var gn = given[rng.Next(given.Length)];
            var fn = family[rng.Next(family.Length)];
            var assigned = new DateTime(received.Ticks + (long)((decided - received).Ticks * rng.NextDouble()), DateTimeKind.Utc);
            assigned = new DateTime(assigned.Ticks - assigned.Ticks % 10, DateTimeKind.Utc);
            yield return new Row(Guid.CreateVersion7(new DateTimeOffset(decided)).ToString(),
                $"{Ags(o)}-{(kfz ? "KFZ" : "EG")}-{Year}-{number:D7}", Ags(o), kfz ? "kfz-zulassung" : "elterngeld", group, gn, fn,
                new DateOnly(1940 + rng.Next(65), 1 + rng.Next(12), 1 + rng.Next(28)), $"person{rng.Next(100000)}@example.org",
                $"{streets[rng.Next(streets.Length)]} {1 + rng.Next(120)}", CaseSearch.Key(fn, gn),
                received, assigned, DateOnly.FromDateTime(received).AddDays(kfz ? 5 : 21), decided, rng.NextDouble() < 0.9 ? "granted" : "rejected",
                Ags(p), DateOnly.FromDateTime(decided).AddYears(kfz ? 7 : 10));
        }
    }

    internal static string Ts(DateTime d) => d.ToString("yyyy-MM-dd HH:mm:ss.fffffff", CultureInfo.InvariantCulture);
    private static string Dt(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    // ------------------------------------------------------------------------------------------ seeding

    public static async Task SeedAsync(BenchOptions o)
    {
        var total = Stopwatch.StartNew();
        await BenchEnv.PrepareAndMigrateAsync(o);
        var t = Stopwatch.StartNew();
        var hash = new Microsoft.AspNetCore.Identity.PasswordHasher<object>().HashPassword(null!, Password);
        if (o.Postgres) await SeedPostgresAsync(o, hash);
        else await SeedSqliteAsync(o, hash);
        Console.Error.WriteLine($"settle seed total: {total.Elapsed.TotalSeconds:0.0} s ({o.Cases:N0} cases, {o.Partners} members, data in {(o.Postgres ? "database " + o.PostgresDatabase : o.DataDirectory)})");
    }

    /// <summary>Municipalities, the coordinator, the agreement with services, members and rates (Dapper with the app's type handlers).</summary>
    private static async Task SeedDirectoryAsync(DbConnection c, DbTransaction tx, BenchOptions o, string hash)
    {
        var now = DateTime.UtcNow;
        for (var i = 0; i < o.Partners; i++)
            await c.ExecuteAsync("""
                INSERT INTO municipalities (ags, name, name_search, type, state, population, area_ha, created_at, authority_name)
                VALUES (@Ags, @Name, @Search, 'kreisfreie-stadt', 'RP', @Population, 5000, @Now, @Authority)
                """, new { Ags = Ags(i), Name = $"Benchstadt {i + 1:D2}", Search = $"benchstadt {i + 1:D2}", Population = 200_000 / (i + 1), Now = now, Authority = $"Stadtverwaltung Benchstadt {i + 1:D2}" }, tx);
        var user = await c.QuerySingleAsync<long>("""
            INSERT INTO users (municipality_ags, username, display_name, password_hash, password_is_demo, security_stamp, created_at)
            VALUES (@Ags, @Username, 'Koordination (Bench)', @Hash, @False, @Stamp, @Now) RETURNING id
            """, new { Ags = Ags(0), Username = CoordinatorName, Hash = hash, False = false, Stamp = Guid.NewGuid().ToString("N"), Now = now }, tx);
        await c.ExecuteAsync("INSERT INTO user_roles (user_id, role) VALUES (@Id, 'Koordination')", new { Id = user }, tx);
        var agreement = await c.QuerySingleAsync<long>("""
            INSERT INTO agreements (title, status, valid_from, created_at, state_law, legal_form, fee_rule, fee_share_percent)
            VALUES ('Zweckvereinbarung Bench: gemeinsame Sachbearbeitung', 'active', @From, @Now, 'komzg-rp', 'zweckvereinbarung', 'share', '30') RETURNING id
            """, new { From = new DateOnly(Year, 1, 1), Now = now }, tx);
        await c.ExecuteAsync("INSERT INTO agreement_services (agreement_id, service_slug) VALUES (@A, 'kfz-zulassung'), (@A, 'elterngeld')", new { A = agreement }, tx);
        for (var i = 0; i < o.Partners; i++)
            await c.ExecuteAsync("INSERT INTO agreement_members (agreement_id, municipality_ags, contributes_cases, contributes_staff) VALUES (@A, @Ags, @True, @True)",
                new { A = agreement, Ags = Ags(i), True = true }, tx);
        foreach (var (service, group, flat, fee) in Rates)
            await c.ExecuteAsync("INSERT INTO agreement_rates (agreement_id, service_slug, case_group, flat_cents, fee_cents) VALUES (@A, @S, @G, @F, @Fee)",
                new { A = agreement, S = service, G = group, F = flat, Fee = fee }, tx);
    }

    private static async Task SeedSqliteAsync(BenchOptions o, string hash)
    {
        Db.ForSqlite(o.SqliteFile).Dispose(); // registers the app's Dapper type handlers
        await using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = o.SqliteFile, ForeignKeys = false, Pooling = false }.ToString());
        await c.OpenAsync();
        // Bulk load on this connection only: no journal, no fsync, a 2 GB page cache; WAL again at the end.
        await c.ExecuteAsync("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-2000000;");
        // The secondary indexes of cases are dropped for the load and re-created from their own SQL (sort-based build).
        var indexes = (await c.QueryAsync<(string Name, string Sql)>("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases' AND sql IS NOT NULL")).ToList();
        foreach (var (name, _) in indexes) await c.ExecuteAsync($"DROP INDEX {name}");
        var t = Stopwatch.StartNew();
        using (var tx = c.BeginTransaction())
        {
            await SeedDirectoryAsync(c, tx, o, hash);
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT INTO cases (id, reference, owner_ags, service_slug, case_group, status, complete,
                    applicant_given_name, applicant_family_name, applicant_birth_date, applicant_email, applicant_street, applicant_postal_code, applicant_city,
                    applicant_search, form_json, received_at, due_date, decided_at, outcome, decision_reason, decided_by_user_id, processor_ags, retention_until, version, assigned_at)
                VALUES ($1, $2, $3, $4, $5, 'closed', 1, $6, $7, $8, $9, $10, '67059', 'Benchstadt', $11, '{}', $12, $13, $14, $15, $16, NULL, $17, $18, 1, $19)
                """;
            var p = Enumerable.Range(1, 19).Select(i => cmd.Parameters.Add(new SqliteParameter("$" + i, null))).ToArray();
            cmd.Prepare();
            var n = 0;
            foreach (var k in Cases(o.Cases, o.Partners))
            {
                p[0].Value = k.Id; p[1].Value = k.Reference; p[2].Value = k.Owner; p[3].Value = k.Service; p[4].Value = (object?)k.Group ?? DBNull.Value;
                p[5].Value = k.Given; p[6].Value = k.Family; p[7].Value = Dt(k.Birth); p[8].Value = k.Email; p[9].Value = k.Street; p[10].Value = k.Search;
                p[11].Value = Ts(k.Received); p[12].Value = Dt(k.Due); p[13].Value = Ts(k.Decided); p[14].Value = k.Outcome;
                p[15].Value = k.Outcome == "granted" ? "Voraussetzungen erfüllt." : "Voraussetzungen nicht erfüllt.";
                p[16].Value = k.Processor; p[17].Value = Dt(k.Retention); p[18].Value = Ts(k.Assigned);
                cmd.ExecuteNonQuery();
                if (++n % 1_000_000 == 0) Console.Error.WriteLine($"  {n:N0} cases, {t.Elapsed.TotalSeconds:0} s");
            }
            tx.Commit();
        }
        Console.Error.WriteLine($"insert: {t.Elapsed.TotalSeconds:0.0} s");
        t.Restart();
        foreach (var (name, sql) in indexes) await c.ExecuteAsync(sql, commandTimeout: 3600);
        Console.Error.WriteLine($"indexes ({string.Join(", ", indexes.Select(i => i.Name))}): {t.Elapsed.TotalSeconds:0.0} s");
        // No ANALYZE: the app never runs it, so the planner works without statistics as in production.
        await c.ExecuteAsync("PRAGMA journal_mode=WAL;");
    }

    private static async Task SeedPostgresAsync(BenchOptions o, string hash)
    {
        using var db = Db.ForPostgres(o.PostgresConnectionString); // registers the app's Dapper type handlers
        await using var c = new NpgsqlConnection(o.PostgresConnectionString);
        await c.OpenAsync();
        await c.ExecuteAsync("SET maintenance_work_mem = '512MB'");
        var indexes = (await c.QueryAsync<(string Name, string Sql)>("""
            SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'cases'
              AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'cases'::regclass)
            """)).ToList();
        foreach (var (name, _) in indexes) await c.ExecuteAsync($"DROP INDEX {name}");
        var t = Stopwatch.StartNew();
        await using (var tx = await c.BeginTransactionAsync())
        {
            await c.ExecuteAsync("SET LOCAL synchronous_commit = off", transaction: tx);
            // No foreign-key triggers for the generated rows (consistent by construction): with them, the end of a
            // 10M-row COPY spends minutes in 30M queued RI checks. Needs a superuser, as the bench's server login is.
            await c.ExecuteAsync("SET LOCAL session_replication_role = replica", transaction: tx);
            await SeedDirectoryAsync(c, tx, o, hash);
            var n = 0;
            await using (var w = await c.BeginBinaryImportAsync("""
                COPY cases (id, reference, owner_ags, service_slug, case_group, status, complete,
                    applicant_given_name, applicant_family_name, applicant_birth_date, applicant_email, applicant_street, applicant_postal_code, applicant_city,
                    applicant_search, form_json, received_at, due_date, decided_at, outcome, decision_reason, processor_ags, retention_until, version, assigned_at)
                FROM STDIN (FORMAT BINARY)
                """))
            {
                w.Timeout = TimeSpan.FromMinutes(30); // the default (30 s) also bounds the wait for the server at the end of the COPY
                foreach (var k in Cases(o.Cases, o.Partners))
                {
                    await w.StartRowAsync();
                    await w.WriteAsync(k.Id, NpgsqlDbType.Text); await w.WriteAsync(k.Reference, NpgsqlDbType.Text);
                    await w.WriteAsync(k.Owner, NpgsqlDbType.Text); await w.WriteAsync(k.Service, NpgsqlDbType.Text);
                    if (k.Group is null) await w.WriteNullAsync(); else await w.WriteAsync(k.Group, NpgsqlDbType.Text);
                    await w.WriteAsync("closed", NpgsqlDbType.Text); await w.WriteAsync(true, NpgsqlDbType.Boolean);
                    await w.WriteAsync(k.Given, NpgsqlDbType.Text); await w.WriteAsync(k.Family, NpgsqlDbType.Text);
                    await w.WriteAsync(k.Birth, NpgsqlDbType.Date); await w.WriteAsync(k.Email, NpgsqlDbType.Text);
                    await w.WriteAsync(k.Street, NpgsqlDbType.Text); await w.WriteAsync("67059", NpgsqlDbType.Text); await w.WriteAsync("Benchstadt", NpgsqlDbType.Text);
                    await w.WriteAsync(k.Search, NpgsqlDbType.Text); await w.WriteAsync("{}", NpgsqlDbType.Text);
                    await w.WriteAsync(k.Received, NpgsqlDbType.TimestampTz); await w.WriteAsync(k.Due, NpgsqlDbType.Date);
                    await w.WriteAsync(k.Decided, NpgsqlDbType.TimestampTz); await w.WriteAsync(k.Outcome, NpgsqlDbType.Text);
                    await w.WriteAsync(k.Outcome == "granted" ? "Voraussetzungen erfüllt." : "Voraussetzungen nicht erfüllt.", NpgsqlDbType.Text);
                    await w.WriteAsync(k.Processor, NpgsqlDbType.Text); await w.WriteAsync(k.Retention, NpgsqlDbType.Date);
                    await w.WriteAsync(1, NpgsqlDbType.Integer); await w.WriteAsync(k.Assigned, NpgsqlDbType.TimestampTz);
                    if (++n % 1_000_000 == 0) Console.Error.WriteLine($"  {n:N0} cases, {t.Elapsed.TotalSeconds:0} s");
                }
                await w.CompleteAsync();
            }
            await tx.CommitAsync();
        }
        Console.Error.WriteLine($"copy: {t.Elapsed.TotalSeconds:0.0} s");
        t.Restart();
        foreach (var (name, sql) in indexes) await c.ExecuteAsync(sql, commandTimeout: 3600);
        Console.Error.WriteLine($"indexes ({string.Join(", ", indexes.Select(i => i.Name))}): {t.Elapsed.TotalSeconds:0.0} s");
        t.Restart();
        await c.ExecuteAsync("VACUUM ANALYZE", commandTimeout: 3600);
        Console.Error.WriteLine($"vacuum analyze: {t.Elapsed.TotalSeconds:0.0} s");
    }

    // ---------------------------------------------------------------------------------------- measuring

    /// <summary>The bare aggregate of the issue: no joins, no app logic, no transaction.</summary>
    internal const string BareSql = """
        SELECT owner_ags, processor_ags, service_slug, COALESCE(case_group, '') AS case_group, COUNT(*) AS n
        FROM cases WHERE status = 'closed' AND decided_at >= @From AND decided_at < @To
        GROUP BY 1, 2, 3, 4
        """;

    /// <summary>Copy of <c>SettlementService.CountAsync</c> (internal there), only for EXPLAIN and the "count query" row.</summary>
    private const string AppCountSql = """
        SELECT c.owner_ags AS OwnerAgs, c.processor_ags AS ProcessorAgs, c.service_slug AS Service, COALESCE(c.case_group, '') AS CaseGroup, COUNT(*) AS Count
        FROM cases c
        JOIN agreement_services s ON s.agreement_id = @Id AND s.service_slug = c.service_slug
        JOIN agreement_members mo ON mo.agreement_id = @Id AND mo.municipality_ags = c.owner_ags AND mo.contributes_cases = TRUE
        JOIN agreement_members mp ON mp.agreement_id = @Id AND mp.municipality_ags = c.processor_ags AND mp.contributes_staff = TRUE
        WHERE c.status = 'closed' AND c.decided_at >= @From AND c.decided_at < @To AND c.owner_ags <> c.processor_ags
        GROUP BY c.owner_ags, c.processor_ags, c.service_slug, COALESCE(c.case_group, '')
        """;

    /// <summary>
    /// Not the app's SQL: the same result as <see cref="AppCountSql"/>, but aggregated first over the date range
    /// (so the planner must start from the decided-date index, ix_cases_closed) and joined with members and services afterwards
    /// (6,400 groups instead of millions of rows). Measured as a suggestion for the app.
    /// </summary>
    private const string AggregateFirstSql = """
        SELECT x.owner_ags AS OwnerAgs, x.processor_ags AS ProcessorAgs, x.service_slug AS Service, x.case_group AS CaseGroup, x.n AS Count
        FROM (
            SELECT owner_ags, processor_ags, service_slug, COALESCE(case_group, '') AS case_group, COUNT(*) AS n
            FROM cases
            WHERE status = 'closed' AND decided_at >= @From AND decided_at < @To AND owner_ags <> processor_ags
            GROUP BY owner_ags, processor_ags, service_slug, COALESCE(case_group, '')
        ) x
        JOIN agreement_services s ON s.agreement_id = @Id AND s.service_slug = x.service_slug
        JOIN agreement_members mo ON mo.agreement_id = @Id AND mo.municipality_ags = x.owner_ags AND mo.contributes_cases = TRUE
        JOIN agreement_members mp ON mp.agreement_id = @Id AND mp.municipality_ags = x.processor_ags AND mp.contributes_staff = TRUE
        """;

    private sealed record Timing(string Level, List<double> Seconds, string Note);

    public static async Task RunAsync(BenchOptions o)
    {
        var started = DateTime.UtcNow;
        using var db = o.Postgres ? Db.ForPostgres(o.PostgresConnectionString) : Db.ForSqlite(o.SqliteFile);
        var settlements = new SettlementService(db, TimeProvider.System, []);
        var agreementId = await db.QuerySingleAsync<long>("SELECT id FROM agreements ORDER BY id LIMIT 1");
        var (userId, userAgs) = await db.QuerySingleAsync<(long, string)>("SELECT id, municipality_ags FROM users WHERE username = @U", new { U = CoordinatorName });
        var actor = new Actor(userId, null, CoordinatorName, "Koordination (Bench)", userAgs, false, [], IsCoordinator: true);
        var cases = await db.QuerySingleAsync<long>("SELECT COUNT(*) FROM cases");
        var members = await db.QuerySingleAsync<long>("SELECT COUNT(*) FROM agreement_members WHERE agreement_id = @A", new { A = agreementId });
        object Range() => o.Postgres ? new { From = YearStartUtc, To = YearEndUtc, Id = agreementId } : new { From = Ts(YearStartUtc), To = Ts(YearEndUtc), Id = agreementId };
        Console.Error.WriteLine($"settle on {o.Database}: {cases:N0} cases, agreement {agreementId} with {members} members, period {Period} = [{Ts(YearStartUtc)}, {Ts(YearEndUtc)}) UTC, {o.Runs} runs per level");
        await DeleteSettlementsAsync(db, agreementId);

        var timings = new List<Timing>();
        long bareGroups = 0, bareTotal = 0, bareForeign = 0, serviceLineCases = 0; int serviceLines = 0;

        // (a) bare aggregate
        var bare = new List<double>();
        for (var i = 0; i < o.Runs; i++)
        {
            var t = Stopwatch.StartNew();
            await using var c = await db.OpenAsync();
            var rows = (await c.QueryAsync<(string Owner, string Processor, string Service, string Group, long N)>(BareSql, Range(), commandTimeout: 600)).ToList();
            bare.Add(t.Elapsed.TotalSeconds);
            bareGroups = rows.Count; bareTotal = rows.Sum(r => r.N); bareForeign = rows.Where(r => r.Owner != r.Processor).Sum(r => r.N);
            Console.Error.WriteLine($"  bare aggregate #{i + 1}: {bare[^1]:0.000} s ({bareGroups:N0} groups, {bareTotal:N0} cases, {bareForeign:N0} decided by another member)");
        }
        timings.Add(new("bare aggregate (SQL of the issue)", bare, $"{bareGroups:N0} groups over {bareTotal:N0} cases"));

        // (a2) the app's count query alone (joins with members and services, owner <> processor)
        var count = new List<double>();
        for (var i = 0; i < o.Runs; i++)
        {
            var t = Stopwatch.StartNew();
            await using var c = await db.OpenAsync();
            var rows = (await c.QueryAsync<(string Owner, string Processor, string Service, string Group, long N)>(AppCountSql, Range(), commandTimeout: 600)).ToList();
            count.Add(t.Elapsed.TotalSeconds);
            Console.Error.WriteLine($"  app count query #{i + 1}: {count[^1]:0.000} s ({rows.Count:N0} groups, {rows.Sum(r => r.N):N0} cases)");
        }
        timings.Add(new("app's count query alone (copy of CountAsync)", count, "with the joins on members/services and owner ≠ processor"));

        // (a3) suggestion, not the app: the same counts, aggregated first
        var first = new List<double>();
        for (var i = 0; i < o.Runs; i++)
        {
            var t = Stopwatch.StartNew();
            await using var c = await db.OpenAsync();
            var rows = (await c.QueryAsync<(string Owner, string Processor, string Service, string Group, long N)>(AggregateFirstSql, Range(), commandTimeout: 600)).ToList();
            first.Add(t.Elapsed.TotalSeconds);
            Console.Error.WriteLine($"  aggregate-first count (suggestion) #{i + 1}: {first[^1]:0.000} s ({rows.Count:N0} groups, {rows.Sum(r => r.N):N0} cases)");
        }
        timings.Add(new("suggestion: the same counts aggregated first, then joined (not app code)", first, "same groups and counts as the app's query"));

        // (b) SettlementService.RunAsync in-process; a write probe measures how long other writers wait meanwhile.
        var service = new List<double>();
        var probeMax = new List<double>();
        for (var i = 0; i < o.Runs; i++)
        {
            using var stop = new CancellationTokenSource();
            var probe = WriteProbeAsync(db, stop.Token);
            var t = Stopwatch.StartNew();
            var run = await settlements.RunAsync(actor, agreementId, Period);
            service.Add(t.Elapsed.TotalSeconds);
            stop.Cancel();
            probeMax.Add(await probe);
            if (!run.Created) throw new InvalidOperationException("RunAsync returned a stored settlement: the delete between runs did not work.");
            serviceLines = run.Settlement.Lines.Count; serviceLineCases = run.Settlement.Lines.Sum(l => l.Count);
            Console.Error.WriteLine($"  SettlementService.RunAsync #{i + 1}: {service[^1]:0.000} s ({serviceLines:N0} lines over {serviceLineCases:N0} cases, {run.Settlement.Transfers.Count} transfers; longest wait of a concurrent 1-statement write: {probeMax[^1]:0.000} s)");
            await DeleteSettlementsAsync(db, agreementId);
        }
        timings.Add(new("SettlementService.RunAsync (in-process)", service, $"{serviceLines:N0} lines over {serviceLineCases:N0} cases"));
        if (serviceLineCases != bareForeign)
            Console.Error.WriteLine($"  WARNING: the settlement counts {serviceLineCases:N0} cases, the bare aggregate {bareForeign:N0} decided by another member.");

        // (c) HTTP: the server as its own process, a coordinator token.
        var httpTimes = new List<double>();
        string httpNote;
        using (var handler = new SocketsHttpHandler { UseCookies = false, UseProxy = false, AllowAutoRedirect = false })
        using (var http = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{o.Port}"), Timeout = TimeSpan.FromMinutes(10) })
        {
            NpgsqlConnection.ClearAllPools();
            var server = await BenchEnv.StartServerAsync(o, http);
            try
            {
                var token = await BenchEnv.TokenAsync(http, CoordinatorName, Password);
                var status = "";
                for (var i = 0; i < o.Runs; i++)
                {
                    using var q = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/agreements/{agreementId}/settlements");
                    q.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                    q.Content = new StringContent($"{{\"period\":\"{Period}\"}}", Encoding.UTF8, "application/json");
                    var t = Stopwatch.StartNew();
                    using var r = await http.SendAsync(q);
                    var body = await r.Content.ReadAsByteArrayAsync();
                    httpTimes.Add(t.Elapsed.TotalSeconds);
                    status = $"{(int)r.StatusCode}, {body.Length / 1024.0:0} KB";
                    Console.Error.WriteLine($"  POST /api/v1/agreements/{agreementId}/settlements #{i + 1}: {httpTimes[^1]:0.000} s (HTTP {status})");
                    if ((int)r.StatusCode != 201) throw new InvalidOperationException($"HTTP {(int)r.StatusCode}: {Encoding.UTF8.GetString(body)[..Math.Min(500, body.Length)]}");
                    await DeleteSettlementsAsync(db, agreementId);
                }
                httpNote = $"HTTP {status} response";
            }
            finally
            {
                await BenchEnv.StopAsync(server);
            }
        }
        timings.Add(new("POST /api/v1/agreements/{id}/settlements (http)", httpTimes, httpNote));

        var plans = await PlansAsync(db, o, Range());
        var report = Report(o, started, cases, members, timings, probeMax, plans);
        Console.WriteLine(report);
        if (o.Output is not null) await File.WriteAllTextAsync(o.Output, report);
    }

    /// <summary>A trivial write transaction (through the app's Db, i.e. the SQLite writer queue) every 50 ms; returns the longest one.</summary>
    private static async Task<double> WriteProbeAsync(Db db, CancellationToken ct)
    {
        double max = 0;
        await Task.Yield();
        while (!ct.IsCancellationRequested)
        {
            var t = Stopwatch.StartNew();
            await db.InTransactionAsync((c, tx) => c.ExecuteAsync("UPDATE reference_counters SET last_value = last_value WHERE owner_ags = 'none'", transaction: tx));
            max = Math.Max(max, t.Elapsed.TotalSeconds);
            try { await Task.Delay(50, ct); } catch (OperationCanceledException) { }
        }
        return max;
    }

    /// <summary>Removes the agreement's settlements (lines, statements, transfers) and their history entries, so the next run computes again.</summary>
    public static async Task DeleteSettlementsAsync(Db db, long agreementId) =>
        await db.InTransactionAsync(async (c, tx) =>
        {
            const string ids = "SELECT id FROM settlements WHERE agreement_id = @A";
            foreach (var table in new[] { "settlement_lines", "settlement_statements", "settlement_transfers" })
                await c.ExecuteAsync($"DELETE FROM {table} WHERE settlement_id IN ({ids})", new { A = agreementId }, tx);
            await c.ExecuteAsync("UPDATE settlements SET corrects_settlement_id = NULL WHERE agreement_id = @A", new { A = agreementId }, tx);
            await c.ExecuteAsync("DELETE FROM settlements WHERE agreement_id = @A", new { A = agreementId }, tx);
            await c.ExecuteAsync("DELETE FROM agreement_history WHERE agreement_id = @A AND action IN ('abgerechnet', 'Abrechnung korrigiert')", new { A = agreementId }, tx);
        });

    private static async Task<List<(string Title, string Plan)>> PlansAsync(Db db, BenchOptions o, object range)
    {
        var plans = new List<(string, string)>();
        await using var c = await db.OpenAsync();
        foreach (var (title, sql) in new[] { ("bare aggregate", BareSql), ("app count query (SettlementService.CountAsync)", AppCountSql), ("aggregate-first count (suggestion)", AggregateFirstSql) })
        {
            var t = Stopwatch.StartNew();
            string plan;
            if (o.Postgres)
                plan = string.Join("\n", await c.QueryAsync<string>("EXPLAIN (ANALYZE, BUFFERS) " + sql, range, commandTimeout: 600));
            else
                plan = string.Join("\n", (await c.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>("EXPLAIN QUERY PLAN " + sql, range)).Select(r => r.Detail));
            plans.Add((title, plan));
            Console.Error.WriteLine($"plan of the {title} ({t.Elapsed.TotalSeconds:0.0} s):\n{plan}");
        }
        if (!o.Postgres)
        {
            // For comparison only (the app runs no ANALYZE): does the plan change with statistics? The statistics are deleted again afterwards.
            await c.ExecuteAsync("ANALYZE cases", commandTimeout: 600);
            var plan = string.Join("\n", (await c.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>("EXPLAIN QUERY PLAN " + BareSql, range)).Select(r => r.Detail));
            plans.Add(("bare aggregate after ANALYZE (for comparison; statistics dropped again)", plan));
            await c.ExecuteAsync("DELETE FROM sqlite_stat1");
        }
        return plans;
    }

    private static string Report(BenchOptions o, DateTime started, long cases, long members, List<Timing> timings, List<double> probeMax, List<(string Title, string Plan)> plans)
    {
        string F(double v) => double.IsNaN(v) ? "–" : v.ToString("0.00", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"OpenIKZ settlement benchmark, {o.Database}, {started:yyyy-MM-dd HH:mm} UTC, {System.Environment.ProcessorCount} cores, {cases:N0} closed cases decided in {Year}, {members} members, period \"{Period}\", {o.Runs} runs per level");
        sb.AppendLine();
        sb.AppendLine("| Level | " + string.Join(" | ", Enumerable.Range(1, o.Runs).Select(i => $"run {i} s")) + " | min s | median s | median ratio to bare | min ratio to bare | note |");
        sb.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---:|", o.Runs + 4)) + "---|");
        var bare = timings[0];
        foreach (var t in timings)
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {t.Level} | {string.Join(" | ", t.Seconds.Select(F))} | {F(t.Seconds.DefaultIfEmpty(double.NaN).Min())} | {F(BenchEnv.Median(t.Seconds))} | {BenchEnv.Median(t.Seconds) / BenchEnv.Median(bare.Seconds):0.00} | {t.Seconds.DefaultIfEmpty(double.NaN).Min() / bare.Seconds.Min():0.00} | {t.Note} |");
        sb.AppendLine();
        var service = timings.First(t => t.Level.StartsWith("SettlementService"));
        var worst = timings.Where(t => t.Level.StartsWith("SettlementService") || t.Level.StartsWith("POST")).SelectMany(t => t.Seconds).DefaultIfEmpty(double.NaN).Max();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Goal \"settles in under 30 s\": in-process median {F(BenchEnv.Median(service.Seconds))} s, slowest settlement (in-process or HTTP) {F(worst)} s: **{(worst < 30 ? "met" : "missed")}**.");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Longest wait of a concurrent one-statement write transaction (every 50 ms through the app's Db) during the in-process runs: {string.Join(", ", probeMax.Select(F))} s.");
        foreach (var (title, plan) in plans)
        {
            sb.AppendLine();
            sb.AppendLine($"Plan, {title}:");
            sb.AppendLine("```");
            sb.AppendLine(plan);
            sb.AppendLine("```");
        }
        return sb.ToString();
    }
}
