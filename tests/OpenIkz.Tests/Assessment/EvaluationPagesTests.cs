using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Dapper;
using OpenIkz.Assessment.Evaluation;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;
using OpenIkz.Tests.Ui;

namespace OpenIkz.Tests.Assessment;

/// <summary>The traffic light and the start page's deadlines, without I/O.</summary>
public sealed class EvaluationOutlookTests
{
    [Theory]
    [InlineData("le", 10, 10, TrafficLight.Met)]
    [InlineData("le", 10, 11, TrafficLight.Close)]     // 1 over a target of 10: exactly 10 %
    [InlineData("le", 10, 11.01, TrafficLight.Missed)]
    [InlineData("le", 5, 5.5, TrafficLight.Close)]
    [InlineData("le", 0, 0.01, TrafficLight.Missed)]  // a target of 0 has no tolerance
    [InlineData("ge", 15, 13.5, TrafficLight.Close)]
    [InlineData("ge", 15, 13.49, TrafficLight.Missed)]
    [InlineData("ge", 15, 20, TrafficLight.Met)]
    public void Light_FollowsTheTenPercentTolerance(string comparison, double target, double actual, TrafficLight expected) =>
        Assert.Equal(expected, GoalLights.Of(comparison, (decimal)target, (decimal)actual));

    [Fact]
    public void Light_WithoutAMeasurement_IsNotMeasured_AndEveryLightHasAWord()
    {
        Assert.Equal(TrafficLight.NotMeasured, GoalLights.Of("le", 10, null));
        Assert.Equal(["erreicht", "knapp verfehlt", "verfehlt", "nicht messbar"], Enum.GetValues<TrafficLight>().Select(GoalLights.Label));
    }

    [Fact]
    public void Deadlines_AreAnnouncedSixtyDaysAhead_AndTheNoticeDeadlineIsTheEndMinusTheNoticePeriod()
    {
        var today = new DateOnly(2026, 12, 2);
        Assert.Empty(AgreementDeadlines.Upcoming(today.AddDays(61), null, 6, today));
        var evaluation = Assert.Single(AgreementDeadlines.Upcoming(today.AddDays(60), null, 0, today), d => d.Kind == AgreementDeadlines.Evaluation);
        Assert.Equal(60, evaluation.DaysLeft);
        Assert.Contains("31.01.2027", evaluation.Text);
        // Due, still announced for 30 days, then no longer.
        Assert.Single(AgreementDeadlines.Upcoming(today.AddDays(-30), null, 6, today));
        Assert.Empty(AgreementDeadlines.Upcoming(today.AddDays(-31), null, 6, today));
        // Ends 2027-06-30 with 6 months' notice: notice by 2026-12-30 (28 days), announced; with 5 months (2027-01-30, 59 days) too; with 4 months not.
        var notice = Assert.Single(AgreementDeadlines.Upcoming(null, new DateOnly(2027, 6, 30), 6, today));
        Assert.Equal((AgreementDeadlines.Notice, new DateOnly(2026, 12, 30), 28), (notice.Kind, notice.Date, notice.DaysLeft));
        Assert.Contains("30.06.2027", notice.Text);
        Assert.Single(AgreementDeadlines.Upcoming(null, new DateOnly(2027, 6, 30), 5, today));
        Assert.Empty(AgreementDeadlines.Upcoming(null, new DateOnly(2027, 6, 30), 4, today));
        // No end date: the notice deadline is counted to the evaluation date.
        Assert.Contains(AgreementDeadlines.Upcoming(new DateOnly(2027, 6, 30), null, 6, today), d => d.Kind == AgreementDeadlines.Notice && d.Date == new DateOnly(2026, 12, 30));
        // A deadline that has passed is not announced.
        Assert.Empty(AgreementDeadlines.Upcoming(null, new DateOnly(2027, 5, 30), 6, today));
    }
}

/// <summary>The evaluation pages, the PDF report, the goals form, the start page and the goals of an amendment. SQLite and PostgreSQL.</summary>
public abstract class EvaluationPagesTests(OpenIkzApp fixture)
{
    private const string A = OpenIkz.Tests.Backoffice.Agreements.Halberstadt, B = OpenIkz.Tests.Backoffice.Agreements.Quedlinburg;
    private const string Title = "Wohngeld Harz (Evaluation)";
    private static readonly SemaphoreSlim Setup = new(1, 1);
    private static readonly Dictionary<OpenIkzApp, long> Pools = new();

    private OpenIkzApp app => fixture.Require();

    private const string Period = "from=2025-03-01&to=2025-03-31";

    /// <summary>
    /// A Wohngeld pool of Halberstadt and Quedlinburg from 2025-01-01 with two cases in March 2025: one of A decided by A
    /// (received Mon 03-03, decided Thu 03-06: lead time 3 working days), one of B still open (backlog 1, due in April).
    /// Goals: lead p90 ≤ 10 (met), lead p50 ≤ 2,8 (3: missed by 0.2 ≤ 10 % of 2.8, close), backlog ≤ 0 (1: missed),
    /// yearly saving ≥ 15 % (not measurable). Its evaluation date lies 30 days ahead and it ends in 6 months and 20 days
    /// with 6 months' notice, so the start page announces both.
    /// </summary>
    private async Task<long> PoolAsync()
    {
        await Setup.WaitAsync();
        try
        {
            if (Pools.TryGetValue(app, out var existing)) return existing;
            var today = BerlinTime.Today(app.Clock);
            var id = await app.CreateAgreementAsync(["wohngeld"], [(A, true, true), (B, true, true)], from: new DateOnly(2025, 1, 1));
            await app.Db.ExecuteAsync("UPDATE agreements SET title = @Title, evaluation_date = @Eval, valid_to = @To, notice_months = 6 WHERE id = @Id",
                new { Title, Eval = today.AddDays(30), To = today.AddDays(20).AddMonths(6), Id = id });
            await CaseAsync(A, A, new DateTime(2025, 3, 3, 10, 0, 0, DateTimeKind.Utc), new DateTime(2025, 3, 6, 10, 0, 0, DateTimeKind.Utc), new DateOnly(2025, 3, 20));
            await CaseAsync(B, null, new DateTime(2025, 3, 5, 10, 0, 0, DateTimeKind.Utc), null, new DateOnly(2025, 4, 30));
            var goals = await (await app.ApiAsAsync("halberstadt.koordination")).PutAsJsonAsync($"/api/v1/agreements/{id}/goals", new
            {
                goals = new object[]
                {
                    new { kpi = "durchlaufzeit-p90", target = 10m, dueDate = "2025-03-31" },
                    new { kpi = "durchlaufzeit-p50", target = 2.8m, dueDate = "2025-03-31" },
                    new { kpi = "rueckstand", target = 0m, dueDate = "2025-03-31" },
                    new { kpi = "jaehrliche-einsparung", target = 15m, dueDate = "2025-12-31" },
                },
            });
            Assert.Equal(HttpStatusCode.OK, goals.StatusCode);
            Pools[app] = id;
            return id;
        }
        finally { Setup.Release(); }
    }

    private async Task CaseAsync(string owner, string? processor, DateTime received, DateTime? decided, DateOnly due)
    {
        long? clerk = processor is null ? null
            : await app.Db.QuerySingleAsync<long>("SELECT id FROM users WHERE municipality_ags = @P AND username LIKE '%.sachbearbeitung'", new { P = processor });
        await app.Db.ExecuteAsync("""
            INSERT INTO cases (id, reference, owner_ags, service_slug, case_group, status, assigned_user_id, assigned_at, complete, applicant_given_name, applicant_family_name, applicant_birth_date,
                applicant_street, applicant_postal_code, applicant_city, applicant_search, form_json, received_at, due_date, decided_at, outcome, decided_by_user_id, processor_ags, version)
            VALUES (@Id, @Ref, @Owner, 'wohngeld', NULL, @Status, NULL, @Claimed, @True, 'A', 'B', @Birth, 'S', '38820', 'X', 'b a', '{}', @Received, @Due, @Decided, @Outcome, @Clerk, @Processor, 1)
            """, new { Id = Guid.CreateVersion7().ToString(), Ref = $"{owner}-EVP-{Guid.NewGuid():N}", Owner = owner, Status = decided is null ? "open" : "closed",
                Claimed = decided is null ? (DateTime?)null : received, True = true, Birth = new DateOnly(1970, 1, 1), Received = received, Due = due, Decided = decided,
                Outcome = decided is null ? null : "granted", Clerk = clerk, Processor = processor });
    }

    private async Task<HttpClient> SignedInAsync(string username)
    {
        var browser = app.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(browser, username)).StatusCode);
        return browser;
    }

    private static string Path(HttpResponseMessage redirect) =>
        redirect.Headers.Location is { IsAbsoluteUri: true } absolute ? absolute.AbsolutePath : redirect.Headers.Location!.OriginalString;

    private static string Squash(string text) => Regex.Replace(text, @"\s+", " ");

    private static string Light(IElement row) => Squash(row.QuerySelector(".kern-badge")!.TextContent).Trim();

    [SkippableFact]
    public async Task EvaluationPage_ShowsEachGoalsLightInWords_ChartsWithTables_AndLinksAMissedGoalToItsTerminationReason()
    {
        var id = await PoolAsync();
        var coordinator = await SignedInAsync("halberstadt.koordination");
        var response = await coordinator.GetAsync($"/Vereinbarungen/{id}/Evaluation?{Period}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await PagesTests.ParseAsync(response);
        Assert.Contains("Evaluation: " + Title, page.QuerySelector("h1")!.TextContent);

        var rows = page.QuerySelectorAll("#ziele-titel ~ tbody tr").ToList();
        Assert.Equal(4, rows.Count);
        Assert.Equal(["erreicht", "knapp verfehlt", "verfehlt", "nicht messbar"], rows.Select(Light));
        // Colour is never the only signal: every badge carries an icon and its word.
        Assert.All(rows, r => Assert.NotNull(r.QuerySelector(".kern-badge .kern-icon[aria-hidden=true]")));
        Assert.Contains("kern-badge--danger", rows[2].QuerySelector(".kern-badge")!.ClassName);
        // The missed goals link to the agreement's termination with the reason the KPI suggests (seeds/004 1.2.9).
        Assert.Contains($"/Vereinbarungen/{id}?grund=qualitaet", rows[1].QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains($"/Vereinbarungen/{id}?grund=personalmangel", rows[2].QuerySelector("a")!.GetAttribute("href"));
        Assert.Null(rows[0].QuerySelector("a"));
        Assert.Contains("3 Arbeitstage", Squash(rows[1].TextContent));

        // Every chart has its table after it.
        var charts = page.QuerySelectorAll("canvas[data-chart]").ToList();
        Assert.True(charts.Count >= 4, $"{charts.Count} charts");
        Assert.All(charts, c => Assert.NotNull(c.ParentElement!.NextElementSibling?.QuerySelector("table")));
        Assert.Contains("Halberstadt", page.GetElementById("vorgaenge-titel")!.ParentElement!.TextContent);

        // The link leads to the termination form with the reason chosen.
        var detail = await PagesTests.ParseAsync(await coordinator.GetAsync($"/Vereinbarungen/{id}?grund=personalmangel"));
        Assert.Equal("personalmangel", detail.QuerySelector<IHtmlSelectElement>("#kuendigung-grund")!.SelectedOptions.Single().Value);
        Assert.Contains("Durchlaufzeit (90. Perzentil)", detail.GetElementById("ziele-strukturiert-titel")!.ParentElement!.TextContent);

        // A team lead reads the same report but records no rollback: the reason stands without the link.
        var teamLead = await PagesTests.ParseAsync(await (await SignedInAsync("quedlinburg.teamleitung")).GetAsync($"/Vereinbarungen/{id}/Evaluation?{Period}"));
        var leadRows = teamLead.QuerySelectorAll("#ziele-titel ~ tbody tr").ToList();
        Assert.Equal(["erreicht", "knapp verfehlt", "verfehlt", "nicht messbar"], leadRows.Select(Light));
        Assert.Empty(teamLead.QuerySelectorAll("#ziele-titel ~ tbody a"));
        Assert.Contains("Personalmangel", leadRows[2].TextContent);
    }

    [SkippableFact]
    public async Task EvaluationPage_WithABadDate_ShowsTheErrorAtTheField_NonMembers404_Clerks403()
    {
        var id = await PoolAsync();
        var coordinator = await SignedInAsync("halberstadt.koordination");
        var page = await PagesTests.ParseAsync(await coordinator.GetAsync($"/Vereinbarungen/{id}/Evaluation?from=2025-13-01&to=2025-03-31"));
        Assert.Contains("JJJJ-MM-TT", page.GetElementById("evaluation-von-fehler")!.TextContent);
        Assert.Equal("true", page.GetElementById("evaluation-von")!.GetAttribute("aria-invalid"));
        Assert.Null(page.QuerySelector("canvas[data-chart]"));
        var reversed = await PagesTests.ParseAsync(await coordinator.GetAsync($"/Vereinbarungen/{id}/Evaluation?from=2025-03-31&to=2025-03-01"));
        Assert.NotNull(reversed.GetElementById("evaluation-bis-fehler"));
        // A German date typed by hand is understood.
        var german = await PagesTests.ParseAsync(await coordinator.GetAsync($"/Vereinbarungen/{id}/Evaluation?from=01.03.2025&to=31.03.2025"));
        Assert.Contains("01.03.2025 – 31.03.2025", german.QuerySelector("main dl")!.TextContent);

        Assert.Equal(HttpStatusCode.NotFound, (await (await SignedInAsync("thale.koordination")).GetAsync($"/Vereinbarungen/{id}/Evaluation")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await (await SignedInAsync("thale.teamleitung")).GetAsync($"/Vereinbarungen/{id}/Evaluation?from=2025-13-01")).StatusCode);
        var clerk = await (await SignedInAsync("halberstadt.sachbearbeitung")).GetAsync($"/Vereinbarungen/{id}/Evaluation");
        Assert.Equal(HttpStatusCode.Redirect, clerk.StatusCode);
        Assert.StartsWith("/Fehler/403", Path(clerk));
        Assert.Equal(HttpStatusCode.NotFound, (await coordinator.GetAsync("/Vereinbarungen/999999999/Evaluation")).StatusCode);
    }

    [SkippableFact]
    public async Task EvaluationPdf_ContainsTheGoalsAndTheirVerdicts()
    {
        Poppler.Require();
        var id = await PoolAsync();
        var response = await (await app.ApiAsAsync("quedlinburg.teamleitung")).GetAsync($"/api/v1/agreements/{id}/evaluation.pdf?{Period}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        var pdf = await response.Content.ReadAsByteArrayAsync();
        Poppler.AssertReadable(pdf, "Evaluationsbericht");
        var text = Squash(Poppler.Text(pdf));
        Assert.DoesNotContain("?", text); // every character printed (a missing glyph prints as '?')
        foreach (var expected in new[] { Title, "01.03.2025 – 31.03.2025", "Durchlaufzeit (90. Perzentil)", "höchstens 10", "Durchlaufzeit (Median)", "höchstens 2,8",
                     "Rückstand", "Jährliche Einsparung", "mindestens", "15 %", "nicht messbar", "knapp verfehlt", "erreicht", "Personalmangel", "Qualität", "Halberstadt", "Quedlinburg" })
            Assert.Contains(expected, text);
        // Verdicts in the order of the goals: erreicht, knapp verfehlt, verfehlt, nicht messbar (the last also as the measured value).
        var verdicts = Regex.Matches(text, "knapp verfehlt|verfehlt|erreicht|nicht messbar").Select(m => m.Value).ToList();
        Assert.Equal(["erreicht", "knapp verfehlt", "verfehlt", "nicht messbar", "nicht messbar"], verdicts.Take(5));

        await (await (await app.ApiAsAsync("thale.koordination")).GetAsync($"/api/v1/agreements/{id}/evaluation.pdf")).AssertProblemAsync(404);
        await (await (await app.ApiAsAsync("halberstadt.sachbearbeitung")).GetAsync($"/api/v1/agreements/{id}/evaluation.pdf")).AssertProblemAsync(403);
        var bad = await (await (await app.ApiAsAsync("halberstadt.koordination")).GetAsync($"/api/v1/agreements/{id}/evaluation.pdf?from=morgen")).AssertProblemAsync(400);
        Assert.True(bad.GetProperty("errors").TryGetProperty("from", out _), bad.ToString());
    }

    [SkippableFact]
    public async Task GoalsPage_ShowsTheGoals_RefusesABadTargetAtItsField_AndSavesAValidList()
    {
        var id = await app.CreateAgreementAsync(["wohngeld"], [(A, true, true), (B, true, true)], from: new DateOnly(2025, 1, 1));
        var coordinator = await SignedInAsync("quedlinburg.koordination");
        var form = await PagesTests.ParseAsync(await coordinator.GetAsync($"/Vereinbarungen/{id}/Ziele"));
        Assert.Equal(OpenIkz.Pages.Vereinbarungen.ZieleModel.SpareRows, form.QuerySelectorAll("main fieldset").Length);
        var token = form.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;

        var bad = await coordinator.PostAsync($"/Vereinbarungen/{id}/Ziele", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["Rows[0].Kpi"] = "durchlaufzeit-p90", ["Rows[0].Target"] = "zehn", ["Rows[0].DueDate"] = "2027-06-30",
            ["Rows[1].Kpi"] = "anteil-ueberfaellig", ["Rows[1].Target"] = "120", ["Rows[1].DueDate"] = "",
        }));
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        var errors = await PagesTests.ParseAsync(bad);
        Assert.Contains("als Zahl", errors.GetElementById("ziel-1-zielwert-fehler")!.TextContent);
        Assert.Contains("100 %", errors.GetElementById("ziel-2-zielwert-fehler")!.TextContent);
        Assert.Contains("Datum", errors.GetElementById("ziel-2-datum-fehler")!.TextContent);
        Assert.Equal("true", errors.GetElementById("ziel-1-zielwert")!.GetAttribute("aria-invalid"));
        Assert.Equal(0, await app.CountAsync("agreement_goals", "agreement_id = @Id", new { Id = id }));

        var good = await coordinator.PostAsync($"/Vereinbarungen/{id}/Ziele", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["Rows[0].Kpi"] = "", ["Rows[0].Target"] = "",
            ["Rows[1].Kpi"] = "anteil-ueberfaellig", ["Rows[1].Target"] = "4,5", ["Rows[1].DueDate"] = "30.06.2027", ["Rows[1].Note"] = "wie im Kreistag beschlossen",
        }));
        Assert.Equal(HttpStatusCode.Redirect, good.StatusCode);
        var stored = await (await app.ApiAsAsync("quedlinburg.koordination")).GetAsync($"/api/v1/agreements/{id}/goals");
        var goal = Assert.Single((await stored.ReadJsonAsync()).EnumerateArray());
        Assert.Equal(4.5m, goal.GetProperty("target").GetDecimal());
        Assert.Equal("2027-06-30", goal.GetProperty("dueDate").GetString());
        Assert.Equal("le", goal.GetProperty("comparison").GetString());

        var teamLead = await (await SignedInAsync("quedlinburg.teamleitung")).GetAsync($"/Vereinbarungen/{id}/Ziele");
        Assert.StartsWith("/Fehler/403", Path(teamLead));
        Assert.Equal(HttpStatusCode.NotFound, (await (await SignedInAsync("thale.koordination")).GetAsync($"/Vereinbarungen/{id}/Ziele")).StatusCode);
    }

    [SkippableFact]
    public async Task StartPage_ShowsTheRunningAgreementsKpis_AndWarnsOfTheEvaluationAndTheNoticeDeadline()
    {
        var id = await PoolAsync();
        foreach (var user in new[] { "halberstadt.koordination", "quedlinburg.teamleitung" })
        {
            var client = await SignedInAsync(user);
            var audited = await app.CountAsync("audit_log", "action = 'agreement.evaluated' AND agreement_id = @Id", new { Id = id });
            var page = await PagesTests.ParseAsync(await client.GetAsync("/"));
            // The start page shows other members' figures: one audit entry for this agreement per view.
            Assert.Equal(audited + 1, await app.CountAsync("audit_log", "action = 'agreement.evaluated' AND agreement_id = @Id", new { Id = id }));
            var warnings = Squash(page.GetElementById("fristen-vereinbarungen")!.Closest("section")!.TextContent);
            Assert.Contains(Title, warnings);
            Assert.Contains("Evaluation:", warnings);
            Assert.Contains("in 30 Tagen", warnings);
            Assert.Contains("Kündigungsfrist:", warnings);
            Assert.Contains("in 20 Tagen", warnings);
            var table = page.GetElementById("kennzahlen-vereinbarungen-titel")!.ParentElement!;
            Assert.Contains(table.QuerySelectorAll("a"), a => a.GetAttribute("href") == $"/Vereinbarungen/{id}/Evaluation");
            var chart = page.GetElementById("kennzahlen-vereinbarungen")!.Closest("section")!.QuerySelector("canvas[data-chart]")!;
            Assert.Contains(Title, chart.GetAttribute("data-chart"));
            Assert.NotNull(page.QuerySelector("script[src^='/js/statistik.js']"));
        }
        // A clerk and a non-member see neither.
        Assert.Null((await PagesTests.ParseAsync(await (await SignedInAsync("halberstadt.sachbearbeitung")).GetAsync("/"))).GetElementById("kennzahlen-vereinbarungen"));
        var outsider = await PagesTests.ParseAsync(await (await SignedInAsync("thale.koordination")).GetAsync("/"));
        Assert.DoesNotContain(Title, outsider.Body!.TextContent);
    }

    [SkippableFact]
    public async Task Amendment_CarriesTheStructuredGoalsToTheNewVersion()
    {
        var agreementId = await app.Db.QuerySingleAsync<long>("""
            SELECT a.id FROM agreements a JOIN agreement_members m ON m.agreement_id = a.id AND m.municipality_ags = @Ags
            WHERE a.status = 'active' AND NOT EXISTS (SELECT 1 FROM agreements n WHERE n.supersedes_id = a.id) ORDER BY a.id LIMIT 1
            """, new { Ags = BackofficeFixture.Frankenthal });
        var coordinator = await app.ApiAsAsync("frankenthal.koordination");
        var put = await coordinator.PutAsJsonAsync($"/api/v1/agreements/{agreementId}/goals", new
        {
            goals = new object[]
            {
                new { kpi = "bearbeitungszeit-p90", target = 8.25m, dueDate = "2027-12-31", note = "Ziel der Änderung" },
                new { kpi = "jaehrliche-einsparung", comparison = "ge", target = 15m, dueDate = "2028-06-30" },
            },
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var amendment = await coordinator.PostAsJsonAsync($"/api/v1/agreements/{agreementId}/amendments", new { });
        var amended = await amendment.ReadJsonAsync();
        Assert.True(amendment.IsSuccessStatusCode, amended.ToString());
        var newId = amended.GetProperty("id").GetInt64();
        Assert.NotEqual(agreementId, newId);
        var before = (await (await coordinator.GetAsync($"/api/v1/agreements/{agreementId}/goals")).ReadJsonAsync()).ToString();
        var after = (await (await coordinator.GetAsync($"/api/v1/agreements/{newId}/goals")).ReadJsonAsync()).ToString();
        Assert.Equal(before, after);
        Assert.Contains("Ziel der Änderung", after);
        // The copies are the new version's own: changing them leaves the running version's goals as they are.
        (await coordinator.PutAsJsonAsync($"/api/v1/agreements/{newId}/goals", new { goals = Array.Empty<object>() })).EnsureSuccessStatusCode();
        Assert.Equal(2, await app.CountAsync("agreement_goals", "agreement_id = @Id", new { Id = agreementId }));
    }

    [SkippableFact]
    public async Task AnAgreementDraftedFromAPotentialAnalysis_ShowsThePredictionBesideTheMeasurement()
    {
        var coordinator = await app.ApiAsAsync("frankenthal.koordination");
        var assessment = await coordinator.PostAsJsonAsync("/api/v1/assessments", new
        {
            title = "Prognose Wohngeld Vorderpfalz",
            partners = new[] { BackofficeFixture.Frankenthal, BackofficeFixture.Ludwigshafen },
            loads = new[]
            {
                new { partnerAgs = BackofficeFixture.Frankenthal, service = "wohngeld", staffFte = 1.0, caseGroups = new[] { new { caseGroup = "", casesPerYear = 800.0, minutesPerCase = 60.0 } } },
                new { partnerAgs = BackofficeFixture.Ludwigshafen, service = "wohngeld", staffFte = 1.0, caseGroups = new[] { new { caseGroup = "", casesPerYear = 900.0, minutesPerCase = 60.0 } } },
            },
        });
        Assert.Equal(HttpStatusCode.Created, assessment.StatusCode);
        var assessmentId = (await assessment.ReadJsonAsync()).GetProperty("id").GetInt64();
        var draft = await coordinator.PostAsJsonAsync($"/api/v1/assessments/{assessmentId}/agreement-draft", new { });
        Assert.Equal(HttpStatusCode.Created, draft.StatusCode);
        var agreementId = (await draft.ReadJsonAsync()).GetProperty("agreementId").GetInt64();

        var report = await (await coordinator.GetAsync($"/api/v1/agreements/{agreementId}/evaluation")).ReadJsonAsync();
        var prediction = report.GetProperty("prediction");
        Assert.Equal(assessmentId, prediction.GetProperty("assessmentId").GetInt64());
        var service = Assert.Single(prediction.GetProperty("services").EnumerateArray());
        Assert.Equal("wohngeld", service.GetProperty("service").GetString());
        Assert.Equal(1700.0, service.GetProperty("predictedCasesPerYear").GetDouble(), 6);

        var page = await PagesTests.ParseAsync(await (await SignedInAsync("frankenthal.koordination")).GetAsync($"/Vereinbarungen/{agreementId}/Evaluation"));
        var table = page.GetElementById("prognose-titel")!.ParentElement!;
        Assert.Contains("1.700", table.TextContent);
        Assert.Contains("Prognose Wohngeld Vorderpfalz", page.GetElementById("prognose")!.Closest("section")!.TextContent);

        // An agreement without an analysis has no prediction.
        var plain = await (await (await app.ApiAsAsync("halberstadt.koordination")).GetAsync($"/api/v1/agreements/{await PoolAsync()}/evaluation?{Period}")).ReadJsonAsync();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, plain.GetProperty("prediction").ValueKind);
    }
}

public sealed class EvaluationPagesTestsSqlite(SqliteApp app) : EvaluationPagesTests(app), IClassFixture<SqliteApp>;
public sealed class EvaluationPagesTestsPostgres(PostgresApp app) : EvaluationPagesTests(app), IClassFixture<PostgresApp>;
