using System.Data.Common;
using System.Globalization;
using System.Text;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Directory.Municipalities;

public sealed record DistrictImportResult(int Added, int Kept);

/// <summary>
/// Every Landkreis and kreisfreie Stadt of Germany (401, territorial status 31.12.2018), from the file
/// data/districts.csv of the npm package landkreise-deutschland 3.0.0 that the build fetches and embeds
/// (build/LandkreiseDeutschland.targets). Keys already in the directory are never touched, so demo rows
/// and rows entered by hand keep their own figures; running it again adds nothing.
/// </summary>
/// <remarks>
/// Mapping (docs/REGISTRY.md, "Directory imports"): a Landkreis, Kreis or Regionalverband gets its 5-digit
/// Kreisschlüssel and the type landkreis; a kreisfreie Stadt or Stadtkreis (Berlin and Hamburg included)
/// its 8-digit Gemeindeschlüssel (Kreisschlüssel + "000", as the directory keys every city, e.g. Speyer
/// 07318000) and the type kreisfreie-stadt. The state is the one of the key's first two digits.
/// </remarks>
public sealed class DistrictImport(Db db)
{
    public const string ResourceName = "OpenIkz.Directory.districts.csv";
    public const string PackageVersion = "3.0.0";
    public const string AsOf = "31.12.2018";

    /// <summary>The source as the register's pages and Demo/SOURCES.md name it.</summary>
    public const string Source = "Statistisches Bundesamt (Destatis), Gemeindeverzeichnis-Informationssystem GV-ISys: Kreisfreie Städte und Landkreise nach Fläche, Bevölkerung und Bevölkerungsdichte, Gebietsstand 31.12.2018 (npm-Paket landkreise-deutschland 3.0.0), Lizenz CC BY 4.0";

    public const int Count = 401;

    private static readonly string[] Header = ["AGS", "type", "name", "NUTS3", "area_km2", "population", "population_male", "population_female", "population_per_km2"];
    private static readonly Lazy<IReadOnlyList<ImportRow>> Embedded = new(() =>
    {
        using var stream = typeof(DistrictImport).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The district list {ResourceName} is not embedded; build the project (it fetches landkreise-deutschland {PackageVersion}).");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Parse(reader);
    });

    /// <summary>The 401 districts of the embedded package.</summary>
    public static IReadOnlyList<ImportRow> Districts => Embedded.Value;

    public async Task<DistrictImportResult> ImportAsync(CancellationToken ct = default)
    {
        var rows = Districts;
        var added = await db.InTransactionAsync((c, tx) => InsertMissingAsync(c, tx, db.Kind), ct);
        return new DistrictImportResult(added, rows.Count - added);
    }

    /// <summary>Adds the districts whose key is not in the directory yet; returns how many were added.</summary>
    internal static Task<int> InsertMissingAsync(DbConnection c, DbTransaction tx, DatabaseKind kind) => MunicipalityWriter.WriteAsync(c, tx, kind, Districts, ExistingRows.Keep);

    /// <summary>Reads the package's CSV. The file is part of the build, so anything unexpected in it is a defect: it throws, naming the line.</summary>
    internal static IReadOnlyList<ImportRow> Parse(TextReader reader)
    {
        var header = reader.ReadLine()?.TrimStart('\uFEFF').Split(';');
        if (header is null || !header.SequenceEqual(Header))
            throw new InvalidOperationException($"districts.csv: the header is not '{string.Join(';', Header)}'.");
        var rows = new List<ImportRow>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (text.Length == 0) continue;
            var cells = text.Split(';');
            InvalidOperationException Bad(string problem) => new($"districts.csv line {line}: {problem} ('{text}').");
            if (cells.Length != Header.Length) throw Bad($"{cells.Length} columns instead of {Header.Length}");
            var (kreis, kind, name) = (cells[0], cells[1], cells[2]);
            if (kreis.Length != 5 || !kreis.All(char.IsAsciiDigit)) throw Bad("the key is not 5 digits");
            if (!States.TryParse(kreis[..2], out var state)) throw Bad("the key does not start with a state's number");
            var type = kind switch
            {
                "Kreisfreie Stadt" or "Stadtkreis" => MunicipalityType.KreisfreieStadt,
                "Kreis" or "Landkreis" or "Regionalverband" => MunicipalityType.Landkreis,
                _ => throw Bad($"unknown type '{kind}'"),
            };
            if (!int.TryParse(cells[5], NumberStyles.None, CultureInfo.InvariantCulture, out var population)) throw Bad("the population is not a whole number");
            if (!Area.TryParseKm2(cells[4], out var areaHa)) throw Bad("the area is not a number of km² with at most two decimals");
            if (name.Length == 0 || !TextInput.IsAcceptable(name, TextKind.Line)) throw Bad("the name is empty or has control characters");
            var ags = type == MunicipalityType.KreisfreieStadt ? kreis + "000" : kreis;
            if (!seen.Add(ags)) throw Bad($"the key {ags} repeats");
            var shown = type == MunicipalityType.KreisfreieStadt ? OfficialNames.WithoutDesignation(name) : OfficialNames.District(name, kind == "Kreis" ? "Kreis" : "Landkreis");
            rows.Add(new ImportRow(line, ags, TextInput.Normalise(shown), type, state, null, population, areaHa, null));
        }
        return rows;
    }
}
