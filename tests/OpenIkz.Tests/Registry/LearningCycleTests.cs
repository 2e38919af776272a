using OpenIkz.Registry.Regions;

namespace OpenIkz.Tests.Registry;

/// <summary>The overdue rule of the learning cycle at its date boundaries, and the fixed order of the five steps.</summary>
public sealed class LearningCycleTests
{
    private static readonly DateOnly Today = new(2027, 3, 1);

    [Theory]
    [InlineData("offen", "2027-02-28", true)]          // yesterday (across the month end)
    [InlineData("in-arbeit", "2026-03-01", true)]      // a year ago
    [InlineData("offen", "2027-03-01", false)]         // today: due, not overdue
    [InlineData("in-arbeit", "2027-03-02", false)]     // tomorrow
    [InlineData("abgeschlossen", "2027-02-28", false)] // done: never overdue
    [InlineData("abgeschlossen", "2000-01-01", false)]
    public void IsOverdue_WhenReviewDateBeforeTodayAndNotDone(string status, string reviewOn, bool overdue) =>
        Assert.Equal(overdue, LearningCycle.IsOverdue(status, DateOnly.Parse(reviewOn, System.Globalization.CultureInfo.InvariantCulture), Today));

    [Fact]
    public void IsOverdue_WithoutReviewDate_IsNever() => Assert.False(LearningCycle.IsOverdue("offen", null, Today));

    [Fact]
    public void Steps_AreTheFiveOfLebensWert_InTheirOrder()
    {
        Assert.Equal(["Analyse", "Ideen", "Planung", "Umsetzung", "Reflexion"], LearningCycle.Steps.Select(s => s.Label));
        Assert.Equal([1, 2, 3, 4, 5], LearningCycle.Steps.Select(s => LearningCycle.Position(s.Slug)));
    }

    [Fact]
    public void OverdueSql_SaysTheSame_AsIsOverdue() =>
        Assert.Equal("(s.review_on IS NOT NULL AND s.review_on < @Today AND s.status <> 'abgeschlossen')", LearningCycle.OverdueSql("s"));
}
