using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using OpenIkz.Agreements;
using OpenIkz.Registry;

namespace OpenIkz.Bench;

/// <summary>
/// Seeds the register data set straight into a migrated database: a directory of Germany's size (16 states, ~400 districts,
/// the rest Gemeinden, 85 % of them under 10,000 inhabitants, as PRODUCT.md says) and generated register entries with 2–6
/// partners each (mostly from one district, a third with their Kreis, as gpaNRW found), goals, success factors and
/// obstacles, and a few thousand open partner searches. Generated with a fixed seed, never shipped.
/// </summary>
public static class RegistrySeeder
{
    public sealed record BenchMunicipality(string Ags, string Name, string Type, string State, string? District, int Population, int AreaHa);

    public sealed record BenchEntry(long Id, string Title, string Description, string TaskField, string StateLaw, string LegalForm, string Status,
        int? Since, string? RollbackReason, int? RollbackYear, string Contact, string[] Partners, string Lead, (string Kind, string Slug)[] Factors);

    // Share of Germany's municipalities per state (rounded from the Gemeindeverzeichnis), district count per state.
    private static readonly (string Code, string Key, int Districts, int Gemeinden)[] States =
    [
        ("SH", "01", 15, 1104), ("HH", "02", 1, 0), ("NI", "03", 45, 941), ("HB", "04", 2, 0), ("NW", "05", 53, 396), ("HE", "06", 26, 421),
        ("RP", "07", 36, 2301), ("BW", "08", 44, 1101), ("BY", "09", 96, 2056), ("SL", "10", 6, 52), ("BE", "11", 1, 0), ("BB", "12", 18, 413),
        ("MV", "13", 8, 726), ("SN", "14", 13, 418), ("ST", "15", 14, 218), ("TH", "16", 23, 605),
    ];

    private static readonly string[] Places = ["Nord", "Süd", "Ost", "West", "Mitte", "Berg", "Tal", "Au", "Feld", "Wald", "See", "Heide", "Bach", "Brück", "Stein", "Hof", "Dorf", "Hausen", "Ingen", "Heim"];
    private static readonly string[] Topics = ["Vergabestelle", "Archiv", "Personalabrechnung", "Rechnungsprüfung", "Ordnungsdienst", "Rufbereitschaft", "Bauhof", "IT-Betrieb",
        "Standesamt", "Kfz-Zulassung", "Wohngeldstelle", "Elterngeldstelle", "Kasse", "Vollstreckung", "Datenschutz", "Tourismusbüro", "Wirtschaftsförderung", "Musikschule",
        "Volkshochschule", "Schulsupport", "Abwasserbeseitigung", "Hochwasserschutz", "Adoptionsvermittlung", "Rechtsberatung", "Beschaffung"];

    public static string StateLawOf(string state) => state switch { "NW" => "gkg-nrw", "ST" => "gkg-lsa", "RP" => "komzg-rp", _ => "gkg-nrw" };

    public static List<BenchMunicipality> Municipalities(int total)
    {
        var random = new Random(20261202);
        var result = new List<BenchMunicipality>(total);
        var districts = States.Sum(s => s.Districts);
        var gemeinden = Math.Max(0, total - districts);
        var scale = gemeinden / (double)States.Sum(s => s.Gemeinden);
        foreach (var (code, key, districtCount, gemeindenCount) in States)
        {
            var perState = (int)Math.Round(gemeindenCount * scale);
            var landkreise = Enumerable.Range(0, districtCount).Where(d => gemeindenCount > 0 && d % 5 != 4).ToList();
            for (var d = 0; d < districtCount; d++)
            {
                var districtAgs = key + (1 + d / 90).ToString(CultureInfo.InvariantCulture) + (d % 90 + 10).ToString("D2", CultureInfo.InvariantCulture);
                var isLandkreis = landkreise.Contains(d);
                var name = (isLandkreis ? "Landkreis " : "") + Places[d % Places.Length] + Places[(d / Places.Length + 3) % Places.Length].ToLowerInvariant() + " " + code;
                result.Add(new BenchMunicipality(isLandkreis ? districtAgs : districtAgs + "000", name, isLandkreis ? "landkreis" : "kreisfreie-stadt", code, null,
                    isLandkreis ? random.Next(80_000, 400_000) : random.Next(40_000, 600_000), random.Next(5_000, 300_000)));
                if (!isLandkreis) continue;
                var inDistrict = landkreise.Count == 0 ? 0 : perState / landkreise.Count + (landkreise.IndexOf(d) < perState % landkreise.Count ? 1 : 0);
                for (var g = 1; g <= inDistrict; g++)
                {
                    // 85 % below 10,000 inhabitants; a long tail of towns up to 120,000.
                    var population = random.NextDouble() < 0.85 ? random.Next(300, 10_000) : (int)Math.Min(120_000, 10_000 + 8_000 * -Math.Log(1 - random.NextDouble()));
                    var type = population > 20_000 ? "stadt" : "gemeinde";
                    result.Add(new BenchMunicipality(districtAgs + g.ToString("D3", CultureInfo.InvariantCulture),
                        Places[random.Next(Places.Length)] + Places[random.Next(Places.Length)].ToLowerInvariant() + "-" + g.ToString(CultureInfo.InvariantCulture),
                        type, code, districtAgs, population, random.Next(500, 20_000)));
                }
            }
        }
        return result;
    }

    public static IEnumerable<BenchEntry> Entries(int count, List<BenchMunicipality> municipalities)
    {
        var random = new Random(4_2_2025);
        var byDistrict = municipalities.Where(m => m.District is not null).GroupBy(m => m.District!).ToDictionary(g => g.Key, g => g.ToList());
        var districts = municipalities.Where(m => m.Type == "landkreis" && byDistrict.ContainsKey(m.Ags)).ToList();
        var cities = municipalities.Where(m => m.Type == "kreisfreie-stadt").ToList();
        var fields = TaskFields.All.Select(t => t.Slug).ToArray();
        for (long id = 1; id <= count; id++)
        {
            var district = districts[random.Next(districts.Count)];
            var members = byDistrict[district.Ags];
            var partners = new HashSet<string>();
            var wanted = random.Next(2, 7);
            while (partners.Count < Math.Min(wanted, members.Count)) partners.Add(members[random.Next(members.Count)].Ags);
            if (random.NextDouble() < 0.35 || partners.Count < 2) partners.Add(district.Ags);
            if (random.NextDouble() < 0.05) partners.Add(cities[random.Next(cities.Count)].Ags);
            var lead = partners.Contains(district.Ags) && random.NextDouble() < 0.6 ? district.Ags : partners.First();
            var law = StateLawOf(district.State);
            var forms = RegistryLegalForms.FormsOf(law);
            var roll = random.NextDouble();
            var status = roll < 0.70 ? RegistryStatus.Implemented : roll < 0.85 ? RegistryStatus.Planned : roll < 0.93 ? RegistryStatus.InProgress : RegistryStatus.RolledBack;
            var since = status == RegistryStatus.Planned ? (int?)null : random.Next(1970, 2026);
            var factors = new List<(string, string)>();
            foreach (var (kind, max) in new[] { (Factors.Goal, 3), (Factors.SuccessFactor, 3), (Factors.Obstacle, 2) })
            {
                var list = Factors.Of(kind);
                foreach (var slug in Enumerable.Range(0, random.Next(kind == Factors.Goal ? 1 : 0, max + 1)).Select(_ => list[random.Next(list.Count)].Slug).Distinct())
                    factors.Add((kind, slug));
            }
            var topic = Topics[random.Next(Topics.Length)];
            yield return new BenchEntry(id, $"{topic} {district.Name} {id}",
                $"Gemeinsame {topic} der Partner im {district.Name}; Aufgaben werden gebündelt und von der federführenden Kommune wahrgenommen.",
                fields[random.Next(fields.Length)], law, forms[random.Next(forms.Count)].Slug, status, since,
                status == RegistryStatus.RolledBack ? RollbackReasons.All[random.Next(RollbackReasons.All.Count)].Slug : null,
                status == RegistryStatus.RolledBack ? Math.Min(2026, (since ?? 2000) + random.Next(1, 10)) : null,
                $"ikz-{id}@example.org", partners.ToArray(), lead, factors.ToArray());
        }
    }

    public const int SearchCount = 2_000;

    public sealed record BenchSearch(long Id, string Ags, string TaskField, string Title, DateOnly Until);

    /// <summary>Open partner searches of Gemeinden across the country, each in one task field, open for a year.</summary>
    public static IEnumerable<BenchSearch> PartnerSearches(List<BenchMunicipality> municipalities)
    {
        var random = new Random(1_2_8);
        var gemeinden = municipalities.Where(m => m.District is not null).ToList();
        var until = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(1);
        for (long id = 1; id <= SearchCount; id++)
        {
            var m = gemeinden[random.Next(gemeinden.Count)];
            yield return new BenchSearch(id, m.Ags, TaskFields.All[random.Next(TaskFields.All.Count)].Slug, $"Partner gesucht {id}", until);
        }
    }

    public static async Task SeedAsync(BenchOptions o)
    {
        var total = Stopwatch.StartNew();
        await BenchEnv.PrepareAsync(o);
        await BenchEnv.RunCliAsync(o, ["migrate"]);
        var municipalities = Municipalities(o.Municipalities);
        var entries = Entries(o.Entries, municipalities).ToList();
        var t = Stopwatch.StartNew();
        if (o.Postgres) await SeedPostgresAsync(o, municipalities, entries);
        else await SeedSqliteAsync(o, municipalities, entries);
        Console.Error.WriteLine($"seed {municipalities.Count:N0} municipalities, {entries.Count:N0} entries, {entries.Sum(e => e.Partners.Length):N0} partners: {t.Elapsed.TotalSeconds:0.0} s (total {total.Elapsed.TotalSeconds:0.0} s)");
    }

    private static string Fold(BenchEntry e) => SearchText.Fold(e.Title + " " + e.Description);

    private static async Task SeedSqliteAsync(BenchOptions o, List<BenchMunicipality> municipalities, List<BenchEntry> entries)
    {
        await using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = o.SqliteFile, ForeignKeys = false, Pooling = false }.ToString());
        await c.OpenAsync();
        await c.ExecuteAsync("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1000000; PRAGMA temp_store=MEMORY;");
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.fffffff", CultureInfo.InvariantCulture);
        using (var tx = c.BeginTransaction())
        {
            await c.ExecuteAsync("""
                INSERT INTO municipalities (ags, name, name_search, type, state, district_ags, population, area_ha, created_at)
                VALUES (@Ags, @Name, @Search, @Type, @State, @District, @Population, @AreaHa, @Now)
                """, municipalities.Select(m => new { m.Ags, m.Name, Search = SearchText.Fold(m.Name), m.Type, m.State, m.District, m.Population, m.AreaHa, Now = now }), tx);
            await c.ExecuteAsync("""
                INSERT INTO registry_cooperations (id, title, title_search, description, task_field, state_law, legal_form, status, since_year, rollback_reason, rollback_year,
                    contact_mailbox, sources, created_at, updated_at)
                VALUES (@Id, @Title, @Search, @Description, @TaskField, @StateLaw, @LegalForm, @Status, @Since, @RollbackReason, @RollbackYear, @Contact, 'Benchmark (generiert)', @Now, @Now)
                """, entries.Select(e => new { e.Id, e.Title, Search = Fold(e), e.Description, e.TaskField, e.StateLaw, e.LegalForm, e.Status, e.Since, e.RollbackReason, e.RollbackYear, e.Contact, Now = now }), tx);
            await c.ExecuteAsync("INSERT INTO registry_partners (cooperation_id, ags, role) VALUES (@Id, @Ags, @Role)",
                entries.SelectMany(e => e.Partners.Select(p => new { e.Id, Ags = p, Role = p == e.Lead ? PartnerRoles.Lead : PartnerRoles.Partner })), tx);
            await c.ExecuteAsync("INSERT INTO registry_factors (cooperation_id, kind, slug) VALUES (@Id, @Kind, @Slug)",
                entries.SelectMany(e => e.Factors.Select(f => new { e.Id, f.Kind, f.Slug })), tx);
            await c.ExecuteAsync("""
                INSERT INTO partner_searches (id, municipality_ags, task_field, title, description, until_date, created_at)
                VALUES (@Id, @Ags, @TaskField, @Title, 'Gesucht: Partner für eine gemeinsame Aufgabe.', @Until, @Now)
                """, PartnerSearches(municipalities).Select(x => new { x.Id, x.Ags, x.TaskField, x.Title, Until = x.Until.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Now = now }), tx);
            tx.Commit();
        }
        await c.ExecuteAsync("ANALYZE; PRAGMA journal_mode=WAL;");
    }

    private static async Task SeedPostgresAsync(BenchOptions o, List<BenchMunicipality> municipalities, List<BenchEntry> entries)
    {
        await using var c = new NpgsqlConnection(o.PostgresConnectionString + ";Command Timeout=0"); // COPY runs the row triggers of migration 0009: no 30 s limit
        await c.OpenAsync();
        var now = DateTime.UtcNow;
        await using (var w = await c.BeginBinaryImportAsync("COPY municipalities (ags, name, name_search, type, state, district_ags, population, area_ha, created_at) FROM STDIN (FORMAT BINARY)"))
        {
            // Kreise first: district_ags references them.
            foreach (var m in municipalities.OrderBy(m => m.District is null ? 0 : 1))
            {
                await w.StartRowAsync();
                await w.WriteAsync(m.Ags); await w.WriteAsync(m.Name); await w.WriteAsync(SearchText.Fold(m.Name)); await w.WriteAsync(m.Type); await w.WriteAsync(m.State);
                if (m.District is null) await w.WriteNullAsync(); else await w.WriteAsync(m.District);
                await w.WriteAsync(m.Population); await w.WriteAsync((long)m.AreaHa); await w.WriteAsync(now, NpgsqlDbType.TimestampTz);
            }
            await w.CompleteAsync();
        }
        await using (var w = await c.BeginBinaryImportAsync("""
            COPY registry_cooperations (id, title, title_search, description, task_field, state_law, legal_form, status, since_year, rollback_reason, rollback_year,
                contact_mailbox, sources, created_at, updated_at) FROM STDIN (FORMAT BINARY)
            """))
        {
            foreach (var e in entries)
            {
                await w.StartRowAsync();
                await w.WriteAsync(e.Id); await w.WriteAsync(e.Title); await w.WriteAsync(Fold(e)); await w.WriteAsync(e.Description); await w.WriteAsync(e.TaskField);
                await w.WriteAsync(e.StateLaw); await w.WriteAsync(e.LegalForm); await w.WriteAsync(e.Status);
                if (e.Since is { } s) await w.WriteAsync(s); else await w.WriteNullAsync();
                if (e.RollbackReason is { } r) await w.WriteAsync(r); else await w.WriteNullAsync();
                if (e.RollbackYear is { } y) await w.WriteAsync(y); else await w.WriteNullAsync();
                await w.WriteAsync(e.Contact); await w.WriteAsync("Benchmark (generiert)"); await w.WriteAsync(now, NpgsqlDbType.TimestampTz); await w.WriteAsync(now, NpgsqlDbType.TimestampTz);
            }
            await w.CompleteAsync();
        }
        await using (var w = await c.BeginBinaryImportAsync("COPY registry_partners (cooperation_id, ags, role) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var e in entries)
                foreach (var p in e.Partners)
                {
                    await w.StartRowAsync();
                    await w.WriteAsync(e.Id); await w.WriteAsync(p); await w.WriteAsync(p == e.Lead ? PartnerRoles.Lead : PartnerRoles.Partner);
                }
            await w.CompleteAsync();
        }
        await using (var w = await c.BeginBinaryImportAsync("COPY registry_factors (cooperation_id, kind, slug) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var e in entries)
                foreach (var (kind, slug) in e.Factors)
                {
                    await w.StartRowAsync();
                    await w.WriteAsync(e.Id); await w.WriteAsync(kind); await w.WriteAsync(slug);
                }
            await w.CompleteAsync();
        }
        await using (var w = await c.BeginBinaryImportAsync("COPY partner_searches (id, municipality_ags, task_field, title, description, until_date, created_at) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var x in PartnerSearches(municipalities))
            {
                await w.StartRowAsync();
                await w.WriteAsync(x.Id); await w.WriteAsync(x.Ags); await w.WriteAsync(x.TaskField); await w.WriteAsync(x.Title);
                await w.WriteAsync("Gesucht: Partner für eine gemeinsame Aufgabe."); await w.WriteAsync(x.Until, NpgsqlDbType.Date); await w.WriteAsync(now, NpgsqlDbType.TimestampTz);
            }
            await w.CompleteAsync();
        }
        await c.ExecuteAsync($"SELECT setval(pg_get_serial_sequence('registry_cooperations', 'id'), {entries.Count}); SELECT setval(pg_get_serial_sequence('partner_searches', 'id'), {SearchCount}); ANALYZE;");
    }
}
