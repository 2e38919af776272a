using OpenIkz.Assessment.Potential;

namespace OpenIkz.Tests.Assessment;

/// <summary>
/// The hand-computed example. 250 working days, 8 hours a day, absence 0.2, Verteilzeit 10 %, 60,000 € per FTE,
/// target 90 % within 2 days; one service "wohngeld", one case group; transaction costs 30,000 € once + 5,000 € a year.
/// Jahresarbeitszeit J = 250 × 8 × 60 × 0.8 = 96,000 min. Agents from the fake seam: ⌊load⌋ + 1, FTE = agents ÷ 0.8.
///
///   partner  cases × min     W        h = W/C·1.1   λ = C/2000   load = λh/60   BMI = 1.1W/J   agents  Erlang FTE
///   A        1000 × 60     60,000     66.0          0.50         0.550          0.6875         1       1.25
///   B        2000 × 45     90,000     49.5          1.00         0.825          1.03125        1       1.25
///   C         500 × 60     30,000     66.0          0.25         0.275          0.34375        1       1.25
///   pool     3500         180,000     56.5714       1.75         1.650          2.0625         2       2.50
///
///   alone 3.75 FTE = 225,000 €, pooled 2.5 FTE = 150,000 €: saving 1.25 FTE, 75,000 − 5,000 = 70,000 € a year,
///   70,000 ÷ 225,000 = 31.1 % ≥ 15 %, break-even 30,000 ÷ (70,000 ÷ 12) = 5.142857 months,
///   annualised gain 70,000 − 30,000 ÷ 5 = 64,000 €, rate (150,000 + 5,000 + 6,000) ÷ 3,500 = 46.00 € per case.
///   Days with nobody present today (a = 0.2): A 1.0 FTE 250 × 0.2 = 50; B 1.5 FTE 250 × 0.2 × (1 − 0.5 × 0.8) = 30;
///   C 0.5 FTE 250 × (1 − 0.5 × 0.8) = 150; pool 2.5 FTE 250 × 0.04 × 0.6 = 6.
/// </summary>
public class PotentialCalculatorTests
{
    public const string A = "06431001", B = "06431002", C = "06431003";

    public static readonly PotentialAssumptions Assumptions = new(WorkingDaysPerYear: 250, HoursPerDay: 8, AbsenceRate: 0.2, VerteilzeitRate: 0.1, CostPerFteEuro: 60_000);

    public static PotentialInput Example(PotentialAssumptions? assumptions = null, TransactionCosts? costs = null) => new(
        [A, B, C],
        [
            new ServiceLoad(A, "wohngeld", 1.0, [new CaseGroupLoad("", 1000, 60)]),
            new ServiceLoad(B, "wohngeld", 1.5, [new CaseGroupLoad("", 2000, 45)]),
            new ServiceLoad(C, "wohngeld", 0.5, [new CaseGroupLoad("", 500, 60)]),
        ],
        new ServiceTarget(2, 0.9), assumptions ?? Assumptions, costs ?? new TransactionCosts(OneOffFixedEuro: 30_000, YearlyFixedEuro: 5_000));

    [Fact]
    public void Alone_and_pooled_staffing_match_the_hand_computation()
    {
        var r = PotentialCalculator.Calculate(Example(), FakeStaffing.Model);
        var a = r.Partners.Single(p => p.PartnerAgs == A).Alone;
        Assert.Equal(66.0, a.HandlingMinutes, 9);
        Assert.Equal(0.5, a.ArrivalsPerHour, 9);
        Assert.Equal(0.6875, a.BmiFte, 9);
        Assert.Equal(1, a.ErlangAgents);
        Assert.Equal(1.25, a.ErlangFte, 9);
        Assert.Equal(1.03125, r.Partners.Single(p => p.PartnerAgs == B).Alone.BmiFte, 9);
        var pool = r.Services.Single().Pooled;
        Assert.Equal(3500, pool.CasesPerYear);
        Assert.Equal(3000, pool.WorkloadHours, 9);
        Assert.Equal(180_000.0 / 3500 * 1.1, pool.HandlingMinutes, 9);
        Assert.Equal(2.0625, pool.BmiFte, 9);
        Assert.Equal(2, pool.ErlangAgents);
        Assert.Equal(2.5, pool.StaffFte, 9);
        // throughput = (wait 120 + h 56.5714) ÷ 480 working minutes a day
        Assert.Equal((120 + 180_000.0 / 3500 * 1.1) / 480, pool.ThroughputWorkingDays!.Value, 9);
        Assert.Equal(2.0625, r.Services.Single().AloneBmiFte, 9); // BMI is linear: alone and pooled agree
    }

    [Fact]
    public void Saving_break_even_funding_and_rates_match_the_hand_computation()
    {
        var r = PotentialCalculator.Calculate(Example(), FakeStaffing.Model);
        Assert.Equal(3.75, r.AloneFte, 9);
        Assert.Equal(2.5, r.PooledFte, 9);
        Assert.Equal(1.25, r.SavingFte, 9);
        Assert.Equal(225_000, r.AloneCostEuro, 6);
        Assert.Equal(150_000, r.PooledCostEuro, 6);
        Assert.Equal(70_000, r.SavingEuro, 6);
        Assert.Equal(70_000.0 / 225_000, r.SavingShare, 9);
        Assert.True(r.ReachesFundingThreshold);
        Assert.Equal(30_000 / (70_000.0 / 12), r.BreakEvenMonths!.Value, 9);
        Assert.Equal(64_000, r.AnnualisedGainEuro, 6);
        var rate = Assert.Single(r.Services.Single().Rates);
        Assert.Equal(46.0, rate.CostPerCaseEuro, 9);
        Assert.Equal(180_000.0 / 3500, rate.MeanMinutesPerCase, 9);
        // cost per hour = 60,000 ÷ (250 × 8 × 0.8 = 1,600 h) = 37.50 €
        Assert.Equal(37.5, r.CostPerHourEuro, 9);
        Assert.Equal(1600, r.AnnualHoursPerFte, 9);
    }

    [Fact]
    public void Days_with_nobody_present_alone_and_pooled()
    {
        var r = PotentialCalculator.Calculate(Example(), FakeStaffing.Model);
        Assert.Equal(50, r.Partners.Single(p => p.PartnerAgs == A).DaysWithNobodyPresent, 9);
        Assert.Equal(30, r.Partners.Single(p => p.PartnerAgs == B).DaysWithNobodyPresent, 9);
        Assert.Equal(150, r.Partners.Single(p => p.PartnerAgs == C).DaysWithNobodyPresent, 9);
        Assert.Equal(230, r.Services.Single().AloneDaysWithNobodyPresent, 9);
        Assert.Equal(6, r.Services.Single().PooledDaysWithNobodyPresent, 9);
    }

    [Fact]
    public void With_the_bmi_method_pooling_saves_no_staff_and_the_coordination_cost_makes_the_saving_negative()
    {
        // BMI: 0.6875 + 1.03125 + 0.34375 = 2.0625 alone = 2.0625 pooled; saving = −5,000 €, no break-even, below 15 %.
        var r = PotentialCalculator.Calculate(Example(Assumptions with { Method = StaffingMethod.Bmi }), FakeStaffing.Model);
        Assert.Equal(0, r.SavingFte, 9);
        Assert.Equal(-5_000, r.SavingEuro, 6);
        Assert.Null(r.BreakEvenMonths);
        Assert.False(r.ReachesFundingThreshold);
    }

    [Fact]
    public void Fair_split_shows_the_key_beside_the_shapley_value()
    {
        // v(S) = Σ alone − pooled − (5,000 + 30,000 ÷ 5) for |S| ≥ 2 (fake agents as above):
        //   AB: 3000 cases, load 1.375 → 2 agents → 150,000; alone 150,000 → v = −11,000
        //   AC: 1500 cases, load 0.825 → 1 agent  →  75,000; alone 150,000 → v =  64,000
        //   BC: 2500 cases, load 1.100 → 2 agents → 150,000; alone 150,000 → v = −11,000
        //   ABC: 64,000. Weights for n = 3: |S| = 0: 1/3, 1: 1/6, 2: 1/3.
        //   φA = (−11,000 + 64,000)/6 + (64,000 + 11,000)/3 = 33,833.33; φB = −22,000/6 = −3,666.67; φC = φA.
        // Key: A pays 1000 × 46 = 46,000 (gain 75,000 − 46,000 = 29,000), B 92,000 (−17,000), C 23,000 (52,000).
        var split = PotentialCalculator.FairSplit(Example(), FakeStaffing.Model);
        Assert.Equal(64_000, split.TotalGainEuro, 6);
        var a = split.Partners.Single(p => p.PartnerAgs == A);
        var b = split.Partners.Single(p => p.PartnerAgs == B);
        var c = split.Partners.Single(p => p.PartnerAgs == C);
        Assert.Equal(33_833.333333, a.ShapleyGainEuro, 4);
        Assert.Equal(-3_666.666667, b.ShapleyGainEuro, 4);
        Assert.Equal(33_833.333333, c.ShapleyGainEuro, 4);
        Assert.Equal(29_000, a.KeyGainEuro, 6);
        Assert.Equal(-17_000, b.KeyGainEuro, 6);
        Assert.Equal(52_000, c.KeyGainEuro, 6);
        Assert.Equal(92_000, b.KeyPaymentEuro, 6);
        Assert.Equal(52_000 - 33_833.333333, c.DifferenceEuro, 4);
        Assert.Equal(split.TotalGainEuro, split.Partners.Sum(p => p.KeyGainEuro), 6);
        Assert.Equal(split.TotalGainEuro, split.Partners.Sum(p => p.ShapleyGainEuro), 6);
    }

    [Fact]
    public void Case_groups_get_rates_by_their_share_of_the_workload()
    {
        // One partner pair, two case groups, no transaction costs. Pool: neu 400 × 30 = 12,000 min, um 600 × 10 = 6,000 min,
        // C = 1000, W = 18,000, h = 19.8, λ = 0.5, load 0.165 → 1 agent → 1.25 FTE = 75,000 €.
        // neu: 75,000 × 12,000/18,000 ÷ 400 = 125.00 €; um: 75,000 × 6,000/18,000 ÷ 600 = 41.666… €.
        var input = new PotentialInput([A, B],
        [
            new ServiceLoad(A, "kfz", 1, [new CaseGroupLoad("neu", 300, 30), new CaseGroupLoad("um", 200, 10)]),
            new ServiceLoad(B, "kfz", 1, [new CaseGroupLoad("neu", 100, 30), new CaseGroupLoad("um", 400, 10)]),
        ], null, Assumptions with { CostPerFteEuro = 60_000 });
        var r = PotentialCalculator.Calculate(input, FakeStaffing.Model);
        var rates = r.Services.Single().Rates.ToDictionary(x => x.CaseGroup);
        Assert.Equal(125.0, rates["neu"].CostPerCaseEuro, 9);
        Assert.Equal(75_000.0 / 3 / 600, rates["um"].CostPerCaseEuro, 9);
        Assert.Equal(r.PooledCostEuro, rates.Values.Sum(x => x.CostPerCaseEuro * x.CasesPerYear), 6);
    }

    [Fact]
    public void An_hourly_rate_replaces_the_cost_per_fte()
    {
        // 40 €/h × 1,600 h = 64,000 € per FTE: pooled 2.5 FTE = 160,000 €.
        var r = PotentialCalculator.Calculate(Example(Assumptions with { CostPerHourEuro = 40 }), FakeStaffing.Model);
        Assert.Equal(64_000, r.CostPerFteEuro, 9);
        Assert.Equal(160_000, r.PooledCostEuro, 6);
    }

    [Fact]
    public void Defaults_are_the_documented_values()
    {
        var d = new PotentialAssumptions();
        Assert.Equal(251, d.WorkingDaysPerYear);
        Assert.Equal(7.8, d.HoursPerDay);
        Assert.Equal(0.10, d.VerteilzeitRate);
        Assert.Equal(0.15, d.FundingThreshold);
        // Jahresarbeitszeit 251 × 7.8 × 0.82 = 1,605.396 h
        Assert.Equal(1605.396, d.AnnualHoursPerFte(d.AbsenceRate), 6);
        var t = new ServiceTarget();
        Assert.Equal((2.0, 0.9), (t.WorkingDays, t.ShareStarted));
    }

    [Fact]
    public void A_partner_without_cases_needs_nothing_and_all_nobody_days_are_its_own()
    {
        var input = new PotentialInput([A, B],
        [
            new ServiceLoad(A, "wohngeld", 0, [new CaseGroupLoad("", 0, 60)]),
            new ServiceLoad(B, "wohngeld", 1, [new CaseGroupLoad("", 1000, 60)]),
        ], null, Assumptions);
        var r = PotentialCalculator.Calculate(input, FakeStaffing.Model);
        var a = r.Partners.Single(p => p.PartnerAgs == A);
        Assert.Equal(0, a.Alone.StaffFte);
        Assert.Null(a.Alone.MeanWaitMinutes);
        Assert.Equal(250, a.DaysWithNobodyPresent, 9);
        Assert.Equal(0, r.SavingFte, 9);
        Assert.True(double.IsFinite(r.SavingShare));
    }

    [Theory]
    [InlineData("loads[0].caseGroups[0].casesPerYear", -1.0, 60.0, 1.0, null)]
    [InlineData("loads[0].caseGroups[0].casesPerYear", double.NaN, 60.0, 1.0, null)]
    [InlineData("loads[0].caseGroups[0].minutesPerCase", 100.0, 0.0, 1.0, null)]
    [InlineData("loads[0].caseGroups[0].minutesPerCase", 100.0, double.PositiveInfinity, 1.0, null)]
    [InlineData("loads[0].staffFte", 100.0, 60.0, -0.5, null)]
    [InlineData("loads[0].absenceRate", 100.0, 60.0, 1.0, 1.0)]
    [InlineData("loads[0].absenceRate", 100.0, 60.0, 1.0, -0.1)]
    public void Bad_load_figures_are_refused_naming_the_field(string field, double cases, double minutes, double staff, double? absence)
    {
        var input = Example() with
        {
            Loads = [new ServiceLoad(A, "wohngeld", staff, [new CaseGroupLoad("", cases, minutes)], absence), .. Example().Loads.Skip(1)],
        };
        var ex = Assert.Throws<ValidationException>(() => PotentialCalculator.Calculate(input, FakeStaffing.Model));
        Assert.Contains(field, ex.Errors.Keys);
    }

    public static TheoryData<string, PotentialAssumptions> BadAssumptions => new()
    {
        { "assumptions.workingDaysPerYear", Assumptions with { WorkingDaysPerYear = 0 } },
        { "assumptions.workingDaysPerYear", Assumptions with { WorkingDaysPerYear = 400 } },
        { "assumptions.hoursPerDay", Assumptions with { HoursPerDay = 0 } },
        { "assumptions.absenceRate", Assumptions with { AbsenceRate = 1 } },
        { "assumptions.absenceRate", Assumptions with { AbsenceRate = double.NaN } },
        { "assumptions.verteilzeitRate", Assumptions with { VerteilzeitRate = -0.1 } },
        { "assumptions.costPerFteEuro", Assumptions with { CostPerFteEuro = -1 } },
        { "assumptions.costPerHourEuro", Assumptions with { CostPerHourEuro = double.PositiveInfinity } },
        { "assumptions.fundingThreshold", Assumptions with { FundingThreshold = 1.5 } },
        { "assumptions.amortisationYears", Assumptions with { AmortisationYears = 0 } },
        { "assumptions.method", Assumptions with { Method = (StaffingMethod)7 } },
    };

    [Theory]
    [MemberData(nameof(BadAssumptions))]
    public void Bad_assumptions_are_refused_naming_the_field(string field, PotentialAssumptions assumptions)
    {
        var ex = Assert.Throws<ValidationException>(() => PotentialCalculator.Calculate(Example(assumptions), FakeStaffing.Model));
        Assert.Contains(field, ex.Errors.Keys);
    }

    [Fact]
    public void Bad_target_partners_loads_and_costs_are_refused_naming_the_field()
    {
        void Refused(string field, PotentialInput input) =>
            Assert.Contains(field, Assert.Throws<ValidationException>(() => PotentialCalculator.Calculate(input, FakeStaffing.Model)).Errors.Keys);
        var e = Example();
        Refused("target.shareStarted", e with { Target = new ServiceTarget(2, 1.0) });
        Refused("target.workingDays", e with { Target = new ServiceTarget(0, 0.9) });
        Refused("partners", e with { Partners = [A] });
        Refused("partners", e with { Partners = [A, A, B] });
        Refused("loads[0].partnerAgs", e with { Loads = [e.Loads[0] with { PartnerAgs = "09999999" }] });
        Refused("loads[1].service", e with { Loads = [e.Loads[0], e.Loads[0]] });
        Refused("loads[0].caseGroups", e with { Loads = [e.Loads[0] with { CaseGroups = [] }] });
        Refused("loads", e with { Loads = [] });
        Refused("transactionCosts.oneOffFixedEuro", e with { TransactionCosts = new TransactionCosts(OneOffFixedEuro: -1) });
        Refused("transactionCosts.yearlyPerPartnerEuro", e with { TransactionCosts = new TransactionCosts(YearlyPerPartnerEuro: double.NaN) });
    }

    [Fact]
    public void Extreme_but_valid_input_gives_finite_results()
    {
        // Huge case numbers and near-total absence: still no NaN or Infinity anywhere.
        var input = Example(Assumptions with { AbsenceRate = 0.999 }) with
        {
            Loads = [new ServiceLoad(A, "x", 10_000, [new CaseGroupLoad("", 100_000_000, 100_000)]), new ServiceLoad(B, "x", 0, [new CaseGroupLoad("", 1, 0.001)])],
            Partners = [A, B],
        };
        var r = PotentialCalculator.Calculate(input, FakeStaffing.Model);
        foreach (var v in new[] { r.AloneFte, r.PooledFte, r.SavingEuro, r.SavingShare, r.AnnualisedGainEuro, r.CostPerHourEuro })
            Assert.True(double.IsFinite(v));
        Assert.All(r.Services.SelectMany(s => s.Rates), x => Assert.True(double.IsFinite(x.CostPerCaseEuro)));
    }

    [Fact]
    public void A_staffing_model_that_returns_an_unstable_queue_is_a_programming_error()
    {
        var broken = new DelegateStaffingModel((_, _, _, _) => 0);
        Assert.Throws<InvalidOperationException>(() => PotentialCalculator.Calculate(Example(), broken));
    }

    [Fact]
    public void The_staffing_seam_receives_arrivals_handling_target_and_share()
    {
        // Pool: λ = 1.75/h, h = 56.5714 min, target 2 days × 480 min = 960 min, share 0.9.
        var calls = new List<(double, double, double, double)>();
        var spy = new DelegateStaffingModel((l, h, t, s) => { calls.Add((l, h, t, s)); return FakeStaffing.Agents(l, h, t, s); });
        PotentialCalculator.Calculate(Example(), spy);
        Assert.Contains(calls, c => Math.Abs(c.Item1 - 1.75) < 1e-12 && Math.Abs(c.Item2 - 180_000.0 / 3500 * 1.1) < 1e-9 && c.Item3 == 960 && c.Item4 == 0.9);
    }
}
