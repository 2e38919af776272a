using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Dom;
using OpenIkz.Demo;
using OpenIkz.Tests.Assessment;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Ui;

/// <summary>
/// The potential-analysis pages (/Potenzialanalyse) as a coordinator's browser uses them: the guided form with German
/// numbers and field errors, the back-office figures, the result page with its charts and tables, the simulation, the
/// agreement draft, the PDF report, and 404/403 as in the API. Runs on SQLite and PostgreSQL.
/// </summary>
public abstract class AssessmentPagesTests(OpenIkzApp fixture)
{
    private const string H = BackofficeFigureQueryTests.Halberstadt, Q = BackofficeFigureQueryTests.Quedlinburg;
    private static readonly System.Globalization.CultureInfo G = System.Globalization.CultureInfo.GetCultureInfo("de-DE");

    private OpenIkzApp app => fixture.Require();

    private async Task<HttpClient> SignedInAsync(string username)
    {
        var browser = app.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(browser, username)).StatusCode);
        return browser;
    }

    private static Task<IDocument> ParseAsync(HttpResponseMessage response) => PagesTests.ParseAsync(response);

    private static string ErrorText(IDocument page, string fieldId) => page.GetElementById(fieldId + "-fehler")?.TextContent.Trim() ?? "";

    /// <summary>The form of Halberstadt and Quedlinburg for Wohngeld, as the browser's field values (German numbers).</summary>
    private static Dictionary<string, string> Valid(string title) => new()
    {
        ["Form.Title"] = title,
        ["Form.Partners[0].Ags"] = H,
        ["Form.Partners[1].Ags"] = Q,
        ["Form.Loads[0].Partner"] = "0", ["Form.Loads[0].ServiceGroup"] = "wohngeld|mietzuschuss",
        ["Form.Loads[0].CasesPerYear"] = "1.200", ["Form.Loads[0].MinutesPerCase"] = "90", ["Form.Loads[0].StaffFte"] = "2",
        ["Form.Loads[1].Partner"] = "0", ["Form.Loads[1].ServiceGroup"] = "wohngeld|lastenzuschuss",
        ["Form.Loads[1].CasesPerYear"] = "300", ["Form.Loads[1].MinutesPerCase"] = "120,5", ["Form.Loads[1].StaffFte"] = "0,5",
        ["Form.Loads[2].Partner"] = "1", ["Form.Loads[2].ServiceGroup"] = "wohngeld|mietzuschuss",
        ["Form.Loads[2].CasesPerYear"] = "900", ["Form.Loads[2].MinutesPerCase"] = "90", ["Form.Loads[2].StaffFte"] = "1,5", ["Form.Loads[2].AbsencePercent"] = "20",
        ["Form.OneOffFixed"] = "20.000",
    };

    private async Task<long> DemoAssessmentIdAsync() =>
        await app.Db.QuerySingleAsync<long>("SELECT id FROM assessments WHERE title = @Title", new { Title = DemoAssessments.Title });

    [SkippableFact]
    public async Task Form_WithGermanNumbers_StoresTheAnalysis_AndTheResultPageShowsItsFigures()
    {
        var coordinator = await SignedInAsync("halberstadt.koordination");
        var form = await ParseAsync(await coordinator.GetAsync("/Potenzialanalyse/Neu"));
        Assert.Equal(H, form.QuerySelector<AngleSharp.Html.Dom.IHtmlSelectElement>("#partner-0-kommune")!.Value);
        Assert.Equal("75.000", form.GetElementById("kosten-vzae")!.GetAttribute("value"));
        Assert.Contains("Beispielwert", form.GetElementById("kosten-vzae-hinweis")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("46,72 €", form.GetElementById("kosten-stunde-hinweis")!.TextContent, StringComparison.Ordinal);

        var response = await AgreementPagesTests.SubmitAsync(coordinator, form, "main form", Valid("Wohngeld Harz gemeinsam"));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.Matches("^/Potenzialanalyse/[0-9]+$", location);
        var id = long.Parse(location.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);

        // The API's stored result of the same analysis: the German numbers were read as 1200, 120.5, 0.5, 20 %.
        var stored = await (await app.ApiAsAsync("halberstadt.koordination")).GetFromJsonAsync<JsonElement>($"/api/v1/assessments/{id}");
        var rates = stored.GetProperty("suggestedRates").EnumerateArray().ToList();
        Assert.Equal(2100, rates.Single(r => r.GetProperty("caseGroup").GetString() == "mietzuschuss").GetProperty("casesPerYear").GetDouble());
        Assert.Equal(120.5, rates.Single(r => r.GetProperty("caseGroup").GetString() == "lastenzuschuss").GetProperty("meanMinutesPerCase").GetDouble(), 9);
        var alone = stored.GetProperty("alone").EnumerateArray().ToList();
        Assert.Equal(2.5, alone.Single(a => a.GetProperty("partnerAgs").GetString() == H).GetProperty("currentStaffFte").GetDouble(), 9);
        Assert.Equal(20000, stored.GetProperty("pooled").GetProperty("oneOffCostEur").GetDouble());

        var page = await ParseAsync(await coordinator.GetAsync(location));
        var text = page.Body!.TextContent;
        Assert.Contains("Wohngeld Harz gemeinsam", page.QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
        var saving = stored.GetProperty("saving");
        Assert.Contains(saving.GetProperty("fte").GetDouble().ToString("N2", G) + " VZÄ", text, StringComparison.Ordinal);
        Assert.Contains(saving.GetProperty("eurPerYear").GetDouble().ToString("N0", G) + " €", text, StringComparison.Ordinal);
        Assert.Contains(saving.GetProperty("percent").GetDouble().ToString("N1", G) + " %", text, StringComparison.Ordinal);
        Assert.Contains(stored.GetProperty("fundingThresholdMet").GetBoolean() ? "erreicht (" : "nicht erreicht (", text, StringComparison.Ordinal);
        Assert.Contains("Halberstadt, Wohngeld – Mietzuschuss: Angaben der Koordination im Formular.", text, StringComparison.Ordinal);
        foreach (var shapley in stored.GetProperty("shapley").EnumerateArray())
            Assert.Contains(shapley.GetProperty("eurPerYear").GetDouble().ToString("N0", G) + " €", page.GetElementById("aufteilung-titel")!.ParentElement!.TextContent, StringComparison.Ordinal);
        var mietzuschuss = rates.Single(r => r.GetProperty("caseGroup").GetString() == "mietzuschuss").GetProperty("costPerCaseEuro").GetDouble();
        Assert.Contains(mietzuschuss.ToString("N2", G) + " €", page.GetElementById("pauschalen-titel")!.ParentElement!.TextContent, StringComparison.Ordinal);

        // Every chart has its table right after it, and the chart's figures are JSON for statistik.js.
        var charts = page.QuerySelectorAll("canvas[data-chart]").ToList();
        Assert.Equal(5, charts.Count); // staff, one waiting-time chart (one service), absence, break-even, split
        foreach (var canvas in charts)
        {
            Assert.NotNull(canvas.ParentElement!.NextElementSibling?.QuerySelector("table"));
            var spec = JsonDocument.Parse(canvas.GetAttribute("data-chart")!).RootElement;
            Assert.True(spec.GetProperty("labels").GetArrayLength() > 0);
        }
        Assert.NotNull(page.QuerySelector("script[src^='/js/statistik.js']"));
        Assert.NotNull(page.QuerySelector("a[href='/Potenzialanalyse/" + id + "/Bericht']"));

        // The list shows it.
        var list = await ParseAsync(await coordinator.GetAsync("/Potenzialanalyse"));
        Assert.NotNull(list.QuerySelector($"a[href='/Potenzialanalyse/{id}']"));
    }

    [SkippableFact]
    public async Task Form_BadInput_ShowsGermanErrorsNextToTheFields_AndStoresNothing()
    {
        var coordinator = await SignedInAsync("halberstadt.koordination");
        var form = await ParseAsync(await coordinator.GetAsync("/Potenzialanalyse/Neu"));
        var before = await app.CountAsync("assessments");
        var values = Valid("");
        values["Form.Loads[0].CasesPerYear"] = "1,234.5";
        values["Form.Loads[0].MinutesPerCase"] = "viel";
        values["Form.Loads[1].StaffFte"] = "";
        values["Form.Loads[2].AbsencePercent"] = "20";
        values["Form.Loads[3].Partner"] = "3"; // partner row 4 is empty
        values["Form.Loads[3].ServiceGroup"] = "wohngeld|";
        values["Form.Loads[3].CasesPerYear"] = "10";
        values["Form.Loads[3].MinutesPerCase"] = "10";
        values["Form.Loads[3].StaffFte"] = "0";
        values["Form.HoursPerDay"] = "7.8";
        var response = await AgreementPagesTests.SubmitAsync(coordinator, form, "main form", values);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await ParseAsync(response);

        Assert.Contains("„1,234.5“ ist keine Zahl im deutschen Format", ErrorText(page, "zeile-0-faelle"), StringComparison.Ordinal);
        Assert.Contains("Minuten je Fall", ErrorText(page, "zeile-0-minuten"), StringComparison.Ordinal);
        Assert.Contains("Bitte eine Zahl angeben", ErrorText(page, "zeile-1-personal"), StringComparison.Ordinal);
        Assert.Contains("einen der oben gewählten Partner", ErrorText(page, "zeile-3-partner"), StringComparison.Ordinal);
        Assert.Contains("„7.8“ ist keine Zahl im deutschen Format", ErrorText(page, "stunden"), StringComparison.Ordinal);
        Assert.Equal("true", page.GetElementById("zeile-0-faelle")!.GetAttribute("aria-invalid"));
        Assert.Contains("zeile-0-faelle-fehler", page.GetElementById("zeile-0-faelle")!.GetAttribute("aria-describedby"), StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector(".kern-alert--danger a[href='#zeile-0-faelle']"));
        Assert.Equal("1,234.5", page.GetElementById("zeile-0-faelle")!.GetAttribute("value")); // what was typed stays
        Assert.Equal(before, await app.CountAsync("assessments"));

        // Readable numbers, but the domain refuses: the title and a negative figure, each next to its field.
        values = Valid("");
        values["Form.Loads[2].MinutesPerCase"] = "-5";
        values["Form.AbsencePercent"] = "100";
        page = await ParseAsync(await AgreementPagesTests.SubmitAsync(coordinator, form, "main form", values));
        Assert.NotEqual("", ErrorText(page, "titel"));
        Assert.NotEqual("", ErrorText(page, "zeile-2-minuten"));
        Assert.NotEqual("", ErrorText(page, "ausfall"));
        Assert.Equal(before, await app.CountAsync("assessments"));

        // One's own municipality must be a partner.
        values = Valid("Ohne mich");
        values["Form.Partners[0].Ags"] = "15085330";
        page = await ParseAsync(await AgreementPagesTests.SubmitAsync(coordinator, form, "main form", values));
        Assert.Contains("muss zu den Partnern gehören", ErrorText(page, "partner"), StringComparison.Ordinal);
        Assert.Equal(before, await app.CountAsync("assessments"));
    }

    [SkippableFact]
    public async Task BackofficeFigures_AreTakenIntoTheForm_WithTheirSource_OnlyForPartnersWhoseFiguresMayBeRead()
    {
        var now = app.Clock.GetUtcNow().UtcDateTime;
        await BackofficeFigureQueryTests.InsertCaseAsync(app, H, "elterngeld", null, now.AddDays(-400), now.AddDays(-400), now.AddDays(-399));
        for (var i = 0; i < 4; i++)
            await BackofficeFigureQueryTests.InsertCaseAsync(app, H, "elterngeld", null, now.AddDays(-60 + i), now.AddDays(-50 + i), now.AddDays(-50 + i).AddMinutes(40 + 20 * i));

        var coordinator = await SignedInAsync("halberstadt.koordination");
        var form = await ParseAsync(await coordinator.GetAsync("/Potenzialanalyse/Neu"));
        var values = new Dictionary<string, string>
        {
            ["Form.Title"] = "Elterngeld aus dem Back Office",
            ["Form.Partners[0].Ags"] = H, ["Form.Partners[0].FromBackoffice"] = "true",
            ["Form.Partners[1].Ags"] = Q,
            ["Form.Loads[0].Partner"] = "0", ["Form.Loads[0].ServiceGroup"] = "elterngeld|", ["Form.Loads[0].StaffFte"] = "1",
            ["Form.Loads[1].Partner"] = "1", ["Form.Loads[1].ServiceGroup"] = "elterngeld|", ["Form.Loads[1].StaffFte"] = "1",
            ["Form.Loads[1].CasesPerYear"] = "500", ["Form.Loads[1].MinutesPerCase"] = "100",
        };
        var before = await app.CountAsync("assessments");
        var page = await ParseAsync(await AgreementPagesTests.SubmitAsync(coordinator, form, "main form", values, formAction: "/Potenzialanalyse/Neu?handler=Uebernehmen"));
        Assert.Equal("4", page.GetElementById("zeile-0-faelle")!.GetAttribute("value"));
        Assert.Equal("70,0", page.GetElementById("zeile-0-minuten")!.GetAttribute("value")); // (40 + 60 + 80 + 100) / 4
        Assert.Equal("500", page.GetElementById("zeile-1-faelle")!.GetAttribute("value")); // Quedlinburg is not marked: unchanged
        Assert.Contains("gespeichert ist noch nichts", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(before, await app.CountAsync("assessments"));

        // Stored with the figures and the source named.
        var response = await AgreementPagesTests.SubmitAsync(coordinator, page, "main form");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var result = await ParseAsync(await coordinator.GetAsync(response.Headers.Location!.OriginalString));
        var sources = result.GetElementById("herkunft")!.ParentElement!.TextContent;
        Assert.Contains("Halberstadt, Elterngeld: Back Office", sources, StringComparison.Ordinal);
        Assert.Contains("4 eingegangene Vorgänge, 70,0 Minuten je Fall", sources, StringComparison.Ordinal);
        Assert.Contains("Quedlinburg, Elterngeld: Angaben der Koordination im Formular.", sources, StringComparison.Ordinal);

        // Quedlinburg's figures: Halberstadt shares no agreement with it, so they are refused next to its checkbox.
        values["Form.Partners[1].FromBackoffice"] = "true";
        page = await ParseAsync(await AgreementPagesTests.SubmitAsync(coordinator, form, "main form", values));
        Assert.Contains("kann Ihre Kommune nicht übernehmen", ErrorText(page, "partner-1-backoffice"), StringComparison.Ordinal);
        // A service without cases in the back office is said next to the row.
        values["Form.Partners[1].FromBackoffice"] = "false";
        values["Form.Loads[0].ServiceGroup"] = "grundsicherung|";
        page = await ParseAsync(await AgreementPagesTests.SubmitAsync(coordinator, form, "main form", values));
        Assert.Contains("keine Vorgänge der Leistung Grundsicherung", ErrorText(page, "zeile-0-faelle"), StringComparison.Ordinal);
        Assert.Equal(before + 1, await app.CountAsync("assessments"));
    }

    [SkippableFact]
    public async Task DemoAssessment_IsLabelledAsExampleFigures_AndSimulates_AndRendersAValidPdf()
    {
        var id = await DemoAssessmentIdAsync();
        var lead = await SignedInAsync("ludwigshafen.teamleitung");
        var page = await ParseAsync(await lead.GetAsync($"/Potenzialanalyse/{id}"));
        var text = page.Body!.TextContent;
        Assert.Contains("Beispielzahlen", page.GetElementById("beispiel-titel")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("1,3 % Elterngeldanträge je Einwohner", text, StringComparison.Ordinal);
        foreach (var name in new[] { "Speyer", "Frankenthal (Pfalz)", "Ludwigshafen am Rhein", "Rhein-Pfalz-Kreis" }) Assert.Contains(name, text, StringComparison.Ordinal);
        Assert.Null(page.QuerySelector("form[action*='Entwurf']")); // a team lead reads, does not draft

        // The simulation: bad figures next to the fields; then a run with a seed shows its table.
        var bad = await AgreementPagesTests.SubmitAsync(lead, page, "form[action*='Simulation']", new() { ["Days"] = "0", ["Seed"] = "x" });
        var badPage = await ParseAsync(bad);
        Assert.Contains("ganze Zahl von 1 bis 3.660", ErrorText(badPage, "simulation-tage"), StringComparison.Ordinal);
        Assert.Contains("keine Zahl", ErrorText(badPage, "simulation-startwert"), StringComparison.Ordinal);
        var run = await ParseAsync(await AgreementPagesTests.SubmitAsync(lead, page, "form[action*='Simulation']", new() { ["Days"] = "60", ["Seed"] = "7" }));
        var sim = run.GetElementById("simulation-titel");
        Assert.NotNull(sim);
        Assert.Contains("60 Tage, Startwert 7", sim.TextContent, StringComparison.Ordinal);
        Assert.Equal(8, sim.ParentElement!.QuerySelectorAll("tbody tr").Length); // 4 partners, alone and pooled

        // The PDF report: PDF/A through the app's writer, readable with poppler, with the key figures.
        var pdfResponse = await lead.GetAsync($"/Potenzialanalyse/{id}/Bericht");
        Assert.Equal(HttpStatusCode.OK, pdfResponse.StatusCode);
        Assert.Equal("application/pdf", pdfResponse.Content.Headers.ContentType!.MediaType);
        var pdf = await pdfResponse.Content.ReadAsByteArrayAsync();
        Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString(pdf, 0, 8), StringComparison.Ordinal);
        Assert.Contains("pdfaid:part", System.Text.Encoding.Latin1.GetString(pdf), StringComparison.Ordinal);
        var stored = await (await app.ApiAsAsync("ludwigshafen.teamleitung")).GetFromJsonAsync<JsonElement>($"/api/v1/assessments/{id}");
        var saving = stored.GetProperty("saving");
        Poppler.AssertReadable(pdf, "Potenzialanalyse", DemoAssessments.Title, "Beispielzahlen", "Ludwigshafen am Rhein", "Rhein-Pfalz-Kreis",
            saving.GetProperty("fte").GetDouble().ToString("N2", G) + " VZÄ",
            saving.GetProperty("eurPerYear").GetDouble().ToString("N0", G) + " €",
            "Shapley-Wert", "Förderschwelle 15,0 %");
    }

    [SkippableFact]
    public async Task DraftAgreement_RedirectsToTheDraft_AndASecondTimeSaysSoInGerman()
    {
        var api = await app.ApiAsAsync("halberstadt.koordination");
        var created = await api.PostAsJsonAsync("/api/v1/assessments", new
        {
            title = "Entwurf aus der Analyse", partners = new[] { H, Q },
            loads = new object[]
            {
                new { partnerAgs = H, service = "wohngeld", staffFte = 2.0, caseGroups = new[] { new { caseGroup = "mietzuschuss", casesPerYear = 1200.0, minutesPerCase = 90.0 } } },
                new { partnerAgs = Q, service = "wohngeld", staffFte = 1.0, caseGroups = new[] { new { caseGroup = "mietzuschuss", casesPerYear = 600.0, minutesPerCase = 90.0 } } },
            },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var coordinator = await SignedInAsync("quedlinburg.koordination");
        var page = await ParseAsync(await coordinator.GetAsync($"/Potenzialanalyse/{id}"));
        var response = await AgreementPagesTests.SubmitAsync(coordinator, page, "form[action*='Entwurf']");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Matches("^/Vereinbarungen/[0-9]+$", response.Headers.Location!.OriginalString);
        var agreementId = response.Headers.Location!.OriginalString.Split('/')[^1];

        // A second time (the old page still open): no second draft, a German message, and the link to the draft.
        var again = await AgreementPagesTests.SubmitAsync(coordinator, page, "form[action*='Entwurf']");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var againPage = await ParseAsync(again);
        Assert.Contains($"bereits die Vereinbarung {agreementId} entworfen", againPage.QuerySelector(".kern-alert--danger")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(againPage.QuerySelector($"a[href='/Vereinbarungen/{agreementId}']"));
        Assert.Equal(1, await app.CountAsync("agreements", "title = @T", new { T = "Entwurf aus der Analyse" }));
    }

    [SkippableFact]
    public async Task OthersGet404_RolesThatMayNotGet403_AsInTheApi()
    {
        var id = await DemoAssessmentIdAsync();
        var other = await SignedInAsync("thale.koordination");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/Potenzialanalyse/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/Potenzialanalyse/{id}/Bericht")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("/Potenzialanalyse/999999999")).StatusCode);
        var list = await ParseAsync(await other.GetAsync("/Potenzialanalyse"));
        Assert.Null(list.QuerySelector($"a[href='/Potenzialanalyse/{id}']"));

        // A clerk may not read analyses at all (the API's 403): the access-denied page.
        var clerk = await SignedInAsync("speyer.sachbearbeitung");
        var denied = await clerk.GetAsync($"/Potenzialanalyse/{id}");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/Fehler/403", new Uri(new Uri("https://localhost"), denied.Headers.Location!).AbsolutePath, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await clerk.GetAsync("/Potenzialanalyse/Neu")).StatusCode);

        // A team lead of a partner reads, but drafting is the Koordination's: 403.
        var lead = await SignedInAsync("speyer.teamleitung");
        var page = await ParseAsync(await lead.GetAsync($"/Potenzialanalyse/{id}"));
        var token = page.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        var draft = await lead.PostAsync($"/Potenzialanalyse/{id}?handler=Entwurf", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Redirect, draft.StatusCode); // the cookie scheme answers a 403 with the access-denied page
        Assert.StartsWith("/Fehler/403", new Uri(new Uri("https://localhost"), draft.Headers.Location!).AbsolutePath, StringComparison.Ordinal);
        Assert.Equal(0, await app.CountAsync("agreements", "title = @T", new { T = DemoAssessments.Title }));
        Assert.Equal(HttpStatusCode.Redirect, (await lead.GetAsync("/Potenzialanalyse/Neu")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await app.Browser().GetAsync("/Potenzialanalyse")).StatusCode); // anonymous: to the login
    }
}

public sealed class AssessmentPagesTestsSqlite(SqliteApp app) : AssessmentPagesTests(app), IClassFixture<SqliteApp>;
public sealed class AssessmentPagesTestsPostgres(PostgresApp app) : AssessmentPagesTests(app), IClassFixture<PostgresApp>;
