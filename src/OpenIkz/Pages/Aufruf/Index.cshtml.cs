using Microsoft.AspNetCore.Mvc;
using OpenIkz.Appointments;

namespace OpenIkz.Pages.Aufruf;

/// <summary>
/// The waiting-room display of an office (public: it shows only check-in codes and counters). The page lists the latest
/// calls; with JavaScript it adds each new call as it happens from the server-sent event stream (no polling).
/// </summary>
public sealed class IndexModel(OfficeDay day) : FormPageModel
{
    [BindProperty(SupportsGet = true)] public long Id { get; set; }
    public Office Office { get; private set; } = null!;
    public IReadOnlyList<Call> Calls { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        try
        {
            (Office, Calls) = await day.DisplayAsync(Id, ct);
            return Page();
        }
        catch (OfficeNotFoundException)
        {
            return NotFound();
        }
    }
}
