using System.Net;
using System.Text.Json;
using OpenIkz.Directory.Municipalities;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Directory;

/// <summary>The directory on a real database: demo data, import, API. Runs on SQLite and on PostgreSQL.</summary>
public abstract class DirectoryDatabaseTests(OpenIkzApp fixture)
{
    // Every use of the app checks first that its database is there (PostgreSQL: skip, or fail under OPENIKZ_REQUIRE_ALL_TESTS).
    private OpenIkzApp app => fixture.Require();

    private MunicipalityImport Import => new(app.Require().Db);

    [SkippableFact]
    public async Task DemoData_WhenFirstStarted_HasTheHarzTableAndTheVorderpfalzPartners()
    {
        var client = app.Require().Api();
        var harz = await (await client.GetAsync("/api/v1/municipalities?district=15085")).ReadJsonAsync();
        Assert.Equal(15, harz.GetArrayLength()); // the district and its 14 Einheits-/Verbandsgemeinden
        var halberstadt = harz.EnumerateArray().Single(m => m.GetProperty("ags").GetString() == "15085135");
        Assert.Equal(38682, halberstadt.GetProperty("population").GetInt32());
        Assert.Equal(142.98m, halberstadt.GetProperty("areaKm2").GetDecimal());
        Assert.Equal("einheitsgemeinde", halberstadt.GetProperty("type").GetString());
        var sum = harz.EnumerateArray().Where(m => m.GetProperty("districtAgs").GetString() == "15085").Sum(m => m.GetProperty("population").GetInt32());
        Assert.Equal(209117, sum);

        // Rheinland-Pfalz: its 36 districts (DistrictImport), among them the four demo partners with their demo Leitweg-IDs,
        // and the Verbandsgemeinden Herxheim and Offenbach an der Queich of the register's demo entries (seeds/001).
        var rp = await (await client.GetAsync("/api/v1/municipalities?state=RP")).ReadJsonAsync();
        Assert.Equal(38, rp.GetArrayLength());
        var partners = rp.EnumerateArray().Where(m => m.GetProperty("leitwegId").ValueKind == JsonValueKind.String).ToList();
        // Every row of the demo CSV gets a demo Leitweg-ID: the four partners and the two Verbandsgemeinden of the register.
        Assert.Equal(["07311000", "07314000", "07318000", "073375004", "073375007", "07338"], partners.Select(m => m.GetProperty("ags").GetString()!).Order().ToArray());
        Assert.All(partners, m => Assert.True(LeitwegId.IsValid(m.GetProperty("leitwegId").GetString()!)));
    }

    [SkippableFact]
    public async Task Search_WhenQueryIsPartOfNameInAnyCaseOrUmlaut_FindsIt()
    {
        var client = app.Require().Api();
        var result = await (await client.GetAsync("/api/v1/municipalities?q=BROCKEN")).ReadJsonAsync();
        Assert.Equal("15085228", Assert.Single(result.EnumerateArray()).GetProperty("ags").GetString());
        var byKey = await (await client.GetAsync("/api/v1/municipalities?q=0731")).ReadJsonAsync();
        // The kreisfreie Städte 07311000 Frankenthal … 07319000 Worms
        Assert.Equal(Enumerable.Range(1, 9).Select(i => $"0731{i}000").ToArray(), byKey.EnumerateArray().Select(m => m.GetProperty("ags").GetString()!).Order().ToArray());
        var wildcard = await (await client.GetAsync("/api/v1/municipalities?q=%25")).ReadJsonAsync();
        Assert.Equal(0, wildcard.GetArrayLength()); // "%" is matched literally, not as a wildcard
        var byStateName = await (await client.GetAsync("/api/v1/municipalities?state=Sachsen-Anhalt")).ReadJsonAsync();
        Assert.Equal(29, byStateName.GetArrayLength()); // the Harz table (15), the other 13 districts of Sachsen-Anhalt and Barleben (KITU eG, a register entry)
    }

    [SkippableFact]
    public async Task GetMunicipality_WhenUnknown_Is404Problem()
    {
        var client = app.Require().Api();
        var ok = await (await client.GetAsync("/api/v1/municipalities/07338")).ReadJsonAsync();
        Assert.Equal("Rhein-Pfalz-Kreis", ok.GetProperty("name").GetString());
        await (await client.GetAsync("/api/v1/municipalities/99999999")).AssertProblemAsync(404);
    }

    [SkippableFact]
    public async Task Import_WhenAnyRowIsBad_ImportsNothingAndReportsEveryBadRow()
    {
        var csv = """
            ags;name;type;state;district_ags;population;area_km2
            07340;Südwestpfalz;Landkreis;RP;;95000;953,81
            07340001;Bad;Gemeinde;RP;07399;10;1
            07340002;Gut;Gemeinde;RP;07340;100;1,5
            0734000;Kurz;Gemeinde;RP;07340;100;1
            """;
        var result = await Import.ImportAsync(new StringReader(csv));
        Assert.False(result.Ok);
        Assert.Equal([3, 5], result.Errors.Select(e => e.Line).ToArray());
        Assert.Null(await new MunicipalityQueries(app.Db).FindAsync("07340002"));
        Assert.Equal(95113, (await new MunicipalityQueries(app.Db).FindAsync("07340"))!.Population); // as the district list has it, not updated
    }

    [SkippableFact]
    public async Task Import_WhenParentIsUnknown_ImportsNothing()
    {
        var result = await Import.ImportAsync(new StringReader("ags;name;type;state;district_ags;population;area_km2\n07399001;Irgendwo;Gemeinde;RP;07399;10;1"));
        Assert.Contains("07399", Assert.Single(result.Errors).Message);
        Assert.Null(await new MunicipalityQueries(app.Db).FindAsync("07399001"));
    }

    [SkippableFact]
    public async Task Import_WhenAllRowsAreValid_ImportsAndUpdates()
    {
        var csv = "ags;name;type;state;district_ags;population;area_km2;leitweg_id\n10042;Merzig-Wadern;Landkreis;SL;;103000;555,18;\n10042114;Mettlach;Gemeinde;SL;10042;12000;78,25;10042114-DEMO-" + LeitwegId.CheckDigits("10042114DEMO");
        var result = await Import.ImportAsync(new StringReader(csv));
        Assert.True(result.Ok, string.Join(", ", result.Errors));
        Assert.Equal(2, result.Imported);
        var town = await new MunicipalityQueries(app.Db).FindAsync("10042114");
        Assert.Equal(78.25m, town!.AreaKm2);
        Assert.Equal("10042", town.DistrictAgs);

        var update = await Import.ImportAsync(new StringReader("ags;name;type;state;district_ags;population;area_km2\n10042114;Mettlach;Gemeinde;SL;10042;12100;78,25"));
        Assert.True(update.Ok);
        Assert.Equal(12100, (await new MunicipalityQueries(app.Db).FindAsync("10042114"))!.Population);
    }
}

public sealed class DirectoryDatabaseTestsSqlite(SqliteApp app) : DirectoryDatabaseTests(app), IClassFixture<SqliteApp>;
public sealed class DirectoryDatabaseTestsPostgres(PostgresApp app) : DirectoryDatabaseTests(app), IClassFixture<PostgresApp>;
