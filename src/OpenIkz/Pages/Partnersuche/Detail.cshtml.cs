using Microsoft.AspNetCore.Mvc;
using OpenIkz.Registry.PartnerSearches;

namespace OpenIkz.Pages.Partnersuche;

/// <summary>
/// One partner search (public while open; a finished one only for its own municipality, else 404) with its suggested
/// partners and their reasons. A coordinator of another municipality expresses interest here; the own municipality's
/// coordinators see the interests (opening the page marks their notices about it read) and can end the search.
/// </summary>
public sealed class DetailModel(PartnerSearchService searches, Notifications notifications) : PartnerSearchPage
{
    public const string MessageId = "ps-nachricht";

    public PartnerSearchDetails Details { get; private set; } = null!;
    public IReadOnlyList<Suggestion> Suggestions { get; private set; } = [];

    [BindProperty] public string? InterestMessage { get; set; }

    public PartnerSearchSummary Search => Details.Search;
    public bool CanExpressInterest => Search.Open && !Details.Own && !Details.Interested;

    public async Task<IActionResult> OnGetAsync(long searchId, CancellationToken ct)
    {
        if (!await LoadAsync(searchId, ct)) return NotFound();
        if (Details.Own && IsCoordinator) await notifications.MarkReadAsync(Viewer!, $"/Partnersuche/{searchId}", ct);
        return Page();
    }

    public async Task<IActionResult> OnPostInterestAsync(long searchId, CancellationToken ct)
    {
        if (Coordinator(out var actor) is { } refused) return refused;
        try
        {
            var result = await searches.ExpressInterestAsync(actor, searchId, new InterestInput(InterestMessage), ct);
            Message = !result.Created ? "Ihre Kommune hatte bereits Interesse bekundet."
                : result.Mailed ? "Ihr Interesse ist übermittelt. Die suchende Kommune wurde in OpenIKZ und per E-Mail benachrichtigt."
                : "Ihr Interesse ist übermittelt. Die suchende Kommune sieht den Hinweis in OpenIKZ.";
            return RedirectToPage(new { searchId });
        }
        catch (NotFoundException) { return NotFound(); }
        catch (ValidationException ex) { Absorb(ex, new Dictionary<string, string> { ["message"] = MessageId }); }
        catch (RuleException ex) { RuleError = ex.Message; }
        return await LoadAsync(searchId, ct) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostCloseAsync(long searchId, CancellationToken ct)
    {
        if (Coordinator(out var actor) is { } refused) return refused;
        try
        {
            await searches.CloseAsync(actor, searchId, ct);
        }
        catch (NotFoundException) { return NotFound(); }
        catch (PartnerSearchForbiddenException) { return Forbid(); }
        Message = "Die Partnersuche ist beendet und nicht mehr öffentlich.";
        return RedirectToPage(new { searchId });
    }

    private async Task<bool> LoadAsync(long searchId, CancellationToken ct)
    {
        try
        {
            Details = await searches.GetAsync(Viewer, searchId, ct);
            Suggestions = await searches.SuggestionsAsync(Viewer, searchId, ct: ct);
            return true;
        }
        catch (NotFoundException) { return false; }
    }
}
