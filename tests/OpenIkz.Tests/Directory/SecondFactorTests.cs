using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using OpenIkz.Directory.Accounts;
using OpenIkz.Tests.Infrastructure;
using OtpNet;

namespace OpenIkz.Tests.Directory;

/// <summary>TOTP enrolment, sign-in with the code (form and token), replay, recovery codes. Runs on SQLite and on PostgreSQL.</summary>
public abstract class SecondFactorTests(OpenIkzApp fixture)
{
    private OpenIkzApp app => fixture.Require();

    /// <summary>The code an authenticator app shows now (by the app's clock), or at the next step.</summary>
    private string Code(string secret, int stepsAhead = 0) =>
        new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(app.Clock.GetUtcNow().UtcDateTime.AddSeconds(30 * stepsAhead));

    private async Task<(string Secret, IReadOnlyList<string> RecoveryCodes)> EnrolAsync(HttpClient api)
    {
        var enrolment = await (await api.PostAsync("/api/v1/me/totp", null)).ReadJsonAsync();
        var secret = enrolment.GetProperty("secret").GetString()!;
        Assert.StartsWith("otpauth://totp/OpenIKZ:", enrolment.GetProperty("otpauthUri").GetString());
        Assert.Contains("secret=" + secret, enrolment.GetProperty("otpauthUri").GetString());

        var wrong = await (await api.PostAsJsonAsync("/api/v1/me/totp/confirm", new { code = "000000" == Code(secret) ? "111111" : "000000" })).AssertProblemAsync(400);
        Assert.True(wrong.GetProperty("errors").TryGetProperty("code", out _));
        var confirmed = await api.PostAsJsonAsync("/api/v1/me/totp/confirm", new { code = Code(secret) });
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        var codes = (await confirmed.ReadJsonAsync()).GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Equal(10, codes.Distinct().Count());
        // The confirming code's step is used: the next sign-in waits for the next step.
        app.Clock.Advance(TimeSpan.FromSeconds(30));
        return (secret, codes);
    }

    [SkippableFact]
    public async Task Enrolment_SwitchesTheSecondFactorOn_ThenTheTokenNeedsTheCode_AndACodeWorksOnce()
    {
        var api = await app.ApiAsAsync("ballenstedt.koordination");
        var (secret, _) = await EnrolAsync(api);
        await (await api.PostAsync("/api/v1/me/totp", null)).AssertProblemAsync(409);
        var stored = await app.Db.QuerySingleAsync<string>("SELECT totp_secret_protected FROM users WHERE username = 'ballenstedt.koordination'");
        Assert.DoesNotContain(secret, stored);

        var client = app.Api();
        var without = await (await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "ballenstedt.koordination", password = UserAccounts.DemoPassword })).AssertProblemAsync(401);
        // The test clock follows real time: the codes below are computed a moment before the server checks them, so the
        // sequence starts at the beginning of a 30 s step and no step boundary falls in between on a loaded machine.
        var intoStep = app.Clock.GetUtcNow().ToUnixTimeMilliseconds() % 30_000;
        app.Clock.Advance(TimeSpan.FromMilliseconds(30_000 - intoStep + 100));
        var code = Code(secret);
        var ok = await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "ballenstedt.koordination", password = UserAccounts.DemoPassword, totp = code });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        // The same code again (replay) is refused, with the same message as a wrong password.
        var replay = await (await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "ballenstedt.koordination", password = UserAccounts.DemoPassword, totp = code })).AssertProblemAsync(401);
        var wrongPassword = await (await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "ballenstedt.koordination", password = "falsch-falsch-falsch", totp = Code(secret, 1) })).AssertProblemAsync(401);
        Assert.Equal(wrongPassword.GetProperty("detail").GetString(), replay.GetProperty("detail").GetString());
        Assert.Equal(without.GetProperty("detail").GetString(), replay.GetProperty("detail").GetString());
        // One step late is accepted (clock drift of the phone): two steps on, the code of the step before.
        app.Clock.Advance(TimeSpan.FromSeconds(60));
        var late = await client.PostAsJsonAsync("/api/v1/auth/token", new { username = "ballenstedt.koordination", password = UserAccounts.DemoPassword, totp = Code(secret, -1) });
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        app.Clock.Advance(TimeSpan.FromSeconds(30));
    }

    [SkippableFact]
    public async Task LoginForm_AsksForTheCode_AndARecoveryCodeWorksOnlyOnce()
    {
        var api = await app.ApiAsAsync("blankenburg.teamleitung");
        var (secret, recovery) = await EnrolAsync(api);

        // Password alone: the page asks for the code and sets no session cookie.
        var session = new CookieSession(app.Api());
        var form = await session.GetStringAsync("/Anmelden");
        var step = await session.PostFormAsync("/Anmelden", new() { ["Benutzername"] = "blankenburg.teamleitung", ["Passwort"] = UserAccounts.DemoPassword, ["__RequestVerificationToken"] = CookieSession.Token(form) });
        Assert.Equal(HttpStatusCode.OK, step.StatusCode);
        var html = await step.Content.ReadAsStringAsync();
        Assert.Contains("autocomplete=\"one-time-code\"", html);
        Assert.Null(session.Get("openikz"));
        Assert.DoesNotContain(UserAccounts.DemoPassword, html);

        var wrong = await session.PostFormAsync("/Anmelden?handler=Code", new() { ["Ticket"] = Ticket(html), ["Code"] = "12345", ["__RequestVerificationToken"] = CookieSession.Token(html) });
        var wrongPage = await Ui.PagesTests.ParseAsync(wrong);
        Assert.Contains("Code stimmt nicht", wrongPage.QuerySelector("#code-fehler")!.TextContent);
        Assert.Null(session.Get("openikz"));

        var signedIn = await CookieSession.SignInAsync(app, "blankenburg.teamleitung", code: () => Code(secret));
        Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("/MeineKommune")).StatusCode);

        var withRecovery = await CookieSession.SignInAsync(app, "blankenburg.teamleitung", code: () => recovery[3].ToUpperInvariant());
        Assert.Equal(HttpStatusCode.OK, (await withRecovery.GetAsync("/MeineKommune")).StatusCode);
        await (await app.Api().PostAsJsonAsync("/api/v1/auth/token", new { username = "blankenburg.teamleitung", password = UserAccounts.DemoPassword, totp = recovery[3] })).AssertProblemAsync(401);
        Assert.Equal(HttpStatusCode.OK, (await app.Api().PostAsJsonAsync("/api/v1/auth/token", new { username = "blankenburg.teamleitung", password = UserAccounts.DemoPassword, totp = recovery[4] })).StatusCode);
    }

    [SkippableFact]
    public async Task EnrolmentPage_ShowsAQrCode_AndAfterConfirmationTheTenRecoveryCodes()
    {
        var browser = await CookieSession.SignInAsync(app, "falkenstein.teamleitung");
        var begun = await browser.SubmitAsync("/Konto/Zweiter-Faktor", "/Konto/Zweiter-Faktor?handler=Begin", new());
        var page = await Ui.PagesTests.ParseAsync(begun);
        Assert.StartsWith("data:image/png;base64,", page.QuerySelector("img.oikz-qr")!.GetAttribute("src"));
        Assert.False(string.IsNullOrEmpty(page.QuerySelector("img.oikz-qr")!.GetAttribute("alt")));
        var secret = page.QuerySelector(".oikz-secret")!.TextContent.Trim();

        var confirmed = await Ui.PagesTests.ParseAsync(await browser.SubmitAsync("/Konto/Zweiter-Faktor", "/Konto/Zweiter-Faktor?handler=Confirm", new() { ["Code"] = Code(secret) }));
        Assert.Equal(10, confirmed.QuerySelectorAll(".oikz-recovery-codes li").Length);
        // Shown once: the page shows them no more.
        Assert.Empty((await Ui.PagesTests.ParseAsync(await browser.GetAsync("/Konto/Zweiter-Faktor"))).QuerySelectorAll(".oikz-recovery-codes li"));
        app.Clock.Advance(TimeSpan.FromSeconds(30));
    }

    private static string Ticket(string html) =>
        System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(html, "name=\"Ticket\" value=\"([^\"]+)\"").Groups[1].Value);
}

public sealed class SecondFactorTestsSqlite(SqliteApp app) : SecondFactorTests(app), IClassFixture<SqliteApp>;
public sealed class SecondFactorTestsPostgres(PostgresApp app) : SecondFactorTests(app), IClassFixture<PostgresApp>;

/// <summary>OpenIkz:Security:RequireSecondFactor: every user enrols at the next sign-in before anything else.</summary>
public sealed class RequiredSecondFactorTests : IClassFixture<RequiredSecondFactorTests.App>
{
    public sealed class App : OpenIkzApp
    {
        public App() : base(TestDatabase.Sqlite) => Settings["OpenIkz:Security:RequireSecondFactor"] = "true";
    }

    private readonly App _app;
    public RequiredSecondFactorTests(App app) => _app = app;

    [Fact]
    public async Task RequireSecondFactor_SendsEveryPageToEnrolment_AndTheApiAnswers403_UntilEnrolled()
    {
        var browser = await CookieSession.SignInAsync(_app, "thale.koordination");
        var page = await browser.GetAsync("/MeineKommune");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/Konto/Zweiter-Faktor", page.Headers.Location!.OriginalString);
        Assert.Contains("Bitte richten Sie jetzt einen zweiten Faktor ein", await browser.GetStringAsync("/Konto/Zweiter-Faktor"));

        var api = await _app.ApiAsAsync("thale.koordination");
        var gated = await (await api.GetAsync("/api/v1/municipalities")).AssertProblemAsync(403);
        Assert.Equal("second-factor", gated.GetProperty("pending").GetString());

        var secret = (await (await api.PostAsync("/api/v1/me/totp", null)).ReadJsonAsync()).GetProperty("secret").GetString()!;
        var code = new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(_app.Clock.GetUtcNow().UtcDateTime);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync("/api/v1/me/totp/confirm", new { code })).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/municipalities")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/MeineKommune")).StatusCode);
    }
}
