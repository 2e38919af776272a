using Microsoft.AspNetCore.Mvc;
using OpenIkz.Agreements;
using OpenIkz.Registry.Regions;

namespace OpenIkz.Pages.Kooperationsraum;

/// <summary>
/// One Kooperationsraum for every person of a member municipality: members, Handlungsfelder with goals, options, linked
/// register entries and agreements (title and status), and each field's learning cycle with overdue reviews marked in
/// words. The Koordination of a member adds Handlungsfelder; that of a koordinierend member manages members, name and
/// description. Non-members get 404.
/// </summary>
public sealed class DetailModel(RegionQueries regions, ManageRegion manage, ManageFields fields, AgreementService agreements, TimeProvider clock) : RegionPageModel
{
    public const string NameId = "raum-name", DescriptionId = "raum-beschreibung", MemberAgsId = "mitglied-ags", MemberRoleId = "mitglied-rolle",
        FieldNameId = "feld-name", FieldDescriptionId = "feld-beschreibung", DeleteId = "raum-loeschen-bestaetigen";

    public static readonly string[] FieldOrder = [MemberAgsId, MemberRoleId, FieldNameId, FieldDescriptionId, NameId, DescriptionId, DeleteId];

    public RegionDetails Region { get; private set; } = null!;
    public DateOnly Today { get; private set; }

    /// <summary>Agreements the caller's municipality is a member of: the page links those to their own page (coordinators only see agreement pages).</summary>
    public IReadOnlySet<long> OwnAgreements { get; private set; } = new HashSet<long>();

    public bool CanEditFields => Actor.IsCoordinator;
    public bool CanManage => Actor.IsCoordinator && Region.OwnRole == RegionRoles.Coordinating;

    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Description { get; set; }
    [BindProperty] public int? Version { get; set; }
    [BindProperty] public string? MemberAgs { get; set; }
    [BindProperty] public string? MemberRole { get; set; }
    [BindProperty] public string? FieldName { get; set; }
    [BindProperty] public string? FieldDescription { get; set; }
    [BindProperty] public bool DeleteConfirmed { get; set; }

    /// <summary>Set when the region form was posted: its inputs keep the posted values instead of the stored ones.</summary>
    public bool RegionFormPosted { get; private set; }

    public Task<IActionResult> OnGetAsync(long regionId, CancellationToken ct) => ShowAsync(regionId, ct);

    public Task<IActionResult> OnPostRegionAsync(long regionId, CancellationToken ct)
    {
        RegionFormPosted = true;
        return ChangeAsync(a => manage.UpdateAsync(a, regionId, new RegionInput(Name, Description, Version), ct), "Name und Beschreibung wurden gespeichert.",
            () => RedirectToPage(new { regionId }), new Dictionary<string, string> { ["name"] = NameId, ["description"] = DescriptionId }, () => ShowAsync(regionId, ct));
    }

    public Task<IActionResult> OnPostMemberAsync(long regionId, CancellationToken ct) =>
        ChangeAsync(a => manage.SetMemberAsync(a, regionId, new RegionMemberInput(MemberAgs, MemberRole), ct), "Die Mitglieder wurden gespeichert.",
            () => Redirect($"/Kooperationsraum/{regionId}#mitglieder"), new Dictionary<string, string> { ["ags"] = MemberAgsId, ["role"] = MemberRoleId }, () => ShowAsync(regionId, ct));

    public Task<IActionResult> OnPostRemoveMemberAsync(long regionId, string ags, CancellationToken ct) =>
        ChangeAsync(a => manage.RemoveMemberAsync(a, regionId, ags, ct), "Die Kommune ist nicht mehr Mitglied des Kooperationsraums.",
            () => ags == Actor.Ags ? Redirect("/Kooperationsraum") : Redirect($"/Kooperationsraum/{regionId}#mitglieder"), new Dictionary<string, string>(), () => ShowAsync(regionId, ct));

    public async Task<IActionResult> OnPostFieldAsync(long regionId, CancellationToken ct)
    {
        long id = 0;
        return await ChangeAsync(async a => id = await fields.CreateAsync(a, regionId, new FieldOfActionInput(FieldName, FieldDescription, null), ct),
            "Das Handlungsfeld wurde angelegt. Tragen Sie Entwicklungsziele, Handlungsoptionen und den Lernzyklus ein.",
            () => Redirect($"/Kooperationsraum/{regionId}/Handlungsfeld/{id}"),
            new Dictionary<string, string> { ["name"] = FieldNameId, ["description"] = FieldDescriptionId }, () => ShowAsync(regionId, ct));
    }

    /// <summary>Deletes the whole Kooperationsraum (its Handlungsfelder, links and learning cycles; not the register entries or agreements it links), after the box is ticked.</summary>
    public Task<IActionResult> OnPostDeleteAsync(long regionId, CancellationToken ct)
    {
        if (!DeleteConfirmed) AddError(DeleteId, "Bitte bestätigen Sie, dass der Kooperationsraum mit allen Handlungsfeldern gelöscht werden soll.");
        return ChangeAsync(a => manage.DeleteAsync(a, regionId, ct), "Der Kooperationsraum wurde gelöscht.", () => Redirect("/Kooperationsraum"),
            new Dictionary<string, string>(), () => ShowAsync(regionId, ct));
    }

    private async Task<IActionResult> ShowAsync(long regionId, CancellationToken ct)
    {
        if (!TryActor()) return Forbid();
        Today = BerlinTime.Today(clock);
        if (await LoadRegionAsync(regions, regionId, ct) is not { } region) return NotFound();
        Region = region;
        if (Actor.IsCoordinator) OwnAgreements = (await agreements.ListAsync(Actor.Ags, ct)).Select(a => a.Id).ToHashSet();
        // After a refusal the posted name and description stay; the version is always the stored one, so that sending the
        // form again after a VersionConflict message is a deliberate overwrite.
        Version = Region.Version;
        if (!RegionFormPosted)
        {
            Name = Region.Name;
            Description = Region.Description;
        }
        return Page();
    }
}
