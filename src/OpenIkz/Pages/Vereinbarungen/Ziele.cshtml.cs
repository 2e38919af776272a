using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenIkz.Agreements;
using OpenIkz.Assessment.Evaluation;

namespace OpenIkz.Pages.Vereinbarungen;

/// <summary>One row of the goals form, as typed (German numbers and dates).</summary>
public sealed class GoalRow
{
    public string? Kpi { get; set; }
    public string? Comparison { get; set; }
    public string? Target { get; set; }
    public string? DueDate { get; set; }
    public string? Note { get; set; }

    public bool IsEmpty => string.IsNullOrWhiteSpace(Kpi) && string.IsNullOrWhiteSpace(Target) && string.IsNullOrWhiteSpace(DueDate) && string.IsNullOrWhiteSpace(Note);
}

/// <summary>
/// The structured goals of an agreement (KPI, target, evaluation date) beside its free-text goals, for the Koordination
/// of a member (as PUT /api/v1/agreements/{id}/goals; in every status: goals are measured while the agreement runs).
/// The whole list is replaced; an empty row is no goal. Every error stands next to its field, nothing is stored.
/// </summary>
[Authorize(Policy = AgreementsApi.CoordinatorPolicy)]
public sealed class ZieleModel(AgreementService agreements, AgreementGoals goals) : FormPageModel
{
    /// <summary>Empty rows offered below the goals for new ones.</summary>
    public const int SpareRows = 3;

    [BindProperty] public List<GoalRow> Rows { get; set; } = [];

    public AgreementDetails Agreement { get; private set; } = null!;

    public static string FieldId(int row, string field) => $"ziel-{row + 1}-{field}";

    public static readonly string[] Fields = ["kennzahl", "vergleich", "zielwert", "datum", "erlaeuterung"];

    public IEnumerable<(string Id, string Message)> Summary =>
        Rows.SelectMany((_, i) => Fields.Select(f => FieldId(i, f))).SelectMany(id => ErrorsFor(id).Select(m => (id, m)));

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        try
        {
            Agreement = await agreements.GetAsync(actor, id, ct);
            Rows = (await goals.GetAsync(actor, id, ct)).Select(g => new GoalRow
            {
                Kpi = g.Kpi, Comparison = g.Comparison, Target = g.Target.ToString("0.##", Ui.German),
                DueDate = g.DueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Note = g.Note,
            }).ToList();
        }
        catch (AgreementNotFoundException)
        {
            return NotFound();
        }
        Pad();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        try
        {
            Agreement = await agreements.GetAsync(actor, id, ct);
        }
        catch (AgreementNotFoundException)
        {
            return NotFound();
        }
        if (Rows.Count > GoalValidator.MaxGoals + SpareRows) Rows = Rows.Take(GoalValidator.MaxGoals + SpareRows).ToList();

        // Rows → API input; remember which row each goal came from, so the domain's goals[i] errors land at the row's fields.
        var input = new List<GoalInput>();
        var rowOf = new List<int>();
        for (var i = 0; i < Rows.Count; i++)
        {
            var row = Rows[i];
            if (row.IsEmpty) continue;
            decimal? target = null;
            if (!string.IsNullOrWhiteSpace(row.Target))
            {
                if (decimal.TryParse(row.Target.Trim(), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign | NumberStyles.AllowThousands, Ui.German, out var t)) target = t;
                else AddError(FieldId(i, "zielwert"), "Bitte den Zielwert als Zahl angeben, z. B. 10 oder 4,5.");
            }
            DateOnly? due = null;
            if (!string.IsNullOrWhiteSpace(row.DueDate))
            {
                due = ParseDate(row.DueDate);
                if (due is null) AddError(FieldId(i, "datum"), "Bitte das Datum im Format TT.MM.JJJJ angeben, z. B. 31.12.2027.");
            }
            input.Add(new GoalInput(row.Kpi, string.IsNullOrWhiteSpace(row.Comparison) ? null : row.Comparison, target, due, row.Note));
            rowOf.Add(i);
        }

        var fields = new Dictionary<string, string>();
        for (var g = 0; g < rowOf.Count; g++)
        {
            fields[$"goals[{g}].kpi"] = FieldId(rowOf[g], "kennzahl");
            fields[$"goals[{g}].comparison"] = FieldId(rowOf[g], "vergleich");
            fields[$"goals[{g}].target"] = FieldId(rowOf[g], "zielwert");
            fields[$"goals[{g}].dueDate"] = FieldId(rowOf[g], "datum");
            fields[$"goals[{g}].note"] = FieldId(rowOf[g], "erlaeuterung");
            fields[$"goals[{g}]"] = FieldId(rowOf[g], "kennzahl");
        }
        void Take(ValidationException ex)
        {
            // A field that already has the form's own message (not a number, not a date) keeps only that one.
            foreach (var (key, messages) in ex.Errors)
                foreach (var message in messages)
                    if (fields.TryGetValue(key, out var fieldId)) { if (!Invalid(fieldId)) AddError(fieldId, message); }
                    else RuleError = RuleError is null ? message : RuleError + " " + message;
        }
        try
        {
            GoalValidator.Validate(new GoalsInput(input));
        }
        catch (ValidationException ex)
        {
            Take(ex);
        }
        if (Errors.Count > 0 || RuleError is not null)
        {
            Pad();
            return Page();
        }
        try
        {
            var saved = await goals.ReplaceAsync(actor, id, new GoalsInput(input), ct);
            TempData["Message"] = saved.Count == 0 ? "Die strukturierten Ziele wurden entfernt." : $"Die Ziele wurden gespeichert ({saved.Count}).";
            return Redirect($"/Vereinbarungen/{id}#ziele-strukturiert");
        }
        catch (AgreementNotFoundException)
        {
            return NotFound();
        }
        catch (ValidationException ex)
        {
            Take(ex);
        }
        catch (RuleException ex)
        {
            RuleError = ex.Message;
        }
        Pad();
        return Page();
    }

    private void Pad()
    {
        var wanted = Math.Min(GoalValidator.MaxGoals, Rows.Count(r => !r.IsEmpty) + SpareRows);
        while (Rows.Count < wanted) Rows.Add(new GoalRow());
    }
}
