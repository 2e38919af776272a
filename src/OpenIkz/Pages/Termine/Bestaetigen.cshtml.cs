using Microsoft.AspNetCore.Mvc;
using OpenIkz.Appointments;

namespace OpenIkz.Pages.Termine;

/// <summary>
/// The confirmation link from the e-mail. Opening it confirms nothing (mail scanners open links); the button does. A
/// code can also be typed in.
/// </summary>
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(OpenIkz.Infrastructure.Http.RateLimitPolicies.Booking)] // the writes (posts) of the public pages, as the API
public sealed class BestaetigenModel(Bookings bookings) : FormPageModel
{
    public const string CodeId = "bestaetigen-code";

    [BindProperty(SupportsGet = true, Name = "code")] public string? Code { get; set; }

    public AppointmentView? ConfirmedAppointment { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        try
        {
            ConfirmedAppointment = await bookings.ConfirmAsync(Code, ct);
        }
        catch (ValidationException)
        {
            AddError(CodeId, "Bitte geben Sie den Code aus der E-Mail ein.");
        }
        catch (AppointmentNotFoundException)
        {
            AddError(CodeId, "Zu diesem Code gibt es keinen Termin. Prüfen Sie, ob Sie ihn vollständig übernommen haben.");
        }
        catch (RuleException ex)
        {
            RuleError = ex.Message;
        }
        return Page();
    }
}
