namespace OpenIkz.Assessment.Queueing;

/// <summary>
/// The smallest number of agents whose service level reaches a target, beside the square-root staffing rule.
/// <para>Erlang C: one upward pass of the Erlang B recursion from c = 1, the service level evaluated for each c &gt; R
/// until it reaches the target: O(c) in all. Erlang A: the service level rises with c, so a bisection between a lower
/// bound (no more than c/R of the callers can be served, so c ≥ target·R) and a doubled upper bound; each step is
/// one O(c) evaluation.</para>
/// <para>Square-root staffing (Halfin and Whitt 1981): c ≈ R + β·√R, where β solves
/// 1 − α(β)·e^(−β·√R·t/h) = target with α(β) = [1 + β·Φ(β)/φ(β)]^(−1), the limit of P(wait) when c − R = β·√R.
/// Its point: the safety staff grows with √R, not with R, so a pooled service needs fewer agents per unit of work
/// than the partners apart — the economy of scale of an inter-municipal pool.</para>
/// </summary>
public static class Staffing
{
    public static StaffingResult Solve(QueueParameters queue, double targetServiceLevel)
    {
        ArgumentNullException.ThrowIfNull(queue);
        if (!(targetServiceLevel > 0 && targetServiceLevel < 1)) throw new ArgumentOutOfRangeException(nameof(targetServiceLevel));
        var measures = queue.Model == QueueModel.ErlangA ? SolveErlangA(queue, targetServiceLevel) : SolveErlangC(queue, targetServiceLevel);
        var beta = HalfinWhittBeta(targetServiceLevel, queue.OfferedLoad, queue.TargetMinutes / queue.HandlingMinutes);
        return new StaffingResult(measures.Agents, measures, SquareRootAgents(queue.OfferedLoad, beta), beta, measures.Agents - queue.OfferedLoad);
    }

    /// <summary>⌈R + β·√R⌉, and more than R (fewer could not carry the load without abandonment).</summary>
    public static int SquareRootAgents(double offeredLoad, double beta) =>
        (int)Math.Max(Math.Floor(offeredLoad) + 1, Math.Ceiling(offeredLoad + beta * Math.Sqrt(offeredLoad) - 1e-9));

    /// <summary>
    /// The Halfin–Whitt β for a service-level target: the root of 1 − α(β)·e^(−β·√R·τ) = target, τ the target time in
    /// handling times; the left side rises from 0 (β = 0) to 1, so bisection on [0, 40] finds it to 1e-12.
    /// </summary>
    public static double HalfinWhittBeta(double targetServiceLevel, double offeredLoad, double targetInHandlingTimes)
    {
        double ServiceLevel(double beta) => 1 - HalfinWhittWaitProbability(beta) * Math.Exp(-beta * Math.Sqrt(offeredLoad) * targetInHandlingTimes);
        double lo = 0, hi = 40;
        for (var i = 0; i < 200 && hi - lo > 1e-12; i++)
        {
            var mid = 0.5 * (lo + hi);
            if (ServiceLevel(mid) >= targetServiceLevel) hi = mid; else lo = mid;
        }
        return hi;
    }

    /// <summary>α(β) = [1 + β·Φ(β)/φ(β)]^(−1), the Halfin–Whitt limit of P(wait) for c = R + β·√R (β &gt; 0).</summary>
    public static double HalfinWhittWaitProbability(double beta)
    {
        if (beta <= 0) return 1;
        var ratio = QueueMath.NormalCdf(beta) / QueueMath.NormalPdf(beta); // φ underflows only far beyond any target: ratio → ∞, α → 0
        return 1 / (1 + beta * ratio);
    }

    private static QueueMeasures SolveErlangC(QueueParameters queue, double target)
    {
        var r = queue.OfferedLoad;
        var inverse = 1.0;
        var step = 1 / r;
        for (var c = 1; c <= QueueParameters.MaxAgents; c++)
        {
            inverse = QueueMath.NextInverseErlangB(inverse, c, step);
            if (c <= r) continue;
            var measures = ErlangC.Measures(queue, c, ErlangC.FromErlangB(c, r, inverse > 1e300 ? 0 : 1 / inverse));
            if (measures.ServiceLevel >= target) return measures;
        }
        throw Unreachable();
    }

    private static QueueMeasures SolveErlangA(QueueParameters queue, double target)
    {
        var lo = Math.Max(1, (int)Math.Floor(target * queue.OfferedLoad)); // below c = target·R the target cannot be met
        var hi = Math.Max(lo, (int)Math.Ceiling(queue.OfferedLoad) + 1);
        var atHi = ErlangA.Evaluate(queue, hi);
        while (atHi.ServiceLevel < target)
        {
            if (hi == QueueParameters.MaxAgents) throw Unreachable();
            lo = hi;
            hi = (int)Math.Min(QueueParameters.MaxAgents, 2L * hi);
            atHi = ErlangA.Evaluate(queue, hi);
        }
        // invariant: SL(hi) ≥ target; SL(c) < target for c < lo (lo itself is not yet known)
        if (ErlangA.Evaluate(queue, lo) is { } atLo && atLo.ServiceLevel >= target) return atLo;
        while (hi - lo > 1)
        {
            var mid = lo + (hi - lo) / 2;
            var atMid = ErlangA.Evaluate(queue, mid);
            if (atMid.ServiceLevel >= target) { hi = mid; atHi = atMid; } else lo = mid;
        }
        return atHi;
    }

    private static ValidationException Unreachable() => ValidationException.For("targetServiceLevel",
        $"Dieses Ziel erreichen auch {QueueParameters.MaxAgents.ToString("#,0", System.Globalization.CultureInfo.GetCultureInfo("de-DE"))} Beschäftigte nicht; bitte ein niedrigeres Ziel oder eine längere Zielwartezeit wählen.");
}
