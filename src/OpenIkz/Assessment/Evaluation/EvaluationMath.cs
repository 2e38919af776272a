namespace OpenIkz.Assessment.Evaluation;

/// <summary>Whether a goal is met, without I/O. A value that could not be measured meets nothing and misses nothing (null).</summary>
public static class GoalJudgement
{
    public static bool? IsMet(string comparison, decimal target, decimal? actual) =>
        actual is not { } a ? null : comparison == Comparisons.AtLeast ? a >= target : a <= target;

    /// <summary>A share in percent with two decimals (half away from zero); null for an empty base.</summary>
    public static decimal? Percent(long part, long whole) =>
        whole <= 0 ? null : decimal.Round(100m * part / whole, 2, MidpointRounding.AwayFromZero);
}
