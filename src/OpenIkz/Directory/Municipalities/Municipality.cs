using System.Globalization;
using System.Text;

namespace OpenIkz.Directory.Municipalities;

/// <summary>A municipality or district of the directory.</summary>
public sealed record Municipality(
    string Ags,
    string Name,
    MunicipalityType Type,
    string State,
    string? DistrictAgs,
    int Population,
    decimal AreaKm2,
    string? LeitwegId)
{
    public string StateName => States.NameOf(State);
    public string TypeLabel => Type.Label();
}

public enum MunicipalityType { Gemeinde, Stadt, Einheitsgemeinde, Verbandsgemeinde, Landkreis, KreisfreieStadt }

public static class MunicipalityTypes
{
    private static readonly (MunicipalityType Type, string Slug, string Label)[] All =
    [
        (MunicipalityType.Gemeinde, "gemeinde", "Gemeinde"),
        (MunicipalityType.Stadt, "stadt", "Stadt"),
        (MunicipalityType.Einheitsgemeinde, "einheitsgemeinde", "Einheitsgemeinde"),
        (MunicipalityType.Verbandsgemeinde, "verbandsgemeinde", "Verbandsgemeinde"),
        (MunicipalityType.Landkreis, "landkreis", "Landkreis"),
        (MunicipalityType.KreisfreieStadt, "kreisfreie-stadt", "kreisfreie Stadt"),
    ];

    public static string Slug(this MunicipalityType type) => All.First(t => t.Type == type).Slug;
    public static string Label(this MunicipalityType type) => All.First(t => t.Type == type).Label;

    /// <summary>Accepts the slug ("kreisfreie-stadt") or the German label ("kreisfreie Stadt"), case-insensitive.</summary>
    public static bool TryParse(string? text, out MunicipalityType type)
    {
        var t = (text ?? "").Trim();
        foreach (var entry in All)
        {
            if (string.Equals(t, entry.Slug, StringComparison.OrdinalIgnoreCase) || string.Equals(t, entry.Label, StringComparison.OrdinalIgnoreCase))
            {
                type = entry.Type;
                return true;
            }
        }
        type = default;
        return false;
    }

    public static IEnumerable<string> Labels => All.Select(a => a.Label);

    /// <summary>The length of the official key for a type: 5 for a district (Kreisschlüssel), 9 for a
    /// Verbandsgemeinde (Gemeindeverbandsschlüssel), 8 for every municipality (AGS).</summary>
    public static int KeyLength(this MunicipalityType type) => type switch
    {
        MunicipalityType.Landkreis => 5,
        MunicipalityType.Verbandsgemeinde => 9,
        _ => 8,
    };
}

/// <summary>The 16 German states with their two-digit AGS prefix and their abbreviation.</summary>
public static class States
{
    private static readonly (string Prefix, string Code, string Name)[] All =
    [
        ("01", "SH", "Schleswig-Holstein"), ("02", "HH", "Hamburg"), ("03", "NI", "Niedersachsen"), ("04", "HB", "Bremen"),
        ("05", "NW", "Nordrhein-Westfalen"), ("06", "HE", "Hessen"), ("07", "RP", "Rheinland-Pfalz"), ("08", "BW", "Baden-Württemberg"),
        ("09", "BY", "Bayern"), ("10", "SL", "Saarland"), ("11", "BE", "Berlin"), ("12", "BB", "Brandenburg"),
        ("13", "MV", "Mecklenburg-Vorpommern"), ("14", "SN", "Sachsen"), ("15", "ST", "Sachsen-Anhalt"), ("16", "TH", "Thüringen"),
    ];

    public static IEnumerable<(string Code, string Name)> List => All.Select(s => (s.Code, s.Name));

    /// <summary>Accepts the abbreviation ("ST"), the name ("Sachsen-Anhalt") or the AGS prefix ("15").</summary>
    public static bool TryParse(string? text, out string code)
    {
        var t = (text ?? "").Trim();
        foreach (var s in All)
        {
            if (string.Equals(t, s.Code, StringComparison.OrdinalIgnoreCase) || string.Equals(t, s.Name, StringComparison.OrdinalIgnoreCase) || t == s.Prefix)
            {
                code = s.Code;
                return true;
            }
        }
        code = "";
        return false;
    }

    public static string PrefixOf(string code) => All.First(s => s.Code == code).Prefix;
    public static string NameOf(string code) => All.FirstOrDefault(s => s.Code == code).Name ?? code;
}

public static class Area
{
    /// <summary>Area is stored exactly as whole hectares (1 km² = 100 ha), never as floating point.</summary>
    public static decimal ToKm2(long hectares) => hectares / 100m;

    public static bool TryParseKm2(string text, out long hectares)
    {
        hectares = 0;
        var t = text.Trim();
        // German decimal comma ("86,72") and the invariant point ("86.72") are both accepted.
        if (!decimal.TryParse(t.Replace(',', '.'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var km2)) return false;
        var ha = km2 * 100m;
        if (ha != decimal.Truncate(ha) || ha < 0) return false;
        hectares = (long)ha;
        return true;
    }
}
