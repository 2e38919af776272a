using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenIkz.Registry.Statistics;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Registry;

/// <summary>
/// GET /api/v1/registry/statistics over HTTP on the demo app: public, the filters, 400 naming the parameter, the reference
/// block, and the figures of a Kreis of its own (written with plain SQL, so that whatever the demo holds does not change
/// them). Runs on SQLite and on PostgreSQL.
/// </summary>
public abstract class RegistryStatisticsApiTests(OpenIkzApp fixture)
{
    private OpenIkzApp app => fixture.Require();

    /// <summary>A Kreis key no real Kreis has (NRW's Kreise are 05154–05978), with two municipalities.</summary>
    private const string Kreis = "05999", Klein = "05999001", Gross = "05999002";

    private static readonly SemaphoreSlim SeedLock = new(1, 1);

    private async Task SeedOwnKreisAsync()
    {
        await SeedLock.WaitAsync();
        try
        {
            var db = app.Db;
            if (await db.QuerySingleOrDefaultAsync<string>("SELECT ags FROM municipalities WHERE ags = @Kreis", new { Kreis }) is not null) return;
            await StatisticsTestData.MunicipalityAsync(db, Kreis, "Testkreis Statistik", "landkreis", "NW", null, 200_000);
            await StatisticsTestData.MunicipalityAsync(db, Klein, "Kleinhausen", "gemeinde", "NW", Kreis, 12_000);
            await StatisticsTestData.MunicipalityAsync(db, Gross, "Großstadt am Test", "stadt", "NW", Kreis, 80_000);
            await StatisticsTestData.EntryAsync(db, new("it-e-government", "umgesetzt", "oeffentlich-rechtliche-vereinbarung", [Kreis, Klein, Gross],
                Factors: [("ziel", "wirtschaftlichkeit"), ("hindernis", "kein-partner")]), "Statistik-Test IT");
            await StatisticsTestData.EntryAsync(db, new("archiv", "geplant", "kommunale-arbeitsgemeinschaft", [Klein, Gross]), "Statistik-Test Archiv");
            await StatisticsTestData.EntryAsync(db, new("personal", "rueckabgewickelt", "zweckverband", [Gross, Kreis], RollbackReason: "qualitaet"), "Statistik-Test Personal");
        }
        finally { SeedLock.Release(); }
    }

    private async Task<JsonElement> GetOkAsync(string query)
    {
        var response = await app.Api().GetAsync("/api/v1/registry/statistics" + query);
        var json = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, json.ToString());
        return json;
    }

    [SkippableFact]
    public async Task Anonymous_GetsTheStatistics_WithEveryPart()
    {
        var json = await GetOkAsync("");
        foreach (var part in new[] { "scope", "municipalities", "entries", "implementedEntries", "activities", "segments", "taskFields", "legalFormsBySegment",
                     "districts", "municipalityActivities", "statuses", "rollbacks", "goals", "successFactors", "obstacles", "computedAt", "reference" })
            Assert.True(json.TryGetProperty(part, out _), $"no '{part}' in {json}");
        Assert.True(json.GetProperty("municipalities").GetInt64() > 0);
        var summary = json.GetProperty("districts").GetProperty("activities");
        Assert.Equal(["min", "q1", "median", "q3", "max", "n"], summary.EnumerateObject().Select(p => p.Name));
        Assert.Equal(json.GetProperty("districts").GetProperty("items").GetArrayLength(), summary.GetProperty("n").GetInt32());
    }

    [SkippableFact]
    public async Task Reference_IsTheGpaNrwBlock()
    {
        var json = await GetOkAsync("?state=NW");
        var expected = JsonNode.Parse(JsonSerializer.Serialize(ReferenceBlock.Instance, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(json.GetProperty("reference").GetRawText())), json.GetProperty("reference").ToString());
        var r = json.GetProperty("reference");
        Assert.Equal("Rechtsformen IKZ nach Segmenten in Prozent", r.GetProperty("legalFormsBySegment").GetProperty("caption").GetString());
        Assert.Equal([39, 15, 18, 12, 5, 11], r.GetProperty("legalFormsBySegment").GetProperty("rows")[0].GetProperty("values").EnumerateArray().Select(v => v.GetInt32()));
        var districts = r.GetProperty("districts").GetProperty("summary");
        Assert.Equal([66m, 155m, 178m, 227m, 453m], new[] { "min", "q1", "median", "q3", "max" }.Select(k => districts.GetProperty(k).GetDecimal()));
        Assert.Equal(31, districts.GetProperty("n").GetInt32());
        var activities = r.GetProperty("figures").EnumerateArray().Single(f => f.GetProperty("key").GetString() == "aktivitaeten");
        Assert.Equal("1.3", activities.GetProperty("section").GetString());
        Assert.Equal(6250, activities.GetProperty("value").GetInt32());
        Assert.Equal("6.250", activities.GetProperty("printed").GetString());
    }

    [SkippableFact]
    public async Task OwnKreis_HandComputed()
    {
        await SeedOwnKreisAsync();
        var json = await GetOkAsync("?district=" + Kreis);
        Assert.Equal("NW", json.GetProperty("scope").GetProperty("state").GetString());
        Assert.Equal("Testkreis Statistik", json.GetProperty("scope").GetProperty("districtName").GetString());
        Assert.Equal(3, json.GetProperty("municipalities").GetInt64());
        Assert.Equal(3, json.GetProperty("entries").GetInt64());
        Assert.Equal(3, json.GetProperty("activities").GetInt64()); // the IT entry, once per partner
        var it = json.GetProperty("taskFields").EnumerateArray().Single(t => t.GetProperty("taskField").GetString() == "it-e-government");
        Assert.Equal(3, it.GetProperty("implemented").GetProperty("municipalities").GetInt64());
        Assert.Equal(100.0m, it.GetProperty("implemented").GetProperty("share").GetDecimal());
        var archiv = json.GetProperty("taskFields").EnumerateArray().Single(t => t.GetProperty("taskField").GetString() == "archiv");
        Assert.Equal(2, archiv.GetProperty("planned").GetProperty("municipalities").GetInt64());
        Assert.Equal(66.7m, archiv.GetProperty("planned").GetProperty("share").GetDecimal()); // 2 of 3, one decimal, half away from zero
        Assert.Equal(2, archiv.GetProperty("planned").GetProperty("firstTime").GetInt64());
        // One activity in each of klein, groß, Kreise; all öffentlich-rechtliche Vereinbarung.
        foreach (var row in json.GetProperty("legalFormsBySegment").GetProperty("rows").EnumerateArray().Where(r => r.GetProperty("activities").GetInt64() > 0))
            Assert.Equal(100.0m, row.GetProperty("values")[0].GetProperty("share").GetDecimal());
        Assert.Equal(["gross", "klein", "kreis"], json.GetProperty("legalFormsBySegment").GetProperty("rows").EnumerateArray()
            .Where(r => r.GetProperty("activities").GetInt64() == 1).Select(r => r.GetProperty("segment").GetString()).Order(StringComparer.Ordinal));
        var district = json.GetProperty("districts").GetProperty("items").EnumerateArray().Single();
        Assert.Equal(3, district.GetProperty("activities").GetInt64());
        Assert.Equal(1, json.GetProperty("rollbacks").GetProperty("entries").GetInt64());
        Assert.Equal(2, json.GetProperty("rollbacks").GetProperty("municipalities").GetInt64());
        Assert.Equal(1, json.GetProperty("rollbacks").GetProperty("reasons").EnumerateArray().Single(x => x.GetProperty("slug").GetString() == "qualitaet").GetProperty("count").GetInt64());
        Assert.Equal(1, json.GetProperty("obstacles").GetProperty("items").EnumerateArray().Single(x => x.GetProperty("slug").GetString() == "kein-partner").GetProperty("count").GetInt64());
        // The same with the state in each spelling the directory accepts.
        foreach (var state in new[] { "NW", "Nordrhein-Westfalen", "05" })
            Assert.Equal(3, (await GetOkAsync($"?state={Uri.EscapeDataString(state)}&district={Kreis}")).GetProperty("activities").GetInt64());
    }

    [SkippableTheory]
    [InlineData("?state=XX", "state")]
    [InlineData("?state=Nordrhein", "state")]
    [InlineData("?district=15085040", "district")]            // Ballenstedt: a Gemeinde, not a Kreis
    [InlineData("?district=07318000", "district")]            // Speyer: a kreisfreie Stadt
    [InlineData("?district=99999", "district")]
    [InlineData("?district=%3Cscript%3E", "district")]
    [InlineData("?state=RP&district=15085", "district")]      // Landkreis Harz lies in Sachsen-Anhalt
    public async Task BadFilter_Is400_NamingTheParameter(string query, string field)
    {
        var problem = await (await app.Api().GetAsync("/api/v1/registry/statistics" + query)).AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), problem.ToString());
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
        Assert.Single(problem.GetProperty("errors").EnumerateObject());
    }

    [SkippableFact]
    public async Task DemoKreis_Harz_IsAValidFilter()
    {
        var json = await GetOkAsync("?state=ST&district=15085");
        Assert.Equal("Landkreis Harz", json.GetProperty("scope").GetProperty("districtName").GetString());
        Assert.True(json.GetProperty("municipalities").GetInt64() >= 15);
    }
}

public sealed class RegistryStatisticsApiTestsSqlite(SqliteApp app) : RegistryStatisticsApiTests(app), IClassFixture<SqliteApp>;
public sealed class RegistryStatisticsApiTestsPostgres(PostgresApp app) : RegistryStatisticsApiTests(app), IClassFixture<PostgresApp>;
