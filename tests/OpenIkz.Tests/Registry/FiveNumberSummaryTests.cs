using System.Text.Json;
using OpenIkz.Registry.Statistics;

namespace OpenIkz.Tests.Registry;

/// <summary>The quartile method (linear interpolation, type 7 = Excel QUARTILE.INKL) against values computed by hand.</summary>
public sealed class FiveNumberSummaryTests
{
    [Fact]
    public void EvenCount_ExcelsOwnExample()
    {
        // Microsoft's example for QUARTILE.INKL: 1 2 4 7 8 9 10 12 → Q1 = 3.5. Hand: n = 8, h = 7·p.
        // Q1: h = 1.75 → x1 + 0.75·(x2 − x1) = 2 + 0.75·2 = 3.5; median: h = 3.5 → 7 + 0.5·1 = 7.5; Q3: h = 5.25 → 9 + 0.25·1 = 9.25.
        Assert.Equal(new FiveNumberSummary(1, 3.5m, 7.5m, 9.25m, 12, 8), FiveNumberSummary.Of([12, 1, 9, 4, 8, 2, 10, 7]));
    }

    [Fact]
    public void OddCount_FallsOnValues()
    {
        // 1 1 3 4 5: h = 1, 2, 3 → 1, 3, 4.
        Assert.Equal(new FiveNumberSummary(1, 1, 3, 4, 5, 5), FiveNumberSummary.Of([3, 1, 4, 1, 5]));
        // 0 0 0 1 2 10 20: h = 1.5 → 0; h = 3 → 1; h = 4.5 → 2 + 0.5·8 = 6.
        Assert.Equal(new FiveNumberSummary(0, 0, 1, 6, 20, 7), FiveNumberSummary.Of([20, 0, 2, 0, 10, 1, 0]));
    }

    [Fact]
    public void Ties_AndSmallCounts()
    {
        Assert.Equal(new FiveNumberSummary(2, 2, 2, 2, 2, 4), FiveNumberSummary.Of([2, 2, 2, 2]));
        // 5 5 7 7: h = 0.75 → 5; h = 1.5 → 5 + 0.5·2 = 6; h = 2.25 → 7.
        Assert.Equal(new FiveNumberSummary(5, 5, 6, 7, 7, 4), FiveNumberSummary.Of([7, 5, 7, 5]));
        Assert.Equal(new FiveNumberSummary(7, 7, 7, 7, 7, 1), FiveNumberSummary.Of([7]));
        // 3 4: h = 0.25 → 3.25; 0.5 → 3.5; 0.75 → 3.75.
        Assert.Equal(new FiveNumberSummary(3, 3.25m, 3.5m, 3.75m, 4, 2), FiveNumberSummary.Of([4, 3]));
        Assert.Equal(FiveNumberSummary.Empty, FiveNumberSummary.Of([]));
        Assert.Equal(new FiveNumberSummary(null, null, null, null, null, 0), FiveNumberSummary.OfFrequencies([(5, 0)]));
    }

    [Fact]
    public void FrequencyTable_GivesTheSameAsTheValues()
    {
        var random = new Random(2025);
        for (var run = 0; run < 500; run++)
        {
            var values = Enumerable.Range(0, random.Next(1, 60)).Select(_ => (long)random.Next(0, 12)).ToList();
            var table = values.GroupBy(v => v).Select(g => (g.Key, (long)g.Count())).Append((99L, 0L)).ToList();
            Assert.Equal(FiveNumberSummary.Of(values), FiveNumberSummary.OfFrequencies(table));
        }
        // Rows for one value may come twice (a value of 0 added for the municipalities without any).
        Assert.Equal(FiveNumberSummary.Of([0, 0, 0, 1, 3]), FiveNumberSummary.OfFrequencies([(0, 1), (1, 1), (3, 1), (0, 2)]));
    }

    [Fact]
    public void Json_ShowsNumbersWithoutTrailingZeros()
    {
        var json = JsonSerializer.Serialize(FiveNumberSummary.Of([1, 2, 4, 7, 8, 9, 10, 12]), new JsonSerializerOptions(JsonSerializerDefaults.Web));
        Assert.Equal("""{"min":1,"q1":3.5,"median":7.5,"q3":9.25,"max":12,"n":8}""", json);
    }
}
