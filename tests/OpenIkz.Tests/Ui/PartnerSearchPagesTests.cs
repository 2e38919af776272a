using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Dapper;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Ui;

/// <summary>The partner search pages as a browser gets them: public lists, the coordinator's form with German errors, interest and its notices, coverage.</summary>
public sealed class PartnerSearchPagesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private async Task<HttpClient> SignedInAsync(string username)
    {
        var browser = app.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(browser, username)).StatusCode);
        return browser;
    }

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string page, string handler, Dictionary<string, string> fields, IDocument? from = null)
    {
        var document = from ?? await PagesTests.ParseAsync(await browser.GetAsync(page));
        var token = document.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")?.Value ?? "";
        fields["__RequestVerificationToken"] = token;
        return await browser.PostAsync($"{page}?handler={handler}", new FormUrlEncodedContent(fields));
    }

    private DateOnly Today => BerlinTime.Today(app.Clock);

    [Fact]
    public async Task List_IsPublic_WithTheDemoSearches_AndNoFormForVisitors()
    {
        var page = await PagesTests.ParseAsync(await app.Browser().GetAsync("/Partnersuche"));
        var rows = page.QuerySelectorAll("table tbody tr");
        Assert.Contains(rows, r => r.TextContent.Contains("Gemeinsame Betreuung des Verwaltungsarchivs") && r.TextContent.Contains("Falkenstein/Harz"));
        Assert.Null(page.QuerySelector("form[action*='handler=Create'], #ps-titel"));
        Assert.NotNull(page.QuerySelector("a[href='/Partnersuche/Abdeckung']"));

        var filtered = await PagesTests.ParseAsync(await app.Browser().GetAsync("/Partnersuche?aufgabenfeld=archiv&land=RP"));
        Assert.Empty(filtered.QuerySelectorAll("table tbody tr"));
        Assert.Contains("Keine offene Partnersuche", filtered.QuerySelector("main")!.TextContent);
    }

    [Fact]
    public async Task Create_WithEmptyFields_ShowsGermanErrorsNextToThem_AndStoresNothing_ThenAValidOneOpensItsPage()
    {
        var coordinator = await SignedInAsync("blankenburg.koordination");
        var before = await InputSnapshot.TakeAsync(app);
        var refused = await PostFormAsync(coordinator, "/Partnersuche", "Create", new() { ["TaskField"] = "", ["Title"] = "", ["Description"] = "", ["Until"] = "gestern" });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var page = await PagesTests.ParseAsync(refused);
        Assert.Contains("Aufgabenfeld", page.QuerySelector("#ps-aufgabenfeld-fehler")?.TextContent ?? "");
        Assert.Contains("Titel", page.QuerySelector("#ps-titel-fehler")?.TextContent ?? "");
        Assert.NotNull(page.QuerySelector("#ps-beschreibung-fehler"));
        Assert.Contains("gültiges Datum", page.QuerySelector("#ps-bis-fehler")?.TextContent ?? "");
        Assert.Equal("true", page.QuerySelector("#ps-titel")!.GetAttribute("aria-invalid"));
        Assert.NotNull(page.QuerySelector("[role=alert] a[href='#ps-titel']"));
        Assert.Empty(before.Diff(await InputSnapshot.TakeAsync(app)));

        var past = await PagesTests.ParseAsync(await PostFormAsync(coordinator, "/Partnersuche", "Create", new()
        {
            ["TaskField"] = "archiv", ["Title"] = "Archiv Blankenburg", ["Description"] = "Wir suchen einen Partner für das Archiv.", ["Until"] = Today.ToString("dd.MM.yyyy"),
        }));
        Assert.Contains("in der Zukunft", past.QuerySelector("#ps-bis-fehler")?.TextContent ?? "");
        Assert.Equal("Archiv Blankenburg", past.QuerySelector<IHtmlInputElement>("#ps-titel")!.Value);

        var created = await PostFormAsync(coordinator, "/Partnersuche", "Create", new()
        {
            ["TaskField"] = "archiv", ["Title"] = "Archiv Blankenburg", ["Description"] = "Wir suchen einen Partner für das Archiv.", ["Until"] = Today.AddDays(30).ToString("yyyy-MM-dd"),
        });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Matches("^/Partnersuche/[0-9]+$", created.Headers.Location!.OriginalString);
        var detail = await PagesTests.ParseAsync(await coordinator.GetAsync(created.Headers.Location));
        Assert.Equal("Archiv Blankenburg", detail.QuerySelector("h1")!.TextContent.Trim());
        Assert.Contains("veröffentlicht", detail.QuerySelector("[role=status]")!.TextContent);
        // Its suggestions, with reasons; Falkenstein and Ballenstedt search in Archiv as well.
        var cards = detail.QuerySelectorAll("#vorschlaege-liste li.oikz-cards > li, #vorschlaege-liste ol > li");
        Assert.Contains(cards, c => c.TextContent.Contains("Ballenstedt") && c.TextContent.Contains("Sucht ebenfalls"));
        Assert.DoesNotContain(cards, c => c.QuerySelector("h3")?.TextContent.Trim() == "Blankenburg (Harz)");
        // The own list shows it with its best suggestions.
        var own = await PagesTests.ParseAsync(await coordinator.GetAsync("/Partnersuche"));
        Assert.Contains("Archiv Blankenburg", own.QuerySelector("#eigene")!.ParentElement!.TextContent);
    }

    [Fact]
    public async Task WriteHandlers_SendVisitorsToTheLogin_AndOtherRolesToAccessDenied()
    {
        var fields = () => new Dictionary<string, string> { ["TaskField"] = "archiv", ["Title"] = "Nicht erlaubt", ["Description"] = "Das darf nicht gespeichert werden.", ["Until"] = Today.AddDays(5).ToString("yyyy-MM-dd") };
        var visitor = app.Browser();
        var login = await PagesTests.ParseAsync(await visitor.GetAsync("/Anmelden")); // a visitor's antiforgery token
        var anonymous = await PostFormAsync(visitor, "/Partnersuche", "Create", fields(), login);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/Anmelden", anonymous.Headers.Location!.PathAndQuery);
        var clerk = await PostFormAsync(await SignedInAsync("huy.sachbearbeitung"), "/Partnersuche", "Create", fields());
        Assert.Equal(HttpStatusCode.Redirect, clerk.StatusCode);
        Assert.StartsWith("/Fehler/403", clerk.Headers.Location!.PathAndQuery);
        Assert.Equal(0, await app.Db.QuerySingleAsync<int>("SELECT COUNT(*) FROM partner_searches WHERE title = 'Nicht erlaubt'"));
    }

    [Fact]
    public async Task Interest_OnTheDetailPage_ReachesTheSearchingCoordinator_OnTheStartPageAndTheList()
    {
        var oberharz = await app.Db.QuerySingleAsync<long>("SELECT id FROM partner_searches WHERE municipality_ags = '15085228' ORDER BY id LIMIT 1");
        var path = $"/Partnersuche/{oberharz}";
        var visitor = await PagesTests.ParseAsync(await app.Browser().GetAsync(path));
        Assert.Null(visitor.QuerySelector("#ps-nachricht"));
        Assert.Contains("angemeldet", visitor.QuerySelector("#interesse")!.ParentElement!.TextContent);

        var ilsenburg = await SignedInAsync("ilsenburg.koordination");
        var form = await PagesTests.ParseAsync(await ilsenburg.GetAsync(path));
        Assert.NotNull(form.QuerySelector("#ps-nachricht"));
        var tooLong = await PagesTests.ParseAsync(await PostFormAsync(ilsenburg, path, "Interest", new() { ["InterestMessage"] = new string('x', 2001) }, form));
        Assert.Contains("2.000 Zeichen", tooLong.QuerySelector("#ps-nachricht-fehler")?.TextContent ?? "");
        var sent = await PostFormAsync(ilsenburg, path, "Interest", new() { ["InterestMessage"] = "Unsere Zentrale Vergabestelle mit Halberstadt kann erweitert werden." });
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        var after = await PagesTests.ParseAsync(await ilsenburg.GetAsync(path));
        Assert.Contains("Interesse ist übermittelt", after.QuerySelector("[role=status]")!.TextContent);
        Assert.Null(after.QuerySelector("#ps-nachricht"));

        var owner = await SignedInAsync("oberharz.koordination");
        var start = await PagesTests.ParseAsync(await owner.GetAsync("/"));
        Assert.Contains("neuer Hinweis zur Partnersuche", start.QuerySelector("main")!.TextContent);
        // The start page also lists the own open searches, with their interests.
        var ownSearches = start.GetElementById("start-partnersuchen")!.ParentElement!;
        var item = ownSearches.QuerySelectorAll("li").Single(li => li.QuerySelector($"a[href='{path}']") is not null);
        Assert.Matches("(1 Kommune hat|[0-9]+ Kommunen haben) Interesse bekundet, offen bis [0-9]{2}\\.[0-9]{2}\\.[0-9]{4}", System.Text.RegularExpressions.Regex.Replace(item.TextContent, "\\s+", " "));
        var list = await PagesTests.ParseAsync(await owner.GetAsync("/Partnersuche"));
        var notice = list.QuerySelector($"#hinweis-liste a[href='{path}']")!;
        Assert.Equal("Ilsenburg (Harz) hat Interesse an Ihrer Partnersuche „Partner für eine gemeinsame Vergabestelle“ bekundet.", notice.TextContent.Trim());
        var detail = await PagesTests.ParseAsync(await owner.GetAsync(path));
        Assert.Contains("Unsere Zentrale Vergabestelle mit Halberstadt kann erweitert werden.", detail.QuerySelector("#interessen")!.ParentElement!.TextContent);
        // Opening the search read its notice.
        var startAgain = await PagesTests.ParseAsync(await owner.GetAsync("/"));
        Assert.DoesNotContain("Hinweis zur Partnersuche", startAgain.QuerySelector("main")!.TextContent);

        var ownInterest = await PagesTests.ParseAsync(await PostFormAsync(owner, path, "Interest", new(), detail));
        Assert.Contains("eigenen Kommune", ownInterest.QuerySelector("[role=alert]")!.TextContent);
    }

    [Fact]
    public async Task Detail_OfAnUnknownSearch_IsTheGermanNotFoundPage()
    {
        var response = await app.Browser().GetAsync("/Partnersuche/987654321");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("nicht gefunden", (await PagesTests.ParseAsync(response)).Body!.TextContent, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Coverage_ShowsTheFormFirst_AnErrorNextToABadField_AndTheDistrictsWithCounts()
    {
        var first = await PagesTests.ParseAsync(await app.Browser().GetAsync("/Partnersuche/Abdeckung"));
        Assert.Null(first.QuerySelector("#abdeckung-aufgabenfeld-fehler"));
        Assert.Null(first.QuerySelector("table"));

        var bad = await PagesTests.ParseAsync(await app.Browser().GetAsync("/Partnersuche/Abdeckung?aufgabenfeld=nix&land=Atlantis"));
        Assert.NotNull(bad.QuerySelector("#abdeckung-aufgabenfeld-fehler"));
        Assert.NotNull(bad.QuerySelector("#abdeckung-land-fehler"));
        var missing = await PagesTests.ParseAsync(await app.Browser().GetAsync("/Partnersuche/Abdeckung?land=ST"));
        Assert.Contains("Aufgabenfeld", missing.QuerySelector("#abdeckung-aufgabenfeld-fehler")!.TextContent);

        var report = await PagesTests.ParseAsync(await app.Browser().GetAsync("/Partnersuche/Abdeckung?aufgabenfeld=archiv&land=ST"));
        var harz = report.QuerySelectorAll("table tbody tr").Single(r => r.TextContent.Contains("Landkreis Harz"));
        Assert.Equal("15", harz.QuerySelectorAll("td")[0].TextContent.Trim());
        var section = report.QuerySelector("#kreis-15085")!.ParentElement!;
        Assert.Contains("Falkenstein/Harz", section.TextContent);
        Assert.Contains("sucht einen Partner", section.TextContent);
    }
}
