using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Ui;

/// <summary>The agreement pages (Vereinbarungen, Abrechnungen) used as a coordinator's browser does.</summary>
public sealed class AgreementPagesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private const string Thale = "15085330", Wernigerode = "15085370";

    private static Task<IDocument> ParseAsync(HttpResponseMessage response) => PagesTests.ParseAsync(response);

    private async Task<HttpClient> SignedInAsync(string username)
    {
        var browser = app.Browser();
        var login = await PagesTests.LoginAsync(browser, username);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        return browser;
    }

    /// <summary>Sends a form as the browser would: its current fields (token, checked boxes, selected options, text) with
    /// <paramref name="values"/> replacing fields of the same name and <paramref name="extra"/> added (repeated names).</summary>
    internal static async Task<HttpResponseMessage> SubmitAsync(HttpClient browser, IDocument page, string formSelector,
        Dictionary<string, string>? values = null, IEnumerable<(string Name, string Value)>? extra = null, string? formAction = null)
    {
        var form = page.QuerySelector<IHtmlFormElement>(formSelector) ?? throw new InvalidOperationException($"No form '{formSelector}' on {page.Url}");
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var input in form.QuerySelectorAll<IHtmlInputElement>("input[name]"))
            if (input.Type is "hidden" or "text" or "date" || (input.Type is "radio" or "checkbox" && input.IsChecked))
                fields.Add(new(input.Name!, input.Value));
        foreach (var select in form.QuerySelectorAll<IHtmlSelectElement>("select[name]"))
            fields.Add(new(select.Name!, select.SelectedOptions.FirstOrDefault()?.Value ?? ""));
        foreach (var area in form.QuerySelectorAll<IHtmlTextAreaElement>("textarea[name]"))
            fields.Add(new(area.Name!, area.Value));
        foreach (var (k, v) in values ?? [])
        {
            fields.RemoveAll(f => f.Key == k);
            fields.Add(new(k, v));
        }
        foreach (var (k, v) in extra ?? []) fields.Add(new(k, v));
        var action = formAction ?? form.GetAttribute("action");
        var target = string.IsNullOrEmpty(action) ? page.Url : action;
        return await browser.PostAsync(target, new FormUrlEncodedContent(fields));
    }

    /// <summary>A valid Arbeitsgemeinschaft of Thale and Wernigerode for Wohngeld under GKG-LSA, as the form's field values.</summary>
    private static (Dictionary<string, string> Values, List<(string, string)> Extra) ValidAgreement(string title, string flat = "45,00",
        string legalForm = "arbeitsgemeinschaft", string stateLaw = "gkg-lsa") =>
        (new()
        {
            ["Form.Title"] = title,
            ["Form.Members[0].Ags"] = Thale,
            ["Form.Members[0].Cases"] = "true",
            ["Form.Members[0].Staff"] = "true",
            ["Form.Members[1].Ags"] = Wernigerode,
            ["Form.Members[1].Cases"] = "true",
            ["Form.Members[1].Staff"] = "true",
            ["Form.Members[1].Share"] = "40",
            ["Form.StateLaw"] = stateLaw,
            ["Form.LegalForm"] = legalForm,
            ["Form.ValidFrom"] = DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd"),
            ["Form.NoticeMonths"] = "6",
            ["Form.DataProtection"] = "Jede Kommune bleibt Verantwortliche; die bearbeitende Kommune verarbeitet im Auftrag (Art. 28 DSGVO).",
            [$"Form.Flat[{OpenIkz.Pages.Vereinbarungen.AgreementForm.Slots.Single(x => x.Service == "wohngeld" && x.CaseGroup == "").Index}]"] = flat,
            ["Form.FeeRule"] = "owner",
        }, [("Form.Services", "wohngeld")]);

    private static int StepOf(IDocument page) => int.Parse(page.QuerySelector<IHtmlInputElement>("main form input[name=Step]")!.Value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Goes through the guided form as a browser does, from the step shown to <paramref name="until"/>: on each step it
    /// fills in the values whose fields that step shows and presses "Weiter". Returns the page after the last press.
    /// </summary>
    internal static async Task<IDocument> WalkAsync(HttpClient browser, IDocument page, Dictionary<string, string> values, List<(string Name, string Value)> extra, int until)
    {
        while (StepOf(page) < until)
        {
            bool Shown(string name) => page.QuerySelector($"main form [name='{name}']:not([type=hidden])") is not null;
            var here = values.Where(v => Shown(v.Key)).ToDictionary(v => v.Key, v => v.Value);
            here["Go"] = "weiter";
            var before = StepOf(page);
            var response = await SubmitAsync(browser, page, "main form", here, extra.Where(e => Shown(e.Name)).ToList());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            page = await ParseAsync(response);
            if (StepOf(page) <= before) return page; // stopped by an error
        }
        return page;
    }

    private async Task<string> CreateDraftAsync(HttpClient coordinator, string title)
    {
        var form = await ParseAsync(await coordinator.GetAsync("/Vereinbarungen/Neu"));
        var (values, extra) = ValidAgreement(title);
        var review = await WalkAsync(coordinator, form, values, extra, until: 5);
        Assert.Equal(5, StepOf(review));
        var response = await SubmitAsync(coordinator, review, "main form", new() { ["Go"] = "speichern" });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.Matches("^/Vereinbarungen/[0-9]+$", location);
        return location;
    }

    private Task<long> CountAgreementsAsync() => app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM agreements");

    [Fact]
    public async Task NewAgreement_ThroughTheForm_IsADraft_AndRedirectsToItsPage()
    {
        var coordinator = await SignedInAsync("thale.koordination");
        var list = await ParseAsync(await coordinator.GetAsync("/Vereinbarungen"));
        Assert.Equal("Vereinbarungen", list.QuerySelector("h1")!.TextContent.Trim());
        Assert.NotNull(list.QuerySelector("a[href='/Vereinbarungen/Neu']"));

        // Step by step: the steps are named, the own municipality is filled in, only the chosen service has rate fields,
        // the last step shows the generated document, and nothing is stored before "Entwurf anlegen".
        var form = await ParseAsync(await coordinator.GetAsync("/Vereinbarungen/Neu"));
        Assert.Equal(["Grunddaten", "Mitglieder", "Recht und Form", "Leistungen und Schlüssel", "Laufzeit", "Prüfen"],
            form.QuerySelectorAll("nav ol.oikz-steps li").Select(li => System.Text.RegularExpressions.Regex.Replace(li.TextContent, "\\s+", " ").Trim()[2..]));
        Assert.Equal("step", form.QuerySelector("nav ol.oikz-steps li")!.GetAttribute("aria-current"));
        Assert.Null(form.GetElementById("rechtsform"));
        var (values, extra) = ValidAgreement("Arbeitsgemeinschaft Wohngeld Thale – Wernigerode");
        var before = await CountAgreementsAsync();
        var members = await WalkAsync(coordinator, form, values, extra, until: 1);
        Assert.Equal(Thale, members.QuerySelector<IHtmlSelectElement>("#mitglied-0-kommune")!.Value);
        Assert.Equal("Schritt 2 von 6: Mitglieder", members.QuerySelector("h2#schritt-titel")!.TextContent.Trim());
        var law = await WalkAsync(coordinator, members, values, extra, until: 2);
        Assert.NotEmpty(law.QuerySelectorAll("select#rechtsform optgroup"));
        var rates = await WalkAsync(coordinator, law, values, extra, until: 3);
        Assert.NotNull(rates.GetElementById("satz-wohngeld-alle-pauschale"));
        Assert.Null(rates.GetElementById("satz-kfz-zulassung-alle-pauschale"));
        Assert.Null(rates.GetElementById("gebuehrenregel-share")); // Wohngeld bears no fee: no fee rule to choose
        var review = await WalkAsync(coordinator, rates, values, extra, until: 5);
        var preview = review.QuerySelector("article.oikz-document")!.TextContent;
        Assert.Contains("Arbeitsgemeinschaft Wohngeld Thale – Wernigerode", preview);
        Assert.Contains("Arbeitsgemeinschaft nach dem Gesetz über kommunale Gemeinschaftsarbeit (GKG-LSA) – Fassung 1", preview);
        Assert.Contains("Wernigerode", preview);
        Assert.Equal(before, await CountAgreementsAsync());
        // "Zurück" keeps every entry.
        var back = await ParseAsync(await SubmitAsync(coordinator, review, "main form", new() { ["Go"] = "zurueck" }));
        Assert.Equal(4, StepOf(back));
        Assert.Equal(values["Form.ValidFrom"], back.QuerySelector<IHtmlInputElement>("#beginn")!.Value);

        var path = await CreateDraftAsync(coordinator, "Arbeitsgemeinschaft Wohngeld Thale – Wernigerode");
        var page = await ParseAsync(await coordinator.GetAsync(path));
        Assert.Equal("Arbeitsgemeinschaft Wohngeld Thale – Wernigerode", page.QuerySelector("h1")!.TextContent.Trim());
        var main = page.QuerySelector("main")!.TextContent;
        Assert.Contains("Entwurf", main);
        Assert.Contains("Wernigerode", main);
        Assert.Contains("45,00 €", main);
        Assert.NotNull(page.QuerySelector("form[action*='handler=Consent'] button"));
        Assert.NotNull(page.QuerySelector($"a[href='{path}/Bearbeiten']"));
        Assert.NotNull(page.QuerySelector($"a[href='/api/v1/agreements/{path["/Vereinbarungen/".Length..]}/document.pdf?version=1']"));

        var again = await ParseAsync(await coordinator.GetAsync("/Vereinbarungen"));
        Assert.NotNull(again.QuerySelector($"table a[href='{path}']"));
    }

    [Fact]
    public async Task AmountPerAppointment_InTheFinancingKey_IsCheckedAtItsField_ShownInThePreview_AndStored()
    {
        var coordinator = await SignedInAsync("thale.koordination");
        var slot = OpenIkz.Pages.Vereinbarungen.AgreementForm.Slots.Single(x => x.Service == "wohngeld" && x.CaseGroup == "").Index;
        var (values, extra) = ValidAgreement("Arbeitsgemeinschaft Termine Thale – Wernigerode");
        values[$"Form.Appointment[{slot}]"] = "-1";
        var before = await CountAgreementsAsync();
        var form = await ParseAsync(await coordinator.GetAsync("/Vereinbarungen/Neu"));
        var refused = await WalkAsync(coordinator, form, values, extra, until: 5);
        Assert.Equal(3, StepOf(refused));
        Assert.Contains("Die Pauschale je Termin darf nicht negativ sein", refused.GetElementById("satz-wohngeld-alle-termin-fehler")!.TextContent);
        Assert.Equal("true", refused.GetElementById("satz-wohngeld-alle-termin")!.GetAttribute("aria-invalid"));

        values[$"Form.Appointment[{slot}]"] = "7,50";
        var review = await WalkAsync(coordinator, refused, values, extra, until: 5);
        Assert.Equal(5, StepOf(review));
        var preview = review.QuerySelector("article.oikz-document")!.TextContent;
        Assert.Contains("Pauschale je Termin", preview);
        Assert.Contains("7,50 EUR", preview);
        Assert.Equal(before, await CountAgreementsAsync());
        var saved = await SubmitAsync(coordinator, review, "main form", new() { ["Go"] = "speichern" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var id = long.Parse(saved.Headers.Location!.OriginalString["/Vereinbarungen/".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(750, await app.Db.QuerySingleAsync<long>("SELECT appointment_cents FROM agreement_rates WHERE agreement_id = @Id AND case_group = ''", new { Id = id }));
        var page = await ParseAsync(await coordinator.GetAsync(saved.Headers.Location!.OriginalString));
        Assert.NotNull(page.QuerySelectorAll("th").FirstOrDefault(th => th.TextContent.Trim() == "je Termin"));
        Assert.Contains("7,50 €", page.QuerySelector("main")!.TextContent);
    }

    [Fact]
    public async Task NegativeFlatAmount_ShowsTheGermanErrorNextToItsField_AndSavesNothing()
    {
        var coordinator = await SignedInAsync("thale.koordination");
        var form = await ParseAsync(await coordinator.GetAsync("/Vereinbarungen/Neu"));
        var before = await CountAgreementsAsync();
        var (values, extra) = ValidAgreement("Negativer Satz", flat: "-5,00");

        var page = await WalkAsync(coordinator, form, values, extra, until: 5);
        Assert.Equal(3, StepOf(page)); // held at "Leistungen und Schlüssel"
        Assert.Contains("darf nicht negativ sein", page.GetElementById("satz-wohngeld-alle-pauschale-fehler")!.TextContent);
        Assert.Equal("true", page.GetElementById("satz-wohngeld-alle-pauschale")!.GetAttribute("aria-invalid"));
        Assert.Equal("-5,00", page.GetElementById("satz-wohngeld-alle-pauschale")!.GetAttribute("value"));
        Assert.NotNull(page.QuerySelector("[role=alert] a[href='#satz-wohngeld-alle-pauschale']"));
        Assert.Equal(before, await CountAgreementsAsync());
    }

    [Fact]
    public async Task EmptyForm_ShowsErrorsAtTheFields_AndSavesNothing()
    {
        var coordinator = await SignedInAsync("thale.koordination");
        var form = await ParseAsync(await coordinator.GetAsync("/Vereinbarungen/Neu"));
        var before = await CountAgreementsAsync();
        // Each step is checked in full before the next: an empty first step stays, with its errors at its fields.
        var page = await ParseAsync(await SubmitAsync(coordinator, form, "main form", new() { ["Go"] = "weiter" }));
        Assert.Equal(0, StepOf(page));
        foreach (var id in new[] { "titel", "leistung-0" })
            Assert.True(page.GetElementById(id + "-fehler") is not null, $"no error next to #{id}");
        Assert.NotNull(page.QuerySelector("#fehlerliste[autofocus]"));
        var (values, extra) = ValidAgreement("Leere Schritte");
        var step0 = new Dictionary<string, string> { ["Form.Title"] = values["Form.Title"] };
        var members = await WalkAsync(coordinator, page, step0, extra, until: 1);
        Assert.Equal(1, StepOf(members));
        // The own municipality alone is not enough: the step's own error, at its field.
        var stillMembers = await ParseAsync(await SubmitAsync(coordinator, members, "main form", new() { ["Go"] = "weiter" }));
        Assert.Equal(1, StepOf(stillMembers));
        Assert.Contains("mindestens zwei Mitglieder", stillMembers.GetElementById("mitglieder-fehler")!.TextContent);
        Assert.Null(stillMembers.GetElementById("landesrecht-fehler"));
        Assert.Equal(before, await CountAgreementsAsync());
    }

    [Fact]
    public async Task LegalFormOfAnotherStateLaw_ShowsTheErrorAtTheLegalForm()
    {
        var coordinator = await SignedInAsync("thale.koordination");
        var form = await ParseAsync(await coordinator.GetAsync("/Vereinbarungen/Neu"));
        var before = await CountAgreementsAsync();
        var (values, extra) = ValidAgreement("Falsche Rechtsform", legalForm: "oeffentlich-rechtliche-vereinbarung");

        var page = await WalkAsync(coordinator, form, values, extra, until: 5);
        Assert.Equal(2, StepOf(page));
        var error = page.GetElementById("rechtsform-fehler")!.TextContent;
        // In the names people know, never the internal keys.
        Assert.Contains("„Öffentlich-rechtliche Vereinbarung“ gibt es nach dem Gesetz über kommunale Gemeinschaftsarbeit (GKG-LSA) nicht", error);
        Assert.DoesNotContain("oeffentlich-rechtliche-vereinbarung", error);
        Assert.Equal("true", page.GetElementById("rechtsform")!.GetAttribute("aria-invalid"));
        Assert.Equal(before, await CountAgreementsAsync());
    }

    [Fact]
    public async Task MembersOutsideTheChosenLaw_SendTheUserBackToTheMembers_NamedAsPeopleKnowThem()
    {
        var coordinator = await SignedInAsync("thale.koordination");
        var form = await ParseAsync(await coordinator.GetAsync("/Vereinbarungen/Neu"));
        var before = await CountAgreementsAsync();
        var (values, extra) = ValidAgreement("Falsches Landesrecht", legalForm: "zweckverband", stateLaw: "gkg-nrw");

        var page = await WalkAsync(coordinator, form, values, extra, until: 5);
        Assert.Equal(1, StepOf(page)); // "Weiter" on "Recht und Form" found the members of another state
        var error = page.GetElementById("mitglied-0-kommune-fehler")!.TextContent;
        Assert.Contains("Thale liegt nicht im Geltungsbereich des Gesetzes über kommunale Gemeinschaftsarbeit (GkG NRW).", error);
        Assert.DoesNotContain(Thale, error);
        Assert.Contains("Wernigerode liegt nicht im Geltungsbereich", page.GetElementById("mitglied-1-kommune-fehler")!.TextContent);
        Assert.NotNull(page.QuerySelector("[role=alert] a[href='#mitglied-0-kommune']"));
        // The law chosen on the later step is kept.
        Assert.Contains(page.QuerySelectorAll<IHtmlInputElement>("input[type=hidden][name='Form.StateLaw']"), i => i.Value == "gkg-nrw");
        Assert.Equal(before, await CountAgreementsAsync());
    }

    [Fact]
    public async Task ClerkWithoutKoordination_IsForbidden()
    {
        var clerk = await SignedInAsync("frankenthal.sachbearbeitung");
        foreach (var path in new[] { "/Vereinbarungen", "/Vereinbarungen/Neu", "/Vereinbarungen/1" })
        {
            var denied = await clerk.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
            var errorPage = await clerk.GetAsync(denied.Headers.Location);
            Assert.Equal(HttpStatusCode.Forbidden, errorPage.StatusCode);
        }
        var home = await ParseAsync(await clerk.GetAsync("/"));
        Assert.Null(home.QuerySelector("nav a[href='/Vereinbarungen']"));
    }

    [Fact]
    public async Task CoordinatorOfANonMember_GetsNotFound()
    {
        var id = await app.Db.QuerySingleAsync<long>("SELECT id FROM agreements WHERE title LIKE 'Zweckvereinbarung gemeinsame Kfz-Zulassung%'");
        var outsider = await SignedInAsync("thale.koordination");
        var response = await outsider.GetAsync($"/Vereinbarungen/{id}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("nicht gefunden", (await ParseAsync(response)).Body!.TextContent, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync($"/Vereinbarungen/{id}/Bearbeiten")).StatusCode);

        var member = await SignedInAsync("frankenthal.koordination");
        var page = await ParseAsync(await member.GetAsync($"/Vereinbarungen/{id}"));
        Assert.Contains("Kfz-Zulassung", page.QuerySelector("h1")!.TextContent);
        Assert.NotNull(page.QuerySelector("form[action*='handler=Settle'] select[name=Period]"));
        Assert.Null(page.QuerySelector("form[action*='handler=Consent']"));
    }

    [Fact]
    public async Task Consent_ViaTheButton_IsRecordedInTheHistory()
    {
        var coordinator = await SignedInAsync("thale.koordination");
        var path = await CreateDraftAsync(coordinator, "Zustimmungstest Wohngeld");
        var page = await ParseAsync(await coordinator.GetAsync(path));

        var response = await SubmitAsync(coordinator, page, "form[action*='handler=Consent']");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var after = await ParseAsync(await coordinator.GetAsync(response.Headers.Location));
        Assert.Contains("zugestimmt", after.QuerySelector("[role=status]")!.TextContent);
        var history = after.GetElementById("verlauf-titel")!.ParentElement!;
        Assert.Contains(history.QuerySelectorAll("tbody tr"), r => r.Children[3].TextContent.Trim() == "zugestimmt");
        Assert.Null(after.QuerySelector("form[action*='handler=Consent']"));
        Assert.Contains(after.QuerySelectorAll("table tbody tr"), r => r.TextContent.Contains("Thale") && r.TextContent.Contains("zugestimmt am"));

        // The partner consents too: an Arbeitsgemeinschaft needs no approval and takes effect.
        var partner = await SignedInAsync("wernigerode.koordination");
        var partnerPage = await ParseAsync(await partner.GetAsync(path));
        Assert.Equal(HttpStatusCode.Redirect, (await SubmitAsync(partner, partnerPage, "form[action*='handler=Consent']")).StatusCode);
        var final = await ParseAsync(await partner.GetAsync(path));
        Assert.Contains("genehmigt, aktiv ab", final.QuerySelector("main")!.TextContent);
        Assert.NotNull(final.QuerySelector("form[action*='handler=Terminate'] select[name=Reason]"));

        // Terminating asks first, saying what ends when; nothing changes until it is confirmed.
        var id = long.Parse(path["/Vereinbarungen/".Length..], System.Globalization.CultureInfo.InvariantCulture);
        var end = OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(400);
        var asked = await SubmitAsync(partner, final, "form[action*='handler=Terminate']",
            new() { ["EndDate"] = end.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), ["Reason"] = "wirtschaftlichkeit" });
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        var question = await ParseAsync(asked);
        var box = question.GetElementById("bestaetigung")!;
        Assert.Contains($"„Zustimmungstest Wohngeld“ zum {end:dd.MM.yyyy} kündigen?", box.QuerySelector("h2")!.TextContent);
        Assert.Contains("Das andere Mitglied sieht die Kündigung", box.TextContent);
        Assert.Equal("approved", await app.Db.QuerySingleAsync<string>("SELECT status FROM agreements WHERE id = @Id", new { Id = id }));
        var terminated = await SubmitAsync(partner, question, "#bestaetigung form");
        Assert.Equal(HttpStatusCode.Redirect, terminated.StatusCode);
        Assert.Equal("terminated", await app.Db.QuerySingleAsync<string>("SELECT status FROM agreements WHERE id = @Id", new { Id = id }));
        Assert.Contains("gekündigt", (await ParseAsync(await partner.GetAsync(path))).QuerySelector("[role=status]")!.TextContent);
    }

    [Fact]
    public async Task EditingADraft_WalksTheFilledSteps_AndSavesOnlyAtTheEnd()
    {
        var coordinator = await SignedInAsync("thale.koordination");
        var path = await CreateDraftAsync(coordinator, "Entwurf zum Ändern");
        var id = long.Parse(path["/Vereinbarungen/".Length..], System.Globalization.CultureInfo.InvariantCulture);
        var form = await ParseAsync(await coordinator.GetAsync(path + "/Bearbeiten"));
        Assert.Equal("Entwurf zum Ändern", form.QuerySelector<IHtmlInputElement>("#titel")!.Value);
        Assert.Equal("5", form.QuerySelector<IHtmlInputElement>("main form input[name=Reached]")!.Value);

        var review = await WalkAsync(coordinator, form, new() { ["Form.Title"] = "Entwurf, geändert" }, [], until: 5);
        Assert.Equal(5, StepOf(review));
        Assert.Contains("Entwurf, geändert", review.QuerySelector("article.oikz-document")!.TextContent);
        Assert.Equal("Entwurf zum Ändern", await app.Db.QuerySingleAsync<string>("SELECT title FROM agreements WHERE id = @Id", new { Id = id }));
        // "Ändern" on the review goes straight to its step, with the entries kept.
        var members = await ParseAsync(await SubmitAsync(coordinator, review, "main form", new() { ["Go"] = "schritt-1" }));
        Assert.Equal(1, StepOf(members));
        Assert.Equal(Wernigerode, members.QuerySelector<IHtmlSelectElement>("#mitglied-1-kommune")!.Value);
        var again = await WalkAsync(coordinator, members, [], [], until: 5);
        var saved = await SubmitAsync(coordinator, again, "main form", new() { ["Go"] = "speichern" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal("Entwurf, geändert", await app.Db.QuerySingleAsync<string>("SELECT title FROM agreements WHERE id = @Id", new { Id = id }));
    }

    [Fact]
    public async Task EditingAnActiveAgreement_ShowsTheRuleError_AndNoForm()
    {
        var id = await app.Db.QuerySingleAsync<long>("SELECT id FROM agreements WHERE title LIKE 'Zweckvereinbarung gemeinsame Elterngeld%'");
        var coordinator = await SignedInAsync("ludwigshafen.koordination");
        var page = await ParseAsync(await coordinator.GetAsync($"/Vereinbarungen/{id}/Bearbeiten"));
        Assert.Contains("Änderungsvereinbarung", page.QuerySelector("[role=alert]")!.TextContent);
        Assert.Null(page.QuerySelector("main form"));
    }

    [Fact]
    public async Task Settlement_RunFromTheAgreementPage_ShowsStatementsTransfersAndLines()
    {
        var id = await app.Db.QuerySingleAsync<long>("SELECT id FROM agreements WHERE title LIKE 'Zweckvereinbarung gemeinsame Kfz-Zulassung%'");
        await app.Db.ExecuteAsync("INSERT INTO agreement_rates (agreement_id, service_slug, case_group, flat_cents, fee_cents) SELECT @Id, 'kfz-zulassung', '', 1250, NULL WHERE NOT EXISTS (SELECT 1 FROM agreement_rates WHERE agreement_id = @Id)", new { Id = id });
        var coordinator = await SignedInAsync("ludwigshafen.koordination");
        var page = await ParseAsync(await coordinator.GetAsync($"/Vereinbarungen/{id}"));

        // The period is chosen, not typed: months, quarters and years up to the running one, which is marked.
        var nowBerlin = TimeZoneInfo.ConvertTime(app.Clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        var choices = page.QuerySelectorAll("select#abrechnung-zeitraum option").ToDictionary(o => o.GetAttribute("value")!, o => o.TextContent.Trim());
        Assert.Contains("läuft noch", choices[nowBerlin.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Equal(nowBerlin.AddMonths(-1).ToString("MMMM yyyy", System.Globalization.CultureInfo.GetCultureInfo("de-DE")), choices[nowBerlin.AddMonths(-1).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Contains($"Jahr {nowBerlin.Year - 1}", choices.Values);
        Assert.Contains(page.QuerySelectorAll("select#abrechnung-zeitraum optgroup"), g => g.GetAttribute("label") == "Quartale");

        // A value that is none of them (a hand-made request) is still refused by the service, next to the field.
        var invalid = await ParseAsync(await SubmitAsync(coordinator, page, "form[action*='handler=Settle']", new() { ["Period"] = "Sommer" }));
        Assert.Contains("2026-Q3", invalid.GetElementById("abrechnung-zeitraum-fehler")!.TextContent);

        // The current month has not ended: it is only previewed on the agreement page, nothing is stored.
        var now = TimeZoneInfo.ConvertTime(app.Clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        var before = await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM settlements");
        var preview = await SubmitAsync(coordinator, page, "form[action*='handler=Settle']", new() { ["Period"] = now.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Contains("Vorläufige Abrechnung", (await ParseAsync(preview)).GetElementById("vorschau-titel")!.TextContent);
        Assert.Equal(before, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM settlements"));

        // A month that has ended and lies before the last full quarter, which the demo data settles.
        var month = new DateTime(now.Year, (now.Month - 1) / 3 * 3 + 1, 1).AddMonths(-4).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var response = await SubmitAsync(coordinator, page, "form[action*='handler=Settle']", new() { ["Period"] = month });
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, (await ParseAsync(response)).QuerySelector("[role=alert]")?.TextContent);
        Assert.StartsWith("/Abrechnungen/", response.Headers.Location!.OriginalString);
        var settlement = await ParseAsync(await coordinator.GetAsync(response.Headers.Location));
        Assert.Contains($"KA-{id}-{month}", settlement.QuerySelector("h1")!.TextContent);
        Assert.Equal(3, settlement.GetElementById("salden-titel")!.ParentElement!.QuerySelectorAll("tbody tr").Length);
        Assert.Contains(settlement.QuerySelectorAll("a"), a => a.GetAttribute("href")!.EndsWith($"/statements/07314000.pdf", StringComparison.Ordinal));
        Assert.Contains(" €", settlement.QuerySelector("main")!.TextContent);

        var outsider = await SignedInAsync("thale.koordination");
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync(response.Headers.Location)).StatusCode);
    }
}
