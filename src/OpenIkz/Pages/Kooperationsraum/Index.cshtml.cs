using Microsoft.AspNetCore.Mvc;
using OpenIkz.Registry.Regions;

namespace OpenIkz.Pages.Kooperationsraum;

/// <summary>
/// The Kooperationsräume of the own municipality, for every signed-in person of it; the Koordination creates new ones
/// (the own municipality becomes the first, coordinating member).
/// </summary>
public sealed class IndexModel(RegionQueries regions, ManageRegion manage) : RegionPageModel
{
    public const string NameId = "raum-name", DescriptionId = "raum-beschreibung";

    public IReadOnlyList<RegionSummary> Regions { get; private set; } = [];

    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Description { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!TryActor()) return Forbid();
        Regions = await regions.ListAsync(Actor, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        if (!TryActor() || !Actor.IsCoordinator) return Forbid();
        long id = 0;
        return await ChangeAsync(async a => id = await manage.CreateAsync(a, new RegionInput(Name, Description, null), ct),
            "Der Kooperationsraum wurde angelegt. Fügen Sie Mitglieder und Handlungsfelder hinzu.", () => Redirect($"/Kooperationsraum/{id}"),
            new Dictionary<string, string> { ["name"] = NameId, ["description"] = DescriptionId }, () => OnGetAsync(ct));
    }
}
