using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dapper;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Registry.Cooperations;
using OpenIkz.Registry.PartnerSearches;
using OpenIkz.Registry.Statistics;

namespace OpenIkz.Bench;

/// <summary>
/// Register search, statistics and partner suggestions on the seeded data set (<see cref="RegistrySeeder"/>). Each query
/// is measured at three levels in the same run, the levels interleaved request by request so that machine noise falls on
/// all of them alike: <b>bare</b> — the app's own SQL (the public constants and builders the app runs) straight through
/// Dapper on one open connection; <b>service</b> — the app's query class in-process (validation, the key checks, assembling
/// the result); <b>http</b> — the real server process on 127.0.0.1, JSON included. The statistics' service level is the
/// computation without the kept results (<c>ComputeUncachedAsync</c>); their http level takes the kept result while the
/// data version stands (the read mix writes nothing); a fourth level, <b>http after a write</b>, measured after the mix,
/// follows a real UPDATE before each request, so the server computes anew. One client, sequential requests;
/// the parameters rotate over a fixed mix so that no single cached plan or page flatters the figures.
/// </summary>
public static class RegistryBench
{
    private sealed record Sample(string Query, string Level, double Ms, string Case = "");

    public static async Task RunAsync(BenchOptions o)
    {
        var started = DateTime.UtcNow;
        using var db = o.Postgres ? Db.ForPostgres(o.PostgresConnectionString) : Db.ForSqlite(o.SqliteFile);
        var clock = TimeProvider.System;
        var search = new CooperationQueries(db);
        var statistics = new RegistryStatisticsQueries(db, clock);
        var suggestions = new PartnerSuggestions(db);

        await using var bare = await db.OpenAsync();
        var districts = (await bare.QueryAsync<string>("SELECT ags FROM municipalities WHERE type = 'landkreis' ORDER BY ags")).ToList();
        var gemeinden = (await bare.QueryAsync<string>("SELECT ags FROM municipalities WHERE district_ags IS NOT NULL ORDER BY ags")).ToList();
        var searches = (await bare.QueryAsync<(long Id, string Ags, string TaskField)>("SELECT id, municipality_ags, task_field FROM partner_searches ORDER BY id")).ToList();
        var entries = await bare.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM registry_cooperations");
        var municipalities = await bare.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM municipalities");
        if (entries == 0 || searches.Count == 0) throw new InvalidOperationException("No register data: run `registry-seed` first.");
        var today = BerlinTime.Today(clock);

        // The search mix: words, each catalogue filter, each partner filter, combinations, a later page.
        var random = new Random(7);
        (CooperationFilter Filter, string Query) SearchCase(int i)
        {
            var district = districts[i % districts.Count];
            var municipality = gemeinden[(i * 7919) % gemeinden.Count];
            return (i % 8) switch
            {
                0 => (new CooperationFilter(["archiv"]), "q=archiv"),
                1 => (new CooperationFilter([], TaskField: "it-e-government"), "taskField=it-e-government"),
                2 => (new CooperationFilter([], State: "NW"), "state=NW"),
                3 => (new CooperationFilter([], District: district), "district=" + district),
                4 => (new CooperationFilter([], Municipality: municipality), "municipality=" + municipality),
                5 => (new CooperationFilter(["vergabestelle"], State: "BY", Status: "umgesetzt"), "q=vergabestelle&state=BY&status=umgesetzt"),
                6 => (new CooperationFilter([], TaskField: "archiv", District: district, Page: 2), "taskField=archiv&district=" + district + "&page=2"),
                _ => (new CooperationFilter([], Page: 50), "page=50"),
            };
        }
        StatisticsFilter StatisticsCase(int i) => (i % 3) switch
        {
            0 => new StatisticsFilter(),
            1 => new StatisticsFilter(State: "NW"),
            _ => new StatisticsFilter(District: districts[(i * 31) % districts.Count]),
        };

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var server = await BenchEnv.StartServerAsync(o, http);
        var baseUrl = $"http://127.0.0.1:{o.Port}";
        var samples = new List<Sample>();
        try
        {
            async Task Time(string query, string level, Func<Task> op, bool record, string @case = "")
            {
                var sw = Stopwatch.StartNew();
                await op();
                if (record) samples.Add(new Sample(query, level, sw.Elapsed.TotalMilliseconds, @case));
            }
            async Task Get(string url)
            {
                using var r = await http.GetAsync(baseUrl + url);
                if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"GET {url}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
                await r.Content.ReadAsByteArrayAsync();
            }

            var warmup = Math.Max(10, o.Requests / 10);
            for (var i = 0; i < warmup + o.Requests; i++)
            {
                var record = i >= warmup;
                var (filter, query) = SearchCase(i);
                var statement = CooperationSearch.Build(filter, db.Kind);
                var partnersSql = CooperationSearch.PartnersSql(db);
                var rowsSql = CooperationSearch.RowsSql(db);
                await Time("search", "bare", async () =>
                {
                    // The app's statements in the app's order: the single pass for a selective search, else count and page.
                    var all = statement.IdsSql is null ? null : (await bare.QueryAsync<long>(statement.IdsSql, statement.Parameters)).AsList();
                    long[] ids;
                    if (all is not null && all.Count <= CooperationSearch.SinglePassCap)
                    {
                        ids = all.Skip((filter.Page - 1) * filter.PageSize).Take(filter.PageSize).ToArray();
                        if (ids.Length > 0) await bare.QueryAsync(rowsSql, new { Ids = ids });
                    }
                    else
                    {
                        await bare.ExecuteScalarAsync<long>(statement.CountSql, statement.Parameters);
                        ids = (await bare.QueryAsync<long>("SELECT id FROM (" + statement.PageSql + ") page", statement.Parameters)).ToArray();
                    }
                    if (ids.Length > 0) await bare.QueryAsync(partnersSql, new { Ids = ids });
                }, record, CaseName(query));
                await Time("search", "service", () => search.SearchAsync(filter), record, CaseName(query));
                await Time("search", "http", () => Get("/api/v1/registry/cooperations?" + query), record, CaseName(query));

                var statisticsFilter = StatisticsCase(i);
                var scope = await statistics.ResolveAsync(statisticsFilter);
                await Time("statistics", "bare", async () =>
                {
                    using var grid = await bare.QueryMultipleAsync(RegistryStatisticsQueries.Sql(scope), RegistryStatisticsQueries.Parameters(scope));
                    while (!grid.IsConsumed) await grid.ReadAsync();
                }, record);
                await Time("statistics", "service", () => statistics.ComputeUncachedAsync(scope), record);
                var statisticsUrl = "/api/v1/registry/statistics" + (statisticsFilter.State is { } s ? "?state=" + s : statisticsFilter.District is { } d ? "?district=" + d : "");
                await Time("statistics", "http", () => Get(statisticsUrl), record);

                var ps = searches[random.Next(searches.Count)];
                await Time("suggestions", "bare", () => bare.QueryAsync(PartnerSuggestions.Sql,
                    new { Ags = ps.Ags, TaskField = ps.TaskField, Today = today, Limit = PartnerSuggestions.DefaultLimit }), record);
                await Time("suggestions", "service", () => suggestions.ForAsync(ps.Ags, ps.TaskField, today), record);
                await Time("suggestions", "http", () => Get($"/api/v1/registry/partner-searches/{ps.Id}/suggestions"), record);
            }

            // After the read mix: statistics requests that each follow a write (a real UPDATE that fires the data-version
            // trigger), so the server must compute anew — what the first reader of a scope waits after a change.
            for (var i = 0; i < Math.Max(10, o.Requests / 10); i++)
            {
                var f = StatisticsCase(i);
                await bare.ExecuteAsync("UPDATE registry_cooperations SET updated_at = updated_at WHERE id = (SELECT MIN(id) FROM registry_cooperations)");
                await Time("statistics", "http after a write", () => Get("/api/v1/registry/statistics" + (f.State is { } s ? "?state=" + s : f.District is { } d ? "?district=" + d : "")), true);
            }
        }
        finally
        {
            await BenchEnv.StopAsync(server);
        }

        var report = Report(o, started, municipalities, entries, searches.Count, samples);
        Console.WriteLine(report);
        if (o.Output is { } path) await File.WriteAllTextAsync(path, report);
    }

    /// <summary>The search case without its rotating key values, e.g. "district=…&amp;page=2".</summary>
    private static string CaseName(string query) =>
        string.Join("&", query.Split('&').Select(p => p.StartsWith("district=", StringComparison.Ordinal) ? "district=…" : p.StartsWith("municipality=", StringComparison.Ordinal) ? "municipality=…" : p));

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static string Report(BenchOptions o, DateTime started, long municipalities, long entries, int searches, List<Sample> samples)
    {
        var goals = new Dictionary<string, double> { ["search"] = 50, ["statistics"] = 200, ["suggestions"] = 100 };
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"## Register benchmark — {o.Database}, {started:yyyy-MM-dd HH:mm} UTC");
        sb.AppendLine(inv, $"{municipalities:N0} municipalities, {entries:N0} entries, {searches:N0} open partner searches; {o.Requests} timed requests per query and level (after {Math.Max(10, o.Requests / 10)} warm-up), one client, levels interleaved.");
        sb.AppendLine();
        sb.AppendLine("| query | level | p50 ms | p99 ms | max ms | p99 / bare p99 | goal p99 | met |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---|");
        foreach (var query in new[] { "search", "statistics", "suggestions" })
        {
            var bareP99 = Percentile(samples.Where(s => s.Query == query && s.Level == "bare").Select(s => s.Ms).Order().ToList(), 0.99);
            foreach (var level in new[] { "bare", "service", "http", "http after a write" }.Where(l => samples.Any(x => x.Query == query && x.Level == l)))
            {
                var ms = samples.Where(s => s.Query == query && s.Level == level).Select(s => s.Ms).Order().ToList();
                var p99 = Percentile(ms, 0.99);
                var goal = level == "http" ? goals[query] : double.NaN; // "http after a write": shown, not a goal
                sb.AppendLine(inv, $"| {query} | {level} | {Percentile(ms, 0.5):0.0} | {p99:0.0} | {ms[^1]:0.0} | {p99 / bareP99:0.00} | {(double.IsNaN(goal) ? "" : goal.ToString("0", inv))} | {(double.IsNaN(goal) ? "" : p99 < goal ? "yes" : "**no**")} |");
            }
        }
        sb.AppendLine();
        sb.AppendLine("Search per case (each case is one eighth of the requests):");
        sb.AppendLine();
        sb.AppendLine("| case | bare p50 ms | bare max ms | http p50 ms | http max ms |");
        sb.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var g in samples.Where(s => s.Query == "search" && s.Case != "").GroupBy(s => s.Case))
        {
            var b = g.Where(s => s.Level == "bare").Select(s => s.Ms).Order().ToList();
            var h = g.Where(s => s.Level == "http").Select(s => s.Ms).Order().ToList();
            sb.AppendLine(inv, $"| {g.Key} | {Percentile(b, 0.5):0.0} | {b[^1]:0.0} | {Percentile(h, 0.5):0.0} | {h[^1]:0.0} |");
        }
        return sb.ToString();
    }
}
