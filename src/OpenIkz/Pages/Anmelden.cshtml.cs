using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure.Http;

namespace OpenIkz.Pages;

/// <summary>Sign-in in one or two steps: password, then (where the second factor is on) the code from the app or a
/// recovery code. Between the steps the page carries a short-lived protected ticket, never the password.</summary>
[EnableRateLimiting(RateLimitPolicies.SignIn)]
public sealed class AnmeldenModel(UserAccounts users, SecondFactor secondFactor, BrowserSignIn signIn, SignInThrottle throttle) : PageModel
{
    [BindProperty] public string? Benutzername { get; set; }

    [BindProperty] public string? Passwort { get; set; }

    [BindProperty] public string? Ticket { get; set; }

    [BindProperty] public string? Code { get; set; }

    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    /// <summary>The generic message after a rejected sign-in; never says which part was wrong.</summary>
    public string? Failure { get; private set; }

    /// <summary>The password was right and the second factor is on: the page asks for the code.</summary>
    public bool CodeStep { get; private set; }

    public List<string> UsernameErrors { get; } = [];
    public List<string> PasswordErrors { get; } = [];
    public List<string> CodeErrors { get; } = [];

    public IActionResult OnGet()
    {
        if (User.Identity?.IsAuthenticated == true && User.UserId() is not null) return LocalRedirect(Target());
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(Benutzername)) UsernameErrors.Add("Bitte geben Sie Ihren Benutzernamen ein.");
        if (string.IsNullOrEmpty(Passwort)) PasswordErrors.Add("Bitte geben Sie Ihr Passwort ein.");
        if (UsernameErrors.Count > 0 || PasswordErrors.Count > 0)
        {
            Passwort = null;
            return Page();
        }
        if (throttle.TryAcquire(Benutzername) is { } wait) return TooManyAttempts(wait);

        var result = await users.SignInAsync(Benutzername, Passwort, ct);
        Passwort = null;
        if (result.Outcome != SignInOutcome.Success || result.User is null)
        {
            Failure = OpenIkz.Directory.Accounts.SignInResult.GenericFailureMessage;
            return Page();
        }
        if (result.User.TotpEnabled)
        {
            Ticket = signIn.IssueTicket(result.User);
            CodeStep = true;
            return Page();
        }
        await signIn.SignInAsync(HttpContext, result.User);
        return LocalRedirect(Target());
    }

    public async Task<IActionResult> OnPostCodeAsync(CancellationToken ct)
    {
        var user = await signIn.RedeemTicketAsync(Ticket, ct);
        if (user is null)
        {
            // Expired ticket, changed password or locked account: start again with the password.
            Ticket = null;
            Failure = "Die Anmeldung ist abgelaufen oder nicht mehr gültig. Bitte melden Sie sich erneut mit Benutzername und Passwort an.";
            return Page();
        }
        CodeStep = true;
        if (string.IsNullOrWhiteSpace(Code))
        {
            CodeErrors.Add("Bitte geben Sie den sechsstelligen Code aus Ihrer App oder einen Wiederherstellungscode ein.");
            return Page();
        }
        if (throttle.TryAcquire(user.Username) is { } wait) return TooManyAttempts(wait);
        if (!await secondFactor.VerifyAsync(user.Id, Code, ct))
        {
            await users.RecordFailedSignInAsync(user.Id, ct);
            Code = null;
            CodeErrors.Add("Der Code stimmt nicht oder wurde schon benutzt. Bitte geben Sie den aktuellen Code aus Ihrer App ein.");
            return Page();
        }
        await signIn.SignInAsync(HttpContext, user);
        return LocalRedirect(Target());
    }

    private StatusCodeResult TooManyAttempts(TimeSpan wait)
    {
        Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return StatusCode(StatusCodes.Status429TooManyRequests);
    }

    /// <summary>Only a local URL is followed after sign-in (no open redirect); everything else goes to the start page.</summary>
    private string Target() =>
        !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) && !ReturnUrl.StartsWith("/Anmelden", StringComparison.OrdinalIgnoreCase)
            ? ReturnUrl
            : "/";
}
