using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Backoffice.Cases;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure.Pdf;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Backoffice;

/// <summary>The pooled queue, the access rule and the clerk's and team lead's actions. Runs on SQLite and on PostgreSQL.</summary>
public abstract class WorkTests(OpenIkzApp fixture)
{
    // Every use of the app checks first that its database is there (PostgreSQL: skip, or fail under OPENIKZ_REQUIRE_ALL_TESTS).
    private OpenIkzApp app => fixture.Require();

    private static readonly SemaphoreSlim SetupLock = new(1, 1);

    /// <summary>Thale contributes Wohngeld cases, Quedlinburg staff: a delegation inside Landkreis Harz (no demo cases there).</summary>
    private async Task<long> HarzWohngeldAgreementAsync()
    {
        await SetupLock.WaitAsync();
        try
        {
            var existing = await app.Db.QuerySingleOrDefaultAsync<long?>("SELECT a.id FROM agreements a JOIN agreement_members m ON m.agreement_id = a.id AND m.municipality_ags = @A WHERE a.status = 'active'", new { A = Agreements.Quedlinburg });
            return existing ?? await app.CreateAgreementAsync(["wohngeld"], [(Agreements.Thale, true, false), (Agreements.Quedlinburg, false, true)]);
        }
        finally { SetupLock.Release(); }
    }

    private async Task<string> ThaleWohngeldCaseAsync(string familyName, bool complete = true)
    {
        await HarzWohngeldAgreementAsync();
        var portal = await app.PortalAsync(Agreements.Thale);
        return await portal.SubmitOkAsync(Agreements.WohngeldApplication(Agreements.Thale, familyName, complete));
    }

    [SkippableFact]
    public async Task Claim_FiftyConcurrentClerksFromAThousandCases_EveryCaseClaimedExactlyOnce()
    {
        app.Require();
        const string owner = Agreements.Wernigerode;
        var users = app.Services.GetRequiredService<UserAccounts>();
        var tokens = app.Services.GetRequiredService<AccessTokens>();
        var hash = UserAccounts.HashPassword("ein-langes-Passwort-123");
        var clerks = new List<HttpClient>();
        for (var i = 0; i < 50; i++)
        {
            var id = await users.InsertAsync(new NewUser(owner, $"wr.clerk{i}", $"Clerk {i}", "", [Roles.Sachbearbeitung], ["grundsicherung"]), hash, passwordIsDemo: false);
            var client = app.Api();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await tokens.IssueAsync(id)).Token);
            clerks.Add(client);
        }
        await app.Db.InTransactionAsync(async (c, tx) =>
        {
            var now = DateTime.UtcNow;
            for (var i = 0; i < 1000; i++)
                await Dapper.SqlMapper.ExecuteAsync(c, """
                    INSERT INTO cases (id, reference, owner_ags, service_slug, status, complete, applicant_given_name, applicant_family_name, applicant_birth_date,
                        applicant_street, applicant_postal_code, applicant_city, applicant_search, form_json, received_at, due_date, version)
                    VALUES (@Id, @Ref, @Owner, 'grundsicherung', 'open', @True, 'A', 'B', @Birth, 'S', '38855', 'Wernigerode', 'b a', '{}', @Now, @Due, 1)
                    """, new { Id = Guid.CreateVersion7().ToString(), Ref = $"{owner}-GS-TEST-{i:D6}", Owner = owner, True = true, Birth = new DateOnly(1950, 1, 1), Now = now.AddSeconds(-i), Due = DateOnly.FromDateTime(now).AddDays(i % 40 - 10) }, tx);
        });

        var claimed = new ConcurrentBag<(int Clerk, string CaseId)>();
        await Task.WhenAll(clerks.Select((client, index) => Task.Run(async () =>
        {
            while (true)
            {
                var response = await client.ClaimAsync("grundsicherung");
                if (response.StatusCode == HttpStatusCode.NoContent) return;
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                claimed.Add((index, (await response.ReadJsonAsync()).GetProperty("id").GetString()!));
            }
        })));

        Assert.Equal(1000, claimed.Count);
        Assert.Equal(1000, claimed.Select(c => c.CaseId).Distinct().Count());
        Assert.Equal(0, await app.CountAsync("cases", "owner_ags = @O AND service_slug = 'grundsicherung' AND status = 'open'", new { O = owner }));
        Assert.True(claimed.Select(c => c.Clerk).Distinct().Count() > 1, "the work was shared between clerks");
    }

    [SkippableFact]
    public async Task Claim_GivesTheMostUrgentCase_OverdueFirst()
    {
        app.Require();
        var caseId = await ThaleWohngeldCaseAsync("Dringlich");
        await app.Db.ExecuteAsync("UPDATE cases SET due_date = @D WHERE id = @Id", new { D = new DateOnly(2020, 1, 1), Id = caseId });
        var clerk = await app.ApiAsAsync("quedlinburg.sachbearbeitung");
        var response = await clerk.ClaimAsync("wohngeld");
        Assert.Equal(caseId, (await response.ReadJsonAsync()).GetProperty("id").GetString());
        await (await clerk.PostAsync($"/api/v1/cases/{caseId}/release", null)).EnsureSuccessAsync();
    }

    [SkippableFact]
    public async Task Claim_WhenNothingIsEligible_Is204_AndUnknownServiceIs400()
    {
        var clerk = await app.Require().ApiAsAsync("osterwieck.sachbearbeitung");
        Assert.Equal(HttpStatusCode.NoContent, (await clerk.ClaimAsync("elterngeld")).StatusCode);
        await (await clerk.ClaimAsync("hundesteuer")).AssertProblemAsync(400);
    }

    [SkippableFact]
    public async Task PartnerClerk_SeesTheCaseThroughTheAgreement_AndTheReadIsAudited()
    {
        var caseId = await ThaleWohngeldCaseAsync("Partner");
        var agreement = await HarzWohngeldAgreementAsync();
        var partner = await app.ApiAsAsync("quedlinburg.sachbearbeitung");
        var before = await app.CountAsync("audit_log", "case_id = @Id AND action = 'case.read'", new { Id = caseId });
        var json = await (await partner.GetAsync($"/api/v1/cases/{caseId}")).ReadJsonAsync();
        Assert.Equal(Agreements.Thale, json.GetProperty("ownerAgs").GetString());
        Assert.Equal(agreement, json.GetProperty("grantingAgreementId").GetInt64());
        var entry = await app.Db.QuerySingleAsync<(string ActorAgs, string OwnerAgs, long AgreementId)>(
            "SELECT actor_ags, owner_ags, agreement_id FROM audit_log WHERE case_id = @Id AND action = 'case.read' ORDER BY seq DESC LIMIT 1", new { Id = caseId });
        Assert.Equal((Agreements.Quedlinburg, Agreements.Thale, agreement), entry);
        Assert.Equal(before + 1, await app.CountAsync("audit_log", "case_id = @Id AND action = 'case.read'", new { Id = caseId }));

        // The owner's own clerk reads without an audit entry for a read (no cross-municipality access).
        var own = await app.ApiAsAsync("thale.sachbearbeitung");
        Assert.Equal(HttpStatusCode.OK, (await own.GetAsync($"/api/v1/cases/{caseId}")).StatusCode);
        Assert.Equal(before + 1, await app.CountAsync("audit_log", "case_id = @Id AND action = 'case.read'", new { Id = caseId }));
    }

    private async Task AssertInvisibleAsync(HttpClient clerk, string caseId, string familyName)
    {
        await (await clerk.GetAsync($"/api/v1/cases/{caseId}")).AssertProblemAsync(404);
        await (await clerk.GetAsync($"/api/v1/cases/{caseId}/history")).AssertProblemAsync(404);
        var documentId = await app.Db.QuerySingleAsync<string>("SELECT id FROM case_documents WHERE case_id = @Id LIMIT 1", new { Id = caseId });
        await (await clerk.GetAsync($"/api/v1/cases/{caseId}/documents/{documentId}")).AssertProblemAsync(404);
        await (await clerk.PostAsJsonAsync($"/api/v1/cases/{caseId}/notes", new { text = "Hallo" })).AssertProblemAsync(404);
        var found = await (await clerk.GetAsync($"/api/v1/archive?q={familyName}")).ReadJsonAsync();
        Assert.Equal(0, found.GetArrayLength());
    }

    private async Task<string> DecidedThaleCaseAsync(string familyName)
    {
        var caseId = await ThaleWohngeldCaseAsync(familyName);
        var owner = await app.ApiAsAsync("thale.sachbearbeitung");
        await owner.ClaimUntilAsync("wohngeld", caseId);
        (await owner.PostAsJsonAsync($"/api/v1/cases/{caseId}/decision", new { outcome = "granted" })).EnsureSuccessStatusCode();
        return caseId;
    }

    [SkippableFact]
    public async Task ClerkOutsideTheAgreement_Gets404OnCaseDocumentsHistory_AndNothingInSearch()
    {
        var caseId = await DecidedThaleCaseAsync("Aussenstehend");
        var outsider = await app.ApiAsAsync("halberstadt.sachbearbeitung");
        await AssertInvisibleAsync(outsider, caseId, "Aussenstehend");
        // The partner finds it in the archive; the outsider (above) did not.
        var partner = await app.ApiAsAsync("quedlinburg.sachbearbeitung");
        Assert.Equal(1, (await (await partner.GetAsync("/api/v1/archive?q=aussenst")).ReadJsonAsync()).GetArrayLength());
    }

    [SkippableFact]
    public async Task ClerkAfterTheAgreementsEndDate_Gets404Everywhere()
    {
        app.Require();
        var caseId = await app.PortalAsync(Agreements.Wernigerode).ContinueWith(t => t.Result.SubmitOkAsync(Agreements.WohngeldApplication(Agreements.Wernigerode, "Vertragsende"))).Unwrap();
        var agreement = await app.CreateAgreementAsync(["wohngeld"], [(Agreements.Wernigerode, true, true), (Agreements.Halberstadt, true, true)]);
        var partner = await app.ApiAsAsync("halberstadt.sachbearbeitung");
        Assert.Equal(HttpStatusCode.OK, (await partner.GetAsync($"/api/v1/cases/{caseId}")).StatusCode);

        var owner = await app.ApiAsAsync("wernigerode.sachbearbeitung");
        await owner.ClaimUntilAsync("wohngeld", caseId);
        (await owner.PostAsJsonAsync($"/api/v1/cases/{caseId}/decision", new { outcome = "granted" })).EnsureSuccessStatusCode();
        Assert.Equal(1, (await (await partner.GetAsync("/api/v1/archive?q=Vertragsende")).ReadJsonAsync()).GetArrayLength());

        var today = OpenIkz.Common.BerlinTime.Today(TimeProvider.System);
        await app.Db.ExecuteAsync("UPDATE agreements SET valid_to = @D WHERE id = @Id", new { D = today.AddDays(-2), Id = agreement });
        await AssertInvisibleAsync(partner, caseId, "Vertragsende");

        await app.Db.ExecuteAsync("UPDATE agreements SET valid_to = NULL, status = 'terminated' WHERE id = @Id", new { Id = agreement });
        await AssertInvisibleAsync(partner, caseId, "Vertragsende");
        await app.Db.ExecuteAsync("UPDATE agreements SET valid_from = @D, status = 'active' WHERE id = @Id", new { D = today.AddDays(5), Id = agreement });
        await AssertInvisibleAsync(partner, caseId, "Vertragsende"); // not yet started
    }

    [SkippableFact]
    public async Task ClerkWithoutTheServiceRole_DoesNotSeeTheCase()
    {
        var caseId = await ThaleWohngeldCaseAsync("Ohne Rolle");
        var users = app.Services.GetRequiredService<UserAccounts>();
        var id = await users.InsertAsync(new NewUser(Agreements.Quedlinburg, "qlb.kfz-only", "Nur Kfz", "", [Roles.Sachbearbeitung], ["kfz-zulassung"]), UserAccounts.HashPassword("ein-langes-Passwort-123"), false);
        var client = app.Api();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await app.Services.GetRequiredService<AccessTokens>().IssueAsync(id)).Token);
        await (await client.GetAsync($"/api/v1/cases/{caseId}")).AssertProblemAsync(404);
        var admin = await app.ApiAsAsync("thale.admin"); // an administrator of the owner without service roles: no case access at all
        await (await admin.GetAsync($"/api/v1/cases/{caseId}")).AssertProblemAsync(403);
    }

    [SkippableFact]
    public async Task Delegation_PartnerStaffSeesOwnersCases_ButTheOwnerDoesNotSeeThePartners()
    {
        app.Require();
        var speyerCase = await app.Db.QuerySingleAsync<string>("SELECT id FROM cases WHERE owner_ags = @A AND service_slug = 'wohngeld' LIMIT 1", new { A = BackofficeFixture.Speyer });
        var ludwigshafenCase = await app.Db.QuerySingleAsync<string>("SELECT id FROM cases WHERE owner_ags = @A AND service_slug = 'wohngeld' LIMIT 1", new { A = BackofficeFixture.Ludwigshafen });
        var lu = await app.ApiAsAsync("ludwigshafen.sachbearbeitung");
        var sp = await app.ApiAsAsync("speyer.sachbearbeitung");
        Assert.Equal(HttpStatusCode.OK, (await lu.GetAsync($"/api/v1/cases/{speyerCase}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await sp.GetAsync($"/api/v1/cases/{speyerCase}")).StatusCode);
        await (await sp.GetAsync($"/api/v1/cases/{ludwigshafenCase}")).AssertProblemAsync(404);
    }

    [SkippableFact]
    public async Task Decide_IssuesTheBescheidInTheOwnersName_ClosesTheCase_AndSetsRetention()
    {
        var caseId = await ThaleWohngeldCaseAsync("Bescheidempfaenger");
        var clerk = await app.ApiAsAsync("quedlinburg.sachbearbeitung");
        await clerk.ClaimUntilAsync("wohngeld", caseId);
        var refused = await (await clerk.PostAsJsonAsync($"/api/v1/cases/{caseId}/decision", new { outcome = "rejected", reason = "" })).AssertProblemAsync(409);
        Assert.Equal("ReasonRequired", refused.GetProperty("rule").GetString());

        var decided = await (await clerk.PostAsJsonAsync($"/api/v1/cases/{caseId}/decision", new { outcome = "granted", reason = "Alle Voraussetzungen liegen vor." })).ReadJsonAsync();
        Assert.Equal("closed", decided.GetProperty("status").GetString());
        Assert.Equal(Agreements.Quedlinburg, decided.GetProperty("decision").GetProperty("processorAgs").GetString());
        var year = DateTime.UtcNow.Year;
        Assert.Equal($"{year + 10}-12-31", decided.GetProperty("retentionUntil").GetString());
        var bescheid = decided.GetProperty("documents").EnumerateArray().Single(d => d.GetProperty("source").GetString() == "decision");
        var pdf = await (await clerk.GetAsync($"/api/v1/cases/{caseId}/documents/{bescheid.GetProperty("id").GetString()}")).Content.ReadAsByteArrayAsync();
        Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString(pdf, 0, 5));
        var text = string.Join(" ", PdfText.ExtractStrings(pdf));
        Assert.Contains("Gemeindeverwaltung Thale", text);
        Assert.Contains("Quedlinburg", text);
        Assert.Contains(decided.GetProperty("reference").GetString()!, text);
        Assert.Contains("wird stattgegeben", text);
        Assert.Contains("Widerspruch", text);
        Poppler.AssertReadable(pdf, "Guten Tag Jörg Bescheidempfaenger,", decided.GetProperty("reference").GetString()!);

        await (await clerk.PostAsJsonAsync($"/api/v1/cases/{caseId}/notes", new { text = "nachträglich" })).AssertProblemAsync(409);
    }

    [SkippableFact]
    public async Task Decide_GrantOfAnIncompleteFile_IsRefused_UntilTheMissingDocumentIsAdded()
    {
        var caseId = await ThaleWohngeldCaseAsync("Unvollstaendig", complete: false);
        var clerk = await app.ApiAsAsync("quedlinburg.sachbearbeitung");
        await clerk.ClaimUntilAsync("wohngeld", caseId);
        var refused = await (await clerk.PostAsJsonAsync($"/api/v1/cases/{caseId}/decision", new { outcome = "granted" })).AssertProblemAsync(409);
        Assert.Equal("IncompleteFile", refused.GetProperty("rule").GetString());

        var bad = await clerk.PostAsJsonAsync($"/api/v1/cases/{caseId}/documents", new { documentType = "mietvertrag", fileName = "../x.pdf", contentType = "application/pdf", contentBase64 = Convert.ToBase64String(BackofficeFixture.Pdf()) });
        await bad.AssertProblemAsync(400);
        var added = await clerk.PostAsJsonAsync($"/api/v1/cases/{caseId}/documents", new { documentType = "mietvertrag", fileName = "mietvertrag.pdf", contentType = "application/pdf", contentBase64 = Convert.ToBase64String(BackofficeFixture.Pdf("Mietvertrag")) });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var json = await (await clerk.GetAsync($"/api/v1/cases/{caseId}")).ReadJsonAsync();
        Assert.True(json.GetProperty("complete").GetBoolean());
        (await clerk.PostAsJsonAsync($"/api/v1/cases/{caseId}/decision", new { outcome = "granted" })).EnsureSuccessStatusCode();
    }

    [SkippableFact]
    public async Task ClerkActions_ReleaseRequestResumeNote_AreRecordedInTheHistory()
    {
        var caseId = await ThaleWohngeldCaseAsync("Verlauf");
        var clerk = await app.ApiAsAsync("quedlinburg.sachbearbeitung");
        var other = await app.ApiAsAsync("quedlinburg.teamleitung");
        await clerk.ClaimUntilAsync("wohngeld", caseId);
        await (await other.PostAsJsonAsync($"/api/v1/cases/{caseId}/decision", new { outcome = "granted" })).AssertProblemAsync(409); // not assigned to the lead

        var until = OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(14).ToString("yyyy-MM-dd");
        Assert.Equal(HttpStatusCode.OK, (await clerk.PostAsJsonAsync($"/api/v1/cases/{caseId}/document-request", new { until, message = "Bitte Mietbescheinigung nachreichen." })).StatusCode);
        var waiting = await (await clerk.PostAsJsonAsync($"/api/v1/cases/{caseId}/decision", new { outcome = "granted" })).AssertProblemAsync(409);
        Assert.Equal("CaseIsWaiting", waiting.GetProperty("rule").GetString());
        await (await clerk.PostAsJsonAsync($"/api/v1/cases/{caseId}/document-request", new { until = "2020-01-01", message = "x" })).AssertProblemAsync(409);
        Assert.Equal(HttpStatusCode.NoContent, (await clerk.PostAsync($"/api/v1/cases/{caseId}/resume", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await clerk.PostAsJsonAsync($"/api/v1/cases/{caseId}/notes", new { text = "Telefonat mit Antragsteller." })).StatusCode);
        await (await clerk.PostAsJsonAsync($"/api/v1/cases/{caseId}/notes", new { text = "" })).AssertProblemAsync(400);
        Assert.Equal(HttpStatusCode.NoContent, (await clerk.PostAsync($"/api/v1/cases/{caseId}/release", null)).StatusCode);

        var history = await (await clerk.GetAsync($"/api/v1/cases/{caseId}/history")).ReadJsonAsync();
        var actions = history.EnumerateArray().Select(h => h.GetProperty("action").GetString()).ToList();
        Assert.Equal(["eingegangen", "übernommen", "Unterlagen angefordert", "Bearbeitung wieder aufgenommen", "Vermerk hinzugefügt", "in den Pool zurückgegeben"], actions);
        var claimEntry = history.EnumerateArray().Single(h => h.GetProperty("action").GetString() == "übernommen");
        Assert.Equal(Agreements.Quedlinburg, claimEntry.GetProperty("actor").GetProperty("municipalityAgs").GetString());
        Assert.Equal("open", (await (await clerk.GetAsync($"/api/v1/cases/{caseId}")).ReadJsonAsync()).GetProperty("status").GetString());
    }

    [SkippableFact]
    public async Task AbsenceStartingTomorrow_ReturnsTheCasesOnItsFirstDay_ThroughTheSweep()
    {
        var caseId = await ThaleWohngeldCaseAsync("Abwesenheit-morgen");
        var lead = await app.ApiAsAsync("quedlinburg.teamleitung");
        var clerk = await app.ApiAsAsync("quedlinburg.sachbearbeitung");
        var clerkId = (await (await clerk.GetAsync("/api/v1/me")).ReadJsonAsync()).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.NoContent, (await lead.PostAsJsonAsync($"/api/v1/cases/{caseId}/assignment", new { userId = clerkId })).StatusCode);
        var tomorrow = BerlinTime.Today(app.Clock).AddDays(1);
        var absence = await (await lead.PostAsJsonAsync("/api/v1/absences", new { userId = clerkId, from = tomorrow.ToString("yyyy-MM-dd"), to = tomorrow.AddDays(3).ToString("yyyy-MM-dd") })).ReadJsonAsync();
        Assert.Equal(0, absence.GetProperty("casesReturned").GetInt32());
        var sweeper = app.Services.GetRequiredService<OpenIkz.Backoffice.Work.AbsenceSweeper>();
        Assert.Equal(0, await sweeper.SweepAsync());
        Assert.Equal("assigned", await app.Db.QuerySingleAsync<string>("SELECT status FROM cases WHERE id = @Id", new { Id = caseId }));

        app.Clock.Advance(TimeSpan.FromDays(1));
        try
        {
            Assert.True(await sweeper.SweepAsync() >= 1);
            Assert.Equal("open", await app.Db.QuerySingleAsync<string>("SELECT status FROM cases WHERE id = @Id", new { Id = caseId }));
        }
        finally
        {
            app.Clock.Advance(TimeSpan.FromDays(-1));
            await app.Db.ExecuteAsync("DELETE FROM absences WHERE user_id = @Id", new { Id = clerkId });
        }
    }

    [SkippableFact]
    public async Task TeamLead_ReassignsMarksAbsentAndSeesThePool()
    {
        var caseId = await ThaleWohngeldCaseAsync("Teamleitung");
        var lead = await app.ApiAsAsync("quedlinburg.teamleitung");
        var clerk = await app.ApiAsAsync("quedlinburg.sachbearbeitung");
        var clerkId = (await (await clerk.GetAsync("/api/v1/me")).ReadJsonAsync()).GetProperty("id").GetInt64();
        var outsiderId = await app.Db.QuerySingleAsync<long>("SELECT id FROM users WHERE username = 'halberstadt.sachbearbeitung'");

        await (await lead.PostAsJsonAsync($"/api/v1/cases/{caseId}/assignment", new { userId = outsiderId })).AssertProblemAsync(400);
        Assert.Equal(HttpStatusCode.NoContent, (await lead.PostAsJsonAsync($"/api/v1/cases/{caseId}/assignment", new { userId = clerkId })).StatusCode);
        var mine = await (await clerk.GetAsync("/api/v1/work/mine")).ReadJsonAsync();
        Assert.Contains(mine.EnumerateArray(), c => c.GetProperty("id").GetString() == caseId);

        var pool = await (await lead.GetAsync("/api/v1/pool")).ReadJsonAsync();
        var thale = pool.EnumerateArray().Single(r => r.GetProperty("ownerAgs").GetString() == Agreements.Thale && r.GetProperty("service").GetString() == "wohngeld");
        Assert.True(thale.GetProperty("open").GetInt32() >= 1);
        await (await clerk.GetAsync("/api/v1/pool")).AssertProblemAsync(403);

        var today = OpenIkz.Common.BerlinTime.Today(TimeProvider.System);
        var absence = await (await lead.PostAsJsonAsync("/api/v1/absences", new { userId = clerkId, from = today.ToString("yyyy-MM-dd"), to = today.AddDays(7).ToString("yyyy-MM-dd") })).ReadJsonAsync();
        Assert.True(absence.GetProperty("casesReturned").GetInt32() >= 1);
        Assert.Equal("open", (await (await lead.GetAsync($"/api/v1/cases/{caseId}")).ReadJsonAsync()).GetProperty("status").GetString());
        var blocked = await (await clerk.ClaimAsync("wohngeld")).AssertProblemAsync(409);
        Assert.Equal("ClerkIsAbsent", blocked.GetProperty("rule").GetString());
        var foreign = await (await lead.PostAsJsonAsync("/api/v1/absences", new { userId = outsiderId, from = today.ToString("yyyy-MM-dd"), to = today.ToString("yyyy-MM-dd") })).AssertProblemAsync(400);
        Assert.Contains("nicht zu Ihrer Kommune", foreign.GetProperty("errors").GetProperty("userId")[0].GetString());
        await (await lead.PostAsJsonAsync("/api/v1/absences", new { userId = clerkId, from = today.ToString("yyyy-MM-dd"), to = today.AddDays(-3).ToString("yyyy-MM-dd") })).AssertProblemAsync(400);
        await app.Db.ExecuteAsync("DELETE FROM absences WHERE user_id = @Id", new { Id = clerkId });
    }

    [SkippableFact]
    public async Task TeamLead_OfAPartner_CannotTakeOrGiveCasesOfAnotherMunicipalitysStaff()
    {
        // The Kfz pool of the demo: Ludwigshafen, Frankenthal and the Rhein-Pfalz-Kreis.
        var portal = await app.PortalAsync(BackofficeFixture.Frankenthal);
        var assigned = await portal.SubmitOkAsync(BackofficeFixture.KfzApplication(familyName: "Fremdzuweisung"));
        var unassigned = await portal.SubmitOkAsync(BackofficeFixture.KfzApplication(familyName: "Poolfall"));
        var frankenthalLead = await app.ApiAsAsync("frankenthal.teamleitung");
        var ludwigshafenLead = await app.ApiAsAsync("ludwigshafen.teamleitung");
        var frankenthalClerk = await app.Db.QuerySingleAsync<long>("SELECT id FROM users WHERE username = 'frankenthal.sachbearbeitung'");
        var ludwigshafenClerk = await app.Db.QuerySingleAsync<long>("SELECT id FROM users WHERE username = 'ludwigshafen.sachbearbeitung'");
        Assert.Equal(HttpStatusCode.NoContent, (await frankenthalLead.PostAsJsonAsync($"/api/v1/cases/{assigned}/assignment", new { userId = frankenthalClerk })).StatusCode);

        var taken = await (await ludwigshafenLead.PostAsJsonAsync($"/api/v1/cases/{assigned}/assignment", new { userId = (long?)null })).AssertProblemAsync(409);
        Assert.Equal("AssignedToOtherMunicipality", taken.GetProperty("rule").GetString());
        await (await ludwigshafenLead.PostAsJsonAsync($"/api/v1/cases/{assigned}/assignment", new { userId = ludwigshafenClerk })).AssertProblemAsync(409);
        Assert.Equal(frankenthalClerk, await app.Db.QuerySingleAsync<long>("SELECT assigned_user_id FROM cases WHERE id = @Id", new { Id = assigned }));

        var given = await (await ludwigshafenLead.PostAsJsonAsync($"/api/v1/cases/{unassigned}/assignment", new { userId = frankenthalClerk })).AssertProblemAsync(400);
        Assert.Contains("eigenen Kommune", given.GetProperty("errors").GetProperty("userId")[0].GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await ludwigshafenLead.PostAsJsonAsync($"/api/v1/cases/{unassigned}/assignment", new { userId = ludwigshafenClerk })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await ludwigshafenLead.PostAsJsonAsync($"/api/v1/cases/{unassigned}/assignment", new { userId = (long?)null })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await frankenthalLead.PostAsJsonAsync($"/api/v1/cases/{assigned}/assignment", new { userId = (long?)null })).StatusCode);
    }

    [SkippableFact]
    public async Task AccessRule_WhenAUserHoldsAServiceButNotTheClerkRole_SeesNoCase()
    {
        var portal = await app.PortalAsync(BackofficeFixture.Frankenthal);
        var caseId = await portal.SubmitOkAsync(BackofficeFixture.KfzApplication(familyName: "Rollenlos"));
        var users = app.Services.GetRequiredService<UserAccounts>();
        var username = "ft.tl-only-" + Guid.NewGuid().ToString("N")[..6];
        var id = await users.CreateAsync(new NewUser(BackofficeFixture.Frankenthal, username, "Nur Teamleitung", "Sicheres-Passwort-2026!", [Roles.Teamleitung], []));
        // A service row without the role can only come from outside the application (validation refuses it): the SQL rule must still hold.
        await app.Db.ExecuteAsync("INSERT INTO user_services (user_id, service_slug) VALUES (@Id, 'kfz-zulassung')", new { Id = id });
        var lead = await app.ApiAsAsync(username, "Sicheres-Passwort-2026!");
        await (await lead.GetAsync($"/api/v1/cases/{caseId}")).AssertProblemAsync(404);
        var clerk = await app.ApiAsAsync("frankenthal.sachbearbeitung");
        Assert.Equal(HttpStatusCode.OK, (await clerk.GetAsync($"/api/v1/cases/{caseId}")).StatusCode);
    }
}

public sealed class WorkTestsSqlite(SqliteApp app) : WorkTests(app), IClassFixture<SqliteApp>;
public sealed class WorkTestsPostgres(PostgresApp app) : WorkTests(app), IClassFixture<PostgresApp>;

internal static class ResponseExtensions
{
    public static async Task EnsureSuccessAsync(this HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
