using Microsoft.AspNetCore.Mvc;
using OpenIkz.Directory.Accounts;

namespace OpenIkz.Pages.Konto;

/// <summary>The signed-in user changes their own password (also the forced change after an administrator's reset).
/// Every session and token of the user ends; this browser is signed in again with a new session.</summary>
public sealed class PasswortModel(UserAccounts users, BrowserSignIn signIn) : FormPageModel
{
    [BindProperty] public string? CurrentPassword { get; set; }
    [BindProperty] public string? NewPassword { get; set; }
    [BindProperty] public string? Repeat { get; set; }

    [TempData] public string? Message { get; set; }

    public bool MustChange => User.FindFirst(AccountClaims.Pending)?.Value == PendingSteps.Password;

    private static readonly Dictionary<string, string> Fields = new()
    {
        ["currentPassword"] = "aktuelles-passwort",
        ["newPassword"] = "neues-passwort",
    };

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (User.UserId() is not { } id) return Forbid();
        if (!string.IsNullOrEmpty(NewPassword) && NewPassword != Repeat) AddError("passwort-wiederholung", "Die beiden neuen Passwörter stimmen nicht überein.");
        try
        {
            if (Errors.Count == 0) await users.ChangePasswordAsync(id, CurrentPassword, NewPassword, ct);
        }
        catch (ValidationException ex)
        {
            Absorb(ex, Fields);
        }
        CurrentPassword = NewPassword = Repeat = null;
        if (Errors.Count > 0 || RuleError is not null) return Page();

        // Every session ended with the change, this one too: sign this browser in again.
        var user = await users.FindAsync(id, ct);
        if (user is null) return Forbid();
        await signIn.SignInAsync(HttpContext, user);
        Message = "Ihr Passwort wurde geändert. Alle anderen Anmeldungen und Tokens Ihres Kontos sind beendet.";
        return RedirectToPage();
    }
}
