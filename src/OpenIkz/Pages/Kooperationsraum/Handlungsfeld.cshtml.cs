using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenIkz.Agreements;
using OpenIkz.Registry;
using OpenIkz.Registry.Regions;

namespace OpenIkz.Pages.Kooperationsraum;

/// <summary>One row of the goals or options form: text, optional status, and its number in the order.</summary>
public sealed class ItemRow
{
    public string? Text { get; set; }
    public string? Status { get; set; }
    public string? Order { get; set; }
}

/// <summary>
/// Working on one Handlungsfeld (Koordination of a member): name, description and position, the development goals and
/// options for action, links to register entries and to the own municipality's agreements, the five steps of the learning
/// cycle, and deleting the field. Non-members get 404, like the API.
/// </summary>
[Authorize(Policy = RegistryPolicies.Coordinator)]
public sealed class HandlungsfeldModel(RegionQueries regions, ManageFields fields, FieldLinks links, UpdateLearningCycle cycle, AgreementService agreements,
    TimeProvider clock) : RegionPageModel
{
    public const string NameId = "feld-name", DescriptionId = "feld-beschreibung", PositionId = "feld-position", CooperationId = "eintrag-nummer",
        AgreementSelectId = "vereinbarung-auswahl", DeleteId = "feld-loeschen-bestaetigen";

    /// <summary>Empty rows offered below the existing goals and options.</summary>
    public const int BlankRows = 3;

    public static string ItemId(string kind, int row, string part) => $"{(kind == FieldItems.Goal ? "ziel" : "option")}-{row}-{part}";

    public static string StepId(string step, string part) => $"schritt-{step}-{part}";

    public RegionDetails Region { get; private set; } = null!;
    public FieldOfActionView Field { get; private set; } = null!;
    public DateOnly Today { get; private set; }

    /// <summary>Agreements of the own municipality not yet linked: the ones this coordinator may link.</summary>
    public IReadOnlyList<AgreementSummary> LinkableAgreements { get; private set; } = [];

    [BindProperty] public string? FieldName { get; set; }
    [BindProperty] public string? FieldDescription { get; set; }
    [BindProperty] public string? FieldPosition { get; set; }
    [BindProperty] public List<ItemRow> Goals { get; set; } = [];
    [BindProperty] public List<ItemRow> Options { get; set; } = [];
    [BindProperty] public string? CooperationNumber { get; set; }
    [BindProperty] public string? AgreementId { get; set; }
    [BindProperty] public string? StepStatus { get; set; }
    [BindProperty] public string? StepReviewOn { get; set; }
    [BindProperty] public string? StepNote { get; set; }
    [BindProperty] public bool DeleteConfirmed { get; set; }

    /// <summary>Which form was posted and refused: its inputs keep the posted values.</summary>
    public string? Posted { get; private set; }

    public Task<IActionResult> OnGetAsync(long regionId, long fieldId, CancellationToken ct) => ShowAsync(regionId, fieldId, ct);

    public Task<IActionResult> OnPostFieldAsync(long regionId, long fieldId, CancellationToken ct)
    {
        Posted = "field";
        int? position = null;
        if (!string.IsNullOrWhiteSpace(FieldPosition))
        {
            if (int.TryParse(FieldPosition.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var p)) position = p;
            else AddError(PositionId, "Bitte geben Sie die Position als ganze Zahl an, z. B. 1 für das erste Handlungsfeld.");
        }
        return ChangeAsync(a => fields.UpdateAsync(a, regionId, fieldId, new FieldOfActionInput(FieldName, FieldDescription, position), ct),
            "Das Handlungsfeld wurde gespeichert.", () => Back(regionId, fieldId, ""),
            new Dictionary<string, string> { ["name"] = NameId, ["description"] = DescriptionId, ["position"] = PositionId }, () => ShowAsync(regionId, fieldId, ct));
    }

    public Task<IActionResult> OnPostGoalsAsync(long regionId, long fieldId, CancellationToken ct) => SaveItemsAsync(regionId, fieldId, FieldItems.Goal, Goals, ct);

    public Task<IActionResult> OnPostOptionsAsync(long regionId, long fieldId, CancellationToken ct) => SaveItemsAsync(regionId, fieldId, FieldItems.Option, Options, ct);

    private Task<IActionResult> SaveItemsAsync(long regionId, long fieldId, string kind, List<ItemRow> rows, CancellationToken ct)
    {
        Posted = kind;
        // Rows with text, in the order of their numbers (rows without a number keep their place after the numbered ones).
        var kept = new List<(int Row, int Order, FieldItemInput Item)>();
        for (var row = 0; row < rows.Count; row++)
        {
            var r = rows[row];
            if (string.IsNullOrWhiteSpace(r.Text)) continue;
            var order = int.MaxValue;
            if (!string.IsNullOrWhiteSpace(r.Order))
            {
                if (int.TryParse(r.Order.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) order = n;
                else AddError(ItemId(kind, row, "reihenfolge"), "Bitte geben Sie die Reihenfolge als ganze Zahl an.");
            }
            kept.Add((row, order, new FieldItemInput(r.Text, string.IsNullOrEmpty(r.Status) ? null : r.Status)));
        }
        var ordered = kept.OrderBy(k => k.Order).ThenBy(k => k.Row).ToList();
        var map = new Dictionary<string, string>();
        for (var i = 0; i < ordered.Count; i++)
        {
            map[$"items[{i}].text"] = ItemId(kind, ordered[i].Row, "text");
            map[$"items[{i}].status"] = ItemId(kind, ordered[i].Row, "stand");
        }
        var what = kind == FieldItems.Goal ? "Die Entwicklungsziele wurden" : "Die Handlungsoptionen wurden";
        return ChangeAsync(a => fields.SaveItemsAsync(a, regionId, fieldId, kind, new FieldItemsInput(ordered.Select(o => o.Item).ToList()), ct),
            $"{what} gespeichert.", () => Back(regionId, fieldId, kind == FieldItems.Goal ? "ziele" : "optionen"), map, () => ShowAsync(regionId, fieldId, ct));
    }

    public Task<IActionResult> OnPostLinkCooperationAsync(long regionId, long fieldId, CancellationToken ct)
    {
        Posted = "cooperation";
        long? id = null;
        if (string.IsNullOrWhiteSpace(CooperationNumber)) AddError(CooperationId, "Bitte geben Sie die Nummer des Registereintrags an.");
        else if (long.TryParse(CooperationNumber.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) id = n;
        else AddError(CooperationId, "Die Nummer des Registereintrags ist eine ganze Zahl, z. B. 12.");
        return ChangeAsync(a => links.LinkCooperationAsync(a, regionId, fieldId, new CooperationLinkInput(id), ct), "Der Registereintrag wurde verknüpft.",
            () => Back(regionId, fieldId, "register"), new Dictionary<string, string> { ["cooperationId"] = CooperationId }, () => ShowAsync(regionId, fieldId, ct));
    }

    public Task<IActionResult> OnPostUnlinkCooperationAsync(long regionId, long fieldId, long cooperationId, CancellationToken ct) =>
        ChangeAsync(a => links.UnlinkCooperationAsync(a, regionId, fieldId, cooperationId, ct), "Die Verknüpfung mit dem Registereintrag wurde entfernt.",
            () => Back(regionId, fieldId, "register"), new Dictionary<string, string>(), () => ShowAsync(regionId, fieldId, ct));

    public Task<IActionResult> OnPostLinkAgreementAsync(long regionId, long fieldId, CancellationToken ct)
    {
        Posted = "agreement";
        long? id = null;
        if (long.TryParse(AgreementId, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) id = n;
        else AddError(AgreementSelectId, "Bitte wählen Sie eine Vereinbarung Ihrer Kommune.");
        return ChangeAsync(a => links.LinkAgreementAsync(a, regionId, fieldId, new AgreementLinkInput(id), ct), "Die Vereinbarung wurde verknüpft.",
            () => Back(regionId, fieldId, "vereinbarungen"), new Dictionary<string, string> { ["agreementId"] = AgreementSelectId }, () => ShowAsync(regionId, fieldId, ct));
    }

    public Task<IActionResult> OnPostUnlinkAgreementAsync(long regionId, long fieldId, long agreementId, CancellationToken ct) =>
        ChangeAsync(a => links.UnlinkAgreementAsync(a, regionId, fieldId, agreementId, ct), "Die Verknüpfung mit der Vereinbarung wurde entfernt.",
            () => Back(regionId, fieldId, "vereinbarungen"), new Dictionary<string, string>(), () => ShowAsync(regionId, fieldId, ct));

    public Task<IActionResult> OnPostStepAsync(long regionId, long fieldId, string? step, CancellationToken ct)
    {
        step ??= "";
        Posted = "step-" + step;
        DateOnly? reviewOn = null;
        if (!string.IsNullOrWhiteSpace(StepReviewOn))
        {
            reviewOn = ParseDate(StepReviewOn);
            if (reviewOn is null) AddError(StepId(step, "datum"), "Bitte geben Sie das Datum der Überprüfung als TT.MM.JJJJ an.");
        }
        return ChangeAsync(a => cycle.UpdateStepAsync(a, regionId, fieldId, step, new LearningCycleStepInput(StepStatus, reviewOn, StepNote), ct),
            $"Der Schritt „{LearningCycle.Step(step)?.Label ?? step}“ wurde gespeichert.", () => Back(regionId, fieldId, "lernzyklus"),
            new Dictionary<string, string> { ["status"] = StepId(step, "stand"), ["reviewOn"] = StepId(step, "datum"), ["note"] = StepId(step, "notiz") },
            () => ShowAsync(regionId, fieldId, ct));
    }

    public Task<IActionResult> OnPostDeleteAsync(long regionId, long fieldId, CancellationToken ct)
    {
        Posted = "delete";
        if (!DeleteConfirmed) AddError(DeleteId, "Bitte bestätigen Sie, dass das Handlungsfeld mit allen Einträgen gelöscht werden soll.");
        return ChangeAsync(a => fields.DeleteAsync(a, regionId, fieldId, ct), "Das Handlungsfeld wurde gelöscht.", () => Redirect($"/Kooperationsraum/{regionId}#handlungsfelder"),
            new Dictionary<string, string>(), () => ShowAsync(regionId, fieldId, ct));
    }

    private RedirectResult Back(long regionId, long fieldId, string anchor) =>
        Redirect($"/Kooperationsraum/{regionId}/Handlungsfeld/{fieldId}" + (anchor.Length > 0 ? "#" + anchor : ""));

    /// <summary>The rows the goals or options form shows: the posted ones after a refusal, else the stored items and empty rows.</summary>
    public IReadOnlyList<ItemRow> RowsOf(string kind)
    {
        if (Posted == kind) return kind == FieldItems.Goal ? Goals : Options;
        var items = kind == FieldItems.Goal ? Field.Goals : Field.Options;
        return [.. items.Select(i => new ItemRow { Text = i.Text, Status = i.Status, Order = i.Position.ToString(CultureInfo.InvariantCulture) }),
            .. Enumerable.Range(0, BlankRows).Select(_ => new ItemRow())];
    }

    private async Task<IActionResult> ShowAsync(long regionId, long fieldId, CancellationToken ct)
    {
        if (!TryActor()) return Forbid();
        Today = BerlinTime.Today(clock);
        if (await LoadRegionAsync(regions, regionId, ct) is not { } region) return NotFound();
        Region = region;
        if (Region.Fields.FirstOrDefault(f => f.Id == fieldId) is not { } field) return NotFound();
        Field = field;
        var linked = field.Agreements.Select(a => a.Id).ToHashSet();
        LinkableAgreements = (await agreements.ListAsync(Actor.Ags, ct)).Where(a => !linked.Contains(a.Id)).ToList();
        if (Posted != "field")
        {
            FieldName = field.Name;
            FieldDescription = field.Description;
            FieldPosition = field.Position.ToString(CultureInfo.InvariantCulture);
        }
        return Page();
    }
}
