using System.Net;
using AngleSharp.Dom;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Backoffice.Cases;
using OpenIkz.Backoffice.Documents;
using OpenIkz.Infrastructure.Http;
using OpenIkz.Tests.Backoffice;
using static OpenIkz.Tests.Backoffice.Agreements;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>
/// Issue 7, section 4: bad input never reaches a 500 and never leaves anything behind. One test for each input that
/// answered 500 and each that was accepted although wrong. Runs on SQLite and on PostgreSQL.
/// </summary>
public abstract class BadInputTests(OpenIkzApp fixture)
{
    private OpenIkzApp app => fixture.Require();

    private const string Placeholder = "XXPLACEHOLDERXX";

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>The issue's application with one string value replaced by raw JSON bytes (an escape or invalid UTF-8).</summary>
    private static byte[] Application(Action<Dictionary<string, object?>> change, byte[] raw)
    {
        var body = BackofficeFixture.KfzApplication();
        change(body);
        var text = JsonSerializer.Serialize(body);
        var at = text.IndexOf(Placeholder, StringComparison.Ordinal);
        Assert.True(at > 0);
        return [.. Utf8(text[..at]), .. raw, .. Utf8(text[(at + Placeholder.Length)..])];
    }

    private static Dictionary<string, object?> Applicant(Dictionary<string, object?> body) => (Dictionary<string, object?>)body["applicant"]!;
    private static Dictionary<string, object?> Attachment(Dictionary<string, object?> body) => (Dictionary<string, object?>)((object[])body["attachments"]!)[0];

    private static Task<HttpResponseMessage> PostRawAsync(HttpClient client, string path, byte[] body, bool idempotencyKey = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        if (idempotencyKey) request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return client.SendAsync(request);
    }

    /// <summary>Asserts a 400 problem naming <paramref name="field"/> and that nothing was stored.</summary>
    private async Task<JsonElement> AssertRefusedAsync(Func<Task<HttpResponseMessage>> send, string field, int status = 400)
    {
        var before = await InputSnapshot.TakeAsync(app);
        var problem = await (await send()).AssertProblemAsync(status);
        Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _), $"no error for '{field}': {problem}");
        Assert.Empty(before.Diff(await InputSnapshot.TakeAsync(app)));
        return problem;
    }

    private async Task<string> FrankenthalCaseAsync() =>
        await (await app.PortalAsync(BackofficeFixture.Frankenthal)).SubmitOkAsync(BackofficeFixture.KfzApplication(familyName: "Eingabe" + Guid.NewGuid().ToString("N")[..6]));

    // --- the ten inputs that answered 500 ---

    [SkippableFact]
    public async Task Intake_LoneSurrogateInAValue_Is400NamingTheField()
    {
        var portal = await app.PortalAsync(BackofficeFixture.Frankenthal);
        await AssertRefusedAsync(() => PostRawAsync(portal, "/api/v1/applications", Application(b => Applicant(b)["givenName"] = Placeholder, Utf8("\\uD800")), true), "applicant.givenName");
    }

    [SkippableFact]
    public async Task Intake_LoneSurrogateInAFormKey_Is400NamingTheForm()
    {
        var portal = await app.PortalAsync(BackofficeFixture.Frankenthal);
        var body = Application(b => b["form"] = new Dictionary<string, object?> { [Placeholder] = "x" }, Utf8("\\uDC00"));
        await AssertRefusedAsync(() => PostRawAsync(portal, "/api/v1/applications", body, true), "form");
    }

    [SkippableFact]
    public async Task Intake_LoneSurrogateInAFileName_Is400NamingTheFileName()
    {
        var portal = await app.PortalAsync(BackofficeFixture.Frankenthal);
        await AssertRefusedAsync(() => PostRawAsync(portal, "/api/v1/applications", Application(b => Attachment(b)["fileName"] = Placeholder, Utf8("zb2\\uD83D.pdf")), true),
            "attachments[0].fileName");
    }

    [SkippableFact]
    public async Task Intake_InvalidUtf8_EncodedSurrogate_Is400NamingTheBody()
    {
        var portal = await app.PortalAsync(BackofficeFixture.Frankenthal);
        await AssertRefusedAsync(() => PostRawAsync(portal, "/api/v1/applications", Application(b => Applicant(b)["familyName"] = Placeholder, [0xED, 0xA0, 0x80]), true), "$");
    }

    [SkippableFact]
    public async Task Intake_OverlongUtf8_Is400NamingTheBody()
    {
        var portal = await app.PortalAsync(BackofficeFixture.Frankenthal);
        await AssertRefusedAsync(() => PostRawAsync(portal, "/api/v1/applications", Application(b => Applicant(b)["familyName"] = Placeholder, [0xC0, 0xAF]), true), "$");
    }

    [SkippableFact]
    public async Task TypedEndpoint_InvalidUtf8_Is400NamingTheBody()
    {
        var lead = await app.ApiAsAsync("frankenthal.teamleitung");
        await AssertRefusedAsync(() => PostRawAsync(lead, "/api/v1/work/claim", [.. Utf8("{\"service\":\"kfz"), 0xC0, 0xAF, .. Utf8("\"}")]), "$");
    }

    [SkippableTheory]
    [InlineData("9999-12-30")]
    [InlineData("9999-12-31")]
    public async Task Absence_FarFutureDates_Are400NamingTheField(string date)
    {
        var lead = await app.ApiAsAsync("frankenthal.teamleitung");
        var clerkId = await app.Db.QuerySingleAsync<long>("SELECT id FROM users WHERE username = 'frankenthal.sachbearbeitung'");
        await AssertRefusedAsync(() => lead.PostAsJsonAsync("/api/v1/absences", new { userId = clerkId, from = date, to = date }), "from");
        var today = OpenIkz.Common.BerlinTime.Today(TimeProvider.System).ToString("yyyy-MM-dd");
        await AssertRefusedAsync(() => lead.PostAsJsonAsync("/api/v1/absences", new { userId = clerkId, from = today, to = date }), "to");
    }

    [SkippableTheory]
    [InlineData("9999-12-30")]
    [InlineData("31.12.9999")]
    public async Task PoolPage_AbsenceOnFarFutureDates_ShowsTheGermanErrorNextToTheField(string date)
    {
        var browser = app.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await OpenIkz.Tests.Ui.PagesTests.LoginAsync(browser, "frankenthal.teamleitung")).StatusCode);
        var page = await OpenIkz.Tests.Ui.PagesTests.ParseAsync(await browser.GetAsync("/Pool"));
        var form = page.QuerySelectorAll<AngleSharp.Html.Dom.IHtmlFormElement>("form").First(f => (f.GetAttribute("action") ?? "").Contains("handler=Absence", StringComparison.Ordinal));
        var token = form.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        var clerkId = await app.Db.QuerySingleAsync<long>("SELECT id FROM users WHERE username = 'frankenthal.sachbearbeitung'");
        var before = await InputSnapshot.TakeAsync(app);
        var response = await browser.PostAsync(form.GetAttribute("action"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["AbsentUserId"] = clerkId.ToString(System.Globalization.CultureInfo.InvariantCulture), ["AbsentFrom"] = date, ["AbsentTo"] = date,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await OpenIkz.Tests.Ui.PagesTests.ParseAsync(response);
        Assert.Contains("01.01.2000", answer.QuerySelector("#abwesenheit-von-fehler")?.TextContent ?? "");
        Assert.Empty(before.Diff(await InputSnapshot.TakeAsync(app)));
    }

    [SkippableFact]
    public async Task Agreement_StartingOn99991231_Is400_AndAnAmendmentOfOneStoredSoIs409()
    {
        var thale = await app.ApiAsAsync("thale.koordination");
        await AssertRefusedAsync(() => thale.PostAsJsonAsync("/api/v1/agreements",
            OpenIkz.Tests.Agreements.AgreementsApiTests.Draft([Thale, Halberstadt], validFrom: "9999-12-31")), "validFrom");

        // An agreement stored before the bound (e.g. imported) cannot be amended: there is no day after its start.
        var id = await app.CreateAgreementAsync(["elterngeld"], [(Thale, true, true), (Halberstadt, true, true)], from: new DateOnly(9999, 12, 31));
        var before = await InputSnapshot.TakeAsync(app);
        var problem = await (await thale.PostAsJsonAsync($"/api/v1/agreements/{id}/amendments", new { })).AssertProblemAsync(409);
        Assert.Equal("AmendmentStartOutOfRange", problem.GetProperty("rule").GetString());
        Assert.Empty(before.Diff(await InputSnapshot.TakeAsync(app)));
    }

    // --- accepted before, although wrong ---

    [SkippableFact]
    public async Task Note_WithNul_Is400_OverHttpAndInTheUseCase()
    {
        var caseId = await FrankenthalCaseAsync();
        var lead = await app.ApiAsAsync("frankenthal.teamleitung");
        await AssertRefusedAsync(() => lead.PostAsJsonAsync($"/api/v1/cases/{caseId}/notes", new { text = "Vermerk\0mit Null" }), "text");
        // The pages call the use case directly (form posts do not pass the JSON policy): it refuses too.
        var addNote = app.Services.GetRequiredService<AddNote>();
        var actor = new Actor(1, null, "x", "x", BackofficeFixture.Frankenthal, true, []);
        var refused = await Assert.ThrowsAsync<ValidationException>(() => addNote.HandleAsync(actor, caseId, "Vermerk\0mit Null"));
        Assert.Contains("text", refused.Errors.Keys);
    }

    [SkippableFact]
    public async Task Note_WithNul_InAFormPost_Is400WithTheGermanErrorPage()
    {
        var caseId = await FrankenthalCaseAsync();
        var browser = app.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await OpenIkz.Tests.Ui.PagesTests.LoginAsync(browser, "frankenthal.teamleitung")).StatusCode);
        var page = await OpenIkz.Tests.Ui.PagesTests.ParseAsync(await browser.GetAsync($"/Vorgaenge/{caseId}"));
        var form = page.QuerySelectorAll<AngleSharp.Html.Dom.IHtmlFormElement>("form").First(f => f.QuerySelector("textarea#vermerk-text") is not null);
        var token = form.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        var field = form.QuerySelector("textarea#vermerk-text")!.GetAttribute("name")!;
        var before = await InputSnapshot.TakeAsync(app);
        var response = await browser.PostAsync(form.GetAttribute("action"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, [field] = "Vermerk\0mit Null",
        }));
        // ASP.NET Core's form reader refuses NUL before any binding: the whole form is a bad request, not a server error.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var answer = await OpenIkz.Tests.Ui.PagesTests.ParseAsync(response);
        Assert.Contains("Ungültige Anfrage", answer.QuerySelector("h1")?.TextContent ?? "");
        Assert.Empty(before.Diff(await InputSnapshot.TakeAsync(app)));
    }

    [SkippableTheory]
    [InlineData("Erika\u202E")]
    [InlineData("Eri\u200Bka")]
    [InlineData("\uFEFFErika")]
    [InlineData("Erika\u2066x\u2069")]
    public async Task Intake_InvisibleOrBidiCharactersInNames_Are400(string name)
    {
        var portal = await app.PortalAsync(BackofficeFixture.Frankenthal);
        var body = BackofficeFixture.KfzApplication();
        Applicant(body)["givenName"] = name;
        await AssertRefusedAsync(() => portal.SubmitAsync(body), "applicant.givenName");
    }

    [SkippableFact]
    public async Task Intake_BidiOverrideInAFileName_Is400()
    {
        var portal = await app.PortalAsync(BackofficeFixture.Frankenthal);
        var body = BackofficeFixture.KfzApplication();
        Attachment(body)["fileName"] = "rechnung\u202Efdp.exe";
        await AssertRefusedAsync(() => portal.SubmitAsync(body), "attachments[0].fileName");
    }

    [SkippableTheory]
    [InlineData("rechnung\u202Efdp.exe")]
    [InlineData("rech\u200Dnung.pdf")]
    [InlineData("rechnung\u200F.pdf")]
    public async Task AddDocument_BidiOrZeroWidthInTheFileName_Is400_AndWritesNoFile(string fileName)
    {
        var caseId = await FrankenthalCaseAsync();
        var lead = await app.ApiAsAsync("frankenthal.teamleitung");
        await AssertRefusedAsync(() => lead.PostAsJsonAsync($"/api/v1/cases/{caseId}/documents", new
        {
            documentType = "zulassungsbescheinigung-teil-2", fileName, contentType = "application/pdf", contentBase64 = Convert.ToBase64String(BackofficeFixture.Pdf()),
        }), "fileName");
    }

    [SkippableFact]
    public async Task CreateUser_BidiOrZeroWidthInTheDisplayName_Is400()
    {
        var admin = await app.ApiAsAsync("frankenthal.admin");
        foreach (var name in new[] { "Anna\u202EBerg", "An\u200Bna", "Anna\0" })
            await AssertRefusedAsync(() => admin.PostAsJsonAsync("/api/v1/users", new
            {
                username = "anna" + Guid.NewGuid().ToString("N")[..6], displayName = name, password = "ein-langes-Passwort-123", roles = new[] { "Sachbearbeitung" }, services = Array.Empty<string>(),
            }), name.Contains('\0') ? "displayName" : "displayName");
    }

    [SkippableFact]
    public async Task DuplicateKeys_Are400NamingTheKey_InTheIntakeAndInTypedEndpoints()
    {
        var caseId = await FrankenthalCaseAsync();
        var lead = await app.ApiAsAsync("frankenthal.teamleitung");
        await AssertRefusedAsync(() => PostRawAsync(lead, $"/api/v1/cases/{caseId}/notes", Utf8("{\"text\":\"harmlos\",\"text\":\"anders\"}")), "text");

        var portal = await app.PortalAsync(BackofficeFixture.Frankenthal);
        var body = Application(b => Applicant(b)["givenName"] = Placeholder, Utf8("Erika\",\"givenName\":\"Mallory"));
        await AssertRefusedAsync(() => PostRawAsync(portal, "/api/v1/applications", body, true), "applicant.givenName");
    }

    [SkippableFact]
    public async Task NumbersSentAsStrings_Are400NamingTheField()
    {
        var lead = await app.ApiAsAsync("frankenthal.teamleitung");
        var clerkId = await app.Db.QuerySingleAsync<long>("SELECT id FROM users WHERE username = 'frankenthal.sachbearbeitung'");
        var today = OpenIkz.Common.BerlinTime.Today(TimeProvider.System).ToString("yyyy-MM-dd");
        var body = $"{{\"userId\":\"{clerkId}\",\"from\":\"{today}\",\"to\":\"{today}\"}}";
        await AssertRefusedAsync(() => PostRawAsync(lead, "/api/v1/absences", Utf8(body)), "userId");
        var caseId = await FrankenthalCaseAsync();
        await AssertRefusedAsync(() => PostRawAsync(lead, $"/api/v1/cases/{caseId}/assignment", Utf8($"{{\"userId\":\"{clerkId}\"}}")), "userId");
    }

    [SkippableFact]
    public async Task RefusedUploads_LeaveNoFile()
    {
        var caseId = await FrankenthalCaseAsync();
        var lead = await app.ApiAsAsync("frankenthal.teamleitung");
        var pdf = BackofficeFixture.Pdf("nur einmal");
        // valid file, wrong document type: refused after the access check, before the file is written
        await AssertRefusedAsync(() => lead.PostAsJsonAsync($"/api/v1/cases/{caseId}/documents", new
        {
            documentType = "gibt-es-nicht", fileName = "a.pdf", contentType = "application/pdf", contentBase64 = Convert.ToBase64String(pdf),
        }), "documentType");

        // an application with a valid attachment but a bad field elsewhere
        var portal = await app.PortalAsync(BackofficeFixture.Frankenthal);
        var body = BackofficeFixture.KfzApplication(pdf: pdf);
        Applicant(body)["birthDate"] = "1800-01-01";
        await AssertRefusedAsync(() => portal.SubmitAsync(body), "applicant.birthDate");

        // an application for another municipality (403)
        var other = BackofficeFixture.KfzApplication(ags: BackofficeFixture.Ludwigshafen, pdf: pdf);
        await AssertRefusedAsync(() => portal.SubmitAsync(other), "municipality", 403);
        Assert.False(app.Services.GetRequiredService<IFileStore>().Exists(ContentHash.Sha256(pdf)));
    }
}

public sealed class BadInputTestsSqlite(SqliteApp app) : BadInputTests(app), IClassFixture<SqliteApp>;
public sealed class BadInputTestsPostgres(PostgresApp app) : BadInputTests(app), IClassFixture<PostgresApp>;

/// <summary>The text rule and the JSON policy as functions, without a host.</summary>
public sealed class TextInputTests
{
    [Theory]
    [InlineData("Müller", TextKind.Line, true)]
    [InlineData("Zeile 1\nZeile 2\tmit Tab", TextKind.Paragraphs, true)]
    [InlineData("Zeile 1\nZeile 2", TextKind.Line, false)]
    [InlineData("a\0b", TextKind.Paragraphs, false)]
    [InlineData("a\u0007b", TextKind.Paragraphs, false)]
    [InlineData("a\u0085b", TextKind.Paragraphs, false)]
    [InlineData("rechnung\u202Efdp.exe", TextKind.Line, false)]
    [InlineData("rechnung\u202Efdp.exe", TextKind.Paragraphs, false)]
    [InlineData("a\u2067b", TextKind.Paragraphs, false)]
    [InlineData("a\u200Bb", TextKind.Line, false)]
    [InlineData("a\u200Db", TextKind.Paragraphs, true)]
    [InlineData("a\u2060b", TextKind.Line, false)]
    [InlineData("\uFEFFa", TextKind.Line, false)]
    [InlineData("a\u061Cb", TextKind.Line, false)]
    [InlineData("Emoji \uD83D\uDE00", TextKind.Line, true)]
    [InlineData("a\uFFFF", TextKind.Line, false)]
    public void Problem_FollowsTheRule(string text, TextKind kind, bool acceptable) => Assert.Equal(acceptable, TextInput.IsAcceptable(text, kind));

    [Fact]
    public void LoneSurrogates_AreRefused() // not as InlineData: xunit's serialisation would replace them
    {
        Assert.False(TextInput.IsAcceptable("a" + (char)0xD800 + "b", TextKind.Paragraphs));
        Assert.False(TextInput.IsAcceptable("a" + (char)0xDC00, TextKind.Line));
        Assert.False(TextInput.IsAcceptable((char)0xDE00 + "" + (char)0xD83D, TextKind.Line));
    }

    [Fact]
    public void Normalise_TrimsAndComposes() => Assert.Equal("M\u00FCller", TextInput.Normalise("  Mu\u0308ller "));

    [Fact]
    public void FileName_WithBidiOverride_IsRefused()
    {
        Assert.Null(FileTypes.SanitiseFileName("rechnung\u202Efdp.exe"));
        Assert.Equal("Rechnung.pdf", FileTypes.SanitiseFileName(" Rechnung.pdf "));
    }

    [Fact]
    public void InputDates_BoundTheYears()
    {
        Assert.True(InputDates.InRange(new DateOnly(2026, 5, 1)));
        Assert.False(InputDates.InRange(new DateOnly(9999, 12, 31)));
        Assert.False(InputDates.InRange(new DateOnly(1999, 12, 31)));
    }

    [Theory]
    [InlineData("{\"a\":1}", null)]
    [InlineData("{\"a\":1,\"a\":2}", "a")]
    [InlineData("{\"x\":{\"b\":[1,{\"c\":\"\\uD800\"}]}}", "x.b[1].c")]
    [InlineData("{\"x\":[\"ok\",\"\\u0000\"]}", "x[1]")]
    [InlineData("{\"x\":{\"\\uDC00\":1}}", "x")]
    [InlineData("{\"a\":1,}", "$")]
    [InlineData("{\"a\":\"\\uD83D\\uDE00\"}", null)]
    public void StrictJson_NamesThePlace(string json, string? path) => Assert.Equal(path, StrictJson.Check(Encoding.UTF8.GetBytes(json))?.Path);

    [Fact]
    public void StrictJson_RefusesOverlongUtf8AndDeepNesting()
    {
        Assert.Equal("$", StrictJson.Check([.. "{\"a\":\""u8.ToArray(), 0xC0, 0xAF, .. "\"}"u8.ToArray()])?.Path);
        Assert.Equal("$", StrictJson.Check(Encoding.UTF8.GetBytes(new string('[', 40) + new string(']', 40)))?.Path);
    }
}
