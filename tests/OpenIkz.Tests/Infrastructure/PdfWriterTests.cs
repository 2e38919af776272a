using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using OpenIkz.Infrastructure.Pdf;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>The dependency-free PDF writer: file structure, WinAnsi text, layout and determinism.</summary>
public sealed class PdfWriterTests
{
    private static readonly DateTimeOffset Created = new(2025, 3, 14, 9, 30, 0, TimeSpan.FromHours(1));

    private const string LongText =
        "Gemäß § 12 der Zweckvereinbarung über die gemeinsame Wahrnehmung der Aufgaben des Standesamtes " +
        "zwischen der Stadt Großenhain und den Gemeinden Lampertswalde, Schönfeld und Weißig am Raschütz " +
        "wird die Kostenumlage für das Haushaltsjahr 2024 wie folgt festgesetzt. Die Festsetzung beruht auf " +
        "den tatsächlich entstandenen Personal- und Sachkosten sowie auf dem vereinbarten Verteilungsschlüssel " +
        "nach Einwohnerzahlen zum Stichtag 30. Juni des Vorjahres. Gegen diesen Bescheid kann innerhalb eines " +
        "Monats nach Bekanntgabe Widerspruch erhoben werden. Der Widerspruch ist schriftlich oder zur " +
        "Niederschrift bei der oben bezeichneten Behörde einzulegen. Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenanspruchsberechtigungsnachweisformular " +
        "ist ein überlanges Wort, das zwangsweise getrennt werden muss, ebenso Kosten-Nutzen-Analyse-Verfahrensbeschreibung.";

    private static PdfDocumentBuilder NewDocument(string? footer = null)
        => new("Bescheid über die Kostenumlage 2024", "Stadt Großenhain", Created, footer);

    private static byte[] SampleDocument()
    {
        var doc = NewDocument("Stadt Großenhain · Hauptmarkt 1 · 01558 Großenhain");
        doc.Heading("Bescheid über die Kostenumlage 2024");
        doc.KeyValue([("Aktenzeichen", "IKZ-2024/017"), ("Datum", "14.03.2025"), ("Betrag", "12.345,67 €")]);
        doc.Paragraph(LongText);
        doc.Line();
        doc.Heading("Berechnung", 2);
        doc.Table(["Gemeinde", "Einwohner", "Anteil"],
            [["Großenhain", "18.211", "9.876,54 €"], ["Schönfeld", "1.302", "2.469,13 €"]],
            [0.5, 0.25, 0.25], [false, true, true]);
        doc.Paragraph("Mit freundlichen Grüßen", bold: true);
        return doc.ToBytes();
    }

    private static string Latin1(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    [Fact]
    public void ToBytes_Always_StartsWithHeaderAndBinaryCommentAndEndsWithEof()
    {
        var pdf = SampleDocument();
        var text = Latin1(pdf);

        Assert.StartsWith("%PDF-1.7\n%", text);
        var secondLine = text.Split('\n')[1];
        Assert.True(secondLine.Skip(1).Take(4).All(c => c >= 128), "the comment line must hold at least four bytes >= 128");
        Assert.EndsWith("%%EOF\n", text);
    }

    [Fact]
    public void ToBytes_XrefEntries_AreTwentyBytesAndPointToTheirObjects()
    {
        var pdf = SampleDocument();
        var text = Latin1(pdf);

        var startxref = Regex.Match(text, @"startxref\n(\d+)\n%%EOF\n$");
        Assert.True(startxref.Success, "file must end with startxref <offset> %%EOF");
        var xrefOffset = int.Parse(startxref.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal("xref\n", text.Substring(xrefOffset, 5));

        var subsection = Regex.Match(text[(xrefOffset + 5)..], @"^0 (\d+)\n");
        Assert.True(subsection.Success);
        var size = int.Parse(subsection.Groups[1].Value, CultureInfo.InvariantCulture);
        var entriesStart = xrefOffset + 5 + subsection.Length;

        Assert.Equal("0000000000 65535 f\r\n", text.Substring(entriesStart, 20));
        for (var n = 1; n < size; n++)
        {
            var entry = text.Substring(entriesStart + 20 * n, 20);
            Assert.Matches(@"^\d{10} \d{5} n\r\n$", entry);
            var offset = int.Parse(entry[..10], CultureInfo.InvariantCulture);
            Assert.StartsWith($"{n} 0 obj\n", text[offset..]);
        }
        Assert.Equal("trailer\n", text.Substring(entriesStart + 20 * size, 8));

        // Every object is listed exactly once.
        Assert.Equal(size - 1, Regex.Matches(text, @"(?m)^\d+ 0 obj$").Count);
    }

    [Fact]
    public void ToBytes_Trailer_HasSizeRootInfoAndId()
    {
        var text = Latin1(SampleDocument());
        var trailer = text[text.LastIndexOf("trailer", StringComparison.Ordinal)..];

        Assert.Matches(@"/Size \d+", trailer);
        Assert.Matches(@"/Root \d+ 0 R", trailer);
        Assert.Matches(@"/Info \d+ 0 R", trailer);
        Assert.Matches(@"/ID \[<[0-9A-F]{32}> <[0-9A-F]{32}>\]", trailer);
    }

    [Fact]
    public void ToBytes_InfoDictionary_HasTitleAuthorProducerAndCreationDate()
    {
        var text = Latin1(new PdfDocumentBuilder("Abrechnung", "Zweckverband", Created).Paragraph("x").ToBytes());

        Assert.Contains("/Title (Abrechnung)", text);
        Assert.Contains("/Author (Zweckverband)", text);
        Assert.Contains("/Producer (OpenIKZ)", text);
        Assert.Contains("/CreationDate (D:20250314093000+01'00')", text);
    }

    [Fact]
    public void ToBytes_WhenInfoHasUmlauts_WritesUtf16TextString()
    {
        var text = Latin1(new PdfDocumentBuilder("Bescheid Ä", "Stadt", Created).ToBytes());

        // "Bescheid Ä" in UTF-16BE with byte order mark.
        Assert.Contains("/Title <FEFF" + "0042 0065 0073 0063 0068 0065 0069 0064 0020 00C4".Replace(" ", "") + ">", text);
    }

    [Fact]
    public void ToBytes_StreamLengths_MatchTheStreamData()
    {
        var text = Latin1(SampleDocument());
        var streams = Regex.Matches(text, @"<< /Length (\d+) >>\nstream\n");
        Assert.NotEmpty(streams);
        foreach (Match stream in streams)
        {
            var length = int.Parse(stream.Groups[1].Value, CultureInfo.InvariantCulture);
            var dataStart = stream.Index + stream.Length;
            Assert.Equal("\nendstream", text.Substring(dataStart + length, 10));
        }
    }

    [Fact]
    public void ToBytes_ContentStreams_AreUncompressedAndUseTheStandardFonts()
    {
        var text = Latin1(SampleDocument());

        Assert.DoesNotContain("/Filter", text);
        Assert.Contains("/BaseFont /Helvetica /Encoding /WinAnsiEncoding", text);
        Assert.Contains("/BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding", text);
        Assert.DoesNotContain("/FontFile", text);
        Assert.Contains("/MediaBox [0 0 595.28 841.89]", text);
    }

    [Fact]
    public void ToBytes_WhenTextHasUmlauts_EncodesThemInWinAnsi()
    {
        const string german = "Gebührenbescheid für Äpfel, Öl und Übermaß: ä ö ü ß – „Zitat“ § 5 kostet 3 €";
        var pdf = NewDocument().Paragraph(german).ToBytes();

        Assert.Contains(german, PdfText.ExtractStrings(pdf));
        var raw = Latin1(pdf);
        Assert.Contains(@"Geb\374hrenbescheid f\374r \304pfel, \326l und \334berma\337", raw); // ü Ä Ö Ü ß
        Assert.Contains(@"\226 \204Zitat\223 \247 5 kostet 3 \200", raw); // – „ “ § €
    }

    [Fact]
    public void ToBytes_WhenTextIsOutsideWinAnsi_PrintsQuestionMarks()
    {
        var pdf = NewDocument().Paragraph("Łódź Ω 😀 ok").ToBytes();

        Assert.Contains("?ód? ? ? ok", PdfText.ExtractStrings(pdf));
    }

    [Fact]
    public void ToBytes_WhenTextHasParenthesesAndBackslashes_EscapesThem()
    {
        const string tricky = @"Betrag (netto) ) ( C:\Akten\2024 \n kein Umbruch";
        var pdf = NewDocument().Paragraph(tricky).ToBytes();

        Assert.Contains(@"(Betrag \(netto\) \) \( C:\\Akten\\2024 \\n kein Umbruch) Tj", Latin1(pdf));
        Assert.Contains(tricky, PdfText.ExtractStrings(pdf));
    }

    [Fact]
    public void MeasureText_UsesTheAdobeAfmWidths()
    {
        // Helvetica.afm / Helvetica-Bold.afm: W 944, i 222 (bold 278), quotesingle 191 (bold 238), € 556, ä 556 (bold 556), ß 611.
        Assert.Equal(944 * 10 / 1000.0, PdfFontMetrics.MeasureText("W", PdfFont.Helvetica, 10), 9);
        Assert.Equal(222, PdfFontMetrics.GlyphWidth((byte)'i', PdfFont.Helvetica));
        Assert.Equal(278, PdfFontMetrics.GlyphWidth((byte)'i', PdfFont.HelveticaBold));
        Assert.Equal(191, PdfFontMetrics.GlyphWidth((byte)'\'', PdfFont.Helvetica));
        Assert.Equal(238, PdfFontMetrics.GlyphWidth((byte)'\'', PdfFont.HelveticaBold));
        Assert.Equal(1015, PdfFontMetrics.GlyphWidth((byte)'@', PdfFont.Helvetica));
        Assert.Equal(556, PdfFontMetrics.GlyphWidth(0x80, PdfFont.Helvetica)); // Euro
        Assert.Equal(611, PdfFontMetrics.GlyphWidth(0xDF, PdfFont.Helvetica)); // germandbls
        Assert.Equal(611, PdfFontMetrics.GlyphWidth(0xFC, PdfFont.HelveticaBold)); // udieresis
        Assert.Equal(556, PdfFontMetrics.GlyphWidth(0xB5, PdfFont.Helvetica)); // mu
        // "Hallo" = H 722 + a 556 + l 222 + l 222 + o 556 = 2278 units.
        Assert.Equal(22.78, PdfFontMetrics.MeasureText("Hallo", bold: false, 10), 9);
    }

    [Theory]
    [InlineData(false, 10.5)]
    [InlineData(true, 12)]
    public void Paragraph_WhenTextIsLong_WrapsSoThatNoLineExceedsTheTextWidth(bool bold, double size)
    {
        var pdf = NewDocument().Paragraph(LongText, bold, size).ToBytes();
        var lines = PdfText.ExtractStrings(pdf).Where(s => !s.StartsWith("Seite ", StringComparison.Ordinal)).ToList();

        Assert.True(lines.Count >= 8, $"expected many lines, got {lines.Count}");
        foreach (var line in lines)
            Assert.True(PdfFontMetrics.MeasureText(line, bold, size) <= PdfDocumentBuilder.ContentWidth, $"too wide: {line}");

        // Greedy wrapping fills the lines (not one word per line).
        var average = lines.Average(l => PdfFontMetrics.MeasureText(l, bold, size));
        Assert.True(average > PdfDocumentBuilder.ContentWidth * 0.75, $"average line width {average}");

        // Nothing is lost: the lines give back the text (the over-long word is split without a hyphen).
        Assert.Equal(LongText.Replace(" ", ""), string.Concat(lines).Replace(" ", ""));
    }

    [Fact]
    public void WrapText_PrefersToBreakCompoundWordsAfterAHyphen()
    {
        var width = PdfFontMetrics.MeasureText("Die Kosten-Nutzen-", PdfFont.Helvetica, 10) + 5;
        var lines = PdfDocumentBuilder.WrapText("Die Kosten-Nutzen-Analyse", PdfFont.Helvetica, 10, width);

        Assert.Equal(["Die Kosten-Nutzen-", "Analyse"], lines);
    }

    [Fact]
    public void Paragraph_KeepsExplicitLineBreaks()
    {
        var pdf = NewDocument().Paragraph("Stadt Großenhain\r\nHauptmarkt 1\n01558 Großenhain").ToBytes();

        var strings = PdfText.ExtractStrings(pdf);
        Assert.Equal(["Stadt Großenhain", "Hauptmarkt 1", "01558 Großenhain"], strings.Take(3));
    }

    [Fact]
    public void WrapText_BreaksAnOverlongWordBetweenCharacters()
    {
        var lines = PdfDocumentBuilder.WrapText(new string('W', 100), PdfFont.Helvetica, 10, 100);

        Assert.All(lines, l => Assert.True(PdfFontMetrics.MeasureText(l, PdfFont.Helvetica, 10) <= 100));
        Assert.Equal(100, lines.Sum(l => l.Length));
        Assert.Equal(10, lines[0].Length); // 10 x 9.44 pt = 94.4 pt; an eleventh W would not fit
    }

    [Fact]
    public void Table_With200Rows_SpansSeveralPagesAndRepeatsTheHeader()
    {
        var doc = NewDocument();
        doc.Heading("Anlage: Einwohnerzahlen");
        var rows = Enumerable.Range(1, 200)
            .Select(i => new[] { $"Gemeinde Nr. {i}", (1000 + i * 7).ToString(CultureInfo.InvariantCulture), $"{i},00 €" });
        doc.Table(["Gemeinde", "Einwohner", "Umlage"], rows, [0.5, 0.2, 0.3], [false, true, true]);
        var pdf = doc.ToBytes();

        var pages = PdfText.ExtractPageStrings(pdf);
        Assert.True(pages.Count >= 3, $"expected at least 3 pages, got {pages.Count}");
        Assert.Equal(doc.PageCount, pages.Count);
        foreach (var page in pages)
        {
            var header = page.ToList().IndexOf("Gemeinde");
            Assert.True(header >= 0, "header missing on a page");
            Assert.Equal(["Gemeinde", "Einwohner", "Umlage"], page.Skip(header).Take(3));
            // The header comes before the first row of the page.
            Assert.True(header < page.ToList().FindIndex(s => s.StartsWith("Gemeinde Nr. ", StringComparison.Ordinal)));
        }

        // Every row appears exactly once, in order.
        var rowNames = pages.SelectMany(p => p).Where(s => s.StartsWith("Gemeinde Nr. ", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(1, 200).Select(i => $"Gemeinde Nr. {i}"), rowNames);
        Assert.Contains("200,00 €", pages[^1]);
    }

    [Fact]
    public void Table_WhenCellsAreLong_WrapsThemInsideTheColumn()
    {
        var text = string.Join(" ", Enumerable.Repeat("Verwaltungskostenpauschale", 12));
        var pdf = NewDocument().Table(["Position", "Betrag"], [[text, "1,00 €"]], [0.3, 0.7]).ToBytes();

        var cellWidth = PdfDocumentBuilder.ContentWidth * 0.3 - 8; // minus the cell padding
        var cellLines = PdfText.ExtractStrings(pdf).Where(s => s.StartsWith("Verwaltungs", StringComparison.Ordinal)).ToList();
        Assert.True(cellLines.Count >= 6);
        Assert.All(cellLines, l => Assert.True(PdfFontMetrics.MeasureText(l, bold: false, PdfDocumentBuilder.TableSize) <= cellWidth));
    }

    [Fact]
    public void Table_WhenAColumnIsRightAligned_EndsItsTextAtTheCellPadding()
    {
        var pdf = NewDocument().Table(["A", "Betrag"], [["x", "1.234,56 €"]], [0.5, 0.5], [false, true]).ToBytes();

        var width = PdfFontMetrics.MeasureText("1.234,56 €", bold: false, PdfDocumentBuilder.TableSize);
        var expectedX = PdfDocumentBuilder.Margin + PdfDocumentBuilder.ContentWidth - 4 - width;
        var match = Regex.Match(Latin1(pdf), @"/F1 9 Tf ([\d.]+) [\d.]+ Td \(1\.234,56 \\200\) Tj");
        Assert.True(match.Success);
        Assert.Equal(expectedX, double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), 2);
    }

    [Fact]
    public void Table_WhenWidthsDoNotMatchTheHeaders_Throws()
    {
        Assert.Throws<ArgumentException>(() => NewDocument().Table(["A", "B"], [], [1.0]));
        Assert.Throws<ArgumentException>(() => NewDocument().Table(["A"], [["1", "2"]], [1.0]));
    }

    [Fact]
    public void ToBytes_EveryPage_HasSeiteXVonYFooterAndTheFooterText()
    {
        var doc = NewDocument("Stadt Großenhain – Der Bürgermeister");
        for (var i = 0; i < 12; i++) doc.Paragraph(LongText);
        var pdf = doc.ToBytes();

        var pages = PdfText.ExtractPageStrings(pdf);
        Assert.True(pages.Count >= 2);
        for (var i = 0; i < pages.Count; i++)
        {
            Assert.Contains($"Seite {i + 1} von {pages.Count}", pages[i]);
            Assert.Contains("Stadt Großenhain – Der Bürgermeister", pages[i]);
        }
    }

    [Fact]
    public void PageBreak_StartsANewPage_ButNotOnAnEmptyPage()
    {
        var doc = NewDocument().PageBreak().Paragraph("eins").PageBreak().PageBreak().Paragraph("zwei");
        var pages = PdfText.ExtractPageStrings(doc.ToBytes());

        Assert.Equal(2, pages.Count);
        Assert.Equal(["eins", "Seite 1 von 2"], pages[0]);
        Assert.Equal(["zwei", "Seite 2 von 2"], pages[1]);
    }

    [Fact]
    public void KeyValue_WritesBoldKeysBesideTheirValues()
    {
        var pdf = NewDocument().KeyValue([("Aktenzeichen", "IKZ-2024/017"), ("Empfänger", "Gemeinde Schönfeld")]).ToBytes();
        var raw = Latin1(pdf);

        Assert.Equal(["Aktenzeichen", "IKZ-2024/017", "Empfänger", "Gemeinde Schönfeld"], PdfText.ExtractStrings(pdf).Take(4));
        Assert.Matches(@"/F2 10\.5 Tf 56 [\d.]+ Td \(Aktenzeichen\) Tj", raw);
        Assert.Matches(@"/F1 10\.5 Tf [\d.]+ [\d.]+ Td \(IKZ-2024/017\) Tj", raw);
    }

    [Fact]
    public void ToBytes_WithSameInputAndCreationDate_IsByteIdentical()
    {
        var first = SampleDocument();
        var second = SampleDocument();

        Assert.Equal(first, second);

        var other = new PdfDocumentBuilder("Bescheid über die Kostenumlage 2024", "Stadt Großenhain", Created.AddSeconds(1)).ToBytes();
        Assert.NotEqual(NewDocument().ToBytes(), other);
    }

    [Fact]
    public void ToBytes_WhenCalledTwice_ReturnsTheSameBytes()
    {
        var doc = NewDocument("Fußzeile");
        doc.Paragraph(LongText);

        Assert.Equal(doc.ToBytes(), doc.ToBytes());
    }

    [Fact]
    public void ToBytes_UsesInvariantNumbers_WhateverTheCurrentCulture()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var german = SampleDocument();
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            Assert.Equal(SampleDocument(), german);
            Assert.DoesNotMatch(@"\d,\d+ Td", Latin1(german));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }
}
