using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenIkz.Agreements;
using OpenIkz.Registry;
using OpenIkz.Registry.Cooperations;

namespace OpenIkz.Pages.Register;

/// <summary>
/// A coordinator enters a cooperation (/Register/Neu) or changes one of a partner (/Register/{id}/Bearbeiten). The folder is
/// public, so the handlers check: not signed in → login, not Koordination → access denied, not a partner → access denied.
/// The whole entry is checked before anything is stored; every message goes next to its field.
/// </summary>
public sealed class BearbeitenModel(CooperationService service, CooperationQueries queries, AgreementService agreements, IAuthorizationService authorization)
    : FormPageModel
{
    [BindProperty] public RegisterForm Form { get; set; } = new();

    public long? Id { get; private set; }
    public CooperationDetails? Existing { get; private set; }
    public IReadOnlyList<AgreementSummary> Agreements { get; private set; } = [];

    private static bool TryParseTarget(string? target, out long? id)
    {
        id = null;
        var parts = (target ?? "").Trim('/').Split('/');
        if (parts is [var neu] && neu.Equals("Neu", StringComparison.OrdinalIgnoreCase)) return true;
        if (parts is [var number, var edit] && edit.Equals("Bearbeiten", StringComparison.OrdinalIgnoreCase)
            && long.TryParse(number, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
        {
            id = parsed;
            return true;
        }
        return false;
    }

    /// <summary>Who may use the form, and which entry: null to go on, otherwise the answer (login, denied, 404).</summary>
    private async Task<IActionResult?> GateAsync(long? id, CancellationToken ct)
    {
        if (User.Identity?.IsAuthenticated != true) return Challenge();
        if (!(await authorization.AuthorizeAsync(User, RegistryPolicies.Coordinator)).Succeeded || Actor.From(User) is not { IsUser: true } actor) return Forbid();
        if (id is { } existingId)
        {
            try { Existing = await queries.GetAsync(existingId, ct); }
            catch (CooperationNotFoundException) { return NotFound(); }
            if (Existing.Partners.All(p => p.Ags != actor.Ags)) return Forbid();
            Id = existingId;
        }
        Agreements = await agreements.ListAsync(actor.Ags, ct);
        return null;
    }

    public async Task<IActionResult> OnGetAsync(string? target, CancellationToken ct)
    {
        if (!TryParseTarget(target, out var id)) return NotFound();
        if (await GateAsync(id, ct) is { } answer) return answer;
        Form = Existing is not null ? RegisterForm.From(Existing)
            : new RegisterForm { Partners = [new PartnerRow { Ags = Actor.From(User)!.Ags, Role = PartnerRoles.Lead }], Status = RegistryStatus.Implemented };
        Pad();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? target, CancellationToken ct)
    {
        if (!TryParseTarget(target, out var id)) return NotFound();
        if (await GateAsync(id, ct) is { } answer) return answer;
        var input = Form.ToInput(Errors, out var partnerRows);
        try
        {
            var actor = Actor.From(User)!;
            if (Errors.Count > 0)
            {
                // The form could not read some fields: still check the rest, so every message shows at once.
                await service.CheckAsync(actor, input, ct);
            }
            else if (Id is { } existing)
            {
                await service.UpdateAsync(actor, existing, input, ct);
                TempData["Message"] = "Der Eintrag wurde gespeichert.";
                return Redirect($"/Register/{existing}");
            }
            else
            {
                var newId = await service.CreateAsync(actor, input, ct);
                TempData["Message"] = "Die Kooperation ist jetzt im Register eingetragen.";
                return Redirect($"/Register/{newId}");
            }
        }
        catch (ValidationException ex)
        {
            foreach (var (key, messages) in ex.Errors)
                foreach (var message in messages)
                    if (RegisterForm.FieldId(key, partnerRows) is { Length: > 0 } fieldId) AddError(fieldId, message);
                    else RuleError = RuleError is null ? message : RuleError + " " + message;
        }
        catch (RuleException ex)
        {
            RuleError = ex.Message;
        }
        catch (CooperationForbiddenException)
        {
            return Forbid();
        }
        Pad();
        return Page();
    }

    private void Pad()
    {
        var rows = Math.Max(RegisterForm.MinPartnerRows, Form.Partners.Count(p => !string.IsNullOrWhiteSpace(p.Ags)) + 2);
        while (Form.Partners.Count < rows) Form.Partners.Add(new PartnerRow { Role = PartnerRoles.Partner });
    }
}
