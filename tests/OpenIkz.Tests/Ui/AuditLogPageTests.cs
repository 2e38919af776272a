using System.Net.Http.Json;
using System.Net;
using AngleSharp.Dom;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Ui;

/// <summary>The administration's audit log (page and API): scoped to the own municipality, filters in the URL, German errors, the chain check.</summary>
public abstract class AuditLogPageTests(OpenIkzApp fixture)
{
    private readonly OpenIkzApp app = fixture.Require();
    private const string Frankenthal = "07311000";

    private static Task<IDocument> ParseAsync(HttpResponseMessage response) => PagesTests.ParseAsync(response);

    private async Task<HttpClient> SignedInAsync(string username)
    {
        var browser = app.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(browser, username)).StatusCode);
        return browser;
    }

    /// <summary>Makes sure there are entries of both kinds: Frankenthal's own clerk claims (actor), and the log holds entries about its cases.</summary>
    private async Task WithEntriesAsync()
    {
        var clerk = await app.ApiAsAsync("frankenthal.sachbearbeitung");
        var claimed = await clerk.PostAsJsonAsync("/api/v1/work/claim", new { service = "kfz-zulassung" });
        Assert.True(claimed.StatusCode is HttpStatusCode.OK or HttpStatusCode.NoContent, $"claim: {(int)claimed.StatusCode}");
    }

    [SkippableFact]
    public async Task Page_ShowsOnlyTheOwnMunicipalitysEntries_NewestFirst_WithTheTotal()
    {
        await WithEntriesAsync();
        var admin = await SignedInAsync("frankenthal.admin");
        var page = await ParseAsync(await admin.GetAsync("/Verwaltung/Protokoll"));
        var expected = await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM audit_log WHERE actor_ags = @A OR owner_ags = @A", new { A = Frankenthal });
        Assert.True(expected > 0);
        var status = page.QuerySelector("#eintraege ~ [role=status], section[aria-labelledby=eintraege] [role=status]")!.TextContent;
        Assert.Contains(expected == 1 ? "1 Eintrag" : $"{expected:N0}".Replace(",", ".") + " Einträge", status);
        var seqs = page.QuerySelectorAll("section[aria-labelledby=eintraege] tbody tr td:first-child").Select(td => long.Parse(td.TextContent.Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(seqs);
        Assert.Equal(seqs.OrderByDescending(s => s).ToList(), seqs);
        var foreign = await app.Db.QuerySingleAsync<long>(
            "SELECT COUNT(*) FROM audit_log WHERE seq IN (" + string.Join(",", seqs) + ") AND actor_ags <> @A AND (owner_ags IS NULL OR owner_ags <> @A)", new { A = Frankenthal });
        Assert.Equal(0, foreign);
    }

    [SkippableFact]
    public async Task Filters_StayInTheUrl_AndNarrowTheEntries()
    {
        await WithEntriesAsync();
        var admin = await SignedInAsync("frankenthal.admin");
        var page = await ParseAsync(await admin.GetAsync("/Verwaltung/Protokoll?action=case.claimed&person=Sachbearbeitung"));
        var rows = page.QuerySelectorAll("section[aria-labelledby=eintraege] tbody tr").ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Equal("Vorgang geholt", r.Children[3].TextContent.Trim()));
        Assert.Equal("case.claimed", page.QuerySelector<AngleSharp.Html.Dom.IHtmlSelectElement>("#aktion")!.Value);
        Assert.Equal("Sachbearbeitung", page.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("#person")!.Value);
        // The chain check keeps the filter.
        var check = page.QuerySelector("a[href*='pruefen=true']")!.GetAttribute("href")!;
        Assert.Contains("action=case.claimed", check);
        var checkedPage = await ParseAsync(await admin.GetAsync(check));
        Assert.Contains("Die Kette ist unversehrt", checkedPage.GetElementById("kette-ergebnis")!.TextContent);
    }

    [SkippableFact]
    public async Task BadFilters_AreNamedInGermanNextToTheField()
    {
        var admin = await SignedInAsync("frankenthal.admin");
        var response = await admin.GetAsync("/Verwaltung/Protokoll?from=31.02.2026&municipality=abc&action=case.stolen");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await ParseAsync(response);
        Assert.Contains("als Datum", page.GetElementById("von-fehler")!.TextContent);
        Assert.Contains("5, 8 oder 9 Ziffern", page.GetElementById("kommune-fehler")!.TextContent);
        Assert.Contains("aus der Liste", page.GetElementById("aktion-fehler")!.TextContent);
        Assert.NotNull(page.QuerySelector("[role=alert][autofocus] a[href='#von']"));
        var backwards = await ParseAsync(await admin.GetAsync("/Verwaltung/Protokoll?from=2026-05-02&to=2026-05-01"));
        Assert.Contains("vor dem ersten", backwards.GetElementById("bis-fehler")!.TextContent);
    }

    [SkippableFact]
    public async Task Api_IsScopedAndPaged_AndRefusesABadParameterByName()
    {
        await WithEntriesAsync();
        var admin = await app.ApiAsAsync("frankenthal.admin");
        var json = await (await admin.GetAsync("/api/v1/audit?pageSize=5")).ReadJsonAsync();
        Assert.Equal(5, json.GetProperty("pageSize").GetInt32());
        var items = json.GetProperty("items").EnumerateArray().ToList();
        Assert.InRange(items.Count, 1, 5);
        Assert.All(items, i => Assert.True(i.GetProperty("actorAgs").GetString() == Frankenthal || i.GetProperty("ownerAgs").GetString() == Frankenthal));
        var problem = await (await admin.GetAsync("/api/v1/audit?action=case.stolen")).AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("action", out _));

        // Halberstadt's administration sees nothing of Frankenthal's cases or people.
        var other = await app.ApiAsAsync("halberstadt.admin");
        var theirs = await (await other.GetAsync("/api/v1/audit?pageSize=200")).ReadJsonAsync();
        Assert.DoesNotContain(theirs.GetProperty("items").EnumerateArray(), i => i.GetProperty("actorAgs").GetString() == Frankenthal || i.GetProperty("ownerAgs").GetString() == Frankenthal);
    }
}

public sealed class AuditLogPageTestsSqlite(SqliteApp app) : AuditLogPageTests(app), IClassFixture<SqliteApp>;
public sealed class AuditLogPageTestsPostgres(PostgresApp app) : AuditLogPageTests(app), IClassFixture<PostgresApp>;
