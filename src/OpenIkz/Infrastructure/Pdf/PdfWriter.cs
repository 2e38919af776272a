using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OpenIkz.Infrastructure.Pdf;

/// <summary>
/// A small, dependency-free PDF 1.7 writer for official letters (Bescheide, Vereinbarungen,
/// Abrechnungen). It lays out A4 pages with a flowing cursor and uses only the standard
/// Type 1 fonts Helvetica and Helvetica-Bold with WinAnsiEncoding, so no font files are
/// needed. Content streams are written uncompressed.
/// </summary>
/// <remarks>
/// Text outside WinAnsiEncoding prints as '?'. Words are wrapped at spaces, and over-long
/// words at '-' or '/' or, failing that, between characters. There is no automatic
/// hyphenation, no kerning and no justified text.
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

    /// <summary>Serialises the document: PDF 1.7, uncompressed, with an exact cross-reference table.</summary>
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
        const int catalog = 1, pagesNode = 2, fontRegular = 3, fontBold = 4, info = 5;
        var kids = string.Join(" ", Enumerable.Range(0, total).Select(i => $"{6 + 2 * i} 0 R"));

        writer.Object(catalog, "<< /Type /Catalog /Pages 2 0 R /Lang (de-DE) /ViewerPreferences << /DisplayDocTitle true >> >>");
        writer.Object(pagesNode, $"<< /Type /Pages /Kids [{kids}] /Count {total} >>");
        writer.Object(fontRegular, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
        writer.Object(fontBold, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>");
        var date = PdfDate(CreationDate);
        writer.Object(info,
            $"<< /Title {PdfTextString(Title)} /Author {PdfTextString(Author)} /Producer (OpenIKZ) /Creator (OpenIKZ) " +
            $"/CreationDate ({date}) /ModDate ({date}) >>");

        var mediaBox = $"[0 0 {N(PageWidth)} {N(PageHeight)}]";
        for (var i = 0; i < total; i++)
        {
            var pageNumber = 6 + 2 * i;
            writer.Object(pageNumber,
                $"<< /Type /Page /Parent 2 0 R /MediaBox {mediaBox} " +
                $"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> /ProcSet [/PDF /Text] >> /Contents {pageNumber + 1} 0 R >>");
            writer.Stream(pageNumber + 1, contents[i]);
        }
        return writer.Finish(rootObject: catalog, infoObject: info);
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

    private static void AppendText(StringBuilder sb, double x, double baseline, string text, PdfFont font, double size, double gray = 0)
    {
        var bytes = PdfFontMetrics.Encode(text);
        if (bytes.Length == 0) return;
        if (gray > 0) sb.Append("q ").Append(N(gray)).Append(" g ");
        sb.Append("BT /").Append(font == PdfFont.HelveticaBold ? "F2" : "F1").Append(' ').Append(N(size)).Append(" Tf ")
            .Append(N(x)).Append(' ').Append(N(baseline)).Append(" Td ");
        AppendLiteral(sb, bytes);
        sb.Append(" Tj ET");
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
    /// measured with the AFM widths of <paramref name="font"/>. Explicit line breaks are kept;
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

    private static long Units(string text, PdfFont font)
    {
        long units = 0;
        foreach (var b in PdfFontMetrics.Encode(text)) units += PdfFontMetrics.GlyphWidth(b, font);
        return units;
    }

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

    public PdfObjectWriter()
    {
        // Header plus a comment with bytes >= 128 so transfer tools treat the file as binary.
        Write("%PDF-1.7\n");
        _out.Write([(byte)'%', 0xE2, 0xE3, 0xCF, 0xD3, (byte)'\n']);
    }

    public void Object(int number, string body)
    {
        Begin(number);
        Write(body);
        Write("\nendobj\n");
    }

    public void Stream(int number, byte[] data)
    {
        Begin(number);
        Write($"<< /Length {data.Length} >>\nstream\n");
        _out.Write(data);
        Write("\nendstream\nendobj\n");
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
