using System.Globalization;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>The fast reading of SQLite's stored timestamps: exactly what the general parser gives, or left to it.</summary>
public sealed class SqliteTimestampsTests
{
    [Fact]
    public void TryParse_OfWhatTextWrote_GivesTheSameUtcInstant()
    {
        var random = new Random(20261203);
        var samples = new List<DateTime> { new(2026, 12, 3, 7, 30, 0, DateTimeKind.Utc), new(2028, 2, 29, 23, 59, 59, DateTimeKind.Utc), DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc), new(1, 1, 1, 0, 0, 0, DateTimeKind.Utc) };
        for (var i = 0; i < 1000; i++) samples.Add(new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc));
        foreach (var utc in samples)
        {
            var text = SqliteTimestamps.Text(utc);
            Assert.True(SqliteTimestamps.TryParse(text, out var parsed), text);
            Assert.Equal(utc, parsed);
            Assert.Equal(DateTimeKind.Utc, parsed.Kind);
            Assert.Equal(DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), parsed);
        }
    }

    [Theory]
    [InlineData("2026-12-03 07:30:00")]                 // another length: the general parser reads it
    [InlineData("2026-12-03T07:30:00.0000000")]
    [InlineData("2026-12-03 07:30:00.000000Z")]
    [InlineData("2026-13-03 07:30:00.0000000")]
    [InlineData("2026-02-30 07:30:00.0000000")]
    [InlineData("2026-12-03 24:00:00.0000000")]
    [InlineData("2026-12-0x 07:30:00.0000000")]
    [InlineData("0000-12-03 07:30:00.0000000")]
    public void TryParse_OfAnythingElse_LeavesItToTheGeneralParser(string text) =>
        Assert.False(SqliteTimestamps.TryParse(text, out _));
}
