using Microsoft.AspNetCore.Mvc;

namespace OpenIkz.Pages.Partnersuche;

/// <summary>
/// The pages of the public folder /Partnersuche. Reading is for everyone; a write handler first asks <see cref="Coordinator"/>:
/// an anonymous visitor is sent to the login page, a person without the Koordination role to the access-denied page.
/// </summary>
public abstract class PartnerSearchPage : FormPageModel
{
    public Actor? Viewer => Actor.From(User);

    public bool IsCoordinator => Viewer is { IsUser: true, IsCoordinator: true };

    [TempData] public string? Message { get; set; }

    /// <summary>Null when the caller is a coordinator; otherwise the answer for a write handler (login or access denied).</summary>
    protected IActionResult? Coordinator(out Actor actor)
    {
        actor = Viewer!;
        if (Viewer is not { IsUser: true }) return Challenge();
        return IsCoordinator ? null : Forbid();
    }

    /// <summary>"2026-12-31" or "31.12.2026" as a date; a text that is neither adds the German error to <paramref name="fieldId"/>.</summary>
    protected DateOnly? DateField(string? text, string fieldId)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var date = ParseDate(text);
        if (date is null) AddError(fieldId, "Bitte geben Sie ein gültiges Datum an (TT.MM.JJJJ).");
        return date;
    }
}
