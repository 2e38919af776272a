using System.Text.RegularExpressions;

namespace OpenIkz.Directory.Municipalities;

/// <summary>
/// The Leitweg-ID routes e-invoices to a public authority: Grobadressierung (2–12 digits),
/// optional Feinadressierung (up to 30 letters or digits) and a two-digit check number, separated by
/// hyphens, e.g. <c>07318000-0001-42</c>. The check number is ISO 7064 MOD 97-10 over the ID
/// without hyphens, letters counted as 10..35 (as in IBAN).
/// </summary>
public static partial class LeitwegId
{
    [GeneratedRegex(@"^(?<grob>[0-9]{2,12})(-(?<fein>[A-Za-z0-9]{1,30}))?-(?<pz>[0-9]{2})$")]
    private static partial Regex Syntax();

    public static bool IsValid(string id)
    {
        var m = Syntax().Match(id);
        if (!m.Success) return false;
        var body = m.Groups["grob"].Value + m.Groups["fein"].Value;
        return CheckDigits(body) == m.Groups["pz"].Value;
    }

    /// <summary>Appends the check digits: <c>Create("07318000", "0001")</c> → "07318000-0001-NN".</summary>
    public static string Create(string grob, string? fein = null)
    {
        var body = grob + (fein ?? "");
        return fein is null ? $"{grob}-{CheckDigits(body)}" : $"{grob}-{fein}-{CheckDigits(body)}";
    }

    public static string CheckDigits(string body)
    {
        // Remainder of (body followed by "00") mod 97, computed digit by digit; letters become 10..35.
        var remainder = 0;
        foreach (var ch in body.ToUpperInvariant() + "00")
        {
            var value = char.IsAsciiDigit(ch) ? ch - '0' : ch - 'A' + 10;
            remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
        }
        return (98 - remainder).ToString("D2");
    }
}
