using System.Net;
using System.Text;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>API conventions and security headers that hold for every endpoint.</summary>
public sealed class HttpConventionsTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task EveryResponse_CarriesSecurityHeaders_AndACspWithoutInlineScript()
    {
        var response = await app.Browser().GetAsync("/");
        var csp = string.Join(" ", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task UnknownApiRoute_Is404Problem()
    {
        await (await app.Api().GetAsync("/api/v1/gibt-es-nicht")).AssertProblemAsync(404);
        await (await app.Api().DeleteAsync("/api/v1/municipalities")).AssertProblemAsync(405);
    }

    [Fact]
    public async Task TooLargeBody_Is413Problem_BeforeItIsRead()
    {
        var limit = new OpenIkz.Infrastructure.OpenIkzOptions().MaxRequestBodyBytes;
        var content = new ByteArrayContent(new byte[16]);
        content.Headers.ContentType = new("application/json");
        content.Headers.ContentLength = limit + 1;
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/token") { Content = new StringContent(new string(' ', 10)) };
        request.Content.Headers.ContentLength = limit + 1;
        var response = await app.Api().SendAsync(request);
        await response.AssertProblemAsync(413);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesEveryApiEndpoint()
    {
        var doc = await (await app.Api().GetAsync("/openapi/v1.json")).ReadJsonAsync();
        Assert.StartsWith("3.", doc.GetProperty("openapi").GetString());
        var paths = doc.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/municipalities", "/api/v1/municipalities/{ags}", "/api/v1/auth/token", "/api/v1/me", "/api/v1/users" })
            Assert.True(paths.TryGetProperty(path, out _), $"{path} missing in the OpenAPI document");
    }

    [Fact]
    public async Task Health_Answers200WithTheDatabaseState()
    {
        var response = await app.Api().GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.ReadJsonAsync();
        Assert.Equal("Healthy", json.GetProperty("status").GetString());
        Assert.Equal("sqlite", json.GetProperty("database").GetProperty("details").GetProperty("database").GetString());
    }

    [Fact]
    public async Task ApiWithoutCredentials_Is401Problem_NotALoginRedirect()
    {
        var response = await app.Api().GetAsync("/api/v1/me");
        await response.AssertProblemAsync(401);
    }

    [Fact]
    public async Task FormPost_WithoutAntiforgeryToken_IsRefused()
    {
        var response = await app.Browser().PostAsync("/Anmelden", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Username"] = "frankenthal.admin", ["Input.Password"] = OpenIkz.Directory.Accounts.UserAccounts.DemoPassword,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("openikz=", StringComparison.Ordinal)));
    }
}
