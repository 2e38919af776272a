using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using OpenIkz.Backoffice.Intake;

namespace OpenIkz.Bench;

public sealed record Partner(string Ags, string Name, string Type, string PostalCode, string City, int Population, int AreaHa, double CaseShare);

/// <summary>
/// Seeds the Vorderpfalz data set straight into a migrated database: the four partners, the clerks with
/// roles and services, one active agreement over both services, and the cases in one transaction with
/// one prepared command (SQLite) or COPY BINARY (PostgreSQL), then the reference counters so that
/// intake continues the series without collisions.
/// </summary>
public static class Seeder
{
    public const string Password = "bench-passwort-123";

    public static readonly Partner[] Partners =
    [
        new("07314000", "Ludwigshafen am Rhein", "kreisfreie-stadt", "67059", "Ludwigshafen am Rhein", 172253, 7768, 0.45),
        new("07338", "Rhein-Pfalz-Kreis", "landkreis", "67117", "Limburgerhof", 155211, 30468, 0.30),
        new("07318000", "Speyer", "kreisfreie-stadt", "67346", "Speyer", 50741, 4259, 0.13),
        new("07311000", "Frankenthal (Pfalz)", "kreisfreie-stadt", "67227", "Frankenthal (Pfalz)", 48561, 4376, 0.12),
    ];

    public const string IntakeAgs = "07311000";

    private static readonly string[] GivenNames = ["Erika", "Max", "Jörg", "Sabine", "Ömer", "Anna", "Lukas", "Marie", "Jürgen", "Sophie", "Paul", "Emma", "Felix", "Hannah", "Leon", "Mia", "Ben", "Lea", "Noah", "Lena", "Ayşe", "Dmitri", "Katarzyna", "Günther", "Björn"];
    private static readonly string[] FamilyNames = ["Mustermann", "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Meier", "Yılmaz", "Nowak", "Öztürk", "Weiß", "Groß"];
    private static readonly string[] Streets = ["Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Goethestraße", "Rheinstraße", "Ludwigstraße", "Gartenstraße", "Kirchstraße", "Mühlweg", "Am Rathausplatz"];

    public sealed record SeedCase(string Id, string Reference, string Owner, string Service, string? CaseGroup, string Status,
        string Given, string Family, DateOnly Birth, string Email, string Street, string Postal, string City, string Search,
        DateTime ReceivedAt, DateOnly Due, DateTime? DecidedAt, string? Outcome, long? DecidedBy, string? Processor, DateOnly? Retention);

    public static async Task SeedAsync(BenchOptions o)
    {
        var total = Stopwatch.StartNew();
        await BenchEnv.PrepareAndMigrateAsync(o);
        var t = Stopwatch.StartNew();

        var hash = new Microsoft.AspNetCore.Identity.PasswordHasher<object>().HashPassword(null!, Password);
        var now = DateTime.UtcNow;
        t.Restart();
        if (o.Postgres) await SeedPostgresAsync(o, hash, now);
        else await SeedSqliteAsync(o, hash, now);
        Console.Error.WriteLine($"seed {o.Cases:N0} cases, {o.Clerks} clerks: {t.Elapsed.TotalSeconds:0.0} s");

        var output = await BenchEnv.RunCliAsync(o, ["api-clients", "add", "--municipality", IntakeAgs, "--scope", "intake", "--name", "bench-portal"]);
        var secret = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last();
        await File.WriteAllTextAsync(Path.Combine(o.DataDirectory, "bench-client-secret.txt"), secret);
        Console.Error.WriteLine($"seed total: {total.Elapsed.TotalSeconds:0.0} s (data in {o.DataDirectory})");
    }

    /// <summary>The clerks: 50 per partner for 200, interleaved so that any prefix of the list covers all four partners.</summary>
    public static IEnumerable<(string Username, string Display, string Ags)> Clerks(int count) =>
        Enumerable.Range(0, count).Select(i => ($"bench{i:D4}", $"Sachbearbeitung {i:D4}", Partners[i % Partners.Length].Ags));

    private static async Task SeedDirectoryAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, BenchOptions o, string hash, DateTime now,
        Dictionary<string, List<long>> usersByAgs)
    {
        foreach (var p in Partners)
            await c.ExecuteAsync("""
                INSERT INTO municipalities (ags, name, name_search, type, state, population, area_ha, created_at, authority_name)
                VALUES (@Ags, @Name, @Search, @Type, 'RP', @Population, @AreaHa, @Now, @Authority)
                """, new { p.Ags, p.Name, Search = p.Name.ToLowerInvariant(), p.Type, p.Population, p.AreaHa, Now = now, Authority = (p.Type == "landkreis" ? "Kreisverwaltung " : "Stadtverwaltung ") + p.Name }, tx);
        foreach (var p in Partners) usersByAgs[p.Ags] = [];
        foreach (var (username, display, ags) in Clerks(o.Clerks))
        {
            var id = await c.QuerySingleAsync<long>("""
                INSERT INTO users (municipality_ags, username, display_name, password_hash, password_is_demo, security_stamp, created_at)
                VALUES (@Ags, @Username, @Display, @Hash, @False, @Stamp, @Now) RETURNING id
                """, new { Ags = ags, Username = username, Display = display, Hash = hash, False = false, Stamp = Guid.NewGuid().ToString("N"), Now = now }, tx);
            usersByAgs[ags].Add(id);
            await c.ExecuteAsync("INSERT INTO user_roles (user_id, role) VALUES (@Id, 'Sachbearbeitung')", new { Id = id }, tx);
            await c.ExecuteAsync("INSERT INTO user_services (user_id, service_slug) VALUES (@Id, 'kfz-zulassung'), (@Id, 'elterngeld')", new { Id = id }, tx);
        }
        var agreement = await c.QuerySingleAsync<long>("""
            INSERT INTO agreements (title, status, valid_from, created_at) VALUES ('Zweckvereinbarung Vorderpfalz: gemeinsame Sachbearbeitung', 'active', @From, @Now) RETURNING id
            """, new { From = new DateOnly(2025, 1, 1), Now = now }, tx);
        await c.ExecuteAsync("INSERT INTO agreement_services (agreement_id, service_slug) VALUES (@A, 'kfz-zulassung'), (@A, 'elterngeld')", new { A = agreement }, tx);
        foreach (var p in Partners)
            await c.ExecuteAsync("INSERT INTO agreement_members (agreement_id, municipality_ags, contributes_cases, contributes_staff) VALUES (@A, @Ags, @True, @True)",
                new { A = agreement, p.Ags, True = true }, tx);
    }

    /// <summary>
    /// The cases in received order (so the UUIDv7 keys ascend): 45/30/13/12 % over the partners, 70 % Kfz,
    /// about 10 % open (mostly from the last eight weeks, some older and overdue), the rest closed.
    /// </summary>
    public static IEnumerable<SeedCase> Cases(int count, DateTime now, Dictionary<string, List<long>> usersByAgs, Dictionary<(string, string, int), long> counters)
    {
        var rng = new Random(20261122);
        var start = now.AddDays(-365);
        var step = TimeSpan.FromDays(365).Ticks / Math.Max(1, count);
        var recentFrom = (int)(count * 0.85);
        for (var k = 0; k < count; k++)
        {
            var received = new DateTime(start.Ticks + k * step + rng.NextInt64(step), DateTimeKind.Utc);
            received = new DateTime(received.Ticks - received.Ticks % 10, DateTimeKind.Utc);
            var r = rng.NextDouble();
            var owner = Partners[^1];
            foreach (var p in Partners) { if (r < p.CaseShare) { owner = p; break; } r -= p.CaseShare; }
            var kfz = rng.NextDouble() < 0.7;
            var (service, code, days, years) = kfz ? ("kfz-zulassung", "KFZ", 5, 7) : ("elterngeld", "EG", 21, 10);
            var key = (owner.Ags, code, received.Year);
            var number = counters[key] = counters.GetValueOrDefault(key) + 1;
            var open = rng.NextDouble() < (k >= recentFrom ? 0.5 : 0.0294);
            var given = GivenNames[rng.Next(GivenNames.Length)];
            var family = FamilyNames[rng.Next(FamilyNames.Length)];
            var email = $"{SearchText.Fold(given)}.{SearchText.Fold(family)}{rng.Next(1000)}@example.org"
                .Replace('ı', 'i').Replace('ş', 's').Replace('ç', 'c').Replace('ğ', 'g');
            var receivedDate = DateOnly.FromDateTime(received);
            DateTime? decided = null; string? outcome = null; long? decidedBy = null; string? processor = null; DateOnly? retention = null;
            if (!open)
            {
                var d = received.AddHours(rng.Next(4, 24 * 30));
                if (d > now) d = now.AddMinutes(-rng.Next(1, 600));
                decided = new DateTime(d.Ticks - d.Ticks % 10, DateTimeKind.Utc);
                outcome = rng.NextDouble() < 0.9 ? "granted" : "rejected";
                processor = rng.NextDouble() < 0.6 ? owner.Ags : Partners[rng.Next(Partners.Length)].Ags;
                var staff = usersByAgs[processor];
                decidedBy = staff[rng.Next(staff.Count)];
                retention = DateOnly.FromDateTime(decided.Value).AddYears(years);
            }
            yield return new SeedCase(
                Guid.CreateVersion7(new DateTimeOffset(received)).ToString(),
                $"{owner.Ags}-{code}-{received.Year}-{number:D6}", owner.Ags, service, kfz ? (rng.Next(3) == 0 ? "umschreibung" : "neuzulassung") : null,
                open ? "open" : "closed", given, family, new DateOnly(1940 + rng.Next(65), 1 + rng.Next(12), 1 + rng.Next(28)), email,
                $"{Streets[rng.Next(Streets.Length)]} {1 + rng.Next(120)}", owner.PostalCode, owner.City, CaseSearch.Key(family, given),
                received, receivedDate.AddDays(days), decided, outcome, decidedBy, processor, retention);
        }
    }

    private static string Ts(DateTime d) => d.ToString("yyyy-MM-dd HH:mm:ss.fffffff", CultureInfo.InvariantCulture);
    private static string Dt(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static async Task SeedSqliteAsync(BenchOptions o, string hash, DateTime now)
    {
        await using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = o.SqliteFile, ForeignKeys = false, Pooling = false }.ToString());
        await c.OpenAsync();
        // Bulk load: no journal, no fsync, a 1 GB page cache. The file is switched back to WAL at the end.
        await c.ExecuteAsync("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1000000; PRAGMA temp_store=MEMORY;");
        var usersByAgs = new Dictionary<string, List<long>>();
        var counters = new Dictionary<(string, string, int), long>();
        using (var tx = c.BeginTransaction())
        {
            OpenIkz.Infrastructure.Database.Db.ForSqlite(o.SqliteFile).Dispose(); // registers the app's Dapper type handlers
            await SeedDirectoryAsync(c, tx, o, hash, now, usersByAgs);
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT INTO cases (id, reference, owner_ags, service_slug, case_group, status, complete,
                    applicant_given_name, applicant_family_name, applicant_birth_date, applicant_email, applicant_street, applicant_postal_code, applicant_city,
                    applicant_search, form_json, received_at, due_date, decided_at, outcome, decision_reason, decided_by_user_id, processor_ags, retention_until, version)
                VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9, $10, $11, $12, $13, $14, '{}', $15, $16, $17, $18, $19, $20, $21, $22, 1)
                """;
            var p = Enumerable.Range(1, 22).Select(i => cmd.Parameters.Add(new SqliteParameter("$" + i, null))).ToArray();
            cmd.Prepare();
            var n = 0;
            foreach (var k in Cases(o.Cases, now, usersByAgs, counters))
            {
                p[0].Value = k.Id; p[1].Value = k.Reference; p[2].Value = k.Owner; p[3].Value = k.Service; p[4].Value = (object?)k.CaseGroup ?? DBNull.Value;
                p[5].Value = k.Status; p[6].Value = k.Given; p[7].Value = k.Family; p[8].Value = Dt(k.Birth); p[9].Value = k.Email; p[10].Value = k.Street;
                p[11].Value = k.Postal; p[12].Value = k.City; p[13].Value = k.Search; p[14].Value = Ts(k.ReceivedAt); p[15].Value = Dt(k.Due);
                p[16].Value = k.DecidedAt is { } d ? Ts(d) : DBNull.Value; p[17].Value = (object?)k.Outcome ?? DBNull.Value;
                p[18].Value = k.Outcome is null ? DBNull.Value : k.Outcome == "granted" ? "Voraussetzungen erfüllt." : "Voraussetzungen nicht erfüllt.";
                p[19].Value = (object?)k.DecidedBy ?? DBNull.Value; p[20].Value = (object?)k.Processor ?? DBNull.Value;
                p[21].Value = k.Retention is { } r ? Dt(r) : DBNull.Value;
                cmd.ExecuteNonQuery();
                if (++n % 200_000 == 0) Console.Error.WriteLine($"  {n:N0} cases");
            }
            await InsertCountersAsync(c, tx, counters);
            tx.Commit();
        }
        await c.ExecuteAsync("PRAGMA journal_mode=WAL;");
    }

    private static async Task InsertCountersAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, Dictionary<(string, string, int), long> counters)
    {
        foreach (var ((owner, code, year), last) in counters)
            await c.ExecuteAsync("INSERT INTO reference_counters (owner_ags, code, year, last_value) VALUES (@Owner, @Code, @Year, @Last)",
                new { Owner = owner, Code = code, Year = year, Last = last }, tx);
    }

    private static async Task SeedPostgresAsync(BenchOptions o, string hash, DateTime now)
    {
        using var db = OpenIkz.Infrastructure.Database.Db.ForPostgres(o.PostgresConnectionString); // registers the app's Dapper type handlers
        // No command timeout anywhere in the seeding: on a slow disk the COPY's completion (index maintenance for
        // 1,000,000 rows) and the VACUUM can take longer than Npgsql's default 30 s, and seeding must not depend on it.
        await using var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(o.PostgresConnectionString) { CommandTimeout = 0 }.ConnectionString);
        await c.OpenAsync();
        var usersByAgs = new Dictionary<string, List<long>>();
        var counters = new Dictionary<(string, string, int), long>();
        await using (var tx = await c.BeginTransactionAsync())
        {
            await c.ExecuteAsync("SET LOCAL synchronous_commit = off", transaction: tx);
            await SeedDirectoryAsync(c, tx, o, hash, now, usersByAgs);
            var n = 0;
            await using (var w = await c.BeginBinaryImportAsync("""
                COPY cases (id, reference, owner_ags, service_slug, case_group, status, complete,
                    applicant_given_name, applicant_family_name, applicant_birth_date, applicant_email, applicant_street, applicant_postal_code, applicant_city,
                    applicant_search, form_json, received_at, due_date, decided_at, outcome, decision_reason, decided_by_user_id, processor_ags, retention_until, version)
                FROM STDIN (FORMAT BINARY)
                """))
            {
                w.Timeout = Timeout.InfiniteTimeSpan;
                foreach (var k in Cases(o.Cases, now, usersByAgs, counters))
                {
                    await w.StartRowAsync();
                    await w.WriteAsync(k.Id, NpgsqlDbType.Text); await w.WriteAsync(k.Reference, NpgsqlDbType.Text);
                    await w.WriteAsync(k.Owner, NpgsqlDbType.Text); await w.WriteAsync(k.Service, NpgsqlDbType.Text);
                    if (k.CaseGroup is null) await w.WriteNullAsync(); else await w.WriteAsync(k.CaseGroup, NpgsqlDbType.Text);
                    await w.WriteAsync(k.Status, NpgsqlDbType.Text); await w.WriteAsync(true, NpgsqlDbType.Boolean);
                    await w.WriteAsync(k.Given, NpgsqlDbType.Text); await w.WriteAsync(k.Family, NpgsqlDbType.Text);
                    await w.WriteAsync(k.Birth, NpgsqlDbType.Date); await w.WriteAsync(k.Email, NpgsqlDbType.Text);
                    await w.WriteAsync(k.Street, NpgsqlDbType.Text); await w.WriteAsync(k.Postal, NpgsqlDbType.Text); await w.WriteAsync(k.City, NpgsqlDbType.Text);
                    await w.WriteAsync(k.Search, NpgsqlDbType.Text); await w.WriteAsync("{}", NpgsqlDbType.Text);
                    await w.WriteAsync(k.ReceivedAt, NpgsqlDbType.TimestampTz); await w.WriteAsync(k.Due, NpgsqlDbType.Date);
                    if (k.DecidedAt is { } d) await w.WriteAsync(d, NpgsqlDbType.TimestampTz); else await w.WriteNullAsync();
                    if (k.Outcome is null) { await w.WriteNullAsync(); await w.WriteNullAsync(); }
                    else { await w.WriteAsync(k.Outcome, NpgsqlDbType.Text); await w.WriteAsync(k.Outcome == "granted" ? "Voraussetzungen erfüllt." : "Voraussetzungen nicht erfüllt.", NpgsqlDbType.Text); }
                    if (k.DecidedBy is { } u) await w.WriteAsync(u, NpgsqlDbType.Bigint); else await w.WriteNullAsync();
                    if (k.Processor is null) await w.WriteNullAsync(); else await w.WriteAsync(k.Processor, NpgsqlDbType.Text);
                    if (k.Retention is { } r) await w.WriteAsync(r, NpgsqlDbType.Date); else await w.WriteNullAsync();
                    await w.WriteAsync(1, NpgsqlDbType.Integer);
                    if (++n % 200_000 == 0) Console.Error.WriteLine($"  {n:N0} cases");
                }
                await w.CompleteAsync();
            }
            await InsertCountersAsync(c, tx, counters);
            await tx.CommitAsync();
        }
        // A loaded production database has been vacuumed and analysed by autovacuum; do it now so the run does not measure autovacuum.
        await c.ExecuteAsync("VACUUM ANALYZE", commandTimeout: 0);
    }
}
