using System.Globalization;

namespace OpenIkz.Backup;

/// <summary>
/// Which backups a receiver keeps (a pure function, no I/O): the newest backup of each of the last <c>daily</c> calendar
/// days, of each of the last <c>weekly</c> ISO weeks and of each of the last <c>monthly</c> months (each counted in
/// Europe/Berlin and including the current one), and always the newest backup overall. A backup dated after
/// <c>nowUtc</c> falls into a period at or after the current one and is kept like any other.
/// </summary>
public static class RetentionPlan
{
    public static IReadOnlySet<string> Keep(IReadOnlyList<BackupSummary> backups, DateTime nowUtc, int daily, int weekly, int monthly)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal);
        if (backups.Count == 0) return keep;
        var today = BerlinTime.DateOf(nowUtc);
        var monday = today.AddDays(-((int)today.DayOfWeek + 6) % 7);
        var firstOfMonth = new DateOnly(today.Year, today.Month, 1);
        var dated = backups.Select(b => (Backup: b, Day: BerlinTime.DateOf(b.CreatedAt))).ToList();

        void NewestPer<TKey>(DateOnly from, Func<DateOnly, TKey> period) where TKey : notnull
        {
            foreach (var group in dated.Where(d => d.Day >= from).GroupBy(d => period(d.Day)))
                keep.Add(Newest(group.Select(g => g.Backup)).Id);
        }

        if (daily > 0) NewestPer(today.AddDays(1 - daily), day => day);
        if (weekly > 0) NewestPer(monday.AddDays(-7 * (weekly - 1)), day =>
        {
            var date = day.ToDateTime(TimeOnly.MinValue);
            return (ISOWeek.GetYear(date), ISOWeek.GetWeekOfYear(date));
        });
        if (monthly > 0) NewestPer(firstOfMonth.AddMonths(1 - monthly), day => (day.Year, day.Month));
        keep.Add(Newest(backups).Id);
        return keep;
    }

    /// <summary>The latest by time; of equal times the greatest id (ids begin with the time, so this is the order of the listing).</summary>
    private static BackupSummary Newest(IEnumerable<BackupSummary> backups) =>
        backups.OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Id, StringComparer.Ordinal).First();
}
