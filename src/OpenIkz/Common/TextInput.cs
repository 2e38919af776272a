using System.Text;

namespace OpenIkz.Common;

/// <summary>What kind of text a field holds: one line (names, titles, file names, references) or paragraphs (notes, reasons).</summary>
public enum TextKind
{
    /// <summary>One line: no control characters at all, no direction controls, no invisible (zero-width) characters.</summary>
    Line,

    /// <summary>Paragraphs: tab, line feed and carriage return are allowed; other controls and direction overrides are not.</summary>
    Paragraphs,
}

/// <summary>
/// The one rule for text from outside, used by every validator. Refused: lone UTF-16 surrogates; NUL and the other
/// C0/C1 control characters (in paragraphs tab, CR and LF are allowed); the Unicode noncharacters U+FFFE/U+FFFF;
/// the bidi embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069 (they make "rechnung\u202Efdp.exe"
/// look like "rechnungexe.pdf"); in one-line text also the marks U+200E, U+200F, U+061C and the invisible
/// U+200B–U+200D, U+2060 and U+FEFF. Accepted text is trimmed and normalised to NFC, so that "Müller" typed
/// with a combining umlaut and with a precomposed one are the same name.
/// </summary>
public static class TextInput
{
    public const string ControlMessage = "enthält Steuerzeichen (z. B. ein Null-Zeichen), die nicht gespeichert werden können.";
    public const string InvisibleMessage = "enthält unsichtbare Zeichen (Schreibrichtungs-Steuerzeichen oder Zeichen ohne Breite), die den angezeigten Text verfälschen können.";
    public const string SurrogateMessage = "enthält ein unvollständiges Unicode-Zeichen (einzelnes Surrogat).";

    /// <summary>Null when the text is acceptable; otherwise the German reason (a sentence without subject, e.g. "enthält Steuerzeichen …").</summary>
    public static string? Problem(string text, TextKind kind)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (char.IsHighSurrogate(ch))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
                return SurrogateMessage;
            }
            if (char.IsLowSurrogate(ch)) return SurrogateMessage;
            if (char.IsControl(ch) && !(kind == TextKind.Paragraphs && ch is '\t' or '\n' or '\r')) return ControlMessage;
            if (ch is '\uFFFE' or '\uFFFF') return ControlMessage;
            if (ch is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069')) return InvisibleMessage;
            if (kind == TextKind.Line && ch is '\u200E' or '\u200F' or '\u061C' or (>= '\u200B' and <= '\u200D') or '\u2060' or '\uFEFF') return InvisibleMessage;
        }
        return null;
    }

    public static bool IsAcceptable(string text, TextKind kind) => Problem(text, kind) is null;

    /// <summary>Trimmed and in NFC. Call only on text <see cref="Problem"/> accepted (NFC normalisation throws on lone surrogates).</summary>
    public static string Normalise(string text) => text.Trim().Normalize(NormalizationForm.FormC);

    /// <summary>
    /// Checks an optional field: null or blank stays null; unacceptable text adds the field error and gives null;
    /// otherwise the trimmed NFC text. Length limits are the caller's (counted on the normalised text).
    /// </summary>
    public static string? Field(ValidationErrors errors, string field, string? text, TextKind kind, string label = "Der Text")
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (Problem(text, kind) is { } problem)
        {
            errors.Add(field, $"{label} {problem}");
            return null;
        }
        return Normalise(text);
    }

    /// <summary>Like <see cref="Field"/>, throwing the field's <see cref="ValidationException"/> for unacceptable text.</summary>
    public static string? Require(string field, string? text, TextKind kind, string label = "Der Text")
    {
        var errors = new ValidationErrors();
        var result = Field(errors, field, text, kind, label);
        if (errors.Count > 0) throw new ValidationException(errors);
        return result;
    }
}

/// <summary>
/// Bounds for dates people enter for the work of an administration (absences, deadlines, agreement terms, approvals):
/// 1 January 2000 to 31 December 2199. Outside them a date is a typo (or a probe such as 9999-12-31, where adding a
/// day overflows) and is refused with a field error. Birth dates have their own rule (1900 to today).
/// </summary>
public static class InputDates
{
    public static readonly DateOnly Earliest = new(2000, 1, 1);
    public static readonly DateOnly Latest = new(2199, 12, 31);

    public const string OutOfRangeMessage = "Das Datum muss zwischen dem 01.01.2000 und dem 31.12.2199 liegen.";

    public static bool InRange(DateOnly date) => date >= Earliest && date <= Latest;

    /// <summary>
    /// A day typed into a filter (yyyy-MM-dd as the date input sends it, or dd.MM.yyyy): null when empty; a day that does
    /// not exist or lies outside the bounds adds „Bitte geben Sie {label} als Datum an (TT.MM.JJJJ).“ to the field.
    /// </summary>
    public static DateOnly? ParseDay(ValidationErrors errors, string field, string? text, string label)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (DateOnly.TryParseExact(text.Trim(), ["yyyy-MM-dd", "dd.MM.yyyy"], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d) && InRange(d)) return d;
        errors.Add(field, $"Bitte geben Sie {label} als Datum an (TT.MM.JJJJ).");
        return null;
    }

    /// <summary>Adds the field error when the date is given and outside the bounds; true when it is fine (or absent).</summary>
    public static bool Check(ValidationErrors errors, string field, DateOnly? date)
    {
        if (date is not { } d || InRange(d)) return true;
        errors.Add(field, OutOfRangeMessage);
        return false;
    }
}
