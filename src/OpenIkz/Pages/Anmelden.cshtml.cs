using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Directory.Accounts;

namespace OpenIkz.Pages;

public sealed class AnmeldenModel(UserAccounts users) : PageModel
{
    [BindProperty] public string? Benutzername { get; set; }

    [BindProperty] public string? Passwort { get; set; }

    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    /// <summary>The generic message after a rejected sign-in; never says which part was wrong.</summary>
    public string? Failure { get; private set; }

    public List<string> UsernameErrors { get; } = [];
    public List<string> PasswordErrors { get; } = [];

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

        var result = await users.SignInAsync(Benutzername, Passwort, ct);
        Passwort = null;
        if (result.Outcome != SignInOutcome.Success || result.User is null)
        {
            Failure = OpenIkz.Directory.Accounts.SignInResult.GenericFailureMessage;
            return Page();
        }

        await HttpContext.SignInAsync(AuthSchemes.Cookie, Principals.ForUser(result.User, AuthSchemes.Cookie));
        return LocalRedirect(Target());
    }

    /// <summary>Only a local URL is followed after sign-in (no open redirect); everything else goes to the start page.</summary>
    private string Target() =>
        !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) && !ReturnUrl.StartsWith("/Anmelden", StringComparison.OrdinalIgnoreCase)
            ? ReturnUrl
            : "/";
}
