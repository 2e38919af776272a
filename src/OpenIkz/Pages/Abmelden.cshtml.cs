using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Directory.Accounts;

namespace OpenIkz.Pages;

/// <summary>Signs out: ends the session on the server, so that a copy of the cookie is worthless afterwards.
/// POST only (with the antiforgery token), so that no link or image can sign a user out.
/// Anonymous is allowed: signing out with an expired session just leads to the start page.</summary>
[AllowAnonymous]
public sealed class AbmeldenModel(BrowserSignIn signIn) : PageModel
{
    public IActionResult OnGet()
    {
        Response.Headers.Allow = "POST";
        return StatusCode(StatusCodes.Status405MethodNotAllowed);
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await signIn.SignOutAsync(HttpContext);
        return LocalRedirect("/");
    }
}
