using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;
using static OpenIkz.Tests.Backoffice.Agreements;

namespace OpenIkz.Tests.Agreements;

/// <summary>Agreements from draft to termination over HTTP, and settlements. Runs on SQLite and on PostgreSQL.</summary>
public abstract class AgreementsApiTests(OpenIkzApp fixture)
{
    // Every use of the app checks first that its database is there (PostgreSQL: skip, or fail under OPENIKZ_REQUIRE_ALL_TESTS).
    private OpenIkzApp app => fixture.Require();

    public const string Ballenstedt = "15085040", Harzgerode = "15085145", Falkenstein = "15085110";

    /// <summary>A Zweckvereinbarung under GKG-LSA that transfers the task, so it needs the Kommunalaufsicht.</summary>
    public static Dictionary<string, object?> Draft(string[] members, string service = "wohngeld", string legalForm = "zweckvereinbarung", bool transfers = true,
        string validFrom = "2025-01-01", int noticeMonths = 0, object? flat = null, string title = "Zweckvereinbarung Wohngeld Harz") => new()
    {
        ["title"] = title,
        ["services"] = new[] { service },
        ["members"] = members.Select((m, i) => new Dictionary<string, object?> { ["ags"] = m, ["contributesCases"] = true, ["contributesStaff"] = i < 2, ["capacitySharePercent"] = i < 2 ? 50 : null }).ToArray(),
        ["stateLaw"] = "gkg-lsa",
        ["legalForm"] = legalForm,
        ["transfersTask"] = transfers,
        ["validFrom"] = validFrom,
        ["noticeMonths"] = noticeMonths,
        ["dataProtection"] = "Auftragsverarbeitung nach Art. 28 DSGVO; die zuständige Kommune bleibt Verantwortliche.",
        ["goals"] = "Vertretung bei Abwesenheit, kürzere Bearbeitungszeiten.",
        ["evaluationDate"] = "2027-06-30",
        ["rates"] = new object[] { new Dictionary<string, object?> { ["service"] = service, ["caseGroup"] = "", ["flatAmount"] = flat ?? 45.00m } },
        ["feeRule"] = "owner",
    };

    private async Task<HttpClient> CoordinatorAsync(string prefix) => await app.Require().ApiAsAsync(prefix + ".koordination");

    private static async Task<long> CreateAsync(HttpClient coordinator, object draft)
    {
        var response = await coordinator.PostAsJsonAsync("/api/v1/agreements", draft);
        var json = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, json.ToString());
        return json.GetProperty("id").GetInt64();
    }

    private static async Task<JsonElement> StepAsync(HttpClient coordinator, long id, string step, object? body = null)
    {
        var response = await coordinator.PostAsJsonAsync($"/api/v1/agreements/{id}/{step}", body ?? new { });
        var json = await response.ReadJsonAsync();
        Assert.True(response.IsSuccessStatusCode, $"{step}: {json}");
        return json;
    }

    [SkippableFact]
    public async Task Lifecycle_DraftConsentsSubmissionApprovalActivation_AndAccessFollowsIt()
    {
        var thale = await CoordinatorAsync("thale");
        var wernigerode = await CoordinatorAsync("wernigerode");
        var id = await CreateAsync(thale, Draft([Thale, Wernigerode]));
        var created = await (await thale.GetAsync($"/api/v1/agreements/{id}")).ReadJsonAsync();
        Assert.Equal("draft", created.GetProperty("status").GetString());
        Assert.True(created.GetProperty("needsApproval").GetBoolean());
        Assert.Single(created.GetProperty("documents").EnumerateArray());

        // The owner's case is not visible to the partner before the agreement is in force.
        var portal = await app.PortalAsync(Thale);
        var caseId = await portal.SubmitOkAsync(WohngeldApplication(Thale, "Vorab"));
        var partnerClerk = await app.ApiAsAsync("wernigerode.sachbearbeitung");
        await (await partnerClerk.GetAsync($"/api/v1/cases/{caseId}")).AssertProblemAsync(404);

        await StepAsync(thale, id, "consent");
        var early = await (await thale.PostAsJsonAsync($"/api/v1/agreements/{id}/submission", new { })).AssertProblemAsync(409);
        Assert.Equal("ConsentMissing", early.GetProperty("rule").GetString());
        await (await thale.PostAsJsonAsync($"/api/v1/agreements/{id}/consent", new { })).AssertProblemAsync(409); // already consented
        Assert.Equal("consented", (await StepAsync(wernigerode, id, "consent")).GetProperty("status").GetString());
        await (await partnerClerk.GetAsync($"/api/v1/cases/{caseId}")).AssertProblemAsync(404);

        Assert.Equal("submitted", (await StepAsync(thale, id, "submission")).GetProperty("status").GetString());
        var approved = await StepAsync(wernigerode, id, "approval", new { approvedOn = OpenIkz.Common.BerlinTime.Today(TimeProvider.System).ToString("yyyy-MM-dd"), reference = "LVwA 106.1-10412/26" });
        Assert.Equal("active", approved.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await partnerClerk.GetAsync($"/api/v1/cases/{caseId}")).StatusCode);

        var details = await (await thale.GetAsync($"/api/v1/agreements/{id}")).ReadJsonAsync();
        var actions = details.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("action").GetString()).ToList();
        Assert.Equal(["Entwurf angelegt", "zugestimmt", "zugestimmt", "Zustimmung aller Mitglieder", "der Kommunalaufsicht vorgelegt", "genehmigt", "aktiv"], actions);
        var pdf = await (await thale.GetAsync($"/api/v1/agreements/{id}/document.pdf")).Content.ReadAsByteArrayAsync();
        var text = string.Join(" ", PdfText.ExtractStrings(pdf));
        foreach (var section in new[] { "§ 1 Gegenstand", "§ 2 Aufgaben", "§ 3 Durchführung und Verantwortung", "§ 4 Datenschutz", "§ 5 Kostenausgleich", "§ 6 Laufzeit und Kündigung", "§ 7 Unterschriften" })
            Assert.Contains(section, text);
        Poppler.AssertReadable(pdf, "§ 4 Datenschutz");
        var html = await (await thale.GetAsync($"/api/v1/agreements/{id}/document.html")).Content.ReadAsStringAsync();
        Assert.Contains("<h2>§ 4 Datenschutz</h2>", html);
        // The law in its case: „auf Grundlage des Gesetzes über …“, „Zweckvereinbarung nach dem Gesetz über …“.
        Assert.Contains("auf Grundlage des Gesetzes über kommunale Gemeinschaftsarbeit (GKG-LSA)", html);
        Assert.Contains(" nach dem Gesetz über kommunale Gemeinschaftsarbeit (GKG-LSA)", html);
        Assert.DoesNotContain("des Gesetz ", html);

        // Terms of an active agreement cannot be edited.
        var locked = await (await thale.PutAsJsonAsync($"/api/v1/agreements/{id}", Draft([Thale, Wernigerode], flat: 99m))).AssertProblemAsync(409);
        Assert.Equal("TermsLocked", locked.GetProperty("rule").GetString());

        // Termination: access ends after the end date.
        var today = OpenIkz.Common.BerlinTime.Today(TimeProvider.System);
        await (await thale.PostAsJsonAsync($"/api/v1/agreements/{id}/termination", new { endDate = today.ToString("yyyy-MM-dd"), reason = "unbekannt" })).AssertProblemAsync(400);
        var terminated = await StepAsync(thale, id, "termination", new { endDate = today.ToString("yyyy-MM-dd"), reason = "personalmangel", note = "Fluktuation" });
        Assert.Equal("terminated", terminated.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await partnerClerk.GetAsync($"/api/v1/cases/{caseId}")).StatusCode); // still its last day
        app.Clock.Advance(TimeSpan.FromDays(1));
        try
        {
            var nextDay = await app.ApiAsAsync("wernigerode.sachbearbeitung");
            await (await nextDay.GetAsync($"/api/v1/cases/{caseId}")).AssertProblemAsync(404);
        }
        finally { app.Clock.Advance(TimeSpan.FromDays(-1)); }
    }

    [SkippableFact]
    public async Task Activation_WithoutEveryMembersConsent_IsImpossible()
    {
        var thale = await CoordinatorAsync("thale");
        var id = await CreateAsync(thale, Draft([Thale, Halberstadt, Quedlinburg], title: "Dreierbund"));
        await StepAsync(thale, id, "consent");
        await StepAsync(await CoordinatorAsync("halberstadt"), id, "consent");
        foreach (var step in new[] { "submission", "approval" })
            await (await thale.PostAsJsonAsync($"/api/v1/agreements/{id}/{step}", new { approvedOn = "2026-01-01", reference = "x" })).AssertProblemAsync(409);
        Assert.Equal("draft", (await (await thale.GetAsync($"/api/v1/agreements/{id}")).ReadJsonAsync()).GetProperty("status").GetString());
    }

    [SkippableFact]
    public async Task Arbeitsgemeinschaft_WithoutTaskTransfer_TakesEffectOnConsent_WithoutApproval()
    {
        var thale = await CoordinatorAsync("thale");
        var ballenstedt = await CoordinatorAsync("ballenstedt");
        var id = await CreateAsync(ballenstedt, Draft([Ballenstedt, Harzgerode], service: "grundsicherung", legalForm: "arbeitsgemeinschaft", transfers: false, title: "ArGe"));
        var a = await (await ballenstedt.GetAsync($"/api/v1/agreements/{id}")).ReadJsonAsync();
        Assert.False(a.GetProperty("needsApproval").GetBoolean());
        await StepAsync(ballenstedt, id, "consent");
        Assert.Equal("active", (await StepAsync(await CoordinatorAsync("harzgerode"), id, "consent")).GetProperty("status").GetString());
    }

    [SkippableFact]
    public async Task Amendment_GoesThroughTheSameSteps_AndSupersedesTheRunningVersion()
    {
        var thale = await CoordinatorAsync("thale");
        var huy = await CoordinatorAsync("huy");
        var id = await CreateAsync(thale, Draft([Thale, "15085185"], service: "elterngeld", legalForm: "arbeitsgemeinschaft", transfers: false, title: "ArGe Änderung"));
        await StepAsync(thale, id, "consent");
        await StepAsync(huy, id, "consent");
        var amendment = await (await thale.PostAsJsonAsync($"/api/v1/agreements/{id}/amendments", new { })).ReadJsonAsync();
        var newId = amendment.GetProperty("id").GetInt64();
        Assert.Equal(2, amendment.GetProperty("version").GetInt32());
        Assert.Equal("draft", amendment.GetProperty("status").GetString());
        await (await thale.PostAsJsonAsync($"/api/v1/agreements/{id}/amendments", new { })).AssertProblemAsync(409); // one at a time

        var changed = Draft([Thale, "15085185"], service: "elterngeld", legalForm: "arbeitsgemeinschaft", transfers: false, flat: 50.00m, title: "ArGe Änderung",
            validFrom: OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(10).ToString("yyyy-MM-dd"));
        (await thale.PutAsJsonAsync($"/api/v1/agreements/{newId}", changed)).EnsureSuccessStatusCode();
        await StepAsync(thale, newId, "consent");
        Assert.Equal("approved", (await StepAsync(huy, newId, "consent")).GetProperty("status").GetString());

        var old = await (await thale.GetAsync($"/api/v1/agreements/{id}")).ReadJsonAsync();
        Assert.Equal(newId, old.GetProperty("supersededById").GetInt64());
        Assert.Equal(OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(9).ToString("yyyy-MM-dd"), old.GetProperty("validTo").GetString());
        var reasons = (await (await thale.GetAsync($"/api/v1/agreements/{newId}")).ReadJsonAsync()).GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("reason").GetString());
        Assert.Equal(["Entwurf der Änderung", "Entwurf geändert", "Endfassung"], reasons); // regenerated at every change of the terms, all kept
    }

    private async Task AssertRefusedAsync(object draft, string field)
    {
        var thale = await CoordinatorAsync("thale");
        var before = await app.CountAsync("agreements");
        var problem = await (await thale.PostAsJsonAsync("/api/v1/agreements", draft)).AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").EnumerateObject().Any(e => e.Name.StartsWith(field, StringComparison.Ordinal)), $"no error for {field}: {problem}");
        Assert.Equal(before, await app.CountAsync("agreements"));
    }

    [SkippableFact] public Task Refused_WhenRateIsNegative() => AssertRefusedAsync(Draft([Thale, Halberstadt], flat: -1m), "rates[0].flatAmount");
    [SkippableFact] public Task Refused_WhenRateIsNotANumber() => AssertRefusedAsync(Draft([Thale, Halberstadt], flat: "zwölf Euro"), "rates[0].flatAmount");
    [SkippableFact] public Task Refused_WhenLegalFormIsNotValidUnderTheStateLaw() => AssertRefusedAsync(Draft([Thale, Halberstadt], legalForm: "gemeinsame-kommunale-anstalt"), "legalForm");
    [SkippableFact] public Task Refused_WhenArbeitsgemeinschaftWouldTransferTheTask() => AssertRefusedAsync(Draft([Thale, Halberstadt], legalForm: "arbeitsgemeinschaft", transfers: true), "transfersTask");
    [SkippableFact] public Task Refused_WhenAMemberIsOutsideTheStateLaw() => AssertRefusedAsync(Draft([Thale, BackofficeFixture.Speyer]), "members[1]");

    [SkippableFact]
    public Task Refused_WhenAMemberContributesNothing()
    {
        var draft = Draft([Thale, Halberstadt]);
        ((Dictionary<string, object?>[])draft["members"]!)[1]["contributesCases"] = false;
        ((Dictionary<string, object?>[])draft["members"]!)[1]["contributesStaff"] = false;
        return AssertRefusedAsync(draft, "members[1]");
    }

    [SkippableFact]
    public async Task SecondAgreementForTheSameCasesOfAService_CannotTakeEffect()
    {
        var osterwieck = await CoordinatorAsync("osterwieck");
        var nordharz = await CoordinatorAsync("nordharz");
        var first = await CreateAsync(osterwieck, Draft(["15085230", "15085227"], service: "grundsicherung", legalForm: "arbeitsgemeinschaft", transfers: false, title: "Erste"));
        await StepAsync(osterwieck, first, "consent");
        await StepAsync(nordharz, first, "consent");
        var second = await CreateAsync(osterwieck, Draft(["15085230", "15085228"], service: "grundsicherung", legalForm: "arbeitsgemeinschaft", transfers: false, title: "Zweite"));
        await StepAsync(osterwieck, second, "consent");
        var clash = await (await (await CoordinatorAsync("oberharz")).PostAsJsonAsync($"/api/v1/agreements/{second}/consent", new { })).AssertProblemAsync(409);
        Assert.Equal("ServiceAlreadyCovered", clash.GetProperty("rule").GetString());
        Assert.Equal("draft", (await (await osterwieck.GetAsync($"/api/v1/agreements/{second}")).ReadJsonAsync()).GetProperty("status").GetString());
    }

    [SkippableFact]
    public async Task ApprovedWithALaterStart_GrantsNothingBeforeIt_AndBecomesActiveOnItsFirstDay()
    {
        var ilsenburg = await CoordinatorAsync("ilsenburg");
        var start = BerlinTime.Today(app.Clock).AddDays(3);
        var id = await CreateAsync(ilsenburg, Draft(["15085190", Falkenstein], service: "elterngeld", legalForm: "arbeitsgemeinschaft", transfers: false,
            validFrom: start.ToString("yyyy-MM-dd"), title: "Später"));
        await StepAsync(ilsenburg, id, "consent");
        Assert.Equal("approved", (await StepAsync(await CoordinatorAsync("falkenstein"), id, "consent")).GetProperty("status").GetString());
        var agreements = app.Services.GetRequiredService<OpenIkz.Agreements.AgreementService>();
        await agreements.ActivateDueAsync();
        Assert.Equal("approved", (await (await ilsenburg.GetAsync($"/api/v1/agreements/{id}")).ReadJsonAsync()).GetProperty("status").GetString());

        app.Clock.Advance(TimeSpan.FromDays(3));
        try
        {
            Assert.True(await agreements.ActivateDueAsync() >= 1);
            var later = await CoordinatorAsync("ilsenburg"); // three days on, the earlier token has expired
            Assert.Equal("active", (await (await later.GetAsync($"/api/v1/agreements/{id}")).ReadJsonAsync()).GetProperty("status").GetString());
        }
        finally { app.Clock.Advance(TimeSpan.FromDays(-3)); }
    }

    [SkippableFact]
    public async Task NonMembers_GetNotFound_AndNonCoordinators_AreForbidden()
    {
        var thale = await CoordinatorAsync("thale");
        var id = await CreateAsync(thale, Draft([Thale, Halberstadt], title: "Nur Mitglieder"));
        var outsider = await CoordinatorAsync("osterwieck");
        await (await outsider.GetAsync($"/api/v1/agreements/{id}")).AssertProblemAsync(404);
        await (await outsider.PostAsJsonAsync($"/api/v1/agreements/{id}/consent", new { })).AssertProblemAsync(404);
        Assert.DoesNotContain((await (await outsider.GetAsync("/api/v1/agreements")).ReadJsonAsync()).EnumerateArray(), a => a.GetProperty("id").GetInt64() == id);
        var clerk = await app.ApiAsAsync("thale.sachbearbeitung");
        await (await clerk.PostAsJsonAsync($"/api/v1/agreements/{id}/consent", new { })).AssertProblemAsync(403);
    }
}

public sealed class AgreementsApiTestsSqlite(SqliteApp app) : AgreementsApiTests(app), IClassFixture<SqliteApp>;
public sealed class AgreementsApiTestsPostgres(PostgresApp app) : AgreementsApiTests(app), IClassFixture<PostgresApp>;
