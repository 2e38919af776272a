using Microsoft.AspNetCore.Mvc;
using OpenIkz.Directory.Municipalities;
using OpenIkz.Registry;
using OpenIkz.Registry.PartnerSearches;

namespace OpenIkz.Pages.Partnersuche;

/// <summary>
/// The open partner searches (public, filterable by task field and state). For a coordinator also: the form for a new
/// search, the own municipality's searches with their best suggestions, and the notices of interest received.
/// </summary>
public sealed class IndexModel(PartnerSearchService searches, Notifications notifications) : PartnerSearchPage
{
    public const string TaskFieldId = "ps-aufgabenfeld", TitleId = "ps-titel", DescriptionId = "ps-beschreibung", UntilId = "ps-bis";

    /// <summary>The domain's field names and the ids of their inputs.</summary>
    public static readonly IReadOnlyDictionary<string, string> Fields = new Dictionary<string, string>
    {
        ["taskField"] = TaskFieldId, ["title"] = TitleId, ["description"] = DescriptionId, ["until"] = UntilId,
    };

    public const int SuggestionsShown = 3;

    [BindProperty(SupportsGet = true, Name = "aufgabenfeld")] public string? FilterTaskField { get; set; }
    [BindProperty(SupportsGet = true, Name = "land")] public string? FilterState { get; set; }
    [BindProperty(SupportsGet = true, Name = "seite")] public int PageNumber { get; set; } = 1;

    [BindProperty] public string? TaskField { get; set; }
    [BindProperty] public string? Title { get; set; }
    [BindProperty] public string? Description { get; set; }
    [BindProperty] public string? Until { get; set; }

    public SearchPage Open { get; private set; } = new([], 0);
    public IReadOnlyList<PartnerSearchSummary> Own { get; private set; } = [];
    public Dictionary<long, IReadOnlyList<Suggestion>> OwnSuggestions { get; } = [];
    public IReadOnlyList<Notice> Notices { get; private set; } = [];
    public int PageCount => Math.Max(1, (Open.Total + PartnerSearchService.DefaultPageSize - 1) / PartnerSearchService.DefaultPageSize);
    public bool Filtered => !string.IsNullOrEmpty(FilterTaskField) || !string.IsNullOrEmpty(FilterState);

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        if (Coordinator(out var actor) is { } refused) return refused;
        var until = DateField(Until, UntilId);
        // A date that is no date: the other fields are still checked (a missing date always refuses, so nothing is stored).
        var badDate = Errors.Count > 0;
        try
        {
            var id = await searches.CreateAsync(actor, new PartnerSearchInput(TaskField, Title, Description, until), ct);
            Message = "Ihre Partnersuche ist veröffentlicht. Unten stehen die vorgeschlagenen Partner mit ihren Gründen.";
            return Redirect($"/Partnersuche/{id}");
        }
        catch (ValidationException ex)
        {
            if (badDate) ex.Errors.Remove("until");
            Absorb(ex, Fields);
        }
        catch (RuleException ex) { RuleError = ex.Message; }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostReadAsync(CancellationToken ct)
    {
        if (Coordinator(out var actor) is { } refused) return refused;
        await notifications.MarkReadAsync(actor, ct: ct);
        Message = "Alle Hinweise sind als gelesen markiert.";
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        // Unknown filter values (an old link) are dropped rather than refused: the list then shows everything.
        FilterTaskField = TaskFields.Find(FilterTaskField)?.Slug;
        FilterState = States.TryParse(FilterState, out var code) ? code : null;
        PageNumber = Math.Max(1, PageNumber);
        Open = await searches.ListOpenAsync(new OpenSearchFilter(FilterTaskField, FilterState, PageNumber), ct);
        if (!IsCoordinator) return;
        var actor = Viewer!;
        Own = await searches.ListOwnAsync(actor.Ags, ct);
        // The best three for the newest open searches; every search's page has all of them.
        foreach (var s in Own.Where(s => s.Open).Take(5))
            OwnSuggestions[s.Id] = await searches.SuggestionsAsync(actor, s.Id, SuggestionsShown, ct);
        Notices = await notifications.ForAsync(actor, 10, ct);
    }
}
