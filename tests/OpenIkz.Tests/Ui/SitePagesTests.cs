using System.Net;
using System.Net.Http.Json;
using AngleSharp.Dom;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Ui;

/// <summary>The app with an operator's statements configured (OpenIkz:Site), the rest left empty.</summary>
public sealed class ConfiguredSiteApp : OpenIkzApp
{
    public ConfiguredSiteApp() : base(TestDatabase.Sqlite)
    {
        Settings["OpenIkz:Site:OperatorName"] = "Zweckverband Digitale Verwaltung Vorderpfalz";
        Settings["OpenIkz:Site:OperatorAddress"] = "Rathausplatz 20\n67059 Ludwigshafen am Rhein";
        Settings["OpenIkz:Site:Email"] = "ikz@zv-vorderpfalz.example";
        // Claimed, but OpenIKZ's own gaps (PDF/UA, Leichte Sprache) remain: the statement says "teilweise".
        Settings["OpenIkz:Site:AccessibilityCompliance"] = "vollständig";
        Settings["OpenIkz:Site:AccessibilityIssues:0"] = "Die Videos der Schulung haben noch keine Untertitel.";
        Settings["OpenIkz:Site:AccessibilityStatementDate"] = "2026-11-30";
    }
}

/// <summary>Impressum, Datenschutz, Barrierefreiheit and the help: public, linked from every page, filled from the operator's configuration.</summary>
public sealed class SitePagesTests(SqliteApp demo) : IClassFixture<SqliteApp>
{
    private static Task<IDocument> ParseAsync(HttpResponseMessage response) => PagesTests.ParseAsync(response);

    [Theory]
    [InlineData("/Impressum", "Impressum")]
    [InlineData("/Datenschutz", "Datenschutzerklärung")]
    [InlineData("/Barrierefreiheit", "Erklärung zur Barrierefreiheit")]
    [InlineData("/Hilfe", "OpenIKZ – Benutzerhandbuch")]
    public async Task LegalPagesAndHelp_ArePublic_AndMarkDemoValuesAsSuch(string path, string heading)
    {
        var response = await demo.Browser().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await ParseAsync(response);
        Assert.Equal(heading, page.QuerySelector("main h1")!.TextContent.Trim());
        if (path != "/Hilfe") Assert.Contains("Beispielangabe der Demo", page.QuerySelector("main")!.TextContent);
    }

    [Fact]
    public async Task EveryPage_LinksTheLegalPages_AndTheHelpAtItsOwnSection()
    {
        var start = await ParseAsync(await demo.Browser().GetAsync("/"));
        foreach (var href in new[] { "/Impressum", "/Datenschutz", "/Barrierefreiheit", "/Barrierefreiheit#feedback", "/Hilfe" })
            Assert.NotNull(start.QuerySelector($"footer a[href='{href}']"));

        var browser = demo.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(browser, "frankenthal.sachbearbeitung")).StatusCode);
        var workbench = await ParseAsync(await browser.GetAsync("/Arbeitskorb"));
        var help = workbench.QuerySelector("header a[href^='/Hilfe']")!.GetAttribute("href")!;
        Assert.Equal("/Hilfe#arbeitskorb-sachbearbeitung", help);
        var guide = await ParseAsync(await demo.Browser().GetAsync("/Hilfe"));
        Assert.NotNull(guide.GetElementById("arbeitskorb-sachbearbeitung"));
        foreach (var section in new[] { "ein-vorgang", "archiv", "pool-teamleitung", "vereinbarungen-koordination", "kostenausgleich", "kommunen", "kooperationsraum", "anmelden" })
            Assert.True(guide.GetElementById(section) is not null, $"the guide has no section #{section}");
        // Raw HTML in the guide is not passed through; its tables are KERN tables.
        Assert.Empty(guide.QuerySelectorAll("main script"));
        Assert.NotEmpty(guide.QuerySelectorAll("main table.kern-table th[scope=col]"));
    }

    [Fact]
    public async Task StartPage_ForAClerk_ShowsTheirCasesAndFreeCases_ForAnAdministration_TheAccounts_AndAdvertisesOnlyWhatExists()
    {
        var anonymous = await ParseAsync(await demo.Browser().GetAsync("/"));
        Assert.Null(anonymous.GetElementById("start-arbeit"));
        // Appointments exist (issue 11): advertised, and the link leads to the booking page.
        Assert.Contains("Gemeinsame Termine", anonymous.GetElementById("module")!.ParentElement!.TextContent);
        Assert.NotNull(anonymous.QuerySelector("main a[href='/Termine']"));

        var clerk = demo.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(clerk, "speyer.sachbearbeitung")).StatusCode);
        var start = await ParseAsync(await clerk.GetAsync("/"));
        var work = start.GetElementById("start-arbeit")!.ParentElement!;
        Assert.Matches("Ihnen (ist|sind) ", work.TextContent);
        Assert.Contains(work.QuerySelectorAll(".kern-card p"), p => System.Text.RegularExpressions.Regex.IsMatch(p.TextContent.Trim(), "^(Kein Vorgang frei|[0-9.]+ frei, davon [0-9.]+ überfällig)$"));
        Assert.NotNull(work.QuerySelector("form[action='/Arbeitskorb?handler=Claim'] input[name=service]"));
        Assert.Null(start.GetElementById("start-verwaltung"));

        var admin = demo.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(admin, "speyer.admin")).StatusCode);
        var adminStart = await ParseAsync(await admin.GetAsync("/"));
        var section = adminStart.GetElementById("start-verwaltung")!.ParentElement!;
        Assert.Matches("[0-9]+ Benutzerkonten, davon [0-9]+ aktiv", section.TextContent);
        Assert.NotNull(section.QuerySelector("a[href='/Verwaltung/Protokoll']"));
        Assert.Null(adminStart.GetElementById("start-arbeit"));
    }

    [Fact]
    public async Task StartPage_ForATeamLead_ShowsThePoolDecisionsWorkloadAndAbsences_EachChartWithItsTable()
    {
        var lead = demo.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(lead, "frankenthal.teamleitung")).StatusCode);
        var (clerkId, clerkName) = await demo.Db.QuerySingleAsync<(long, string)>("SELECT id, display_name FROM users WHERE username = 'frankenthal.sachbearbeitung'");
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")));
        await demo.Db.ExecuteAsync("INSERT INTO absences (user_id, from_date, to_date, created_by_user_id, created_at) VALUES (@U, @F, @T, @U, @Now)",
            new { U = clerkId, F = today.AddDays(-1), T = today.AddDays(3), Now = DateTime.UtcNow });
        try
        {
            var start = await ParseAsync(await lead.GetAsync("/"));
            var section = start.GetElementById("team-start")!.ParentElement!;
            var canvases = section.QuerySelectorAll("canvas[data-chart]").ToList();
            Assert.True(canvases.Count >= 3, $"{canvases.Count} charts");
            foreach (var canvas in canvases)
            {
                // Every chart is followed by the table with its figures, and says so.
                Assert.Contains("folgenden Tabelle", canvas.GetAttribute("aria-label"));
                Assert.Equal("DIV", canvas.ParentElement!.NextElementSibling!.TagName);
                Assert.NotNull(canvas.ParentElement.NextElementSibling.QuerySelector("table caption"));
            }
            var weeks = start.GetElementById("team-wochen-titel")?.Closest("table");
            if (weeks is not null) Assert.Equal(12, weeks.QuerySelectorAll("tbody tr").Length);
            Assert.NotNull(start.GetElementById("pool-tabelle"));
            var workload = start.GetElementById("team-auslastung-titel")!.Closest("table")!;
            var clerkRow = workload.QuerySelectorAll("tbody tr").Single(r => r.QuerySelector("th")!.TextContent.Trim() == clerkName);
            Assert.Equal(today.AddDays(3).ToString("dd.MM.yyyy"), clerkRow.QuerySelector("td[data-label='abwesend bis']")!.TextContent.Trim());
            Assert.Contains("abwesend bis " + today.AddDays(3).ToString("dd.MM.yyyy"), section.TextContent);
        }
        finally
        {
            await demo.Db.ExecuteAsync("DELETE FROM absences WHERE user_id = @U", new { U = clerkId });
        }

        // A clerk without the team lead's role sees no team figures.
        var clerk = demo.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(clerk, "frankenthal.sachbearbeitung")).StatusCode);
        Assert.Null((await ParseAsync(await clerk.GetAsync("/"))).GetElementById("team-start"));
    }

    [Fact]
    public async Task StartPage_ForACoordinator_ListsTheNewestSettlementsWithTheOwnBalance()
    {
        var coordinator = demo.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(coordinator, "ludwigshafen.koordination")).StatusCode);
        var start = await ParseAsync(await coordinator.GetAsync("/"));
        var section = start.GetElementById("start-abrechnungen")?.ParentElement;
        var expected = await demo.Db.QueryAsync<(string Id, long Cents)>(
            "SELECT s.id, st.balance_cents FROM settlement_statements st JOIN settlements s ON s.id = st.settlement_id WHERE st.municipality_ags = '07314000' ORDER BY s.created_at DESC, s.number DESC LIMIT 5");
        Assert.NotEmpty(expected); // the demo settles the Kfz agreement
        Assert.NotNull(section);
        var rows = section.QuerySelectorAll("tbody tr").ToList();
        Assert.Equal(expected.Select(e => "/Abrechnungen/" + e.Id), rows.Select(r => r.QuerySelector("a")!.GetAttribute("href")));
        foreach (var (row, (_, cents)) in rows.Zip(expected))
        {
            var amount = (Math.Abs(cents) / 100m).ToString("N2", System.Globalization.CultureInfo.GetCultureInfo("de-DE")) + " €";
            Assert.Equal(cents > 0 ? "erhält " + amount : cents < 0 ? "zahlt " + amount : "0,00 €", row.Children[3].TextContent.Trim());
        }

        // A coordinator of a municipality without settlements sees no such section.
        var other = demo.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(other, "thale.koordination")).StatusCode);
        Assert.Null((await ParseAsync(await other.GetAsync("/"))).GetElementById("start-abrechnungen"));
    }

    [Fact]
    public async Task StartPage_ForACoordinator_SaysWhatIsDueNext_ForTheAgreementsNotYetInForce()
    {
        const string Thale = "15085330", Wernigerode = "15085370";
        var thaleApi = await demo.ApiAsAsync("thale.koordination");
        var title = "Zweckvereinbarung Wohngeld Startseite " + Guid.NewGuid().ToString("N")[..6];
        var draft = OpenIkz.Tests.Agreements.AgreementsApiTests.Draft([Thale, Wernigerode], title: title, validFrom: "2031-01-01");
        draft["evaluationDate"] = "2033-06-30";
        var created = await thaleApi.PostAsJsonAsync("/api/v1/agreements", draft);
        var json = await created.ReadJsonAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, json.ToString());
        var id = json.GetProperty("id").GetInt64();

        async Task<IElement> RowAsync(string user)
        {
            var browser = demo.Browser();
            Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(browser, user)).StatusCode);
            var start = await ParseAsync(await browser.GetAsync("/"));
            var section = start.GetElementById("start-vorbereitung")!.ParentElement!;
            return section.QuerySelectorAll("tbody tr").Single(r => r.QuerySelector($"a[href='/Vereinbarungen/{id}']") is not null);
        }

        // Nobody has consented: both members are named, in the names people know; each coordinator is told their own consent is missing.
        var row = await RowAsync("wernigerode.koordination");
        var next = row.QuerySelector("td[data-label='Als Nächstes']")!.TextContent;
        Assert.Contains("Zustimmung fehlt: Thale, Wernigerode.", next.Replace("\n", " ", StringComparison.Ordinal));
        Assert.Contains("Ihre Zustimmung fehlt", next);

        Assert.True((await thaleApi.PostAsJsonAsync($"/api/v1/agreements/{id}/consent", new { })).IsSuccessStatusCode);
        next = (await RowAsync("wernigerode.koordination")).QuerySelector("td[data-label='Als Nächstes']")!.TextContent;
        Assert.Contains("Zustimmung fehlt: Wernigerode.", next);
        Assert.Contains("Ihre Zustimmung fehlt", next);
        Assert.DoesNotContain("Ihre Zustimmung fehlt", (await RowAsync("thale.koordination")).TextContent);

        var wernigerodeApi = await demo.ApiAsAsync("wernigerode.koordination");
        Assert.True((await wernigerodeApi.PostAsJsonAsync($"/api/v1/agreements/{id}/consent", new { })).IsSuccessStatusCode);
        Assert.Contains("Nächster Schritt: der Kommunalaufsicht vorlegen.", (await RowAsync("thale.koordination")).TextContent);
        Assert.True((await thaleApi.PostAsJsonAsync($"/api/v1/agreements/{id}/submission", new { })).IsSuccessStatusCode);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")));
        Assert.Contains($"Genehmigung der Kommunalaufsicht ausstehend (vorgelegt am {today:dd.MM.yyyy}).", (await RowAsync("thale.koordination")).TextContent);
        Assert.True((await thaleApi.PostAsJsonAsync($"/api/v1/agreements/{id}/approval", new { approvedOn = today.ToString("yyyy-MM-dd"), reference = "LVwA 1/26" })).IsSuccessStatusCode);
        Assert.Contains("Genehmigt; wird am 01.01.2031 wirksam.", (await RowAsync("thale.koordination")).TextContent);

        // A clerk sees no such section.
        var clerk = demo.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(clerk, "thale.sachbearbeitung")).StatusCode);
        Assert.Null((await ParseAsync(await clerk.GetAsync("/"))).GetElementById("start-vorbereitung"));
    }

    [Fact]
    public async Task CasePage_HighlightsTheArbeitskorbInTheMenu()
    {
        var browser = demo.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(browser, "frankenthal.sachbearbeitung")).StatusCode);
        var id = await demo.Db.QuerySingleAsync<string>("SELECT id FROM cases WHERE owner_ags = '07311000' AND status = 'closed' ORDER BY id LIMIT 1");
        var page = await ParseAsync(await browser.GetAsync("/Vorgaenge/" + id));
        Assert.Equal("/Arbeitskorb", page.QuerySelector("nav a[aria-current=page]")!.GetAttribute("href"));
        Assert.Equal("/Hilfe#ein-vorgang", page.QuerySelector("header a[href^='/Hilfe']")!.GetAttribute("href"));
    }
}

/// <summary>The same pages with the operator's own statements.</summary>
public sealed class ConfiguredSitePagesTests(ConfiguredSiteApp app) : IClassFixture<ConfiguredSiteApp>
{
    [Fact]
    public async Task ConfiguredStatements_AreShown_WithoutTheDemoMark()
    {
        var imprint = await PagesTests.ParseAsync(await app.Browser().GetAsync("/Impressum"));
        var main = imprint.QuerySelector("main")!;
        Assert.Contains("Zweckverband Digitale Verwaltung Vorderpfalz", main.TextContent);
        Assert.Contains("Rathausplatz 20", main.TextContent);
        Assert.NotNull(main.QuerySelector("br"));
        // Given values carry no demo mark; what the operator left out still shows the demo example, marked.
        Assert.DoesNotContain(main.QuerySelectorAll("p strong"), e => e.TextContent.Contains("Beispielangabe"));

        var accessibility = await PagesTests.ParseAsync(await app.Browser().GetAsync("/Barrierefreiheit"));
        var text = accessibility.QuerySelector("main")!.TextContent;
        Assert.Contains("BITV 2.0 teilweise vereinbar", text.Replace("\n", " ", StringComparison.Ordinal).Replace("  ", " ", StringComparison.Ordinal));
        Assert.Contains("Die Videos der Schulung haben noch keine Untertitel.", text);
        Assert.Contains("30.11.2026", text);
        Assert.Contains("ikz@zv-vorderpfalz.example", text); // the general address serves for feedback when none is given
    }
}
