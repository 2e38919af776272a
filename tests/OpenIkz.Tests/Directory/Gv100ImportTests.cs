using System.Diagnostics;
using System.Globalization;
using OpenIkz.Directory.Municipalities;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Tests.Infrastructure;
using static OpenIkz.Tests.Directory.Gv100Files;

namespace OpenIkz.Tests.Directory;

/// <summary>The GV100AD reader's rules, without a database.</summary>
public class Gv100ParseTests
{
    private static Gv100Import.ParseResult Parse(IEnumerable<string> lines) => Gv100Import.Parse(new StringReader(Text(lines)));

    [Fact]
    public void Parse_ARealGemeindeRecord_ReadsKeyNameAreaAndPopulationFromTheirPositions()
    {
        // Saarbrücken in the GV100AD of 30.04.2021, field by field as Destatis writes it.
        var line = "60" + "20210430" + "10041100" + "0100" + "Saarbrücken, Landeshauptstadt".PadRight(50) + new string(' ', 50) + "63" + "    "
            + "00000016752" + "00000180374" + "00000089528" + "    " + "66111" + "*****" + "  " + "1040" + "1109" + "55501" + "296   ";
        var lines = new[]
        {
            Land("10", "Saarland", "20210430"),
            Kreis("10041", "45", "Regionalverband Saarbrücken", "20210430"),
            line.PadRight(220),
        };
        var parsed = Parse(lines);
        Assert.Empty(parsed.Errors);
        Assert.Equal(new DateOnly(2021, 4, 30), parsed.Gebietsstand);
        var city = parsed.Rows.Single(r => r.Ags == "10041100");
        Assert.Equal(("Saarbrücken", MunicipalityType.Stadt, "SL", "10041", 180374, 16752L), (city.Name, city.Type, city.State, city.DistrictAgs, city.Population, city.AreaHa));
        var district = parsed.Rows.Single(r => r.Ags == "10041");
        Assert.Equal(("Regionalverband Saarbrücken", MunicipalityType.Landkreis, 180374, 16752L), (district.Name, district.Type, district.Population, district.AreaHa));
    }

    [Fact]
    public void Parse_TheGoodFile_MapsKreiseCitiesVerbandsgemeindenAndGemeinden()
    {
        var parsed = Parse(Good());
        Assert.Empty(parsed.Errors);
        var rows = parsed.Rows.ToDictionary(r => r.Ags);
        Assert.Equal(["05766", "05766004", "05766020", "07311000", "07337", "07337041", "07337042", "07337050", "073375003"], rows.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(("Kreis Lippe", MunicipalityType.Landkreis, "NW", (string?)null, 85_000, 16_874L), (rows["05766"].Name, rows["05766"].Type, rows["05766"].State, rows["05766"].DistrictAgs, rows["05766"].Population, rows["05766"].AreaHa));
        Assert.Equal(("Detmold", MunicipalityType.Stadt, "05766"), (rows["05766020"].Name, rows["05766020"].Type, rows["05766020"].DistrictAgs));
        Assert.Equal(MunicipalityType.Gemeinde, rows["05766004"].Type);
        Assert.Equal(("Frankenthal (Pfalz)", MunicipalityType.KreisfreieStadt, (string?)null, 48_000), (rows["07311000"].Name, rows["07311000"].Type, rows["07311000"].DistrictAgs, rows["07311000"].Population));
        // The Kreis's figures include the gemeindefreie Gebiet, which is not listed itself.
        Assert.Equal(("Landkreis Südliche Weinstraße", 11_900, 5_000L), (rows["07337"].Name, rows["07337"].Population, rows["07337"].AreaHa));
        Assert.Equal(("Herxheim", MunicipalityType.Verbandsgemeinde, "07337", 11_800, 4_400L), (rows["073375003"].Name, rows["073375003"].Type, rows["073375003"].DistrictAgs, rows["073375003"].Population, rows["073375003"].AreaHa));
        Assert.Equal(MunicipalityType.Gemeinde, rows["07337050"].Type); // Textkennzeichen 60, Markt
        Assert.Equal(new Dictionary<string, int> { ["Amt"] = 1, ["Gemeindefreies Gebiet, unbewohnt"] = 1 }, parsed.NotListed);
        Assert.Equal(["NW", "RP"], parsed.States.Order().ToArray());
    }

    public static TheoryData<string, Func<List<string>, List<string>>, string> BadFiles => new()
    {
        { "short line", f => Replace(f, "6020241231057660", l => l[..100]), "ist 100 Zeichen lang" },
        { "line longer than a record", f => Replace(f, "6020241231057660", l => l + "X"), "ein GV100AD-Satz hat 220" },
        { "bad Satzart", f => Replace(f, "6020241231057660", l => "70" + l[2..]), "Satzart '70' unbekannt" },
        { "non-numeric key", f => Replace(f, "6020241231057660", l => l[..15] + "X" + l[16..]), "Gemeinde 'X04' (Stellen 16–18) ist nicht numerisch" },
        { "non-numeric Gemeindeverband", f => Replace(f, "6020241231057660", l => l[..18] + "00A4" + l[22..]), "Gemeindeverband '00A4'" },
        { "bad population", f => Replace(f, "6020241231057660", l => l[..139] + "0000001O000" + l[150..]), "Bevölkerung '0000001O000' (Stellen 140–150)" },
        { "blank population", f => Replace(f, "6020241231057660", l => l[..139] + new string(' ', 11) + l[150..]), "Bevölkerung ''" },
        { "bad area", f => Replace(f, "6020241231057660", l => l[..128] + "-0000003904" + l[139..]), "Fläche '-0000003904'" },
        { "bad date", f => Replace(f, "6020241231057660", l => "6020241331" + l[10..]), "Gebietsstand '20241331'" },
        { "other Gebietsstand", f => Replace(f, "6020241231057660", l => "6020230630" + l[10..]), "weicht vom Gebietsstand 31.12.2024" },
        { "unknown Land", f => Replace(f, "6020241231057660", l => l[..10] + "17" + l[12..]), "Land '17'" },
        { "Textkennzeichen of another Satzart", f => Replace(f, "6020241231057660", l => l[..122] + "44" + l[124..]), "Textkennzeichen '44'" },
        { "empty name", f => Replace(f, "6020241231057660", l => l[..22] + new string(' ', 50) + l[72..]), "Name (Stellen 23–72) fehlt" },
        { "control character in name", f => Replace(f, "6020241231057660", l => l[..22] + "Aug\u0001stdorf".PadRight(50) + l[72..]), "Steuerzeichen" },
        { "Gemeinde without its Kreis", f => Replace(f, "6020241231057660", l => l[..10] + "05799" + l[15..]), "Kreis 05799 hat keinen Satz 40" },
        { "duplicate Gemeinde", f => Replace(f, "6020241231057660", l => l, duplicate: true), "steht schon in Zeile" },
        { "city key in a Landkreis", f => Replace(f, "6020241231057660", l => l[..122] + "61" + l[124..]), "nur die Gemeinde 000 eines kreisfreien Kreises" },
    };

    /// <summary>Changes the first record starting with <paramref name="start"/> (the first Gemeinde of Lippe, line 5).</summary>
    private static List<string> Replace(List<string> file, string start, Func<string, string> change, bool duplicate = false)
    {
        var index = file.FindIndex(l => l.StartsWith(start, StringComparison.Ordinal));
        if (duplicate) file.Insert(index + 1, file[index]);
        else file[index] = change(file[index]);
        return file;
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Parse_AMalformedRecord_IsRefusedWithItsLineNumber_AndNoRowIsReturned(string what, Func<List<string>, List<string>> spoil, string expected)
    {
        var file = spoil(Good());
        var parsed = Parse(file);
        var error = Assert.Single(parsed.Errors);
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{what}: {error}");
        Assert.Equal(what == "duplicate Gemeinde" ? 6 : 5, error.Line);
        Assert.Empty(parsed.Rows);
    }

    [Fact]
    public void Parse_AKreisfreieStadtWithoutItsGemeindeRecord_IsRefusedAtTheKreisRecord()
    {
        var file = Good().Where(l => !l.StartsWith("602024123107311000", StringComparison.Ordinal)).ToList();
        var error = Assert.Single(Parse(file).Errors);
        Assert.Equal(LineOf(file, "402024123107311"), error.Line);
        Assert.Contains("keinen Gemeindesatz 60 07311000", error.Message);
    }

    [Fact]
    public void Parse_EveryBadRecordIsReported_InLineOrder()
    {
        var file = Good();
        file[2] = file[2][..50];
        file[8] = "99" + file[8][2..];
        file.Add("");
        file.Add("12345");
        Assert.Equal([3, 9, 20], Parse(file).Errors.Select(e => e.Line).ToArray());
    }

    [Fact]
    public void Parse_AnEmptyFile_IsRefused() => Assert.Contains("keine Sätze", Assert.Single(Parse([]).Errors).Message);

    [Fact]
    public void Decode_ReadsUtf8_AndFallsBackToLatin1()
    {
        Assert.Equal("Südliche", Gv100Import.Decode(System.Text.Encoding.UTF8.GetBytes("Südliche")));
        Assert.Equal("Südliche", Gv100Import.Decode(System.Text.Encoding.Latin1.GetBytes("Südliche")));
    }
}

/// <summary>The GV100AD import on a real database of its own. Runs on SQLite and on PostgreSQL.</summary>
public abstract class Gv100ImportTests(TestDatabase kind) : OwnDatabaseTest(kind, "gv100")
{
    private async Task<Db> MigratedAsync()
    {
        RequireDatabase();
        var db = OpenDatabase();
        await new MigrationRunner(db).MigrateAsync();
        return db;
    }

    private static Task<Gv100Result> ImportAsync(Db db, IEnumerable<string> lines) => new Gv100Import(db).ImportAsync(new StringReader(Text(lines)));

    private static async Task<List<string>> RowsAsync(Db db) => (await db.QueryAsync<string>(
        "SELECT ags || '|' || name || '|' || type || '|' || state || '|' || COALESCE(district_ags, '-') || '|' || population || '|' || area_ha FROM municipalities ORDER BY ags")).ToList();

    [SkippableFact]
    public async Task Import_TheGoodFile_WritesTheRows_RecordsTheGebietsstand_AndAgainChangesNothing()
    {
        using var db = await MigratedAsync();
        var result = await ImportAsync(db, Good());
        Assert.True(result.Ok, string.Join("; ", result.Errors));
        var s = result.Summary!;
        Assert.Equal((2, 1, 1, 5, 9, 0), (s.Districts, s.CountyFreeCities, s.Verbandsgemeinden, s.Municipalities, s.Added, s.Updated));
        Assert.Equal(
        [
            "05766|Kreis Lippe|landkreis|NW|-|85000|16874",
            "05766004|Augustdorf|gemeinde|NW|05766|10000|3904",
            "05766020|Detmold|stadt|NW|05766|75000|12970",
            "07311000|Frankenthal (Pfalz)|kreisfreie-stadt|RP|-|48000|4388",
            "07337|Landkreis Südliche Weinstraße|landkreis|RP|-|11900|5000",
            "07337041|Herxheim bei Landau/Pfalz|gemeinde|RP|07337|11000|4000",
            "07337042|Herxheimweyher|gemeinde|RP|07337|800|400",
            "07337050|Marktdorf|gemeinde|RP|07337|100|100",
            "073375003|Herxheim|verbandsgemeinde|RP|07337|11800|4400",
        ], await RowsAsync(db));
        Assert.Equal("2024-12-31", await db.QuerySingleAsync<string>("SELECT value FROM instance_settings WHERE key = @K", new { K = Gv100Import.AsOfSetting }));
        var found = await new MunicipalityQueries(db).ListAsync(new MunicipalityFilter(Query: "herxheim"));
        Assert.Equal(3, found.Count);

        var before = await RowsAsync(db);
        var again = await ImportAsync(db, Good());
        Assert.Equal((0, 9), (again.Summary!.Added, again.Summary.Updated));
        Assert.Equal(before, await RowsAsync(db));
    }

    [SkippableFact]
    public async Task Import_OverExistingRows_UpdatesFigures_KeepsEinheitsgemeindeAndLeitwegId_AndReportsDistrictsNotInTheFile()
    {
        using var db = await MigratedAsync();
        var leitweg = "07311000-DEMO-" + LeitwegId.CheckDigits("07311000DEMO");
        var csv = "ags;name;type;state;district_ags;population;area_km2;leitweg_id\n"
            + $"07311000;Frankenthal (Pfalz);kreisfreie Stadt;RP;;49122;43,88;{leitweg}\n"
            + "05766;Kreis Lippe;Landkreis;NW;;1;1;\n05766004;Augustdorf;Einheitsgemeinde;NW;05766;1;1;\n"
            + "16056000;Eisenach;kreisfreie Stadt;TH;;42370;104,17;\n05111000;Düsseldorf;kreisfreie Stadt;NW;;1;1;\n";
        Assert.True((await new MunicipalityImport(db).ImportAsync(new StringReader(csv))).Ok);

        var result = await ImportAsync(db, Good());
        Assert.True(result.Ok, string.Join("; ", result.Errors));
        Assert.Equal((6, 3), (result.Summary!.Added, result.Summary.Updated));
        var queries = new MunicipalityQueries(db);
        var frankenthal = (await queries.FindAsync("07311000"))!;
        Assert.Equal((48000, leitweg), (frankenthal.Population, frankenthal.LeitwegId));
        var augustdorf = (await queries.FindAsync("05766004"))!;
        Assert.Equal((MunicipalityType.Einheitsgemeinde, 10000, 39.04m), (augustdorf.Type, augustdorf.Population, augustdorf.AreaKm2));
        // Düsseldorf (NW is in the file) is reported; Eisenach is in a state the file does not cover. Both stay.
        Assert.Equal(["05111000"], result.Summary.DirectoryOnly);
        Assert.Equal(1, (await queries.FindAsync("05111000"))!.Population);
        Assert.NotNull(await queries.FindAsync("16056000"));
    }

    [SkippableFact]
    public async Task Import_AMalformedFile_ImportsNothing()
    {
        using var db = await MigratedAsync();
        var file = Good();
        file[10] = file[10][..139] + "00000abc000" + file[10][150..];
        var result = await ImportAsync(db, file);
        Assert.Equal(11, Assert.Single(result.Errors).Line);
        Assert.Null(result.Summary);
        Assert.Equal(0, await db.QuerySingleAsync<int>("SELECT COUNT(*) FROM municipalities"));
        Assert.Equal(0, await db.QuerySingleAsync<int>("SELECT COUNT(*) FROM instance_settings WHERE key = @K", new { K = Gv100Import.AsOfSetting }));
    }

    [SkippableFact]
    public async Task Import_OfAFileAsLargeAsGermany_LoadsAll10800GemeindenInOneGo()
    {
        using var db = await MigratedAsync();
        // 400 Kreise of 27 Gemeinden each, spread over the 16 states: as many rows as the real Gemeindeverzeichnis.
        var lines = new List<string>();
        for (var state = 1; state <= 16; state++) lines.Add(Land(state.ToString("D2", CultureInfo.InvariantCulture), $"Land {state}"));
        for (var k = 0; k < 400; k++)
        {
            var kreis = (k % 16 + 1).ToString("D2", CultureInfo.InvariantCulture) + "0" + (k / 16 + 10).ToString("D2", CultureInfo.InvariantCulture);
            lines.Add(Kreis(kreis, "44", $"Testkreis {k}"));
            lines.Add(Verband(kreis, "5001", "53", $"Verband {k}"));
            for (var g = 1; g <= 27; g++)
                lines.Add(Gemeinde(kreis + g.ToString("D3", CultureInfo.InvariantCulture), "5001", g == 1 ? "63" : "64", $"Gemeinde {k}-{g}", 1000 + g, 500 + g));
        }
        var watch = Stopwatch.StartNew();
        var result = await ImportAsync(db, lines);
        watch.Stop();
        Assert.True(result.Ok, string.Join("; ", result.Errors.Take(3)));
        Assert.Equal((400, 400, 10_800), (result.Summary!.Districts, result.Summary.Verbandsgemeinden, result.Summary.Municipalities));
        Assert.Equal(11_600, await db.QuerySingleAsync<int>("SELECT COUNT(*) FROM municipalities"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"The import took {watch.Elapsed}.");
    }
}

public sealed class Gv100ImportTestsSqlite() : Gv100ImportTests(TestDatabase.Sqlite);
public sealed class Gv100ImportTestsPostgres() : Gv100ImportTests(TestDatabase.Postgres);
