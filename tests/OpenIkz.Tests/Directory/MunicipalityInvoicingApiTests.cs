using System.Net;
using System.Net.Http.Json;
using AngleSharp.Dom;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Directory;

/// <summary>The invoicing data of a municipality over HTTP: who may read and change it, and the field checks. Runs on SQLite and on PostgreSQL.</summary>
public abstract class MunicipalityInvoicingApiTests(OpenIkzApp fixture)
{
    private const string Thale = "15085330", Speyer = "07318000";
    private OpenIkzApp app => fixture.Require();

    private static object Valid(string telephone = "+49 30 23125 900") => new
    {
        authorityName = "Stadtkasse Thale", street = "Rathausstraße 1", postalCode = "06502", city = "Thale",
        iban = "DE89 3704 0044 0532 0130 00", bic = "cobadeffxxx", email = "kasse@thale.example", telephone,
        leitwegId = "15085330-DEMO-" + OpenIkz.Directory.Municipalities.LeitwegId.CheckDigits("15085330DEMO"), openingHours = "Mo–Fr 8–12 Uhr, Do 14–18 Uhr",
    };

    [SkippableFact]
    public async Task Put_ByOwnAdministration_StoresNormalisedData_AndGetReturnsIt()
    {
        var admin = await app.ApiAsAsync("thale.admin");

        var put = await admin.PutAsJsonAsync($"/api/v1/municipalities/{Thale}/invoicing", Valid());
        var json = await put.ReadJsonAsync();

        Assert.True(put.StatusCode == HttpStatusCode.OK, json.ToString());
        Assert.Equal("DE89370400440532013000", json.GetProperty("iban").GetString());
        Assert.Equal("COBADEFFXXX", json.GetProperty("bic").GetString());
        Assert.Equal("Mo–Fr 8–12 Uhr, Do 14–18 Uhr", json.GetProperty("openingHours").GetString());
        var clerk = await app.ApiAsAsync("thale.sachbearbeitung");
        var read = await (await clerk.GetAsync($"/api/v1/municipalities/{Thale}/invoicing")).ReadJsonAsync();
        Assert.Equal("+49 30 23125 900", read.GetProperty("telephone").GetString());
        Assert.Equal("06502", await app.Db.QuerySingleAsync<string>("SELECT address_postal_code FROM municipalities WHERE ags = @A", new { A = Thale }));
    }

    [SkippableFact]
    public async Task Put_WithEveryFieldBad_NamesEachFieldInGerman_AndChangesNothing()
    {
        var admin = await app.ApiAsAsync("thale.admin");
        var before = await app.Db.QuerySingleOrDefaultAsync<string>("SELECT telephone FROM municipalities WHERE ags = @A", new { A = Thale });

        var problem = await (await admin.PutAsJsonAsync($"/api/v1/municipalities/{Thale}/invoicing", new
        {
            authorityName = new string('x', 201), postalCode = "0650", iban = "DE89370400440532013001", bic = "COBA-DE", email = "kasse@thale",
            telephone = "0000", leitwegId = "15085330-DEMO-00", openingHours = "Mo\u0007",
        })).AssertProblemAsync(400);

        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "authorityName", "postalCode", "iban", "bic", "email", "telephone", "leitwegId", "openingHours" })
            Assert.True(errors.TryGetProperty(field, out var messages) && messages[0].GetString()!.Length > 0, field);
        Assert.Contains("Postleitzahl", errors.GetProperty("postalCode")[0].GetString());
        Assert.Contains("Modulo 97", errors.GetProperty("iban")[0].GetString());
        Assert.Contains("Telefonnummer", errors.GetProperty("telephone")[0].GetString());
        Assert.Equal(before, await app.Db.QuerySingleOrDefaultAsync<string>("SELECT telephone FROM municipalities WHERE ags = @A", new { A = Thale }));
    }

    [SkippableFact]
    public async Task Put_ByOtherRoleOfSameMunicipality_Is403_ByAdminOfOtherMunicipality_Is404()
    {
        foreach (var role in new[] { "thale.koordination", "thale.sachbearbeitung", "thale.teamleitung" })
            await (await (await app.ApiAsAsync(role)).PutAsJsonAsync($"/api/v1/municipalities/{Thale}/invoicing", Valid())).AssertProblemAsync(403);

        var otherAdmin = await app.ApiAsAsync("speyer.admin");
        await (await otherAdmin.PutAsJsonAsync($"/api/v1/municipalities/{Thale}/invoicing", Valid())).AssertProblemAsync(404);
        await (await otherAdmin.GetAsync($"/api/v1/municipalities/{Thale}/invoicing")).AssertProblemAsync(404);
        await (await otherAdmin.GetAsync("/api/v1/municipalities/99999999/invoicing")).AssertProblemAsync(404);
        Assert.Equal(HttpStatusCode.OK, (await otherAdmin.GetAsync($"/api/v1/municipalities/{Speyer}/invoicing")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Api().GetAsync($"/api/v1/municipalities/{Thale}/invoicing")).StatusCode);
    }

    [SkippableFact]
    public async Task Form_ForAdministration_ShowsGermanErrorNextToTheField()
    {
        var browser = app.Browser();
        await OpenIkz.Tests.Ui.PagesTests.LoginAsync(browser, "thale.admin");
        var form = await OpenIkz.Tests.Ui.PagesTests.ParseAsync(await browser.GetAsync("/Verwaltung/Rechnungsdaten"));
        var token = form.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;

        var response = await browser.PostAsync("/Verwaltung/Rechnungsdaten", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["PostalCode"] = "123", ["Telephone"] = "+49 30 23125 901",
        }));
        var page = await OpenIkz.Tests.Ui.PagesTests.ParseAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("fünf Ziffern", page.QuerySelector("#rd-plz-fehler")!.TextContent);
        Assert.Equal("true", page.QuerySelector("#rd-plz")!.GetAttribute("aria-invalid"));
        var clerk = app.Browser();
        await OpenIkz.Tests.Ui.PagesTests.LoginAsync(clerk, "thale.sachbearbeitung");
        Assert.NotEqual(HttpStatusCode.OK, (await clerk.GetAsync("/Verwaltung/Rechnungsdaten")).StatusCode);
    }
}

public sealed class MunicipalityInvoicingApiTestsSqlite(SqliteApp app) : MunicipalityInvoicingApiTests(app), IClassFixture<SqliteApp>;
public sealed class MunicipalityInvoicingApiTestsPostgres(PostgresApp app) : MunicipalityInvoicingApiTests(app), IClassFixture<PostgresApp>;
