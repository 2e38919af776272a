using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenIkz.Assessment.Potential;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Assessment;

/// <summary>
/// The stored potential analyses over HTTP. The reference for the figures is the project's own
/// <see cref="PotentialCalculator"/> (its Erlang C and Shapley parts are checked against published tables in
/// PotentialCalculatorTests, ErlangCStaffingModelTests and ShapleyTests): the API must relay exactly what it computes.
/// </summary>
public abstract class AssessmentsApiTests(OpenIkzApp fixture)
{
    private const string H = Backoffice.Agreements.Halberstadt, Q = Backoffice.Agreements.Quedlinburg;

    private OpenIkzApp app => fixture.Require();

    private static object Request(string title = "Wohngeld gemeinsam") => new
    {
        title,
        partners = new[] { H, Q },
        loads = new object[]
        {
            new
            {
                partnerAgs = H, service = "wohngeld", staffFte = 2.0,
                caseGroups = new[] { new { caseGroup = "mietzuschuss", casesPerYear = 1200.0, minutesPerCase = 90.0 }, new { caseGroup = "lastenzuschuss", casesPerYear = 300.0, minutesPerCase = 120.0 } },
            },
            new
            {
                partnerAgs = Q, service = "wohngeld", staffFte = 1.5, absenceRate = 0.2,
                caseGroups = new[] { new { caseGroup = "mietzuschuss", casesPerYear = 900.0, minutesPerCase = 90.0 } },
            },
        },
        target = new { workingDays = 0.1, shareStarted = 0.8 }, // 80 % started within 47 minutes: the queue, not the workload, sets the staff
        transactionCosts = new { oneOffFixedEuro = 20000.0, yearlyPerPartnerEuro = 1000.0 },
    };

    /// <summary>The same input as <see cref="Request"/>, for the calculator.</summary>
    private static PotentialInput Input() => new(
        [H, Q],
        [
            new ServiceLoad(H, "wohngeld", 2.0, [new CaseGroupLoad("mietzuschuss", 1200, 90), new CaseGroupLoad("lastenzuschuss", 300, 120)]),
            new ServiceLoad(Q, "wohngeld", 1.5, [new CaseGroupLoad("mietzuschuss", 900, 90)], 0.2),
        ],
        new ServiceTarget(0.1, 0.8), new PotentialAssumptions(), new TransactionCosts(OneOffFixedEuro: 20000, YearlyPerPartnerEuro: 1000));

    private async Task<(long Id, JsonElement Body, string Raw)> CreateAsync(string user = "halberstadt.koordination")
    {
        var response = await (await app.ApiAsAsync(user)).PostAsJsonAsync("/api/v1/assessments", Request());
        var raw = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, raw);
        var body = JsonDocument.Parse(raw).RootElement;
        var id = body.GetProperty("id").GetInt64();
        Assert.Equal($"/api/v1/assessments/{id}", response.Headers.Location?.OriginalString);
        return (id, body, raw);
    }

    private static void Near(double expected, JsonElement actual) => Assert.Equal(expected, actual.GetDouble(), 9);

    [SkippableFact]
    public async Task Create_Is201_WithTheCalculatorsFigures_AndGetReturnsExactlyTheSame()
    {
        var (id, body, raw) = await CreateAsync();
        var r = PotentialCalculator.Calculate(Input(), ErlangCStaffingModel.Instance);
        var split = PotentialCalculator.FairSplit(Input(), ErlangCStaffingModel.Instance);

        Near(r.SavingFte, body.GetProperty("saving").GetProperty("fte"));
        Near(r.SavingEuro, body.GetProperty("saving").GetProperty("eurPerYear"));
        Near(r.SavingShare * 100, body.GetProperty("saving").GetProperty("percent"));
        Near(r.PooledFte, body.GetProperty("pooled").GetProperty("fte"));
        Near(r.AloneFte, body.GetProperty("pooled").GetProperty("aloneFte"));
        Assert.Equal(r.ReachesFundingThreshold, body.GetProperty("fundingThresholdMet").GetBoolean());
        Assert.True(r.BreakEvenMonths is not null, $"alone {r.AloneFte} pooled {r.PooledFte} saving {r.SavingEuro}"); // the example saves: 20,000 € one-off over a positive monthly saving
        Near(r.BreakEvenMonths!.Value, body.GetProperty("breakEvenMonths"));
        Assert.Equal(r.Partners.Count, body.GetProperty("alone").GetArrayLength());

        var shapley = body.GetProperty("shapley").EnumerateArray().ToDictionary(s => s.GetProperty("ags").GetString()!, s => s.GetProperty("eurPerYear").GetDouble());
        foreach (var p in split.Partners) Assert.Equal(p.ShapleyGainEuro, shapley[p.PartnerAgs], 9);
        Assert.Equal(split.TotalGainEuro, shapley.Values.Sum(), 6); // efficiency: the shares add up to v(N)

        var rates = body.GetProperty("suggestedRates").EnumerateArray().ToList();
        var expectedRates = r.Services.SelectMany(s => s.Rates).ToList();
        Assert.Equal(expectedRates.Count, rates.Count);
        for (var i = 0; i < rates.Count; i++)
        {
            Assert.Equal(expectedRates[i].CaseGroup, rates[i].GetProperty("caseGroup").GetString());
            Near(expectedRates[i].CostPerCaseEuro, rates[i].GetProperty("costPerCaseEuro"));
        }
        Near(r.Services.Sum(s => s.PooledDaysWithNobodyPresent), body.GetProperty("absenceCoverage").GetProperty("pooledDaysWithNobodyPresent"));
        Assert.Equal(split.Partners.Count, body.GetProperty("settlementKey").GetProperty("partners").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("agreementId").ValueKind);

        // Stored as computed: the other partner's team lead reads exactly the answer of the creation.
        var get = await (await app.ApiAsAsync("quedlinburg.teamleitung")).GetAsync($"/api/v1/assessments/{id}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(raw, await get.Content.ReadAsStringAsync());
    }

    [SkippableFact]
    public async Task OnlyPartnersSeeIt_OthersGet404_AClerk403_Anonymous401_AndANonPartnerCannotCreateForOthers()
    {
        var (id, _, _) = await CreateAsync();
        var url = $"/api/v1/assessments/{id}";
        await (await (await app.ApiAsAsync("thale.koordination")).GetAsync(url)).AssertProblemAsync(404);
        await (await (await app.ApiAsAsync("thale.teamleitung")).GetAsync(url)).AssertProblemAsync(404);
        await (await (await app.ApiAsAsync("thale.koordination")).PostAsJsonAsync(url + "/simulation", new { days = 5 })).AssertProblemAsync(404);
        await (await (await app.ApiAsAsync("thale.koordination")).PostAsync(url + "/agreement-draft", null)).AssertProblemAsync(404);
        await (await (await app.ApiAsAsync("halberstadt.sachbearbeitung")).GetAsync(url)).AssertProblemAsync(403);
        await (await (await app.ApiAsAsync("halberstadt.sachbearbeitung")).PostAsJsonAsync("/api/v1/assessments", Request())).AssertProblemAsync(403);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Api().GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await app.ApiAsAsync("quedlinburg.koordination")).GetAsync(url)).StatusCode);

        var before = await app.CountAsync("assessments");
        var problem = await (await (await app.ApiAsAsync("thale.koordination")).PostAsJsonAsync("/api/v1/assessments", Request())).AssertProblemAsync(403);
        Assert.Contains("partners", problem.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, await app.CountAsync("assessments"));
    }

    [SkippableFact]
    public async Task BadInput_Is400NamingThePaths_AndStoresNothing()
    {
        var coordinator = await app.ApiAsAsync("halberstadt.koordination");
        var before = await app.CountAsync("assessments");
        var problem = await (await coordinator.PostAsJsonAsync("/api/v1/assessments", new
        {
            title = "Fehlerhaft",
            partners = new[] { H, "15099999" },
            loads = new object[]
            {
                new
                {
                    partnerAgs = H, service = "wohngeld", staffFte = 2.0,
                    caseGroups = new object[] { new { caseGroup = "mietzuschuss", casesPerYear = 100.0, minutesPerCase = 90.0 }, new { caseGroup = "lastenzuschuss", casesPerYear = -5.0, minutesPerCase = 90.0 } },
                },
                new { partnerAgs = H, service = "hundesteuer", staffFte = 1.0, caseGroups = new[] { new { caseGroup = "", casesPerYear = 10.0, minutesPerCase = 10.0 } } },
                new { partnerAgs = H, service = "elterngeld", staffFte = 1.0, caseGroups = new[] { new { caseGroup = "gibt-es-nicht", casesPerYear = 10.0, minutesPerCase = 10.0 } } },
                new { partnerAgs = H, service = "kfz-zulassung", caseGroups = new[] { new { caseGroup = "", casesPerYear = 10.0 } } },
            },
            target = new { shareStarted = 1.5 },
        })).AssertProblemAsync(400);
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "partners[1]", "loads[0].caseGroups[1].casesPerYear", "loads[1].service", "loads[2].caseGroups[0].caseGroup", "loads[3].staffFte", "loads[3].caseGroups[0].minutesPerCase", "target.shareStarted" })
            Assert.True(errors.TryGetProperty(field, out _), field + ": " + problem);

        // Strict JSON: an unknown field is refused as by the other endpoints.
        var unknown = await coordinator.PostAsync("/api/v1/assessments", new StringContent(
            $$"""{"title":"X","partners":["{{H}}","{{Q}}"],"loads":[{"partnerAgs":"{{H}}","service":"wohngeld","staffFte":1,"colour":"rot","caseGroups":[]}]}""",
            System.Text.Encoding.UTF8, "application/json"));
        await unknown.AssertProblemAsync(400);
        Assert.Equal(before, await app.CountAsync("assessments"));
    }

    [SkippableFact]
    public async Task Simulation_WithTheSameSeed_IsReproducible_AndDaysAreBounded()
    {
        var (id, _, _) = await CreateAsync();
        var teamLead = await app.ApiAsAsync("halberstadt.teamleitung");
        var url = $"/api/v1/assessments/{id}/simulation";
        var first = await teamLead.PostAsJsonAsync(url, new { days = 90, seed = 7 });
        var firstRaw = await first.Content.ReadAsStringAsync();
        Assert.True(first.StatusCode == HttpStatusCode.OK, firstRaw);
        var second = await (await app.ApiAsAsync("quedlinburg.koordination")).PostAsJsonAsync(url, new { days = 90, seed = 7 });
        Assert.Equal(firstRaw, await second.Content.ReadAsStringAsync());
        var result = JsonDocument.Parse(firstRaw).RootElement;
        Assert.Equal(7, result.GetProperty("seed").GetInt32());
        Assert.Equal(90, result.GetProperty("days").GetInt32());
        // Both partners' wohngeld alone, and one pool of them.
        Assert.Equal(2, result.GetProperty("alone").GetArrayLength());
        Assert.Equal(1, result.GetProperty("pooled").GetArrayLength());

        var byDefault = (await (await teamLead.PostAsJsonAsync(url, new { days = 30 })).ReadJsonAsync());
        Assert.Equal(id, byDefault.GetProperty("seed").GetInt64());
        var problem = await (await teamLead.PostAsJsonAsync(url, new { days = 0 })).AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("days", out _), problem.ToString());
        await (await teamLead.PostAsJsonAsync(url, new { days = 3661 })).AssertProblemAsync(400);
    }

    [SkippableFact]
    public async Task AgreementDraft_CreatesADraftWithTheMembersAndRates_AndASecondIs409()
    {
        var (id, body, _) = await CreateAsync();
        var coordinator = await app.ApiAsAsync("quedlinburg.koordination");
        await (await (await app.ApiAsAsync("halberstadt.teamleitung")).PostAsync($"/api/v1/assessments/{id}/agreement-draft", null)).AssertProblemAsync(403);
        var response = await coordinator.PostAsync($"/api/v1/assessments/{id}/agreement-draft", null);
        var raw = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, raw);
        var agreementId = JsonDocument.Parse(raw).RootElement.GetProperty("agreementId").GetInt64();

        var agreement = await (await coordinator.GetAsync($"/api/v1/agreements/{agreementId}")).ReadJsonAsync();
        Assert.Equal("draft", agreement.GetProperty("status").GetString());
        Assert.Equal("gkg-lsa", agreement.GetProperty("stateLaw").GetString()); // both partners lie in Sachsen-Anhalt
        Assert.Equal(new[] { H, Q }, agreement.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("ags").GetString()).Order().ToArray());
        var rates = agreement.GetProperty("rates").EnumerateArray().ToDictionary(x => x.GetProperty("caseGroup").GetString()!, x => x.GetProperty("flatAmount").GetDecimal());
        foreach (var suggested in body.GetProperty("suggestedRates").EnumerateArray())
            Assert.Equal(Math.Round((decimal)suggested.GetProperty("costPerCaseEuro").GetDouble(), 2, MidpointRounding.AwayFromZero), rates[suggested.GetProperty("caseGroup").GetString()!]);
        Assert.Equal(2, rates.Count);

        var again = await (await coordinator.PostAsync($"/api/v1/assessments/{id}/agreement-draft", null)).AssertProblemAsync(409);
        Assert.Contains(agreementId.ToString(System.Globalization.CultureInfo.InvariantCulture), again.ToString(), StringComparison.Ordinal);
        var read = await (await coordinator.GetAsync($"/api/v1/assessments/{id}")).ReadJsonAsync();
        Assert.Equal(agreementId, read.GetProperty("agreementId").GetInt64());
        Assert.Equal(1, await app.CountAsync("agreements", "id = @Id AND status = 'draft'", new { Id = agreementId }));
    }

    [SkippableFact]
    public async Task AgreementDraft_CalledFourTimesAtOnce_CreatesOneDraft_TheOthersAre409_AndLeaveNoDraftBehind()
    {
        var (id, _, _) = await CreateAsync();
        var coordinators = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => app.ApiAsAsync("quedlinburg.koordination")));
        var responses = await Task.WhenAll(coordinators.Select(c => c.PostAsync($"/api/v1/assessments/{id}/agreement-draft", null)));
        var codes = responses.Select(r => (int)r.StatusCode).Order().ToArray();
        Assert.Equal(new[] { 201, 409, 409, 409 }, codes);
        // Only the one draft: the losers' drafts were rolled back with their link.
        Assert.Equal(1, await app.CountAsync("agreements", "goals LIKE @G", new { G = $"Entwurf aus der Potenzialanalyse {id} %" }));
        var created = JsonDocument.Parse(await responses.Single(r => r.StatusCode == HttpStatusCode.Created).Content.ReadAsStringAsync()).RootElement.GetProperty("agreementId").GetInt64();
        var read = await (await coordinators[0].GetAsync($"/api/v1/assessments/{id}")).ReadJsonAsync();
        Assert.Equal(created, read.GetProperty("agreementId").GetInt64());
    }
}

public sealed class AssessmentsApiTestsSqlite(SqliteApp app) : AssessmentsApiTests(app), IClassFixture<SqliteApp>;
public sealed class AssessmentsApiTestsPostgres(PostgresApp app) : AssessmentsApiTests(app), IClassFixture<PostgresApp>;
