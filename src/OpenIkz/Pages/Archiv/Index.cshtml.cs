using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Backoffice;
using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Cases;
using OpenIkz.Directory.Accounts;
using OpenIkz.Directory.Services;

namespace OpenIkz.Pages.Archiv;

/// <summary>
/// Search over the closed cases of the cooperation area the user may see: exact reference or beginning of the family
/// name, filtered by service, partner, outcome and decision date; paged on the server with the filters in the URL.
/// </summary>
[Authorize(Policy = BackofficePolicies.Clerk)]
public sealed class IndexModel(SearchArchive search) : PageModel
{
    public const string QId = "q", ServiceId = "leistung", OwnerId = "partner", OutcomeId = "entscheidung", FromId = "entschieden-von", ToId = "entschieden-bis";

    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? Service { get; set; }
    [BindProperty(SupportsGet = true)] public string? Partner { get; set; }
    [BindProperty(SupportsGet = true)] public string? Outcome { get; set; }
    [BindProperty(SupportsGet = true)] public string? From { get; set; }
    [BindProperty(SupportsGet = true)] public string? To { get; set; }
    [BindProperty(SupportsGet = true, Name = "seite")] public string? PageNumber { get; set; }

    public ArchivePage? Result { get; private set; }
    public IReadOnlyList<(string Ags, string Name)> Owners { get; private set; } = [];
    public IReadOnlyList<ServiceDefinition> Services { get; private set; } = [];
    public Dictionary<string, List<string>> Errors { get; } = [];

    public IReadOnlyList<string> ErrorsFor(string id) => Errors.TryGetValue(id, out var e) ? e : [];
    public IReadOnlyList<string> QueryErrors => ErrorsFor(QId);
    public int PageCount => Result is null ? 0 : (int)Math.Max(1, (Result.Total + Result.PageSize - 1) / Result.PageSize);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        Owners = await search.OwnersAsync(actor, ct);
        Services = ServiceCatalog.All.Where(s => actor.Services.Contains(s.Slug)).ToList();
        if (new[] { Q, Service, Partner, Outcome, From, To }.All(string.IsNullOrWhiteSpace)) return Page();
        try
        {
            var filter = SearchArchive.Parse(Q, Service, Partner, Outcome, From, To, PageNumber);
            if (filter.IsEmpty) Errors[QId] = ["Bitte geben Sie ein Aktenzeichen oder einen Namen ein oder wählen Sie einen Filter."];
            else Result = await search.SearchAsync(actor, filter, ct);
        }
        catch (ValidationException ex)
        {
            foreach (var (key, messages) in ex.Errors)
            {
                // A bad page number belongs to no field: it is named in the summary only ("" has no field to link).
                var id = key switch { "service" => ServiceId, "owner" => OwnerId, "outcome" => OutcomeId, "from" => FromId, "to" => ToId, "page" => "", _ => QId };
                if (!Errors.TryGetValue(id, out var list)) Errors[id] = list = [];
                list.AddRange(messages);
            }
        }
        return Page();
    }

    /// <summary>The link to another page of the same search.</summary>
    public string PageLink(int page) => QueryLink.Build("/Archiv",
        ("q", Q), ("service", Service), ("partner", Partner), ("outcome", Outcome), ("from", From), ("to", To), ("seite", QueryLink.PageValue(page)));
}
