using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using OpenIkz.Backoffice.Cases;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Ui;

/// <summary>The back office pages (Arbeitskorb, Vorgang, Archiv, Pool) read and used as a browser does.</summary>
public abstract class BackofficePagesTests(OpenIkzApp fixture)
{
    // Runs on SQLite and on PostgreSQL: page handlers have SQL of their own.
    private OpenIkzApp app => fixture.Require();

    private const string FrankenthalAgs = "07311000";

    private static Task<IDocument> ParseAsync(HttpResponseMessage response) => PagesTests.ParseAsync(response);

    /// <summary>Sends a form of the page as the browser would: its fields (antiforgery token included) plus the given values.</summary>
    private static async Task<HttpResponseMessage> SubmitAsync(HttpClient browser, IDocument page, string formSelector, Dictionary<string, string>? values = null)
    {
        var form = page.QuerySelector<IHtmlFormElement>(formSelector) ?? throw new InvalidOperationException($"No form '{formSelector}' on {page.Url}");
        var fields = new Dictionary<string, string>();
        foreach (var input in form.QuerySelectorAll<IHtmlInputElement>("input[name]"))
            if (input.Type is "hidden" or "text" or "search" or "date" || (input.Type is "radio" or "checkbox" && input.IsChecked))
                fields[input.Name!] = input.Value;
        foreach (var (k, v) in values ?? []) fields[k] = v;
        var action = form.GetAttribute("action");
        Assert.StartsWith("/", action);
        return await browser.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    private async Task<HttpClient> SignedInAsync(string username)
    {
        var browser = app.Browser();
        var login = await PagesTests.LoginAsync(browser, username);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        return browser;
    }

    /// <summary>Takes the next Kfz case through the workbench form; returns the case page's path.</summary>
    private static async Task<string> ClaimKfzAsync(HttpClient browser)
    {
        var workbench = await ParseAsync(await browser.GetAsync("/Arbeitskorb"));
        var form = workbench.QuerySelectorAll<IHtmlFormElement>("form")
            .Single(f => f.QuerySelector<IHtmlInputElement>("input[name=service]")?.Value == "kfz-zulassung");
        form.Id = "kfz-holen";
        var response = await SubmitAsync(browser, workbench, "#kfz-holen");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.Matches("^/Vorgaenge/[0-9a-f-]{36}$", location);
        return location;
    }

    private static string CaseId(string path) => path["/Vorgaenge/".Length..];

    [SkippableFact]
    public async Task CasePage_ShowsHtmlFromTheApplicationAsText()
    {
        var portal = await OpenIkz.Tests.Backoffice.BackofficeFixture.PortalAsync(app, FrankenthalAgs);
        var body = OpenIkz.Tests.Backoffice.BackofficeFixture.KfzApplication(familyName: "<script>alert('x')</script>");
        ((Dictionary<string, object?>)body["applicant"]!)["givenName"] = "<b onmouseover=alert(2)>Erika</b>";
        ((Dictionary<string, object?>)((Dictionary<string, object?>)body["applicant"]!)["address"]!)["street"] = "<img src=x onerror=alert(3)>";
        var caseId = await OpenIkz.Tests.Backoffice.BackofficeFixture.SubmitOkAsync(portal, body);

        var clerk = await SignedInAsync("frankenthal.sachbearbeitung");
        var response = await clerk.GetAsync($"/Vorgaenge/{caseId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>alert('x')</script>", html);
        Assert.DoesNotContain("<b onmouseover", html);
        Assert.DoesNotContain("<img src=x", html);
        var page = await PagesTests.ParseAsync(new HttpResponseMessage { Content = new StringContent(html), RequestMessage = response.RequestMessage });
        var main = page.QuerySelector("main")!;
        Assert.Contains("<script>alert('x')</script>", main.TextContent); // shown, as text
        Assert.Empty(main.QuerySelectorAll("script, img[onerror], b[onmouseover]"));
    }

    [SkippableFact]
    public async Task Workbench_ClaimsTheNextCase_AndRedirectsToItsPage_WhichListsItUnderMyCases()
    {
        var clerk = await SignedInAsync("frankenthal.sachbearbeitung");
        var workbench = await ParseAsync(await clerk.GetAsync("/Arbeitskorb"));
        Assert.Equal("Arbeitskorb", workbench.QuerySelector("h1")!.TextContent.Trim());
        Assert.Contains(workbench.QuerySelectorAll("button"), b => b.TextContent.Contains("Nächsten Vorgang holen"));

        var path = await ClaimKfzAsync(clerk);
        var casePage = await clerk.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, casePage.StatusCode);
        var page = await ParseAsync(casePage);
        var reference = await app.Db.QuerySingleAsync<string>("SELECT reference FROM cases WHERE id = @Id", new { Id = CaseId(path) });
        Assert.Contains(reference, page.QuerySelector("h1")!.TextContent);
        Assert.Contains("in Bearbeitung", page.QuerySelector("main")!.TextContent);
        Assert.NotNull(page.QuerySelector("form[action*='handler=Release']"));
        Assert.NotNull(page.QuerySelector("form[action*='handler=Decide'] fieldset legend"));
        Assert.NotNull(page.QuerySelector("form[action*='handler=Document'][enctype='multipart/form-data'] input[type=file]"));
        Assert.NotNull(page.QuerySelector("table caption"));

        var mine = await ParseAsync(await clerk.GetAsync("/Arbeitskorb"));
        Assert.NotNull(mine.QuerySelector($"table a[href='{path}']"));
    }

    [SkippableFact]
    public async Task CasePage_OfAMunicipalityOutsideTheAgreement_IsTheGermanNotFoundPage()
    {
        var id = await app.Db.QuerySingleAsync<string>($"SELECT id FROM cases WHERE owner_ags='{FrankenthalAgs}' LIMIT 1");
        var outsider = await SignedInAsync("thale.sachbearbeitung");
        var response = await outsider.GetAsync($"/Vorgaenge/{id}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("nicht gefunden", (await ParseAsync(response)).Body!.TextContent, StringComparison.OrdinalIgnoreCase);

        var documentId = await app.Db.QuerySingleAsync<string>("SELECT id FROM case_documents WHERE case_id = @Id LIMIT 1", new { Id = id });
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync($"/Vorgaenge/{id}/Dokumente/{documentId}")).StatusCode);
    }

    [SkippableFact]
    public async Task CasePage_OfAPartner_NamesTheOwnerAndTheGrantingAgreement_AndOffersItsDocuments()
    {
        var id = await app.Db.QuerySingleAsync<string>("SELECT id FROM cases WHERE owner_ags='07314000' AND service_slug='kfz-zulassung' LIMIT 1");
        var clerk = await SignedInAsync("frankenthal.sachbearbeitung");
        var page = await ParseAsync(await clerk.GetAsync($"/Vorgaenge/{id}"));
        var overview = page.QuerySelector("dl")!.TextContent;
        Assert.Contains("Ludwigshafen am Rhein (07314000)", overview);
        Assert.Contains("Zweckvereinbarung gemeinsame Kfz-Zulassung Vorderpfalz", overview);

        var link = page.QuerySelector($"table a[href^='/Vorgaenge/{id}/Dokumente/']")!.GetAttribute("href")!;
        var download = await clerk.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString((await download.Content.ReadAsByteArrayAsync())[..5]));
    }

    [SkippableFact]
    public async Task Note_WithMarkup_IsShownAsText_NotAsScript()
    {
        var clerk = await SignedInAsync("frankenthal.sachbearbeitung");
        var path = await ClaimKfzAsync(clerk);
        var page = await ParseAsync(await clerk.GetAsync(path));
        var response = await SubmitAsync(clerk, page, "form[action*='handler=Note']", new() { ["NoteText"] = "Rückruf vereinbart <script>alert(1)</script>" });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        var after = await ParseAsync(await clerk.GetAsync(path));
        var notes = after.QuerySelector("#vermerke")!;
        Assert.Contains("Rückruf vereinbart <script>alert(1)</script>", notes.TextContent);
        Assert.Null(notes.QuerySelector("script"));
        Assert.DoesNotContain(after.QuerySelectorAll("script"), s => s.TextContent.Contains("alert(1)"));
        Assert.Contains(after.QuerySelectorAll("table tbody tr"), r => r.TextContent.Contains("Vermerk hinzugefügt"));
    }

    [SkippableFact]
    public async Task Release_AsksFirst_ChangesNothingUntilConfirmed_ThenReturnsTheCaseToThePool()
    {
        var clerk = await SignedInAsync("frankenthal.sachbearbeitung");
        var path = await ClaimKfzAsync(clerk);
        var id = CaseId(path);
        var page = await ParseAsync(await clerk.GetAsync(path));
        var asked = await SubmitAsync(clerk, page, "form[action*='handler=Release']");
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        var question = await ParseAsync(asked);
        Assert.StartsWith("Vorgang ", question.QuerySelector("#bestaetigung h2")!.TextContent.Trim());
        Assert.Contains("in den Pool zurückgeben?", question.QuerySelector("#bestaetigung h2")!.TextContent);
        Assert.Equal(path, question.QuerySelector<IHtmlAnchorElement>("#bestaetigung a.kern-btn")!.GetAttribute("href"));
        Assert.Equal("assigned", await app.Db.QuerySingleAsync<string>("SELECT status FROM cases WHERE id = @Id", new { Id = id }));

        var released = await SubmitAsync(clerk, question, "#bestaetigung form");
        Assert.Equal(HttpStatusCode.Redirect, released.StatusCode);
        Assert.Equal("open", await app.Db.QuerySingleAsync<string>("SELECT status FROM cases WHERE id = @Id", new { Id = id }));
        var after = await ParseAsync(await clerk.GetAsync(path));
        Assert.Contains("in den Pool zurückgegeben", after.QuerySelector("[role=status]")!.TextContent);
        // Confirming again (a second tab): the case is no longer the clerk's, so the rule refuses it in words.
        var again = await ParseAsync(await SubmitAsync(clerk, question, "#bestaetigung form"));
        Assert.NotNull(again.QuerySelector("[role=alert]"));
        Assert.Equal("open", await app.Db.QuerySingleAsync<string>("SELECT status FROM cases WHERE id = @Id", new { Id = id }));
    }

    [SkippableFact]
    public async Task Decision_RejectedWithoutReason_ShowsTheGermanError_AndChangesNothing()
    {
        var clerk = await SignedInAsync("frankenthal.sachbearbeitung");
        var path = await ClaimKfzAsync(clerk);
        var id = CaseId(path);
        var historyBefore = await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM case_history WHERE case_id = @Id", new { Id = id });
        var page = await ParseAsync(await clerk.GetAsync(path));

        var response = await SubmitAsync(clerk, page, "form[action*='handler=Decide']", new() { ["Outcome"] = "rejected", ["Reason"] = "  " });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var shown = await ParseAsync(response);
        var error = shown.QuerySelector("#entscheidung-begruendung-fehler");
        Assert.NotNull(error);
        Assert.Contains("Ablehnung muss begründet werden", error.TextContent);
        Assert.Equal("true", shown.QuerySelector("#entscheidung-begruendung")!.GetAttribute("aria-invalid"));
        Assert.NotNull(shown.QuerySelector("[role=alert] a[href='#entscheidung-begruendung']"));
        Assert.True(shown.QuerySelector<IHtmlInputElement>("#entscheidung-abgelehnt")!.IsChecked);

        var state = await app.Db.QuerySingleAsync<(string Status, string? Outcome)>("SELECT status, outcome FROM cases WHERE id = @Id", new { Id = id });
        Assert.Equal(("assigned", (string?)null), state);
        Assert.Equal(historyBefore, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM case_history WHERE case_id = @Id", new { Id = id }));
        Assert.Equal(0, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM case_documents WHERE case_id = @Id AND document_type = 'bescheid'", new { Id = id }));
    }

    [SkippableFact]
    public async Task Document_IsAddedThroughTheUploadForm_AndADecisionLinksTheBescheid()
    {
        var clerk = await SignedInAsync("frankenthal.sachbearbeitung");
        var path = await ClaimKfzAsync(clerk);
        var page = await ParseAsync(await clerk.GetAsync(path));
        var form = page.QuerySelector<IHtmlFormElement>("form[action*='handler=Document']")!;
        var token = form.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;

        async Task<HttpResponseMessage> UploadAsync(byte[] content, string fileName)
        {
            using var body = new MultipartFormDataContent
            {
                { new StringContent(token), "__RequestVerificationToken" },
                { new StringContent("sonstiges"), "DocumentType" },
            };
            var file = new ByteArrayContent(content);
            file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/pdf");
            body.Add(file, "Upload", fileName);
            return await clerk.PostAsync(form.GetAttribute("action"), body);
        }

        var notPdf = await UploadAsync("MZ kein PDF"u8.ToArray(), "programm.pdf");
        Assert.Equal(HttpStatusCode.OK, notPdf.StatusCode);
        Assert.Contains("kein PDF", (await ParseAsync(notPdf)).QuerySelector("#dokument-datei-fehler")!.TextContent);

        var added = await UploadAsync("%PDF-1.4\n% Testdokument\n%%EOF\n"u8.ToArray(), "Nachweis Halter.pdf");
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        page = await ParseAsync(await clerk.GetAsync(path));
        Assert.Contains(page.QuerySelectorAll("table tbody tr"), r => r.TextContent.Contains("Sonstiges Dokument") && r.TextContent.Contains("Nachweis Halter.pdf"));

        // Deciding shows the Bescheid as it will be issued and asks; nothing changes before the confirmation.
        var id = CaseId(path);
        var historyBefore = await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM case_history WHERE case_id = @Id", new { Id = id });
        var asked = await SubmitAsync(clerk, page, "form[action*='handler=Decide']", new() { ["Outcome"] = "rejected", ["Reason"] = "Das Fahrzeug ist nicht versichert." });
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        var question = await ParseAsync(asked);
        var confirmation = question.GetElementById("bestaetigung")!;
        Assert.Equal("Bescheid prüfen: Antrag abgelehnt", confirmation.QuerySelector("h2")!.TextContent.Trim());
        Assert.NotNull(confirmation.GetAttribute("autofocus"));
        var letter = confirmation.QuerySelector(".oikz-letter")!.TextContent;
        Assert.Contains("wird abgelehnt", letter);
        Assert.Contains("Das Fahrzeug ist nicht versichert.", letter);
        Assert.Contains("Rechtsbehelfsbelehrung", letter);
        Assert.Equal(("assigned", (string?)null), await app.Db.QuerySingleAsync<(string, string?)>("SELECT status, outcome FROM cases WHERE id = @Id", new { Id = id }));
        Assert.Equal(historyBefore, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM case_history WHERE case_id = @Id", new { Id = id }));
        Assert.Equal(0, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM case_documents WHERE case_id = @Id AND document_type = 'bescheid'", new { Id = id }));

        var decided = await SubmitAsync(clerk, question, "#bestaetigung form");
        Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        var result = await ParseAsync(await clerk.GetAsync(path));
        var alert = result.QuerySelector("[role=status]")!;
        Assert.Contains("abgelehnt", alert.TextContent);
        // The next step: the next case of the same service.
        var next = alert.QuerySelector("form[action='/Arbeitskorb?handler=Claim']")!;
        Assert.Equal("kfz-zulassung", next.QuerySelector<IHtmlInputElement>("input[name=service]")!.Value);
        Assert.Contains("Nächsten Vorgang holen", next.TextContent);
        var bescheid = alert.QuerySelector("a[href*='/Dokumente/']")!.GetAttribute("href")!;
        var pdf = await clerk.GetAsync(bescheid);
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        Assert.Null(result.QuerySelector("form[action*='handler=Decide']"));
        Assert.Null(result.QuerySelector("form[action*='handler=Note']"));
    }

    [SkippableFact]
    public async Task Archive_WithOneCharacter_ShowsTheFieldError_AndWithANameFindsClosedCases()
    {
        var clerk = await SignedInAsync("frankenthal.sachbearbeitung");
        var tooShort = await ParseAsync(await clerk.GetAsync("/Archiv?q=M"));
        var error = tooShort.QuerySelector("#q-fehler");
        Assert.NotNull(error);
        Assert.Contains("mindestens 2", error.TextContent);
        Assert.Equal("true", tooShort.QuerySelector("#q")!.GetAttribute("aria-invalid"));
        Assert.Null(tooShort.QuerySelector("table"));

        var found = await ParseAsync(await clerk.GetAsync("/Archiv?q=Mu"));
        Assert.Null(found.QuerySelector("#q-fehler"));
        var links = found.QuerySelectorAll("table tbody tr a[href^='/Vorgaenge/']");
        Assert.NotEmpty(links);
        var first = await clerk.GetAsync(links[0].GetAttribute("href"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("abgeschlossen", (await ParseAsync(first)).QuerySelector("main")!.TextContent);
    }

    [SkippableFact]
    public async Task Archive_FiltersByServicePartnerOutcomeAndDecisionDate_PagedWithTheFiltersInTheUrl()
    {
        var clerk = await SignedInAsync("frankenthal.sachbearbeitung");
        var page = await ParseAsync(await clerk.GetAsync("/Archiv?service=kfz-zulassung&outcome=rejected"));
        Assert.Null(page.QuerySelector("[role=alert]"));
        var rows = page.QuerySelectorAll("table tbody tr").ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, r =>
        {
            Assert.Equal("Kfz-Zulassung", r.Children[2].TextContent.Trim());
            Assert.Equal("abgelehnt", r.Children[6].TextContent.Trim());
            Assert.Matches(@"^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} Uhr$", r.Children[5].TextContent.Trim());
        });
        Assert.Equal("kfz-zulassung", page.QuerySelector<IHtmlSelectElement>("#leistung")!.Value);
        Assert.Equal("rejected", page.QuerySelector<IHtmlSelectElement>("#entscheidung")!.Value);
        var status = page.QuerySelector("p[role=status]")!.TextContent;
        var total = long.Parse(System.Text.RegularExpressions.Regex.Match(status, "[0-9.]+").Value.Replace(".", ""), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(total >= rows.Count);
        if (total > SearchArchive.PageSize)
        {
            var next = page.QuerySelector("a[rel=next]")!.GetAttribute("href")!;
            Assert.Contains("service=kfz-zulassung", next);
            Assert.Contains("outcome=rejected", next);
            Assert.Contains("seite=2", next);
        }

        // The partner filter offers the own municipality and the partners under agreements; one of them narrows to it.
        var partner = page.QuerySelectorAll("#partner option").Select(o => o.GetAttribute("value")).First(v => !string.IsNullOrEmpty(v))!;
        var byPartner = await ParseAsync(await clerk.GetAsync($"/Archiv?partner={partner}&service=kfz-zulassung"));
        var owner = await app.Db.QuerySingleAsync<string>("SELECT name FROM municipalities WHERE ags = @A", new { A = partner });
        Assert.All(byPartner.QuerySelectorAll("table tbody tr"), r => Assert.Equal(owner, r.Children[1].TextContent.Trim()));

        // A decision date in the future finds nothing; a bad one is named next to its field.
        var future = await ParseAsync(await clerk.GetAsync("/Archiv?from=2099-01-01"));
        Assert.Contains("Kein abgeschlossener Vorgang", future.QuerySelector("p[role=status]")!.TextContent);
        var bad = await ParseAsync(await clerk.GetAsync("/Archiv?from=31.02.2026&outcome=vielleicht"));
        Assert.Contains("als Datum", bad.GetElementById("entschieden-von-fehler")!.TextContent);
        Assert.Contains("bewilligt", bad.GetElementById("entscheidung-fehler")!.TextContent);
        Assert.Null(bad.QuerySelector("table"));
    }

    [SkippableFact]
    public async Task Archive_DecisionDays_AreBerlinDays()
    {
        var clerk = await SignedInAsync("frankenthal.sachbearbeitung");
        var (id, reference, decidedAt) = await app.Db.QuerySingleAsync<(string, string, DateTime)>(
            "SELECT id, reference, decided_at FROM cases WHERE owner_ags = '07311000' AND service_slug = 'kfz-zulassung' AND status = 'closed' ORDER BY id LIMIT 1");
        // 22:30 UTC on 14 July 2026 is 00:30 on 15 July in Berlin (summer time).
        await app.Db.ExecuteAsync("UPDATE cases SET decided_at = @At WHERE id = @Id", new { At = new DateTime(2026, 7, 14, 22, 30, 0, DateTimeKind.Utc), Id = id });
        try
        {
            async Task<bool> FoundAsync(string day) =>
                (await ParseAsync(await clerk.GetAsync($"/Archiv?partner=07311000&service=kfz-zulassung&from={day}&to={day}"))).QuerySelectorAll("table tbody tr th").Any(th => th.TextContent.Trim() == reference);
            Assert.True(await FoundAsync("2026-07-15"));
            Assert.False(await FoundAsync("2026-07-14"));
        }
        finally
        {
            await app.Db.ExecuteAsync("UPDATE cases SET decided_at = @At WHERE id = @Id", new { At = DateTime.SpecifyKind(decidedAt, DateTimeKind.Utc), Id = id });
        }
    }

    [SkippableFact]
    public async Task Pool_IsForbiddenForAClerk()
    {
        var clerk = await SignedInAsync("frankenthal.sachbearbeitung");
        var denied = await clerk.GetAsync("/Pool");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        var errorPage = await clerk.GetAsync(denied.Headers.Location);
        Assert.Equal(HttpStatusCode.Forbidden, errorPage.StatusCode);
        Assert.Contains("Keine Berechtigung", (await ParseAsync(errorPage)).Body!.TextContent);

        var nav = (await ParseAsync(await clerk.GetAsync("/Arbeitskorb"))).QuerySelector("nav")!;
        Assert.NotNull(nav.QuerySelector("a[href='/Arbeitskorb']"));
        Assert.NotNull(nav.QuerySelector("a[href='/Archiv']"));
        Assert.Null(nav.QuerySelector("a[href='/Pool']"));
    }

    [SkippableFact]
    public async Task Pool_ShowsTheOverviewToTheTeamLead_AndPutsACaseBackIntoThePool()
    {
        var clerk = await SignedInAsync("ludwigshafen.sachbearbeitung");
        var path = await ClaimKfzAsync(clerk);
        var reference = await app.Db.QuerySingleAsync<string>("SELECT reference FROM cases WHERE id = @Id", new { Id = CaseId(path) });

        var lead = await SignedInAsync("ludwigshafen.teamleitung");
        var pool = await ParseAsync(await lead.GetAsync("/Pool"));
        Assert.Contains(pool.QuerySelectorAll("table tbody tr"), r => r.TextContent.Contains("Kfz-Zulassung") && r.TextContent.Contains("Frankenthal"));
        Assert.NotNull(pool.QuerySelector("select#abwesenheit-person option[value]"));
        Assert.Contains(pool.QuerySelectorAll("select#zuweisung-an option"), o => o.TextContent.Contains("zurück in den Pool"));

        var wrong = await SubmitAsync(lead, pool, "form[action$='handler=Assign']", new() { ["CaseReference"] = "07311000-KFZ-1999-999999", ["Target"] = "pool" });
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.NotNull((await ParseAsync(wrong)).QuerySelector("#zuweisung-vorgang-fehler"));

        var response = await SubmitAsync(lead, pool, "form[action$='handler=Assign']", new() { ["CaseReference"] = reference, ["Target"] = "pool" });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("open", await app.Db.QuerySingleAsync<string>("SELECT status FROM cases WHERE id = @Id", new { Id = CaseId(path) }));
        var afterResponse = await lead.GetAsync("/Pool");
        Assert.Equal(HttpStatusCode.OK, afterResponse.StatusCode);
        var after = await ParseAsync(afterResponse);
        Assert.Contains(reference, after.QuerySelector("[role=status]")!.TextContent);
        Assert.NotNull(after.QuerySelector($"[role=status] a[href='{path}']"));
    }

    [SkippableFact]
    public async Task Absence_SaysHowManyCasesGoBackToThePool_AndRecordsNothingUntilConfirmed()
    {
        var clerk = await SignedInAsync("ludwigshafen.sachbearbeitung");
        var path = await ClaimKfzAsync(clerk);
        var clerkId = await app.Db.QuerySingleAsync<long>("SELECT id FROM users WHERE username = 'ludwigshafen.sachbearbeitung'");
        var open = await app.Db.QuerySingleAsync<int>("SELECT COUNT(*) FROM cases WHERE assigned_user_id = @Id AND status IN ('assigned', 'waiting')", new { Id = clerkId });
        var absencesBefore = await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM absences WHERE user_id = @Id", new { Id = clerkId });
        var lastAbsence = await app.Db.QuerySingleAsync<long>("SELECT COALESCE(MAX(id), 0) FROM absences");
        var lead = await SignedInAsync("ludwigshafen.teamleitung");
        var pool = await ParseAsync(await lead.GetAsync("/Pool"));
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")));
        var values = new Dictionary<string, string>
        {
            ["AbsentUserId"] = clerkId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AbsentFrom"] = today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["AbsentTo"] = today.AddDays(2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        };
        try
        {
            var asked = await SubmitAsync(lead, pool, "form[action*='handler=Absence']", values);
            Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
            var question = await ParseAsync(asked);
            var text = question.GetElementById("bestaetigung")!.TextContent;
            Assert.Contains(open == 1 ? "1 offener Vorgang" : $"{open} offene Vorgänge", text);
            Assert.Contains("sofort in den Pool zurück", text);
            Assert.Equal(absencesBefore, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM absences WHERE user_id = @Id", new { Id = clerkId }));
            Assert.Equal("assigned", await app.Db.QuerySingleAsync<string>("SELECT status FROM cases WHERE id = @Id", new { Id = CaseId(path) }));

            var recorded = await SubmitAsync(lead, question, "#bestaetigung form");
            Assert.Equal(HttpStatusCode.Redirect, recorded.StatusCode);
            Assert.Equal(absencesBefore + 1, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM absences WHERE user_id = @Id", new { Id = clerkId }));
            Assert.Equal("open", await app.Db.QuerySingleAsync<string>("SELECT status FROM cases WHERE id = @Id", new { Id = CaseId(path) }));
            Assert.Contains(open == 1 ? "1 Vorgang wurde in den Pool zurückgegeben" : $"{open} Vorgänge wurden", (await ParseAsync(await lead.GetAsync("/Pool"))).QuerySelector("[role=status]")!.TextContent);

            // The absent clerk's Arbeitskorb says so, until when, and offers no claim.
            var workbench = await ParseAsync(await clerk.GetAsync("/Arbeitskorb"));
            Assert.Contains($"bis einschließlich {today.AddDays(2):dd.MM.yyyy} als abwesend eingetragen", workbench.GetElementById("abwesend-titel")!.TextContent);
            Assert.Empty(workbench.QuerySelectorAll("form[action*='handler=Claim']"));
        }
        finally
        {
            // The other tests of this class claim as this clerk.
            await app.Db.ExecuteAsync("DELETE FROM absences WHERE id > @Last", new { Last = lastAbsence });
        }
    }

    [SkippableFact]
    public async Task Absences_AreListed_ChangedAndCancelled_ByTheTeamLead_AfterAsking()
    {
        var clerkId = await app.Db.QuerySingleAsync<long>("SELECT id FROM users WHERE username = 'ludwigshafen.sachbearbeitung'");
        var lastAbsence = await app.Db.QuerySingleAsync<long>("SELECT COALESCE(MAX(id), 0) FROM absences");
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")));
        string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var lead = await SignedInAsync("ludwigshafen.teamleitung");
        try
        {
            // A future absence: no case goes back, so it is entered after the question and listed.
            var pool = await ParseAsync(await lead.GetAsync("/Pool"));
            var asked = await ParseAsync(await SubmitAsync(lead, pool, "form[action*='handler=Absence']",
                new() { ["AbsentUserId"] = clerkId.ToString(System.Globalization.CultureInfo.InvariantCulture), ["AbsentFrom"] = Iso(today.AddDays(20)), ["AbsentTo"] = Iso(today.AddDays(24)) }));
            Assert.Equal(HttpStatusCode.Redirect, (await SubmitAsync(lead, asked, "#bestaetigung form")).StatusCode);
            var id = await app.Db.QuerySingleAsync<long>("SELECT MAX(id) FROM absences");
            var listed = await ParseAsync(await lead.GetAsync("/Pool"));
            var row = listed.QuerySelectorAll("section[aria-labelledby=abwesenheiten] tbody tr").Single(r => r.TextContent.Contains($"{today.AddDays(20):dd.MM.yyyy}"));
            Assert.Contains($"{today.AddDays(24):dd.MM.yyyy}", row.TextContent);

            // Change it: a bad range is named next to the field and changes nothing; a good one is saved.
            var edit = await ParseAsync(await lead.GetAsync($"/Pool?aendern={id}"));
            Assert.Equal(Iso(today.AddDays(20)), edit.QuerySelector<IHtmlInputElement>("#abwesenheit-aendern-von")!.Value);
            var bad = await ParseAsync(await SubmitAsync(lead, edit, "form[action*='handler=UpdateAbsence']", new() { ["EditFrom"] = Iso(today.AddDays(30)), ["EditTo"] = Iso(today.AddDays(25)) }));
            Assert.Contains("vor dem Beginn", bad.GetElementById("abwesenheit-aendern-bis-fehler")!.TextContent);
            Assert.Equal(today.AddDays(24), await app.Db.QuerySingleAsync<DateOnly>("SELECT to_date FROM absences WHERE id = @Id", new { Id = id }));
            var changed = await SubmitAsync(lead, edit, "form[action*='handler=UpdateAbsence']", new() { ["EditFrom"] = Iso(today.AddDays(21)), ["EditTo"] = Iso(today.AddDays(28)) });
            Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
            Assert.Equal(today.AddDays(28), await app.Db.QuerySingleAsync<DateOnly>("SELECT to_date FROM absences WHERE id = @Id", new { Id = id }));

            // Another municipality's team lead neither sees nor changes an absence of Ludwigshafen: not found.
            var otherLead = await SignedInAsync("frankenthal.teamleitung");
            var theirPool = await ParseAsync(await otherLead.GetAsync("/Pool"));
            Assert.DoesNotContain(theirPool.QuerySelectorAll("section[aria-labelledby=abwesenheiten] tbody tr"), r => r.TextContent.Contains($"{today.AddDays(21):dd.MM.yyyy}"));
            var foreignForm = theirPool.QuerySelector<IHtmlFormElement>("form[action*='handler=Absence']")!;
            foreignForm.SetAttribute("action", $"/Pool?handler=CancelAbsence&id={id}");
            Assert.Equal(HttpStatusCode.NotFound, (await SubmitAsync(otherLead, theirPool, "form[action*='handler=CancelAbsence']", new() { ["Confirmed"] = "true" })).StatusCode);
            Assert.Equal(1, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM absences WHERE id = @Id", new { Id = id }));

            // Cancel it: asked first, then gone.
            var again = await ParseAsync(await lead.GetAsync("/Pool"));
            var cancelForm = $"form[action*='handler=CancelAbsence'][action*='id={id}']";
            var question = await ParseAsync(await SubmitAsync(lead, again, cancelForm));
            Assert.Contains("aufheben?", question.QuerySelector("#bestaetigung h2")!.TextContent);
            Assert.Equal(1, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM absences WHERE id = @Id", new { Id = id }));
            Assert.Equal(HttpStatusCode.Redirect, (await SubmitAsync(lead, question, "#bestaetigung form")).StatusCode);
            Assert.Equal(0, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM absences WHERE id = @Id", new { Id = id }));

        }
        finally
        {
            await app.Db.ExecuteAsync("DELETE FROM absences WHERE id > @Last", new { Last = lastAbsence });
        }
    }

    [SkippableFact]
    public async Task Arbeitskorb_OwnList_SearchesByReference_AndKeepsTheFilterInTheUrl()
    {
        var clerk = await SignedInAsync("frankenthal.sachbearbeitung");
        var path = await ClaimKfzAsync(clerk);
        var reference = await app.Db.QuerySingleAsync<string>("SELECT reference FROM cases WHERE id = @Id", new { Id = CaseId(path) });
        var page = await ParseAsync(await clerk.GetAsync($"/Arbeitskorb?q={reference[^6..]}&service=kfz-zulassung&sortierung=eingang"));
        var rows = page.QuerySelectorAll("#meine-tabelle ~ tbody tr, table:has(#meine-tabelle) tbody tr").ToList();
        Assert.Contains(rows, r => r.TextContent.Contains(reference));
        Assert.All(rows, r => Assert.Contains(reference[^6..], r.Children[0].TextContent));
        Assert.Equal(reference[^6..], page.QuerySelector<IHtmlInputElement>("#meine-suche")!.Value);
        Assert.Equal("eingang", page.QuerySelector<IHtmlSelectElement>("#meine-sortierung")!.Value);
        var none = await ParseAsync(await clerk.GetAsync("/Arbeitskorb?q=gibt-es-nicht"));
        Assert.Contains("passt zu Suche und Filter", none.QuerySelector("section[aria-labelledby=meine-titel] [role=status]")!.TextContent);
    }

    [SkippableFact]
    public async Task PoolList_FiltersSortsAndPages_AndAssignsSeveralCasesAtOnce()
    {
        var lead = await SignedInAsync("ludwigshafen.teamleitung");
        var page = await ParseAsync(await lead.GetAsync("/Pool?service=kfz-zulassung&stand=open"));
        var rows = page.QuerySelectorAll("section[aria-labelledby=vorgaenge] tbody tr").ToList();
        Assert.True(rows.Count >= 2, "need two free Kfz cases");
        Assert.All(rows, r =>
        {
            Assert.Equal("Kfz-Zulassung", r.Children[3].TextContent.Trim());
            Assert.Equal("im Pool", r.Children[4].TextContent.Trim());
            Assert.Equal("–", r.Children[7].TextContent.Trim());
        });
        // Sorted by due date (the default), earliest first.
        var dues = rows.Select(r => DateOnly.ParseExact(r.Children[6].QuerySelector("span")!.TextContent.Trim(), "dd.MM.yyyy", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(dues.Order().ToList(), dues);
        Assert.Equal("kfz-zulassung", page.QuerySelector<IHtmlSelectElement>("#liste-leistung")!.Value);

        // Nothing ticked: the message next to the list, nothing changes.
        var none = await ParseAsync(await SubmitAsync(lead, page, "form[action*='handler=AssignMany']", new() { ["BulkTarget"] = "pool" }));
        Assert.Contains("mindestens einen Vorgang", none.GetElementById("sammel-vorgaenge-fehler")!.TextContent);

        // Two ticked, to a clerk of Ludwigshafen: both assigned, and the list keeps its filter.
        var ids = rows.Take(2).Select(r => r.QuerySelector<IHtmlInputElement>("input[name=SelectedCases]")!.Value).ToList();
        var clerkId = await app.Db.QuerySingleAsync<long>("SELECT id FROM users WHERE username = 'ludwigshafen.sachbearbeitung'");
        var form = page.QuerySelector<IHtmlFormElement>("form[action*='handler=AssignMany']")!;
        var token = form.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        var fields = new List<KeyValuePair<string, string>> { new("__RequestVerificationToken", token), new("BulkTarget", clerkId.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        fields.AddRange(ids.Select(id => new KeyValuePair<string, string>("SelectedCases", id)));
        var leadId = await app.Db.QuerySingleAsync<long>("SELECT id FROM users WHERE username = 'ludwigshafen.teamleitung'");
        const string reads = "SELECT COUNT(*) FROM audit_log WHERE actor_user_id = @Lead AND action = 'case.read'";
        var readsBefore = await app.Db.QuerySingleAsync<long>(reads, new { Lead = leadId });
        var assigned = await lead.PostAsync(form.GetAttribute("action"), new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.Redirect, assigned.StatusCode);
        Assert.Contains("service=kfz-zulassung", assigned.Headers.Location!.OriginalString);
        foreach (var id in ids)
            Assert.Equal(("assigned", (long?)clerkId), await app.Db.QuerySingleAsync<(string, long?)>("SELECT status, assigned_user_id FROM cases WHERE id = @Id", new { Id = id }));
        // Assigning is audited as such (case.reassigned), not as a read of each file.
        Assert.Equal(readsBefore, await app.Db.QuerySingleAsync<long>(reads, new { Lead = leadId }));
        var after = await ParseAsync(await lead.GetAsync(assigned.Headers.Location));
        Assert.Contains("2 Vorgänge sind jetzt", after.QuerySelector("[role=status]")!.TextContent);

        // Back to the pool, also in one go.
        fields[1] = new("BulkTarget", "pool");
        Assert.Equal(HttpStatusCode.Redirect, (await lead.PostAsync(form.GetAttribute("action"), new FormUrlEncodedContent(fields))).StatusCode);
        foreach (var id in ids)
            Assert.Equal("open", await app.Db.QuerySingleAsync<string>("SELECT status FROM cases WHERE id = @Id", new { Id = id }));

        // A bad filter value is named next to its field.
        var bad = await ParseAsync(await lead.GetAsync("/Pool?stand=verloren"));
        Assert.Contains("aus der Liste", bad.GetElementById("liste-stand-fehler")!.TextContent);
    }

    [SkippableFact]
    public async Task Arbeitskorb_CountsCannotBeMisread_AndOnlyACardWithFreeCasesHasAButton()
    {
        var clerk = await SignedInAsync("speyer.sachbearbeitung");
        var workbench = await ParseAsync(await clerk.GetAsync("/Arbeitskorb"));
        var cards = workbench.QuerySelectorAll(".oikz-cards .kern-card").ToList();
        Assert.NotEmpty(cards);
        foreach (var card in cards)
        {
            var count = card.QuerySelector(".oikz-slot-count")!.TextContent.Trim();
            Assert.Matches(@"^(Kein Vorgang frei|[0-9.]+ frei, davon [0-9.]+ überfällig)$", count);
            Assert.Equal(count != "Kein Vorgang frei", card.QuerySelector("form[action*='handler=Claim'] button") is not null);
            if (count != "Kein Vorgang frei")
            {
                var numbers = System.Text.RegularExpressions.Regex.Matches(count, "[0-9.]+").Select(m => int.Parse(m.Value.Replace(".", ""), System.Globalization.CultureInfo.InvariantCulture)).ToList();
                Assert.True(numbers[1] <= numbers[0], count);
            }
        }
    }

    [SkippableFact]
    public async Task Claim_ThroughTheWorkbench_HandsItsCaseFileToTheCasePage_WithoutReadingItAgain()
    {
        // A Frankenthal case overdue long ago is the most urgent of the Kfz pool: a Ludwigshafen clerk gets it, a foreign case.
        var portal = await OpenIkz.Tests.Backoffice.BackofficeFixture.PortalAsync(app, FrankenthalAgs);
        var caseId = await OpenIkz.Tests.Backoffice.BackofficeFixture.SubmitOkAsync(portal, OpenIkz.Tests.Backoffice.BackofficeFixture.KfzApplication(familyName: "Uebergabe"));
        await app.Db.ExecuteAsync("UPDATE cases SET due_date = @Due WHERE id = @Id", new { Due = new DateOnly(2001, 1, 1), Id = caseId });
        var clerk = await SignedInAsync("ludwigshafen.sachbearbeitung");
        var path = await ClaimKfzAsync(clerk);
        Assert.Equal("/Vorgaenge/" + caseId, path);
        Task<int> Reads() => OpenIkz.Tests.Backoffice.BackofficeFixture.CountAsync(app, "audit_log", "case_id = @Id AND action = 'case.read'", new { Id = caseId });
        Assert.Equal(1, await OpenIkz.Tests.Backoffice.BackofficeFixture.CountAsync(app, "audit_log", "case_id = @Id AND action = 'case.claimed'", new { Id = caseId }));

        var first = await ParseAsync(await clerk.GetAsync(path));
        Assert.Contains("Uebergabe", first.Body!.TextContent);
        Assert.Equal(0, await Reads()); // the file the claim built (and audited as case.claimed) was shown, not loaded again

        var again = await ParseAsync(await clerk.GetAsync(path));
        Assert.Contains("Uebergabe", again.Body!.TextContent);
        Assert.Equal(1, await Reads()); // handed over once: every later view reads under the access rule and is audited
    }
}

public sealed class BackofficePagesTestsSqlite(SqliteApp app) : BackofficePagesTests(app), IClassFixture<SqliteApp>;
public sealed class BackofficePagesTestsPostgres(PostgresApp app) : BackofficePagesTests(app), IClassFixture<PostgresApp>;
