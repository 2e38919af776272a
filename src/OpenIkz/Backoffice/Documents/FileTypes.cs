namespace OpenIkz.Backoffice.Documents;

/// <summary>Recognises a file's type by its content, never by its name.</summary>
public static class FileTypes
{
    public const string Pdf = "application/pdf";
    public const string Png = "image/png";
    public const string Jpeg = "image/jpeg";
    public const string Xml = "application/xml";

    public static readonly string[] Accepted = [Pdf, Png, Jpeg, Xml];

    public const string InvalidFileNameMessage = "Der Dateiname ist unzulässig (keine Pfade, keine Steuerzeichen, keine unsichtbaren oder Schreibrichtungs-Zeichen, höchstens 200 Zeichen).";

    public static string? Sniff(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith("%PDF-"u8)) return Pdf;
        if (content.StartsWith(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })) return Png;
        if (content.Length > 3 && content[0] == 0xFF && content[1] == 0xD8 && content[2] == 0xFF) return Jpeg;
        var text = content;
        if (text.StartsWith(new byte[] { 0xEF, 0xBB, 0xBF })) text = text[3..];
        while (text.Length > 0 && text[0] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') text = text[1..];
        if (text.StartsWith("<?xml"u8) || (text.Length > 1 && text[0] == '<' && (char.IsAsciiLetter((char)text[1]) || text[1] == '!')))
            return IsUtf8Text(content) ? Xml : null;
        return null;
    }

    private static bool IsUtf8Text(ReadOnlySpan<byte> content)
    {
        if (!System.Text.Unicode.Utf8.IsValid(content)) return false;
        foreach (var b in content) if (b < 0x09 || (b > 0x0D && b < 0x20)) return false;
        return true;
    }

    /// <summary>"text/xml" is the same type as "application/xml".</summary>
    public static string Normalise(string? contentType) =>
        (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant() switch { "text/xml" => Xml, "image/jpg" => Jpeg, var t => t };

    /// <summary>
    /// Checks a file name from outside. Returns the cleaned name, or null for a name that tries to
    /// leave its folder or hide (path separators, "..", control characters, leading dot) or that shows something
    /// else than it is (direction overrides such as "rechnung\u202Efdp.exe", zero-width characters: Common/TextInput).
    /// </summary>
    public static string? SanitiseFileName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || !TextInput.IsAcceptable(name, TextKind.Line)) return null;
        var n = TextInput.Normalise(name);
        if (n.Length > 200 || n.Contains('/') || n.Contains('\\') || n.Contains("..") || n.StartsWith('.') || n.Contains(':')) return null;
        if (n.Any(ch => char.IsControl(ch) || ch is '<' or '>' or '"' or '|' or '?' or '*')) return null;
        return n;
    }
}
