namespace OpenIkz.Common;

/// <summary>
/// Working days: Monday to Friday. OpenIKZ has no holiday calendar (due dates are calendar days after receipt,
/// <c>TargetProcessingDays</c>), so public holidays count as working days. The duration of a case is the number of
/// working days after the day it started up to and including the day it was decided (Europe/Berlin dates):
/// decided the same day = 0, received Friday and decided Monday = 1.
/// </summary>
public static class WorkingDays
{
    /// <summary>Working days in (start, end]; 0 when end is not after start.</summary>
    public static int Between(DateOnly start, DateOnly end) =>
        end <= start ? 0 : Between(MondayIndex(start), end.DayNumber - start.DayNumber);

    /// <summary>Working days in the <paramref name="gapDays"/> calendar days after a day with the given weekday (0 = Monday … 6 = Sunday).</summary>
    public static int Between(int startWeekday, int gapDays)
    {
        if (startWeekday is < 0 or > 6) throw new ArgumentOutOfRangeException(nameof(startWeekday));
        if (gapDays <= 0) return 0;
        // W(k) = weekdays among the days 0 … k-1 counted from a Monday; the days after the start up to the end are (s, s + gap].
        return Before(startWeekday + gapDays + 1) - Before(startWeekday + 1);
    }

    /// <summary>0 = Monday … 6 = Sunday.</summary>
    public static int MondayIndex(DateOnly day) => ((int)day.DayOfWeek + 6) % 7;

    private static int Before(int k) => 5 * (k / 7) + Math.Min(k % 7, 5);
}

/// <summary>
/// Percentiles by the nearest-rank method (Hyndman &amp; Fan 1996, definition 1; the inverse of the empirical
/// distribution function): the p-th percentile of N ordered values is the value at rank ⌈p·N/100⌉. It is always a value
/// that occurred (a whole number of working days), it merges exactly over histograms — which is what lets the database
/// aggregate and the application only read the counts per duration — and an empty set has none (null, never NaN).
/// </summary>
public static class Percentiles
{
    public static int? NearestRank(IEnumerable<KeyValuePair<int, long>> histogram, int percent)
    {
        if (percent is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(percent));
        var ordered = histogram.Where(h => h.Value > 0).OrderBy(h => h.Key).ToList();
        var n = ordered.Sum(h => h.Value);
        if (n == 0) return null;
        var rank = (n * percent + 99) / 100; // ⌈p·N/100⌉ in integers
        long seen = 0;
        foreach (var (value, count) in ordered)
        {
            seen += count;
            if (seen >= rank) return value;
        }
        return ordered[^1].Key;
    }
}
