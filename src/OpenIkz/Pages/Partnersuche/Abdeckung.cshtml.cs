using Microsoft.AspNetCore.Mvc;
using OpenIkz.Registry.PartnerSearches;

namespace OpenIkz.Pages.Partnersuche;

/// <summary>
/// Coverage (public): for a task field, and optionally a state, the municipalities without an implemented or running
/// cooperation, by district, with counts ("keine Kommune ohne Kooperationspartner", seeds/002, 8).
/// </summary>
public sealed class AbdeckungModel(Coverage coverage) : FormPageModel
{
    public const string TaskFieldId = "abdeckung-aufgabenfeld", StateId = "abdeckung-land";

    [BindProperty(SupportsGet = true, Name = "aufgabenfeld")] public string? TaskField { get; set; }
    [BindProperty(SupportsGet = true, Name = "land")] public string? State { get; set; }

    public CoverageReport? Report { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(TaskField) && string.IsNullOrWhiteSpace(State)) return; // the first visit: only the form
        try
        {
            Report = await coverage.ForAsync(TaskField, State, ct);
        }
        catch (ValidationException ex)
        {
            Absorb(ex, new Dictionary<string, string> { ["taskField"] = TaskFieldId, ["state"] = StateId });
        }
    }
}
