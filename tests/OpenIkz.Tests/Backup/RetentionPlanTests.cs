using OpenIkz.Backup;

namespace OpenIkz.Tests.Backup;

/// <summary>The receiver's retention rule as a pure function, with the expected sets worked out by hand.</summary>
public sealed class RetentionPlanTests
{
    /// <summary>Thursday, 3 December 2026, 13:00 in Berlin; its ISO week runs from Monday 30 November to Sunday 6 December.</summary>
    private static readonly DateTime Now = new(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc);

    private static BackupSummary At(DateTime utc) => new($"{utc:yyyyMMdd}t{utc:HHmmss}z-{utc.Ticks % 100_000_000:x8}", utc, 0, 0);

    /// <summary>One backup a day at 10:00 UTC (11:00 in Berlin), the last on the day of <see cref="Now"/>.</summary>
    private static List<BackupSummary> Daily(int days) =>
        Enumerable.Range(0, days).Select(i => At(new DateTime(2026, 12, 3, 10, 0, 0, DateTimeKind.Utc).AddDays(-i))).Reverse().ToList();

    private static string[] Days(IReadOnlySet<string> keep, IReadOnlyList<BackupSummary> all) =>
        all.Where(b => keep.Contains(b.Id)).Select(b => b.CreatedAt.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    [Theory]
    // 60 days (5 Oct – 3 Dec): 7 days (27 Nov – 3 Dec); the weeks add 22 Nov and 15 Nov (their Sundays; the weeks of
    // 3 Dec and 29 Nov are kept already); the months add 31 Oct (December and November are kept already; September
    // and earlier have no backup in this list).
    [InlineData(60, 7, 4, 12, "2026-10-31 2026-11-15 2026-11-22 2026-11-27 2026-11-28 2026-11-29 2026-11-30 2026-12-01 2026-12-02 2026-12-03")]
    // 400 days: as above, and the last day of every month of 2026 back to January (12 months: Jan – Dec 2026).
    [InlineData(400, 7, 4, 12, "2026-01-31 2026-02-28 2026-03-31 2026-04-30 2026-05-31 2026-06-30 2026-07-31 2026-08-31 2026-09-30 2026-10-31 2026-11-15 2026-11-22 2026-11-27 2026-11-28 2026-11-29 2026-11-30 2026-12-01 2026-12-02 2026-12-03")]
    // 1 day, no weeks, no months: only today.
    [InlineData(60, 1, 0, 0, "2026-12-03")]
    // 3 days and 2 weeks: 1–3 Dec, and the week of 23–29 Nov by its newest (29 Nov).
    [InlineData(60, 3, 2, 0, "2026-11-29 2026-12-01 2026-12-02 2026-12-03")]
    public void Keep_WithOneBackupADay_KeepsTheNewestOfEachPeriod(int days, int daily, int weekly, int monthly, string expected)
    {
        var backups = Daily(days);
        var keep = RetentionPlan.Keep(backups, Now, daily, weekly, monthly);
        Assert.Equal(expected.Split(' '), Days(keep, backups));
    }

    [Fact]
    public void Keep_WithSeveralBackupsADay_KeepsOnlyTheNewestOfTheDay()
    {
        var backups = new[] { 6, 9, 15 }.Select(h => At(new DateTime(2026, 12, 2, h, 0, 0, DateTimeKind.Utc))).ToList();
        Assert.Equal([backups[2].Id], RetentionPlan.Keep(backups, Now, 7, 4, 12));
    }

    [Fact]
    public void Keep_CountsDaysInBerlin_NotInUtc()
    {
        // 22:30 UTC on 1 December is 23:30 on 1 December in Berlin; 23:30 UTC is already 00:30 on 2 December.
        var late = At(new DateTime(2026, 12, 1, 22, 30, 0, DateTimeKind.Utc));
        var afterMidnight = At(new DateTime(2026, 12, 1, 23, 30, 0, DateTimeKind.Utc));
        var earlier = At(new DateTime(2026, 12, 1, 8, 0, 0, DateTimeKind.Utc));
        var keep = RetentionPlan.Keep([earlier, late, afterMidnight], Now, 7, 0, 0);
        Assert.Equal(new HashSet<string> { late.Id, afterMidnight.Id }, keep);
    }

    [Fact]
    public void Keep_WhenEveryBackupIsOlderThanEveryPeriod_StillKeepsTheNewest()
    {
        var old = new[] { At(new DateTime(2020, 1, 1, 10, 0, 0, DateTimeKind.Utc)), At(new DateTime(2020, 1, 2, 10, 0, 0, DateTimeKind.Utc)) };
        Assert.Equal([old[1].Id], RetentionPlan.Keep(old, Now, 7, 4, 12));
    }

    [Fact]
    public void Keep_WithNoBackups_KeepsNothing() => Assert.Empty(RetentionPlan.Keep([], Now, 7, 4, 12));

    [Fact]
    public void Keep_AcrossTheYearsIsoWeek_GroupsByIsoWeek()
    {
        // Thursday 31 Dec 2026 and Sunday 3 Jan 2027 are both in ISO week 53 of 2026; Monday 4 Jan 2027 starts week 1.
        var now = new DateTime(2027, 1, 4, 12, 0, 0, DateTimeKind.Utc);
        var thursday = At(new DateTime(2026, 12, 31, 10, 0, 0, DateTimeKind.Utc));
        var sunday = At(new DateTime(2027, 1, 3, 10, 0, 0, DateTimeKind.Utc));
        var monday = At(new DateTime(2027, 1, 4, 10, 0, 0, DateTimeKind.Utc));
        Assert.Equal(new HashSet<string> { sunday.Id, monday.Id }, RetentionPlan.Keep([thursday, sunday, monday], now, 1, 2, 0));
    }
}
