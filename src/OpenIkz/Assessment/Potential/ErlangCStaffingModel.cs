using OpenIkz.Assessment.Queueing;

namespace OpenIkz.Assessment.Potential;

/// <summary>
/// The potential analysis' staffing by Erlang C (M/M/c): the smallest staff present for which the target share of cases
/// waits at most the target time (<see cref="Queueing.Staffing.Solve"/>), and the mean wait with that staff
/// (<see cref="ErlangC.Evaluate"/>). This is the model the API and the pages use; the tests of the calculator's
/// arithmetic use a simpler one.
/// </summary>
public sealed class ErlangCStaffingModel : IStaffingModel
{
    public static ErlangCStaffingModel Instance { get; } = new();

    private const string Model = "erlang-c";

    public int AgentsFor(double arrivalsPerHour, double handlingMinutes, double targetMinutes, double targetServiceLevel) =>
        Queueing.Staffing.Solve(QueueParameters.Create(Model, arrivalsPerHour, handlingMinutes, targetMinutes, null), targetServiceLevel).Agents;

    public double? MeanWaitMinutes(double arrivalsPerHour, double handlingMinutes, int agents) =>
        ErlangC.Evaluate(QueueParameters.Create(Model, arrivalsPerHour, handlingMinutes, handlingMinutes, null), agents).MeanWaitMinutes;
}
