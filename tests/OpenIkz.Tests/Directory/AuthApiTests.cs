using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using OpenIkz.Directory.Accounts;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Directory;

/// <summary>Tokens, lockout, API clients and user administration over HTTP. Runs on SQLite and on PostgreSQL.</summary>
public abstract class AuthApiTests(OpenIkzApp fixture)
{
    // Every use of the app checks first that its database is there (PostgreSQL: skip, or fail under OPENIKZ_REQUIRE_ALL_TESTS).
    private OpenIkzApp app => fixture.Require();

    [SkippableFact]
    public async Task Token_WhenCredentialsAreRight_AuthenticatesApiCallsUntilItExpires()
    {
        var client = app.Require().Api();
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "speyer.sachbearbeitung", password = UserAccounts.DemoPassword });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
        Assert.InRange(token.ExpiresAt - DateTime.UtcNow, TimeSpan.FromHours(7.9), TimeSpan.FromHours(8.1));

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        var me = await (await client.GetAsync("/api/v1/me")).ReadJsonAsync();
        Assert.Equal("07318000", me.GetProperty("municipality").GetString());
        Assert.Contains("wohngeld", me.GetProperty("services").EnumerateArray().Select(s => s.GetString()));

        app.Clock.Advance(TimeSpan.FromHours(8) + TimeSpan.FromMinutes(1));
        try
        {
            await (await client.GetAsync("/api/v1/me")).AssertProblemAsync(401);
        }
        finally
        {
            app.Clock.Advance(-(TimeSpan.FromHours(8) + TimeSpan.FromMinutes(1)));
        }
    }

    [SkippableFact]
    public async Task Token_WhenUserUnknownOrPasswordWrong_Is401WithTheSameMessage()
    {
        var client = app.Require().Api();
        var unknown = await (await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "niemand", password = "irgendwas-langes" })).AssertProblemAsync(401);
        var wrong = await (await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "thale.admin", password = "falsch-falsch-falsch" })).AssertProblemAsync(401);
        Assert.Equal(unknown.GetProperty("detail").GetString(), wrong.GetProperty("detail").GetString());
    }

    [SkippableFact]
    public async Task Token_WhenFieldsMissingOrBodyMalformed_Is400Problem()
    {
        var client = app.Require().Api();
        var missing = await (await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "" })).AssertProblemAsync(400);
        Assert.True(missing.GetProperty("errors").TryGetProperty("password", out _));
        var malformed = await client.PostAsync("/api/v1/auth/token", new StringContent("{\"username\": ", System.Text.Encoding.UTF8, "application/json"));
        await malformed.AssertProblemAsync(400);
    }

    [SkippableFact]
    public async Task SignIn_AfterFiveFailures_IsLockedFor15MinutesEvenWithTheRightPassword()
    {
        var client = app.Require().Api();
        for (var i = 0; i < UserAccounts.MaxFailedLogins; i++)
            await (await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "huy.admin", password = "falsch-falsch-" + i })).AssertProblemAsync(401);

        await (await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "huy.admin", password = UserAccounts.DemoPassword })).AssertProblemAsync(401);
        app.Clock.Advance(TimeSpan.FromMinutes(14));
        try
        {
            await (await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "huy.admin", password = UserAccounts.DemoPassword })).AssertProblemAsync(401);
            app.Clock.Advance(TimeSpan.FromMinutes(2));
            var ok = await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "huy.admin", password = UserAccounts.DemoPassword });
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        finally
        {
            app.Clock.Advance(-TimeSpan.FromMinutes(16));
        }
    }

    [SkippableFact]
    public async Task ApiClientSecret_WhenUsedAsBearer_AuthenticatesAsItsMunicipality_AndIsStoredOnlyAsHash()
    {
        var tokens = app.Require().Services.GetRequiredService<AccessTokens>();
        var (_, secret) = await tokens.CreateClientAsync("07311000", "intake", "Portal Frankenthal");
        var stored = await app.Db.QueryAsync<string>("SELECT secret_hash FROM api_clients");
        Assert.DoesNotContain(secret, stored);
        Assert.Contains(AccessTokens.Hash(secret), stored);

        var client = app.Api();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        // A machine client has no user: /me is a capability of people (403), but the client is authenticated (not 401).
        await (await client.GetAsync("/api/v1/me")).AssertProblemAsync(403);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret + "x");
        await (await client.GetAsync("/api/v1/me")).AssertProblemAsync(401);
    }

    [SkippableFact]
    public async Task Users_AdminSeesAndCreatesOnlyInOwnMunicipality_OthersAreForbidden()
    {
        var admin = await app.Require().ApiAsAsync("wernigerode.admin");
        var list = await (await admin.GetAsync("/api/v1/users")).ReadJsonAsync();
        Assert.All(list.EnumerateArray(), u => Assert.Equal("15085370", u.GetProperty("municipality").GetString()));
        Assert.Equal(4, list.GetArrayLength());

        var created = await admin.PostAsJsonAsync("/api/v1/users", new { username = "w.neu", displayName = "Neue Kollegin", password = "ein-sehr-gutes-Passwort", roles = new[] { "Sachbearbeitung" }, services = new[] { "wohngeld" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("15085370", (await created.ReadJsonAsync()).GetProperty("municipality").GetString());

        var bad = await (await admin.PostAsJsonAsync("/api/v1/users", new { username = "W N", displayName = "", password = "kurz", roles = new[] { "Chef" }, services = new[] { "wohngeld" } })).AssertProblemAsync(400);
        var errors = bad.GetProperty("errors");
        foreach (var field in new[] { "username", "displayName", "password", "roles", "services" })
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        Assert.Equal(5, (await (await admin.GetAsync("/api/v1/users")).ReadJsonAsync()).GetArrayLength());

        var clerk = await app.ApiAsAsync("wernigerode.sachbearbeitung");
        await (await clerk.GetAsync("/api/v1/users")).AssertProblemAsync(403);
    }
}

public sealed class AuthApiTestsSqlite(SqliteApp app) : AuthApiTests(app), IClassFixture<SqliteApp>;
public sealed class AuthApiTestsPostgres(PostgresApp app) : AuthApiTests(app), IClassFixture<PostgresApp>;
