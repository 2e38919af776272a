using System.Net;
using OpenIkz.Tests.Infrastructure;
using OpenIkz.Tests.Ui;

namespace OpenIkz.Tests.Backup;

/// <summary>
/// The administrators' backup page: the configured target with its state and a warning when no backup or drill exists;
/// a new key of the own municipality shown once (text and QR code), of which only the public part is stored.
/// </summary>
public abstract class BackupPageTests(OpenIkzApp fixture)
{
    private OpenIkzApp App
    {
        get
        {
            var app = fixture.Require();
            app.Settings["OpenIkz:Backup:Targets:0:Name"] = "ludwigshafen";
            app.Settings["OpenIkz:Backup:Targets:0:Directory"] = Path.Combine(app.DataDirectory, "partner-share");
            return app;
        }
    }

    [SkippableFact]
    public async Task TheAdministration_SeesTheTargets_AndANewKeyOnce_OfWhichOnlyThePublicPartIsStored()
    {
        var app = App;
        var browser = app.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(browser, "frankenthal.admin")).StatusCode);
        var page = await PagesTests.ParseAsync(await browser.GetAsync("/Verwaltung/Sicherungen"));
        Assert.Contains("ludwigshafen", page.QuerySelector("#ziele-tabelle")!.ParentElement!.TextContent);
        var alerts = page.QuerySelectorAll("[role=alert]").Select(a => a.TextContent).ToList();
        Assert.Contains(alerts, a => a.Contains("Beim Ziel „ludwigshafen“ liegt noch keine Sicherung."));
        Assert.Contains(alerts, a => a.Contains("Für „ludwigshafen“ gab es noch keine Wiederherstellungsübung."));

        var created = await AgreementPagesTests.SubmitAsync(browser, page, "form[action*='CreateKey']", new());
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var shown = await PagesTests.ParseAsync(created);
        var secret = shown.GetElementById("privater-schluessel")!.TextContent.Trim();
        Assert.StartsWith("OIKZ-BACKUP-SECRET-KEY-1", secret);
        Assert.NotNull(shown.QuerySelector("img.oikz-qr[src^='data:image/png;base64,']"));
        using var key = OpenIkz.Backup.BackupPrivateKey.Parse(secret);
        Assert.Equal(key.PublicKey.Text, await app.Db.QuerySingleAsync<string>("SELECT public_key FROM backup_recipients WHERE municipality_ags = '07311000' ORDER BY id DESC LIMIT 1"));
        Assert.Equal(0, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM backup_recipients WHERE public_key LIKE '%SECRET%' OR label LIKE '%SECRET%'"));

        var again = await PagesTests.ParseAsync(await browser.GetAsync("/Verwaltung/Sicherungen"));
        Assert.Null(again.GetElementById("privater-schluessel"));
        Assert.Contains(key.PublicKey.KeyId, again.QuerySelector("#schluessel-tabelle")!.ParentElement!.TextContent);
    }
}

public sealed class BackupPageTestsSqlite(SqliteApp app) : BackupPageTests(app), IClassFixture<SqliteApp>;
public sealed class BackupPageTestsPostgres(PostgresApp app) : BackupPageTests(app), IClassFixture<PostgresApp>;
