using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Backoffice.Documents;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Backoffice;

/// <summary>Online applications through POST /api/v1/applications. Runs on SQLite and on PostgreSQL.</summary>
public abstract partial class IntakeTests(OpenIkzApp fixture)
{
    // Every use of the app checks first that its database is there (PostgreSQL: skip, or fail under OPENIKZ_REQUIRE_ALL_TESTS).
    private OpenIkzApp app => fixture.Require();

    [GeneratedRegex(@"^07311000-KFZ-\d{4}-\d{6}$")]
    private static partial Regex FrankenthalKfzReference();

    [SkippableFact]
    public async Task Submit_TheIssueExample_Is201WithReference_AndStoresTheFileByItsHash()
    {
        var portal = await app.Require().PortalAsync(BackofficeFixture.Frankenthal);
        var pdf = BackofficeFixture.Pdf();
        var response = await portal.SubmitAsync(BackofficeFixture.KfzApplication(pdf: pdf));
        var json = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Matches(FrankenthalKfzReference(), json.GetProperty("reference").GetString());
        var caseId = json.GetProperty("caseId").GetString()!;

        var sha = await app.Db.QuerySingleAsync<string>("SELECT sha256 FROM case_documents WHERE case_id = @Id", new { Id = caseId });
        Assert.Equal(ContentHash.Sha256(pdf), sha);
        var path = ((OpenIkz.Infrastructure.Files.FileSystemFileStore)app.Services.GetRequiredService<IFileStore>()).PathOf(sha);
        Assert.Equal(pdf, await File.ReadAllBytesAsync(path));
        Assert.True(await app.Db.QuerySingleAsync<bool>("SELECT complete FROM cases WHERE id = @Id", new { Id = caseId }));
        Assert.Equal("open", await app.Db.QuerySingleAsync<string>("SELECT status FROM cases WHERE id = @Id", new { Id = caseId }));
    }

    /// <summary>The same PDF as plain base64, with JSON escapes (\u002B, \/), with spaces in it, and in a chunked body without Content-Length: each stored byte for byte under one hash.</summary>
    [SkippableFact]
    public async Task Submit_Base64AsPlainEscapedOrSpacedText_AndAChunkedBody_StoreTheSameFile()
    {
        var portal = await app.Require().PortalAsync(BackofficeFixture.Frankenthal);
        // Content whose base64 has '+' and '/' in it.
        var pdf = BackofficeFixture.Pdf("Base64-Varianten").Concat(Enumerable.Range(0, 300).Select(i => (byte)(i % 3 == 0 ? 0xFB : i % 3 == 1 ? 0xFF : 0xBF))).ToArray();
        var plain = Convert.ToBase64String(pdf);
        Assert.Contains('+', plain);
        Assert.Contains('/', plain);
        var variants = new[]
        {
            plain,
            plain.Replace("+", "\\u002B").Replace("/", "\\/"),
            string.Join(' ', plain.Chunk(76).Select(c => new string(c))),
        };
        var hashes = new List<string>();
        foreach (var (text, i) in variants.Select((v, i) => (v, i)))
        {
            var body = JsonSerializer.Serialize(BackofficeFixture.KfzApplication(familyName: $"Variante{i}", pdf: [0x25]))
                .Replace("\"" + Convert.ToBase64String([0x25]) + "\"", "\"" + text + "\"");
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/applications")
            {
                Content = i < 2 ? new StringContent(body, Encoding.UTF8, "application/json") : new ChunkedContent(Encoding.UTF8.GetBytes(body)),
            };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            var response = await portal.SendAsync(request);
            var json = await response.ReadJsonAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"variant {i}: {json}");
            hashes.Add(await app.Db.QuerySingleAsync<string>("SELECT sha256 FROM case_documents WHERE case_id = @Id", new { Id = json.GetProperty("caseId").GetString() }));
        }
        Assert.All(hashes, h => Assert.Equal(ContentHash.Sha256(pdf), h));
        var path = ((OpenIkz.Infrastructure.Files.FileSystemFileStore)app.Services.GetRequiredService<IFileStore>()).PathOf(hashes[0]);
        Assert.Equal(pdf, await File.ReadAllBytesAsync(path));
    }

    /// <summary>
    /// Large bodies are read into a pooled buffer that is given back when the request ends: a shorter body after a longer
    /// one (the same buffer again) is stored byte for byte, and nothing of the first is taken along.
    /// </summary>
    [SkippableFact]
    public async Task Submit_ALargeBodyAfterALargerOne_StoresExactlyItsOwnFile()
    {
        var portal = await app.Require().PortalAsync(BackofficeFixture.Frankenthal);
        foreach (var (padding, i) in new[] { 90_000, 40_000, 60_000 }.Select((n, i) => (n, i)))
        {
            var pdf = BackofficeFixture.Pdf($"Gross {i}").Concat(Enumerable.Repeat((byte)('a' + i), padding)).ToArray();
            var response = await portal.SubmitAsync(BackofficeFixture.KfzApplication(familyName: $"Gross{i}", pdf: pdf));
            var json = await response.ReadJsonAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"body {i}: {json}");
            var sha = await app.Db.QuerySingleAsync<string>("SELECT sha256 FROM case_documents WHERE case_id = @Id", new { Id = json.GetProperty("caseId").GetString() });
            Assert.Equal(ContentHash.Sha256(pdf), sha);
            Assert.Equal($"Gross{i}", await app.Db.QuerySingleAsync<string>("SELECT applicant_family_name FROM cases WHERE id = @Id", new { Id = json.GetProperty("caseId").GetString() }));
        }
    }

    /// <summary>A body of unknown length (sent chunked).</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] bytes;
        public ChunkedContent(byte[] body) { bytes = body; Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json"); }
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(bytes).AsTask();
        protected override bool TryComputeLength(out long length) { length = 0; return false; }
    }

    [SkippableFact]
    public async Task Submit_WithoutRequiredDocuments_IsAcceptedButMarkedIncomplete()
    {
        var portal = await app.Require().PortalAsync(Agreements.Thale);
        var caseId = await portal.SubmitOkAsync(Agreements.WohngeldApplication(Agreements.Thale, complete: false));
        Assert.False(await app.Db.QuerySingleAsync<bool>("SELECT complete FROM cases WHERE id = @Id", new { Id = caseId }));
    }

    [SkippableFact]
    public async Task Submit_SameKeySameBody_ReturnsTheSameCase_AnotherBodyIs409()
    {
        var portal = await app.Require().PortalAsync(BackofficeFixture.Frankenthal);
        var body = BackofficeFixture.KfzApplication(familyName: "Idempotent");
        var first = await (await portal.SubmitAsync(body, "key-1")).ReadJsonAsync();
        var again = await portal.SubmitAsync(body, "key-1");
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(first.GetProperty("caseId").GetString(), (await again.ReadJsonAsync()).GetProperty("caseId").GetString());

        var other = BackofficeFixture.KfzApplication(familyName: "Anders");
        await (await portal.SubmitAsync(other, "key-1")).AssertProblemAsync(409);
        Assert.Equal(1, await app.CountAsync("cases", "applicant_family_name IN ('Idempotent', 'Anders')"));
    }

    [SkippableFact]
    public async Task Submit_TwentyConcurrentCallsWithOneKey_CreateOneCase()
    {
        var portal = await app.Require().PortalAsync(BackofficeFixture.Frankenthal);
        var body = BackofficeFixture.KfzApplication(familyName: "Gleichzeitig");
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => portal.SubmitAsync(body, "concurrent-key")));
        var ids = new HashSet<string>();
        foreach (var r in responses)
        {
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
            ids.Add((await r.ReadJsonAsync()).GetProperty("caseId").GetString()!);
        }
        Assert.Single(ids);
        Assert.Equal(1, await app.CountAsync("cases", "applicant_family_name = 'Gleichzeitig'"));
    }

    [SkippableFact]
    public async Task Submit_ConcurrentApplications_GetReferencesWithoutGapsOrDuplicates()
    {
        var portal = await app.Require().PortalAsync(Agreements.Halberstadt);
        var bodies = Enumerable.Range(0, 30).Select(i => Agreements.WohngeldApplication(Agreements.Halberstadt, "Serie" + i)).ToList();
        var responses = await Task.WhenAll(bodies.Select(b => portal.SubmitAsync(b)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var references = await app.Db.QueryAsync<string>("SELECT reference FROM cases WHERE owner_ags = @A AND service_slug = 'wohngeld'", new { A = Agreements.Halberstadt });
        var numbers = references.Select(r => int.Parse(r[^6..])).Order().ToList();
        Assert.Equal(Enumerable.Range(1, numbers.Count), numbers);
        Assert.All(references, r => Assert.StartsWith($"{Agreements.Halberstadt}-WG-", r));
    }

    private async Task AssertRefusedAsync(object body, int status, string field, string? key = null)
    {
        var portal = await app.Require().PortalAsync(BackofficeFixture.Frankenthal);
        var cases = await app.CountAsync("cases");
        var documents = await app.CountAsync("case_documents");
        var requests = await app.CountAsync("api_client_requests");
        var problem = await (await portal.SubmitAsync(body, key)).AssertProblemAsync(status);
        if (problem.TryGetProperty("errors", out var errors))
            Assert.True(errors.EnumerateObject().Any(e => e.Name.StartsWith(field, StringComparison.Ordinal)), $"no error for {field}: {errors}");
        else
            Assert.Fail($"no field errors in {problem}");
        Assert.Equal(cases, await app.CountAsync("cases"));
        Assert.Equal(documents, await app.CountAsync("case_documents"));
        Assert.Equal(requests, await app.CountAsync("api_client_requests"));
    }

    private static Dictionary<string, object?> With(Action<Dictionary<string, object?>> change)
    {
        var body = BackofficeFixture.KfzApplication(familyName: "Abgelehnt");
        change(body);
        return body;
    }

    private static Dictionary<string, object?> Attachment(Dictionary<string, object?> body) => (Dictionary<string, object?>)((object[])body["attachments"]!)[0];
    private static Dictionary<string, object?> Applicant(Dictionary<string, object?> body) => (Dictionary<string, object?>)body["applicant"]!;

    [SkippableFact] public Task Refused_WhenFieldsAreMissing() => AssertRefusedAsync(With(b => { Applicant(b).Remove("familyName"); ((Dictionary<string, object?>)b["form"]!).Remove("vin"); }), 400, "applicant.familyName");
    [SkippableFact] public Task Refused_WhenTypesAreWrong() => AssertRefusedAsync(With(b => Applicant(b)["birthDate"] = 19640812), 400, "applicant.birthDate");
    [SkippableFact] public Task Refused_WhenDateIsInvalid() => AssertRefusedAsync(With(b => Applicant(b)["birthDate"] = "1964-02-30"), 400, "applicant.birthDate");
    [SkippableFact] public Task Refused_WhenServiceIsUnknown() => AssertRefusedAsync(With(b => b["service"] = "hundesteuer"), 400, "service");
    [SkippableFact] public Task Refused_WhenCaseGroupIsUnknown() => AssertRefusedAsync(With(b => b["caseGroup"] = "diebstahl"), 400, "caseGroup");
    [SkippableFact] public Task Refused_WhenVinIsMalformed() => AssertRefusedAsync(With(b => ((Dictionary<string, object?>)b["form"]!)["vin"] = "WVWZZZ1JZXW00000I"), 400, "form.vin");
    [SkippableFact] public Task Refused_WhenMunicipalityIsNotTheClients() => AssertRefusedAsync(With(b => b["municipality"] = BackofficeFixture.Speyer), 403, "municipality");
    [SkippableFact] public Task Refused_WhenFileIsEmpty() => AssertRefusedAsync(With(b => Attachment(b)["contentBase64"] = ""), 400, "attachments[0].contentBase64");
    [SkippableFact] public Task Refused_WhenExeIsNamedPdf() => AssertRefusedAsync(With(b => Attachment(b)["contentBase64"] = Convert.ToBase64String([(byte)'M', (byte)'Z', 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xFF, 0xFF])), 400, "attachments[0].contentBase64");
    [SkippableFact] public Task Refused_WhenDeclaredTypeDoesNotMatchContent() => AssertRefusedAsync(With(b => Attachment(b)["contentType"] = "image/png"), 400, "attachments[0].contentType");
    [SkippableFact] public Task Refused_WhenFileNameTraversesPaths() => AssertRefusedAsync(With(b => Attachment(b)["fileName"] = "../../../etc/passwd.pdf"), 400, "attachments[0].fileName");
    [SkippableFact] public Task Refused_WhenBase64IsInvalid() => AssertRefusedAsync(With(b => Attachment(b)["contentBase64"] = "%%%nicht-base64%%%"), 400, "attachments[0].contentBase64");
    [SkippableFact] public Task Refused_WhenBase64HasACharacterAfterItsEnd() => AssertRefusedAsync(With(b => Attachment(b)["contentBase64"] = Convert.ToBase64String(BackofficeFixture.Pdf()) + "A"), 400, "attachments[0].contentBase64");

    [SkippableFact]
    public async Task Refused_WhenFileIsLargerThanTheLimit_With413()
    {
        var big = new byte[21 * 1024 * 1024];
        "%PDF-1.7\n"u8.CopyTo(big);
        await AssertRefusedAsync(With(b => Attachment(b)["contentBase64"] = Convert.ToBase64String(big)), 413, "attachments[0].contentBase64");
    }

    [SkippableFact]
    public async Task Refused_WithoutIdempotencyKeyOrAsNonJson()
    {
        var portal = await app.Require().PortalAsync(BackofficeFixture.Frankenthal);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/applications") { Content = new StringContent(JsonSerializer.Serialize(BackofficeFixture.KfzApplication()), Encoding.UTF8, "application/json") };
        await (await portal.SendAsync(request)).AssertProblemAsync(400);
        var form = new HttpRequestMessage(HttpMethod.Post, "/api/v1/applications") { Content = new StringContent("service=kfz", Encoding.UTF8, "application/x-www-form-urlencoded") };
        form.Headers.Add("Idempotency-Key", "x");
        await (await portal.SendAsync(form)).AssertProblemAsync(415);
        var broken = new HttpRequestMessage(HttpMethod.Post, "/api/v1/applications") { Content = new StringContent("{\"service\": ", Encoding.UTF8, "application/json") };
        broken.Headers.Add("Idempotency-Key", "y");
        await (await portal.SendAsync(broken)).AssertProblemAsync(400);
    }

    [SkippableFact]
    public async Task Submit_AsAUserInsteadOfAPortal_IsForbidden()
    {
        var clerk = await app.Require().ApiAsAsync("frankenthal.sachbearbeitung");
        await (await clerk.SubmitAsync(BackofficeFixture.KfzApplication())).AssertProblemAsync(403);
    }
}

public sealed class IntakeTestsSqlite(SqliteApp app) : IntakeTests(app), IClassFixture<SqliteApp>;
public sealed class IntakeTestsPostgres(PostgresApp app) : IntakeTests(app), IClassFixture<PostgresApp>;
