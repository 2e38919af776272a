using System.Globalization;
using System.IO.Compression;
using System.Security;
using System.Security.Cryptography;
using System.Text;

namespace OpenIkz.Infrastructure.Pdf;

/// <summary>
/// A small, dependency-free PDF writer for official letters (Bescheide, Vereinbarungen,
/// Abrechnungen) that conforms to PDF/A-2b (ISO 19005-2, level B) for the e-file's long-term
/// archive. It lays out A4 pages with a flowing cursor and embeds subsets of Noto Sans Regular
/// and Bold (TrueType CIDFontType2, Identity-H, with /W widths, CIDToGIDMap and a ToUnicode CMap),
/// so names in any Latin, Greek or Cyrillic script print and can be copied and searched exactly.
/// Every file carries XMP metadata matching its Info dictionary, an sRGB output intent with an
/// embedded ICC profile and a file identifier; it uses no transparency and no encryption.
/// Content streams are written uncompressed, font and profile streams Flate-compressed.
/// </summary>
/// <remarks>
/// A character the fonts lack prints as '?'. Words are wrapped at spaces, and over-long
/// words at '-' or '/' or, failing that, between characters. There is no automatic
/// hyphenation, no kerning, no shaping (complex scripts) and no justified text.
/// </remarks>
public sealed class PdfDocumentBuilder
{
    /// <summary>A4 width in points.</summary>
    public const double PageWidth = 595.28;

    /// <summary>A4 height in points.</summary>
    public const double PageHeight = 841.89;

    /// <summary>Margin on all four sides in points; the footer sits inside the bottom margin.</summary>
    public const double Margin = 56;

    /// <summary>Width available for text between the left and right margins.</summary>
    public const double ContentWidth = PageWidth - 2 * Margin;

    /// <summary>Default body text size in points.</summary>
    public const double BodySize = 10.5;

    /// <summary>Text size used in tables.</summary>
    public const double TableSize = 9;

    /// <summary>Text size of the footer.</summary>
    public const double FooterSize = 8;

    private const double ContentTop = PageHeight - Margin;
    private const double ContentBottom = Margin;
    private const double Leading = 1.35;
    private const double FooterBaseline = 30;
    private const double FooterRuleY = 42;

    private const double CellPaddingX = 4;
    private const double CellPaddingY = 3.5;
    private const double TableLeading = 1.3;

    private readonly List<StringBuilder> _pages = [];
    private readonly Dictionary<ushort, string>[] _usedGlyphs = [[], []];
    private StringBuilder _page = null!;
    private double _y;
    private bool _pageHasContent;

    /// <summary>Creates an empty document with one (blank) A4 page.</summary>
    /// <param name="title">Info /Title and the title viewers show.</param>
    /// <param name="author">Info /Author.</param>
    /// <param name="creationDate">Info /CreationDate; pass a fixed value for byte-identical output. Defaults to now.</param>
    /// <param name="footerText">Optional text printed on the left of every footer.</param>
    public PdfDocumentBuilder(string title, string author, DateTimeOffset? creationDate = null, string? footerText = null)
    {
        Title = title ?? throw new ArgumentNullException(nameof(title));
        Author = author ?? throw new ArgumentNullException(nameof(author));
        CreationDate = creationDate ?? DateTimeOffset.Now;
        FooterText = footerText;
        NewPage();
    }

    /// <summary>Document title (Info dictionary).</summary>
    public string Title { get; }

    /// <summary>Document author (Info dictionary).</summary>
    public string Author { get; }

    /// <summary>Creation date written to the Info dictionary.</summary>
    public DateTimeOffset CreationDate { get; }

    /// <summary>Optional footer text printed left of "Seite X von Y" on every page.</summary>
    public string? FooterText { get; set; }

    /// <summary>Number of pages laid out so far.</summary>
    public int PageCount => _pages.Count;

    /// <summary>Bold heading; level 1 is 16 pt, level 2 is 13 pt, deeper levels 11.5 pt.</summary>
    public PdfDocumentBuilder Heading(string text, int level = 1)
    {
        ArgumentNullException.ThrowIfNull(text);
        var size = level <= 1 ? 16 : level == 2 ? 13 : 11.5;
        var leading = size * 1.25;
        var lines = Wrap(text, PdfFont.HelveticaBold, size, ContentWidth);
        var before = _pageHasContent ? size * 0.9 : 0;
        var after = size * 0.5;

        // Keep the heading with what follows: three body lines, or a table header plus its first row.
        var needed = before + lines.Count * leading + after + 3 * BodySize * Leading;
        if (_pageHasContent && _y - needed < ContentBottom)
        {
            NewPage();
            before = 0;
        }

        _y -= before;
        foreach (var line in lines)
        {
            EnsureSpace(leading);
            DrawText(Margin, _y - size, line, PdfFont.HelveticaBold, size);
            _y -= leading;
        }
        _y -= after;
        return this;
    }

    /// <summary>A wrapped paragraph. Line breaks in <paramref name="text"/> are kept.</summary>
    public PdfDocumentBuilder Paragraph(string text, bool bold = false, double size = BodySize)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (size <= 0 || double.IsNaN(size)) throw new ArgumentOutOfRangeException(nameof(size));
        var font = bold ? PdfFont.HelveticaBold : PdfFont.Helvetica;
        var leading = size * Leading;
        foreach (var line in Wrap(text, font, size, ContentWidth))
        {
            EnsureSpace(leading);
            DrawText(Margin, _y - size, line, font, size);
            _y -= leading;
        }
        _y -= size * 0.6;
        return this;
    }

    /// <summary>Vertical space; a spacer that does not fit ends the page instead.</summary>
    public PdfDocumentBuilder Spacer(double points)
    {
        if (points < 0 || double.IsNaN(points)) throw new ArgumentOutOfRangeException(nameof(points));
        _y -= points;
        if (_y < ContentBottom) NewPage();
        return this;
    }

    /// <summary>A two-column block: bold keys on the left, wrapped values on the right.</summary>
    /// <param name="pairs">The rows.</param>
    /// <param name="keyColumnFraction">Share of the text width taken by the key column (0.1–0.7).</param>
    public PdfDocumentBuilder KeyValue(IEnumerable<(string Key, string Value)> pairs, double keyColumnFraction = 0.32)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (keyColumnFraction is < 0.1 or > 0.7) throw new ArgumentOutOfRangeException(nameof(keyColumnFraction));
        const double gap = 10;
        var size = BodySize;
        var leading = size * Leading;
        var keyWidth = ContentWidth * keyColumnFraction - gap;
        var valueX = Margin + ContentWidth * keyColumnFraction;
        var valueWidth = ContentWidth * (1 - keyColumnFraction);

        foreach (var (key, value) in pairs)
        {
            var keyLines = Wrap(key ?? "", PdfFont.HelveticaBold, size, keyWidth);
            var valueLines = Wrap(value ?? "", PdfFont.Helvetica, size, valueWidth);
            var count = Math.Max(keyLines.Count, valueLines.Count);
            var height = count * leading;
            if (height <= ContentTop - ContentBottom) EnsureSpace(height); // keep a row together when possible
            for (var i = 0; i < count; i++)
            {
                EnsureSpace(leading);
                if (i < keyLines.Count) DrawText(Margin, _y - size, keyLines[i], PdfFont.HelveticaBold, size);
                if (i < valueLines.Count) DrawText(valueX, _y - size, valueLines[i], PdfFont.Helvetica, size);
                _y -= leading;
            }
            _y -= 2;
        }
        _y -= size * 0.6;
        return this;
    }

    /// <summary>
    /// A table with a bold, shaded header row and thin rules. Cells wrap; when the table
    /// continues on a new page the header row is repeated. A row taller than a page is split.
    /// </summary>
    /// <param name="headers">Column titles.</param>
    /// <param name="rows">Rows; missing trailing cells are empty.</param>
    /// <param name="columnWidthFractions">Relative column widths (normalised to the text width).</param>
    /// <param name="rightAlign">Per column: right-align (amounts, numbers).</param>
    public PdfDocumentBuilder Table(string[] headers, IEnumerable<string[]> rows, double[] columnWidthFractions, bool[]? rightAlign = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(columnWidthFractions);
        var columns = headers.Length;
        if (columns == 0) throw new ArgumentException("A table needs at least one column.", nameof(headers));
        if (columnWidthFractions.Length != columns)
            throw new ArgumentException("One width fraction per column is required.", nameof(columnWidthFractions));
        if (columnWidthFractions.Any(f => !(f > 0) || double.IsInfinity(f)))
            throw new ArgumentException("Width fractions must be positive.", nameof(columnWidthFractions));
        if (rightAlign is not null && rightAlign.Length != columns)
            throw new ArgumentException("One alignment flag per column is required.", nameof(rightAlign));

        var table = new TableLayout(columnWidthFractions, rightAlign ?? new bool[columns]);
        var header = table.WrapCells(headers, PdfFont.HelveticaBold);
        var headerHeight = header.LineCount * table.Leading + 2 * CellPaddingY;
        var oneLineRow = table.Leading + 2 * CellPaddingY;

        if (_pageHasContent && _y - (headerHeight + oneLineRow) < ContentBottom) NewPage();
        _y -= 2;
        DrawTableHeader(table, header);
        var rowsTop = _y;

        var fullPageLines = (int)Math.Floor((ContentTop - ContentBottom - headerHeight - 2 * CellPaddingY) / table.Leading + 1e-9);
        foreach (var row in rows)
        {
            ArgumentNullException.ThrowIfNull(row, nameof(rows));
            if (row.Length > columns) throw new ArgumentException($"A row has {row.Length} cells, the table {columns} columns.", nameof(rows));
            var cells = table.WrapCells(row, PdfFont.Helvetica);
            var from = 0;
            while (from < cells.LineCount)
            {
                var remaining = cells.LineCount - from;
                var fit = (int)Math.Floor((_y - ContentBottom - 2 * CellPaddingY) / table.Leading + 1e-9);
                if (fit >= remaining)
                {
                    DrawTableRow(table, cells, from, remaining, PdfFont.Helvetica, shaded: false);
                    break;
                }

                var freshPage = _y >= rowsTop - 0.01;
                if (!freshPage && (remaining <= fullPageLines || fit < 1))
                {
                    NewPage();
                    DrawTableHeader(table, header);
                    rowsTop = _y;
                    continue;
                }

                // The row is taller than what is left even on a fresh page: split it.
                fit = Math.Max(fit, 1);
                DrawTableRow(table, cells, from, fit, PdfFont.Helvetica, shaded: false);
                from += fit;
                NewPage();
                DrawTableHeader(table, header);
                rowsTop = _y;
            }
        }
        _y -= BodySize * 0.8;
        return this;
    }

    /// <summary>A thin horizontal rule across the text width.</summary>
    public PdfDocumentBuilder Line()
    {
        const double height = 12;
        EnsureSpace(height);
        var y = _y - height / 2;
        _page.Append("q 0.5 w 0.45 G ").Append(N(Margin)).Append(' ').Append(N(y)).Append(" m ")
            .Append(N(Margin + ContentWidth)).Append(' ').Append(N(y)).Append(" l S Q\n");
        _pageHasContent = true;
        _y -= height;
        return this;
    }

    /// <summary>Starts a new page, unless the current page is still empty.</summary>
    public PdfDocumentBuilder PageBreak()
    {
        if (_pageHasContent) NewPage();
        return this;
    }

    /// <summary>
    /// Serialises the document as PDF/A-2b: PDF 1.7 with an exact cross-reference table, the used
    /// glyphs of each font embedded as a subset, XMP metadata and an sRGB output intent.
    /// </summary>
    public byte[] ToBytes()
    {
        var total = _pages.Count;
        var contents = new List<byte[]>(total);
        for (var i = 0; i < total; i++)
        {
            var sb = new StringBuilder(_pages[i].Length + 256);
            sb.Append(_pages[i]);
            AppendFooter(sb, i + 1, total);
            contents.Add(Encoding.ASCII.GetBytes(sb.ToString()));
        }

        var writer = new PdfObjectWriter();
        var catalog = writer.Reserve();
        var pagesNode = writer.Reserve();
        var info = writer.Reserve();
        var pageNumbers = Enumerable.Range(0, total).Select(_ => writer.Reserve()).ToList();

        var fontResources = new StringBuilder();
        foreach (var font in new[] { PdfFont.Helvetica, PdfFont.HelveticaBold })
        {
            if (_usedGlyphs[(int)font].Count == 0) continue;
            var number = WriteFont(writer, font, _usedGlyphs[(int)font]);
            fontResources.Append(font == PdfFont.HelveticaBold ? " /F2 " : " /F1 ").Append(number).Append(" 0 R");
        }

        var date = PdfDate(CreationDate);
        writer.Object(info,
            $"<< /Title {PdfTextString(Title)} /Author {PdfTextString(Author)} /Producer ({ProducerName}) /Creator ({ProducerName}) " +
            $"/CreationDate ({date}) /ModDate ({date}) >>");
        var metadata = writer.Stream(Encoding.UTF8.GetBytes(Xmp()), "/Type /Metadata /Subtype /XML");
        var profile = writer.Stream(SrgbProfile.Data, "/N 3", compress: true);
        var outputIntent = writer.Object(
            $"<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier ({SrgbProfile.Description}) " +
            $"/Info ({SrgbProfile.Description}) /RegistryName (http://www.color.org) /DestOutputProfile {profile} 0 R >>");
        writer.Object(catalog,
            $"<< /Type /Catalog /Pages {pagesNode} 0 R /Lang (de-DE) /ViewerPreferences << /DisplayDocTitle true >> " +
            $"/Metadata {metadata} 0 R /OutputIntents [{outputIntent} 0 R] >>");
        writer.Object(pagesNode, $"<< /Type /Pages /Kids [{string.Join(" ", pageNumbers.Select(n => $"{n} 0 R"))}] /Count {total} >>");

        var mediaBox = $"[0 0 {N(PageWidth)} {N(PageHeight)}]";
        for (var i = 0; i < total; i++)
        {
            var content = writer.Stream(contents[i]);
            writer.Object(pageNumbers[i],
                $"<< /Type /Page /Parent {pagesNode} 0 R /MediaBox {mediaBox} " +
                $"/Resources << /Font <<{fontResources} >> /ProcSet [/PDF /Text] >> /Contents {content} 0 R >>");
        }
        return writer.Finish(rootObject: catalog, infoObject: info);
    }

    private const string ProducerName = "OpenIKZ";

    /// <summary>Writes a Type 0 font over a CIDFontType2 subset; returns the Type 0 font's object number.</summary>
    private static int WriteFont(PdfObjectWriter writer, PdfFont face, Dictionary<ushort, string> used)
    {
        var ttf = PdfFontMetrics.Font(face);
        var subset = ttf.Subset(used.Keys, out var newIds);
        var cids = used.Keys.Order().ToList();
        var name = SubsetTag(cids) + "+" + ttf.PostScriptName;

        var fontFile = writer.Stream(subset, $"/Length1 {subset.Length}", compress: true);
        var bbox = string.Join(" ", ttf.BBox.Select(v => ttf.Scale(v)));
        var descriptor = writer.Object(
            $"<< /Type /FontDescriptor /FontName /{name} /Flags 32 /FontBBox [{bbox}] /ItalicAngle 0 " +
            $"/Ascent {ttf.Scale(ttf.Ascent)} /Descent {ttf.Scale(ttf.Descent)} /CapHeight {ttf.Scale(ttf.CapHeight)} " +
            $"/StemV {(face == PdfFont.HelveticaBold ? 140 : 80)} /FontFile2 {fontFile} 0 R >>");

        // Content streams show original glyph ids as CIDs; the map leads each to its id in the subset.
        var cidToGid = new byte[2 * (cids[^1] + 1)];
        foreach (var cid in cids) System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(cidToGid.AsSpan(2 * cid), newIds[cid]);
        var cidToGidMap = writer.Stream(cidToGid, compress: true);

        var widths = new StringBuilder();
        for (var i = 0; i < cids.Count;)
        {
            var first = i;
            widths.Append(cids[i]).Append(" [");
            do
            {
                widths.Append(i == first ? "" : " ").Append(ttf.Advance(cids[i]));
                i++;
            } while (i < cids.Count && cids[i] == cids[i - 1] + 1);
            widths.Append("] ");
        }

        var cidFont = writer.Object(
            $"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} " +
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> " +
            $"/FontDescriptor {descriptor} 0 R /DW 1000 /W [{widths.ToString().TrimEnd()}] /CIDToGIDMap {cidToGidMap} 0 R >>");
        var toUnicode = writer.Stream(Encoding.ASCII.GetBytes(ToUnicodeCMap(used)));
        return writer.Object(
            $"<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H " +
            $"/DescendantFonts [{cidFont} 0 R] /ToUnicode {toUnicode} 0 R >>");
    }

    /// <summary>Six capital letters derived from the glyph set, as PDF 32000-1 §9.6.4 asks of a subset.</summary>
    private static string SubsetTag(IEnumerable<ushort> glyphs)
    {
        var hash = SHA256.HashData(glyphs.SelectMany(g => new[] { (byte)(g >> 8), (byte)g }).ToArray());
        return new string(hash.Take(6).Select(b => (char)('A' + b % 26)).ToArray());
    }

    private static string ToUnicodeCMap(Dictionary<ushort, string> used)
    {
        var sb = new StringBuilder();
        sb.Append("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n")
            .Append("/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n")
            .Append("/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n")
            .Append("1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
        foreach (var chunk in used.OrderBy(p => p.Key).Chunk(100))
        {
            sb.Append(chunk.Length).Append(" beginbfchar\n");
            foreach (var (glyph, text) in chunk)
            {
                sb.Append('<').Append(glyph.ToString("X4", CultureInfo.InvariantCulture)).Append("> <");
                foreach (var b in Encoding.BigEndianUnicode.GetBytes(text)) sb.Append(b.ToString("X2", CultureInfo.InvariantCulture));
                sb.Append(">\n");
            }
            sb.Append("endbfchar\n");
        }
        sb.Append("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        return sb.ToString();
    }

    /// <summary>XMP metadata (PDF/A-2b identification) that repeats the Info dictionary exactly.</summary>
    private string Xmp()
    {
        var date = CreationDate.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        const string ByteOrderMark = "\uFEFF";
        static string X(string s) => SecurityElement.Escape(s) ?? "";
        return $"""
            <?xpacket begin="{ByteOrderMark}" id="W5M0MpCehiHzreSzNTczkc9d"?>
            <x:xmpmeta xmlns:x="adobe:ns:meta/">
             <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
              <rdf:Description rdf:about=""
                xmlns:dc="http://purl.org/dc/elements/1.1/"
                xmlns:xmp="http://ns.adobe.com/xap/1.0/"
                xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
                xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
               <dc:format>application/pdf</dc:format>
               <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{X(Title)}</rdf:li></rdf:Alt></dc:title>
               <dc:creator><rdf:Seq><rdf:li>{X(Author)}</rdf:li></rdf:Seq></dc:creator>
               <dc:language><rdf:Bag><rdf:li>de-DE</rdf:li></rdf:Bag></dc:language>
               <xmp:CreateDate>{date}</xmp:CreateDate>
               <xmp:ModifyDate>{date}</xmp:ModifyDate>
               <xmp:MetadataDate>{date}</xmp:MetadataDate>
               <xmp:CreatorTool>{ProducerName}</xmp:CreatorTool>
               <pdf:Producer>{ProducerName}</pdf:Producer>
               <pdfaid:part>2</pdfaid:part>
               <pdfaid:conformance>B</pdfaid:conformance>
              </rdf:Description>
             </rdf:RDF>
            </x:xmpmeta>
            <?xpacket end="w"?>
            """;
    }

    // ---- layout ---------------------------------------------------------------------------

    private void NewPage()
    {
        _page = new StringBuilder();
        _pages.Add(_page);
        _y = ContentTop;
        _pageHasContent = false;
    }

    private void EnsureSpace(double height)
    {
        if (_pageHasContent && _y - height < ContentBottom - 1e-6) NewPage();
    }

    private void DrawText(double x, double baseline, string text, PdfFont font, double size, double gray = 0)
    {
        _pageHasContent = true;
        AppendText(_page, x, baseline, text, font, size, gray);
    }

    private void AppendText(StringBuilder sb, double x, double baseline, string text, PdfFont font, double size, double gray = 0)
    {
        var glyphs = PdfFontMetrics.Glyphs(text, font);
        if (glyphs.Count == 0) return;
        var used = _usedGlyphs[(int)font];
        if (gray > 0) sb.Append("q ").Append(N(gray)).Append(" g ");
        sb.Append("BT /").Append(font == PdfFont.HelveticaBold ? "F2" : "F1").Append(' ').Append(N(size)).Append(" Tf ")
            .Append(N(x)).Append(' ').Append(N(baseline)).Append(" Td <");
        foreach (var (id, shown) in glyphs)
        {
            used.TryAdd(id, shown);
            sb.Append(id.ToString("X4", CultureInfo.InvariantCulture));
        }
        sb.Append("> Tj ET");
        if (gray > 0) sb.Append(" Q");
        sb.Append('\n');
    }

    private void DrawTableHeader(TableLayout table, WrappedCells header)
    {
        DrawTableRow(table, header, 0, header.LineCount, PdfFont.HelveticaBold, shaded: true);
    }

    private void DrawTableRow(TableLayout table, WrappedCells cells, int from, int count, PdfFont font, bool shaded)
    {
        var top = _y;
        var height = count * table.Leading + 2 * CellPaddingY;
        var bottom = top - height;
        if (shaded)
        {
            _page.Append("q 0.9 g ").Append(N(Margin)).Append(' ').Append(N(bottom)).Append(' ')
                .Append(N(ContentWidth)).Append(' ').Append(N(height)).Append(" re f Q\n");
            AppendRule(_page, Margin, top, Margin + ContentWidth, top);
        }

        for (var c = 0; c < table.Columns; c++)
        {
            var lines = cells.Lines[c];
            for (var k = 0; k < count && from + k < lines.Count; k++)
            {
                var text = lines[from + k];
                var baseline = top - CellPaddingY - k * table.Leading - TableSize; // caps centred in a one-line row
                var x = table.RightAlign[c]
                    ? table.X[c] + table.Width[c] - CellPaddingX - PdfFontMetrics.MeasureText(text, font, TableSize)
                    : table.X[c] + CellPaddingX;
                AppendText(_page, x, baseline, text, font, TableSize);
            }
        }

        AppendRule(_page, Margin, bottom, Margin + ContentWidth, bottom);
        for (var c = 0; c <= table.Columns; c++)
        {
            var x = c == table.Columns ? Margin + ContentWidth : table.X[c];
            AppendRule(_page, x, top, x, bottom);
        }
        _pageHasContent = true;
        _y = bottom;
    }

    private static void AppendRule(StringBuilder sb, double x1, double y1, double x2, double y2)
        => sb.Append("q 0.5 w 0.35 G ").Append(N(x1)).Append(' ').Append(N(y1)).Append(" m ")
            .Append(N(x2)).Append(' ').Append(N(y2)).Append(" l S Q\n");

    private void AppendFooter(StringBuilder sb, int page, int total)
    {
        AppendRule(sb, Margin, FooterRuleY, Margin + ContentWidth, FooterRuleY);
        var label = $"Seite {page} von {total}";
        var labelWidth = PdfFontMetrics.MeasureText(label, PdfFont.Helvetica, FooterSize);
        AppendText(sb, Margin + ContentWidth - labelWidth, FooterBaseline, label, PdfFont.Helvetica, FooterSize, gray: 0.3);
        if (!string.IsNullOrWhiteSpace(FooterText))
        {
            var text = Normalize(FooterText).Replace('\n', ' ');
            var fitted = Truncate(text, PdfFont.Helvetica, FooterSize, ContentWidth - labelWidth - 12);
            AppendText(sb, Margin, FooterBaseline, fitted, PdfFont.Helvetica, FooterSize, gray: 0.3);
        }
    }

    private static string Truncate(string text, PdfFont font, double size, double maxWidth)
    {
        if (PdfFontMetrics.MeasureText(text, font, size) <= maxWidth) return text;
        const string ellipsis = "\u2026";
        var length = text.Length;
        while (length > 0 && PdfFontMetrics.MeasureText(text[..length].TrimEnd() + ellipsis, font, size) > maxWidth) length--;
        if (length > 0 && char.IsHighSurrogate(text[length - 1])) length--;
        return length == 0 ? "" : text[..length].TrimEnd() + ellipsis;
    }

    // ---- wrapping -------------------------------------------------------------------------

    /// <summary>
    /// Splits <paramref name="text"/> into lines no wider than <paramref name="maxWidth"/> points,
    /// measured with the advance widths of <paramref name="font"/>. Explicit line breaks are kept;
    /// runs of spaces collapse. A word wider than a line is broken after '-' or '/' or between characters.
    /// </summary>
    public static IReadOnlyList<string> WrapText(string text, PdfFont font, double size, double maxWidth)
        => Wrap(text ?? "", font, size, maxWidth);

    private static List<string> Wrap(string text, PdfFont font, double size, double maxWidth)
    {
        // Work in integer glyph units so the result agrees exactly with PdfFontMetrics.MeasureText.
        var limit = (long)Math.Floor(maxWidth * 1000 / size + 1e-9);
        var space = Units(" ", font);
        var lines = new List<string>();
        foreach (var paragraphLine in Normalize(text).Split('\n'))
        {
            var words = paragraphLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
            {
                lines.Add("");
                continue;
            }

            string? line = null;
            long lineUnits = 0;
            foreach (var original in words)
            {
                var word = original;
                while (word.Length > 0)
                {
                    var wordUnits = Units(word, font);
                    if (line is null)
                    {
                        if (wordUnits <= limit)
                        {
                            line = word;
                            lineUnits = wordUnits;
                            word = "";
                        }
                        else
                        {
                            var (head, tail) = BreakAtSeparator(word, limit, font) ?? BreakAnywhere(word, limit, font);
                            lines.Add(head);
                            word = tail;
                        }
                    }
                    else if (lineUnits + space + wordUnits <= limit)
                    {
                        line += " " + word;
                        lineUnits += space + wordUnits;
                        word = "";
                    }
                    else
                    {
                        if (BreakAtSeparator(word, limit - lineUnits - space, font) is { } split)
                        {
                            lines.Add(line + " " + split.Head);
                            word = split.Tail;
                        }
                        else
                        {
                            lines.Add(line);
                        }
                        line = null;
                        lineUnits = 0;
                    }
                }
            }
            if (line is not null) lines.Add(line);
        }
        return lines;
    }

    private static (string Head, string Tail)? BreakAtSeparator(string word, long limit, PdfFont font)
    {
        if (limit <= 0) return null;
        for (var i = word.Length - 2; i > 0; i--)
        {
            if (word[i] is not ('-' or '/')) continue;
            var head = word[..(i + 1)];
            if (Units(head, font) <= limit) return (head, word[(i + 1)..]);
        }
        return null;
    }

    private static (string Head, string Tail) BreakAnywhere(string word, long limit, PdfFont font)
    {
        var length = 0;
        long units = 0;
        while (length < word.Length)
        {
            var step = char.IsHighSurrogate(word[length]) && length + 1 < word.Length ? 2 : 1;
            var next = Units(word.Substring(length, step), font);
            if (length > 0 && units + next > limit) break;
            units += next;
            length += step;
        }
        return (word[..length], word[length..]);
    }

    private static long Units(string text, PdfFont font) => PdfFontMetrics.Units(text, font);

    private static string Normalize(string text)
        => text.Replace("\r\n", "\n").Replace('\r', '\n').Replace('\t', ' ');

    // ---- low-level syntax -----------------------------------------------------------------

    internal static string N(double value)
    {
        var s = Math.Round(value, 3).ToString("0.###", CultureInfo.InvariantCulture);
        return s == "-0" ? "0" : s;
    }

    internal static void AppendLiteral(StringBuilder sb, ReadOnlySpan<byte> bytes)
    {
        sb.Append('(');
        foreach (var b in bytes)
        {
            switch (b)
            {
                case (byte)'(':
                    sb.Append("\\(");
                    break;
                case (byte)')':
                    sb.Append("\\)");
                    break;
                case (byte)'\\':
                    sb.Append("\\\\");
                    break;
                default:
                    if (b < 32 || b > 126)
                        sb.Append('\\').Append(Convert.ToString(b, 8).PadLeft(3, '0'));
                    else
                        sb.Append((char)b);
                    break;
            }
        }
        sb.Append(')');
    }

    /// <summary>A PDF text string: escaped literal for printable ASCII, otherwise UTF-16BE hex with BOM.</summary>
    internal static string PdfTextString(string text)
    {
        var sb = new StringBuilder();
        if (text.All(c => c >= 32 && c <= 126))
        {
            AppendLiteral(sb, Encoding.ASCII.GetBytes(text));
            return sb.ToString();
        }
        sb.Append("<FEFF");
        foreach (var b in Encoding.BigEndianUnicode.GetBytes(text)) sb.Append(b.ToString("X2", CultureInfo.InvariantCulture));
        return sb.Append('>').ToString();
    }

    internal static string PdfDate(DateTimeOffset date)
    {
        var offset = date.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        return string.Create(CultureInfo.InvariantCulture,
            $"D:{date:yyyyMMddHHmmss}{sign}{abs.Hours:00}'{abs.Minutes:00}'");
    }

    private sealed class TableLayout
    {
        public TableLayout(double[] fractions, bool[] rightAlign)
        {
            Columns = fractions.Length;
            RightAlign = rightAlign;
            Width = new double[Columns];
            X = new double[Columns];
            var sum = fractions.Sum();
            var x = Margin;
            for (var i = 0; i < Columns; i++)
            {
                Width[i] = fractions[i] / sum * ContentWidth;
                X[i] = x;
                x += Width[i];
            }
        }

        public int Columns { get; }
        public bool[] RightAlign { get; }
        public double[] Width { get; }
        public double[] X { get; }
        public double Leading => TableSize * TableLeading;

        public WrappedCells WrapCells(string[] cells, PdfFont font)
        {
            var lines = new List<string>[Columns];
            for (var i = 0; i < Columns; i++)
            {
                var text = i < cells.Length ? cells[i] ?? "" : "";
                lines[i] = Wrap(text, font, TableSize, Math.Max(Width[i] - 2 * CellPaddingX, 1));
            }
            return new WrappedCells(lines);
        }
    }

    private sealed class WrappedCells(List<string>[] lines)
    {
        public List<string>[] Lines { get; } = lines;
        public int LineCount { get; } = Math.Max(1, lines.Max(l => l.Count));
    }
}

/// <summary>Writes numbered objects and keeps their byte offsets for the cross-reference table.</summary>
internal sealed class PdfObjectWriter
{
    private readonly MemoryStream _out = new();
    private readonly SortedDictionary<int, long> _offsets = [];
    private int _next = 1;

    public PdfObjectWriter()
    {
        // Header plus a comment with four bytes >= 128 so transfer tools treat the file as binary (PDF/A-2 6.1.2).
        Write("%PDF-1.7\n");
        _out.Write([(byte)'%', 0xE2, 0xE3, 0xCF, 0xD3, (byte)'\n']);
    }

    /// <summary>Allocates an object number to be written later.</summary>
    public int Reserve() => _next++;

    public void Object(int number, string body)
    {
        Begin(number);
        Write(body);
        Write("\nendobj\n");
    }

    /// <summary>Writes a new object; returns its number.</summary>
    public int Object(string body)
    {
        var number = Reserve();
        Object(number, body);
        return number;
    }

    public void Stream(int number, byte[] data, string? dictionary = null, bool compress = false)
    {
        if (compress)
        {
            using var compressed = new MemoryStream();
            using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(data);
            data = compressed.ToArray();
        }
        Begin(number);
        Write($"<< /Length {data.Length}{(compress ? " /Filter /FlateDecode" : "")}{(dictionary is null ? "" : " " + dictionary)} >>\nstream\n");
        _out.Write(data);
        Write("\nendstream\nendobj\n");
    }

    /// <summary>Writes a new stream object; returns its number.</summary>
    public int Stream(byte[] data, string? dictionary = null, bool compress = false)
    {
        var number = Reserve();
        Stream(number, data, dictionary, compress);
        return number;
    }

    public byte[] Finish(int rootObject, int infoObject)
    {
        var size = _offsets.Keys.Max() + 1;
        for (var i = 1; i < size; i++)
        {
            if (!_offsets.ContainsKey(i)) throw new InvalidOperationException($"Object {i} was never written.");
        }

        // A deterministic file identifier: a digest of everything written so far.
        var id = Convert.ToHexString(SHA256.HashData(_out.ToArray()).AsSpan(0, 16));
        var xref = _out.Position;
        var sb = new StringBuilder();
        sb.Append("xref\n0 ").Append(size).Append('\n');
        sb.Append("0000000000 65535 f\r\n");
        foreach (var offset in _offsets.Values)
            sb.Append(offset.ToString("D10", CultureInfo.InvariantCulture)).Append(" 00000 n\r\n");
        sb.Append("trailer\n<< /Size ").Append(size).Append(" /Root ").Append(rootObject).Append(" 0 R /Info ")
            .Append(infoObject).Append(" 0 R /ID [<").Append(id).Append("> <").Append(id).Append(">] >>\n");
        sb.Append("startxref\n").Append(xref).Append("\n%%EOF\n");
        Write(sb.ToString());
        return _out.ToArray();
    }

    private void Begin(int number)
    {
        if (!_offsets.TryAdd(number, _out.Position)) throw new InvalidOperationException($"Object {number} written twice.");
        Write($"{number} 0 obj\n");
    }

    private void Write(string ascii) => _out.Write(Encoding.ASCII.GetBytes(ascii));
}
