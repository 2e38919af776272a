namespace OpenIkz.Registry.Statistics;

/// <summary>
/// Minimum, quartiles, maximum and number of values, as gpaNRW prints them ("Minimum, 1. Viertelwert, 2. Viertelwert
/// (Median), 3. Viertelwert, Maximum, Anzahl Werte", seeds/004 1.3.2). All values are null when there is none.
/// </summary>
public sealed record FiveNumberSummary(decimal? Min, decimal? Q1, decimal? Median, decimal? Q3, decimal? Max, int N)
{
    public static readonly FiveNumberSummary Empty = new(null, null, null, null, null, 0);

    /// <summary>
    /// The quartiles by linear interpolation between order statistics (Hyndman and Fan 1996, type 7; Excel's QUARTILE
    /// and QUARTILE.INKL, R's and numpy's default): for the sorted values x₀ ≤ … ≤ xₙ₋₁ and p ∈ {¼, ½, ¾}, h = (n − 1)·p,
    /// Q(p) = x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋+1 − x⌊h⌋). For whole numbers the result is a multiple of ¼, so it is exact in decimal.
    /// Worked example (docs/REGISTRY.md): 1, 2, 4, 7, 8, 9, 10, 12 → h = 1.75 → Q1 = 2 + 0.75·(4 − 2) = 3.5.
    /// </summary>
    public static FiveNumberSummary Of(IEnumerable<long> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return Empty;
        return new(sorted[0], Quantile(sorted, 1, 4), Quantile(sorted, 1, 2), Quantile(sorted, 3, 4), sorted[^1], sorted.Length);
    }

    /// <summary>The same from a frequency table (value → how often it occurs), without expanding it: a count per district or
    /// municipality over thousands of municipalities comes from the database as a few (value, frequency) rows.</summary>
    public static FiveNumberSummary OfFrequencies(IEnumerable<(long Value, long Frequency)> table)
    {
        var rows = table.Where(r => r.Frequency > 0).GroupBy(r => r.Value).Select(g => (Value: g.Key, Frequency: g.Sum(r => r.Frequency))).OrderBy(r => r.Value).ToArray();
        var n = rows.Sum(r => r.Frequency);
        if (n == 0) return Empty;
        long At(long index)
        {
            var seen = 0L;
            foreach (var (value, frequency) in rows)
            {
                seen += frequency;
                if (index < seen) return value;
            }
            return rows[^1].Value;
        }
        decimal Q(long numerator, long denominator)
        {
            // h = (n − 1)·numerator/denominator, kept as a whole part and a remainder so that nothing is rounded.
            var scaled = (n - 1) * numerator;
            var whole = scaled / denominator;
            var fraction = (decimal)(scaled % denominator) / denominator;
            var low = At(whole);
            return fraction == 0 ? low : Trim(low + fraction * (At(whole + 1) - low));
        }
        return new(rows[0].Value, Q(1, 4), Q(1, 2), Q(3, 4), rows[^1].Value, checked((int)n));
    }

    private static decimal Quantile(long[] sorted, long numerator, long denominator)
    {
        var scaled = (sorted.Length - 1L) * numerator;
        var whole = (int)(scaled / denominator);
        var fraction = (decimal)(scaled % denominator) / denominator;
        return fraction == 0 ? sorted[whole] : Trim(sorted[whole] + fraction * (sorted[whole + 1] - sorted[whole]));
    }

    /// <summary>Drops trailing zeros of the scale (3.50 → 3.5), so that the JSON shows the number as a person writes it.</summary>
    private static decimal Trim(decimal value) => value / 1.000000000000000000000000000000000m;
}
