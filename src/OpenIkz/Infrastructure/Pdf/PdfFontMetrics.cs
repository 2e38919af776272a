using System.Text;

namespace OpenIkz.Infrastructure.Pdf;

/// <summary>The two standard Type 1 fonts the writer uses (never embedded).</summary>
public enum PdfFont
{
    /// <summary>Helvetica, resource name /F1.</summary>
    Helvetica,

    /// <summary>Helvetica-Bold, resource name /F2.</summary>
    HelveticaBold,
}

/// <summary>
/// WinAnsiEncoding (PDF 32000-1:2008, Annex D) and the advance widths of Helvetica and
/// Helvetica-Bold from Adobe's Core 14 AFM files (glyph space, 1/1000 em).
/// </summary>
/// <remarks>
/// Width source: the Adobe AFMs as carried by pdf.js <c>src/core/metrics.js</c>, mapped to
/// codes through the WinAnsiEncoding glyph-name table of pdf.js <c>src/core/encodings.js</c>.
/// Codes that WinAnsi leaves undefined (127, 129, 141, 143, 144, 157) carry the bullet width
/// and are never emitted by <see cref="Encode"/>.
/// </remarks>
public static class PdfFontMetrics
{
    /// <summary>The byte written for characters that WinAnsiEncoding cannot represent.</summary>
    public const byte Replacement = (byte)'?';

    // Index = code - 32, for codes 32..255.
    private static readonly short[] HelveticaWidths =
    [
         278,  278,  355,  556,  556,  889,  667,  191,  333,  333,  389,  584,  278,  333,  278,  278, // 32-47
         556,  556,  556,  556,  556,  556,  556,  556,  556,  556,  278,  278,  584,  584,  584,  556, // 48-63
        1015,  667,  667,  722,  722,  667,  611,  778,  722,  278,  500,  667,  556,  833,  722,  778, // 64-79
         667,  778,  722,  667,  611,  722,  667,  944,  667,  667,  611,  278,  278,  278,  469,  556, // 80-95
         333,  556,  556,  500,  556,  556,  278,  556,  556,  222,  222,  500,  222,  833,  556,  556, // 96-111
         556,  556,  333,  500,  278,  556,  500,  722,  500,  500,  500,  334,  260,  334,  584,  350, // 112-127
         556,  350,  222,  556,  333, 1000,  556,  556,  333, 1000,  667,  333, 1000,  350,  611,  350, // 128-143
         350,  222,  222,  333,  333,  350,  556, 1000,  333, 1000,  500,  333,  944,  350,  500,  667, // 144-159
         278,  333,  556,  556,  556,  556,  260,  556,  333,  737,  370,  556,  584,  333,  737,  333, // 160-175
         400,  584,  333,  333,  333,  556,  537,  278,  333,  333,  365,  556,  834,  834,  834,  611, // 176-191
         667,  667,  667,  667,  667,  667, 1000,  722,  667,  667,  667,  667,  278,  278,  278,  278, // 192-207
         722,  722,  778,  778,  778,  778,  778,  584,  778,  722,  722,  722,  722,  667,  667,  611, // 208-223
         556,  556,  556,  556,  556,  556,  889,  500,  556,  556,  556,  556,  278,  278,  278,  278, // 224-239
         556,  556,  556,  556,  556,  556,  556,  584,  611,  556,  556,  556,  556,  500,  556,  500, // 240-255
    ];

    private static readonly short[] HelveticaBoldWidths =
    [
         278,  333,  474,  556,  556,  889,  722,  238,  333,  333,  389,  584,  278,  333,  278,  278, // 32-47
         556,  556,  556,  556,  556,  556,  556,  556,  556,  556,  333,  333,  584,  584,  584,  611, // 48-63
         975,  722,  722,  722,  722,  667,  611,  778,  722,  278,  556,  722,  611,  833,  722,  778, // 64-79
         667,  778,  722,  667,  611,  722,  667,  944,  667,  667,  611,  333,  278,  333,  584,  556, // 80-95
         333,  556,  611,  556,  611,  556,  333,  611,  611,  278,  278,  556,  278,  889,  611,  611, // 96-111
         611,  611,  389,  556,  333,  611,  556,  778,  556,  556,  500,  389,  280,  389,  584,  350, // 112-127
         556,  350,  278,  556,  500, 1000,  556,  556,  333, 1000,  667,  333, 1000,  350,  611,  350, // 128-143
         350,  278,  278,  500,  500,  350,  556, 1000,  333, 1000,  556,  333,  944,  350,  500,  667, // 144-159
         278,  333,  556,  556,  556,  556,  280,  556,  333,  737,  370,  556,  584,  333,  737,  333, // 160-175
         400,  584,  333,  333,  333,  611,  556,  278,  333,  333,  365,  556,  834,  834,  834,  611, // 176-191
         722,  722,  722,  722,  722,  722, 1000,  722,  667,  667,  667,  667,  278,  278,  278,  278, // 192-207
         722,  722,  778,  778,  778,  778,  778,  584,  778,  722,  722,  722,  722,  667,  667,  611, // 208-223
         556,  556,  556,  556,  556,  556,  889,  556,  556,  556,  556,  556,  278,  278,  278,  278, // 224-239
         611,  611,  611,  611,  611,  611,  611,  584,  611,  611,  611,  611,  611,  556,  611,  556, // 240-255
    ];

    // Unicode for codes 128..159 (0 = undefined in WinAnsiEncoding). 160..255 equal Latin-1.
    private static readonly char[] High =
    [
        '\u20AC', '\0', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021', // 128-135
        '\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\0', '\u017D', '\0',     // 136-143
        '\0', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014', // 144-151
        '\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\0', '\u017E', '\u0178', // 152-159
    ];

    private static readonly Dictionary<char, byte> HighReverse = BuildReverse();

    private static Dictionary<char, byte> BuildReverse()
    {
        var map = new Dictionary<char, byte>();
        for (var i = 0; i < High.Length; i++)
        {
            if (High[i] != '\0') map[High[i]] = (byte)(128 + i);
        }
        return map;
    }

    /// <summary>Advance width of a WinAnsi code in 1/1000 em (0 for control codes).</summary>
    public static int GlyphWidth(byte code, PdfFont font)
    {
        if (code < 32) return 0;
        return (font == PdfFont.HelveticaBold ? HelveticaBoldWidths : HelveticaWidths)[code - 32];
    }

    /// <summary>Width of <paramref name="text"/> in points once encoded in WinAnsi.</summary>
    public static double MeasureText(string text, PdfFont font, double size)
    {
        var units = 0L;
        foreach (var b in Encode(text)) units += GlyphWidth(b, font);
        return units * size / 1000.0;
    }

    /// <summary>Width of <paramref name="text"/> in points; <paramref name="bold"/> selects Helvetica-Bold.</summary>
    public static double MeasureText(string text, bool bold, double size)
        => MeasureText(text, bold ? PdfFont.HelveticaBold : PdfFont.Helvetica, size);

    /// <summary>
    /// Encodes text in WinAnsiEncoding. Soft hyphens and control characters are dropped, tabs
    /// become spaces, a few typographic look-alikes (non-breaking hyphen, minus sign, thin
    /// spaces) are mapped to their WinAnsi equivalents, and everything else outside WinAnsi
    /// (including a whole surrogate pair) becomes '?'.
    /// </summary>
    public static byte[] Encode(string text)
    {
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                bytes.Add(Replacement);
                continue;
            }
            var b = EncodeChar(c);
            if (b is { } value) bytes.Add(value);
        }
        return bytes.ToArray();
    }

    /// <summary>True when the character has its own glyph in WinAnsiEncoding.</summary>
    public static bool IsEncodable(char c)
        => (c >= 32 && c <= 126) || (c >= 160 && c <= 255 && c != '\u00AD') || HighReverse.ContainsKey(c);

    private static byte? EncodeChar(char c)
    {
        if (c >= 32 && c <= 126) return (byte)c;
        if (c == '\u00AD') return null; // soft hyphen: would print as a visible hyphen
        if (c >= 160 && c <= 255) return (byte)c;
        if (HighReverse.TryGetValue(c, out var high)) return high;
        switch (c)
        {
            case '\t':
                return (byte)' ';
            case '\u2010' or '\u2011' or '\u2012' or '\u2212':
                return (byte)'-';
            case '\u2007' or '\u202F':
                return 160; // figure / narrow no-break space: keep it unbreakable
            case '\u2002' or '\u2003' or '\u2009' or '\u200A':
                return (byte)' ';
            case '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF':
                return null;
        }
        if (c < 32 || c == 127 || (c >= 128 && c < 160)) return null; // C0/C1 controls
        return Replacement;
    }

    /// <summary>Decodes WinAnsi bytes back to Unicode (undefined codes become U+FFFD).</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        foreach (var b in bytes) sb.Append(DecodeByte(b));
        return sb.ToString();
    }

    private static char DecodeByte(byte b)
    {
        if (b >= 32 && b <= 126) return (char)b;
        if (b >= 160) return (char)b;
        if (b >= 128 && High[b - 128] != '\0') return High[b - 128];
        return '\uFFFD';
    }
}
