using System.Data.Common;
using System.Globalization;
using Dapper;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Directory.Municipalities;

public sealed record ImportRow(int Line, string Ags, string Name, MunicipalityType Type, string State, string? DistrictAgs, int Population, long AreaHa, string? LeitwegId);

public sealed record ImportError(int Line, string Message)
{
    public override string ToString() => $"Zeile {Line}: {Message}";
}

public sealed record ImportResult(IReadOnlyList<ImportError> Errors, int Imported)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>
/// Imports municipalities from a UTF-8 CSV file with the header
/// <c>ags;name;type;state;district_ags;population;area_km2</c> and an optional 8th column <c>leitweg_id</c>.
/// Every row is validated first; if any row is bad, nothing is imported and every bad row is reported
/// with its line number. Existing municipalities (same key) are updated.
/// </summary>
public sealed class MunicipalityImport(Db db)
{
    public static readonly string[] Columns = ["ags", "name", "type", "state", "district_ags", "population", "area_km2"];
    public const string OptionalColumn = "leitweg_id";

    public async Task<ImportResult> ImportAsync(TextReader reader, CancellationToken ct = default)
    {
        var (rows, errors) = Parse(reader);
        if (errors.Count == 0)
        {
            var existing = (await db.QueryAsync<string>("SELECT ags FROM municipalities", ct: ct)).ToHashSet();
            errors.AddRange(CheckParents(rows, existing));
        }
        if (errors.Count > 0) return new ImportResult(errors, 0);

        await db.InTransactionAsync(async (c, tx) => await UpsertAsync(c, tx, rows), ct);
        return new ImportResult([], rows.Count);
    }

    internal static async Task UpsertAsync(DbConnection c, DbTransaction tx, IReadOnlyList<ImportRow> rows)
    {
        // Parents first, so the foreign key on district_ags holds at every insert.
        foreach (var row in rows.OrderBy(r => r.DistrictAgs is null ? 0 : 1).ThenBy(r => r.Ags.Length))
        {
            await c.ExecuteAsync("""
                INSERT INTO municipalities (ags, name, name_search, type, state, district_ags, population, area_ha, leitweg_id, created_at)
                VALUES (@Ags, @Name, @NameSearch, @Type, @State, @DistrictAgs, @Population, @AreaHa, @LeitwegId, @Now)
                ON CONFLICT (ags) DO UPDATE SET name = excluded.name, name_search = excluded.name_search, type = excluded.type,
                    state = excluded.state, district_ags = excluded.district_ags, population = excluded.population,
                    area_ha = excluded.area_ha, leitweg_id = COALESCE(excluded.leitweg_id, municipalities.leitweg_id)
                """,
                new
                {
                    row.Ags, row.Name, NameSearch = SearchText.Fold(row.Name), Type = row.Type.Slug(), row.State, row.DistrictAgs,
                    row.Population, row.AreaHa, row.LeitwegId, Now = DateTime.UtcNow,
                }, tx);
        }
    }

    internal static (List<ImportRow> Rows, List<ImportError> Errors) Parse(TextReader reader)
    {
        var rows = new List<ImportRow>();
        var errors = new List<ImportError>();
        var header = reader.ReadLine();
        if (header is null) return (rows, [new ImportError(1, "Die Datei ist leer; erwartet wird die Kopfzeile " + string.Join(';', Columns) + ".")]);
        var headerCells = header.TrimStart('\uFEFF').Split(';').Select(h => h.Trim().ToLowerInvariant()).ToArray();
        var hasLeitweg = headerCells.Length == Columns.Length + 1 && headerCells[^1] == OptionalColumn;
        if (!headerCells.Take(Columns.Length).SequenceEqual(Columns) || (headerCells.Length != Columns.Length && !hasLeitweg))
            return (rows, [new ImportError(1, $"Kopfzeile muss '{string.Join(';', Columns)}' lauten (optional mit ';{OptionalColumn}'), gefunden: '{header}'.")]);

        var seen = new Dictionary<string, int>();
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var cells = line.Split(';').Select(c => c.Trim()).ToArray();
            if (cells.Length != headerCells.Length)
            {
                errors.Add(new ImportError(lineNumber, $"{cells.Length} Spalten statt {headerCells.Length}."));
                continue;
            }
            var problems = new List<string>();
            var ags = cells[0];
            var name = cells[1];
            if (name.Length == 0) problems.Add("Name fehlt");
            else if (TextInput.Problem(name, TextKind.Line) is { } nameProblem) problems.Add("Name " + nameProblem.TrimEnd('.'));
            else if (name.Length > 200) problems.Add("Name ist länger als 200 Zeichen");
            if (!MunicipalityTypes.TryParse(cells[2], out var type))
                problems.Add($"Typ '{cells[2]}' unbekannt (erlaubt: {string.Join(", ", MunicipalityTypes.Labels)})");
            if (!States.TryParse(cells[3], out var state)) problems.Add($"Land '{cells[3]}' unbekannt");
            if (!ags.All(char.IsAsciiDigit) || ags.Length == 0)
                problems.Add($"Schlüssel '{ags}' darf nur Ziffern enthalten");
            else if (problems.Count == 0 && ags.Length != type.KeyLength())
                problems.Add($"Schlüssel '{ags}' muss für den Typ {type.Label()} {type.KeyLength()} Ziffern haben");
            else if (state.Length == 2 && !ags.StartsWith(States.PrefixOf(state), StringComparison.Ordinal))
                problems.Add($"Schlüssel '{ags}' beginnt nicht mit der Landeskennung {States.PrefixOf(state)} ({States.NameOf(state)})");
            var district = cells[4].Length == 0 ? null : cells[4];
            if (district is not null)
            {
                if (district.Length != 5 || !district.All(char.IsAsciiDigit)) problems.Add($"Kreisschlüssel '{district}' muss 5 Ziffern haben");
                else if (ags.Length >= 5 && !ags.StartsWith(district, StringComparison.Ordinal)) problems.Add($"Schlüssel '{ags}' liegt nicht im Kreis {district}");
                if (type is MunicipalityType.Landkreis or MunicipalityType.KreisfreieStadt) problems.Add($"{type.Label()} hat keinen übergeordneten Kreis");
            }
            else if (type is MunicipalityType.Gemeinde or MunicipalityType.Stadt or MunicipalityType.Einheitsgemeinde or MunicipalityType.Verbandsgemeinde
                     && ags is not ("02000000" or "11000000"))
            {
                problems.Add($"{type.Label()} braucht einen Kreisschlüssel (district_ags)");
            }
            if (!int.TryParse(cells[5], NumberStyles.None, CultureInfo.InvariantCulture, out var population) && !int.TryParse(cells[5], NumberStyles.AllowThousands, CultureInfo.GetCultureInfo("de-DE"), out population))
                problems.Add($"Einwohnerzahl '{cells[5]}' ist keine ganze Zahl ≥ 0");
            if (!Area.TryParseKm2(cells[6], out var areaHa)) problems.Add($"Fläche '{cells[6]}' ist keine Zahl ≥ 0 mit höchstens zwei Nachkommastellen");
            var leitweg = hasLeitweg && cells[7].Length > 0 ? cells[7] : null;
            if (leitweg is not null && !LeitwegId.IsValid(leitweg)) problems.Add($"Leitweg-ID '{leitweg}' ist ungültig");
            if (seen.TryGetValue(ags, out var firstLine)) problems.Add($"Schlüssel '{ags}' steht schon in Zeile {firstLine}");
            else seen[ags] = lineNumber;

            if (problems.Count > 0) errors.Add(new ImportError(lineNumber, string.Join("; ", problems) + "."));
            else rows.Add(new ImportRow(lineNumber, ags, TextInput.Normalise(name), type, state, district, population, areaHa, leitweg));
        }
        if (rows.Count == 0 && errors.Count == 0) errors.Add(new ImportError(lineNumber, "Die Datei enthält keine Datenzeilen."));
        return (rows, errors);
    }

    private static IEnumerable<ImportError> CheckParents(IReadOnlyList<ImportRow> rows, HashSet<string> existing)
    {
        var inFile = rows.ToDictionary(r => r.Ags);
        foreach (var row in rows.Where(r => r.DistrictAgs is not null))
        {
            if (!inFile.TryGetValue(row.DistrictAgs!, out var parent) && !existing.Contains(row.DistrictAgs!))
                yield return new ImportError(row.Line, $"Übergeordneter Kreis '{row.DistrictAgs}' ist weder in der Datei noch im Verzeichnis.");
            else if (parent is not null && parent.Type != MunicipalityType.Landkreis)
                yield return new ImportError(row.Line, $"Übergeordneter Eintrag '{row.DistrictAgs}' ist kein Landkreis.");
        }
    }
}
