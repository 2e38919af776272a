using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Directory;

/// <summary>Cookie-authenticated API writes come only from the app's own pages; bearer calls are unaffected.</summary>
public sealed class CrossSiteTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private static HttpRequestMessage Post(string path, object body, string? origin = null, string? token = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (origin is not null) request.Headers.Add("Origin", origin);
        if (token is not null) request.Headers.Add("RequestVerificationToken", token);
        return request;
    }

    [Fact]
    public async Task CookiePost_WithAForeignOriginOrWithoutTheAntiforgeryHeader_Is403_WithTheHeaderFromThePage_Passes()
    {
        var browser = await CookieSession.SignInAsync(app, "ludwigshafen.admin");
        var body = new { username = "lu.neu", displayName = "Neu", password = "ein-sehr-gutes-Passwort", roles = new[] { "Koordination" } };

        var html = await browser.GetStringAsync("/MeineKommune");
        var token = CookieSession.MetaToken(html);
        Assert.False(string.IsNullOrEmpty(token));

        var foreign = await (await browser.SendAsync(Post("/api/v1/users", body, origin: "https://evil.example", token: token))).AssertProblemAsync(403);
        Assert.Contains("Herkunft", foreign.GetProperty("title").GetString());
        await (await browser.SendAsync(Post("/api/v1/users", body, origin: "https://localhost"))).AssertProblemAsync(403);

        var own = await browser.SendAsync(Post("/api/v1/users", body, origin: "https://localhost", token: token));
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
    }

    [Fact]
    public async Task BearerPost_WithAForeignOrigin_IsNotAffected()
    {
        var api = await app.ApiAsAsync("rhein-pfalz-kreis.admin");
        var request = Post("/api/v1/users", new { username = "rpk.neu", displayName = "Neu", password = "ein-sehr-gutes-Passwort", roles = new[] { "Koordination" } }, origin: "https://evil.example");
        Assert.Equal(HttpStatusCode.Created, (await api.SendAsync(request)).StatusCode);
    }
}
