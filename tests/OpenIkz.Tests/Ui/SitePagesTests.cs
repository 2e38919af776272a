using System.Net;
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
        Assert.DoesNotContain("Termin", anonymous.GetElementById("module")!.ParentElement!.TextContent);

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
