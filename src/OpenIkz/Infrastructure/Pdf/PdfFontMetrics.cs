using System.Text;

namespace OpenIkz.Infrastructure.Pdf;

/// <summary>The two faces the writer embeds: Noto Sans Regular (/F1) and Bold (/F2).</summary>
public enum PdfFont
{
    /// <summary>Noto Sans Regular, resource name /F1. (The name is kept from the former standard font.)</summary>
    Helvetica,

    /// <summary>Noto Sans Bold, resource name /F2.</summary>
    HelveticaBold,
}

/// <summary>
/// Maps text to the glyphs of the embedded Noto Sans faces and measures it with their advance
/// widths (1/1000 em). Noto Sans covers Latin (including Vietnamese), Greek and Cyrillic.
/// </summary>
/// <remarks>
/// The fonts are fetched from npm by build/NotoSans.targets and embedded as assembly resources.
/// Text is normalised to NFC first, so a decomposed "ễ" finds its precomposed glyph. Soft hyphens,
/// zero-width characters and control characters are dropped, tabs become spaces, and a character the
/// font has no glyph for prints as '?' (a PDF/A file must not show .notdef).
/// </remarks>
public static class PdfFontMetrics
{
    private static readonly Lazy<TrueTypeFont> RegularFont = new(() => Load("OpenIkz.Fonts.NotoSans-Regular.ttf", "NotoSans-Regular"));
    private static readonly Lazy<TrueTypeFont> BoldFont = new(() => Load("OpenIkz.Fonts.NotoSans-Bold.ttf", "NotoSans-Bold"));

    /// <summary>The character shown for one the font cannot represent.</summary>
    public const char Replacement = '?';

    internal static TrueTypeFont Font(PdfFont font) => font == PdfFont.HelveticaBold ? BoldFont.Value : RegularFont.Value;

    /// <summary>Advance width of <paramref name="c"/> in 1/1000 em (0 for characters that are dropped).</summary>
    public static int GlyphWidth(char c, PdfFont font)
    {
        var units = 0;
        foreach (var glyph in Glyphs(c.ToString(), font)) units += Font(font).Advance(glyph.Id);
        return units;
    }

    /// <summary>Width of <paramref name="text"/> in points.</summary>
    public static double MeasureText(string text, PdfFont font, double size) => Units(text, font) * size / 1000.0;

    /// <summary>Width of <paramref name="text"/> in points; <paramref name="bold"/> selects the bold face.</summary>
    public static double MeasureText(string text, bool bold, double size)
        => MeasureText(text, bold ? PdfFont.HelveticaBold : PdfFont.Helvetica, size);

    /// <summary>True when the font has a glyph of its own for <paramref name="c"/>.</summary>
    public static bool IsEncodable(char c, PdfFont font = PdfFont.Helvetica) => Font(font).GlyphId(c) != 0;

    internal static long Units(string text, PdfFont font)
    {
        var ttf = Font(font);
        long units = 0;
        foreach (var glyph in Glyphs(text, font)) units += ttf.Advance(glyph.Id);
        return units;
    }

    /// <summary>The glyphs that show <paramref name="text"/>, each with the text it stands for (for ToUnicode).</summary>
    internal static List<(ushort Id, string Text)> Glyphs(string text, PdfFont font)
    {
        var ttf = Font(font);
        var result = new List<(ushort, string)>(text.Length);
        if (!text.IsNormalized(NormalizationForm.FormC)) text = text.Normalize(NormalizationForm.FormC);
        foreach (var rune in text.EnumerateRunes())
        {
            var value = rune.Value;
            if (value is '\t' or 0x2002 or 0x2003 or 0x2009 or 0x200A) value = ' ';
            if (value is 0xAD or 0x200B or 0x200C or 0x200D or 0x2060 or 0xFEFF) continue;
            if (value < 32 || (value >= 127 && value < 160)) continue;
            var glyph = ttf.GlyphId(value);
            var shown = value == rune.Value ? rune.ToString() : char.ConvertFromUtf32(value);
            if (glyph == 0)
            {
                glyph = ttf.GlyphId(Replacement);
                shown = Replacement.ToString();
            }
            result.Add((glyph, shown));
        }
        return result;
    }

    private static TrueTypeFont Load(string resource, string postScriptName)
    {
        using var stream = typeof(PdfFontMetrics).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The font resource {resource} is missing: build/NotoSans.targets fetches it from npm during the build.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return new TrueTypeFont(memory.ToArray(), postScriptName);
    }
}
