using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Agreements;
using OpenIkz.Agreements.Settlement;
using OpenIkz.Backoffice.Access;

namespace OpenIkz.Pages.Abrechnungen;

/// <summary>A settlement (Kostenausgleich): one statement per member with downloads, the transfers and the counted lines.
/// Only members of the agreement see it; for everyone else it is "not found".</summary>
[Authorize(Policy = AgreementsApi.CoordinatorPolicy)]
public sealed class DetailModel(SettlementService settlements) : PageModel
{
    public SettlementView Settlement { get; private set; } = null!;
    public Actor Actor { get; private set; } = null!;

    [TempData] public string? Message { get; set; }

    public string Name(string ags) => Settlement.Parties.TryGetValue(ags, out var p) ? p.Name : ags;

    public async Task<IActionResult> OnGetAsync(string settlementId, CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        if (string.IsNullOrEmpty(settlementId) || settlementId.Length > 64) return NotFound();
        Actor = actor;
        try
        {
            Settlement = await settlements.GetAsync(actor, settlementId, ct);
        }
        catch (SettlementNotFoundException)
        {
            return NotFound();
        }
        return Page();
    }
}
