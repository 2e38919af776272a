using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using OpenIkz.Infrastructure.Pdf;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>The dependency-free PDF writer: file structure, PDF/A-2b parts, embedded Unicode fonts, layout and determinism.</summary>
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
        var streams = Regex.Matches(text, @"<< /Length (\d+)[^\n]*>>\nstream\n");
        Assert.NotEmpty(streams);
        foreach (Match stream in streams)
        {
            var length = int.Parse(stream.Groups[1].Value, CultureInfo.InvariantCulture);
            var dataStart = stream.Index + stream.Length;
            Assert.Equal("\nendstream", text.Substring(dataStart + length, 10));
        }
    }

    [Fact]
    public void ToBytes_Fonts_AreEmbeddedNotoSansSubsetsWithIdentityHAndToUnicode()
    {
        var text = Latin1(SampleDocument());

        Assert.Matches(@"/Subtype /Type0 /BaseFont /[A-Z]{6}\+NotoSans-Regular /Encoding /Identity-H /DescendantFonts \[\d+ 0 R\] /ToUnicode \d+ 0 R", text);
        Assert.Matches(@"/Subtype /Type0 /BaseFont /[A-Z]{6}\+NotoSans-Bold /Encoding /Identity-H", text);
        Assert.Equal(2, Regex.Matches(text, @"/Subtype /CIDFontType2 .*/W \[\d+ \[[\d ]+\].*/CIDToGIDMap \d+ 0 R").Count);
        Assert.Equal(2, Regex.Matches(text, @"/FontFile2 \d+ 0 R").Count);
        Assert.DoesNotContain("/Type1", text);
        Assert.Contains("/MediaBox [0 0 595.28 841.89]", text);
        // Page content streams stay uncompressed (readable); font and profile streams are compressed.
        Assert.DoesNotMatch(@"/Filter /FlateDecode >>\nstream\nBT", text);
    }

    [Fact]
    public void ToBytes_FontSubset_IsMuchSmallerThanTheFont()
    {
        var text = Latin1(SampleDocument());

        foreach (Match m in Regex.Matches(text, @"<< /Length (\d+) /Filter /FlateDecode /Length1 (\d+) >>"))
            Assert.True(int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) < 60_000, $"subset of {m.Groups[2].Value} bytes");
        Assert.Equal(2, Regex.Matches(text, @"/Length1 \d+").Count);
    }

    [Fact]
    public void ToBytes_IsPdfA2b_WithXmpMatchingTheInfoDictionaryAndAnSrgbOutputIntent()
    {
        var text = Latin1(SampleDocument());

        var catalog = Regex.Match(text, @"<< /Type /Catalog [^\n]*/Metadata (\d+) 0 R /OutputIntents \[(\d+) 0 R\] >>");
        Assert.True(catalog.Success, "catalog names metadata and output intent");
        var xmp = Encoding.UTF8.GetString(Stream(SampleDocument(), int.Parse(catalog.Groups[1].Value, CultureInfo.InvariantCulture)));
        var doc = System.Xml.Linq.XDocument.Parse(xmp[xmp.IndexOf("<x:xmpmeta", StringComparison.Ordinal)..(xmp.LastIndexOf("</x:xmpmeta>", StringComparison.Ordinal) + 12)]);
        string Value(string ns, string name) => doc.Descendants(System.Xml.Linq.XName.Get(name, ns)).Single().Value;
        Assert.Equal("2", Value("http://www.aiim.org/pdfa/ns/id/", "part"));
        Assert.Equal("B", Value("http://www.aiim.org/pdfa/ns/id/", "conformance"));
        Assert.Equal("Bescheid über die Kostenumlage 2024", Value("http://purl.org/dc/elements/1.1/", "title"));
        Assert.Equal("Stadt Großenhain", Value("http://purl.org/dc/elements/1.1/", "creator"));
        Assert.Equal("2025-03-14T09:30:00+01:00", Value("http://ns.adobe.com/xap/1.0/", "CreateDate"));
        Assert.Equal("OpenIKZ", Value("http://ns.adobe.com/pdf/1.3/", "Producer"));
        Assert.Equal("OpenIKZ", Value("http://ns.adobe.com/xap/1.0/", "CreatorTool"));
        Assert.Contains("/CreationDate (D:20250314093000+01'00')", text);
        Assert.Contains("/Type /Metadata /Subtype /XML", text);

        var intent = Regex.Match(text, @"/Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier \(sRGB IEC61966-2.1\) .*/DestOutputProfile (\d+) 0 R");
        Assert.True(intent.Success);
        var icc = Stream(SampleDocument(), int.Parse(intent.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.Equal(icc.Length, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(icc));
        Assert.Equal("mntr", Encoding.ASCII.GetString(icc, 12, 4));
        Assert.Equal("RGB XYZ ", Encoding.ASCII.GetString(icc, 16, 8));
        Assert.Equal("acsp", Encoding.ASCII.GetString(icc, 36, 4));
        Assert.Equal(2, icc[8]); // ICC version 2
        foreach (var tag in new[] { "desc", "cprt", "wtpt", "rXYZ", "gXYZ", "bXYZ", "rTRC", "gTRC", "bTRC" })
            Assert.Contains(tag, Encoding.ASCII.GetString(icc, 128, 4 + 12 * 9));

        Assert.DoesNotContain("/Encrypt", text);
        Assert.DoesNotContain("/SMask", text);
        Assert.DoesNotContain("/Group", text);
        Assert.DoesNotContain(" ca ", text);
    }

    private static byte[] Stream(byte[] pdf, int number)
    {
        var text = Latin1(pdf);
        var m = Regex.Match(text, $@"(?m)^{number} 0 obj\n<< /Length (\d+)([^\n]*)>>\nstream\n");
        Assert.True(m.Success, $"object {number} is a stream");
        var data = pdf.AsSpan(m.Index + m.Length, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
        if (!m.Groups[2].Value.Contains("/FlateDecode", StringComparison.Ordinal)) return data;
        using var z = new System.IO.Compression.ZLibStream(new MemoryStream(data), System.IO.Compression.CompressionMode.Decompress);
        using var result = new MemoryStream();
        z.CopyTo(result);
        return result.ToArray();
    }

    [Fact]
    public void ToBytes_WhenTextHasUmlauts_GivesThemBackExactly()
    {
        const string german = "Gebührenbescheid für Äpfel, Öl und Übermaß: ä ö ü ß – „Zitat“ § 5 kostet 3 €";
        var pdf = NewDocument().Paragraph(german).ToBytes();

        Assert.Contains(german, PdfText.ExtractStrings(pdf));
    }

    [Fact]
    public void ToBytes_WhenTextIsGreekCyrillicOrVietnamese_GivesItBackExactly_AndOnlyWhatNoFontHasAsQuestionMark()
    {
        const string names = "Ayşe Yılmaz · Σωκράτης Παπαδόπουλος · Фёдор Достоевский · Łukasz Żółć · Nguyễn Thị Minh Khai";
        var pdf = NewDocument().Paragraph(names).Paragraph(names, bold: true).Paragraph("Łódź Ω 😀 ok").ToBytes();

        var strings = PdfText.ExtractStrings(pdf);
        var joined = string.Join(" ", strings);
        Assert.Equal(2, Regex.Matches(joined, Regex.Escape(names)).Count); // the paragraph wraps at spaces
        Assert.Contains("Łódź Ω ? ok", strings);
    }

    [Fact]
    public void ToBytes_WhenTextIsDecomposed_ComposesItToTheFontsGlyphs()
    {
        var decomposed = "Nguyễn".Normalize(NormalizationForm.FormD);
        var pdf = NewDocument().Paragraph(decomposed).ToBytes();

        Assert.Contains("Nguyễn", PdfText.ExtractStrings(pdf));
        Assert.Equal(PdfFontMetrics.MeasureText("Nguyễn", PdfFont.Helvetica, 10), PdfFontMetrics.MeasureText(decomposed, PdfFont.Helvetica, 10), 9);
    }

    [Fact]
    public void ToBytes_WhenTextHasParenthesesAndBackslashes_GivesThemBack()
    {
        const string tricky = @"Betrag (netto) ) ( C:\Akten\2024 \n kein Umbruch";
        var pdf = NewDocument().Paragraph(tricky).ToBytes();

        Assert.Contains(tricky, PdfText.ExtractStrings(pdf));
    }

    [Fact]
    public void MeasureText_UsesTheAdvanceWidthsOfNotoSans()
    {
        // Noto Sans 'hmtx' (1000 units per em). Regular: W 930, i 258, H 741, a 561, l 258, o 605, € 572.
        // Bold: W 967, i 299.
        Assert.Equal(930 * 10 / 1000.0, PdfFontMetrics.MeasureText("W", PdfFont.Helvetica, 10), 9);
        Assert.Equal(258, PdfFontMetrics.GlyphWidth('i', PdfFont.Helvetica));
        Assert.Equal(299, PdfFontMetrics.GlyphWidth('i', PdfFont.HelveticaBold));
        Assert.Equal(572, PdfFontMetrics.GlyphWidth('€', PdfFont.Helvetica));
        Assert.Equal(0, PdfFontMetrics.GlyphWidth('\u00AD', PdfFont.Helvetica)); // soft hyphen is dropped
        // "Hallo" = H 741 + a 561 + l 258 + l 258 + o 605 = 2423 units.
        Assert.Equal(24.23, PdfFontMetrics.MeasureText("Hallo", bold: false, 10), 9);
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
        Assert.Equal(10, lines[0].Length); // 10 x 9.3 pt = 93 pt; an eleventh W would not fit
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
        var xs = Regex.Matches(Latin1(pdf), @"/F1 9 Tf ([\d.]+) [\d.]+ Td <[0-9A-F]+> Tj")
            .Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.Contains(xs, x => Math.Abs(x - expectedX) < 0.01);
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
        var fonts = Regex.Matches(raw, @"BT /(F\d) 10\.5 Tf ([\d.]+) ").Select(m => (m.Groups[1].Value, m.Groups[2].Value)).Take(2);
        Assert.Equal([("F2", "56"), ("F1", "210.65")], fonts);
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

/// <summary>The writer's output read back by poppler (outside the project).</summary>
public sealed class PdfWriterPopplerTests
{
    public const string Names = "Ayşe Yılmaz, Σωκράτης Παπαδόπουλος, Фёдор Достоевский, Łukasz Żółć, Nguyễn Thị Minh Khai";

    [SkippableFact]
    public void Pdftotext_GivesBackNamesInLatinGreekAndCyrillicScripts_AndPdffontsFindsEveryFontEmbedded()
    {
        var doc = new PdfDocumentBuilder("Namen Ayşe Yılmaz", "Σωκράτης", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), "Фёдор Достоевский");
        doc.Heading("Łukasz Żółć");
        doc.Paragraph(Names);
        doc.Table(["Name", "Ort"], [["Nguyễn Thị Minh Khai", "Hà Nội"], ["Ayşe Yılmaz", "İzmir"]], [0.6, 0.4]);
        var pdf = doc.ToBytes();

        Poppler.AssertReadable(pdf, "Łukasz Żółć", Names, "Nguyễn Thị Minh Khai", "Hà Nội", "İzmir", "Фёдор Достоевский");
        Assert.Equal(2, Poppler.Fonts(pdf).Count);
    }
}
