using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using OpenIkz.Appointments;

namespace OpenIkz.Pages.Termine;

/// <summary>
/// The appointment behind a manage token (the link from the e-mail): its state, the calendar file, moving (the slot
/// search in move mode, then a question with the old and new time) and cancelling (after a question). No login: the
/// token is the key; an unknown token is "not found".
/// </summary>
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(OpenIkz.Infrastructure.Http.RateLimitPolicies.Booking)] // the writes (posts) of the public pages, as the API
public sealed class VerwaltenModel(Bookings bookings) : FormPageModel
{
    [BindProperty(SupportsGet = true)] public string Token { get; set; } = "";

    /// <summary>A new slot chosen in the move search: its start (UTC, ISO) and office.</summary>
    [BindProperty(SupportsGet = true, Name = "neu")] public string? NewStart { get; set; }
    [BindProperty(SupportsGet = true, Name = "dienststelle")] public string? NewOffice { get; set; }

    [TempData] public string? Message { get; set; }

    public AppointmentView Appointment { get; private set; } = null!;
    public bool Open => Appointment.Status is "reserved" or "confirmed";

    public string MoveSearchLink => QueryLink.Build("/Termine", ("leistung", Appointment.Service), ("wohnort", Appointment.ResidentAgs),
        ("anzahl", Appointment.Items.ToString(CultureInfo.InvariantCulture)), ("verschieben", Token));

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await LoadAsync(ct) is { } notFound) return notFound;
        if (Open && ParseMove() is { } move)
            Confirmation = new Confirmation("Termin verschieben?",
                [$"Ihr bisheriger Termin am {Local(Appointment.Start)} wird frei.", $"Neuer Termin: {Local(move.Start)}."],
                $"/Termine/Verwalten/{Token}?handler=Move", [new("neu", NewStart), new("dienststelle", NewOffice)], "Ja, verschieben", $"/Termine/Verwalten/{Token}");
        return Page();
    }

    public async Task<IActionResult> OnPostMoveAsync(CancellationToken ct)
    {
        if (await LoadAsync(ct) is { } notFound) return notFound;
        if (ParseMove() is not { } move) return Redirect($"/Termine/Verwalten/{Token}");
        try
        {
            var moved = await bookings.MoveAsync(Token, new MoveRequest(move.Office, move.Start), ct);
            Message = $"Ihr Termin ist verschoben auf {Local(moved.Start)}." + (moved.Status == "confirmed" ? " Sie erhalten eine E-Mail mit der geänderten Kalenderdatei." : "");
            return Redirect($"/Termine/Verwalten/{Token}");
        }
        catch (ValidationException ex)
        {
            RuleError = string.Join(" ", ex.Errors.SelectMany(e => e.Value));
        }
        catch (RuleException ex)
        {
            RuleError = ex.Message;
        }
        return Page();
    }

    public async Task<IActionResult> OnPostCancelAsync(CancellationToken ct)
    {
        if (await LoadAsync(ct) is { } notFound) return notFound;
        if (!Confirmed)
        {
            Confirmation = new Confirmation("Termin absagen?", [$"Ihr Termin am {Local(Appointment.Start)} bei {Appointment.OfficeName} wird abgesagt. Das lässt sich nicht rückgängig machen; einen neuen Termin buchen Sie wie gewohnt."],
                $"/Termine/Verwalten/{Token}?handler=Cancel", [], "Ja, absagen", $"/Termine/Verwalten/{Token}");
            return Page();
        }
        await bookings.CancelAsync(Token, ct);
        Message = "Ihr Termin ist abgesagt." + (Appointment.Status == "confirmed" ? " Sie erhalten eine E-Mail, die ihn aus Ihrem Kalender entfernt." : "");
        return Redirect($"/Termine/Verwalten/{Token}");
    }

    private async Task<IActionResult?> LoadAsync(CancellationToken ct)
    {
        try
        {
            Appointment = await bookings.GetAsync(Token, ct);
            return null;
        }
        catch (AppointmentNotFoundException)
        {
            return NotFound();
        }
    }

    private (long Office, DateTime Start)? ParseMove() =>
        long.TryParse(NewOffice, NumberStyles.None, CultureInfo.InvariantCulture, out var office)
        && DateTime.TryParse(NewStart, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var start)
            ? (office, DateTime.SpecifyKind(start, DateTimeKind.Utc)) : null;

    public static string Local(DateTime utc) => BerlinTime.ToLocal(utc).ToString("dddd, dd.MM.yyyy, HH:mm 'Uhr'", CultureInfo.GetCultureInfo("de-DE"));
}
