using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Directory.Municipalities;

namespace OpenIkz.Pages.Kommunen;

public sealed class DetailModel(MunicipalityQueries municipalities) : PageModel
{
    public Municipality Municipality { get; private set; } = null!;
    public Municipality? District { get; private set; }
    public IReadOnlyList<Municipality> Members { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string ags, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(ags) || ags.Length > 12 || !ags.All(char.IsAsciiDigit)) return NotFound();
        var found = await municipalities.FindAsync(ags, ct);
        if (found is null) return NotFound();
        Municipality = found;
        if (found.DistrictAgs is { } districtAgs) District = await municipalities.FindAsync(districtAgs, ct);
        Members = (await municipalities.ListAsync(new MunicipalityFilter(District: ags), ct))
            .Where(m => m.DistrictAgs == ags)
            .OrderBy(m => m.Name, StringComparer.Create(Ui.German, CompareOptions.None))
            .ToList();
        return Page();
    }
}
