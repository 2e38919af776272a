using System.Globalization;

namespace OpenIkz.Tests.Directory;

/// <summary>
/// Writes records in the GV100AD layout of Destatis (docs/REGISTRY.md, "Directory imports"), spelled out here
/// position by position and independently of the importer's own layout table, so that a wrong position in
/// either shows up. Keys and names are real where they are the point of a test; all figures are made up.
/// </summary>
internal static class Gv100Files
{
    public const string Stand = "20241231";

    private static string Fit(string text, int width) => text.PadRight(width)[..width];

    private static string Record(string text) => text.PadRight(220);

    /// <summary>Satzart 10: key 11–12, blank 13–22, name 23–72, seat of government 73–122.</summary>
    public static string Land(string land, string name, string stand = Stand) => Record("10" + stand + land + new string(' ', 10) + Fit(name, 50) + Fit("Landeshauptstadt", 50));

    /// <summary>Satzart 20: key 11–13.</summary>
    public static string Regierungsbezirk(string land, string rb, string name) => Record("20" + Stand + land + rb + new string(' ', 9) + Fit(name, 50) + Fit("Sitz", 50));

    /// <summary>Satzart 40: key 11–15, blank 16–22, name, seat, Textkennzeichen 123–124.</summary>
    public static string Kreis(string kreis, string kind, string name, string stand = Stand) => Record("40" + stand + kreis + new string(' ', 7) + Fit(name, 50) + Fit("Kreisstadt", 50) + kind);

    /// <summary>Satzart 50: Kreis 11–15, blank 16–18, Gemeindeverband 19–22, name, seat, Textkennzeichen.</summary>
    public static string Verband(string kreis, string verband, string kind, string name) => Record("50" + Stand + kreis + "   " + verband + Fit(name, 50) + Fit("", 50) + kind);

    /// <summary>Satzart 60: AGS 11–18, Gemeindeverband 19–22, name, blank 73–122, Textkennzeichen 123–124, blank 125–128,
    /// area in ha 129–139, population 140–150, male 151–161, blank 162–165, postcode 166–170.</summary>
    public static string Gemeinde(string ags, string verband, string kind, string name, long areaHa, long population, string stand = Stand) =>
        Record("60" + stand + ags + verband + Fit(name, 50) + new string(' ', 50) + kind + "    "
            + areaHa.ToString("D11", CultureInfo.InvariantCulture) + population.ToString("D11", CultureInfo.InvariantCulture)
            + (population / 2).ToString("D11", CultureInfo.InvariantCulture) + "    " + "32756");

    /// <summary>
    /// A small but complete file: Kreis Lippe with two Gemeinden; Frankenthal as kreisfreie Stadt; the Südliche
    /// Weinstraße with a Verbandsgemeinde of two Gemeinden, an Amt (read, not listed) and a gemeindefreies Gebiet.
    /// </summary>
    public static List<string> Good() =>
    [
        Land("05", "Nordrhein-Westfalen"),
        Regierungsbezirk("05", "7", "Detmold"),
        Kreis("05766", "43", "Lippe"),
        Verband("05766", "0004", "50", "Augustdorf"),
        Gemeinde("05766004", "0004", "64", "Augustdorf", 3904, 10_000),
        Verband("05766", "0020", "50", "Detmold, Stadt"),
        Gemeinde("05766020", "0020", "63", "Detmold, Stadt", 12_970, 75_000),
        Land("07", "Rheinland-Pfalz"),
        Kreis("07311", "41", "Frankenthal (Pfalz), kreisfreie Stadt"),
        Verband("07311", "0000", "50", "Frankenthal (Pfalz), Stadt"),
        Gemeinde("07311000", "0000", "61", "Frankenthal (Pfalz), Stadt", 4_388, 48_000),
        Kreis("07337", "44", "Südliche Weinstraße"),
        Verband("07337", "5003", "53", "Herxheim"),
        Gemeinde("07337041", "5003", "64", "Herxheim bei Landau/Pfalz", 4_000, 11_000),
        Gemeinde("07337042", "5003", "64", "Herxheimweyher", 400, 800),
        Verband("07337", "5006", "51", "Musteramt"),
        Gemeinde("07337050", "5006", "60", "Marktdorf", 100, 100),
        Gemeinde("07337999", "5006", "66", "Forst (gemeindefrei)", 500, 0),
    ];

    /// <summary>Line number (1-based) of the first record that starts with <paramref name="start"/>.</summary>
    public static int LineOf(List<string> lines, string start) => lines.FindIndex(l => l.StartsWith(start, StringComparison.Ordinal)) + 1;

    public static string Text(IEnumerable<string> lines) => string.Join("\r\n", lines) + "\r\n";
}
