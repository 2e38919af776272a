using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using OpenIkz.Appointments;
using OpenIkz.Directory.Services;

namespace OpenIkz.Pages.Termine;

/// <summary>
/// The waiting list for residents who found no suitable slot: service, place of residence and number of items come from
/// the search; name, e-mail address and the last day a slot still suits are asked. When an appointment is cancelled,
/// the first waiting resident it suits is offered it by e-mail. The form carries the proof-of-work challenge like the
/// booking. Leaving the list: with the code from the e-mail (handler Leave).
/// </summary>
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(OpenIkz.Infrastructure.Http.RateLimitPolicies.Booking)] // the writes (posts) of the public pages, as the API
public sealed class WartelisteModel(Bookings bookings, Offices offices, BookingChallenge challenge) : FormPageModel
{
    public const string ServiceId = "warteliste-leistung", MunicipalityId = "warteliste-wohnort", NameId = "warteliste-name", EmailId = "warteliste-email",
        UntilId = "warteliste-bis", CodeId = "warteliste-code";

    private static readonly IReadOnlyDictionary<string, string> Fields = new Dictionary<string, string>
    {
        ["service"] = ServiceId, ["name"] = NameId, ["email"] = EmailId, ["until"] = UntilId,
    };

    [BindProperty(SupportsGet = true, Name = "leistung")] public string? Service { get; set; }
    [BindProperty(SupportsGet = true, Name = "wohnort")] public string? Municipality { get; set; }
    [BindProperty(SupportsGet = true, Name = "anzahl")] public string? Items { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Until { get; set; }
    [BindProperty(Name = "challenge")] public string? ChallengeSolution { get; set; }
    [BindProperty(SupportsGet = true, Name = "code")] public string? Code { get; set; }

    public IReadOnlyList<(string Ags, string Name)> Places { get; private set; } = [];
    public Challenge? Proof { get; private set; }
    public bool Joined { get; private set; }
    public bool Left { get; private set; }
    public string ServiceName => ServiceCatalog.Find(Service ?? "")?.Name ?? "";
    public string SearchLink => QueryLink.Build("/Termine", ("leistung", Service), ("wohnort", Municipality), ("anzahl", Items));

    public async Task OnGetAsync(CancellationToken ct) => await FormAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var items = int.TryParse(Items, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 1;
        // Every field is checked at once by the service; a typed date it cannot read gets its own message instead.
        var until = ParseDate(Until);
        var unreadable = !string.IsNullOrWhiteSpace(Until) && until is null;
        try
        {
            await challenge.VerifyAsync(ChallengeSolution, ct);
            await bookings.JoinWaitlistAsync(new WaitlistRequest(Service, Municipality, items, Name, Email, until), ct);
            Joined = true;
        }
        catch (ValidationException ex)
        {
            // The place of residence is a choice here, not a key typed in: the page says so in its own words.
            if (ex.Errors.ContainsKey("municipality")) AddError(MunicipalityId, "Bitte wählen Sie Ihren Wohnort aus der Liste.");
            var rest = new ValidationErrors();
            foreach (var (key, messages) in ex.Errors) if (key != "municipality") rest[key] = messages;
            Absorb(new ValidationException(rest), Fields);
        }
        if (unreadable)
        {
            Errors.Remove(UntilId);
            AddError(UntilId, "Das Datum hat die Form TT.MM.JJJJ.");
        }
        await FormAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostLeaveAsync(CancellationToken ct)
    {
        try
        {
            await bookings.LeaveWaitlistAsync(Code?.Trim() ?? "", ct);
            Left = true;
        }
        catch (AppointmentNotFoundException)
        {
            AddError(CodeId, "Zu diesem Code gibt es keinen Platz auf der Warteliste (mehr). Prüfen Sie, ob Sie ihn vollständig übernommen haben.");
        }
        await FormAsync(ct);
        return Page();
    }

    private async Task FormAsync(CancellationToken ct)
    {
        Places = await offices.ResidentChoicesAsync(ct);
        Proof = challenge.Required && !Joined ? challenge.Issue() : null;
    }
}
