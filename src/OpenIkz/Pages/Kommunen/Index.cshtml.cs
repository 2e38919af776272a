using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Directory.Municipalities;

namespace OpenIkz.Pages.Kommunen;

public sealed class IndexModel(MunicipalityQueries municipalities) : PageModel
{
    /// <summary>At most this many rows are rendered; the count always covers every match.</summary>
    public const int MaxRows = 500;

    [BindProperty(SupportsGet = true, Name = "q")] public string? Q { get; set; }
    [BindProperty(SupportsGet = true, Name = "state")] public string? State { get; set; }
    [BindProperty(SupportsGet = true, Name = "district")] public string? District { get; set; }

    public IReadOnlyList<Municipality> Items { get; private set; } = [];
    public Municipality? DistrictInfo { get; private set; }
    public bool Filtered => !string.IsNullOrWhiteSpace(Q) || !string.IsNullOrWhiteSpace(State) || !string.IsNullOrWhiteSpace(District);

    public async Task OnGetAsync(CancellationToken ct)
    {
        Q = Q?.Trim();
        if (Q?.Length > 100) Q = Q[..100];
        District = District?.Trim();
        if (District?.Length > 12) District = null;
        Items = await municipalities.ListAsync(new MunicipalityFilter(State, District, Q), ct);
        if (!string.IsNullOrEmpty(District)) DistrictInfo = await municipalities.FindAsync(District, ct);
    }
}
