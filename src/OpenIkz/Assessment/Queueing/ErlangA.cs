namespace OpenIkz.Assessment.Queueing;

/// <summary>
/// Erlang A, the M/M/c+M queue of Garnett, Mandelbaum and Reiman (2002), "Designing a call center with impatient
/// customers", M&amp;SOM 4(3): Erlang C plus exponential patience with mean p; a caller still waiting after their
/// patience gives up. Always stable. In units of the mean handling time h (μ = 1), with θ = h/p, R = λ·h,
/// x = c/θ, y = R/θ and A(x, y) = x·e^y·y^(−x)·γ(x, y) = Σ_{j≥0} y^j / ((x+1)…(x+j)):
/// <list type="bullet">
/// <item>P(wait) = A·B / (1 + (A − 1)·B), B the Erlang B value B(c, R);</item>
/// <item>P(abandon | wait) = S1 / (y·A) with S1 = Σ j·t_j the mean queue behind the agents (equal to GMR's
/// 1/(ρA) + 1 − 1/ρ, ρ = R/c, but without its cancellation as p grows), P(abandon) = P(wait)·P(abandon | wait);</item>
/// <item>mean wait of all arrivals E[W] = P(abandon)·p (Little's law on the abandoning callers);</item>
/// <item>offered wait P(V &gt; s | wait) = γ(x, y·e^(−θs)) / γ(x, y); the service level is the share of all arrivals
/// answered within t: P(no wait) + P(wait)·∫₀ᵗ e^(−θs) dP(V ≤ s) = P(no wait) + P(wait)·[1 − P(abandon | wait) −
/// e^(−cτ−θτ+y(1−e^(−θτ)))·x/(x+1)·A(x+1, y·e^(−θτ))/A(x, y)], τ = t/h;</item>
/// <item>utilisation R·(1 − P(abandon))/c (only those who stay are served).</item>
/// </list>
/// The series are summed from their largest term in log scale (<see cref="QueueMath.GammaSeries"/>), so nothing
/// overflows for any c up to <see cref="QueueParameters.MaxAgents"/>, and Erlang A tends to Erlang C as p grows.
/// </summary>
public static class ErlangA
{
    public static QueueMeasures Evaluate(QueueParameters queue, int agents)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentOutOfRangeException.ThrowIfLessThan(agents, 1);
        if (queue.PatienceMinutes is not { } patience) throw new ArgumentException("Erlang A needs the patience.", nameof(queue));
        var r = queue.OfferedLoad;
        var theta = queue.HandlingMinutes / patience;
        double x = agents / theta, y = r / theta;
        var b = QueueMath.ErlangB(agents, r);
        var (scale, s0, s1) = QueueMath.GammaSeries(x, y);
        var logA = scale + Math.Log(s0);

        // P(wait) = 1 / (1 + (1 − B)/(B·A)), in logs; B = 0 (below 1e-308) means nobody waits.
        var pWait = b <= 0 ? 0 : Math.Clamp(1 / (1 + Math.Exp(QueueMath.Log1P(-b) - Math.Log(b) - logA)), 0, 1);
        var abandonGivenWait = Math.Clamp(s1 / (y * s0), 0, 1);
        var pAbandon = pWait * abandonGivenWait;

        var thetaTau = queue.TargetMinutes / patience;
        var z = y * Math.Exp(-thetaTau);
        var logK = -(agents * queue.TargetMinutes / queue.HandlingMinutes) - thetaTau - y * QueueMath.ExpM1(-thetaTau)
                   + Math.Log(x / (x + 1)) + QueueMath.LogA(x + 1, z) - logA;
        var answeredLate = Math.Exp(logK);
        var served = 1 - pWait;
        var serviceLevel = Math.Clamp(served + pWait * (1 - abandonGivenWait - answeredLate), served, 1 - pAbandon);

        return new QueueMeasures(QueueParameters.Name(QueueModel.ErlangA), agents, r, true, pWait, serviceLevel, pAbandon * patience, pAbandon,
            Math.Clamp(r * (1 - pAbandon) / agents, 0, 1), null);
    }
}
