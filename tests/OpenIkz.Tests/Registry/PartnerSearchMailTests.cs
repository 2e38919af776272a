using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Registry;

/// <summary>
/// The e-mail copy of an interest notice, through MailKit to a real SMTP server (smtp4dev), read back through the
/// server's API; the in-app notice is there with or without it. Runs on SQLite and on PostgreSQL.
/// </summary>
public abstract class PartnerSearchMailTests
{
    private readonly OpenIkzApp _app;
    private readonly Smtp4dev _smtp;

    protected PartnerSearchMailTests(OpenIkzApp app, Smtp4dev smtp)
    {
        _app = app;
        _smtp = smtp;
        // Before the app's host is built (the first request); the same values every time.
        smtp.ConfigureFor(app, appUrl: "https://ikz.example/");
    }

    private OpenIkzApp app
    {
        get
        {
            _smtp.Require();
            return _app.Require();
        }
    }

    private const string Base = "/api/v1/registry/partner-searches";

    private async Task<long> SearchOfAsync(HttpClient coordinator, string title)
    {
        var response = await coordinator.PostAsJsonAsync(Base, new
        {
            taskField = "archiv", title, description = "Wir suchen Partner für die gemeinsame Betreuung unseres Archivs.",
            until = BerlinTime.Today(app.Clock).AddDays(30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        });
        var json = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, json.ToString());
        return json.GetProperty("id").GetInt64();
    }

    [SkippableFact]
    public async Task Interest_SendsAnEmail_ToTheSearchingMunicipalitysAddress_AndKeepsTheInAppNotice()
    {
        var address = $"partnersuche-{app.Database.ToString().ToLowerInvariant()}@quedlinburg.example";
        await app.Db.ExecuteAsync("UPDATE municipalities SET email = @Email WHERE ags = '15085235'", new { Email = address });
        var quedlinburg = await app.ApiAsAsync("quedlinburg.koordination");
        var id = await SearchOfAsync(quedlinburg, "Archivverbund Quedlinburg");

        var response = await (await app.ApiAsAsync("thale.koordination")).PostAsJsonAsync($"{Base}/{id}/interest", new { message = "Thale ist dabei.\nBitte rufen Sie an." });
        var json = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, json.ToString());
        Assert.True(json.GetProperty("mailed").GetBoolean(), json.ToString() + "\n" + _smtp.Output);

        var mail = await _smtp.WaitForAsync(address);
        Assert.Equal("openikz@ikz.example", mail.From);
        Assert.Equal([address], mail.To);
        Assert.Equal("Interesse an Ihrer Partnersuche „Archivverbund Quedlinburg“", mail.Subject);
        Assert.Contains("Thale hat über OpenIKZ Interesse an Ihrer Partnersuche „Archivverbund Quedlinburg“ (Aufgabenfeld Archiv) bekundet.", mail.Body);
        Assert.Contains("Thale ist dabei.", mail.Body);
        Assert.Contains($"https://ikz.example/Partnersuche/{id}", mail.Body);

        var notice = await app.Db.QuerySingleAsync<(string Text, DateTime? MailedAt)>("SELECT text, mailed_at FROM notifications WHERE link = @Link", new { Link = $"/Partnersuche/{id}" });
        Assert.Equal("Thale hat Interesse an Ihrer Partnersuche „Archivverbund Quedlinburg“ bekundet.", notice.Text);
        Assert.NotNull(notice.MailedAt);

        // The second click changes nothing and sends nothing.
        var again = await (await app.ApiAsAsync("thale.koordination")).PostAsJsonAsync($"{Base}/{id}/interest", new { });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        await Task.Delay(500);
        Assert.Equal(1, await _smtp.CountAsync(address));
    }

    [SkippableFact]
    public async Task Interest_WithoutAnAddressInTheDirectory_IsOnlyAnInAppNotice()
    {
        await app.Db.ExecuteAsync("UPDATE municipalities SET email = NULL WHERE ags = '15085227'");
        var nordharz = await app.ApiAsAsync("nordharz.koordination");
        var id = await SearchOfAsync(nordharz, "Archiv Nordharz");
        var json = await (await (await app.ApiAsAsync("huy.koordination")).PostAsJsonAsync($"{Base}/{id}/interest", new { })).ReadJsonAsync();
        Assert.False(json.GetProperty("mailed").GetBoolean());
        var notice = await app.Db.QuerySingleAsync<(string Ags, DateTime? MailedAt)>("SELECT recipient_ags, mailed_at FROM notifications WHERE link = @Link", new { Link = $"/Partnersuche/{id}" });
        Assert.Equal(("15085227", (DateTime?)null), notice);
    }
}

public sealed class PartnerSearchMailTestsSqlite(SqliteApp app, Smtp4dev smtp) : PartnerSearchMailTests(app, smtp), IClassFixture<SqliteApp>, IClassFixture<Smtp4dev>;
public sealed class PartnerSearchMailTestsPostgres(PostgresApp app, Smtp4dev smtp) : PartnerSearchMailTests(app, smtp), IClassFixture<PostgresApp>, IClassFixture<Smtp4dev>;
