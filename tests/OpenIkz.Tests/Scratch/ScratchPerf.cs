using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Registry;
using OpenIkz.Registry.PartnerSearches;
using OpenIkz.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OpenIkz.Tests.Scratch;

public abstract class ScratchPerf(OpenIkzApp fixture, ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Perf()
    {
        var app = fixture.Require();
        var db = app.Db;
        var rnd = new Random(7);
        var now = DateTime.UtcNow;
        var gemeinden = new List<(string Ags, string District, string State)>();
        await db.InTransactionAsync(async (c, tx) =>
        {
            for (var s = 0; s < 16; s++)
            for (var k = 0; k < 25; k++)
            {
                var lk = $"2{s:00}{k:00}"; var st = $"Q{(char)('A' + s)}";
                var rows = new List<object> { new { Ags = lk, Name = "LK " + lk, Type = "landkreis", State = st, District = (string?)null, Pop = 150000, Now = now } };
                for (var g = 0; g < 27; g++) { var a = lk + $"{g:000}"; rows.Add(new { Ags = a, Name = "G " + a, Type = "gemeinde", State = st, District = (string?)lk, Pop = rnd.Next(500, 80000), Now = now }); gemeinden.Add((a, lk, st)); }
                await c.ExecuteAsync("INSERT INTO municipalities (ags, name, name_search, type, state, district_ags, population, area_ha, created_at) VALUES (@Ags, @Name, @Name, @Type, @State, @District, @Pop, 1, @Now)", rows, tx);
            }
        });
        var fields = TaskFields.All.Select(t => t.Slug).ToArray();
        var statuses = new[] { "umgesetzt", "umgesetzt", "umgesetzt", "in-umsetzung", "geplant", "rueckabgewickelt" };
        for (var batch = 0; batch < 20; batch++)
        {
            await db.InTransactionAsync(async (c, tx) =>
            {
                for (var i = 0; i < 5000; i++)
                {
                    var id = await c.ExecuteScalarAsync<long>("INSERT INTO registry_cooperations (title, title_search, description, task_field, state_law, legal_form, status, created_at, updated_at) VALUES (@T, @T, 'x', @F, 'gkg-lsa', 'zweckvereinbarung', @S, @Now, @Now) RETURNING id",
                        new { T = $"Koop {batch}-{i}", F = fields[rnd.Next(fields.Length)], S = statuses[rnd.Next(statuses.Length)], Now = now }, tx);
                    var first = gemeinden[rnd.Next(gemeinden.Count)];
                    var partners = new HashSet<string> { first.Ags };
                    var n = rnd.Next(1, 4);
                    while (partners.Count < n + 1) { var o = rnd.Next(10) < 2 ? first.District : gemeinden[rnd.Next(gemeinden.Count)].Ags; if (rnd.Next(10) < 6) o = first.District + $"{rnd.Next(27):000}"; partners.Add(o); }
                    await c.ExecuteAsync("INSERT INTO registry_partners (cooperation_id, ags, role) VALUES (@Id, @Ags, 'partner')", partners.Select(p => new { Id = id, Ags = p }), tx);
                }
            });
        }
        var today = BerlinTime.Today(app.Clock);
        await db.InTransactionAsync(async (c, tx) =>
        {
            for (var i = 0; i < 2000; i++)
                await c.ExecuteAsync("INSERT INTO partner_searches (municipality_ags, task_field, title, description, until_date, created_at) VALUES (@A, @F, 'S', 'd', @U, @Now)",
                    new { A = gemeinden[rnd.Next(gemeinden.Count)].Ags, F = fields[rnd.Next(fields.Length)], U = today.AddDays(30), Now = now }, tx);
        });
        if (db.Kind == OpenIkz.Infrastructure.Database.DatabaseKind.Postgres) foreach (var t in new[] { "municipalities", "registry_cooperations", "registry_partners", "partner_searches" }) await db.ExecuteAsync("ANALYZE " + t);
        else await db.ExecuteAsync("ANALYZE main");
        if (db.SqliteFile is { } file) { await db.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE)"); File.Copy(file, "/tmp/search/perf.db", true); }
        var sug = app.Services.GetRequiredService<PartnerSuggestions>();
        var times = new List<double>();
        for (var i = 0; i < 220; i++)
        {
            var g = gemeinden[rnd.Next(gemeinden.Count)];
            var sw = Stopwatch.StartNew();
            var r = await sug.ForAsync(g.Ags, fields[rnd.Next(fields.Length)], today);
            sw.Stop();
            if (i >= 20) times.Add(sw.Elapsed.TotalMilliseconds);
            if (i == 0) output.WriteLine(string.Join("\n", r.Take(3).Select(x => $"{x.Ags} {x.Score} {string.Join(" | ", x.Reasons)}")));
        }
        times.Sort();
        output.WriteLine($"{app.Database} suggestions p50 {times[times.Count / 2]:F1} p99 {times[(int)(times.Count * 0.99)]:F1} max {times[^1]:F1}");
        var cov = app.Services.GetRequiredService<Coverage>();
        var ct = new List<double>();
        for (var i = 0; i < 20; i++) { var sw = Stopwatch.StartNew(); await cov.ForAsync(fields[i % fields.Length], i % 2 == 0 ? null : null); ct.Add(sw.Elapsed.TotalMilliseconds); }
        ct.Sort();
        output.WriteLine($"{app.Database} coverage (all states) p50 {ct[10]:F1} max {ct[^1]:F1}");
    }
}
public sealed class ScratchPerfSqlite(SqliteApp app, ITestOutputHelper o) : ScratchPerf(app, o), IClassFixture<SqliteApp>;
public sealed class ScratchPerfPostgres(PostgresApp app, ITestOutputHelper o) : ScratchPerf(app, o), IClassFixture<PostgresApp>;
public sealed class ScratchDump
{
    [Fact]
    public void Dump() { File.WriteAllText("/tmp/search/sugg.sql", OpenIkz.Registry.PartnerSearches.PartnerSuggestions.Sql); File.WriteAllText("/tmp/search/cov.sql", OpenIkz.Registry.PartnerSearches.Coverage.Sql); }
}
