using Microsoft.AspNetCore.Mvc;
using OpenIkz.Directory.Accounts;
using OpenIkz.Directory.Municipalities;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Pages.Verwaltung;

/// <summary>The invoicing data of the administrator's own municipality (the folder is for Administration only). The
/// municipality always comes from the principal, never from the form.</summary>
public sealed class RechnungsdatenModel(MunicipalityInvoicing invoicing) : FormPageModel
{
    /// <summary>The domain's field names and the ids of their inputs.</summary>
    public static readonly IReadOnlyDictionary<string, string> Fields = new Dictionary<string, string>
    {
        ["authorityName"] = "rd-behoerde", ["street"] = "rd-strasse", ["postalCode"] = "rd-plz", ["city"] = "rd-ort",
        ["iban"] = "rd-iban", ["bic"] = "rd-bic", ["email"] = "rd-email", ["telephone"] = "rd-telefon",
        ["leitwegId"] = "rd-leitweg-id", ["openingHours"] = "rd-oeffnungszeiten",
    };

    public string MunicipalityName { get; private set; } = "";

    [BindProperty] public string? AuthorityName { get; set; }
    [BindProperty] public string? Street { get; set; }
    [BindProperty] public string? PostalCode { get; set; }
    [BindProperty] public string? City { get; set; }
    [BindProperty] public string? Iban { get; set; }
    [BindProperty] public string? Bic { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Telephone { get; set; }
    [BindProperty] public string? LeitwegId { get; set; }
    [BindProperty] public string? OpeningHours { get; set; }

    [TempData] public string? Message { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (User.MunicipalityAgs() is not { } ags) return Forbid();
        var data = await invoicing.FindAsync(ags, ct);
        if (data is null) return NotFound();
        MunicipalityName = data.Name;
        (AuthorityName, Street, PostalCode, City, Iban, Bic, Email, Telephone, LeitwegId, OpeningHours) =
            (data.AuthorityName, data.Street, data.PostalCode, data.City, data.Iban is null ? null : Directory.Municipalities.Iban.Format(data.Iban),
             data.Bic, data.Email, data.Telephone, data.LeitwegId, data.OpeningHours);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (User.MunicipalityAgs() is not { } ags) return Forbid();
        try
        {
            await invoicing.UpdateAsync(User, ags,
                new InvoicingInput(AuthorityName, Street, PostalCode, City, Iban, Bic, Email, Telephone, LeitwegId, OpeningHours), ct);
        }
        catch (InvoicingNotFoundException)
        {
            return NotFound();
        }
        catch (InvoicingForbiddenException)
        {
            return Forbid();
        }
        catch (ValidationException ex)
        {
            Absorb(ex, Fields);
            MunicipalityName = (await invoicing.FindAsync(ags, ct))?.Name ?? ags;
            return Page();
        }
        Message = "Die Rechnungsdaten wurden gespeichert.";
        return RedirectToPage();
    }
}
