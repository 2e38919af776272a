using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace OpenIkz.Directory.Municipalities;

/// <summary>IBAN helpers (ISO 13616): normalisation, the mod-97 check and fictitious demo IBANs.</summary>
public static class Iban
{
    /// <summary>
    /// Bank code of the demo IBANs. German bank codes (BLZ) start with the clearing area 1–8, so a BLZ
    /// starting with 9 belongs to no bank: a transfer to a demo IBAN cannot reach a real account.
    /// </summary>
    public const string DemoBankCode = "99999999";

    /// <summary>Removes spaces and upper-cases.</summary>
    public static string Normalize(string iban) =>
        new string((iban ?? "").Where(c => !char.IsWhiteSpace(c)).ToArray()).ToUpperInvariant();

    /// <summary>Groups of four for display ("DE89 3704 0044 0532 0130 00").</summary>
    public static string Format(string iban)
    {
        var n = Normalize(iban);
        return string.Join(" ", Enumerable.Range(0, (n.Length + 3) / 4).Select(i => n.Substring(i * 4, Math.Min(4, n.Length - i * 4))));
    }

    /// <summary>
    /// True when the IBAN has the ISO 13616 syntax (country, two check digits, up to 30 alphanumerics; 22
    /// characters for DE) and its check digits are right: the rearranged number mod 97 is 1.
    /// </summary>
    public static bool IsValid(string? iban)
    {
        if (iban is null) return false;
        var n = Normalize(iban);
        if (n.Length is < 15 or > 34) return false;
        if (!char.IsAsciiLetterUpper(n[0]) || !char.IsAsciiLetterUpper(n[1]) || !char.IsAsciiDigit(n[2]) || !char.IsAsciiDigit(n[3])) return false;
        if (!n.All(char.IsAsciiLetterOrDigit)) return false;
        if (n.StartsWith("DE", StringComparison.Ordinal) && (n.Length != 22 || !n[2..].All(char.IsAsciiDigit))) return false;
        return Mod97(n[4..] + n[..4]) == 1;
    }

    /// <summary>An IBAN with correct check digits for a country and BBAN (ISO 13616: 98 − (BBAN + country + "00") mod 97).</summary>
    public static string Create(string country, string bban)
    {
        var check = 98 - Mod97(bban + country + "00");
        return $"{country}{check:00}{bban}";
    }

    /// <summary>
    /// A FICTITIOUS, syntactically valid German IBAN for demo data: DE, check digits, the unassigned bank code
    /// <see cref="DemoBankCode"/> and a 10-digit account number derived from <paramref name="key"/> (a numeric
    /// key of up to ten digits such as an AGS is used as is, zero-padded; any other key is hashed). The same key
    /// always gives the same IBAN. It passes the checksum but belongs to no bank — never use it for real payments.
    /// </summary>
    public static string Demo(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var k = key.Trim();
        string account;
        if (k.Length <= 10 && k.All(char.IsAsciiDigit)) account = k.PadLeft(10, '0');
        else
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(k));
            var number = new BigInteger(hash, isUnsigned: true) % BigInteger.Pow(10, 10);
            account = number.ToString("D10", CultureInfo.InvariantCulture);
        }
        return Create("DE", DemoBankCode + account);
    }

    /// <summary>The number formed by the characters (A=10 … Z=35) modulo 97, computed digit by digit.</summary>
    private static int Mod97(string text)
    {
        var remainder = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c)) remainder = (remainder * 10 + (c - '0')) % 97;
            else if (char.IsAsciiLetterUpper(c)) remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
            else throw new FormatException($"Ungültiges Zeichen '{c}' in IBAN.");
        }
        return remainder;
    }
}
