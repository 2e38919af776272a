using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using OpenIkz.Appointments;
using OpenIkz.Directory.Services;

namespace OpenIkz.Pages.Termine;

/// <summary>
/// Public booking, step four: the chosen slot and the form (name, e-mail, telephone). Sending it holds the slot and
/// sends the e-mail with the confirmation code; the page then says so and leads to the appointment's manage page.
/// </summary>
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(OpenIkz.Infrastructure.Http.RateLimitPolicies.Booking)] // the writes (posts) of the public pages, as the API
public sealed class BuchenModel(Bookings bookings, Offices offices, BookingChallenge challenge, TimeProvider clock) : FormPageModel
{
    public const string NameId = "buchen-name", EmailId = "buchen-email", PhoneId = "buchen-telefon";

    private static readonly IReadOnlyDictionary<string, string> Fields = new Dictionary<string, string>
    {
        ["name"] = NameId, ["email"] = EmailId, ["phone"] = PhoneId,
    };

    [BindProperty(SupportsGet = true, Name = "leistung")] public string? Service { get; set; }
    [BindProperty(SupportsGet = true, Name = "wohnort")] public string? Municipality { get; set; }
    [BindProperty(SupportsGet = true, Name = "anzahl")] public string? Items { get; set; }
    [BindProperty(SupportsGet = true, Name = "dienststelle")] public string? OfficeText { get; set; }
    [BindProperty(SupportsGet = true, Name = "beginn")] public string? StartText { get; set; }

    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Phone { get; set; }

    /// <summary>The solved proof-of-work challenge "token:nonce", filled in by /js/pruefung.js.</summary>
    [BindProperty(Name = "challenge")] public string? ChallengeSolution { get; set; }

    /// <summary>The challenge the form carries (a new one for every display), or null when none is required.</summary>
    public Challenge? Proof { get; private set; }

    public Office? Office { get; private set; }
    public DateTime? Start { get; private set; }
    public string ServiceName => ServiceCatalog.Find(Service ?? "")?.Name ?? "";
    public string SearchLink => QueryLink.Build("/Termine", ("leistung", Service), ("wohnort", Municipality), ("anzahl", Items));

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ? Form() : Redirect(SearchLink);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return Redirect(SearchLink);
        try
        {
            var items = int.TryParse(Items, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 1;
            await challenge.VerifyAsync(ChallengeSolution, ct);
            var result = await bookings.BookAsync(new BookingRequest(Service, Office!.Id, Start, items, Name, Email, Phone, Municipality), ct);
            TempData["Message"] = "Der Termin ist für Sie reserviert. Bitte bestätigen Sie ihn mit dem Link oder Code aus der E-Mail, die wir Ihnen eben geschickt haben.";
            return Redirect($"/Termine/Verwalten/{result.ManageToken}");
        }
        catch (ValidationException ex)
        {
            Absorb(ex, Fields);
        }
        catch (RuleException ex)
        {
            RuleError = ex.Message;
        }
        return Form();
    }

    /// <summary>The form with a fresh challenge: a spent one cannot be sent again.</summary>
    private IActionResult Form()
    {
        Proof = challenge.Required ? challenge.Issue() : null;
        return Page();
    }

    /// <summary>The slot named in the address; false when it cannot be read (back to the search).</summary>
    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (!long.TryParse(OfficeText, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) return false;
        if (!DateTime.TryParse(StartText, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var start)) return false;
        try { Office = await offices.GetAsync(id, ct); }
        catch (OfficeNotFoundException) { return false; }
        Start = DateTime.SpecifyKind(start, DateTimeKind.Utc);
        return BerlinTime.DateOf(Start.Value) >= BerlinTime.Today(clock);
    }
}
