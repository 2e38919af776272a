using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using OpenIkz.Infrastructure.Pdf;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>
/// Reads back the text of PDFs written by <see cref="PdfDocumentBuilder"/> (for tests only):
/// follows trailer → catalog → page tree through the cross-reference table and decodes the
/// strings shown with Tj, TJ, ' and " through the ToUnicode CMap of the font selected by Tf.
/// Content streams must be uncompressed; other streams may be Flate-compressed.
/// </summary>
public static class PdfText
{
    /// <summary>All shown strings of all pages, in page order (one entry per text-showing operator).</summary>
    public static IReadOnlyList<string> ExtractStrings(byte[] pdf)
        => ExtractPageStrings(pdf).SelectMany(page => page).ToList();

    /// <summary>The shown strings of each page, in page order.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> ExtractPageStrings(byte[] pdf)
    {
        ArgumentNullException.ThrowIfNull(pdf);
        var reader = new Reader(pdf);
        var catalog = reader.Dictionary(reader.RootObject);
        var pagesRoot = Reference(catalog, "Pages") ?? throw new FormatException("Catalog has no /Pages.");
        var pages = new List<IReadOnlyList<string>>();
        CollectPages(reader, pagesRoot, pages, depth: 0);
        return pages;
    }

    private static void CollectPages(Reader reader, int node, List<IReadOnlyList<string>> pages, int depth)
    {
        if (depth > 64) throw new FormatException("Page tree too deep.");
        var dict = reader.Dictionary(node);
        if (Regex.IsMatch(dict, @"/Type\s*/Pages\b"))
        {
            var kids = Regex.Match(dict, @"/Kids\s*\[([^\]]*)\]");
            if (!kids.Success) throw new FormatException($"Pages node {node} has no /Kids.");
            foreach (Match kid in Regex.Matches(kids.Groups[1].Value, @"(\d+)\s+\d+\s+R"))
                CollectPages(reader, int.Parse(kid.Groups[1].Value), pages, depth + 1);
            return;
        }

        var strings = new List<string>();
        var fonts = FontMaps(reader, dict);
        var single = Regex.Match(dict, @"/Contents\s+(\d+)\s+\d+\s+R");
        var array = Regex.Match(dict, @"/Contents\s*\[([^\]]*)\]");
        var contentObjects = single.Success
            ? [int.Parse(single.Groups[1].Value)]
            : array.Success
                ? Regex.Matches(array.Groups[1].Value, @"(\d+)\s+\d+\s+R").Select(m => int.Parse(m.Groups[1].Value)).ToList()
                : new List<int>();
        foreach (var content in contentObjects) ReadShownStrings(reader.StreamData(content), fonts, strings);
        pages.Add(strings);
    }

    /// <summary>Resource name → code-to-text map of each font named in the page's /Font resources.</summary>
    private static Dictionary<string, Dictionary<int, string>> FontMaps(Reader reader, string page)
    {
        var maps = new Dictionary<string, Dictionary<int, string>>();
        var fontDict = Regex.Match(page, @"/Font\s*<<(.*?)>>", RegexOptions.Singleline);
        if (!fontDict.Success) return maps;
        foreach (Match font in Regex.Matches(fontDict.Groups[1].Value, @"/(\w+)\s+(\d+)\s+\d+\s+R"))
        {
            var map = new Dictionary<int, string>();
            var toUnicode = Reference(reader.Dictionary(int.Parse(font.Groups[2].Value)), "ToUnicode");
            if (toUnicode is { } cmap)
            {
                var text = Encoding.ASCII.GetString(reader.StreamData(cmap, allowCompressed: true));
                foreach (Match block in Regex.Matches(text, @"beginbfchar(.*?)endbfchar", RegexOptions.Singleline))
                {
                    foreach (Match pair in Regex.Matches(block.Groups[1].Value, @"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>"))
                        map[int.Parse(pair.Groups[1].Value, NumberStyles.HexNumber)] = Encoding.BigEndianUnicode.GetString(Convert.FromHexString(pair.Groups[2].Value));
                }
            }
            maps[font.Groups[1].Value] = map;
        }
        return maps;
    }

    private static string Decode(byte[] codes, Dictionary<int, string>? map)
    {
        if (map is null) return Encoding.Latin1.GetString(codes);
        var sb = new StringBuilder();
        for (var i = 0; i + 1 < codes.Length; i += 2)
            sb.Append(map.TryGetValue((codes[i] << 8) | codes[i + 1], out var text) ? text : "\uFFFD");
        return sb.ToString();
    }

    private static int? Reference(string dict, string key)
    {
        var match = Regex.Match(dict, $@"/{key}\s+(\d+)\s+\d+\s+R");
        return match.Success ? int.Parse(match.Groups[1].Value) : null;
    }

    /// <summary>Tokenises a content stream and collects the strings shown by Tj, TJ, ' and ".</summary>
    private static void ReadShownStrings(byte[] data, Dictionary<string, Dictionary<int, string>> fonts, List<string> output)
    {
        Dictionary<int, string>? font = null;
        string? lastName = null;
        var operands = new List<byte[]>();
        List<byte[]>? openArray = null;
        List<byte[]>? lastArray = null;
        var i = 0;
        while (i < data.Length)
        {
            var c = data[i];
            if (IsWhite(c))
            {
                i++;
            }
            else if (c == '%')
            {
                while (i < data.Length && data[i] != '\n' && data[i] != '\r') i++;
            }
            else if (c == '(')
            {
                var s = ReadLiteral(data, ref i);
                (openArray ?? operands).Add(s);
            }
            else if (c == '<' && i + 1 < data.Length && data[i + 1] == '<')
            {
                i += 2;
            }
            else if (c == '>' && i + 1 < data.Length && data[i + 1] == '>')
            {
                i += 2;
            }
            else if (c == '<')
            {
                var s = ReadHex(data, ref i);
                (openArray ?? operands).Add(s);
            }
            else if (c == '[')
            {
                openArray = [];
                i++;
            }
            else if (c == ']')
            {
                lastArray = openArray;
                openArray = null;
                i++;
            }
            else if (c == '/')
            {
                var start = ++i;
                while (i < data.Length && IsRegular(data[i])) i++;
                lastName = Encoding.ASCII.GetString(data, start, i - start);
            }
            else if (c is (byte)'{' or (byte)'}')
            {
                i++;
            }
            else
            {
                var start = i;
                while (i < data.Length && IsRegular(data[i])) i++;
                if (i == start)
                {
                    i++;
                    continue;
                }
                var token = Encoding.ASCII.GetString(data, start, i - start);
                if (openArray is not null || IsNumber(token)) continue;
                switch (token)
                {
                    case "Tf" when lastName is not null:
                        font = fonts.GetValueOrDefault(lastName);
                        break;
                    case "Tj" or "'" or "\"" when operands.Count > 0:
                        output.Add(Decode(operands[^1], font));
                        break;
                    case "TJ" when lastArray is not null:
                        output.Add(Decode(lastArray.SelectMany(b => b).ToArray(), font));
                        break;
                }
                operands.Clear();
                lastArray = null;
            }
        }
    }

    private static byte[] ReadLiteral(byte[] data, ref int i)
    {
        var result = new List<byte>();
        var depth = 0;
        i++; // '('
        while (i < data.Length)
        {
            var c = data[i++];
            if (c == '\\')
            {
                if (i >= data.Length) break;
                var e = data[i++];
                switch (e)
                {
                    case (byte)'n': result.Add((byte)'\n'); break;
                    case (byte)'r': result.Add((byte)'\r'); break;
                    case (byte)'t': result.Add((byte)'\t'); break;
                    case (byte)'b': result.Add(8); break;
                    case (byte)'f': result.Add(12); break;
                    case (byte)'\r':
                        if (i < data.Length && data[i] == '\n') i++;
                        break; // line continuation
                    case (byte)'\n':
                        break;
                    case >= (byte)'0' and <= (byte)'7':
                        var value = e - '0';
                        for (var k = 0; k < 2 && i < data.Length && data[i] >= '0' && data[i] <= '7'; k++)
                            value = value * 8 + (data[i++] - '0');
                        result.Add((byte)value);
                        break;
                    default:
                        result.Add(e); // \( \) \\ and unknown escapes
                        break;
                }
            }
            else if (c == '(')
            {
                depth++;
                result.Add(c);
            }
            else if (c == ')')
            {
                if (depth == 0) break;
                depth--;
                result.Add(c);
            }
            else
            {
                result.Add(c);
            }
        }
        return result.ToArray();
    }

    private static byte[] ReadHex(byte[] data, ref int i)
    {
        var digits = new StringBuilder();
        i++; // '<'
        while (i < data.Length && data[i] != '>')
        {
            if (Uri.IsHexDigit((char)data[i])) digits.Append((char)data[i]);
            i++;
        }
        i++; // '>'
        if (digits.Length % 2 == 1) digits.Append('0');
        return Convert.FromHexString(digits.ToString());
    }

    private static bool IsWhite(byte c) => c is 0 or 9 or 10 or 12 or 13 or 32;

    private static bool IsRegular(byte c)
        => !IsWhite(c) && c is not ((byte)'(' or (byte)')' or (byte)'<' or (byte)'>' or (byte)'[' or (byte)']'
            or (byte)'{' or (byte)'}' or (byte)'/' or (byte)'%');

    private static bool IsNumber(string token)
        => token.Length > 0 && token.All(ch => char.IsAsciiDigit(ch) || ch is '.' or '+' or '-');

    /// <summary>Locates objects through the classic cross-reference table named by startxref.</summary>
    private sealed class Reader
    {
        private readonly byte[] _pdf;
        private readonly string _text; // Latin-1 view: one char per byte, so indexes are byte offsets
        private readonly Dictionary<int, int> _offsets = [];
        private static readonly Regex StreamKeyword = new(@">>\s*(?=stream\r?\n)");

        public Reader(byte[] pdf)
        {
            _pdf = pdf;
            _text = Encoding.Latin1.GetString(pdf);
            var startxref = _text.LastIndexOf("startxref", StringComparison.Ordinal);
            if (startxref < 0) throw new FormatException("No startxref.");
            var xrefOffset = int.Parse(Regex.Match(_text[(startxref + 9)..], @"^\s*(\d+)").Groups[1].Value);
            if (string.CompareOrdinal(_text, xrefOffset, "xref", 0, 4) != 0)
                throw new FormatException("startxref does not point to an xref table.");

            var pos = xrefOffset + 4;
            var section = new Regex(@"\G\s*(\d+)\s+(\d+)[ ]*\r?\n");
            while (true)
            {
                var head = section.Match(_text, pos);
                if (!head.Success) break;
                var first = int.Parse(head.Groups[1].Value);
                var count = int.Parse(head.Groups[2].Value);
                pos = head.Index + head.Length;
                for (var k = 0; k < count; k++)
                {
                    var entry = _text.Substring(pos, 20);
                    if (entry[17] == 'n') _offsets[first + k] = int.Parse(entry[..10]);
                    pos += 20;
                }
            }

            var trailerAt = _text.IndexOf("trailer", pos, StringComparison.Ordinal);
            if (trailerAt < 0) throw new FormatException("No trailer.");
            var root = Regex.Match(_text[trailerAt..startxref], @"/Root\s+(\d+)\s+\d+\s+R");
            if (!root.Success) throw new FormatException("Trailer has no /Root.");
            RootObject = int.Parse(root.Groups[1].Value);
        }

        public int RootObject { get; }

        /// <summary>The text of an object up to its stream keyword or endobj.</summary>
        public string Dictionary(int number)
        {
            var start = Start(number);
            var end = _text.IndexOf("endobj", start, StringComparison.Ordinal);
            if (end < 0) throw new FormatException($"Object {number} has no endobj.");
            var stream = StreamKeyword.Match(_text, start, end - start);
            return _text[start..(stream.Success ? stream.Index + stream.Length : end)];
        }

        public byte[] StreamData(int number, bool allowCompressed = false)
        {
            var dict = Dictionary(number);
            var flate = dict.Contains("/FlateDecode", StringComparison.Ordinal);
            if (dict.Contains("/Filter", StringComparison.Ordinal) && !(allowCompressed && flate))
                throw new NotSupportedException($"Stream {number} is compressed.");
            var lengthMatch = Regex.Match(dict, @"/Length\s+(\d+)(\s+(\d+)\s+R)?");
            if (!lengthMatch.Success) throw new FormatException($"Stream {number} has no /Length.");
            var length = lengthMatch.Groups[2].Success
                ? int.Parse(Regex.Match(Dictionary(int.Parse(lengthMatch.Groups[1].Value)), @"obj\s+(\d+)").Groups[1].Value)
                : int.Parse(lengthMatch.Groups[1].Value);
            var data = Start(number) + dict.Length + "stream".Length;
            if (_pdf[data] == '\r') data++;
            if (_pdf[data] == '\n') data++;
            var bytes = _pdf.AsSpan(data, length).ToArray();
            if (!flate) return bytes;
            using var z = new ZLibStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var result = new MemoryStream();
            z.CopyTo(result);
            return result.ToArray();
        }

        private int Start(int number)
        {
            if (!_offsets.TryGetValue(number, out var offset)) throw new FormatException($"Object {number} is not in the xref table.");
            if (!Regex.IsMatch(_text.AsSpan(offset, Math.Min(32, _text.Length - offset)), $@"^{number}\s+\d+\s+obj\b"))
                throw new FormatException($"xref offset of object {number} does not point to its header.");
            return offset;
        }
    }
}
