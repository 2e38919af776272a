using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using OpenIkz.Appointments;

namespace OpenIkz.Pages.Dienststellen;

/// <summary>An own office's day: today's appointments, check-in by the resident's code, the call to a counter and the no-show.</summary>
public sealed class HeuteModel(OfficeDay day, TimeProvider clock) : FormPageModel
{
    public const string CodeId = "einchecken-code";

    [BindProperty(SupportsGet = true)] public long Id { get; set; }
    [BindProperty] public string? Code { get; set; }
    [BindProperty] public string? AppointmentId { get; set; }
    [BindProperty] public int Counter { get; set; }
    [TempData] public string? Message { get; set; }

    public Office Office { get; private set; } = null!;
    public IReadOnlyList<DayAppointment> Appointments { get; private set; } = [];
    public int Counters => Office.Hours.Select(h => h.Counters).DefaultIfEmpty(1).Max();
    public DateTime NowUtc => clock.GetUtcNow().UtcDateTime;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ?? Page();

    public async Task<IActionResult> OnPostCheckInAsync(CancellationToken ct)
    {
        if (await LoadAsync(ct) is { } notFound) return notFound;
        try
        {
            var a = await day.CheckInAsync(Actor.From(User)!, Id, Code, ct);
            Message = $"{a.Name} ({a.CheckinCode}, {BerlinTime.ToLocal(a.Start):HH:mm} Uhr) ist eingecheckt.";
            return Redirect($"/Dienststellen/{Id}/Heute");
        }
        catch (ValidationException ex) { Absorb(ex, new Dictionary<string, string> { ["code"] = CodeId }); }
        catch (RuleException ex) { RuleError = ex.Message; }
        return Page();
    }

    public async Task<IActionResult> OnPostCallAsync(CancellationToken ct)
    {
        if (await LoadAsync(ct) is { } notFound) return notFound;
        try
        {
            var call = await day.CallAsync(Actor.From(User)!, Id, AppointmentId ?? "", Counter, ct);
            Message = $"{call.Code} ist an Schalter {call.Counter} aufgerufen; die Anzeige im Wartebereich zeigt es.";
            return Redirect($"/Dienststellen/{Id}/Heute");
        }
        catch (AppointmentNotFoundException) { return NotFound(); }
        catch (ValidationException ex) { RuleError = string.Join(" ", ex.Errors.SelectMany(e => e.Value)); }
        catch (RuleException ex) { RuleError = ex.Message; }
        return Page();
    }

    public async Task<IActionResult> OnPostNoShowAsync(CancellationToken ct)
    {
        if (await LoadAsync(ct) is { } notFound) return notFound;
        try
        {
            await day.NoShowAsync(Actor.From(User)!, Id, AppointmentId ?? "", ct);
            Message = "Als „nicht erschienen“ vermerkt.";
            return Redirect($"/Dienststellen/{Id}/Heute");
        }
        catch (AppointmentNotFoundException) { return NotFound(); }
        catch (RuleException ex) { RuleError = ex.Message; }
        return Page();
    }

    private async Task<IActionResult?> LoadAsync(CancellationToken ct)
    {
        var actor = Actor.From(User)!;
        try
        {
            Office = await day.OwnOfficeAsync(actor, Id, ct);
            Appointments = await day.DayAsync(actor, Id, null, ct);
            return null;
        }
        catch (OfficeNotFoundException)
        {
            return NotFound();
        }
    }

    public static string Time(DateTime utc) => BerlinTime.ToLocal(utc).ToString("HH:mm", CultureInfo.InvariantCulture);
}
