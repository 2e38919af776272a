using System.Net;
using System.Net.Http.Headers;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;
using OpenIkz.Tests.Registry;

namespace OpenIkz.Tests.Ui;

/// <summary>The Kooperationsraum pages and the start page's overdue reviews, used as the members' browsers do.</summary>
public sealed class RegionPagesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private static Task<IDocument> ParseAsync(HttpResponseMessage response) => PagesTests.ParseAsync(response);

    private async Task<HttpClient> SignedInAsync(string username)
    {
        var browser = app.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(browser, username)).StatusCode);
        return browser;
    }

    /// <summary>Sends a form of the page as the browser builds it (AngleSharp's form submission), after <paramref name="fill"/> changed its fields.</summary>
    private static async Task<HttpResponseMessage> SubmitAsync(HttpClient browser, IDocument page, string formSelector, Action<IHtmlFormElement>? fill = null)
    {
        var form = page.QuerySelector<IHtmlFormElement>(formSelector) ?? throw new InvalidOperationException($"No form '{formSelector}' on {page.Url}");
        fill?.Invoke(form);
        var submission = form.GetSubmission()!;
        var content = new StreamContent(submission.Body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(submission.MimeType ?? "application/x-www-form-urlencoded");
        return await browser.PostAsync(submission.Target.Href, content);
    }

    private static void Set(IHtmlFormElement form, string id, string value)
    {
        switch (form.QuerySelector("#" + id))
        {
            case IHtmlInputElement input: input.Value = value; break;
            case IHtmlTextAreaElement area: area.Value = value; break;
            case IHtmlSelectElement select: select.Value = value; break;
            default: throw new InvalidOperationException($"No field #{id}");
        }
    }

    private static string ErrorAt(IDocument page, string fieldId) =>
        page.GetElementById(fieldId + "-fehler")?.TextContent.Trim() ?? throw new InvalidOperationException($"No error next to #{fieldId}: {page.QuerySelector("main")?.TextContent}");

    private async Task<(long RegionId, long FieldId)> DemoFieldAsync(string name) =>
        (await app.DemoRegionIdAsync(), await app.Db.QuerySingleAsync<long>("SELECT id FROM fields_of_action WHERE name = @Name", new { Name = name }));

    [Fact]
    public async Task StartPage_ShowsOverdueReviews_ToTheCoordinatorsOfMembers_AndToNobodyElse()
    {
        var (regionId, fieldId) = await DemoFieldAsync("Digitalisierung der Antragsverfahren");
        foreach (var coordinator in new[] { "speyer.koordination", "frankenthal.koordination" })
        {
            var start = await ParseAsync(await (await SignedInAsync(coordinator)).GetAsync("/"));
            var section = start.QuerySelector("section[aria-labelledby='ueberfaellige-ueberpruefungen']");
            Assert.True(section is not null, $"{coordinator}: no overdue reviews on the start page");
            var link = section.QuerySelector($"a[href='/Kooperationsraum/{regionId}#feld-{fieldId}']");
            Assert.NotNull(link);
            Assert.Contains("Digitalisierung der Antragsverfahren: Planung", link.TextContent);
            Assert.Contains("überfällig seit 14 Tagen", section.TextContent); // in words, not by colour alone
        }
        foreach (var other in new[] { "frankenthal.sachbearbeitung", "speyer.admin", "thale.koordination" })
        {
            var start = await ParseAsync(await (await SignedInAsync(other)).GetAsync("/"));
            Assert.Null(start.QuerySelector("#ueberfaellige-ueberpruefungen"));
            // No review of the Kooperationsraum is named (a clerk's start page names overdue cases, which is another matter).
            Assert.DoesNotContain("überfällig seit", start.Body!.TextContent);
            Assert.DoesNotContain("Digitalisierung der Antragsverfahren: Planung", start.Body!.TextContent);
        }
        Assert.Null((await ParseAsync(await app.Browser().GetAsync("/"))).QuerySelector("#ueberfaellige-ueberpruefungen"));
    }

    [Fact]
    public async Task RegionPage_IsReadByEveryRoleOfAMember_EditedByItsCoordination_AndNotFoundForOthers()
    {
        var (regionId, fieldId) = await DemoFieldAsync("Digitalisierung der Antragsverfahren");
        var clerk = await SignedInAsync("frankenthal.sachbearbeitung");
        var list = await ParseAsync(await clerk.GetAsync("/Kooperationsraum"));
        Assert.NotNull(list.QuerySelector($"table a[href='/Kooperationsraum/{regionId}']"));
        Assert.Null(list.QuerySelector("form[action*='handler=Create']"));

        var page = await ParseAsync(await clerk.GetAsync($"/Kooperationsraum/{regionId}"));
        Assert.Equal("Kooperationsraum Vorderpfalz", page.QuerySelector("h1")!.TextContent.Trim());
        var main = page.QuerySelector("main")!.TextContent;
        foreach (var text in new[] { "Speyer", "koordinierend", "Ludwigshafen am Rhein", "Wasser", "Wohnen", "Nahraum", "Gemeinsame Archive", "Zweckvereinbarung gemeinsame Kfz-Zulassung Vorderpfalz" })
            Assert.Contains(text, main);
        var cycle = page.QuerySelector($"caption#zyklus-{fieldId}")!.ParentElement!;
        Assert.Equal(["1. Analyse", "2. Ideen", "3. Planung", "4. Umsetzung", "5. Reflexion"], cycle.QuerySelectorAll("tbody th").Select(th => th.TextContent.Trim()));
        Assert.Contains("überfällig seit 14 Tagen", cycle.QuerySelectorAll("tbody tr")[2].TextContent);
        // A clerk reads; neither edit links nor forms. The agreement is not linked for someone who cannot open it.
        Assert.Empty(page.QuerySelectorAll("main form"));
        Assert.Null(page.QuerySelector($"a[href='/Kooperationsraum/{regionId}/Handlungsfeld/{fieldId}']"));
        Assert.Null(page.QuerySelector("a[href^='/Vereinbarungen/']"));
        Assert.Equal(HttpStatusCode.Redirect, (await clerk.GetAsync($"/Kooperationsraum/{regionId}/Handlungsfeld/{fieldId}")).StatusCode);

        // A plain member's coordinator edits fields, not members; the coordinating member's coordinator both.
        var member = await ParseAsync(await (await SignedInAsync("frankenthal.koordination")).GetAsync($"/Kooperationsraum/{regionId}"));
        Assert.NotNull(member.QuerySelector($"a[href='/Kooperationsraum/{regionId}/Handlungsfeld/{fieldId}']"));
        Assert.NotNull(member.QuerySelector("form[action*='handler=Field']"));
        Assert.Null(member.QuerySelector("form[action*='handler=Member']"));
        Assert.Null(member.QuerySelector("form[action*='handler=Delete']"));
        Assert.NotNull(member.QuerySelector("a[href^='/Vereinbarungen/']")); // Frankenthal is a member of the Kfz agreement
        var lead = await ParseAsync(await (await SignedInAsync("speyer.koordination")).GetAsync($"/Kooperationsraum/{regionId}"));
        Assert.NotNull(lead.QuerySelector("form[action*='handler=Member']"));
        Assert.NotNull(lead.QuerySelector("form[action*='handler=Region']"));
        Assert.NotNull(lead.QuerySelector("form[action*='handler=Delete']"));

        var stranger = await SignedInAsync("halberstadt.koordination");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/Kooperationsraum/{regionId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/Kooperationsraum/{regionId}/Handlungsfeld/{fieldId}")).StatusCode);
        Assert.Contains("Ihre Kommune ist noch in keinem Kooperationsraum", (await ParseAsync(await stranger.GetAsync("/Kooperationsraum"))).QuerySelector("main")!.TextContent);
    }

    [Fact]
    public async Task NewRegion_WithoutName_ShowsTheGermanErrorNextToTheField_AndSavesNothing_ThenCreates()
    {
        var thale = await SignedInAsync("thale.koordination");
        var form = await ParseAsync(await thale.GetAsync("/Kooperationsraum"));
        var before = await app.CountAsync("regions");
        var refused = await SubmitAsync(thale, form, "form[action*='handler=Create']", f => Set(f, "raum-name", "   "));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var page = await ParseAsync(refused);
        Assert.Contains("Namen", ErrorAt(page, "raum-name"));
        Assert.Equal("true", page.GetElementById("raum-name")!.GetAttribute("aria-invalid"));
        Assert.NotNull(page.QuerySelector("[role=alert] a[href='#raum-name']"));
        Assert.Equal(before, await app.CountAsync("regions"));

        var created = await SubmitAsync(thale, page, "form[action*='handler=Create']", f => { Set(f, "raum-name", "Harzer Kooperationsraum"); Set(f, "raum-beschreibung", "Wasser und Wohnen"); });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Matches("^/Kooperationsraum/[0-9]+$", created.Headers.Location!.OriginalString);
        var region = await ParseAsync(await thale.GetAsync(created.Headers.Location));
        Assert.Equal("Harzer Kooperationsraum", region.QuerySelector("h1")!.TextContent.Trim());
        Assert.Contains("Thale – Ihre Kommune", region.QuerySelector("#mitglieder-titel")!.ParentElement!.TextContent);

        // Deleting asks for confirmation next to the box and keeps the region until it is given.
        var unconfirmed = await ParseAsync(await SubmitAsync(thale, region, "form[action*='handler=Delete']"));
        Assert.Contains("bestätigen", ErrorAt(unconfirmed, "raum-loeschen-bestaetigen"));
        Assert.Equal(HttpStatusCode.OK, (await thale.GetAsync(created.Headers.Location)).StatusCode);
        var deleted = await SubmitAsync(thale, region, "form[action*='handler=Delete']", f => f.QuerySelector<IHtmlInputElement>("#raum-loeschen-bestaetigen")!.IsChecked = true);
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Equal("/Kooperationsraum", deleted.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, (await thale.GetAsync(created.Headers.Location)).StatusCode);
        Assert.Equal(before, await app.CountAsync("regions"));
    }

    [Fact]
    public async Task Members_AnUnknownKey_IsRefusedNextToTheField()
    {
        var regionId = await app.DemoRegionIdAsync();
        var speyer = await SignedInAsync("speyer.koordination");
        var page = await ParseAsync(await speyer.GetAsync($"/Kooperationsraum/{regionId}"));
        var before = await app.CountAsync("region_members");
        var refused = await ParseAsync(await SubmitAsync(speyer, page, "form[aria-labelledby='mitglied-neu-titel']", f => Set(f, "mitglied-ags", "99999999")));
        Assert.Contains("gibt es im Verzeichnis nicht", ErrorAt(refused, "mitglied-ags"));
        Assert.Equal(before, await app.CountAsync("region_members"));
    }

    [Fact]
    public async Task FieldPage_StepsGoalsAndLinks_RefuseBadInputNextToTheField_AndSaveGoodInput()
    {
        var regionId = await app.DemoRegionIdAsync();
        var speyer = await SignedInAsync("speyer.koordination");
        var overview = await ParseAsync(await speyer.GetAsync($"/Kooperationsraum/{regionId}"));
        var created = await SubmitAsync(speyer, overview, "form[action*='handler=Field']", f => Set(f, "feld-name", "Mobilität (Seitentest)"));
        Assert.True(created.StatusCode == HttpStatusCode.Redirect, (await ParseAsync(created)).QuerySelector("main")?.TextContent);
        var path = created.Headers.Location!.OriginalString;
        Assert.Matches($"^/Kooperationsraum/{regionId}/Handlungsfeld/[0-9]+$", path);
        var fieldId = long.Parse(path[(path.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var page = await ParseAsync(await speyer.GetAsync(path));
        Assert.Equal("Handlungsfeld Mobilität (Seitentest)", page.QuerySelector("h1")!.TextContent.Trim());

        // A review date that is no date; then a valid one yesterday: overdue, said in words.
        var badDate = await ParseAsync(await SubmitAsync(speyer, page, "form[action*='step=planung']", f => Set(f, "schritt-planung-datum", "31.02.2026")));
        Assert.Contains("TT.MM.JJJJ", ErrorAt(badDate, "schritt-planung-datum"));
        var yesterday = OpenIkz.Common.BerlinTime.Today(app.Clock).AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var saved = await SubmitAsync(speyer, page, "form[action*='step=planung']", f => { Set(f, "schritt-planung-stand", "in-arbeit"); Set(f, "schritt-planung-datum", yesterday); });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        page = await ParseAsync(await speyer.GetAsync(path));
        Assert.Contains("überfällig seit 1 Tag", page.GetElementById("lernzyklus")!.ParentElement!.TextContent);
        Assert.Contains("Planung", (await ParseAsync(await speyer.GetAsync("/"))).QuerySelector("#ueberfaellige-ueberpruefungen")!.ParentElement!.ParentElement!.TextContent);

        // Goals: a status that does not exist is refused next to its row; a good list is saved in the order of the numbers.
        var badGoal = await ParseAsync(await SubmitAsync(speyer, page, "form[action*='handler=Goals']", f =>
        {
            Set(f, "ziel-0-text", "Anbindung der Ortsgemeinden");
            var forged = (IHtmlOptionElement)f.Owner!.CreateElement("option"); // a value the page never offers, as a hand-made request sends it
            forged.Value = "fertig";
            forged.Text = "fertig";
            f.QuerySelector<IHtmlSelectElement>("#ziel-0-stand")!.AddOption(forged);
            Set(f, "ziel-0-stand", "fertig");
        }));
        Assert.Contains("fertig", ErrorAt(badGoal, "ziel-0-stand"));
        Assert.Equal(0, await app.CountAsync("field_of_action_items", "field_id = @Id", new { Id = fieldId }));
        page = await ParseAsync(await speyer.GetAsync(path)); // a fresh form: the forged option stays out
        var goals = await SubmitAsync(speyer, page, "form[action*='handler=Goals']", f =>
        {
            Set(f, "ziel-0-text", "Zweites Ziel"); Set(f, "ziel-0-reihenfolge", "2");
            Set(f, "ziel-1-text", "Erstes Ziel"); Set(f, "ziel-1-reihenfolge", "1"); Set(f, "ziel-1-stand", "erreicht");
        });
        Assert.Equal(HttpStatusCode.Redirect, goals.StatusCode);
        page = await ParseAsync(await speyer.GetAsync(path));
        Assert.Equal("Erstes Ziel", page.QuerySelector<IHtmlInputElement>("#ziel-0-text")!.Value);
        Assert.Equal("erreicht", page.QuerySelector<IHtmlSelectElement>("#ziel-0-stand")!.Value);
        Assert.Equal("Zweites Ziel", page.QuerySelector<IHtmlInputElement>("#ziel-1-text")!.Value);

        // A register entry that does not exist, and a number that is none.
        var missing = await ParseAsync(await SubmitAsync(speyer, page, "form[action*='handler=LinkCooperation']", f => Set(f, "eintrag-nummer", "987654321")));
        Assert.Contains("987654321", ErrorAt(missing, "eintrag-nummer"));
        var notANumber = await ParseAsync(await SubmitAsync(speyer, page, "form[action*='handler=LinkCooperation']", f => Set(f, "eintrag-nummer", "zwölf")));
        Assert.Contains("ganze Zahl", ErrorAt(notANumber, "eintrag-nummer"));
        Assert.Equal(0, await app.CountAsync("field_of_action_cooperations", "field_id = @Id", new { Id = fieldId }));

        // Only the own municipality's agreements are offered; Speyer is not in the Kfz pool.
        var offered = page.QuerySelectorAll("#vereinbarung-auswahl option").Select(o => o.TextContent).ToList();
        Assert.Contains(offered, o => o.StartsWith("Zweckvereinbarung gemeinsame Elterngeldstelle Vorderpfalz", StringComparison.Ordinal));
        Assert.DoesNotContain(offered, o => o.StartsWith("Zweckvereinbarung gemeinsame Kfz-Zulassung", StringComparison.Ordinal));

        // Deleting asks for confirmation, next to the box.
        var unconfirmed = await ParseAsync(await SubmitAsync(speyer, page, "form[action*='handler=Delete']"));
        Assert.Contains("bestätigen", ErrorAt(unconfirmed, "feld-loeschen-bestaetigen"));
        var deleted = await SubmitAsync(speyer, page, "form[action*='handler=Delete']", f => f.QuerySelector<IHtmlInputElement>("#feld-loeschen-bestaetigen")!.IsChecked = true);
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await speyer.GetAsync(path)).StatusCode);
    }
}
