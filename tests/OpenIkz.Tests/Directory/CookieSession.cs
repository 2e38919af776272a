using System.Net;
using System.Text.RegularExpressions;
using OpenIkz.Directory.Accounts;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Directory;

/// <summary>
/// A browser's cookies, kept by hand so that a test can copy them (the attacker's copy of a session cookie) and send
/// the same cookies from two places. Signs in through the login form as a person does.
/// </summary>
public sealed partial class CookieSession(HttpClient http)
{
    private readonly Dictionary<string, string> _jar = new();

    public string? Get(string name) => _jar.TryGetValue(name, out var v) ? v : null;

    /// <summary>The same cookies sent to another server (another instance of the app).</summary>
    public CookieSession To(HttpClient other)
    {
        var copy = new CookieSession(other);
        foreach (var (k, v) in _jar) copy._jar[k] = v;
        return copy;
    }

    public CookieSession Copy()
    {
        var copy = new CookieSession(http);
        foreach (var (k, v) in _jar) copy._jar[k] = v;
        return copy;
    }

    public static Task<CookieSession> SignInAsync(OpenIkzApp app, string username, string password = UserAccounts.DemoPassword, Func<string>? code = null) =>
        SignInAsync(app.Api(), username, password, code);

    /// <summary>Signs in through the login form of the server <paramref name="http"/> talks to (no redirects followed, no cookies of its own).</summary>
    public static async Task<CookieSession> SignInAsync(HttpClient http, string username, string password = UserAccounts.DemoPassword, Func<string>? code = null)
    {
        var session = new CookieSession(http);
        var form = await session.GetStringAsync("/Anmelden");
        var response = await session.PostFormAsync("/Anmelden", new() { ["Benutzername"] = username, ["Passwort"] = password, ["__RequestVerificationToken"] = Token(form) });
        if (code is not null && response.StatusCode == HttpStatusCode.OK)
        {
            var step = await response.Content.ReadAsStringAsync();
            var ticket = TicketPattern().Match(step).Groups[1].Value;
            response = await session.PostFormAsync("/Anmelden?handler=Code", new() { ["Ticket"] = WebUtility.HtmlDecode(ticket), ["Code"] = code(), ["__RequestVerificationToken"] = Token(step) });
        }
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"sign-in of {username}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.NotNull(session.Get("openikz"));
        return session;
    }

    public static string Token(string html) => WebUtility.HtmlDecode(TokenPattern().Match(html).Groups[1].Value);

    /// <summary>The token of the page's meta tag, for cookie-authenticated API writes.</summary>
    public static string MetaToken(string html) => WebUtility.HtmlDecode(MetaPattern().Match(html).Groups[1].Value);

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        if (_jar.Count > 0) request.Headers.TryAddWithoutValidation("Cookie", string.Join("; ", _jar.Select(kv => kv.Key + "=" + kv.Value)));
        var response = await http.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var values))
            foreach (var value in values)
            {
                var pair = value.Split(';')[0];
                var eq = pair.IndexOf('=');
                var (name, content) = (pair[..eq], pair[(eq + 1)..]);
                if (content.Length == 0 || value.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)) _jar.Remove(name);
                else _jar[name] = content;
            }
        return response;
    }

    public Task<HttpResponseMessage> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    public async Task<string> GetStringAsync(string path)
    {
        var response = await GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode}");
        return await response.Content.ReadAsStringAsync();
    }

    public Task<HttpResponseMessage> PostFormAsync(string path, Dictionary<string, string> fields) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) });

    /// <summary>Posts a page's form: fetches the page for its antiforgery token first.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string page, string action, Dictionary<string, string> fields)
    {
        var html = await GetStringAsync(page);
        fields["__RequestVerificationToken"] = Token(html);
        return await PostFormAsync(action, fields);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("name=\"Ticket\" value=\"([^\"]+)\"")]
    private static partial Regex TicketPattern();

    [GeneratedRegex("<meta name=\"openikz-antiforgery\" content=\"([^\"]+)\"")]
    private static partial Regex MetaPattern();
}
