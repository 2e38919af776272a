using System.IO.Compression;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Backup;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;
using OpenIkz.Tests.Ui;

namespace OpenIkz.Tests.Backup;

/// <summary>
/// The administrators' backup page: the configured target with its state and a warning when no backup or drill exists;
/// a new key of the own municipality shown once (text and QR code), of which only the public part is stored; the export
/// of the own data, encrypted for the own key only, with none of another municipality's cases.
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

    [SkippableFact]
    public async Task TheExport_HoldsTheOwnMunicipalitysData_Only_EncryptedForItsOwnKey()
    {
        var app = App;
        var frankenthal = await app.PortalAsync(BackofficeFixture.Frankenthal);
        var ownCase = await frankenthal.SubmitOkAsync(BackofficeFixture.KfzApplication(BackofficeFixture.Frankenthal, familyName: "Ausfuhreigen"));
        var ludwigshafen = await app.PortalAsync(BackofficeFixture.Ludwigshafen);
        await ludwigshafen.SubmitOkAsync(BackofficeFixture.KfzApplication(BackofficeFixture.Ludwigshafen, familyName: "Ausfuhrfremd"));

        var browser = app.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(browser, "speyer.admin")).StatusCode);
        // Without an own key: refused next to the button, nothing given out.
        var page = await PagesTests.ParseAsync(await browser.GetAsync("/Verwaltung/Sicherungen"));
        var refused = await AgreementPagesTests.SubmitAsync(browser, page, "form[action*='Export']", new());
        Assert.Equal("text/html", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("noch keinen eigenen Schlüssel", (await PagesTests.ParseAsync(refused)).GetElementById("ausfuhr-fehler")!.TextContent);

        var keys = app.Services.GetRequiredService<BackupKeys>();
        var (_, own) = await keys.CreateAsync("municipality", BackofficeFixture.Frankenthal, null);
        var (_, other) = await keys.CreateAsync("municipality", BackofficeFixture.Ludwigshafen, null);
        using var __ = own;
        using var ___ = other;
        var admin = app.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(admin, "frankenthal.admin")).StatusCode);
        var form = await PagesTests.ParseAsync(await admin.GetAsync("/Verwaltung/Sicherungen"));
        var download = await AgreementPagesTests.SubmitAsync(admin, form, "form[action*='Export']", new());
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/octet-stream", download.Content.Headers.ContentType?.MediaType);
        var encrypted = await download.Content.ReadAsByteArrayAsync();
        Assert.DoesNotContain("Ausfuhreigen", System.Text.Encoding.Latin1.GetString(encrypted));

        await Assert.ThrowsAsync<BackupException>(() => BackupCrypto.DecryptToArrayAsync(new MemoryStream(encrypted), other, "the export"));
        var zipBytes = await BackupCrypto.DecryptToArrayAsync(new MemoryStream(encrypted), own, "the export");
        using var zip = new ZipArchive(new MemoryStream(zipBytes));
        string Text(string name) => new StreamReader(zip.GetEntry(name)!.Open()).ReadToEnd();
        var cases = Text("cases.jsonl");
        Assert.Contains("Ausfuhreigen", cases);
        Assert.Contains(ownCase, cases);
        Assert.DoesNotContain("Ausfuhrfremd", cases);
        Assert.All(cases.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Contains("\"owner_ags\":\"07311000\"", line));
        var sha = await app.Db.QuerySingleAsync<string>("SELECT sha256 FROM case_documents WHERE case_id = @Id", new { Id = ownCase });
        using (var doc = zip.GetEntry("documents/" + sha)!.Open())
            Assert.Equal(sha, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(doc)));
        Assert.Contains("\"municipality\": \"07311000\"", Text("manifest.json"));
        Assert.True(await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'backup.export' AND owner_ags = '07311000'") == 1);
    }
}

public sealed class BackupPageTestsSqlite(SqliteApp app) : BackupPageTests(app), IClassFixture<SqliteApp>;
public sealed class BackupPageTestsPostgres(PostgresApp app) : BackupPageTests(app), IClassFixture<PostgresApp>;
