using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Directory.Accounts;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Directory;

/// <summary>The rate limits, switched on with small numbers (the test host switches them off by default).</summary>
public sealed class RateLimitTests : IClassFixture<RateLimitTests.App>
{
    public sealed class App : OpenIkzApp
    {
        public App() : base(TestDatabase.Sqlite)
        {
            Settings["OpenIkz:RateLimits:Enabled"] = "true";
            Settings["OpenIkz:RateLimits:SignInPerAddress:PermitLimit"] = "5";
            Settings["OpenIkz:RateLimits:SignInPerUser:PermitLimit"] = "2";
            Settings["OpenIkz:RateLimits:IntakePerClient:PermitLimit"] = "2";
        }
    }

    private readonly App _app;
    public RateLimitTests(App app) => _app = app;

    private Task<HttpResponseMessage> TokenAsync(string username) =>
        _app.Api().PostAsJsonAsync("/api/v1/auth/token", new { username, password = UserAccounts.DemoPassword });

    private static async Task AssertTooManyAsync(HttpResponseMessage response)
    {
        await response.AssertProblemAsync(429);
        Assert.True(response.Headers.RetryAfter?.Delta is { } delta && delta > TimeSpan.Zero, "Retry-After missing");
    }

    [Fact]
    public async Task SignIn_IsLimitedPerUserName_AndPerAddress_With429AndRetryAfter()
    {
        // Per user name: two attempts, the third is refused, another name still gets through.
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync("thale.admin")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync("THALE.admin")).StatusCode);
        await AssertTooManyAsync(await TokenAsync("thale.admin"));
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync("huy.admin")).StatusCode);

        // Per address (all test requests share one): five in the window, then the login form refuses too, with the German page.
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync("huy.koordination")).StatusCode);
        await AssertTooManyAsync(await TokenAsync("speyer.admin"));
        var session = new CookieSession(_app.Api());
        var form = await session.GetStringAsync("/Anmelden"); // the page itself is not limited
        var post = await session.PostFormAsync("/Anmelden", new() { ["Benutzername"] = "speyer.admin", ["Passwort"] = UserAccounts.DemoPassword, ["__RequestVerificationToken"] = CookieSession.Token(form) });
        Assert.Equal(HttpStatusCode.TooManyRequests, post.StatusCode);
        Assert.NotNull(post.Headers.RetryAfter);
        Assert.Contains("Zu viele Anfragen", await post.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Intake_IsLimitedPerApiClient()
    {
        var tokens = _app.Services.GetRequiredService<AccessTokens>();
        var (_, first) = await tokens.CreateClientAsync("07311000", "intake", "Portal A");
        var (_, second) = await tokens.CreateClientAsync("07311000", "intake", "Portal B");
        HttpRequestMessage Submit(string secret)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/applications") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            return request;
        }
        var client = _app.Api();
        for (var i = 0; i < 2; i++) Assert.NotEqual(HttpStatusCode.TooManyRequests, (await client.SendAsync(Submit(first))).StatusCode);
        await AssertTooManyAsync(await client.SendAsync(Submit(first)));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await client.SendAsync(Submit(second))).StatusCode);
    }
}

/// <summary>OpenIkz:RateLimits:Enabled=false (the test host's default) switches every limit off.</summary>
public sealed class RateLimitsOffTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task WithLimitsOff_ManySignInsAreNeverRefusedWith429()
    {
        var client = app.Api();
        for (var i = 0; i < 35; i++)
        {
            var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "niemand" + (i % 3), password = "irgendein-passwort" });
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }
}
