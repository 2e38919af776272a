using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Directory.Accounts;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Directory;

/// <summary>Sessions end on the server: logout, password change and reset, deactivation and a change of roles end every
/// cookie and token at once. Runs on SQLite and on PostgreSQL.</summary>
public abstract class SessionTests(OpenIkzApp fixture)
{
    private OpenIkzApp app => fixture.Require();

    private const string NewPassword = "ein-ganz-neues-Passwort";

    private static async Task AssertSignedInAsync(CookieSession session) =>
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/MeineKommune")).StatusCode);

    private static async Task AssertSignedOutAsync(CookieSession session)
    {
        var page = await session.GetAsync("/MeineKommune");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/Anmelden", page.Headers.Location!.OriginalString.Replace("http://localhost", "").Replace("https://localhost", ""));
        await (await session.GetAsync("/api/v1/me")).AssertProblemAsync(401);
    }

    [SkippableFact]
    public async Task Logout_EndsTheSessionOnTheServer_ACopiedCookieGetsTheLoginPageAnd401()
    {
        var browser = await CookieSession.SignInAsync(app, "ballenstedt.koordination");
        var copy = browser.Copy();
        await AssertSignedInAsync(copy);
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("/api/v1/me")).StatusCode);

        var logout = await browser.SubmitAsync("/MeineKommune", "/Abmelden", new());
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);

        await AssertSignedOutAsync(copy);
    }

    [SkippableFact]
    public async Task PasswordChange_EndsEverySessionAndToken_ButKeepsThisBrowserSignedIn()
    {
        var browser = await CookieSession.SignInAsync(app, "blankenburg.koordination");
        var other = await CookieSession.SignInAsync(app, "blankenburg.koordination");
        var api = await app.ApiAsAsync("blankenburg.koordination");

        var wrong = await browser.SubmitAsync("/Konto/Passwort", "/Konto/Passwort", new() { ["CurrentPassword"] = "falsch-falsch-falsch", ["NewPassword"] = NewPassword, ["Repeat"] = NewPassword });
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        var page = await Ui.PagesTests.ParseAsync(wrong);
        Assert.Contains("bisherige Passwort ist falsch", page.QuerySelector("#aktuelles-passwort-fehler")!.TextContent);
        Assert.Equal("true", page.QuerySelector("#aktuelles-passwort")!.GetAttribute("aria-invalid"));

        var mismatch = await Ui.PagesTests.ParseAsync(await browser.SubmitAsync("/Konto/Passwort", "/Konto/Passwort",
            new() { ["CurrentPassword"] = UserAccounts.DemoPassword, ["NewPassword"] = NewPassword, ["Repeat"] = NewPassword + "x" }));
        Assert.Contains("stimmen nicht überein", mismatch.QuerySelector("#passwort-wiederholung-fehler")!.TextContent);

        var ok = await browser.SubmitAsync("/Konto/Passwort", "/Konto/Passwort", new() { ["CurrentPassword"] = UserAccounts.DemoPassword, ["NewPassword"] = NewPassword, ["Repeat"] = NewPassword });
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);

        await AssertSignedInAsync(browser);
        await AssertSignedOutAsync(other);
        await (await api.GetAsync("/api/v1/me")).AssertProblemAsync(401);
        await app.ApiAsAsync("blankenburg.koordination", NewPassword);
    }

    [SkippableFact]
    public async Task Deactivation_EndsEverySessionAndToken()
    {
        var browser = await CookieSession.SignInAsync(app, "falkenstein.koordination");
        var api = await app.ApiAsAsync("falkenstein.koordination");
        var admin = await CookieSession.SignInAsync(app, "falkenstein.admin");
        var id = await UserIdAsync("falkenstein.koordination");

        // The first post asks (what deactivating does, how many open cases stay assigned) and changes nothing.
        var asked = await admin.SubmitAsync("/Verwaltung/Benutzer", $"/Verwaltung/Benutzer?handler=Deactivate&id={id}", new());
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        var question = (await Ui.PagesTests.ParseAsync(asked)).GetElementById("bestaetigung")!;
        Assert.Contains("„falkenstein.koordination“", question.QuerySelector("h2")!.TextContent);
        Assert.Contains("kein offener Vorgang", question.TextContent);
        await AssertSignedInAsync(browser);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/me")).StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitAsync("/Verwaltung/Benutzer", $"/Verwaltung/Benutzer?handler=Deactivate&id={id}", new() { ["Confirmed"] = "true" })).StatusCode);

        await AssertSignedOutAsync(browser);
        await (await api.GetAsync("/api/v1/me")).AssertProblemAsync(401);
    }

    [SkippableFact]
    public async Task RoleChange_EndsEverySessionAndToken_AndRolesAreValidatedInGerman()
    {
        var browser = await CookieSession.SignInAsync(app, "harzgerode.sachbearbeitung");
        var api = await app.ApiAsAsync("harzgerode.sachbearbeitung");
        var admin = await CookieSession.SignInAsync(app, "harzgerode.admin");
        var id = await UserIdAsync("harzgerode.sachbearbeitung");
        var edit = $"/Verwaltung/Benutzer?bearbeiten={id}";

        // A clerk without a service, and an account without a role, are refused with the message next to the field.
        var refused = await admin.SubmitAsync(edit, $"/Verwaltung/Benutzer?handler=Roles&id={id}&bearbeiten={id}",
            new() { ["EditRoles"] = "Sachbearbeitung" });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("braucht mindestens eine Leistung", (await Ui.PagesTests.ParseAsync(refused)).QuerySelector("#bearbeiten-services-fehler")!.TextContent);
        var noRole = await admin.SubmitAsync(edit, $"/Verwaltung/Benutzer?handler=Roles&id={id}&bearbeiten={id}", new());
        Assert.Contains("mindestens eine Rolle", (await Ui.PagesTests.ParseAsync(noRole)).QuerySelector("#bearbeiten-roles-fehler")!.TextContent);
        await AssertSignedInAsync(browser);

        var saved = await admin.SubmitAsync(edit, $"/Verwaltung/Benutzer?handler=Roles&id={id}&bearbeiten={id}",
            new() { ["EditRoles"] = "Sachbearbeitung", ["EditServices"] = "wohngeld" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);

        await AssertSignedOutAsync(browser);
        await (await api.GetAsync("/api/v1/me")).AssertProblemAsync(401);
        var me = await (await (await app.ApiAsAsync("harzgerode.sachbearbeitung")).GetAsync("/api/v1/me")).ReadJsonAsync();
        Assert.Equal("wohngeld", Assert.Single(me.GetProperty("services").EnumerateArray()).GetString());
    }

    [SkippableFact]
    public async Task RoleChange_OverTheApi_IsValidated_AndEndsTheTokens()
    {
        var admin = await app.ApiAsAsync("ilsenburg.admin");
        var clerk = await app.ApiAsAsync("ilsenburg.koordination");
        var id = await UserIdAsync("ilsenburg.koordination");
        var bad = await (await admin.PutAsJsonAsync($"/api/v1/users/{id}/roles", new { roles = Array.Empty<string>() })).AssertProblemAsync(400);
        Assert.True(bad.GetProperty("errors").TryGetProperty("roles", out _));
        Assert.Equal(HttpStatusCode.OK, (await clerk.GetAsync("/api/v1/me")).StatusCode);

        var ok = await admin.PutAsJsonAsync($"/api/v1/users/{id}/roles", new { roles = new[] { "Koordination", "Teamleitung" } });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        await (await clerk.GetAsync("/api/v1/me")).AssertProblemAsync(401);

        // Another municipality's user is not found.
        var foreign = await UserIdAsync("thale.koordination");
        await (await admin.PutAsJsonAsync($"/api/v1/users/{foreign}/roles", new { roles = new[] { "Koordination" } })).AssertProblemAsync(404);
    }

    [SkippableFact]
    public async Task AdminReset_EndsSessions_AndTheUserMustChooseANewPasswordFirst()
    {
        var api = await app.ApiAsAsync("nordharz.koordination");
        var admin = await CookieSession.SignInAsync(app, "nordharz.admin");
        var id = await UserIdAsync("nordharz.koordination");
        var reset = await admin.SubmitAsync($"/Verwaltung/Benutzer?bearbeiten={id}", $"/Verwaltung/Benutzer?handler=ResetPassword&id={id}&bearbeiten={id}",
            new() { ["ResetPassword"] = "kurz" });
        Assert.Contains("mindestens 12 Zeichen", (await Ui.PagesTests.ParseAsync(reset)).QuerySelector("#zuruecksetzen-passwort-fehler")!.TextContent);
        reset = await admin.SubmitAsync($"/Verwaltung/Benutzer?bearbeiten={id}", $"/Verwaltung/Benutzer?handler=ResetPassword&id={id}&bearbeiten={id}",
            new() { ["ResetPassword"] = "einmal-Passwort-123" });
        Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        await (await api.GetAsync("/api/v1/me")).AssertProblemAsync(401);

        var user = await CookieSession.SignInAsync(app, "nordharz.koordination", "einmal-Passwort-123");
        var anywhere = await user.GetAsync("/MeineKommune");
        Assert.Equal(HttpStatusCode.Redirect, anywhere.StatusCode);
        Assert.Equal("/Konto/Passwort", anywhere.Headers.Location!.OriginalString);
        var tokenClient = await app.ApiAsAsync("nordharz.koordination", "einmal-Passwort-123");
        var gated = await (await tokenClient.GetAsync("/api/v1/municipalities")).AssertProblemAsync(403);
        Assert.Equal("password", gated.GetProperty("pending").GetString());

        var changed = await user.SubmitAsync("/Konto/Passwort", "/Konto/Passwort", new() { ["CurrentPassword"] = "einmal-Passwort-123", ["NewPassword"] = NewPassword, ["Repeat"] = NewPassword });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        await AssertSignedInAsync(user);
    }

    [SkippableFact]
    public async Task DeleteToken_RevokesTheTokenItIsSentWith_Only()
    {
        var first = await app.ApiAsAsync("oberharz.koordination");
        var second = await app.ApiAsAsync("oberharz.koordination");
        Assert.Equal(HttpStatusCode.NoContent, (await first.DeleteAsync("/api/v1/auth/token")).StatusCode);
        await (await first.GetAsync("/api/v1/me")).AssertProblemAsync(401);
        await (await first.DeleteAsync("/api/v1/auth/token")).AssertProblemAsync(401);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/api/v1/me")).StatusCode);
    }

    [SkippableFact]
    public async Task OwnPasswordChange_OverTheApi_EndsTheTokens()
    {
        var api = await app.ApiAsAsync("osterwieck.koordination");
        var bad = await (await api.PostAsJsonAsync("/api/v1/me/password", new { currentPassword = UserAccounts.DemoPassword, newPassword = "kurz" })).AssertProblemAsync(400);
        Assert.True(bad.GetProperty("errors").TryGetProperty("newPassword", out _));
        Assert.Equal(HttpStatusCode.NoContent, (await api.PostAsJsonAsync("/api/v1/me/password", new { currentPassword = UserAccounts.DemoPassword, newPassword = NewPassword })).StatusCode);
        await (await api.GetAsync("/api/v1/me")).AssertProblemAsync(401);
        await app.ApiAsAsync("osterwieck.koordination", NewPassword);
    }

    private async Task<long> UserIdAsync(string username) =>
        await app.Db.QuerySingleAsync<long>("SELECT id FROM users WHERE username = @U", new { U = username });
}

public sealed class SessionTestsSqlite(SqliteApp app) : SessionTests(app), IClassFixture<SqliteApp>;
public sealed class SessionTestsPostgres(PostgresApp app) : SessionTests(app), IClassFixture<PostgresApp>;
