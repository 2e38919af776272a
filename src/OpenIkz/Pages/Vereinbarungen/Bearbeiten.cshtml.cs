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
/// The guided agreement form in steps (<see cref="Steps"/>): a new draft (/Vereinbarungen/Neu) or changes to a draft
/// (/Vereinbarungen/{id}/Bearbeiten). Works without JavaScript: every post carries the whole form (the fields of the other
/// steps as hidden inputs) and the button pressed. "Weiter" checks the steps up to the current one with the domain's own
/// validator and goes back to the first step with an error; the last step shows the generated document and only saving
/// stores anything. Every error is shown next to its field.
/// </summary>
[Authorize(Policy = AgreementsApi.CoordinatorPolicy)]
public sealed class BearbeitenModel(AgreementService agreements, MunicipalityQueries municipalities) : FormPageModel
{
    [BindProperty] public AgreementForm Form { get; set; } = new();

    /// <summary>The step shown (0 … 5) and the furthest step reached so far, carried by the form.</summary>
    [BindProperty] public int Step { get; set; }
    [BindProperty] public int Reached { get; set; }

    /// <summary>The button pressed: "weiter", "zurueck", "schritt-N" (a step of the step list) or "speichern".</summary>
    [BindProperty] public string? Go { get; set; }

    public static readonly IReadOnlyList<string> Steps = ["Grunddaten", "Mitglieder", "Recht und Form", "Leistungen und Schlüssel", "Laufzeit", "Prüfen"];
    public const int ReviewStep = 5;

    /// <summary>The generated document of the terms (the last step), or null while they are not valid.</summary>
    public AgreementPreview? Preview { get; private set; }

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
            Reached = ReviewStep; // a stored draft is complete: every step can be opened
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
        Step = Math.Clamp(Step, 0, ReviewStep);
        Reached = Math.Clamp(Math.Max(Reached, Step), 0, ReviewStep);

        var go = Go ?? "weiter";
        if (go == "zurueck") return Show(Math.Max(0, Step - 1));
        var wanted = go.StartsWith("schritt-", StringComparison.Ordinal) && int.TryParse(go["schritt-".Length..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? Math.Clamp(n, 0, Reached)
            : go == "speichern" ? ReviewStep : Math.Min(Step + 1, ReviewStep);
        // Going back needs no check; going on checks every step before the one wanted.
        if (go != "speichern" && wanted <= Step) return Show(wanted);

        var terms = Check(out var memberRows, out var rateSlots);
        var firstError = FirstStepWithError();
        var needed = go == "speichern" ? ReviewStep : wanted - 1;
        if (firstError is { } failed && failed <= needed)
        {
            KeepErrorsOfStep(failed);
            return Show(failed, keepErrors: true);
        }
        if (go != "speichern")
        {
            Errors.Clear();
            FormErrors.Clear();
            return Show(wanted);
        }

        string FieldId(string key) => AgreementForm.FieldId(key, memberRows, rateSlots);
        try
        {
            if (id is { } changed)
            {
                await agreements.UpdateDraftAsync(actor, changed, LastInput!, ct);
                TempData["Message"] = "Der Entwurf wurde gespeichert. Alle bisherigen Zustimmungen wurden zurückgesetzt.";
                return Redirect($"/Vereinbarungen/{changed}");
            }
            var newId = await agreements.CreateDraftAsync(actor, LastInput!, ct);
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
        var step = FirstStepWithError() ?? ReviewStep;
        KeepErrorsOfStep(step);
        return Show(step, keepErrors: true);
    }

    private AgreementInput? LastInput { get; set; }

    /// <summary>Reads and validates the whole form; the errors go to <see cref="FormPageModel.Errors"/> and <see cref="FormErrors"/>.</summary>
    private AgreementTerms? Check(out List<int> memberRows, out List<int> rateSlots)
    {
        LastInput = Form.ToInput(Errors, out memberRows, out rateSlots);
        var rows = memberRows;
        var slots = rateSlots;
        try
        {
            var terms = AgreementValidator.Validate(LastInput, Municipalities.ToDictionary(m => m.Ags, m => m.State), Names());
            return Errors.Count == 0 ? terms : null;
        }
        catch (ValidationException ex)
        {
            AgreementUi.Merge(ex.Errors, key => AgreementForm.FieldId(key, rows, slots), Errors, FormErrors);
            return null;
        }
    }

    private Dictionary<string, string> Names() => Municipalities.ToDictionary(m => m.Ags, m => m.Name);

    /// <summary>The first step that holds an error; errors the form cannot place at a field belong to the last step.</summary>
    private int? FirstStepWithError()
    {
        var steps = Errors.Where(e => e.Value.Count > 0).Select(e => AgreementForm.StepOf(e.Key)).ToList();
        if (FormErrors.Count > 0) steps.Add(ReviewStep);
        return steps.Count == 0 ? null : steps.Min();
    }

    /// <summary>Shows only the errors of the step the user is sent to: the later steps are checked when they are reached.</summary>
    private void KeepErrorsOfStep(int step)
    {
        foreach (var key in Errors.Keys.Where(k => AgreementForm.StepOf(k) != step).ToList()) Errors.Remove(key);
        if (step != ReviewStep) FormErrors.Clear();
    }

    private PageResult Show(int step, bool keepErrors = false)
    {
        if (!keepErrors) { Errors.Clear(); FormErrors.Clear(); }
        if (step == ReviewStep && Errors.Count == 0 && FormErrors.Count == 0)
        {
            // The last step shows the document the draft will get; reached only with valid terms.
            if (Check(out _, out _) is { } terms) Preview = AgreementDocuments.Preview(terms, Names());
            else
            {
                step = FirstStepWithError() ?? ReviewStep;
                KeepErrorsOfStep(step);
            }
        }
        Step = step;
        Reached = Math.Max(Reached, step);
        ModelState.Clear(); // the inputs show the model's values, not the posted ones of the other step
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
