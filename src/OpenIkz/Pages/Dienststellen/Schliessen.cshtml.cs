using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenIkz.Appointments;
using OpenIkz.Directory;

namespace OpenIkz.Pages.Dienststellen;

/// <summary>
/// The closure days of an own office, by its Administration: close a day (no slots then) with a reason, and open it
/// again. A day with appointments asks first how many will be cancelled; only the confirmation cancels them, and
/// everyone affected gets an e-mail with the next free slots (<see cref="Bookings.CloseDayAsync"/>, the API's call).
/// </summary>
[Authorize(Policy = DirectoryPolicies.Administration)]
public sealed class SchliessenModel(Offices offices, Bookings bookings, OfficeDay officeDay, TimeProvider clock) : FormPageModel
{
    public const string DayId = "schliessen-tag", ReasonId = "schliessen-grund";

    private static readonly IReadOnlyDictionary<string, string> Fields = new Dictionary<string, string> { ["day"] = DayId, ["reason"] = ReasonId };

    [BindProperty(SupportsGet = true)] public long Id { get; set; }
    [BindProperty] public string? Day { get; set; }
    [BindProperty] public string? Reason { get; set; }

    /// <summary>The closure day a „Wieder öffnen“ button sends (yyyy-MM-dd).</summary>
    [BindProperty] public string? ReopenDay { get; set; }
    [TempData] public string? Message { get; set; }

    public Office Office { get; private set; } = null!;
    public DateOnly Today => BerlinTime.Today(clock);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ?? Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (await LoadAsync(ct) is { } notFound) return notFound;
        var actor = Actor.From(User)!;
        var day = ParseDate(Day);
        try
        {
            var cancelled = await bookings.CloseDayAsync(actor, Id, new ClosureInput(day, Reason, CancelAppointments: Confirmed), ct);
            Message = $"{Office.Name} ist am {LongDate(day!.Value)} geschlossen; an diesem Tag werden keine Termine angeboten."
                + (cancelled > 0 ? $" {Appointments(cancelled)} abgesagt; alle Betroffenen erhalten eine E-Mail mit den nächsten freien Terminen." : "");
            return Redirect(Path);
        }
        catch (OfficeNotFoundException) { return NotFound(); }
        catch (ValidationException ex)
        {
            Absorb(ex, Fields);
            if (!string.IsNullOrWhiteSpace(Day) && day is null)
            {
                Errors.Remove(DayId);
                AddError(DayId, "Bitte den Tag als Datum angeben, z. B. 24.12.2026.");
            }
        }
        catch (RuleException ex) when (ex.Rule == "AppointmentsOnDay" && !Confirmed)
        {
            // Nothing is stored yet: the refusal rolled the closure back. Ask, with the number of appointments on the day.
            var count = (await officeDay.DayAsync(actor, Id, day, ct)).Count;
            Confirmation = new Confirmation($"{LongDate(day!.Value)} schließen und die Termine absagen?",
                [
                    $"An diesem Tag {(count == 1 ? "ist 1 Termin" : $"sind {count} Termine")} gebucht. {(count == 1 ? "Er wird" : "Sie werden")} abgesagt.",
                    "Alle Betroffenen erhalten eine E-Mail mit dem Grund und den nächsten freien Terminen.",
                    "Das Absagen lässt sich nicht rückgängig machen; wird der Tag wieder geöffnet, sind seine Termine wieder frei buchbar.",
                ],
                Path, [new("Day", BackofficeUi.IsoDate(day.Value)), new("Reason", Reason)], "Ja, schließen und absagen", Path);
        }
        catch (RuleException ex) { RuleError = ex.Message; }
        return Page();
    }

    public async Task<IActionResult> OnPostReopenAsync(CancellationToken ct)
    {
        if (await LoadAsync(ct) is { } notFound) return notFound;
        if (ParseDate(ReopenDay) is not { } day)
        {
            RuleError = "Bitte den Tag angeben, der wieder geöffnet werden soll.";
            return Page();
        }
        try
        {
            await offices.RemoveClosureAsync(Actor.From(User)!, Id, day, ct);
            Message = $"{Office.Name} ist am {LongDate(day)} wieder geöffnet; die freien Termine des Tages sind wieder buchbar.";
            return Redirect(Path);
        }
        catch (OfficeNotFoundException) { return NotFound(); }
        catch (ClosureNotFoundException ex) { RuleError = ex.Message; }
        catch (ValidationException ex) { RuleError = string.Join(" ", ex.Errors.SelectMany(e => e.Value)); }
        return Page();
    }

    private string Path => $"/Dienststellen/{Id}/Schliessen";

    private async Task<IActionResult?> LoadAsync(CancellationToken ct)
    {
        try
        {
            Office = await officeDay.OwnOfficeAsync(Actor.From(User)!, Id, ct);
            return null;
        }
        catch (OfficeNotFoundException)
        {
            return NotFound();
        }
    }

    private static string Appointments(int n) => n == 1 ? "1 Termin ist" : $"{n} Termine sind";

    public static string LongDate(DateOnly day) => day.ToString("dddd, dd.MM.yyyy", Ui.German);
}
