using Microsoft.AspNetCore.Mvc;
using OpenIkz.Directory.Accounts;
using QRCoder;

namespace OpenIkz.Pages.Konto;

/// <summary>Enrolment of the second factor: a new secret as QR code (and as text for typing), the first code from the
/// app switches it on, and the ten recovery codes are shown once, in the answer to that request only.</summary>
public sealed class ZweiterFaktorModel(SecondFactor secondFactor, UserAccounts users) : FormPageModel
{
    [BindProperty] public string? Code { get; set; }

    public bool Enabled { get; private set; }
    public int RemainingRecoveryCodes { get; private set; }
    public TotpEnrolment? Pending { get; private set; }
    public string? QrPngBase64 { get; private set; }
    public IReadOnlyList<string>? RecoveryCodes { get; private set; }
    public bool Required => User.FindFirst(AccountClaims.Pending)?.Value == PendingSteps.SecondFactor;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (User.UserId() is not { } id) return Forbid();
        await LoadAsync(id, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostBeginAsync(CancellationToken ct)
    {
        if (User.UserId() is not { } id) return Forbid();
        try
        {
            await secondFactor.BeginAsync(id, ct);
        }
        catch (RuleException ex)
        {
            RuleError = ex.Message;
        }
        await LoadAsync(id, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostConfirmAsync(CancellationToken ct)
    {
        if (User.UserId() is not { } id) return Forbid();
        try
        {
            RecoveryCodes = await secondFactor.ConfirmAsync(id, Code, ct);
        }
        catch (ValidationException ex)
        {
            Absorb(ex, new Dictionary<string, string> { ["code"] = "code" });
        }
        catch (RuleException ex)
        {
            RuleError = ex.Message;
        }
        Code = null;
        await LoadAsync(id, ct);
        return Page();
    }

    private async Task LoadAsync(long id, CancellationToken ct)
    {
        var user = await users.FindAsync(id, ct);
        Enabled = user?.TotpEnabled == true;
        if (Enabled)
        {
            RemainingRecoveryCodes = await secondFactor.RemainingRecoveryCodesAsync(id, ct);
            return;
        }
        Pending = await secondFactor.PendingAsync(id, ct);
        if (Pending is not null)
        {
            using var generator = new QRCodeGenerator();
            using var data = generator.CreateQrCode(Pending.OtpauthUri, QRCodeGenerator.ECCLevel.M);
            QrPngBase64 = Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(6));
        }
    }
}
