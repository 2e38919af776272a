using OpenIkz.Assessment.Potential;

namespace OpenIkz.Tests.Assessment;

/// <summary>
/// A stand-in for Erlang C at the staffing seam only: the smallest stable number of agents (the offered load λ·h/60
/// rounded down, plus one) and a constant mean wait. It is NOT Erlang C; it makes the potential arithmetic checkable by hand.
/// </summary>
public static class FakeStaffing
{
    public const double WaitMinutes = 120;

    public static int Agents(double arrivalsPerHour, double handlingMinutes, double targetMinutes, double serviceLevel) =>
        (int)Math.Floor(arrivalsPerHour * handlingMinutes / 60) + 1;

    public static readonly IStaffingModel Model = new DelegateStaffingModel(Agents, (_, _, _) => WaitMinutes);
}
