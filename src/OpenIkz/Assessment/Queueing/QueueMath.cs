namespace OpenIkz.Assessment.Queueing;

/// <summary>
/// The special functions the queueing formulas need, without I/O: the Erlang B recursion, the logarithm of a rising
/// product (x+1)(x+2)…(x+m) for large x and m, the normal distribution, and the series that the Erlang A formulas of
/// Garnett, Mandelbaum and Reiman (2002) are written in.
/// </summary>
internal static class QueueMath
{
    /// <summary>
    /// Erlang B blocking probability B(c, a) by the recursion on its inverse, I(0) = 1, I(k) = 1 + (k/a)·I(k−1),
    /// B = 1/I — the classic B(k) = a·B(k−1)/(k + a·B(k−1)) without its division, so one multiply-add per step.
    /// Every term is positive, so no cancellation; no factorial or power is formed: stable for any c, O(c).
    /// I only exceeds 1e300 where k &gt; a, where it keeps growing: B is then below 1e-300, i.e. 0 to the precision
    /// of any result here, and is answered as 0.
    /// </summary>
    public static double ErlangB(int servers, double offeredLoad)
    {
        var inverse = 1.0;
        var step = 1 / offeredLoad;
        for (var k = 1; k <= servers; k++)
        {
            inverse = 1 + k * step * inverse;
            if (inverse > 1e300) return 0;
        }
        return 1 / inverse;
    }

    /// <summary>One step of <see cref="ErlangB"/>'s recursion: I(k) from I(k−1).</summary>
    public static double NextInverseErlangB(double inverse, int k, double step) => 1 + k * step * inverse;

    /// <summary>
    /// ln[(z)(z+1)…(z+m−1)] = lnΓ(z+m) − lnΓ(z) for z &gt; 0, m ≥ 0, without forming either gamma: up to 64 factors
    /// summed directly; beyond that the first factors until z ≥ 10, then the difference of Stirling's series written
    /// with log1p, which keeps its absolute error near the rounding of m·ln z instead of lnΓ(z+m).
    /// </summary>
    public static double LogRising(double z, double m)
    {
        var sum = 0.0;
        if (m <= 64)
        {
            for (var i = 0; i < m; i++) sum += Math.Log(z + i);
            return sum;
        }
        while (z < 10 && m > 0) { sum += Math.Log(z); z += 1; m -= 1; }
        var z2 = z + m;
        // (z2−½)ln z2 − z2 − [(z−½)ln z − z] = (z−½)·ln(z2/z) + m·ln z2 − m
        sum += (z - 0.5) * Log1P(m / z) + m * Math.Log(z2) - m;
        return sum + StirlingTail(z2) - StirlingTail(z);
    }

    private static double StirlingTail(double z)
    {
        var r = 1 / z;
        var r2 = r * r;
        return r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 / 1680)));
    }

    /// <summary>
    /// The sums S0 = Σ_{j≥0} t_j and S1 = Σ_{j≥0} j·t_j with t_0 = 1, t_j = y^j / ((x+1)(x+2)…(x+j)), as
    /// S = e^LogScale · s. S0 is A(x, y) = x·e^y·y^(−x)·γ(x, y) of Garnett, Mandelbaum and Reiman (2002), γ the lower
    /// incomplete gamma function. The terms rise while x + j &lt; y and fall after; the sum starts at the largest
    /// term (its logarithm from <see cref="LogRising"/>), so nothing overflows, and walks both ways until the terms no
    /// longer change the sums: O(√max(x, y)) terms at most, far fewer when y is well below x.
    /// </summary>
    public static (double LogScale, double S0, double S1) GammaSeries(double x, double y)
    {
        const double eps = 1e-17;
        var peak = y > x + 1 ? Math.Floor(y - x) : 0;
        var logScale = peak == 0 ? 0 : peak * Math.Log(y) - LogRising(x + 1, peak);
        double s0 = 1, s1 = peak;
        var t = 1.0;
        for (var j = peak + 1; ; j += 1)
        {
            t *= y / (x + j);
            s0 += t;
            s1 += j * t;
            if (t <= eps * s0 && j * t <= eps * s1) break;
        }
        t = 1.0;
        for (var j = peak; j >= 1; j -= 1)
        {
            t *= (x + j) / y; // t_{j−1} = t_j·(x+j)/y
            s0 += t;
            s1 += (j - 1) * t;
            if (t <= eps * s0) break;
        }
        return (logScale, s0, s1);
    }

    /// <summary>ln A(x, y) with A as in <see cref="GammaSeries"/>.</summary>
    public static double LogA(double x, double y)
    {
        var (scale, s0, _) = GammaSeries(x, y);
        return scale + Math.Log(s0);
    }

    /// <summary>ln(1 + x), accurate for small x (Kahan's trick; the runtime's LogP1 is ln(1 + x) as written).</summary>
    public static double Log1P(double x)
    {
        var u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    /// <summary>e^x − 1, accurate for small x (Kahan's trick; the runtime's ExpM1 is e^x − 1 as written).</summary>
    public static double ExpM1(double x)
    {
        var u = Math.Exp(x);
        if (u == 1) return x;
        var um1 = u - 1;
        return um1 == -1 ? -1 : double.IsPositiveInfinity(u) ? u : um1 * x / Math.Log(u);
    }

    /// <summary>Standard normal density φ(z).</summary>
    public static double NormalPdf(double z) => Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI);

    /// <summary>Standard normal distribution Φ(z) via erfc (Chebyshev fit, relative error below 1.2e-7).</summary>
    public static double NormalCdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

    /// <summary>Complementary error function, Chebyshev fit with relative error below 1.2e-7 everywhere (Numerical Recipes, 2nd ed., §6.2).</summary>
    public static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + 0.5 * z);
        var r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
