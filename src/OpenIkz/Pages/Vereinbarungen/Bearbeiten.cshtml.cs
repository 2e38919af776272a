using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Agreements;
using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Cases;
using OpenIkz.Directory.Accounts;
using OpenIkz.Directory.Municipalities;

namespace OpenIkz.Pages.Vereinbarungen;

/// <summary>
/// The guided agreement form: a new draft (/Vereinbarungen/Neu) or changes to a draft (/Vereinbarungen/{id}/Bearbeiten).
/// The whole form is checked before anything is stored; every error is shown next to its field.
/// </summary>
[Authorize(Policy = AgreementsApi.CoordinatorPolicy)]
public sealed class BearbeitenModel(AgreementService agreements, MunicipalityQueries municipalities) : FormPageModel
{
    [BindProperty] public AgreementForm Form { get; set; } = new();

    public long? Id { get; private set; }
    public AgreementDetails? Existing { get; private set; }
    public IReadOnlyList<Municipality> Municipalities { get; private set; } = [];

    /// <summary>Errors the form cannot place at a field, and business rules (e.g. only a draft can be edited).</summary>
    public List<string> FormErrors { get; } = [];

    public bool CanEdit => Existing is null || Existing.Status == AgreementStatus.Draft;

    /// <summary>The page serves "Neu" and "{id}/Bearbeiten" (one Razor page has one route template; the rest is 404).</summary>
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

    public async Task<IActionResult> OnGetAsync(string? target, CancellationToken ct)
    {
        if (!TryParseTarget(target, out var id)) return NotFound();
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        if (id is { } existingId)
        {
            if (await LoadExistingAsync(actor, existingId, ct) is { } notFound) return notFound;
            Form = AgreementForm.From(Existing!);
        }
        else
        {
            Form = new AgreementForm { Members = [new MemberRow { Ags = actor.Ags }], NoticeMonths = "6", FeeRule = "owner" };
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? target, CancellationToken ct)
    {
        if (!TryParseTarget(target, out var id)) return NotFound();
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        if (id is { } existingId && await LoadExistingAsync(actor, existingId, ct) is { } notFound) return notFound;
        await LoadAsync(ct);
        if (RuleError is not null) return Page();

        var input = Form.ToInput(Errors, out var memberRows, out var rateSlots);
        string FieldId(string key) => AgreementForm.FieldId(key, memberRows, rateSlots);

        // The domain's own check first, on the same data: every problem of the form at once, nothing stored.
        try
        {
            AgreementValidator.Validate(input, Municipalities.ToDictionary(m => m.Ags, m => m.State));
        }
        catch (ValidationException ex)
        {
            AgreementUi.Merge(ex.Errors, FieldId, Errors, FormErrors);
        }
        if (Errors.Count > 0 || FormErrors.Count > 0) return Page();

        try
        {
            if (id is { } changed)
            {
                await agreements.UpdateDraftAsync(actor, changed, input, ct);
                TempData["Message"] = "Der Entwurf wurde gespeichert. Alle bisherigen Zustimmungen wurden zurückgesetzt.";
                return Redirect($"/Vereinbarungen/{changed}");
            }
            var newId = await agreements.CreateDraftAsync(actor, input, ct);
            TempData["Message"] = "Der Entwurf wurde angelegt. Stimmen Sie ihm zu, wenn er so gelten soll; danach stimmen die anderen Mitglieder zu.";
            return Redirect($"/Vereinbarungen/{newId}");
        }
        catch (AgreementNotFoundException)
        {
            return NotFound();
        }
        catch (ValidationException ex)
        {
            AgreementUi.Merge(ex.Errors, FieldId, Errors, FormErrors);
        }
        catch (RuleException ex)
        {
            RuleError = ex.Message;
        }
        return Page();
    }

    /// <summary>Loads the agreement being edited; a 404 result when the caller may not see it. A non-draft sets the rule error.</summary>
    private async Task<IActionResult?> LoadExistingAsync(Actor actor, long id, CancellationToken ct)
    {
        try
        {
            Existing = await agreements.GetAsync(actor, id, ct);
        }
        catch (AgreementNotFoundException)
        {
            return NotFound();
        }
        Id = id;
        try
        {
            Existing.State.EnsureEditable();
        }
        catch (RuleException ex)
        {
            RuleError = ex.Message;
        }
        return null;
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var collation = StringComparer.Create(Ui.German, System.Globalization.CompareOptions.None);
        Municipalities = (await municipalities.ListAsync(new MunicipalityFilter(), ct))
            .OrderBy(m => m.StateName, collation).ThenBy(m => m.Name, collation).ToList();
        while (Form.Members.Count < AgreementForm.MinMemberRows) Form.Members.Add(new MemberRow());
    }
}
