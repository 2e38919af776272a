using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Registry.Cooperations;

namespace OpenIkz.Pages.Register;

/// <summary>One register entry, public. A coordinator of a partner sees the link to change it.</summary>
public sealed class DetailModel(CooperationQueries queries) : PageModel
{
    public CooperationDetails Entry { get; private set; } = null!;
    public bool CanEdit { get; private set; }
    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(long cooperationId, CancellationToken ct)
    {
        try
        {
            Entry = await queries.GetAsync(cooperationId, ct);
        }
        catch (CooperationNotFoundException)
        {
            return NotFound();
        }
        var actor = Actor.From(User);
        CanEdit = actor is { IsUser: true, IsCoordinator: true } && Entry.Partners.Any(p => p.Ags == actor.Ags);
        Message = TempData["Message"] as string;
        return Page();
    }
}
