using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Assessment.Evaluation;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Assessment;

/// <summary>The pure parts of the evaluation: working days, nearest-rank percentiles, goal judgement.</summary>
public sealed class EvaluationMathTests
{
    // Calendar: 2025-03-01 is a Saturday (e.g. `cal 3 2025`, util-linux 2.39), so 2025-03-03 is a Monday.
    [Theory]
    [InlineData("2025-03-03", "2025-03-03", 0)] // same day
    [InlineData("2025-03-03", "2025-03-06", 3)] // Mon -> Thu: Tue, Wed, Thu
    [InlineData("2025-03-07", "2025-03-10", 1)] // Fri -> Mon: Mon only
    [InlineData("2025-03-08", "2025-03-10", 1)] // Sat -> Mon: Mon only
    [InlineData("2025-03-03", "2025-03-14", 9)] // Mon -> Fri of the next week: 4 + 5
    [InlineData("2025-02-24", "2025-03-04", 6)] // across the month: Feb 25–28, Mar 3, 4
    [InlineData("2025-03-10", "2025-03-07", 0)] // end before start
    public void WorkingDays_Between_CountsMondayToFridayAfterTheStartUpToTheEnd(string start, string end, int expected) =>
        Assert.Equal(expected, WorkingDays.Between(DateOnly.Parse(start), DateOnly.Parse(end)));

    [Fact]
    public void WorkingDays_ByWeekdayAndGap_AgreesWithCountingDayByDay()
    {
        var monday = new DateOnly(2025, 3, 3);
        for (var s = 0; s < 7; s++)
            for (var gap = 0; gap < 40; gap++)
            {
                var start = monday.AddDays(s);
                var expected = Enumerable.Range(1, gap).Count(i => start.AddDays(i).DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday));
                Assert.Equal(expected, WorkingDays.Between(s, gap));
            }
    }

    // Nearest rank: Wikipedia "Percentile", nearest-rank method, worked example: {15, 20, 35, 40, 50} gives
    // P30 = 20, P40 = 20, P50 = 35, P100 = 50 (rank ⌈p/100 · 5⌉); Hyndman & Fan (1996), definition 1.
    [Theory]
    [InlineData(30, 20)]
    [InlineData(40, 20)]
    [InlineData(50, 35)]
    [InlineData(100, 50)]
    public void Percentiles_NearestRank_MatchesThePublishedExample(int percent, int expected)
    {
        var histogram = new Dictionary<int, long> { [15] = 1, [20] = 1, [35] = 1, [40] = 1, [50] = 1 };
        Assert.Equal(expected, Percentiles.NearestRank(histogram, percent));
    }

    [Fact]
    public void Percentiles_OfAHistogram_AreThoseOfTheExpandedValues_AndNoneForNoValues()
    {
        // [0, 0, 1, 1, 1, 2, 4, 4]: P50 rank ⌈4⌉ = 4 -> 1; P90 rank ⌈7.2⌉ = 8 -> 4.
        var histogram = new Dictionary<int, long> { [4] = 2, [0] = 2, [1] = 3, [2] = 1, [7] = 0 };
        Assert.Equal(1, Percentiles.NearestRank(histogram, 50));
        Assert.Equal(4, Percentiles.NearestRank(histogram, 90));
        Assert.Null(Percentiles.NearestRank(new Dictionary<int, long>(), 50));
    }

    [Fact]
    public void GoalJudgement_ComparesAtMostAndAtLeast_IncludingTheTarget_AndNothingMeasuredIsNeither()
    {
        Assert.True(GoalJudgement.IsMet("le", 10m, 10m));
        Assert.False(GoalJudgement.IsMet("le", 10m, 10.01m));
        Assert.True(GoalJudgement.IsMet("ge", 15m, 15m));
        Assert.False(GoalJudgement.IsMet("ge", 15m, 14.99m));
        Assert.Null(GoalJudgement.IsMet("le", 5m, null));
        Assert.Equal(45.45m, GoalJudgement.Percent(5, 11)); // 500/11 = 45.4545…
        Assert.Null(GoalJudgement.Percent(0, 0));
    }
}

/// <summary>The evaluation over HTTP on a hand-computed data set, its authorization and its validation. Runs on SQLite and on PostgreSQL.</summary>
public abstract class EvaluationTests(OpenIkzApp fixture)
{
    private const string A = Backoffice.Agreements.Halberstadt, B = Backoffice.Agreements.Quedlinburg, Outsider = Backoffice.Agreements.Thale;
    private static readonly SemaphoreSlim Setup = new(1, 1);
    private static readonly Dictionary<OpenIkzApp, long> Pools = new();

    private OpenIkzApp app => fixture.Require();

    private static DateTime Utc(int month, int day, int hour, int minute = 0) => new(2025, month, day, hour, minute, 0, DateTimeKind.Utc);

    /// <summary>
    /// A Wohngeld pool of Halberstadt (A) and Quedlinburg (B) from 2025-01-01, flat rate 20,00 € per case decided for the
    /// other partner, evaluated for March 2025 (2025-03-03 is a Monday; summer time began 2025-03-30 01:00 UTC).
    /// Times UTC; "lead" = working days (Mon–Fri) after the Berlin day of receipt up to the day of decision,
    /// "proc" = the same from the day of the (last) claim.
    /// </summary>
    private async Task<long> PoolAsync()
    {
        await Setup.WaitAsync();
        try
        {
            if (Pools.TryGetValue(app, out var existing)) return existing;
            var id = await app.CreateAgreementAsync(["wohngeld"], [(A, true, true), (B, true, true)], from: new DateOnly(2025, 1, 1));
            await app.Db.ExecuteAsync("INSERT INTO agreement_rates (agreement_id, service_slug, case_group, flat_cents, fee_cents) VALUES (@Id, 'wohngeld', '', 2000, NULL)", new { Id = id });
            //  #  owner proc  received            claimed            decided             due    lead proc late
            //  1  A     A     Mon 03-03 10:00     Tue 03-04 09:00    Thu 03-06 10:00     03-20    3    2   no
            await CaseAsync(A, A, Utc(3, 3, 10), Utc(3, 4, 9), Utc(3, 6, 10), new(2025, 3, 20));
            //  2  A     B     Fri 03-07 10:00     Fri 03-07 12:00    Mon 03-10 10:00     03-08    1    1   yes
            await CaseAsync(A, B, Utc(3, 7, 10), Utc(3, 7, 12), Utc(3, 10, 10), new(2025, 3, 8));
            //  3  A     B     Mon 03-03 10:00     Mon 03-10 09:00    Fri 03-14 10:00     03-20    9    4   no   (returned to the pool by an absence in A)
            var returned = await CaseAsync(A, B, Utc(3, 3, 10), Utc(3, 10, 9), Utc(3, 14, 10), new(2025, 3, 20));
            //  4  A     –     Wed 03-05 10:00     open                                   03-10   backlog, overdue
            await CaseAsync(A, null, Utc(3, 5, 10), null, null, new(2025, 3, 10));
            //  5  A     A     Mon 02-24 10:00     Mon 03-03 09:00    Tue 03-04 10:00     03-03    6    1   yes  (received before the period)
            await CaseAsync(A, A, Utc(2, 24, 10), Utc(3, 3, 9), Utc(3, 4, 10), new(2025, 3, 3));
            //  6  B     B     Tue 03-11 13:00     Tue 03-11 13:00    Tue 03-11 15:00     03-25    0    0   no
            await CaseAsync(B, B, Utc(3, 11, 13), Utc(3, 11, 13), Utc(3, 11, 15), new(2025, 3, 25));
            //  7  B     A     Wed 03-12 10:00     Thu 03-13 09:00    Wed 03-19 10:00     03-14    5    4   yes
            await CaseAsync(B, A, Utc(3, 12, 10), Utc(3, 13, 9), Utc(3, 19, 10), new(2025, 3, 14));
            //  8  B     –     Fri 03-28 10:00     claimed by B, not decided              04-20   backlog, not overdue
            await CaseAsync(B, null, Utc(3, 28, 10), Utc(3, 28, 11), null, new(2025, 4, 20), assignedTo: B);
            //  9  B     B     Mon 03-17 23:30 = Tue 03-18 00:30 Berlin (CET)   Tue 03-18 08:00   Wed 03-19 10:00   03-31   1   1   no
            await CaseAsync(B, B, Utc(3, 17, 23, 30), Utc(3, 18, 8), Utc(3, 19, 10), new(2025, 3, 31));
            // 10  B     B     Sun 03-30 22:30 = Mon 03-31 00:30 Berlin (CEST)  Mon 03-31 08:00   Mon 03-31 20:00   04-15   0   0   no
            await CaseAsync(B, B, Utc(3, 30, 22, 30), Utc(3, 31, 8), Utc(3, 31, 20), new(2025, 4, 15));
            // 11  A     A     Mon 02-10, decided Wed 04-02 (after the period)          03-10   backlog at the end of March, overdue
            await CaseAsync(A, A, Utc(2, 10, 10), Utc(4, 1, 9), Utc(4, 2, 10), new(2025, 3, 10));
            // Not in scope: a non-member's Wohngeld case, a member's Kfz case (service not in the agreement), a case received
            // Mon 03-31 22:30 UTC = Tue 04-01 00:30 Berlin (after the period).
            await CaseAsync(Outsider, Outsider, Utc(3, 5, 10), Utc(3, 5, 11), Utc(3, 6, 10), new(2025, 3, 1));
            await CaseAsync(A, A, Utc(3, 5, 10), Utc(3, 5, 11), Utc(3, 6, 10), new(2025, 3, 1), service: "kfz-zulassung");
            await CaseAsync(B, null, Utc(3, 31, 22, 30), null, null, new(2025, 4, 1));

            // Case 3 was returned to the pool because A's clerk was absent (audited with A's municipality), then B decided it.
            var audit = app.Services.GetRequiredService<AuditLog>();
            await app.Db.InTransactionAsync(async (c, tx) =>
                await audit.AppendAsync(c, tx, new Actor(null, null, "system", "OpenIKZ (Abwesenheit)", A, false, []), new AuditEntry("case.returned-absence", A, id, returned)));
            Pools[app] = id;
            return id;
        }
        finally { Setup.Release(); }
    }

    private async Task<string> CaseAsync(string owner, string? processor, DateTime received, DateTime? claimed, DateTime? decided, DateOnly due,
        string service = "wohngeld", string? assignedTo = null)
    {
        var clerkOf = processor ?? assignedTo;
        long? clerk = clerkOf is null ? null
            : await app.Db.QuerySingleAsync<long>("SELECT id FROM users WHERE municipality_ags = @P AND username LIKE '%.sachbearbeitung'", new { P = clerkOf });
        var id = Guid.CreateVersion7().ToString();
        var status = decided is not null ? "closed" : assignedTo is not null ? "assigned" : "open";
        await app.Db.ExecuteAsync("""
            INSERT INTO cases (id, reference, owner_ags, service_slug, case_group, status, assigned_user_id, assigned_at, complete, applicant_given_name, applicant_family_name, applicant_birth_date,
                applicant_street, applicant_postal_code, applicant_city, applicant_search, form_json, received_at, due_date, decided_at, outcome, decided_by_user_id, processor_ags, version)
            VALUES (@Id, @Ref, @Owner, @Service, NULL, @Status, @Assignee, @Claimed, @True, 'A', 'B', @Birth, 'S', '38820', 'X', 'b a', '{}', @Received, @Due, @Decided, @Outcome, @DecidedBy, @Processor, 1)
            """, new { Id = id, Ref = $"{owner}-EV-{Guid.NewGuid():N}", Owner = owner, Service = service, Status = status, Assignee = decided is null ? clerk : null, Claimed = claimed,
                True = true, Birth = new DateOnly(1970, 1, 1), Received = received, Due = due, Decided = decided, Outcome = decided is null ? null : "granted",
                DecidedBy = decided is null ? null : clerk, Processor = decided is null ? null : processor });
        return id;
    }

    private static JsonElement Partner(JsonElement report, string ags) =>
        report.GetProperty("partners").EnumerateArray().Single(p => p.GetProperty("municipality").GetString() == ags && p.GetProperty("service").GetString() == "wohngeld");

    private static int? Int(JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetInt32();

    [SkippableFact]
    public async Task Evaluate_TheHandComputedPool_MatchesEveryFigure_AndJudgesTheGoals()
    {
        var id = await PoolAsync();
        var coordinator = await app.ApiAsAsync("halberstadt.koordination");
        var goals = await coordinator.PutAsJsonAsync($"/api/v1/agreements/{id}/goals", new
        {
            goals = new object[]
            {
                new { kpi = "durchlaufzeit-p90", target = 10m, dueDate = "2025-03-31", note = "Durchlaufzeit p90 ≤ 10 Arbeitstage" },
                new { kpi = "anteil-ueberfaellig", target = 5m, dueDate = "2025-03-31" },
                new { kpi = "rueckstand", comparison = "le", target = 2m, dueDate = "2025-03-31" },
                new { kpi = "bearbeitungszeit-p50", target = 1m, dueDate = "2025-03-31" },
                new { kpi = "jaehrliche-einsparung", target = 15m, dueDate = "2025-12-31" },
            },
        });
        var goalsJson = await goals.ReadJsonAsync();
        Assert.True(goals.StatusCode == HttpStatusCode.OK, goalsJson.ToString());
        Assert.Equal(5, goalsJson.GetArrayLength());
        Assert.Equal("ge", goalsJson[4].GetProperty("comparison").GetString()); // the catalogue's comparison for a saving
        var read = await (await coordinator.GetAsync($"/api/v1/agreements/{id}/goals")).ReadJsonAsync();
        Assert.Equal(10m, read[0].GetProperty("target").GetDecimal());

        var teamLead = await app.ApiAsAsync("quedlinburg.teamleitung");
        var response = await teamLead.GetAsync($"/api/v1/agreements/{id}/evaluation?from=2025-03-01&to=2025-03-31");
        var report = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, report.ToString());

        // Received in March (Berlin dates): A #1–#4 = 4; B #6–#10 = 5 (#10 arrived 00:30 on 03-31 Berlin; the last one 00:30 on 04-01).
        var a = Partner(report, A);
        var b = Partner(report, B);
        Assert.Equal(4, a.GetProperty("received").GetInt64());
        Assert.Equal(5, b.GetProperty("received").GetInt64());
        // Decided by A's clerks: #1, #5 (own), #7 (for B) = 3, one for others; by B's: #2, #3 (for A), #6, #9, #10 = 5, two for others.
        Assert.Equal(3, a.GetProperty("decided").GetInt64());
        Assert.Equal(1, a.GetProperty("decidedForOthers").GetInt64());
        Assert.Equal(5, b.GetProperty("decided").GetInt64());
        Assert.Equal(2, b.GetProperty("decidedForOthers").GetInt64());
        // Lead time of A's cases [1, 3, 6, 9]: p50 rank ⌈2⌉ -> 3, p90 rank ⌈3.6⌉ = 4 -> 9.
        Assert.Equal(4, a.GetProperty("leadTime").GetProperty("cases").GetInt64());
        Assert.Equal(3, Int(a.GetProperty("leadTime"), "p50"));
        Assert.Equal(9, Int(a.GetProperty("leadTime"), "p90"));
        // Lead time of B's cases [0 (#6), 0 (#10, CEST), 1 (#9, CET), 5]: p50 rank 2 -> 0 (1 if #10 were dated in UTC+1), p90 rank 4 -> 5.
        Assert.Equal(0, Int(b.GetProperty("leadTime"), "p50"));
        Assert.Equal(5, Int(b.GetProperty("leadTime"), "p90"));
        // Processing time by A [1 (#5), 2 (#1), 4 (#7)]: p50 rank ⌈1.5⌉ = 2 -> 2, p90 rank ⌈2.7⌉ = 3 -> 4.
        Assert.Equal(2, Int(a.GetProperty("processingTime"), "p50"));
        Assert.Equal(4, Int(a.GetProperty("processingTime"), "p90"));
        // by B [0, 0, 1, 1, 4]: p50 rank ⌈2.5⌉ = 3 -> 1, p90 rank ⌈4.5⌉ = 5 -> 4.
        Assert.Equal(1, Int(b.GetProperty("processingTime"), "p50"));
        Assert.Equal(4, Int(b.GetProperty("processingTime"), "p90"));
        // Backlog at the end of March: A #4, #11 = 2 (both past due); B #8 = 1 (due in April).
        Assert.Equal(2, a.GetProperty("backlog").GetInt64());
        Assert.Equal(1, b.GetProperty("backlog").GetInt64());
        // Overdue: A late #2, #5 + overdue backlog #4, #11 = 4 of 4 decided + 2 open -> 4/6 = 66.67 %; B late #7 = 1 of 4 + 1 -> 20.00 %.
        Assert.Equal(66.67m, a.GetProperty("overdueSharePercent").GetDecimal());
        Assert.Equal(20.00m, b.GetProperty("overdueSharePercent").GetDecimal());
        // Returned by an absence in A and decided by B: #3.
        Assert.Equal(1, a.GetProperty("returnedByAbsenceDecidedByOthers").GetInt64());
        Assert.Equal(0, b.GetProperty("returnedByAbsenceDecidedByOthers").GetInt64());

        var total = report.GetProperty("total");
        Assert.Equal(9, total.GetProperty("received").GetInt64());
        Assert.Equal(8, total.GetProperty("decided").GetInt64()); // the outsider's and the Kfz case do not count
        Assert.Equal(3, total.GetProperty("decidedForOthers").GetInt64());
        // All lead times [0, 0, 1, 1, 3, 5, 6, 9]: p50 rank 4 -> 1 (2 if #9 were dated in UTC), p90 rank ⌈7.2⌉ = 8 -> 9.
        Assert.Equal(1, Int(total.GetProperty("leadTime"), "p50"));
        Assert.Equal(9, Int(total.GetProperty("leadTime"), "p90"));
        // All processing times [0, 0, 1, 1, 1, 2, 4, 4]: p50 -> 1, p90 -> 4.
        Assert.Equal(1, Int(total.GetProperty("processingTime"), "p50"));
        Assert.Equal(4, Int(total.GetProperty("processingTime"), "p90"));
        Assert.Equal(3, total.GetProperty("backlog").GetInt64());
        Assert.Equal(45.45m, total.GetProperty("overdueSharePercent").GetDecimal()); // 5 / 11 = 45.4545…

        // Compensation by the settlement key: A owes B 2 × 20,00 = 40,00 (#2, #3); B owes A 1 × 20,00 = 20,00 (#7).
        var compensation = report.GetProperty("compensation").EnumerateArray().ToDictionary(c => c.GetProperty("municipality").GetString()!);
        Assert.Equal(40.00m, compensation[A].GetProperty("paid").GetDecimal());
        Assert.Equal(20.00m, compensation[A].GetProperty("received").GetDecimal());
        Assert.Equal(-20.00m, compensation[A].GetProperty("balance").GetDecimal());
        Assert.Equal(20.00m, compensation[B].GetProperty("balance").GetDecimal());

        // Goals: lead p90 9 ≤ 10 met; overdue 45.45 ≤ 5 missed (Qualität); backlog 3 ≤ 2 missed (Personalmangel);
        // processing p50 1 ≤ 1 met; the yearly saving cannot be measured (no cost figures): neither met nor missed.
        var judged = report.GetProperty("goals").EnumerateArray().ToList();
        Assert.Equal(9m, judged[0].GetProperty("actual").GetDecimal());
        Assert.True(judged[0].GetProperty("met").GetBoolean());
        Assert.Equal(JsonValueKind.Null, judged[0].GetProperty("suggestedTerminationReason").ValueKind);
        Assert.False(judged[1].GetProperty("met").GetBoolean());
        Assert.Equal("qualitaet", judged[1].GetProperty("suggestedTerminationReason").GetString());
        Assert.Equal(3m, judged[2].GetProperty("actual").GetDecimal());
        Assert.Equal("personalmangel", judged[2].GetProperty("suggestedTerminationReason").GetString());
        Assert.True(judged[3].GetProperty("met").GetBoolean());
        Assert.True(judged[3].GetProperty("due").GetBoolean());
        Assert.Equal(JsonValueKind.Null, judged[4].GetProperty("met").ValueKind);
        Assert.False(judged[4].GetProperty("measurable").GetBoolean());
        Assert.False(judged[4].GetProperty("due").GetBoolean());
        // Every suggested reason is one the termination accepts (seeds/004, 1.2.9).
        foreach (var g in judged.Where(g => g.GetProperty("suggestedTerminationReason").ValueKind == JsonValueKind.String))
            Assert.NotNull(OpenIkz.Agreements.TerminationReasons.Label(g.GetProperty("suggestedTerminationReason").GetString()));

        // The evaluation shows other members' figures: it is audited.
        Assert.True(await app.CountAsync("audit_log", "action = 'agreement.evaluated' AND agreement_id = @Id", new { Id = id }) >= 1);
    }

    [SkippableFact]
    public async Task Scan_InOneOrTwoParts_GivesTheSameFigures_AndTheSettlementsOwnCount()
    {
        var id = await PoolAsync();
        var staff = new HashSet<string>([A, B]);
        foreach (var (from, to) in new[] { (new DateOnly(2025, 3, 1), new DateOnly(2025, 3, 31)), (new DateOnly(2025, 3, 10), new DateOnly(2025, 3, 11)), (new DateOnly(2025, 2, 1), new DateOnly(2025, 4, 30)) })
        {
            var one = await EvaluationScan.RunAsync(app.Db, id, from, to, staff, CancellationToken.None, maxParts: 1);
            var two = await EvaluationScan.RunAsync(app.Db, id, from, to, staff, CancellationToken.None, maxParts: 2);
            Assert.Equal(one.Decided.OrderBy(d => d.ToString()), two.Decided.OrderBy(d => d.ToString()));
            Assert.Equal(one.Processing.OrderBy(d => d.ToString()), two.Processing.OrderBy(d => d.ToString()));
            Assert.Equal(one.Intake.OrderBy(d => d.ToString()), two.Intake.OrderBy(d => d.ToString()));
            Assert.Equal(one.Counts.OrderBy(d => d.ToString()), two.Counts.OrderBy(d => d.ToString()));
            await using var c = await app.Db.OpenAsync();
            var settlement = await OpenIkz.Agreements.Settlement.SettlementService.CountAsync(c, null, id,
                OpenIkz.Agreements.Settlement.SettlementService.BerlinMidnightUtc(from), OpenIkz.Agreements.Settlement.SettlementService.BerlinMidnightUtc(to.AddDays(1)));
            Assert.Equal(settlement.OrderBy(d => d.ToString()), two.Counts.OrderBy(d => d.ToString()));
        }
        // March: 8 decided in scope (#1, #2, #3, #5, #6, #7, #9, #10), 3 of them for the other member (#2, #3, #7).
        var march = await EvaluationScan.RunAsync(app.Db, id, new DateOnly(2025, 3, 1), new DateOnly(2025, 3, 31), staff, CancellationToken.None);
        Assert.Equal(8, march.Decided.Sum(d => d.Count));
        Assert.Equal(3, march.Counts.Sum(d => d.Count));
        // Only members who contribute staff count as processors for the settlement: without B, only #7 (B's case decided by A) is left.
        var withoutB = await EvaluationScan.RunAsync(app.Db, id, new DateOnly(2025, 3, 1), new DateOnly(2025, 3, 31), new HashSet<string>([A]), CancellationToken.None);
        Assert.Equal(1, withoutB.Counts.Sum(d => d.Count));
    }

    [SkippableFact]
    public async Task Evaluate_ForNonMembersIs404_ForClerksAndAdministrators403_ForTeamLeadsAndCoordinatorsOfMembers200()
    {
        var id = await PoolAsync();
        var url = $"/api/v1/agreements/{id}/evaluation?from=2025-03-01&to=2025-03-31";
        await (await (await app.ApiAsAsync("thale.koordination")).GetAsync(url)).AssertProblemAsync(404);
        await (await (await app.ApiAsAsync("thale.teamleitung")).GetAsync(url)).AssertProblemAsync(404);
        await (await (await app.ApiAsAsync("halberstadt.sachbearbeitung")).GetAsync(url)).AssertProblemAsync(403);
        await (await (await app.ApiAsAsync("halberstadt.admin")).GetAsync(url)).AssertProblemAsync(403);
        Assert.Equal(HttpStatusCode.OK, (await (await app.ApiAsAsync("halberstadt.teamleitung")).GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await app.ApiAsAsync("quedlinburg.koordination")).GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Api().GetAsync(url)).StatusCode);

        // Goals are the coordinators': a team lead may read the evaluation but not the goals' endpoint; a non-member's coordinator gets 404.
        await (await (await app.ApiAsAsync("halberstadt.teamleitung")).GetAsync($"/api/v1/agreements/{id}/goals")).AssertProblemAsync(403);
        await (await (await app.ApiAsAsync("thale.koordination")).PutAsJsonAsync($"/api/v1/agreements/{id}/goals", new { goals = Array.Empty<object>() })).AssertProblemAsync(404);
        await (await (await app.ApiAsAsync("thale.koordination")).GetAsync($"/api/v1/agreements/{id}/goals")).AssertProblemAsync(404);
    }

    [SkippableTheory]
    [InlineData("from=2025-13-01&to=2025-03-31", "from")]
    [InlineData("from=gestern", "from")]
    [InlineData("from=2025-03-01&to=31.03.2025", "to")]
    [InlineData("from=2025-03-31&to=2025-03-01", "to")]
    [InlineData("to=9999-12-31", "to")]
    public async Task Evaluate_WithABadDate_Is400NamingTheField(string query, string field)
    {
        var id = await PoolAsync();
        var problem = await (await (await app.ApiAsAsync("halberstadt.koordination")).GetAsync($"/api/v1/agreements/{id}/evaluation?{query}")).AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [SkippableFact]
    public async Task ReplaceGoals_WithAnUnknownKpiOrANegativeTarget_Is400NamingTheField_AndKeepsTheGoals()
    {
        var id = await PoolAsync();
        var coordinator = await app.ApiAsAsync("quedlinburg.koordination");
        var before = (await (await coordinator.GetAsync($"/api/v1/agreements/{id}/goals")).ReadJsonAsync()).ToString();
        var problem = await (await coordinator.PutAsJsonAsync($"/api/v1/agreements/{id}/goals", new
        {
            goals = new object[]
            {
                new { kpi = "zufriedenheit", target = 3m, dueDate = "2025-12-31" },
                new { kpi = "rueckstand", target = -1m, dueDate = "2025-12-31" },
                new { kpi = "anteil-ueberfaellig", target = 120m, dueDate = "2025-12-31" },
                new { kpi = "rueckstand", comparison = "gt", target = 1m, dueDate = "2025-12-31" },
                new { kpi = "rueckstand", target = 1m },
            },
        })).AssertProblemAsync(400);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("goals[0].kpi", out _), problem.ToString());
        Assert.True(errors.TryGetProperty("goals[1].target", out _), problem.ToString());
        Assert.True(errors.TryGetProperty("goals[2].target", out _), problem.ToString());
        Assert.True(errors.TryGetProperty("goals[3].comparison", out _), problem.ToString());
        Assert.True(errors.TryGetProperty("goals[4].dueDate", out _), problem.ToString());
        Assert.Equal(before, (await (await coordinator.GetAsync($"/api/v1/agreements/{id}/goals")).ReadJsonAsync()).ToString());
    }
}

public sealed class EvaluationTestsSqlite(SqliteApp app) : EvaluationTests(app), IClassFixture<SqliteApp>;
public sealed class EvaluationTestsPostgres(PostgresApp app) : EvaluationTests(app), IClassFixture<PostgresApp>;
