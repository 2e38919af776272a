using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Registry.Cooperations;

namespace OpenIkz.Pages.Register;

/// <summary>The public register: search with filters, one page of entries, the open data links. Bad filter values are shown next to their filter.</summary>
public sealed class IndexModel(CooperationQueries queries, TimeProvider clock) : PageModel
{
    public const int PageSize = 20;

    [BindProperty(SupportsGet = true, Name = "q")] public string? Q { get; set; }
    [BindProperty(SupportsGet = true, Name = "taskField")] public string? TaskField { get; set; }
    [BindProperty(SupportsGet = true, Name = "state")] public string? State { get; set; }
    [BindProperty(SupportsGet = true, Name = "district")] public string? District { get; set; }
    [BindProperty(SupportsGet = true, Name = "legalForm")] public string? LegalForm { get; set; }
    [BindProperty(SupportsGet = true, Name = "status")] public string? Status { get; set; }
    /// <summary>The "page" query parameter (read by hand: Razor Pages use the name "page" for the page's own route value).</summary>
    public string? PageNumber { get; private set; }

    public CooperationPage? Result { get; private set; }
    public Dictionary<string, string> FilterErrors { get; } = [];
    public IReadOnlyList<(string Ags, string Name)> Districts { get; private set; } = [];
    public DateOnly Today => BerlinTime.Today(clock);
    public bool Filtered => new[] { Q, TaskField, State, District, LegalForm, Status }.Any(v => !string.IsNullOrWhiteSpace(v));
    public int PageCount => Result is null || Result.Total == 0 ? 1 : (Result.Total + PageSize - 1) / PageSize;

    public async Task OnGetAsync(CancellationToken ct)
    {
        PageNumber = Request.Query["page"].FirstOrDefault();
        Districts = await queries.DistrictsAsync(ct);
        try
        {
            var filter = CooperationSearch.Parse(Q, TaskField, State, District, null, LegalForm, Status, PageNumber, PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Result = await queries.SearchAsync(filter, ct);
        }
        catch (ValidationException ex)
        {
            foreach (var (field, messages) in ex.Errors) FilterErrors[RegisterUi.FilterId(field)] = string.Join(" ", messages);
        }
    }

    /// <summary>The link to another page of the same search.</summary>
    public string PageLink(int page) => QueryLink.Build("/Register",
        ("q", Q), ("taskField", TaskField), ("state", State), ("district", District), ("legalForm", LegalForm), ("status", Status), ("page", QueryLink.PageValue(page)));
}
