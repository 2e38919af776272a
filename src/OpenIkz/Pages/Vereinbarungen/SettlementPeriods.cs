using System.Globalization;

namespace OpenIkz.Pages.Vereinbarungen;

/// <summary>A period the settlement form offers: its code as the settlement service reads it ("2026", "2026-Q3", "2026-07") and its German name.</summary>
public sealed record PeriodChoice(string Code, string Label, bool Running);

/// <summary>
/// The periods a coordinator chooses from instead of typing one: years, quarters and months from the agreement's start
/// (at most the last three years) up to the running one, newest first; a running period is marked, since it is only
/// previewed. The service still checks whatever is posted.
/// </summary>
public static class SettlementPeriods
{
    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    public static (IReadOnlyList<PeriodChoice> Years, IReadOnlyList<PeriodChoice> Quarters, IReadOnlyList<PeriodChoice> Months) For(DateOnly validFrom, DateOnly today)
    {
        var start = validFrom > today.AddYears(-3) ? validFrom : new DateOnly(today.Year - 3, 1, 1);
        if (start > today) start = today;
        var years = new List<PeriodChoice>();
        for (var y = today.Year; y >= start.Year; y--)
            years.Add(new(y.ToString(CultureInfo.InvariantCulture), $"Jahr {y}" + (y == today.Year ? " (läuft noch, nur Vorschau)" : ""), y == today.Year));
        var quarters = new List<PeriodChoice>();
        for (var q = new DateOnly(today.Year, (today.Month - 1) / 3 * 3 + 1, 1); q >= new DateOnly(start.Year, (start.Month - 1) / 3 * 3 + 1, 1); q = q.AddMonths(-3))
        {
            var n = (q.Month - 1) / 3 + 1;
            var running = q.AddMonths(3) > today;
            quarters.Add(new($"{q.Year}-Q{n}", $"{n}. Quartal {q.Year}" + (running ? " (läuft noch, nur Vorschau)" : ""), running));
        }
        var months = new List<PeriodChoice>();
        for (var m = new DateOnly(today.Year, today.Month, 1); m >= new DateOnly(start.Year, start.Month, 1); m = m.AddMonths(-1))
        {
            var running = m.AddMonths(1) > today;
            months.Add(new(m.ToString("yyyy-MM", CultureInfo.InvariantCulture), m.ToString("MMMM yyyy", German) + (running ? " (läuft noch, nur Vorschau)" : ""), running));
        }
        return (years, quarters, months);
    }
}
