using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Ui;

/// <summary>The register pages as a browser gets them: the public list and entry, and the coordinator's form with German messages next to the fields.</summary>
public sealed class RegisterPagesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private const string Thale = "15085330", Wernigerode = "15085370";

    private static Task<IDocument> ParseAsync(HttpResponseMessage response) => PagesTests.ParseAsync(response);

    private async Task<HttpClient> SignedInAsync(string username)
    {
        var browser = app.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(browser, username)).StatusCode);
        return browser;
    }

    /// <summary>Sends the register form (the one with #titel; the layout has a sign-out form too) with its current fields, <paramref name="values"/> replacing fields of the same name.</summary>
    private static async Task<HttpResponseMessage> SubmitAsync(HttpClient browser, IDocument page, Dictionary<string, string> values)
    {
        var form = page.QuerySelector<IHtmlInputElement>("#titel")?.Form ?? throw new InvalidOperationException($"No register form on {page.Url}");
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var input in form.QuerySelectorAll<IHtmlInputElement>("input[name]"))
            if (input.Type is "hidden" or "text" or "email" || (input.Type is "checkbox" && input.IsChecked)) fields.Add(new(input.Name!, input.Value));
        foreach (var select in form.QuerySelectorAll<IHtmlSelectElement>("select[name]")) fields.Add(new(select.Name!, select.SelectedOptions.FirstOrDefault()?.Value ?? ""));
        foreach (var area in form.QuerySelectorAll<IHtmlTextAreaElement>("textarea[name]")) fields.Add(new(area.Name!, area.Value));
        foreach (var (k, v) in values)
        {
            fields.RemoveAll(f => f.Key == k);
            fields.Add(new(k, v));
        }
        return await browser.PostAsync(page.Url, new FormUrlEncodedContent(fields));
    }

    private Task<long> CountAsync() => app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM registry_cooperations");

    [Fact]
    public async Task Register_IsPublic_WithFilters_Count_Paging_OpenDataAndLicence()
    {
        var response = await app.Browser().GetAsync("/Register");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await ParseAsync(response);
        Assert.Equal("IKZ-Register", page.QuerySelector("h1")!.TextContent.Trim());
        Assert.Matches(@"\d+ Kooperationen gefunden", page.QuerySelector("[role=status]")!.TextContent);
        foreach (var id in new[] { "suche", "filter-aufgabenfeld", "filter-land", "filter-kreis", "filter-rechtsform", "filter-status" })
            Assert.NotNull(page.QuerySelector($"label[for={id}]"));
        Assert.NotNull(page.QuerySelector("a[href='/api/v1/registry/cooperations.csv']"));
        Assert.NotNull(page.QuerySelector("a[href='/api/v1/registry/cooperations.json']"));
        Assert.NotNull(page.QuerySelector("a[rel=license]"));
        var main = page.QuerySelector("main")!.TextContent;
        Assert.Contains("CC BY 4.0", main);
        Assert.Contains("Statistisches Bundesamt", main);
        // The 401 Kreise and kreisfreie Städte are named with their source package and date (the district import).
        Assert.Contains("landkreise-deutschland", main);
        Assert.Contains("Gebietsstand 31.12.2018", main);
        Assert.Contains("Seite 1 von 2", main); // 29 demo entries, 20 a page
        Assert.NotNull(page.QuerySelector("a[rel=next][href='/Register?page=2']"));
        // The Kreis filter offers the districts of the directory, e.g. Kreis Lippe.
        Assert.Contains(page.QuerySelectorAll<IHtmlOptionElement>("#filter-kreis option"), o => o.Value == "05766" && o.Text == "Kreis Lippe");

        var archive = await ParseAsync(await app.Browser().GetAsync("/Register?taskField=archiv&state=NW"));
        var rows = archive.QuerySelectorAll("tbody tr");
        Assert.Contains(rows, r => r.TextContent.Contains("Kreisarchiv Viersen", StringComparison.Ordinal));
        Assert.All(rows, r => Assert.Contains("Archiv", r.TextContent));
        var lippe = await ParseAsync(await app.Browser().GetAsync("/Register?district=05766"));
        Assert.Equal("2 Kooperationen gefunden", lippe.QuerySelector("[role=status]")!.TextContent.Trim());
    }

    [Fact]
    public async Task Register_ShowsABadFilterValue_NextToItsFilter_InGerman()
    {
        var response = await app.Browser().GetAsync("/Register?status=fertig&district=12");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await ParseAsync(response);
        Assert.Contains("Den Status 'fertig' gibt es nicht", page.GetElementById("filter-status-fehler")!.TextContent);
        Assert.Contains("fünf Ziffern", page.GetElementById("filter-kreis-fehler")!.TextContent);
        Assert.Equal("true", page.GetElementById("filter-status")!.GetAttribute("aria-invalid"));
        Assert.NotNull(page.QuerySelector("[role=alert] a[href='#filter-status']"));
    }

    [Fact]
    public async Task Entry_ShowsEverything_AndTheLinkedAgreementNote()
    {
        var id = await app.Db.QuerySingleAsync<long>("SELECT id FROM registry_cooperations WHERE title = 'Interkommunale Rechtsagentur Lippe'");
        var page = await ParseAsync(await app.Browser().GetAsync($"/Register/{id}"));
        var main = page.QuerySelector("main")!.TextContent;
        Assert.Equal("Interkommunale Rechtsagentur Lippe", page.QuerySelector("h1")!.TextContent.Trim());
        foreach (var text in new[] { "Recht", "Öffentlich-rechtliche Vereinbarung", "2012", "Kreis Lippe", "Augustdorf", "Schlangen", "Wirtschaftlichkeit", "1.3.3.2", "CC BY 4.0" })
            Assert.Contains(text, main);
        Assert.Equal(11, page.GetElementById("partner-titel")!.ParentElement!.QuerySelectorAll("tbody tr").Length);
        Assert.Null(page.QuerySelector("#verknuepft-titel"));
        Assert.Null(page.QuerySelector($"a[href='/Register/{id}/Bearbeiten']")); // anonymous

        var linked = await app.Db.QuerySingleAsync<long>("SELECT id FROM registry_cooperations WHERE agreement_id IS NOT NULL ORDER BY id LIMIT 1");
        var linkedPage = await ParseAsync(await app.Browser().GetAsync($"/Register/{linked}"));
        Assert.Contains("Mit einer Vereinbarung in OpenIKZ verknüpft", linkedPage.GetElementById("verknuepft-titel")!.TextContent);

        Assert.Equal(HttpStatusCode.NotFound, (await app.Browser().GetAsync("/Register/987654321")).StatusCode);
    }

    [Fact]
    public async Task Form_NeedsACoordinator()
    {
        var anonymous = await app.Browser().GetAsync("/Register/Neu");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/Anmelden", anonymous.Headers.Location!.OriginalString.Replace("https://localhost", "", StringComparison.Ordinal));
        var clerk = await (await SignedInAsync("thale.sachbearbeitung")).GetAsync("/Register/Neu");
        Assert.Equal(HttpStatusCode.Redirect, clerk.StatusCode);
        Assert.Contains("/Fehler/403", clerk.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, (await (await SignedInAsync("thale.koordination")).GetAsync("/Register/irgendwas")).StatusCode);
    }

    [Fact]
    public async Task Form_ShowsGermanMessagesNextToTheFields_StoresNothing_ThenEntersAndEdits()
    {
        var thale = await SignedInAsync("thale.koordination");
        var form = await ParseAsync(await thale.GetAsync("/Register/Neu"));
        Assert.Equal("Kooperation eintragen", form.QuerySelector("h1")!.TextContent.Trim());
        Assert.Equal(Thale, form.QuerySelector<IHtmlInputElement>("#partner-0-schluessel")!.Value); // the own municipality is prefilled

        var before = await CountAsync();
        var empty = await SubmitAsync(thale, form, new() { ["Form.FteAfter"] = "-1", ["Form.ContactMailbox"] = "Frau Müller", ["Form.Since"] = "zwanzig", ["Form.Partners[1].Ags"] = "15099999" });
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        var errors = await ParseAsync(empty);
        foreach (var (id, text) in new[]
                 {
                     ("titel", "Titel"), ("beschreibung", "beschreiben"), ("aufgabenfeld", "Aufgabenfeld"), ("landesrecht", "Landesrecht"), ("rechtsform", "Rechtsform"),
                     ("quellen", "Quelle"), ("vzae-nachher", "negativ"), ("kontakt", "Funktionspostfach"), ("seit", "Jahr"), ("partner-1-schluessel", "gibt es im Verzeichnis nicht"),
                 })
        {
            var message = errors.GetElementById(id + "-fehler");
            Assert.True(message is not null, $"no message next to #{id}: {string.Join(" / ", errors.QuerySelectorAll(".kern-alert--danger li").Select(l => l.TextContent.Trim()))}");
            Assert.Contains(text, message!.TextContent);
        }
        Assert.Equal("true", errors.GetElementById("titel")!.GetAttribute("aria-invalid"));
        Assert.Equal(before, await CountAsync());

        // Valid: a Zweckvereinbarung of Thale and Wernigerode.
        var title = "Gemeinsame Vollstreckung Thale und Wernigerode " + Guid.NewGuid().ToString("N")[..6];
        var saved = await SubmitAsync(thale, form, new()
        {
            ["Form.Title"] = title,
            ["Form.Description"] = "Vollstreckung offener Forderungen für beide Städte durch Thale.",
            ["Form.TaskField"] = "finanzen",
            ["Form.StateLaw"] = "gkg-lsa",
            ["Form.LegalForm"] = "zweckvereinbarung",
            ["Form.Partners[1].Ags"] = Wernigerode,
            ["Form.Since"] = "2024",
            ["Form.Status"] = "umgesetzt",
            ["Form.OneOffCost"] = "2.500,00",
            ["Form.FteBefore"] = "1,5",
            ["Form.ContactMailbox"] = "vollstreckung@thale.example",
            ["Form.Sources"] = "Stadtratsbeschluss Thale vom 04.03.2024\nStadtratsbeschluss Wernigerode vom 07.03.2024",
            ["Form.Goals"] = "wirtschaftlichkeit",
        });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var location = saved.Headers.Location!.OriginalString;
        Assert.Matches(@"^/Register/\d+$", location);
        Assert.Equal(before + 1, await CountAsync());
        var entry = await ParseAsync(await thale.GetAsync(location));
        var main = entry.QuerySelector("main")!.TextContent;
        Assert.Contains("Die Kooperation ist jetzt im Register eingetragen.", main);
        Assert.Contains("2.500,00 €", main);
        Assert.Contains("1,50", main);
        Assert.Contains("Stadtratsbeschluss Wernigerode", main);

        // A partner's coordinator edits it; a coordinator of another municipality may not.
        var wernigerode = await SignedInAsync("wernigerode.koordination");
        var edit = await ParseAsync(await wernigerode.GetAsync(location + "/Bearbeiten"));
        Assert.Equal(title, edit.QuerySelector<IHtmlInputElement>("#titel")!.Value);
        Assert.Equal("2500,00", edit.QuerySelector<IHtmlInputElement>("#kosten-einmalig")!.Value);
        var changed = await SubmitAsync(wernigerode, edit, new() { ["Form.Title"] = title + " (erweitert)" });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        Assert.Contains(title + " (erweitert)", (await ParseAsync(await wernigerode.GetAsync(location))).QuerySelector("h1")!.TextContent);

        var outsider = await (await SignedInAsync("osterwieck.koordination")).GetAsync(location + "/Bearbeiten");
        Assert.Contains("/Fehler/403", outsider.Headers.Location!.OriginalString);

        // The stale form (version 1) again: refused, with the reason on the page.
        var stale = await SubmitAsync(wernigerode, edit, new() { ["Form.Title"] = title + " (alt)" });
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Contains("inzwischen", (await ParseAsync(stale)).GetElementById("regel-titel")!.ParentElement!.ParentElement!.TextContent);
    }
}
