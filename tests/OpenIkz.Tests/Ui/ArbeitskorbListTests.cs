using OpenIkz.Backoffice.Cases;
using OpenIkz.Pages.Arbeitskorb;

namespace OpenIkz.Tests.Ui;

/// <summary>The Arbeitskorb's own list: search by reference or name, filter by service and status, sort by due date or receipt.</summary>
public sealed class ArbeitskorbListTests
{
    private static CaseSummary Case(string reference, string family, string given, string service, string status, int due, int received) =>
        new(reference, reference, "07311000", "Frankenthal (Pfalz)", service, null, status, status, $"{family}, {given}",
            new DateTime(2026, 11, received, 9, 0, 0, DateTimeKind.Utc), new DateOnly(2026, 12, due), false, true, null, null);

    private static readonly IReadOnlyList<CaseSummary> Cases =
    [
        Case("07311000-KFZ-2026-000011", "Müller", "Erika", "kfz-zulassung", "assigned", due: 10, received: 3),
        Case("07311000-KFZ-2026-000012", "Schulz", "Jörg", "kfz-zulassung", "waiting", due: 5, received: 4),
        Case("07311000-EG-2026-000013", "Özdemir", "Ayşe", "elterngeld", "assigned", due: 20, received: 1),
    ];

    [Fact]
    public void Search_FindsAPartOfTheReference_OrTheBeginningOfAName_WithoutRegardToCase()
    {
        Assert.Equal(["07311000-KFZ-2026-000012"], IndexModel.Narrow(Cases, "000012", null, null, null).Select(c => c.Reference));
        Assert.Equal(["07311000-KFZ-2026-000011"], IndexModel.Narrow(Cases, "mül", null, null, null).Select(c => c.Reference));
        Assert.Equal(["07311000-EG-2026-000013"], IndexModel.Narrow(Cases, "ÖZ", null, null, null).Select(c => c.Reference));
        Assert.Equal(["07311000-KFZ-2026-000012"], IndexModel.Narrow(Cases, "jör", null, null, null).Select(c => c.Reference));
        Assert.Empty(IndexModel.Narrow(Cases, "ller", null, null, null)); // the beginning of a name, not any part
    }

    [Fact]
    public void Filters_AndSort_ByDueDateOrReceipt()
    {
        Assert.Equal(["07311000-KFZ-2026-000012", "07311000-KFZ-2026-000011", "07311000-EG-2026-000013"], IndexModel.Narrow(Cases, null, null, null, null).Select(c => c.Reference));
        Assert.Equal(["07311000-EG-2026-000013", "07311000-KFZ-2026-000011", "07311000-KFZ-2026-000012"], IndexModel.Narrow(Cases, null, null, null, "eingang").Select(c => c.Reference));
        Assert.Equal(["07311000-KFZ-2026-000012", "07311000-KFZ-2026-000011"], IndexModel.Narrow(Cases, null, "kfz-zulassung", null, null).Select(c => c.Reference));
        Assert.Equal(["07311000-KFZ-2026-000012"], IndexModel.Narrow(Cases, null, "kfz-zulassung", "waiting", null).Select(c => c.Reference));
    }
}

/// <summary>The own list on the page: paginated on the server, 50 per page, the search and filters kept in the page links.</summary>
public sealed class ArbeitskorbPagingTests(OpenIkz.Tests.Infrastructure.SqliteApp app) : IClassFixture<OpenIkz.Tests.Infrastructure.SqliteApp>
{
    [Fact]
    public async Task OwnList_OfManyCases_IsPaginated_AndKeepsItsFiltersInTheLinks()
    {
        var clerkId = await app.Db.QuerySingleAsync<long>("SELECT id FROM users WHERE username = 'frankenthal.sachbearbeitung'");
        var ids = (await app.Db.QueryAsync<string>("SELECT id FROM cases WHERE owner_ags = '07311000' ORDER BY id LIMIT 80")).ToList();
        Assert.True(ids.Count > 50, $"{ids.Count} cases of Frankenthal in the demo");
        // This fixture is the test's own: the demo's cases (also decided ones) become the clerk's open work.
        foreach (var id in ids)
            await app.Db.ExecuteAsync("UPDATE cases SET status = 'assigned', outcome = NULL, decided_at = NULL, assigned_user_id = @U, assigned_at = @Now WHERE id = @Id", new { U = clerkId, Now = DateTime.UtcNow, Id = id });
        var expected = await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM cases WHERE assigned_user_id = @U AND status = 'assigned'", new { U = clerkId });

        var browser = app.Browser();
        Assert.Equal(System.Net.HttpStatusCode.Redirect, (await PagesTests.LoginAsync(browser, "frankenthal.sachbearbeitung")).StatusCode);
        var first = await PagesTests.ParseAsync(await browser.GetAsync("/Arbeitskorb?stand=assigned"));
        var pages = (int)((expected + 49) / 50);
        Assert.Contains($"Seite 1 von {pages}", first.GetElementById("meine-tabelle")!.TextContent);
        Assert.Equal(50, first.QuerySelectorAll("#meine-tabelle ~ tbody tr, table:has(#meine-tabelle) tbody tr").Length);
        var next = first.QuerySelector("nav a[rel=next]")!.GetAttribute("href")!;
        Assert.Contains("stand=assigned", next);
        Assert.Contains("seite=2", next);

        var second = await PagesTests.ParseAsync(await browser.GetAsync(next.Split('#')[0]));
        Assert.Equal((int)Math.Min(50, expected - 50), second.QuerySelectorAll("table:has(#meine-tabelle) tbody tr").Length);
        Assert.NotNull(second.QuerySelector("nav a[rel=prev]"));
        var seen = first.QuerySelectorAll("table:has(#meine-tabelle) tbody th a").Concat(second.QuerySelectorAll("table:has(#meine-tabelle) tbody th a")).Select(a => a.TextContent).ToList();
        Assert.Equal(seen.Count, seen.Distinct().Count()); // no case on two pages

        // A page beyond the end shows the last one; rubbish shows the first.
        Assert.Contains($"Seite {pages} von {pages}", (await PagesTests.ParseAsync(await browser.GetAsync("/Arbeitskorb?stand=assigned&seite=999"))).GetElementById("meine-tabelle")!.TextContent);
        Assert.Contains($"Seite 1 von {pages}", (await PagesTests.ParseAsync(await browser.GetAsync("/Arbeitskorb?stand=assigned&seite=abc"))).GetElementById("meine-tabelle")!.TextContent);
    }
}
