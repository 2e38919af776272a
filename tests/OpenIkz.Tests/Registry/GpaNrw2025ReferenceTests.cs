using System.Globalization;
using OpenIkz.Registry;
using OpenIkz.Registry.Statistics;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Registry;

/// <summary>
/// The reference figures of <see cref="GpaNrw2025"/> against the text gpaNRW printed: <see cref="GpaNrw2025Excerpt"/> holds the
/// report's lines that carry them, copied verbatim from seeds/004_4d7853da6392e76a.txt; every figure's quote must stand in
/// it, and its value must be what the printed number says. The excerpt itself is checked against the seed file, which lies
/// beside the repository in shared/seeds (as on every developer machine and in CI).
/// </summary>
public sealed class GpaNrw2025ReferenceTests
{
    private static readonly string[] Excerpt = GpaNrw2025Excerpt.Lines;

    private static readonly string ExcerptText = GpaNrw2025Excerpt.Text;

    /// <summary>How the report writes numbers in words, and the value each stands for (fractions as percent, one decimal).</summary>
    private static readonly Dictionary<string, decimal> Words = new(StringComparer.OrdinalIgnoreCase)
    {
        ["zwei"] = 2, ["vier"] = 4, ["fünf"] = 5, ["sechs"] = 6, ["acht"] = 8, ["zehn"] = 10, ["elf"] = 11,
        ["drei Viertel"] = 75, ["Dreiviertel"] = 75, ["ein Viertel"] = 25, ["die Hälfte"] = 50, ["der Hälfte"] = 50,
        ["ein Drittel"] = 33.3m, ["ein Fünftel"] = 20, ["Neun von zehn"] = 90,
    };

    private static decimal ValueOf(string printed) =>
        Words.TryGetValue(printed, out var v) ? v : decimal.Parse(printed, NumberStyles.AllowThousands, CultureInfo.GetCultureInfo("de-DE"));

    [Fact]
    public void EveryFigure_StandsInThePrintedText_WithItsValue()
    {
        Assert.Equal(GpaNrw2025.Figures.Count, GpaNrw2025.Figures.Select(f => f.Key).Distinct().Count());
        foreach (var f in GpaNrw2025.Figures)
        {
            Assert.True(ExcerptText.Contains(f.Quote, StringComparison.Ordinal), $"{f.Key}: quote not in the printed text: {f.Quote}");
            Assert.True(f.Quote.Contains(f.Printed, StringComparison.Ordinal), $"{f.Key}: '{f.Printed}' is not in its quote");
            Assert.True(ValueOf(f.Printed) == f.Value, $"{f.Key}: printed '{f.Printed}' is {ValueOf(f.Printed)}, not {f.Value}");
            if (f.Qualifier is not null) Assert.True(f.Quote.Contains(f.Qualifier, StringComparison.OrdinalIgnoreCase), $"{f.Key}: '{f.Qualifier}' is not in its quote");
            Assert.Contains(f.Unit, new[] { "Anzahl", "Prozent" });
            if (f.Unit == "Prozent") Assert.True(f.Quote.Contains("Prozent", StringComparison.Ordinal) || Words.ContainsKey(f.Printed), $"{f.Key}: a percentage without 'Prozent' or a fraction");
            Assert.Matches(@"^1(\.\d)*( \(Fußnote \d\))?$", f.Section);
            Assert.False(string.IsNullOrWhiteSpace(f.Label));
        }
    }

    [Fact]
    public void TheFiguresTheIssueNames_AreThere()
    {
        decimal V(string key) => GpaNrw2025.Figure(key).Value;
        Assert.Equal(6250, V("aktivitaeten"));
        Assert.Equal(2504, V("aktivitaeten-kleine"));
        Assert.Equal([371m, 31m, 373m, 31m], new[] { V("ausgewertete-kommunen"), V("ausgewertete-kreise"), V("befragte-kommunen"), V("befragte-kreise") });
        Assert.Equal(140, V("geprueft-nicht-umgesetzt"));
        Assert.Equal(15, V("kein-partner"));
        Assert.Equal(20, V("kreise-anteil-aktivitaeten"));
        Assert.Equal(11, V("median-projekte"));
        Assert.Equal([106m, 74m, 43m, 26m, 17m], new[] { V("oberstes-viertel"), V("oberstes-viertel-kreise"), V("oberstes-viertel-grosse"), V("oberstes-viertel-mittlere"), V("oberstes-viertel-kleine") });
        Assert.Equal([1540m, 826m, 282m, 50m, 15m, 35m, 47m, 68m], new[] { V("muenster"), V("duesseldorf"), V("kultur-umgesetzt"), V("it-geplant"), V("it-geplant-erstmals"), V("it-geplant-wiederholt"), V("archiv-geplant"), V("archiv-geplant-kleine") });
        Assert.Equal([75m, 75m, 41m, 25m], new[] { V("aktivitaeten-fiktiv-ausgeglichen"), V("kreise-sonstige-gruende"), V("grosse-interne-widerstaende"), V("von-rueckabwicklung-betroffen") });
        Assert.Equal(V("it-geplant"), V("it-geplant-erstmals") + V("it-geplant-wiederholt"));
        Assert.Equal(GpaNrw2025.Districts, new FiveNumberSummary(66, 155, 178, 227, 453, 31));
        Assert.Equal([207, 129, 35, 31], GpaNrw2025.SegmentCounts.Select(r => r.Values.Single()));
        Assert.Equal(V("ausgewertete-kommunen") + V("ausgewertete-kreise"), GpaNrw2025.SegmentCounts.Sum(r => r.Values.Single()));
    }

    [Fact]
    public void Tables_AreAsPrinted()
    {
        var segments = GpaNrw2025.SegmentCounts.Select(r => r.Label + "\t" + r.Values.Single()).ToList();
        foreach (var line in segments)
            Assert.True(Excerpt.Any(l => l == line || l.StartsWith(line + " ", StringComparison.Ordinal)), $"not printed: {line}"); // "129 ²" carries a footnote
        Assert.Contains(GpaNrw2025.SegmentCountsCaption, Excerpt);

        Assert.Contains(GpaNrw2025.LegalFormsCaption, Excerpt);
        Assert.Contains("Segment\t" + string.Join("\t", GpaNrw2025.LegalFormColumns), Excerpt);
        Assert.Equal(4, GpaNrw2025.LegalFormsBySegment.Count);
        foreach (var row in GpaNrw2025.LegalFormsBySegment)
        {
            Assert.Equal(6, row.Values.Count);
            Assert.Contains(row.Label + "\t" + string.Join("\t", row.Values), Excerpt);
            Assert.Equal(100, row.Values.Sum()); // each printed row adds up to 100 %
        }
        Assert.Equal([Segments.Small, Segments.Medium, Segments.Large, Segments.District], GpaNrw2025.LegalFormsBySegment.Select(r => r.Segment));

        var d = GpaNrw2025.Districts;
        Assert.Contains(GpaNrw2025.DistrictsCaption, Excerpt);
        Assert.Contains("Grundzahl\tMinimum\t1. Viertelwert\t2. Viertelwert (Median)\t3. Viertelwert\tMaximum\tAnzahl Werte", Excerpt);
        Assert.Contains($"{GpaNrw2025.DistrictsRowLabel}\t{d.Min}\t{d.Q1}\t{d.Median}\t{d.Q3}\t{d.Max}\t{d.N}", Excerpt);
    }

    [Fact]
    public void TaskFieldReferences_NameExistingFiguresAndFields()
    {
        foreach (var t in GpaNrw2025.TaskFields)
        {
            Assert.NotNull(TaskFields.Find(t.TaskField));
            Assert.Contains(t.Measure, new[] { "implemented", "planned" });
            Assert.Contains(GpaNrw2025.Figures, f => f.Key == t.FigureKey);
        }
    }

    [Fact]
    public void Display_ReadsAsGerman()
    {
        Assert.Equal("mehr als 75 %", GpaNrw2025.Display(GpaNrw2025.Figure("it-umgesetzt")));
        Assert.Equal("6.250", GpaNrw2025.Display(GpaNrw2025.Figure("aktivitaeten")));
        Assert.Equal("rund 33,3 %", GpaNrw2025.Display(GpaNrw2025.Figure("geprueft-nicht-umgesetzt-anteil")));
    }

    [SkippableFact]
    public void Excerpt_IsVerbatimFromTheSeed()
    {
        var seed = Path.GetFullPath(Path.Combine(TestEnvironment.RepositoryRoot, "..", "shared", "seeds", "004_4d7853da6392e76a.txt"));
        TestEnvironment.SkipUnless(File.Exists(seed), $"The gpaNRW seed ({seed})", "place the shared/ folder of the project beside the repository");
        var lines = File.ReadAllLines(seed).ToHashSet(StringComparer.Ordinal);
        foreach (var line in Excerpt) Assert.True(lines.Contains(line), $"not a line of the seed: {line}");
    }
}
