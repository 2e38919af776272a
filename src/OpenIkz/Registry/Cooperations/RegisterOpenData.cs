using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OpenIkz.Registry.Cooperations;

/// <summary>
/// The register as open data under CC BY 4.0: CSV (UTF-8 with byte order mark, ';' separated, German decimal comma,
/// CRLF, RFC 4180 quoting, one row per entry, partners in one column) and JSON. The licence and the attribution are in
/// the file itself, where every tool keeps them: as the columns <c>lizenz</c> and <c>namensnennung</c> of every CSV row
/// (a comment line above the header would break the header for most CSV readers), and as <c>licence</c> and
/// <c>attribution</c> in the JSON document. Both responses also carry <c>Link: &lt;…&gt;; rel="license"</c>.
/// </summary>
public static class RegisterOpenData
{
    public const string LicenceName = "CC BY 4.0";
    public const string LicenceUrl = "https://creativecommons.org/licenses/by/4.0/deed.de";
    public const string LinkHeader = "<https://creativecommons.org/licenses/by/4.0/>; rel=\"license\"";

    /// <summary>
    /// Where the directory's keys, names, populations and areas come from: the 401 Kreise and kreisfreie Städte from the
    /// district import (<see cref="Directory.Municipalities.DistrictImport.Source"/>, as of 31.12.2018), the Gemeinden of
    /// the demo from the sources Demo/SOURCES.md names per municipality. The register's pages and its JSON say this.
    /// </summary>
    public const string DirectorySource =
        "Kreise und kreisfreie Städte (401): " + Directory.Municipalities.DistrictImport.Source + ". " +
        "Gemeinden und Verbandsgemeinden: Statistisches Bundesamt (Destatis), Gemeindeverzeichnis-Informationssystem GV-ISys, und Statistische Landesämter; " +
        "Bevölkerungsstand je nach Gemeinde zwischen 31.12.2019 und 31.12.2023 (die Quelle jeder Zahl nennt Demo/SOURCES.md im Quelltext von OpenIKZ).";

    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    public static string Attribution(string registerUrl, DateOnly asOf) =>
        $"IKZ-Register OpenIKZ ({registerUrl}), Stand {asOf.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture)}";

    public static readonly IReadOnlyList<string> CsvColumns =
    [
        "id", "titel", "beschreibung", "aufgabenfeld", "aufgabenfeld_bezeichnung", "landesrecht", "rechtsform", "rechtsform_bezeichnung",
        "status", "status_bezeichnung", "seit", "rueckabwicklung_grund", "rueckabwicklung_jahr", "partner", "partner_schluessel",
        "ziele", "erfolgsfaktoren", "hindernisse", "kosten_einmalig_eur", "kosten_jaehrlich_vorher_eur", "kosten_jaehrlich_nachher_eur",
        "vzae_vorher", "vzae_nachher", "kontakt_postfach", "quellen", "mit_vereinbarung_verknuepft", "url", "lizenz", "namensnennung",
    ];

    /// <summary>The CSV as UTF-8 bytes with a byte order mark (Excel then shows umlauts correctly).</summary>
    public static byte[] Csv(IReadOnlyList<CooperationDetails> entries, string baseUrl, DateOnly asOf)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var attribution = Attribution(baseUrl + "/Register", asOf);
        var licence = $"{LicenceName} ({LicenceUrl})";
        var sb = new StringBuilder();
        Row(sb, CsvColumns);
        foreach (var e in entries)
        {
            Row(sb,
            [
                e.Id.ToString(CultureInfo.InvariantCulture), Text(e.Title), Text(e.Description), e.TaskField, e.TaskFieldLabel, e.StateLaw, e.LegalForm, e.LegalFormLabel,
                e.Status, e.StatusLabel, Year(e.Since), e.RollbackReason ?? "", Year(e.RollbackYear),
                Text(string.Join(" | ", e.Partners.Select(p => p.Role == PartnerRoles.Lead ? $"{p.Name} ({p.Ags}, federführend)" : $"{p.Name} ({p.Ags})"))),
                string.Join("|", e.Partners.Select(p => p.Ags)),
                string.Join(" | ", e.Goals.Select(f => f.Label)), string.Join(" | ", e.SuccessFactors.Select(f => f.Label)), string.Join(" | ", e.Obstacles.Select(f => f.Label)),
                Amount(e.OneOffCost), Amount(e.YearlyCostBefore), Amount(e.YearlyCostAfter), Amount(e.FteBefore), Amount(e.FteAfter),
                e.ContactMailbox ?? "", Text(string.Join(" | ", e.Sources)), e.Linked ? "ja" : "nein", $"{baseUrl}/Register/{e.Id}", licence, attribution,
            ]);
        }
        var preamble = Encoding.UTF8.GetPreamble();
        var body = Encoding.UTF8.GetBytes(sb.ToString());
        return [.. preamble, .. body];
    }

    /// <summary>The JSON document: licence, attribution, source of the directory data, time of export, and every entry in full.</summary>
    public static object Json(IReadOnlyList<CooperationDetails> entries, string baseUrl, DateOnly asOf, DateTime generatedAt) => new
    {
        title = "IKZ-Register: interkommunale Kooperationen",
        licence = new { name = LicenceName, url = LicenceUrl },
        attribution = Attribution(baseUrl + "/Register", asOf),
        directorySource = DirectorySource,
        generatedAt,
        count = entries.Count,
        items = entries.Select(e => new { entry = e, url = $"{baseUrl}/Register/{e.Id}" }).Select(x => Flatten(x.entry, x.url)).ToList(),
    };

    private static Dictionary<string, object?> Flatten(CooperationDetails e, string url)
    {
        var element = JsonSerializer.SerializeToElement(e, JsonSerializerOptions.Web);
        var result = element.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
        result["url"] = url;
        return result;
    }

    private static void Row(StringBuilder sb, IEnumerable<string> fields)
    {
        var first = true;
        foreach (var field in fields)
        {
            if (!first) sb.Append(';');
            first = false;
            sb.Append(field.IndexOfAny([';', '"', '\r', '\n']) >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field);
        }
        sb.Append("\r\n");
    }

    /// <summary>Free text a spreadsheet would run as a formula (leading =, +, -, @) gets an apostrophe (CSV injection).</summary>
    private static string Text(string value) => value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;

    private static string Year(int? year) => year?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static string Amount(decimal? value) => value?.ToString("0.00", German) ?? "";
}
