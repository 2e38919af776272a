using OpenIkz.Appointments;

namespace OpenIkz.Pages.Dienststellen;

/// <summary>The own municipality's offices with the links to their day, and the measured no-show rates per office and service.</summary>
public sealed class IndexModel(OfficeDay day) : FormPageModel
{
    public IReadOnlyList<Office> Offices { get; private set; } = [];
    public IReadOnlyList<NoShowRate> Rates { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var actor = Actor.From(User)!;
        Offices = await day.OwnOfficesAsync(actor, ct);
        Rates = await day.NoShowRatesAsync(actor, ct);
    }
}
