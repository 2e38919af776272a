namespace OpenIkz.Assessment.Potential;

/// <summary>
/// The Shapley value of a cooperative game by exact enumeration of all 2ⁿ coalitions (Shapley 1953). A coalition is a
/// bitmask over the partners (bit i = partner i). For each partner i and each coalition S without i:
///
///     φᵢ = Σ_{S ⊆ N∖{i}} |S|! (n − |S| − 1)! / n! · (v(S ∪ {i}) − v(S))
///
/// i.e. partner i gets its marginal contribution averaged over all orders in which the partners could join. The weights
/// are precomputed per coalition size from factorials (15! = 1.3·10¹² is exact in a double), the work is n · 2ⁿ⁻¹
/// marginal contributions: 245,760 for n = 15. Efficiency: Σφᵢ = v(N) − v(∅).
/// </summary>
public static class Shapley
{
    public const int MaxPartners = 15;

    /// <summary>Evaluates v for every coalition 0 … 2ⁿ − 1 (the characteristic function as a table).</summary>
    public static double[] Table(int partners, Func<int, double> value)
    {
        CheckCount(partners);
        var table = new double[1 << partners];
        for (var mask = 0; mask < table.Length; mask++) table[mask] = value(mask);
        return table;
    }

    public static double[] Compute(int partners, Func<int, double> value) => Compute(partners, Table(partners, value));

    /// <summary>The Shapley values from a table v[mask] of length 2ⁿ.</summary>
    public static double[] Compute(int partners, IReadOnlyList<double> values)
    {
        CheckCount(partners);
        if (values.Count != 1 << partners)
            throw ValidationException.For("coalitionValues", $"Für {partners} Partner werden {1 << partners} Koalitionswerte gebraucht.");
        for (var mask = 0; mask < values.Count; mask++)
            if (!double.IsFinite(values[mask])) throw ValidationException.For("coalitionValues", "Ein Koalitionswert ist keine endliche Zahl.");

        // weight[s] = s! (n − s − 1)! / n!, for s = 0 … n − 1.
        var factorial = new double[partners + 1];
        factorial[0] = 1;
        for (var k = 1; k <= partners; k++) factorial[k] = factorial[k - 1] * k;
        var weight = new double[Math.Max(partners, 1)];
        for (var s = 0; s < partners; s++) weight[s] = factorial[s] * factorial[partners - s - 1] / factorial[partners];

        var phi = new double[partners];
        var full = (1 << partners) - 1;
        for (var mask = 0; mask < full; mask++)
        {
            var w = weight[System.Numerics.BitOperations.PopCount((uint)mask)];
            var v = values[mask];
            var missing = full & ~mask;
            while (missing != 0)
            {
                var i = System.Numerics.BitOperations.TrailingZeroCount(missing);
                missing &= missing - 1;
                phi[i] += w * (values[mask | (1 << i)] - v);
            }
        }
        return phi;
    }

    private static void CheckCount(int partners)
    {
        if (partners < 1) throw ValidationException.For("partners", "Es braucht mindestens einen Partner.");
        if (partners > MaxPartners)
            throw ValidationException.For("partners", $"Die faire Aufteilung (Shapley-Wert) wird exakt über alle Koalitionen berechnet und ist auf höchstens {MaxPartners} Partner begrenzt.");
    }
}
