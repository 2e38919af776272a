using System.Net;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using OpenIkz.Directory.Accounts;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Ui;

/// <summary>The server-rendered pages read as HTML, as a browser gets them.</summary>
public sealed class PagesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    public static async Task<IDocument> ParseAsync(HttpResponseMessage response) =>
        await BrowsingContext.New(Configuration.Default).OpenAsync(r => r.Content(response.Content.ReadAsStream()).Address(response.RequestMessage!.RequestUri!));

    /// <summary>Signs in through the login form, as a person does (antiforgery token included).</summary>
    public static async Task<HttpResponseMessage> LoginAsync(HttpClient browser, string username, string password = UserAccounts.DemoPassword)
    {
        var form = await ParseAsync(await browser.GetAsync("/Anmelden"));
        var token = form.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value;
        var userField = form.QuerySelector<IHtmlInputElement>("input[type=text], input[autocomplete=username]")!.Name!;
        var passwordField = form.QuerySelector<IHtmlInputElement>("input[type=password]")!.Name!;
        return await browser.PostAsync("/Anmelden", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, [userField] = username, [passwordField] = password,
        }));
    }

    [Fact]
    public async Task StartPage_ExplainsOpenIkzInGerman_AndLeadsToLogin()
    {
        var page = await ParseAsync(await app.Browser().GetAsync("/"));
        Assert.Equal("de", page.DocumentElement.GetAttribute("lang"));
        Assert.Contains("interkommunale", page.Body!.TextContent, StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(page.QuerySelector("a[href='/Anmelden']"));
        Assert.NotNull(page.QuerySelector("link[href^='/lib/kern/kern']"));
    }

    [Fact]
    public async Task KernAssets_AreServedByTheAppItself()
    {
        var css = await app.Browser().GetAsync("/lib/kern/kern.min.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Login_WithRightPassword_SetsSecureHttpOnlyStrictCookie_AndShowsTheUser()
    {
        var browser = app.Browser();
        var response = await LoginAsync(browser, "quedlinburg.admin");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("openikz=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.Contains("secure", cookie);
        Assert.Contains("httponly", cookie);
        Assert.Contains("samesite=strict", cookie);

        var mine = await ParseAsync(await browser.GetAsync("/MeineKommune"));
        Assert.Contains("Quedlinburg", mine.QuerySelector("main")!.TextContent);
        Assert.Contains("15085235", mine.QuerySelector("main")!.TextContent);
    }

    [Fact]
    public async Task Login_WithUnknownUserOrWrongPassword_ShowsTheSameGermanMessage_AndNoCookie()
    {
        var unknown = await LoginAsync(app.Browser(), "gibt.es.nicht", "irgendein-passwort");
        var wrong = await LoginAsync(app.Browser(), "thale.koordination", "falsches-passwort");
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.False(wrong.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("openikz=", StringComparison.Ordinal)));
        var a = (await ParseAsync(unknown)).QuerySelector("[role=alert]")!.TextContent.Trim();
        var b = (await ParseAsync(wrong)).QuerySelector("[role=alert]")!.TextContent.Trim();
        Assert.Equal(a, b);
        Assert.Contains("Benutzername oder Passwort", a);
    }

    [Fact]
    public async Task MunicipalitiesPage_ListsAndSearches()
    {
        var page = await ParseAsync(await app.Browser().GetAsync("/Kommunen?q=harz"));
        var rows = page.QuerySelectorAll("table tbody tr");
        Assert.Contains(rows, r => r.TextContent.Contains("Landkreis Harz"));
        Assert.Contains(rows, r => r.TextContent.Contains("Oberharz am Brocken"));
        Assert.DoesNotContain(rows, r => r.TextContent.Contains("Speyer"));
        Assert.NotNull(page.QuerySelector("table caption"));
        Assert.NotNull(page.QuerySelector("label[for]"));
        // The directory names its sources: the district import with its date, and the Gemeinden's sources.
        var sources = page.QuerySelector("section[aria-labelledby=quellen]")!.TextContent;
        Assert.Contains("Gebietsstand 31.12.2018", sources);
        Assert.Contains("GV-ISys", sources);
    }

    [Fact]
    public async Task MunicipalityPage_WhenUnknown_IsGermanNotFoundPage()
    {
        var response = await app.Browser().GetAsync("/Kommunen/12345678");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("nicht gefunden", (await ParseAsync(response)).Body!.TextContent, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task UserAdministration_ShowsOnlyOwnMunicipality_AndIsForbiddenForClerks()
    {
        var admin = app.Browser();
        await LoginAsync(admin, "ilsenburg.admin");
        var page = await ParseAsync(await admin.GetAsync("/Verwaltung/Benutzer"));
        var text = page.QuerySelector("main")!.TextContent;
        Assert.Contains("ilsenburg.sachbearbeitung", text);
        Assert.DoesNotContain("thale.", text);

        var clerk = app.Browser();
        await LoginAsync(clerk, "ilsenburg.sachbearbeitung");
        var denied = await clerk.GetAsync("/Verwaltung/Benutzer");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        var errorPage = await clerk.GetAsync(denied.Headers.Location);
        Assert.Equal(HttpStatusCode.Forbidden, errorPage.StatusCode);
        Assert.Contains("Keine Berechtigung", (await ParseAsync(errorPage)).Body!.TextContent);
    }

    [Fact]
    public async Task ProtectedPage_WithoutLogin_RedirectsToTheLoginPage()
    {
        var response = await app.Browser().GetAsync("/MeineKommune");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Anmelden", response.Headers.Location!.PathAndQuery);
    }
}
