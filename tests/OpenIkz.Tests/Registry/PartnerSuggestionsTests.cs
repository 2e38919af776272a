using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using OpenIkz.Registry.PartnerSearches;
using OpenIkz.Tests.Infrastructure;
using static OpenIkz.Tests.Registry.PartnerSearchWorld;

namespace OpenIkz.Tests.Registry;

/// <summary>
/// The order and the reasons of the partner suggestions on the constructed directory of <see cref="PartnerSearchWorld"/>,
/// each finding alone and combined. Runs on SQLite and on PostgreSQL.
/// </summary>
public abstract class PartnerSuggestionsTests(OpenIkzApp fixture)
{
    private OpenIkzApp app => fixture.Require();

    private static readonly HashSet<string> World = Municipalities.Select(m => m.Ags).ToHashSet();

    private async Task<long> ArchiveSearchOfSuchdorfAsync()
    {
        await EnsureAsync(app);
        var existing = await app.Db.QuerySingleOrDefaultAsync<long?>("SELECT id FROM partner_searches WHERE municipality_ags = @A AND task_field = 'archiv'", new { A = Suchdorf });
        if (existing is { } id) return id;
        await SearchAsync(app, Fernsucher, "archiv", "Fernarchiv gesucht", days: 20);
        await SearchAsync(app, Fernsucher, "archiv", "Zweite Archivsuche", days: 40);
        await SearchAsync(app, Nachbardorf, "archiv", "Beendete Archivsuche", days: -1); // over yesterday: no pressure
        return await SearchAsync(app, Suchdorf, "archiv", "Archiv gemeinsam");
    }

    private async Task<List<JsonElement>> SuggestionsAsync(long searchId)
    {
        var response = await app.Api().GetAsync($"/api/v1/registry/partner-searches/{searchId}/suggestions");
        var json = await response.ReadJsonAsync();
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return json.EnumerateArray().ToList();
    }

    private static List<JsonElement> InWorld(IEnumerable<JsonElement> items) => items.Where(i => World.Contains(i.GetProperty("ags").GetString()!)).ToList();

    private static (int Score, string[] Reasons) Of(List<JsonElement> items, string ags)
    {
        var item = items.Single(i => i.GetProperty("ags").GetString() == ags);
        return (item.GetProperty("score").GetInt32(), item.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToArray());
    }

    [SkippableFact]
    public async Task Suggestions_OnTheConstructedDirectory_AreRankedByScore_ThenByKey_AndNeverTheSearcher()
    {
        var items = await SuggestionsAsync(await ArchiveSearchOfSuchdorfAsync());
        Assert.DoesNotContain(items, i => i.GetProperty("ags").GetString() == Suchdorf);
        var scores = items.Select(i => i.GetProperty("score").GetInt32()).ToList();
        Assert.Equal(scores.OrderByDescending(s => s), scores);

        var world = InWorld(items);
        Assert.Equal([Fernsucher, Altpartner, KreisNord, Nachbardorf, Archivdorf, Mittelstadt, Suedheim, Teststadt], world.Select(i => i.GetProperty("ags").GetString()));
        Assert.Equal([60, 60, 55, 50, 40, 30, 30, 30], world.Select(i => i.GetProperty("score").GetInt32()));
        Assert.Equal("Testkreis Nord", world[2].GetProperty("name").GetString());
        // No finding but "no cooperation in the field" (Testkreis Süd) or none at all (Südstadt): not suggested.
        Assert.DoesNotContain(items, i => i.GetProperty("ags").GetString() is KreisSued or Suedstadt);
    }

    [SkippableFact]
    public async Task EachFinding_GivesItsReason_AloneAndCombined()
    {
        var items = await SuggestionsAsync(await ArchiveSearchOfSuchdorfAsync());

        // Similar pressure + same segment + no cooperation in the field; the earliest-ending open search is named, the finished one is not.
        var (score, reasons) = Of(items, Fernsucher);
        Assert.Equal(60, score);
        Assert.Equal(3, reasons.Length);
        Assert.StartsWith("Sucht ebenfalls einen Partner im Aufgabenfeld „Archiv“: „Fernarchiv gesucht“", reasons[0]);
        Assert.Contains("Handlungsdruck", reasons[0]);
        Assert.StartsWith("Gleiches Größensegment (Kleine kreisangehörige Kommunen): neun von zehn", reasons[1]);
        Assert.StartsWith("Hat im Register noch keine umgesetzte oder laufende Kooperation im Aufgabenfeld „Archiv“", reasons[2]);

        // Existing cooperations, capped at 30 for four live ones (the rolled-back one does not count); another state is no obstacle.
        (score, reasons) = Of(items, Altpartner);
        Assert.Equal(60, score);
        Assert.StartsWith("Sie kooperieren bereits in 4 Vorhaben, z. B. „Aa Kasse Suchdorf/Altpartner“.", reasons[0]);
        Assert.Contains("Herxheim und Offenbach an der Queich", reasons[0]);

        // The own Kreis: the district as partner and the same area.
        (score, reasons) = Of(items, KreisNord);
        Assert.Equal(55, score);
        Assert.StartsWith("Der Kreis als Partner: Testkreis Nord ist Ihr Kreis. Kreise sind an mehr als drei Vierteln", reasons[0]);
        Assert.StartsWith("Gleicher Kreis (Testkreis Nord)", reasons[1]);

        // Same Kreis and segment; a finished search of its own gives no pressure.
        (score, reasons) = Of(items, Nachbardorf);
        Assert.Equal(50, score);
        Assert.Equal(3, reasons.Length);
        Assert.StartsWith("Gleicher Kreis (Testkreis Nord)", reasons[0]);

        // Already cooperating in Archiv: no "uncovered" reason.
        (score, reasons) = Of(items, Archivdorf);
        Assert.Equal(40, score);
        Assert.DoesNotContain(reasons, r => r.StartsWith("Hat im Register noch keine", StringComparison.Ordinal));

        // Only a planned Archiv cooperation: still uncovered; medium-sized, so no segment reason.
        (score, reasons) = Of(items, Mittelstadt);
        Assert.Equal(30, score);
        Assert.Equal(2, reasons.Length);

        // Same segment in another Kreis.
        (score, reasons) = Of(items, Suedheim);
        Assert.Equal(30, score);
        Assert.StartsWith("Gleiches Größensegment", reasons[0]);

        // A kreisfreie Stadt inside the searcher's Kreis area (the surrounding table): neighbourhood.
        (score, reasons) = Of(items, Teststadt);
        Assert.Equal(30, score);
        Assert.StartsWith("Nachbarschaft im Raum Testkreis Nord", reasons[0]);
    }

    [SkippableFact]
    public async Task KreisfreieStadt_GetsItsSurroundingLandkreis_AsDistrictAndArea()
    {
        await EnsureAsync(app);
        var id = await app.Db.QuerySingleOrDefaultAsync<long?>("SELECT id FROM partner_searches WHERE municipality_ags = @A", new { A = Teststadt })
                 ?? await SearchAsync(app, Teststadt, "rechnungspruefung", "Rechnungsprüfung gemeinsam");
        var world = InWorld(await SuggestionsAsync(id));
        var (score, reasons) = Of(world, KreisNord);
        Assert.Equal(KreisNord, world[0].GetProperty("ags").GetString());
        Assert.Equal(25 + 20 + 10, score);
        Assert.StartsWith("Der Kreis als Partner: Testkreis Nord umgibt Ihre Stadt.", reasons[0]);
        Assert.StartsWith("Kreisfreie Stadt und umgebender Landkreis", reasons[1]);
        Assert.StartsWith("Nachbarschaft im Raum Testkreis Nord", Of(world, Nachbardorf).Reasons[0]);
        // Testkreis Süd does not surround it: only "no cooperation" would speak for it.
        Assert.DoesNotContain(world, i => i.GetProperty("ags").GetString() == KreisSued);
    }

    [SkippableFact]
    public async Task Landkreis_GetsItsOwnMunicipalities_AndTheOtherKreisOfItsSegment()
    {
        await EnsureAsync(app);
        var id = await app.Db.QuerySingleOrDefaultAsync<long?>("SELECT id FROM partner_searches WHERE municipality_ags = @A", new { A = KreisNord })
                 ?? await SearchAsync(app, KreisNord, "recht", "Rechtsberatung gemeinsam");
        var world = InWorld(await SuggestionsAsync(id));
        Assert.DoesNotContain(world, i => i.GetProperty("ags").GetString() == KreisNord);
        var (score, reasons) = Of(world, Nachbardorf);
        Assert.Equal(20 + 10, score);
        Assert.StartsWith("Gleicher Kreis (Testkreis Nord)", reasons[0]);
        Assert.StartsWith("Kreisfreie Stadt und umgebender Landkreis", Of(world, Teststadt).Reasons[0]);
        (score, reasons) = Of(world, KreisSued);
        Assert.Equal(20 + 10, score);
        Assert.StartsWith("Gleiches Größensegment (Kreise)", reasons[0]);
        // Ties (30) in key order.
        var thirty = world.Where(i => i.GetProperty("score").GetInt32() == 30).Select(i => i.GetProperty("ags").GetString()).ToList();
        Assert.Equal(thirty.OrderBy(a => a, StringComparer.Ordinal), thirty);
    }

    [SkippableFact]
    public async Task DatabaseScore_EqualsTheDocumentedWeights_ForEveryCandidate()
    {
        var id = await ArchiveSearchOfSuchdorfAsync();
        Assert.True(id > 0);
        await using var c = await app.Db.OpenAsync();
        var rows = (await c.QueryAsync<PartnerSuggestions.FeatureRow>(PartnerSuggestions.Sql,
            new { Ags = Suchdorf, TaskField = "archiv", Today = BerlinTime.Today(app.Clock), Limit = 1000 })).ToList();
        Assert.NotEmpty(rows);
        foreach (var r in rows) Assert.Equal(PartnerSuggestions.ScoreOf(r), (int)r.Score);
        Assert.Equal([20, 25, 30, 30], new long[] { 1, 2, 3, 4 }.Select(SuggestionWeights.SharedPoints));
    }

    [SkippableFact]
    public async Task CoveredAndShared_MatchTheLiveViews_AlsoForAnEntryLinkedToAnAgreement()
    {
        // An entry linked to an active demo agreement: its partners are the agreement's members (registry_entry_partners).
        var agreement = await app.Db.QuerySingleAsync<long>("SELECT id FROM agreements WHERE status = 'active' ORDER BY id LIMIT 1");
        var members = (await app.Db.QueryAsync<string>("SELECT municipality_ags FROM agreement_members WHERE agreement_id = @A ORDER BY municipality_ags", new { A = agreement })).ToList();
        Assert.True(members.Count >= 2);
        if (await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM registry_cooperations WHERE title = 'Verknüpfte Rechtsberatung'") == 0)
            await app.Db.ExecuteAsync("""
                INSERT INTO registry_cooperations (title, title_search, description, task_field, state_law, legal_form, status, agreement_id, created_at, updated_at)
                VALUES ('Verknüpfte Rechtsberatung', 'verknuepfte rechtsberatung', 'Test', 'recht', 'komzg-rp', 'zweckvereinbarung', 'geplant', @A, @Now, @Now)
                """, new { A = agreement, Now = DateTime.UtcNow });
        await using var c = await app.Db.OpenAsync();
        var viewCovered = (await c.QueryAsync<string>($"""
            SELECT DISTINCT p.ags FROM registry_entry_partners p JOIN registry_entries e ON e.id = p.cooperation_id
            WHERE e.task_field = 'recht' AND e.status IN {PartnerSuggestions.LiveStatuses}
            """)).ToHashSet();
        Assert.True(members.All(viewCovered.Contains));
        var rows = (await c.QueryAsync<PartnerSuggestions.FeatureRow>(PartnerSuggestions.Sql,
            new { Ags = members[0], TaskField = "recht", Today = BerlinTime.Today(app.Clock), Limit = 100_000 })).ToList();
        Assert.NotEmpty(rows);
        foreach (var r in rows) Assert.Equal(viewCovered.Contains(r.Ags) ? 0 : 1, r.Uncovered);
        foreach (var partner in members.Skip(1)) Assert.True(rows.Single(r => r.Ags == partner).SharedCount >= 1);
    }

    [SkippableFact]
    public async Task Suggestions_ForAnUnknownSearch_Are404()
    {
        await (await app.Api().GetAsync("/api/v1/registry/partner-searches/987654321/suggestions")).AssertProblemAsync(404);
    }
}

public sealed class PartnerSuggestionsTestsSqlite(SqliteApp app) : PartnerSuggestionsTests(app), IClassFixture<SqliteApp>;
public sealed class PartnerSuggestionsTestsPostgres(PostgresApp app) : PartnerSuggestionsTests(app), IClassFixture<PostgresApp>;
