using CsCheck;
using OpenIkz.Assessment.Queueing;

namespace OpenIkz.Tests.Assessment;

/// <summary>
/// The queueing mathematics against a reference implementation and against properties that any correct implementation has.
/// Reference: <c>queueing_reference.py</c> beside this file, run with mpmath 1.3.0 at 60 significant digits — Erlang C from
/// its textbook definition with factorials (A^c/c!·c/(c−A) over the sum), Erlang A from the stationary distribution of the
/// M/M/c+M birth-death chain and, for the service level, numerical integration of the offered-wait distribution of
/// Garnett, Mandelbaum and Reiman (2002). The first example is the classic step-by-step Erlang-C example
/// (360 calls per half hour, 4 minutes, 55 agents, 15 seconds); the second the Call Centre Helper one
/// (100 calls per half hour, 180 seconds, 11 agents, 20 seconds). M/M/1 and M/M/2 have closed forms (Kleinrock, Queueing Systems I, 1975).
/// </summary>
public sealed class QueueingTests
{
    private static QueueParameters C(double perHour, double handling, double target) => QueueParameters.Create("erlang-c", perHour, handling, target, null);
    private static QueueParameters A(double perHour, double handling, double target, double patience) => QueueParameters.Create("erlang-a", perHour, handling, target, patience);

    private static void Close(double expected, double actual, double relative = 1e-10) =>
        Assert.True(Math.Abs(expected - actual) <= relative * Math.Max(1e-300, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");

    private static void Sane(QueueMeasures m)
    {
        foreach (var (name, v) in new[] { ("waitProbability", m.WaitProbability), ("serviceLevel", m.ServiceLevel), ("abandonProbability", m.AbandonProbability), ("utilization", m.Utilization) })
            Assert.True(double.IsFinite(v) && v is >= 0 and <= 1, $"{name} = {v} for {m}");
        if (m.MeanWaitMinutes is { } w) Assert.True(double.IsFinite(w) && w >= 0, $"meanWaitMinutes = {w} for {m}");
        else Assert.False(m.Stable);
    }

    [Fact]
    public void ErlangC_StepByStepExample_MatchesTheReference()
    {
        // 720 calls/h, 4 min, 55 agents, 15 s; mpmath: P(wait) 0.238700936378009, SL 0.84588309217058, ASA 0.136400535073148 min (8.2 s)
        var m = ErlangC.Evaluate(C(720, 4, 0.25), 55);
        Assert.True(m.Stable);
        Assert.Equal(48, m.OfferedLoad, 12);
        Close(0.238700936378009, m.WaitProbability);
        Close(0.84588309217058, m.ServiceLevel);
        Close(0.136400535073148, m.MeanWaitMinutes!.Value);
        Close(48.0 / 55, m.Utilization);
        Assert.Equal(0, m.AbandonProbability);
    }

    [Fact]
    public void ErlangC_CallCentreHelperExample_MatchesTheReference()
    {
        // 200 calls/h, 3 min (10 Erlang), 11 agents, 20 s; mpmath: P(wait) 0.682118204689332, SL 0.389613811729153, ASA 2.046354614068 min
        var m = ErlangC.Evaluate(C(200, 3, 1.0 / 3), 11);
        Close(0.682118204689332, m.WaitProbability);
        Close(0.389613811729153, m.ServiceLevel);
        Close(2.046354614068, m.MeanWaitMinutes!.Value);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.95)]
    public void ErlangC_OneAndTwoAgents_AreTheClosedForms(double rho)
    {
        // M/M/1: C = ρ, E[W] = ρ·h/(1−ρ); M/M/2: C = 2ρ²/(1+ρ) with ρ = R/2
        var h = 6.0;
        var one = ErlangC.Evaluate(C(rho * 60 / h, h, 2), 1);
        Close(rho, one.WaitProbability, 1e-12);
        Close(rho * h / (1 - rho), one.MeanWaitMinutes!.Value, 1e-12);
        Close(1 - rho * Math.Exp(-(1 - rho) * 2 / h), one.ServiceLevel, 1e-12);
        var two = ErlangC.Evaluate(C(2 * rho * 60 / h, h, 2), 2);
        Close(2 * rho * rho / (1 + rho), two.WaitProbability, 1e-12);
    }

    [Fact]
    public void ErlangC_FiveThousandAgents_MatchesTheReference()
    {
        // R = 4,900 Erlang (58,800/h × 5 min), c = 5,000, 30 s; mpmath: 0.0999378772344877, 0.999995462827393, 0.00499689386172438 min
        var m = ErlangC.Evaluate(C(58_800, 5, 0.5), 5000);
        Close(0.0999378772344877, m.WaitProbability, 1e-9);
        Close(0.999995462827393, m.ServiceLevel, 1e-12);
        Close(0.00499689386172438, m.MeanWaitMinutes!.Value, 1e-9);
    }

    [Theory]
    [InlineData(5_000)]
    [InlineData(10_000)]
    [InlineData(100_000)]
    public void BothModels_LargeStaff_StayFiniteAndInRange(int c)
    {
        foreach (var load in new[] { 0.01, 0.5, 0.9, 0.99, 0.9999, 1.0, 1.3 })
        {
            if (load * c > QueueParameters.MaxOfferedLoad) continue;
            var perHour = load * c * 60 / 5;
            var erlangC = ErlangC.Evaluate(C(perHour, 5, 0.5), c);
            Sane(erlangC);
            Assert.Equal(load < 1, erlangC.Stable);
            foreach (var patience in new[] { 0.05, 5, 500, 50_000 })
            {
                var erlangA = ErlangA.Evaluate(A(perHour, 5, 0.5, patience), c);
                Sane(erlangA);
                Assert.True(erlangA.Stable);
            }
        }
        // far below the load of c agents: the Erlang B recursion underflows to 0, and that is the answer
        var idle = ErlangC.Evaluate(C(60, 1, 0), c);
        Assert.Equal(0, idle.WaitProbability);
        Assert.Equal(1, idle.ServiceLevel);
    }

    [Fact]
    public void TinyAndExtremeInputs_StayFiniteAndInRange()
    {
        foreach (var t in new[] { 0, 1e-6, 1, 525_600 })
        {
            Sane(ErlangC.Evaluate(C(1e-6, 1e-6, t), 1));
            Sane(ErlangA.Evaluate(A(1e-6, 1e-6, t, 1e-6), 1));
            Sane(ErlangA.Evaluate(A(1e-6, 525_600, t, 1e-6), 3));
            Sane(ErlangA.Evaluate(A(10_000_000, 0.6, t, 6_000), 1));
            Sane(ErlangA.Evaluate(A(10_000_000, 0.6, t, 1e-6), 100_000));
            Sane(Staffing.Solve(A(10_000_000, 0.6, t, 1e-6), 0.5).Measures);
            Sane(Staffing.Solve(C(1e-6, 1e-6, t), 0.5).Measures);
        }
        Assert.Equal(["handlingMinutes"], Assert.Throws<ValidationException>(() => C(60, 1e-7, 0)).Errors.Keys);
    }

    [Fact]
    public void RandomValidInputs_GiveFiniteResultsInRange()
    {
        // log-uniform over the whole accepted range; inputs the rules refuse are skipped
        var gen = Gen.Select(Gen.Double[-6, 7], Gen.Double[-6, 5.7], Gen.Double[-6, 5.7], Gen.Double[-6, 4], Gen.Int[1, 100_000], Gen.Bool);
        gen.Sample(v =>
        {
            var (perHour, handling, target, patienceRatio, agents, erlangA) = (Math.Pow(10, v.Item1), Math.Pow(10, v.Item2), Math.Pow(10, v.Item3) - 1e-6,
                Math.Pow(10, v.Item4), v.Item5, v.Item6);
            QueueParameters queue;
            try { queue = erlangA ? A(perHour, handling, target, Math.Max(1e-6, patienceRatio * handling)) : C(perHour, handling, target); }
            catch (ValidationException) { return; }
            Sane(erlangA ? ErlangA.Evaluate(queue, agents) : ErlangC.Evaluate(queue, agents));
        }, iter: 300);
    }

    [Fact]
    public void ErlangC_MoreAgents_WaitLess_AndServeBetter()
    {
        var queue = C(720, 4, 0.25);
        var previous = ErlangC.Evaluate(queue, 49);
        for (var c = 50; c <= 80; c++)
        {
            var m = ErlangC.Evaluate(queue, c);
            Assert.True(m.WaitProbability < previous.WaitProbability, $"P(wait) not falling at c = {c}");
            Assert.True(m.ServiceLevel > previous.ServiceLevel || previous.ServiceLevel == 1, $"SL not rising at c = {c}");
            Assert.True(m.MeanWaitMinutes < previous.MeanWaitMinutes);
            previous = m;
        }
    }

    [Fact]
    public void ErlangC_Overloaded_IsUnstable_WithAGermanExplanation()
    {
        foreach (var c in new[] { 40, 48 })
        {
            var m = ErlangC.Evaluate(C(720, 4, 0.25), c);
            Assert.False(m.Stable);
            Assert.Null(m.MeanWaitMinutes);
            Assert.Equal(1, m.WaitProbability);
            Assert.Equal(0, m.ServiceLevel);
            Assert.Contains("Nicht stabil", m.Explanation);
            Sane(m);
        }
    }

    [Theory]
    // 720/h, 4 min, target, patience; mpmath: P(wait), SL, E[W] (min), P(abandon), utilisation — the chain and GMR's closed forms agree to 15 digits
    [InlineData(55, 0.25, 2, 0.150120993739696, 0.934610157073067, 0.0339364880864606, 0.0169682440432303, 0.857918623380454)]
    [InlineData(45, 0.25, 2, 0.582850895176748, 0.613556085879286, 0.207604530244456, 0.103802265122228, 0.95594425053629)]
    [InlineData(50, 1, 10, 0.487010614800621, 0.888923053158435, 0.282889878958869, 0.0282889878958869, 0.932842571619949)]
    public void ErlangA_MatchesTheReference(int c, double target, double patience, double pWait, double sl, double wait, double pAb, double util)
    {
        var m = ErlangA.Evaluate(A(720, 4, target, patience), c);
        Close(pWait, m.WaitProbability, 1e-9);
        Close(sl, m.ServiceLevel, 1e-9);
        Close(wait, m.MeanWaitMinutes!.Value, 1e-9);
        Close(pAb, m.AbandonProbability, 1e-9);
        Close(util, m.Utilization, 1e-9);
    }

    [Fact]
    public void ErlangA_AsPatienceGrows_TendsToErlangC()
    {
        var erlangC = ErlangC.Evaluate(C(720, 4, 0.25), 52);
        var previous = double.MaxValue;
        foreach (var patience in new[] { 4.0, 40, 400, 4_000, 40_000 })
        {
            var a = ErlangA.Evaluate(A(720, 4, 0.25, patience), 52);
            var gap = Math.Max(Math.Abs(a.WaitProbability - erlangC.WaitProbability),
                Math.Max(Math.Abs(a.ServiceLevel - erlangC.ServiceLevel), Math.Abs(a.MeanWaitMinutes!.Value - erlangC.MeanWaitMinutes!.Value)));
            Assert.True(gap < previous, $"patience {patience}: gap {gap} not below {previous}");
            previous = gap;
        }
        Assert.True(previous < 1e-3, $"gap at 10,000 handling times: {previous}");
    }

    [Fact]
    public void ErlangA_SmallPatience_AbandonsMuch()
    {
        // overloaded (48 Erlang on 45 agents): at least 1 − c/R = 6.25 % must leave unserved whatever the patience;
        // with a patience of 0.24 s nearly everyone who has to wait gives up
        var impatient = ErlangA.Evaluate(A(720, 4, 0.25, 0.004), 45);
        var patient = ErlangA.Evaluate(A(720, 4, 0.25, 20), 45);
        Assert.True(impatient.AbandonProbability > 0.9 * impatient.WaitProbability, impatient.ToString());
        Assert.True(impatient.AbandonProbability >= 1 - 45.0 / 48 - 1e-12, impatient.ToString());
        Assert.True(patient.AbandonProbability >= 1 - 45.0 / 48 - 1e-12, patient.ToString());
        Assert.True(impatient.AbandonProbability > patient.AbandonProbability);
        Assert.True(impatient.MeanWaitMinutes < patient.MeanWaitMinutes);
        // Little's law on the abandoning callers: E[W] = P(abandon)·patience
        Close(patient.AbandonProbability * 20, patient.MeanWaitMinutes!.Value, 1e-12);
    }

    [Fact]
    public void ErlangA_MoreAgents_WaitLess_AndServeBetter()
    {
        var queue = A(720, 4, 0.25, 2);
        var previous = ErlangA.Evaluate(queue, 20);
        for (var c = 21; c <= 80; c++)
        {
            var m = ErlangA.Evaluate(queue, c);
            Assert.True(m.WaitProbability < previous.WaitProbability, $"P(wait) not falling at c = {c}");
            Assert.True(m.ServiceLevel > previous.ServiceLevel, $"SL not rising at c = {c}");
            Assert.True(m.AbandonProbability < previous.AbandonProbability, $"P(abandon) not falling at c = {c}");
            previous = m;
        }
    }

    [Theory]
    [InlineData("erlang-c", 0.8)]
    [InlineData("erlang-c", 0.95)]
    [InlineData("erlang-a", 0.8)]
    [InlineData("erlang-a", 0.99)]
    public void Staffing_FindsTheSmallestStaff(string model, double target)
    {
        var queue = QueueParameters.Create(model, 720, 4, 0.25, model == "erlang-a" ? 2 : null);
        var s = Staffing.Solve(queue, target);
        Sane(s.Measures);
        Assert.True(s.Measures.ServiceLevel >= target);
        var fewer = model == "erlang-a" ? ErlangA.Evaluate(queue, s.Agents - 1) : ErlangC.Evaluate(queue, s.Agents - 1);
        Assert.True(fewer.ServiceLevel < target, $"{s.Agents - 1} agents reach {fewer.ServiceLevel} already");
        Assert.Equal(s.Agents - 48, s.SafetyStaff, 9);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(100)]
    [InlineData(1_000)]
    [InlineData(10_000)]
    public void SquareRootStaffing_IsCloseToTheExactStaff(double load)
    {
        // Halfin–Whitt: c = R + β√R is within a few agents of the exact answer at any size (Borst, Mandelbaum and Reiman 2004)
        var s = Staffing.Solve(C(load * 12, 5, 1.0 / 3), 0.8);
        Assert.InRange(s.SquareRootAgents - s.Agents, -2, 2);
        Assert.InRange(s.HalfinWhittBeta, 0.01, 3);
    }

    [Fact]
    public void HalfinWhitt_WaitProbability_IsTheLimitOfErlangC()
    {
        // for R = 10,000 and c = R + β√R, Erlang C is close to α(β) = [1 + βΦ(β)/φ(β)]^(−1)
        foreach (var beta in new[] { 0.5, 1.0, 2.0 })
        {
            var c = (int)(10_000 + beta * 100);
            Assert.InRange(ErlangC.WaitProbability(c, 10_000) - Staffing.HalfinWhittWaitProbability(beta), -0.01, 0.01);
        }
        Assert.Equal(1, Staffing.HalfinWhittWaitProbability(0));
    }

    [Fact]
    public void Pooling_NeedsFewerAgents_ThanTheSameWorkApart()
    {
        // four municipalities with 12 Erlang each against one pool of 48 Erlang, same target
        var apart = 4 * Staffing.Solve(C(180, 4, 0.25), 0.8).Agents;
        var pooled = Staffing.Solve(C(720, 4, 0.25), 0.8).Agents;
        Assert.True(pooled < apart, $"pooled {pooled}, apart {apart}");
        // the same search in the reference script's Erlang C: 16 agents for 12 Erlang (SL 0.8407), 55 for 48 Erlang (SL 0.8459)
        Assert.Equal(64, apart);
        Assert.Equal(55, pooled);
    }

    [Fact]
    public void Staffing_UnreachableTarget_NamesTheTarget()
    {
        // 99,990 Erlang: even 100,000 agents leave most callers waiting longer than 0 minutes at 99.9999 %
        var e = Assert.Throws<ValidationException>(() => Staffing.Solve(C(1_199_880, 5, 0), 0.999999));
        Assert.Contains("targetServiceLevel", e.Errors.Keys);
    }

    [Theory]
    [InlineData(null, 10.0, 5.0, 0.5, null, "model")]
    [InlineData("erlang-b", 10.0, 5.0, 0.5, null, "model")]
    [InlineData("erlang-c", 0.0, 5.0, 0.5, null, "arrivalsPerHour")]
    [InlineData("erlang-c", -3.0, 5.0, 0.5, null, "arrivalsPerHour")]
    [InlineData("erlang-c", null, 5.0, 0.5, null, "arrivalsPerHour")]
    [InlineData("erlang-c", double.NaN, 5.0, 0.5, null, "arrivalsPerHour")]
    [InlineData("erlang-c", 10.0, 0.0, 0.5, null, "handlingMinutes")]
    [InlineData("erlang-c", 10.0, double.PositiveInfinity, 0.5, null, "handlingMinutes")]
    [InlineData("erlang-c", 10.0, 5.0, -1.0, null, "targetMinutes")]
    [InlineData("erlang-c", 10.0, 5.0, null, null, "targetMinutes")]
    [InlineData("erlang-c", 10.0, 5.0, 0.5, 3.0, "patienceMinutes")]
    [InlineData("erlang-a", 10.0, 5.0, 0.5, null, "patienceMinutes")]
    [InlineData("erlang-a", 10.0, 5.0, 0.5, 0.0, "patienceMinutes")]
    [InlineData("erlang-a", 10.0, 5.0, 0.5, 60_000.0, "patienceMinutes")]
    [InlineData("erlang-c", 2_000_000.0, 5.0, 0.5, null, "arrivalsPerHour")]
    public void BadInput_NamesTheField(string? model, double? perHour, double? handling, double? target, double? patience, string field)
    {
        var e = Assert.Throws<ValidationException>(() => QueueParameters.Create(model, perHour, handling, target, patience));
        Assert.Equal([field], e.Errors.Keys);
    }

    [Fact]
    public void BadAgentsAndTargets_NameTheField()
    {
        Assert.Equal(["agents"], Assert.Throws<ValidationException>(() => QueueParameters.Agents(0)).Errors.Keys);
        Assert.Equal(["agents"], Assert.Throws<ValidationException>(() => QueueParameters.Agents(100_001)).Errors.Keys);
        Assert.Equal(["agents"], Assert.Throws<ValidationException>(() => QueueParameters.Agents(null)).Errors.Keys);
        foreach (var t in new double?[] { 0, 1, -0.5, 80, double.NaN, null })
            Assert.Equal(["targetServiceLevel"], Assert.Throws<ValidationException>(() => QueueParameters.TargetServiceLevel(t)).Errors.Keys);
    }
}
