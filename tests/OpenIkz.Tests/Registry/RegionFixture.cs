using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Registry;

/// <summary>Speaks a coordinator's intent in a Kooperationsraum: create one, add members and fields, read it.</summary>
public static class RegionFixture
{
    /// <summary>A register entry written directly (the register's own API is another part of the module), for links.</summary>
    public static Task<long> InsertRegisterEntryAsync(OpenIkzApp app, string title, string status = "umgesetzt") =>
        app.Db.QuerySingleAsync<long>("""
            INSERT INTO registry_cooperations (title, title_search, description, task_field, state_law, legal_form, status, created_at, updated_at)
            VALUES (@Title, @Search, 'Testeintrag', 'archiv', 'gkg-nrw', 'informelle-kooperation', @Status, @Now, @Now) RETURNING id
            """, new { Title = title, Search = title.ToLowerInvariant(), Status = status, Now = DateTime.UtcNow });

    public static Task<HttpClient> CoordinatorAsync(this OpenIkzApp app, string prefix) => app.ApiAsAsync(prefix + ".koordination");

    public static async Task<JsonElement> OkAsync(this Task<HttpResponseMessage> call, HttpStatusCode status = HttpStatusCode.OK)
    {
        var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<long> CreateRegionAsync(this HttpClient coordinator, string name, string? description = null) =>
        (await coordinator.PostAsJsonAsync("/api/v1/regions", new { name, description }).OkAsync(HttpStatusCode.Created)).GetProperty("id").GetInt64();

    public static Task AddMemberAsync(this HttpClient coordinator, long regionId, string ags, string role = "mitglied") =>
        coordinator.PostAsJsonAsync($"/api/v1/regions/{regionId}/members", new { ags, role }).OkAsync();

    public static async Task<long> AddFieldAsync(this HttpClient coordinator, long regionId, string name, string? description = null) =>
        (await coordinator.PostAsJsonAsync($"/api/v1/regions/{regionId}/fields", new { name, description }).OkAsync(HttpStatusCode.Created)).GetProperty("id").GetInt64();

    public static Task<JsonElement> FieldAsync(this HttpClient client, long regionId, long fieldId) => client.GetAsync($"/api/v1/regions/{regionId}/fields/{fieldId}").OkAsync();

    public static JsonElement Step(this JsonElement field, string step) =>
        field.GetProperty("learningCycle").EnumerateArray().Single(s => s.GetProperty("step").GetString() == step);

    /// <summary>The demo Kooperationsraum Vorderpfalz (Speyer coordinates; Frankenthal, Ludwigshafen and the Rhein-Pfalz-Kreis are members).</summary>
    public static Task<long> DemoRegionIdAsync(this OpenIkzApp app) => app.Db.QuerySingleAsync<long>("SELECT id FROM regions WHERE name = 'Kooperationsraum Vorderpfalz'");
}
