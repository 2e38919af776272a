using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Agreements;
using OpenIkz.Backoffice.Access;

namespace OpenIkz.Pages.Vereinbarungen;

/// <summary>The agreements of the own municipality (member of), newest start first.</summary>
[Authorize(Policy = AgreementsApi.CoordinatorPolicy)]
public sealed class IndexModel(AgreementService agreements, TimeProvider clock) : PageModel
{
    public IReadOnlyList<AgreementSummary> Agreements { get; private set; } = [];
    public DateOnly Today { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        Today = BackofficeUi.Today(clock);
        Agreements = await agreements.ListAsync(actor.Ags, ct);
        return Page();
    }
}
