using System.Net;
using OpenIkz.Directory.Municipalities;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Directory;

/// <summary>The district list the build embeds (npm package landkreise-deutschland 3.0.0), without a database.</summary>
public class DistrictListTests
{
    private static ImportRow Row(string ags) => DistrictImport.Districts.Single(d => d.Ags == ags);

    [Fact]
    public void Districts_AreAll401OfGermany_294LandkreiseAnd107KreisfreieStaedte_WithDestatisTotalPopulation()
    {
        var districts = DistrictImport.Districts;
        Assert.Equal(DistrictImport.Count, districts.Count);
        Assert.Equal(401, districts.Select(d => d.Ags).Distinct().Count());
        Assert.Equal(294, districts.Count(d => d.Type == MunicipalityType.Landkreis));
        Assert.Equal(107, districts.Count(d => d.Type == MunicipalityType.KreisfreieStadt));
        Assert.All(districts, d => Assert.Equal(d.Type == MunicipalityType.Landkreis ? 5 : 8, d.Ags.Length));
        Assert.All(districts.Where(d => d.Type == MunicipalityType.KreisfreieStadt), d => Assert.EndsWith("000", d.Ags));
        Assert.All(districts, d => Assert.StartsWith(States.PrefixOf(d.State), d.Ags));
        Assert.All(districts, d => Assert.Null(d.DistrictAgs));
        Assert.Equal(16, districts.Select(d => d.State).Distinct().Count());
        // Destatis: 83,019,213 inhabitants in Germany on 31.12.2018; the districts add up to exactly that.
        Assert.Equal(83_019_213L, districts.Sum(d => (long)d.Population));
    }

    [Theory]
    [InlineData("05766", "Kreis Lippe", MunicipalityType.Landkreis, "NW", 348391, 124622)]
    [InlineData("05958", "Hochsauerlandkreis", MunicipalityType.Landkreis, "NW", 260475, 196017)]
    [InlineData("05162", "Rhein-Kreis Neuss", MunicipalityType.Landkreis, "NW", 451007, 57628)]
    [InlineData("05334", "Städteregion Aachen", MunicipalityType.Landkreis, "NW", 555465, 70691)]
    [InlineData("07337", "Landkreis Südliche Weinstraße", MunicipalityType.Landkreis, "RP", 110356, 63993)]
    [InlineData("07335", "Landkreis Kaiserslautern", MunicipalityType.Landkreis, "RP", 106057, 64000)]
    [InlineData("07312000", "Kaiserslautern", MunicipalityType.KreisfreieStadt, "RP", 99845, 13970)]
    [InlineData("10041", "Regionalverband Saarbrücken", MunicipalityType.Landkreis, "SL", 329708, 41095)]
    [InlineData("03241", "Region Hannover", MunicipalityType.Landkreis, "NI", 1157624, 229713)]
    [InlineData("08111000", "Stuttgart", MunicipalityType.KreisfreieStadt, "BW", 634830, 20733)]
    [InlineData("11000000", "Berlin", MunicipalityType.KreisfreieStadt, "BE", 3644826, 89112)]
    [InlineData("02000000", "Hamburg", MunicipalityType.KreisfreieStadt, "HH", 1841179, 75509)]
    [InlineData("04012000", "Bremerhaven", MunicipalityType.KreisfreieStadt, "HB", 113634, 10153)]
    [InlineData("15085", "Landkreis Harz", MunicipalityType.Landkreis, "ST", 214446, 210472)]
    // Kreisfrei until 30.06.2021, part of the Wartburgkreis since (docs/REGISTRY.md): listed as on 31.12.2018.
    [InlineData("16056000", "Eisenach", MunicipalityType.KreisfreieStadt, "TH", 42370, 10417)]
    [InlineData("16063", "Wartburgkreis", MunicipalityType.Landkreis, "TH", 123025, 130744)]
    public void Districts_MapKeyNameTypeStateAndFigures(string ags, string name, MunicipalityType type, string state, int population, long areaHa)
    {
        var row = Row(ags);
        Assert.Equal((name, type, state, population, areaHa), (row.Name, row.Type, row.State, row.Population, row.AreaHa));
    }

    [Theory]
    [InlineData("05766;Kreis;Lippe;DEA45;1246.22;348391;170965;177426;280\n05766;Kreis;Lippe;DEA45;1246.22;348391;170965;177426;280", "line 3", "repeats")]
    [InlineData("5766;Kreis;Lippe;DEA45;1246.22;348391;170965;177426;280", "line 2", "5 digits")]
    [InlineData("05766;Bezirk;Lippe;DEA45;1246.22;348391;170965;177426;280", "line 2", "unknown type 'Bezirk'")]
    [InlineData("05766;Kreis;Lippe;DEA45;1246.22;viele;170965;177426;280", "line 2", "population")]
    [InlineData("05766;Kreis;Lippe;DEA45;1246.225;348391;170965;177426;280", "line 2", "area")]
    [InlineData("05766;Kreis;Lippe;DEA45;1246.22;348391", "line 2", "6 columns")]
    public void Parse_WhenThePackageDataIsNotAsExpected_Throws_NamingTheLine(string body, string line, string problem)
    {
        var error = Assert.Throws<InvalidOperationException>(() => DistrictImport.Parse(new StringReader(
            "AGS;type;name;NUTS3;area_km2;population;population_male;population_female;population_per_km2\n" + body)));
        Assert.Contains(line, error.Message);
        Assert.Contains(problem, error.Message);
    }
}

/// <summary>The districts at demo start and in a fresh directory, on a real database. Runs on SQLite and on PostgreSQL.</summary>
public abstract class DistrictImportDemoTests(OpenIkzApp fixture)
{
    private OpenIkzApp app => fixture.Require();

    private Task<int> DistrictRowsAsync() => app.Db.QuerySingleAsync<int>("SELECT COUNT(*) FROM municipalities WHERE type IN ('landkreis', 'kreisfreie-stadt')");

    [SkippableFact]
    public async Task DemoStart_LoadsAll401Districts_AndTheDemoRowsKeepTheirOwnFigures()
    {
        Assert.Equal(401, await DistrictRowsAsync());
        var queries = new MunicipalityQueries(app.Db);
        // The seed's figures (Demo/SOURCES.md), not the district list's 214,446 inhabitants and 2,104.72 km².
        var harz = (await queries.FindAsync("15085"))!;
        Assert.Equal((209117, 2104.91m, "Landkreis Harz"), (harz.Population, harz.AreaKm2, harz.Name));
        var speyer = (await queries.FindAsync("07318000"))!;
        Assert.Equal((51203, 42.71m), (speyer.Population, speyer.AreaKm2));
        Assert.Equal(156346, (await queries.FindAsync("07338"))!.Population); // the list has 154,201
        Assert.NotNull(speyer.LeitwegId);
        // A district the demo does not name has the figures of the list and no Leitweg-ID.
        var lippe = (await queries.FindAsync("05766"))!;
        Assert.Equal((348391, 1246.22m, MunicipalityType.Landkreis, "NW"), (lippe.Population, lippe.AreaKm2, lippe.Type, lippe.State));
        Assert.Null(lippe.LeitwegId);
        var response = await app.Api().GetAsync("/api/v1/municipalities/11000000");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [SkippableFact]
    public async Task ImportAgain_AddsNothing_AndChangesNoRow()
    {
        var before = await SnapshotAsync();
        var result = await new DistrictImport(app.Db).ImportAsync();
        Assert.Equal((0, 401), (result.Added, result.Kept));
        Assert.Equal(before, await SnapshotAsync());
    }

    private async Task<List<string>> SnapshotAsync() => (await app.Db.QueryAsync<string>(
        "SELECT ags || '|' || name || '|' || type || '|' || population || '|' || area_ha || '|' || COALESCE(leitweg_id, '') FROM municipalities ORDER BY ags")).ToList();
}

public sealed class DistrictImportDemoTestsSqlite(SqliteApp app) : DistrictImportDemoTests(app), IClassFixture<SqliteApp>;
public sealed class DistrictImportDemoTestsPostgres(PostgresApp app) : DistrictImportDemoTests(app), IClassFixture<PostgresApp>;

/// <summary>The districts import into a directory of its own (no demo data). Runs on SQLite and on PostgreSQL.</summary>
public abstract class DistrictImportTests(TestDatabase kind) : OwnDatabaseTest(kind, "districts")
{
    private async Task<Db> MigratedAsync()
    {
        RequireDatabase();
        var db = OpenDatabase();
        await new MigrationRunner(db).MigrateAsync();
        return db;
    }

    [SkippableFact]
    public async Task Import_IntoADirectoryWithOneCity_AddsThe400Others_KeepsTheCity_AndIsIdempotent()
    {
        using var db = await MigratedAsync();
        var csv = await new MunicipalityImport(db).ImportAsync(new StringReader("ags;name;type;state;district_ags;population;area_km2\n07311000;Frankenthal (Pfalz);kreisfreie Stadt;RP;;49122;43,88"));
        Assert.True(csv.Ok);

        var first = await new DistrictImport(db).ImportAsync();
        Assert.Equal((400, 1), (first.Added, first.Kept));
        Assert.Equal(401, await db.QuerySingleAsync<int>("SELECT COUNT(*) FROM municipalities"));
        var frankenthal = (await new MunicipalityQueries(db).FindAsync("07311000"))!;
        Assert.Equal((49122, "Frankenthal (Pfalz)"), (frankenthal.Population, frankenthal.Name)); // not the list's 48,561

        var second = await new DistrictImport(db).ImportAsync();
        Assert.Equal((0, 401), (second.Added, second.Kept));
        Assert.Equal(401, await db.QuerySingleAsync<int>("SELECT COUNT(*) FROM municipalities"));
        // Searchable like every row: the folded name is stored.
        Assert.Equal("05766", Assert.Single(await new MunicipalityQueries(db).ListAsync(new MunicipalityFilter(Query: "lippe", State: "NW"))).Ags);
    }
}

public sealed class DistrictImportTestsSqlite() : DistrictImportTests(TestDatabase.Sqlite);
public sealed class DistrictImportTestsPostgres() : DistrictImportTests(TestDatabase.Postgres);
