using OpenIkz.Assessment.Potential;
using OpenIkz.Assessment.Queueing;
using QueueStaffing = OpenIkz.Assessment.Queueing.Staffing;

namespace OpenIkz.Tests.Assessment;

/// <summary>The potential analysis with the real Erlang C staffing: pooling needs fewer staff than the partners apart
/// (the square-root economy of scale), and the fair split still divides exactly the gain.</summary>
public class ErlangCStaffingModelTests
{
    private static readonly string[] Partners = ["07338001", "07338002", "07338003", "07338004"];

    /// <summary>Four equal partners, 6,000 cases a year of 45 minutes each, target: 80 % started within a quarter of a working day.</summary>
    private static PotentialInput Four(double targetDays = 0.25) => new(
        Partners,
        Partners.Select(p => new ServiceLoad(p, "wohngeld", 3.0, [new CaseGroupLoad("", 6000, 45)])).ToList(),
        new ServiceTarget(targetDays, 0.8),
        new PotentialAssumptions(),
        new TransactionCosts(OneOffFixedEuro: 20_000, YearlyFixedEuro: 5_000));

    [Fact]
    public void Agents_AreThoseOfStaffingSolve()
    {
        var q = QueueParameters.Create("erlang-c", 3.2, 45, 30, null);
        Assert.Equal(QueueStaffing.Solve(q, 0.8).Agents, ErlangCStaffingModel.Instance.AgentsFor(3.2, 45, 30, 0.8));
        Assert.Equal(ErlangC.Evaluate(q, 4).MeanWaitMinutes, ErlangCStaffingModel.Instance.MeanWaitMinutes(3.2, 45, 4));
    }

    [Fact]
    public void Pooling_NeedsFewerAgentsThanThePartnersApart()
    {
        var r = PotentialCalculator.Calculate(Four(), ErlangCStaffingModel.Instance);
        var alone = r.Partners.Sum(p => p.Alone.ErlangAgents);
        var pooled = r.Services.Single().Pooled.ErlangAgents;
        Assert.True(pooled < alone, $"pooled {pooled} agents, alone {alone}");
        Assert.True(r.SavingFte > 0);
        // Both are staffed to the same target, so the pool is not faster; it needs fewer people for the same promise.
        // Each alone meets the target with its agents, and one fewer would not (Staffing.Solve is the smallest).
        var p0 = r.Partners[0].Alone;
        var queue = QueueParameters.Create("erlang-c", p0.ArrivalsPerHour, p0.HandlingMinutes, 0.25 * new PotentialAssumptions().HoursPerDay * 60, null);
        Assert.True(ErlangC.Evaluate(queue, p0.ErlangAgents).ServiceLevel >= 0.8);
        Assert.True(ErlangC.Evaluate(queue, p0.ErlangAgents - 1).ServiceLevel < 0.8);
    }

    [Fact]
    public void FairSplit_WithErlangC_DividesTheGainEquallyAmongEqualPartners()
    {
        var split = PotentialCalculator.FairSplit(Four(), ErlangCStaffingModel.Instance);
        Assert.Equal(split.TotalGainEuro, split.Partners.Sum(p => p.ShapleyGainEuro), 6);
        Assert.All(split.Partners, p => Assert.Equal(split.TotalGainEuro / 4, p.ShapleyGainEuro, 6));
    }
}
