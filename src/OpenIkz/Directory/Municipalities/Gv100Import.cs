using System.Globalization;
using Dapper;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Directory.Municipalities;

/// <summary>
/// The record layout of the Statistisches Bundesamt's Gemeindeverzeichnis in the fixed-width format GV100AD
/// ("Datensatzbeschreibung GV100AD", the PDF shipped in every GV100AD archive of Destatis; docs/REGISTRY.md,
/// "Directory imports"). One record a line, 220 characters, positions counted from 1. Every record starts with
/// EF1 Satzart (1–2), EF2 Gebietsstand JJJJMMTT (3–10) and EF3 Amtlicher Regionalschlüssel: Land (11–12),
/// Regierungsbezirk (13), Kreis (14–15), Gemeinde (16–18); Satzart 50 and 60 carry EF4 Gemeindeverband (19–22).
/// EF5 Name (23–72); EF6 Sitz der Verwaltung (73–122, not for 60); EF7 Textkennzeichen (123–124; 40, 50, 60).
/// Satzart 60 only: EF8 Fläche in ha (129–139), EF9 Bevölkerung insgesamt (140–150), EF10 männlich (151–161),
/// then postcode, tax office, courts, employment agency, Bundestag constituencies, which the directory does not use.
/// </summary>
public static class Gv100Layout
{
    public const int RecordLength = 220;

    public readonly record struct Field(int From, int Length, string Label)
    {
        public int To => From + Length - 1;
        public string Of(string line) => line.Substring(From - 1, Length);
    }

    public static readonly Field Satzart = new(1, 2, "Satzart");
    public static readonly Field Gebietsstand = new(3, 8, "Gebietsstand");
    public static readonly Field Land = new(11, 2, "Land");
    public static readonly Field Regierungsbezirk = new(13, 1, "Regierungsbezirk");
    public static readonly Field Region = new(14, 1, "Region");
    public static readonly Field Kreis = new(14, 2, "Kreis");
    public static readonly Field Gemeinde = new(16, 3, "Gemeinde");
    public static readonly Field Gemeindeverband = new(19, 4, "Gemeindeverband");
    public static readonly Field Name = new(23, 50, "Name");
    public static readonly Field Textkennzeichen = new(123, 2, "Textkennzeichen");
    public static readonly Field FlaecheHa = new(129, 11, "Fläche in ha");
    public static readonly Field Bevoelkerung = new(140, 11, "Bevölkerung insgesamt");
    public static readonly Field BevoelkerungMaennlich = new(151, 11, "Bevölkerung männlich");

    /// <summary>The Textkennzeichen of Satzart 40, 50 and 60 and what they mean.</summary>
    public static readonly IReadOnlyDictionary<string, string> Kinds = new Dictionary<string, string>
    {
        ["41"] = "Kreisfreie Stadt", ["42"] = "Stadtkreis", ["43"] = "Kreis", ["44"] = "Landkreis", ["45"] = "Regionalverband",
        ["50"] = "Verbandsfreie Gemeinde", ["51"] = "Amt", ["52"] = "Samtgemeinde", ["53"] = "Verbandsgemeinde", ["54"] = "Verwaltungsgemeinschaft",
        ["55"] = "Kirchspielslandgemeinde", ["56"] = "Verwaltungsverband", ["57"] = "Verwaltungsgemeinschaft (Trägermodell)", ["58"] = "Erfüllende Gemeinde",
        ["60"] = "Markt", ["61"] = "Kreisfreie Stadt", ["62"] = "Stadtkreis", ["63"] = "Stadt", ["64"] = "Kreisangehörige Gemeinde",
        ["65"] = "Gemeindefreies Gebiet, bewohnt", ["66"] = "Gemeindefreies Gebiet, unbewohnt", ["67"] = "Große Kreisstadt",
    };
}

public sealed record Gv100Summary(DateOnly Gebietsstand, int Districts, int CountyFreeCities, int Verbandsgemeinden, int Municipalities,
    int Added, int Updated, IReadOnlyDictionary<string, int> NotListed, IReadOnlyList<string> DirectoryOnly);

public sealed record Gv100Result(IReadOnlyList<ImportError> Errors, Gv100Summary? Summary)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>
/// Loads the Gemeindeverzeichnis (GV100AD) into the directory: every Kreis, kreisfreie Stadt, Verbandsgemeinde
/// and Gemeinde. Every record is checked first; one malformed record and nothing is imported, each bad record
/// reported with its line number. A good file is written in one transaction. Keys already in the directory get
/// the official names and figures (<see cref="ExistingRows.UpdateFigures"/>); rows the file does not name are
/// left alone and reported.
/// </summary>
/// <remarks>
/// Mapping (docs/REGISTRY.md): 40 with Textkennzeichen 43/44/45 → landkreis with the 5-digit Kreisschlüssel,
/// population and area the sums of its Gemeinden (GV100AD gives figures only for Gemeinden); 40 with 41/42 →
/// nothing of its own, the city is its Gemeinde record (Kreisschlüssel + "000") → kreisfreie-stadt; 50 with 53
/// (Verbandsgemeinde) → verbandsgemeinde with the 9-digit Gemeindeverbandsschlüssel (Kreis + Verband), figures
/// the sums of its members; other Gemeindeverbände (Amt, Samtgemeinde, Verwaltungsgemeinschaft, …) are read and
/// checked but not listed, since the directory has no type for them; 60 with 63/67 → stadt, 60/64 → gemeinde,
/// 65/66 (gemeindefreie Gebiete) are not municipalities and are not listed (their area still counts for the Kreis).
/// Records 10, 20 and 30 are checked, not stored.
/// </remarks>
public sealed class Gv100Import(Db db)
{
    public const string Source = "Statistisches Bundesamt (Destatis), Gemeindeverzeichnis GV100AD";
    public const string AsOfSetting = "directory_gv100_gebietsstand";

    private sealed record Record(int Line, string Satzart, string Land, string Kreis5, string Gem, string Verband, string Name, string Kind, long AreaHa, int Population);

    public async Task<Gv100Result> ImportAsync(TextReader reader, CancellationToken ct = default)
    {
        var parsed = Parse(reader);
        if (parsed.Errors.Count > 0) return new Gv100Result(parsed.Errors, null);

        var existing = (await db.QueryAsync<(string Ags, string Type, string State)>("SELECT ags, type, state FROM municipalities", ct: ct)).ToList();
        var keys = existing.Select(e => e.Ags).ToHashSet(StringComparer.Ordinal);
        var inFile = parsed.Rows.Select(r => r.Ags).ToHashSet(StringComparer.Ordinal);
        var added = parsed.Rows.Count(r => !keys.Contains(r.Ags));
        await db.InTransactionAsync(async (c, tx) =>
        {
            await MunicipalityWriter.WriteAsync(c, tx, db.Kind, parsed.Rows, ExistingRows.UpdateFigures);
            await c.ExecuteAsync("INSERT INTO instance_settings (key, value) VALUES (@Key, @Value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                new { Key = AsOfSetting, Value = parsed.Gebietsstand.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }, tx);
        }, ct);

        // Districts of the states in the file that the file does not name: dissolved or re-keyed since they were loaded.
        var directoryOnly = existing
            .Where(e => e.Type is "landkreis" or "kreisfreie-stadt" && parsed.States.Contains(e.State) && !inFile.Contains(e.Ags))
            .Select(e => e.Ags).Order(StringComparer.Ordinal).ToList();
        var rows = parsed.Rows;
        return new Gv100Result([], new Gv100Summary(parsed.Gebietsstand,
            rows.Count(r => r.Type == MunicipalityType.Landkreis), rows.Count(r => r.Type == MunicipalityType.KreisfreieStadt),
            rows.Count(r => r.Type == MunicipalityType.Verbandsgemeinde), rows.Count(r => r.Type is MunicipalityType.Gemeinde or MunicipalityType.Stadt),
            added, rows.Count - added, parsed.NotListed, directoryOnly));
    }

    /// <summary>
    /// The file's text: GV100AD is UTF-8 since about 2019 and ISO-8859-1 before; bytes that are not valid UTF-8 are
    /// read as ISO-8859-1, so that positions (counted in characters) and umlauts are right in both.
    /// </summary>
    public static string Decode(byte[] bytes)
    {
        try { return new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes); }
        catch (System.Text.DecoderFallbackException) { return System.Text.Encoding.Latin1.GetString(bytes); }
    }

    internal sealed record ParseResult(List<ImportRow> Rows, List<ImportError> Errors, DateOnly Gebietsstand, HashSet<string> States, Dictionary<string, int> NotListed);

    internal static ParseResult Parse(TextReader reader)
    {
        var errors = new List<ImportError>();
        var records = new List<Record>();
        DateOnly? gebietsstand = null;
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (lineNumber == 1) line = line.TrimStart('\uFEFF');
            if (line.Length == 0) continue;
            var (record, problem) = ReadRecord(line, lineNumber);
            if (problem is not null)
            {
                errors.Add(new ImportError(lineNumber, problem));
                continue;
            }
            var date = DateOnly.ParseExact(Gv100Layout.Gebietsstand.Of(line), "yyyyMMdd", CultureInfo.InvariantCulture);
            gebietsstand ??= date;
            if (date != gebietsstand)
            {
                errors.Add(new ImportError(lineNumber, $"Gebietsstand {date:dd.MM.yyyy} weicht vom Gebietsstand {gebietsstand:dd.MM.yyyy} der ersten Zeile ab; eine Datei hat einen Gebietsstand."));
                continue;
            }
            records.Add(record!);
        }
        if (records.Count == 0 && errors.Count == 0) errors.Add(new ImportError(Math.Max(lineNumber, 1), "Die Datei enthält keine Sätze."));

        var rows = new List<ImportRow>();
        var notListed = new Dictionary<string, int>();
        if (errors.Count == 0) Build(records, rows, errors, notListed);
        var states = records.Where(r => r.Satzart == "10").Select(r => States.TryParse(r.Land, out var code) ? code : "").ToHashSet();
        return new ParseResult(errors.Count == 0 ? rows : [], errors.OrderBy(e => e.Line).ToList(), gebietsstand ?? default, states, notListed);
    }

    /// <summary>Checks one line against the layout of its Satzart.</summary>
    private static (Record? Record, string? Problem) ReadRecord(string line, int lineNumber)
    {
        var satzart = line.Length >= 2 ? line[..2] : line;
        if (satzart is not ("10" or "20" or "30" or "40" or "50" or "60"))
            return (null, $"Satzart '{satzart}' unbekannt (erlaubt: 10 Land, 20 Regierungsbezirk, 30 Region, 40 Kreis, 50 Gemeindeverband, 60 Gemeinde).");
        // Each Satzart must reach at least its last field the directory reads; longer than a record is not GV100AD.
        var needed = satzart switch { "60" => Gv100Layout.Bevoelkerung.To, "40" or "50" => Gv100Layout.Textkennzeichen.To, _ => Gv100Layout.Name.To };
        if (line.Length < needed)
            return (null, $"Satz {satzart} ist {line.Length} Zeichen lang; erwartet werden mindestens {needed} (Satzlänge {Gv100Layout.RecordLength}).");
        if (line.Length > Gv100Layout.RecordLength)
            return (null, $"Satz ist {line.Length} Zeichen lang; ein GV100AD-Satz hat {Gv100Layout.RecordLength}.");

        var problems = new List<string>();
        var date = Gv100Layout.Gebietsstand.Of(line);
        if (!DateOnly.TryParseExact(date, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            problems.Add($"Gebietsstand '{date}' (Stellen 3–10) ist kein Datum JJJJMMTT");

        // The key fields each Satzart fills; the others must be blank.
        var filled = satzart switch
        {
            "10" => new[] { Gv100Layout.Land },
            "20" => [Gv100Layout.Land, Gv100Layout.Regierungsbezirk],
            "30" => [Gv100Layout.Land, Gv100Layout.Regierungsbezirk, Gv100Layout.Region],
            "40" => [Gv100Layout.Land, Gv100Layout.Regierungsbezirk, Gv100Layout.Kreis],
            "50" => [Gv100Layout.Land, Gv100Layout.Regierungsbezirk, Gv100Layout.Kreis, Gv100Layout.Gemeindeverband],
            _ => [Gv100Layout.Land, Gv100Layout.Regierungsbezirk, Gv100Layout.Kreis, Gv100Layout.Gemeinde, Gv100Layout.Gemeindeverband],
        };
        foreach (var field in filled)
        {
            var value = field.Of(line);
            if (!value.All(char.IsAsciiDigit)) problems.Add($"{field.Label} '{value}' (Stellen {field.From}–{field.To}) ist nicht numerisch");
        }
        var land = Gv100Layout.Land.Of(line);
        if (land.All(char.IsAsciiDigit) && !States.TryParse(land, out _)) problems.Add($"Land '{land}' ist keine Landeskennung 01–16");

        var name = Gv100Layout.Name.Of(line).Trim();
        if (name.Length == 0) problems.Add("Name (Stellen 23–72) fehlt");
        else if (TextInput.Problem(name, TextKind.Line) is { } nameProblem) problems.Add("Name " + nameProblem.TrimEnd('.'));

        var kind = "";
        if (satzart is "40" or "50" or "60")
        {
            kind = Gv100Layout.Textkennzeichen.Of(line);
            var allowed = Gv100Layout.Kinds.Keys.Where(k => k[0] == satzart[0]).ToList();
            if (!allowed.Contains(kind)) problems.Add($"Textkennzeichen '{kind}' (Stellen 123–124) ist für Satz {satzart} nicht erlaubt ({string.Join(", ", allowed)})");
        }

        long areaHa = 0;
        var population = 0;
        if (satzart == "60")
        {
            var area = Gv100Layout.FlaecheHa.Of(line);
            if (!long.TryParse(area, NumberStyles.None, CultureInfo.InvariantCulture, out areaHa))
                problems.Add($"Fläche '{area.Trim()}' (Stellen 129–139) ist keine ganze Zahl von Hektar");
            var people = Gv100Layout.Bevoelkerung.Of(line);
            if (!int.TryParse(people, NumberStyles.None, CultureInfo.InvariantCulture, out population))
                problems.Add($"Bevölkerung '{people.Trim()}' (Stellen 140–150) ist keine ganze Zahl ≥ 0");
        }
        if (problems.Count > 0) return (null, string.Join("; ", problems) + ".");

        var kreis5 = satzart is "40" or "50" or "60" ? line.Substring(10, 5) : "";
        return (new Record(lineNumber, satzart, land, kreis5, satzart == "60" ? Gv100Layout.Gemeinde.Of(line) : "",
            satzart is "50" or "60" ? Gv100Layout.Gemeindeverband.Of(line) : "", name, kind, areaHa, population), null);
    }

    /// <summary>Checks how the records fit together and builds the directory rows.</summary>
    private static void Build(List<Record> records, List<ImportRow> rows, List<ImportError> errors, Dictionary<string, int> notListed)
    {
        void Duplicates(IEnumerable<Record> list, Func<Record, string> key, string what)
        {
            foreach (var group in list.GroupBy(key).Where(g => g.Count() > 1))
                foreach (var again in group.Skip(1)) errors.Add(new ImportError(again.Line, $"{what} {group.Key} steht schon in Zeile {group.First().Line}."));
        }
        var kreise = records.Where(r => r.Satzart == "40").ToList();
        var verbaende = records.Where(r => r.Satzart == "50").ToList();
        var gemeinden = records.Where(r => r.Satzart == "60").ToList();
        Duplicates(records.Where(r => r.Satzart == "10"), r => r.Land, "Land");
        Duplicates(kreise, r => r.Kreis5, "Kreis");
        Duplicates(verbaende, r => r.Kreis5 + r.Verband, "Gemeindeverband");
        Duplicates(gemeinden, r => r.Kreis5 + r.Gem, "Gemeinde");
        if (errors.Count > 0) return;

        var kreisByKey = kreise.ToDictionary(k => k.Kreis5);
        var membersOfKreis = gemeinden.ToLookup(g => g.Kreis5);
        foreach (var g in gemeinden)
        {
            var ags = g.Kreis5 + g.Gem;
            if (!kreisByKey.TryGetValue(g.Kreis5, out var kreis))
            {
                errors.Add(new ImportError(g.Line, $"Gemeinde {ags}: ihr Kreis {g.Kreis5} hat keinen Satz 40 in der Datei."));
                continue;
            }
            var cityKreis = kreis.Kind is "41" or "42";
            var cityGemeinde = g.Kind is "61" or "62";
            if (cityGemeinde && (!cityKreis || g.Gem != "000"))
                errors.Add(new ImportError(g.Line, $"Gemeinde {ags} ist als {Gv100Layout.Kinds[g.Kind]} gekennzeichnet, aber nur die Gemeinde 000 eines kreisfreien Kreises (Satz 40 mit 41/42) kann das sein."));
            else if (cityKreis && !cityGemeinde)
                errors.Add(new ImportError(g.Line, $"Gemeinde {ags} liegt im Kreis {g.Kreis5}, der {Gv100Layout.Kinds[kreis.Kind]} ist; ihr Textkennzeichen muss 61 oder 62 sein."));
        }
        foreach (var v in verbaende.Where(v => !kreisByKey.ContainsKey(v.Kreis5)))
            errors.Add(new ImportError(v.Line, $"Gemeindeverband {v.Kreis5}{v.Verband}: sein Kreis {v.Kreis5} hat keinen Satz 40 in der Datei."));
        foreach (var k in kreise.Where(k => k.Kind is "41" or "42" && !membersOfKreis[k.Kreis5].Any(g => g.Gem == "000")))
            errors.Add(new ImportError(k.Line, $"Kreis {k.Kreis5} ist {Gv100Layout.Kinds[k.Kind]}, aber die Datei hat keinen Gemeindesatz 60 {k.Kreis5}000 mit Fläche und Bevölkerung."));
        if (errors.Count > 0) return;

        string StateOf(string land) => States.TryParse(land, out var code) ? code : throw new InvalidOperationException("checked above");
        foreach (var k in kreise.Where(k => k.Kind is "43" or "44" or "45"))
        {
            var members = membersOfKreis[k.Kreis5].ToList();
            rows.Add(new ImportRow(k.Line, k.Kreis5, TextInput.Normalise(OfficialNames.District(k.Name, k.Kind == "43" ? "Kreis" : "Landkreis")), MunicipalityType.Landkreis,
                StateOf(k.Land), null, SumPopulation(members, k.Line, errors), members.Sum(m => m.AreaHa), null));
        }
        foreach (var v in verbaende)
        {
            if (v.Kind != "53")
            {
                if (v.Kind != "50") notListed[Gv100Layout.Kinds[v.Kind]] = notListed.GetValueOrDefault(Gv100Layout.Kinds[v.Kind]) + 1;
                continue;
            }
            var members = membersOfKreis[v.Kreis5].Where(g => g.Verband == v.Verband).ToList();
            rows.Add(new ImportRow(v.Line, v.Kreis5 + v.Verband, TextInput.Normalise(OfficialNames.WithoutDesignation(v.Name)), MunicipalityType.Verbandsgemeinde,
                StateOf(v.Land), v.Kreis5, SumPopulation(members, v.Line, errors), members.Sum(m => m.AreaHa), null));
        }
        foreach (var g in gemeinden)
        {
            MunicipalityType? type = g.Kind switch
            {
                "61" or "62" => MunicipalityType.KreisfreieStadt,
                "63" or "67" => MunicipalityType.Stadt,
                "60" or "64" => MunicipalityType.Gemeinde,
                _ => null,
            };
            if (type is null)
            {
                notListed[Gv100Layout.Kinds[g.Kind]] = notListed.GetValueOrDefault(Gv100Layout.Kinds[g.Kind]) + 1;
                continue;
            }
            rows.Add(new ImportRow(g.Line, g.Kreis5 + g.Gem, TextInput.Normalise(OfficialNames.WithoutDesignation(g.Name)), type.Value, StateOf(g.Land),
                type == MunicipalityType.KreisfreieStadt ? null : g.Kreis5, g.Population, g.AreaHa, null));
        }
    }

    private static int SumPopulation(List<Record> members, int line, List<ImportError> errors)
    {
        var sum = members.Sum(m => (long)m.Population);
        if (sum <= int.MaxValue) return (int)sum;
        errors.Add(new ImportError(line, $"Die Bevölkerung der Gemeinden ({sum}) übersteigt, was das Verzeichnis speichern kann."));
        return 0;
    }
}
