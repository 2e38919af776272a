using System.Text.Json;
using OpenIkz.Assessment.Simulation;

namespace OpenIkz.Tests.Assessment;

public sealed class SimulationTests
{
    private static readonly double[] Flat5 = [1, 1, 1, 1, 1];
    private static readonly double[] Flat12 = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];

    private static SimulationInput Input(params SimulationPartner[] partners) => new(partners);

    private static SimulationPartner Partner(string name, params SimulationService[] services) => new(name, services);

    private static SimulationInput TwoPartners() => Input(
        Partner("Thale", new SimulationService("wohngeld", 3000, 60, 2, 0.1, 10), new SimulationService("kfz-zulassung", 8000, 20, 1.5, 0.12, 3)),
        Partner("Quedlinburg", new SimulationService("wohngeld", 2500, 55, 2.5, 0.08, 10)));

    /// <summary>Weekdays (Monday–Friday) in the 365 calendar days from the start: the simulation's reference year.</summary>
    private static int WeekdaysInReferenceYear(DateOnly start) =>
        Enumerable.Range(0, 365).Select(start.AddDays).Count(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday));

    [Fact]
    public void SameSeed_IdenticalResult_DifferentSeed_DifferentResult()
    {
        var a = JsonSerializer.Serialize(YearSimulation.Run(TwoPartners(), 365, 42));
        var b = JsonSerializer.Serialize(YearSimulation.Run(TwoPartners(), 365, 42));
        var c = JsonSerializer.Serialize(YearSimulation.Run(TwoPartners(), 365, 43));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Result_HasEveryPartnerServiceAlone_AndOnePoolPerService()
    {
        var r = YearSimulation.Run(TwoPartners(), 365, 1);
        Assert.Equal(["Thale/wohngeld", "Thale/kfz-zulassung", "Quedlinburg/wohngeld"], r.Alone.Select(x => x.Partner + "/" + x.Service));
        Assert.Equal(["wohngeld", "kfz-zulassung"], r.Pooled.Select(p => p.Service));
        var wohngeld = r.Pooled[0];
        Assert.Equal(4.5, wohngeld.StaffFte, 9);
        // Common random numbers: the pool sees exactly the cases the partners see alone.
        Assert.Equal(r.Alone[0].Figures.Arrived + r.Alone[2].Figures.Arrived, wohngeld.Figures.Arrived);
        Assert.Equal(r.Alone[0].Figures.Arrived, wohngeld.Partners[0].Figures.Arrived);
        Assert.Equal(261, r.WorkingDays); // 2027 has 261 weekdays
        foreach (var f in r.Alone.Select(x => x.Figures).Concat(r.Pooled.Select(p => p.Figures)))
        {
            Assert.Equal(f.Arrived - f.Completed, f.BacklogAtEnd);
            Assert.InRange(f.OverdueShare, 0, 1);
            Assert.InRange(f.WaitShare, 0, 1);
            Assert.True(f.ProcessingP50Hours <= f.ProcessingP90Hours);
        }
    }

    [Fact]
    public void ExpectedArrivals_AreCasesPerYear_WhateverTheProfiles()
    {
        // Ten partners of 5,000 cases each: 50,000 expected cases, Poisson standard deviation 224 (0.45 %).
        var partners = Enumerable.Range(0, 10).Select(i => Partner("P" + i, new SimulationService("s", 5000, 10, 3, 0.1, 5))).ToArray();
        var input = Input(partners) with { WeekdayProfile = [3, 1, 1, 1, 0], SeasonalProfile = [0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0] };
        var r = YearSimulation.Run(input, 365, 5);
        Assert.InRange(r.Pooled[0].Figures.Arrived, 50_000 - 4 * 224, 50_000 + 4 * 224);
    }

    [Fact]
    public void FixedWork_WithoutContention_TakesExactlyItsWorkingTime_AcrossTheNight()
    {
        // 30 cases a year for a full-time clerk: hardly ever two at once. Cases received in the last half hour of a day
        // finish the next working morning, yet take 0.5 working hours: nights and weekends are not on the clock.
        var r = YearSimulation.Run(Input(Partner("A", new SimulationService("s", 30, 30, 1, 0, 2, WorkDistribution.Fixed))), 3650, 3);
        var f = r.Alone[0].Figures;
        Assert.True(f.Completed > 200);
        Assert.Equal(0.5, f.ProcessingP50Hours!.Value, 9);
        Assert.Equal(0.5, f.ProcessingP90Hours!.Value, 9);
        Assert.Equal(0.5 / SimulationInput.DefaultHoursPerDay, f.ProcessingP50Days!.Value, 9);
        Assert.Equal(0, f.OverdueShare);
    }

    [Fact]
    public void ExponentialWork_WithoutContention_PercentilesAreThoseOfTheExponential()
    {
        // 50 clerks for 2,000 one-hour cases a year: nobody waits, so the processing time is the work time, exponential
        // with mean 1 h: median ln 2 = 0.693 h, 90th percentile ln 10 = 2.303 h (quantile −m·ln(1 − p)).
        var r = YearSimulation.Run(Input(Partner("A", new SimulationService("s", 2000, 60, 50, 0, 5))), 3650, 8);
        var f = r.Alone[0].Figures;
        Assert.True(f.Completed > 19_000);
        Assert.True(f.WaitShare < 0.001);
        Assert.InRange(f.ProcessingP50Hours!.Value, Math.Log(2) * 0.96, Math.Log(2) * 1.04);
        Assert.InRange(f.ProcessingP90Hours!.Value, Math.Log(10) * 0.96, Math.Log(10) * 1.04);
    }

    [Fact]
    public void Overloaded_Throughput_IsThePresentWorkingTime()
    {
        // Demand far above capacity: 3 clerks × 8 h × (1 − 0.4) present = 14.4 working hours a day, 1 h per case.
        var input = Input(Partner("A", new SimulationService("s", 20_000, 60, 3, 0.4, 10))) with { HoursPerDay = 8 };
        var r = YearSimulation.Run(input, 3650, 11);
        var f = r.Alone[0].Figures;
        var capacityPerYear = 14.4 * r.WorkingDays * 365.0 / r.Days;
        Assert.InRange(f.CompletedPerYear, capacityPerYear * 0.95, capacityPerYear * 1.05);
        Assert.True(f.BacklogAtEnd > 100_000);
        Assert.True(f.OverdueShare > 0.95);
    }

    [Fact]
    public void NoStaff_NothingCompleted_NoNaN()
    {
        var r = YearSimulation.Run(Input(Partner("A", new SimulationService("s", 1000, 60, 0, 0, 5))), 365, 1);
        var f = r.Alone[0].Figures;
        Assert.Equal(0, f.Completed);
        Assert.Null(f.ProcessingP50Hours);
        Assert.Null(f.MeanWaitHours);
        Assert.Equal(f.Arrived, f.BacklogAtEnd);
        Assert.Equal(1.0, f.OverdueShare);
        Assert.True(double.IsFinite(f.MeanBacklog));
    }

    // ---- Erlang C ---------------------------------------------------------------------------------------------

    /// <summary>
    /// TEST REFERENCE, not production code: the Erlang C formula for M/M/c (A. K. Erlang 1917; as in D. Gross, J. F.
    /// Shortle, J. M. Thompson, C. M. Harris, "Fundamentals of Queueing Theory", 4th ed., Wiley 2008, §2.3):
    /// with offered load a = λ/μ and c servers, a &lt; c,
    /// P(wait) = C(c, a) = (aᶜ/c! · c/(c − a)) / (Σₖ₌₀ᶜ⁻¹ aᵏ/k! + aᶜ/c! · c/(c − a)), and the mean wait Wq = C(c, a) / (cμ − λ).
    /// </summary>
    private static (double WaitProbability, double MeanWait) ErlangC(int c, double lambda, double mu)
    {
        var a = lambda / mu;
        double term = 1, sum = 0; // term = a^k / k!
        for (var k = 0; k < c; k++)
        {
            sum += term;
            term *= a / (k + 1);
        }
        var last = term * c / (c - a);
        var pWait = last / (sum + last);
        return (pWait, pWait / (c * mu - lambda));
    }

    [Fact]
    public void ErlangCReference_MatchesTheClosedFormOfMM1AndMM2()
    {
        // M/M/1: P(wait) = ρ, Wq = ρ / (μ − λ). M/M/2: P(wait) = 2ρ² / (1 + ρ) (Gross et al., §2.3), ρ = λ / (2μ).
        var (p1, w1) = ErlangC(1, 0.7, 1);
        Assert.Equal(0.7, p1, 12);
        Assert.Equal(0.7 / 0.3, w1, 12);
        var (p2, _) = ErlangC(2, 1, 1);
        Assert.Equal(2 * 0.25 / 1.5, p2, 12);
    }

    /// <summary>
    /// Poisson arrivals, exponential work, constant profiles, no absence, full-time clerks and ten years: the simulation
    /// is then an M/M/c queue on the working clock, and its mean wait and share of waiting cases agree with Erlang C
    /// within 10 %.
    /// </summary>
    [Theory]
    [InlineData(1, 0.7, 10.0)]
    [InlineData(4, 0.8, 15.0)]
    [InlineData(10, 0.8, 15.0)]
    public void PoissonExponential_AgreesWithErlangC(int clerks, double utilisation, double minutes)
    {
        const double hours = 8;
        var start = new DateOnly(2027, 1, 1);
        var mu = 60.0 / minutes;                       // per working hour
        var lambda = utilisation * clerks * mu;        // per working hour
        var casesPerYear = lambda * hours * WeekdaysInReferenceYear(start);
        var input = Input(Partner("A", new SimulationService("s", casesPerYear, minutes, clerks, 0, 5))) with
        {
            HoursPerDay = hours, WeekdayProfile = Flat5, SeasonalProfile = Flat12, StartDate = start,
        };
        var f = YearSimulation.Run(input, SimulationInput.MaxDays, 2027).Alone[0].Figures;
        var (pWait, meanWait) = ErlangC(clerks, lambda, mu);
        Assert.True(f.Arrived > 50_000, $"{f.Arrived} cases");
        Assert.InRange(f.WaitShare, pWait * 0.9, pWait * 1.1);
        Assert.InRange(f.MeanWaitHours!.Value, meanWait * 0.9, meanWait * 1.1);
    }

    // ---- Pooling ----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void PoolingTwoIdenticalPartners_LowersTheP90(int seed)
    {
        // Each alone: 2 FTE at about 85 % load (3,000 h of work, 2 × 7.8 h × 261 days × 0.9 present = 3,664 h).
        var service = new SimulationService("wohngeld", 3000, 60, 2, 0.1, 10);
        var r = YearSimulation.Run(Input(Partner("A", service), Partner("B", service)), 365, seed);
        var pool = r.Pooled.Single();
        foreach (var alone in r.Alone)
        {
            Assert.True(pool.Figures.ProcessingP90Hours < alone.Figures.ProcessingP90Hours,
                $"pool p90 {pool.Figures.ProcessingP90Hours:0.0} h, {alone.Partner} alone {alone.Figures.ProcessingP90Hours:0.0} h");
        }
        Assert.True(pool.Figures.MeanWaitHours < r.Alone.Average(a => a.Figures.MeanWaitHours));
    }

    // ---- Validation -------------------------------------------------------------------------------------------

    private static readonly (string Field, Func<SimulationInput> Input, int Days)[] BadInputCases =
    [
        ("days", TwoPartners, 0),
        ("days", TwoPartners, -5),
        ("days", TwoPartners, 3661),
        ("partners[0].services[1].casesPerYear", () => TwoPartners() with { Partners = [Partner("A", new SimulationService("s", 1, 1, 1, 0, 1), new SimulationService("t", -1, 1, 1, 0, 1))] }, 365),
        ("partners[1].services[0].absenceRate", () => Input(Partner("A", new SimulationService("s", 1, 1, 1, 0, 1)), Partner("B", new SimulationService("s", 1, 1, 1, 1.0, 1))), 365),
        ("partners[0].services[0].absenceRate", () => Input(Partner("A", new SimulationService("s", 1, 1, 1, -0.1, 1))), 365),
        ("partners[0].services[0].minutesPerCase", () => Input(Partner("A", new SimulationService("s", 1, 0, 1, 0, 1))), 365),
        ("partners[0].services[0].staffFte", () => Input(Partner("A", new SimulationService("s", 1, 1, -1, 0, 1))), 365),
        ("partners[0].services[0].staffFte", () => Input(Partner("A", new SimulationService("s", 1, 1, double.NaN, 0, 1))), 365),
        ("partners[0].services[0].targetWorkingDays", () => Input(Partner("A", new SimulationService("s", 1, 1, 1, 0, -1))), 365),
        ("partners[1].name", () => Input(Partner("A", new SimulationService("s", 1, 1, 1, 0, 1)), Partner("A", new SimulationService("s", 1, 1, 1, 0, 1))), 365),
        ("partners", () => Input(), 365),
        ("hoursPerDay", () => TwoPartners() with { HoursPerDay = 0 }, 365),
        ("weekdayProfile", () => TwoPartners() with { WeekdayProfile = [1, 1, 1, 1] }, 365),
        ("weekdayProfile", () => TwoPartners() with { WeekdayProfile = [1, 1, -1, 1, 1] }, 365),
        ("seasonalProfile", () => TwoPartners() with { SeasonalProfile = Enumerable.Repeat(0.0, 12).ToArray() }, 365),
    ];

    public static TheoryData<int> BadInputs => new(Enumerable.Range(0, BadInputCases.Length));

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInput_ValidationExceptionNamingTheField(int index)
    {
        var (field, input, days) = BadInputCases[index];
        var ex = Assert.Throws<ValidationException>(() => YearSimulation.Run(input(), days, 1));
        Assert.Contains(field, ex.Errors.Keys);
        Assert.All(ex.Errors.Values.SelectMany(m => m), m => Assert.False(string.IsNullOrWhiteSpace(m)));
    }
}
