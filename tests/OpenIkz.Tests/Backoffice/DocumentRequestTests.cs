using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using MimeKit;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Backoffice;

/// <summary>
/// „Unterlagen anfordern“: a letter in the owner's name goes into the e-file (PDF), and where the applicant gave an
/// e-mail address it goes out through MailKit to a real SMTP server (smtp4dev), read back with its PDF attached.
/// Runs on SQLite and on PostgreSQL.
/// </summary>
public abstract class DocumentRequestMailTests
{
    private readonly OpenIkzApp _app;
    private readonly Smtp4dev _smtp;

    protected DocumentRequestMailTests(OpenIkzApp app, Smtp4dev smtp)
    {
        _app = app;
        _smtp = smtp;
        smtp.ConfigureFor(app);
    }

    private OpenIkzApp app
    {
        get
        {
            _smtp.Require();
            return _app.Require();
        }
    }

    /// <summary>Claims a Kfz case of Frankenthal as its clerk and gives the applicant <paramref name="email"/>.</summary>
    private async Task<(HttpClient Clerk, string CaseId, string Reference, string OwnerName)> ClaimedAsync(string? email)
    {
        var clerk = await app.ApiAsAsync("frankenthal.sachbearbeitung");
        var claimed = await (await clerk.ClaimAsync("kfz-zulassung")).ReadJsonAsync();
        var id = claimed.GetProperty("id").GetString()!;
        await app.Db.ExecuteAsync("UPDATE cases SET applicant_email = @Email WHERE id = @Id", new { Email = email, Id = id });
        return (clerk, id, claimed.GetProperty("reference").GetString()!, claimed.GetProperty("ownerName").GetString()!);
    }

    private static object Request(string message) => new { until = OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(14).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), message };

    [SkippableFact]
    public async Task Request_PutsTheLetterIntoTheEFile_AndMailsItWithThePdf_ToTheApplicant()
    {
        var address = $"antrag-{app.Database.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}@example.org";
        var (clerk, id, reference, owner) = await ClaimedAsync(address);
        var response = await clerk.PostAsJsonAsync($"/api/v1/cases/{id}/document-request", Request("Bitte senden Sie die eVB-Nummer Ihrer Versicherung."));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.ReadJsonAsync();
        Assert.True(answer.GetProperty("applicantHasEmail").GetBoolean());
        Assert.True(answer.GetProperty("emailSent").GetBoolean());

        // The letter in the e-file, in the owner's name, with the message and the deadline.
        var (docType, hash) = await app.Db.QuerySingleAsync<(string, string)>("SELECT document_type, sha256 FROM case_documents WHERE case_id = @Id AND document_type = 'unterlagenanforderung'", new { Id = id });
        Assert.Equal("unterlagenanforderung", docType);
        var case_ = await (await clerk.GetAsync($"/api/v1/cases/{id}")).ReadJsonAsync();
        var doc = case_.GetProperty("documents").EnumerateArray().Single(d => d.GetProperty("documentType").GetString() == "unterlagenanforderung");
        Assert.Equal(doc.GetProperty("id").GetString(), answer.GetProperty("letterDocumentId").GetString());
        Assert.Equal("Anforderung von Unterlagen", doc.GetProperty("documentLabel").GetString());
        var pdf = await (await clerk.GetAsync($"/api/v1/cases/{id}/documents/{doc.GetProperty("id").GetString()}")).Content.ReadAsByteArrayAsync();
        var text = string.Join(" ", PdfText.ExtractStrings(pdf));
        Assert.Contains(owner, text); // in the owner's name (the claim may give a partner's case)
        Assert.Contains(reference, text);
        Assert.Contains("eVB-Nummer", text);

        // The e-mail, with the letter's text and the same PDF attached.
        var mail = await _smtp.WaitForAsync(address);
        Assert.Equal($"Ihr Antrag {reference}: Bitte reichen Sie Unterlagen nach", mail.Subject);
        Assert.Contains("Bitte senden Sie die eVB-Nummer Ihrer Versicherung.", mail.Body);
        Assert.Contains("Das Schreiben liegt dieser E-Mail als PDF bei.", mail.Body);
        using var source = new MemoryStream(await _smtp.DownloadAsync(mail.Id));
        var mime = await MimeMessage.LoadAsync(source);
        var attachment = Assert.Single(mime.Attachments.OfType<MimePart>());
        Assert.Equal($"Anforderung-{reference}.pdf", attachment.FileName);
        using var content = new MemoryStream();
        await attachment.Content!.DecodeToAsync(content);
        Assert.Equal(hash, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content.ToArray())));
    }

    [SkippableFact]
    public async Task Request_WithoutAnEmailAddress_SendsNothing_AndThePageSaysToSendItByPost()
    {
        var (_, id, _, _) = await ClaimedAsync(null);
        var browser = app.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await Ui.PagesTests.LoginAsync(browser, "frankenthal.sachbearbeitung")).StatusCode);
        var page = await Ui.PagesTests.ParseAsync(await browser.GetAsync($"/Vorgaenge/{id}"));
        var form = page.QuerySelector<IHtmlFormElement>("form[action*='handler=RequestDocuments']")!;
        var token = form.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        var posted = await browser.PostAsync(form.GetAttribute("action"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["Until"] = OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["RequestText"] = "Bitte reichen Sie den Personalausweis nach.",
        }));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var after = await Ui.PagesTests.ParseAsync(await browser.GetAsync($"/Vorgaenge/{id}"));
        Assert.Contains("keine E-Mail-Adresse angegeben: bitte senden Sie es per Post", after.QuerySelector("[role=status]")!.TextContent);
        Assert.Equal(1, await app.CountAsync("case_documents", "case_id = @Id AND document_type = 'unterlagenanforderung'", new { Id = id }));
    }
}

public sealed class DocumentRequestMailTestsSqlite(SqliteApp app, Smtp4dev smtp) : DocumentRequestMailTests(app, smtp), IClassFixture<SqliteApp>, IClassFixture<Smtp4dev>;
public sealed class DocumentRequestMailTestsPostgres(PostgresApp app, Smtp4dev smtp) : DocumentRequestMailTests(app, smtp), IClassFixture<PostgresApp>, IClassFixture<Smtp4dev>;

/// <summary>Demo mode without an SMTP server: the e-mail is written to the data folder's mail directory, and the page says so.</summary>
public sealed class DocumentRequestDemoFolderTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Demo_WritesTheEmailToTheMailFolder()
    {
        var clerk = await app.ApiAsAsync("frankenthal.sachbearbeitung");
        var claimed = await (await clerk.ClaimAsync("kfz-zulassung")).ReadJsonAsync();
        var id = claimed.GetProperty("id").GetString()!;
        var reference = claimed.GetProperty("reference").GetString()!;
        await app.Db.ExecuteAsync("UPDATE cases SET applicant_email = 'demo-antrag@example.org' WHERE id = @Id", new { Id = id });
        var response = await clerk.PostAsJsonAsync($"/api/v1/cases/{id}/document-request",
            new { until = OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(7).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), message = "Bitte senden Sie die Vollmacht." });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await response.ReadJsonAsync()).GetProperty("emailSent").GetBoolean()); // written to the demo mail folder
        var folder = Path.Combine(app.DataDirectory, "mail");
        var files = System.IO.Directory.GetFiles(folder, "*.eml");
        var messages = files.Select(f => MimeMessage.Load(f)).Where(m => (m.Subject ?? "").Contains(reference, StringComparison.Ordinal)).ToList();
        var message = Assert.Single(messages);
        Assert.Equal("demo-antrag@example.org", message.To.Mailboxes.Single().Address);
        Assert.Contains("Bitte senden Sie die Vollmacht.", message.TextBody ?? "");
        Assert.Single(message.Attachments);
    }
}
