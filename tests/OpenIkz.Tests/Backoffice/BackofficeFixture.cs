using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure.Pdf;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Backoffice;

/// <summary>Speaks the users' intent: a portal submits, a clerk claims and decides.</summary>
public static class BackofficeFixture
{
    public const string Frankenthal = "07311000", Ludwigshafen = "07314000", Speyer = "07318000", RheinPfalzKreis = "07338";

    public static byte[] Pdf(string text = "Zulassungsbescheinigung Teil II") =>
        new PdfDocumentBuilder(text, "Test", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)).Heading(text).Paragraph(Guid.NewGuid().ToString()).ToBytes();

    public static async Task<HttpClient> PortalAsync(this OpenIkzApp app, string ags)
    {
        var (_, secret) = await app.Services.GetRequiredService<AccessTokens>().CreateClientAsync(ags, "intake", "Portal " + ags + " " + Guid.NewGuid().ToString("N")[..6]);
        var client = app.Api();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    /// <summary>The body of the issue, for a given municipality (a real PDF attached).</summary>
    public static Dictionary<string, object?> KfzApplication(string ags = Frankenthal, string familyName = "Mustermann", byte[]? pdf = null) => new()
    {
        ["service"] = "kfz-zulassung",
        ["caseGroup"] = "neuzulassung",
        ["municipality"] = ags,
        ["applicant"] = new Dictionary<string, object?>
        {
            ["givenName"] = "Erika", ["familyName"] = familyName, ["birthDate"] = "1964-08-12", ["email"] = "erika@example.org",
            ["address"] = new Dictionary<string, object?> { ["street"] = "Rathausplatz 2", ["postalCode"] = "67227", ["city"] = "Frankenthal (Pfalz)" },
        },
        ["form"] = new Dictionary<string, object?> { ["vin"] = "WVWZZZ1JZXW000001", ["desiredPlate"] = "FT-AB 123" },
        ["attachments"] = new object[]
        {
            new Dictionary<string, object?>
            {
                ["documentType"] = "zulassungsbescheinigung-teil-2", ["fileName"] = "zb2.pdf", ["contentType"] = "application/pdf",
                ["contentBase64"] = Convert.ToBase64String(pdf ?? Pdf()),
            },
        },
    };

    public static Task<HttpResponseMessage> SubmitAsync(this HttpClient portal, object body, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/applications")
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return portal.SendAsync(request);
    }

    public static async Task<string> SubmitOkAsync(this HttpClient portal, object body)
    {
        var response = await portal.SubmitAsync(body);
        var json = await response.ReadJsonAsync();
        Assert.True((int)response.StatusCode == 201, json.ToString());
        return json.GetProperty("caseId").GetString()!;
    }

    public static Task<HttpResponseMessage> ClaimAsync(this HttpClient clerk, string service) =>
        clerk.PostAsJsonAsync("/api/v1/work/claim", new { service });

    /// <summary>Claims until the wanted case comes (cases of the demo data may come first).</summary>
    public static async Task ClaimUntilAsync(this HttpClient clerk, string service, string caseId)
    {
        for (var i = 0; i < 2000; i++)
        {
            var response = await clerk.ClaimAsync(service);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            if ((await response.ReadJsonAsync()).GetProperty("id").GetString() == caseId) return;
        }
        throw new InvalidOperationException("case never claimed");
    }

    public static async Task<int> CountAsync(this OpenIkzApp app, string table, string where = "1 = 1", object? param = null) =>
        await app.Db.QuerySingleAsync<int>($"SELECT COUNT(*) FROM {table} WHERE {where}", param);
}

public static class Agreements
{
    public const string Thale = "15085330", Quedlinburg = "15085235", Halberstadt = "15085135", Wernigerode = "15085370";

    /// <summary>Creates an agreement directly (its lifecycle UI is a later issue): members as (ags, contributes cases, contributes staff).</summary>
    public static async Task<long> CreateAgreementAsync(this OpenIkzApp app, string[] services, (string Ags, bool Cases, bool Staff)[] members,
        string status = "active", DateOnly? from = null, DateOnly? to = null)
    {
        var db = app.Db;
        var id = await db.QuerySingleAsync<long>("INSERT INTO agreements (title, status, valid_from, valid_to, created_at) VALUES (@T, @S, @F, @To, @Now) RETURNING id",
            new { T = "Testvereinbarung " + Guid.NewGuid().ToString("N")[..6], S = status, F = from ?? new DateOnly(2025, 1, 1), To = to, Now = DateTime.UtcNow });
        foreach (var s in services) await db.ExecuteAsync("INSERT INTO agreement_services (agreement_id, service_slug) VALUES (@Id, @S)", new { Id = id, S = s });
        foreach (var m in members)
            await db.ExecuteAsync("INSERT INTO agreement_members (agreement_id, municipality_ags, contributes_cases, contributes_staff) VALUES (@Id, @A, @C, @St)",
                new { Id = id, A = m.Ags, C = m.Cases, St = m.Staff });
        return id;
    }

    public static Dictionary<string, object?> WohngeldApplication(string ags, string familyName = "Beispiel", bool complete = true)
    {
        var attachments = new List<object>
        {
            new Dictionary<string, object?> { ["documentType"] = "einkommensnachweis", ["fileName"] = "einkommen.pdf", ["contentType"] = "application/pdf", ["contentBase64"] = Convert.ToBase64String(BackofficeFixture.Pdf("Einkommen")) },
        };
        if (complete)
            attachments.Add(new Dictionary<string, object?> { ["documentType"] = "mietvertrag", ["fileName"] = "miete.pdf", ["contentType"] = "application/pdf", ["contentBase64"] = Convert.ToBase64String(BackofficeFixture.Pdf("Mietvertrag")) });
        return new()
        {
            ["service"] = "wohngeld", ["caseGroup"] = "mietzuschuss", ["municipality"] = ags,
            ["applicant"] = new Dictionary<string, object?>
            {
                ["givenName"] = "Jörg", ["familyName"] = familyName, ["birthDate"] = "1980-02-29",
                ["address"] = new Dictionary<string, object?> { ["street"] = "Markt 1", ["postalCode"] = "06502", ["city"] = "Thale" },
            },
            ["form"] = new Dictionary<string, object?> { ["householdMembers"] = 2, ["monthlyCosts"] = 612.50m },
            ["attachments"] = attachments,
        };
    }
}
