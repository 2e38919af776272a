using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using OpenIkz.Appointments;
using OpenIkz.Directory.Services;

namespace OpenIkz.Pages.Termine;

/// <summary>
/// Public booking, steps one to three: the service and the place of residence (and how many items, e.g. vehicles), then
/// the earliest free slots of every office open to that place, a week at a time, optionally of one office. Each slot
/// leads to the form (/Termine/Buchen). With <c>verschieben</c> (a manage token) the slots move that appointment instead.
/// </summary>
public sealed class IndexModel(SlotFinder finder, Offices offices, TimeProvider clock) : FormPageModel
{
    public const string ServiceId = "termin-leistung", MunicipalityId = "termin-wohnort", ItemsId = "termin-anzahl", OfficeId = "termin-dienststelle", FromId = "termin-ab";

    public static readonly IReadOnlyDictionary<string, string> Fields = new Dictionary<string, string>
    {
        ["service"] = ServiceId, ["municipality"] = MunicipalityId, ["items"] = ItemsId, ["office"] = OfficeId, ["from"] = FromId, ["to"] = FromId,
    };

    public const int DaysShown = 7;

    [BindProperty(SupportsGet = true, Name = "leistung")] public string? Service { get; set; }
    [BindProperty(SupportsGet = true, Name = "wohnort")] public string? Municipality { get; set; }
    [BindProperty(SupportsGet = true, Name = "anzahl")] public string? Items { get; set; }
    [BindProperty(SupportsGet = true, Name = "dienststelle")] public string? Office { get; set; }
    [BindProperty(SupportsGet = true, Name = "ab")] public string? From { get; set; }
    [BindProperty(SupportsGet = true, Name = "verschieben")] public string? MoveToken { get; set; }

    public IReadOnlyList<ServiceDefinition> Services { get; private set; } = [];
    public IReadOnlyList<(string Ags, string Name)> Places { get; private set; } = [];
    public IReadOnlyList<Office> OpenOffices { get; private set; } = [];
    public IReadOnlyList<FreeSlot>? Slots { get; private set; }
    public DateOnly WindowStart { get; private set; }
    public DateOnly Today { get; private set; }

    public string Link(DateOnly from) => QueryLink.Build("/Termine", ("leistung", Service), ("wohnort", Municipality), ("anzahl", Items), ("dienststelle", Office),
        ("ab", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), ("verschieben", MoveToken));

    public string BookLink(FreeSlot slot) => QueryLink.Build("/Termine/Buchen", ("leistung", Service), ("wohnort", Municipality), ("anzahl", Items),
        ("dienststelle", slot.OfficeId.ToString(CultureInfo.InvariantCulture)), ("beginn", slot.Start.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)));

    public async Task OnGetAsync(CancellationToken ct)
    {
        Today = BerlinTime.Today(clock);
        var all = await offices.ListAsync(null, null, ct);
        Services = ServiceCatalog.All.Where(s => all.Any(o => o.Services.Any(x => x.Service == s.Slug))).ToList();
        Places = await offices.ResidentChoicesAsync(ct);
        WindowStart = ParseDate(From) is { } f && f >= Today && f <= Today.AddDays(366) ? f : Today;
        // The first visit shows the choice; a sent form (even an empty one) is checked.
        if (!Request.Query.ContainsKey("leistung") && !Request.Query.ContainsKey("wohnort")) return;

        if (string.IsNullOrWhiteSpace(Service)) AddError(ServiceId, "Bitte wählen Sie die Leistung.");
        if (string.IsNullOrWhiteSpace(Municipality)) AddError(MunicipalityId, "Bitte wählen Sie Ihren Wohnort.");
        var items = 1;
        if (!string.IsNullOrWhiteSpace(Items) && !(int.TryParse(Items, NumberStyles.None, CultureInfo.InvariantCulture, out items) && items is >= 1 and <= 20))
            AddError(ItemsId, "Die Anzahl ist eine ganze Zahl von 1 bis 20.");
        long? office = null;
        if (!string.IsNullOrWhiteSpace(Office))
        {
            if (long.TryParse(Office, NumberStyles.None, CultureInfo.InvariantCulture, out var o)) office = o;
            else AddError(OfficeId, "Bitte wählen Sie eine Dienststelle aus der Liste.");
        }
        if (!string.IsNullOrWhiteSpace(From) && ParseDate(From) is null) AddError(FromId, "Das Datum hat die Form TT.MM.JJJJ.");
        if (Errors.Count > 0) return;
        try
        {
            OpenOffices = await offices.ListAsync(Service, Municipality, ct);
            Slots = await finder.SearchAsync(new SlotFinder.Query(Service, Municipality, office, WindowStart, WindowStart.AddDays(DaysShown - 1), items), ct);
        }
        catch (SlotSearchBusyException busy)
        {
            RuleError = busy.Message;
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Response.Headers.RetryAfter = ((int)Math.Ceiling(busy.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
        catch (ValidationException ex)
        {
            Absorb(ex, Fields);
        }
        catch (OfficeNotFoundException)
        {
            AddError(OfficeId, "Diese Dienststelle gibt es nicht.");
        }
    }
}
