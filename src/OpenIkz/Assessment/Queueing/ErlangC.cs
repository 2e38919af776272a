using System.Globalization;

namespace OpenIkz.Assessment.Queueing;

/// <summary>
/// Erlang C, the M/M/c queue: Poisson arrivals (λ), exponential handling (mean h), c agents, an unlimited queue, and
/// callers who never give up. With the offered load R = λ·h (Erlang) and R &lt; c:
/// <list type="bullet">
/// <item>P(wait) = C(c, R) = c·B / (c − R·(1 − B)), B the Erlang B value, computed by its stable recursion (no factorials);</item>
/// <item>service level P(W ≤ t) = 1 − C·e^(−(c − R)·t/h);</item>
/// <item>mean wait E[W] = C·h / (c − R); utilisation R/c.</item>
/// </list>
/// For R ≥ c the queue grows without bound: the result says so (<see cref="QueueMeasures.Stable"/> false).
/// </summary>
public static class ErlangC
{
    /// <summary>The probability that an arrival has to wait, C(c, R), for R &lt; c; 1 for R ≥ c.</summary>
    public static double WaitProbability(int agents, double offeredLoad)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(agents, 1);
        if (!(offeredLoad > 0)) throw new ArgumentOutOfRangeException(nameof(offeredLoad));
        if (offeredLoad >= agents) return 1;
        return FromErlangB(agents, offeredLoad, QueueMath.ErlangB(agents, offeredLoad));
    }

    internal static double FromErlangB(int agents, double offeredLoad, double b) =>
        Math.Clamp(agents * b / (agents - offeredLoad * (1 - b)), 0, 1);

    /// <summary>The measures of the queue with <paramref name="agents"/> agents.</summary>
    public static QueueMeasures Evaluate(QueueParameters queue, int agents)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var r = queue.OfferedLoad;
        if (r >= agents) return Unstable(agents, r);
        return Measures(queue, agents, WaitProbability(agents, r));
    }

    internal static QueueMeasures Measures(QueueParameters queue, int agents, double waitProbability)
    {
        var r = queue.OfferedLoad;
        var h = queue.HandlingMinutes;
        var slack = agents - r; // > 0
        var serviceLevel = 1 - waitProbability * Math.Exp(-slack * queue.TargetMinutes / h);
        return new QueueMeasures(QueueParameters.Name(QueueModel.ErlangC), agents, r, true, waitProbability, Math.Clamp(serviceLevel, 0, 1),
            waitProbability * h / slack, 0, r / agents, null);
    }

    /// <summary>R ≥ c: every arrival waits, nobody within a finite target, the mean wait is unbounded (null), the agents are fully busy.</summary>
    private static QueueMeasures Unstable(int agents, double r) =>
        new(QueueParameters.Name(QueueModel.ErlangC), agents, r, false, 1, 0, null, 0, 1,
            $"Nicht stabil: Das Arbeitsaufkommen von {r.ToString("0.##", CultureInfo.GetCultureInfo("de-DE"))} Erlang ist mindestens so groß wie die {agents} Beschäftigten. "
            + "Ohne Abbrüche wächst die Warteschlange ohne Grenze; es braucht mehr als " + Math.Floor(r).ToString("#,0", CultureInfo.GetCultureInfo("de-DE"))
            + " Beschäftigte (oder das Modell \"erlang-a\" mit Abbrüchen).");
}
