using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Backoffice;
using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Cases;
using OpenIkz.Directory.Accounts;

namespace OpenIkz.Pages.Archiv;

/// <summary>Search over the closed cases of the cooperation area the user may see (exact reference or beginning of the family name).</summary>
[Authorize(Policy = BackofficePolicies.Clerk)]
public sealed class IndexModel(SearchArchive search) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }

    public IReadOnlyList<CaseSummary>? Results { get; private set; }
    public IReadOnlyList<string> QueryErrors { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        if (Q is null) return Page();
        try
        {
            Results = await search.HandleAsync(actor, Q, ct);
        }
        catch (ValidationException ex)
        {
            QueryErrors = ex.Errors.Values.SelectMany(m => m).ToList();
        }
        return Page();
    }
}
