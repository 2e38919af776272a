namespace OpenIkz.Assessment.Potential;

/// <summary>
/// The seam to the queueing mathematics (Erlang C lives in <c>OpenIkz.Assessment.Queueing</c>): how many staff must be
/// present so that the target share of cases waits at most the target minutes, and the mean wait with that staff.
/// Arrivals per working hour; handling and target minutes are working minutes.
/// </summary>
public interface IStaffingModel
{
    int AgentsFor(double arrivalsPerHour, double handlingMinutes, double targetMinutes, double targetServiceLevel);

    /// <summary>The mean waiting time in working minutes with <paramref name="agents"/> present; null when the model does not give it.</summary>
    double? MeanWaitMinutes(double arrivalsPerHour, double handlingMinutes, int agents);
}

/// <summary>An <see cref="IStaffingModel"/> made of delegates, so the Erlang C functions can be plugged in as they are.</summary>
public sealed class DelegateStaffingModel(
    Func<double, double, double, double, int> agentsFor,
    Func<double, double, int, double>? meanWaitMinutes = null) : IStaffingModel
{
    public int AgentsFor(double arrivalsPerHour, double handlingMinutes, double targetMinutes, double targetServiceLevel) =>
        agentsFor(arrivalsPerHour, handlingMinutes, targetMinutes, targetServiceLevel);

    public double? MeanWaitMinutes(double arrivalsPerHour, double handlingMinutes, int agents) =>
        meanWaitMinutes?.Invoke(arrivalsPerHour, handlingMinutes, agents);
}
