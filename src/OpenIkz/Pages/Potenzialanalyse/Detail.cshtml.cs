using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenIkz.Assessment.Assessments;
using OpenIkz.Assessment.Simulation;
using OpenIkz.Directory.Municipalities;

namespace OpenIkz.Pages.Potenzialanalyse;

/// <summary>
/// The result of a stored potential analysis (/Potenzialanalyse/{id}): figures, charts with their tables, a simulated
/// year on request, and "Vereinbarung entwerfen". Koordination and Teamleitung of a partner; to everyone else it does not
/// exist (404), as in the API; drafting the agreement is the Koordination's (a team lead's POST is 403).
/// </summary>
[Authorize(Policy = AssessmentsModule.ReaderPolicy)]
public sealed class DetailModel(AssessmentService assessments, MunicipalityQueries municipalities) : FormPageModel
{
    public const string DaysId = "simulation-tage", SeedId = "simulation-startwert";

    public AssessmentReport Report { get; private set; } = null!;
    public SimulationResult? Simulation { get; private set; }
    public bool CanDraft { get; private set; }
    [TempData] public string? Message { get; set; }
    [BindProperty] public string? Days { get; set; }
    [BindProperty] public string? Seed { get; set; }

    public async Task<IActionResult> OnGetAsync(long assessmentId, CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        if (!await LoadAsync(actor, assessmentId, ct)) return NotFound();
        Days = "365";
        Seed = AssessmentService.DefaultSeed(assessmentId).ToString(Ui.German);
        return Page();
    }

    public async Task<IActionResult> OnPostSimulationAsync(long assessmentId, CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        if (!await LoadAsync(actor, assessmentId, ct)) return NotFound();
        var days = Whole(Days, DaysId, "Die Dauer (Tage)", 1, SimulationInput.MaxDays);
        var seed = Whole(Seed, SeedId, "Der Startwert", int.MinValue, int.MaxValue);
        if (Errors.Count > 0) return Page();
        try
        {
            Simulation = await assessments.SimulateAsync(actor, assessmentId, new AssessmentSimulationRequest(days, seed), ct);
        }
        catch (ValidationException ex)
        {
            Absorb(ex, new Dictionary<string, string> { ["days"] = DaysId, ["seed"] = SeedId });
        }
        return Page();
    }

    public async Task<IActionResult> OnPostEntwurfAsync(long assessmentId, CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        if (!await LoadAsync(actor, assessmentId, ct)) return NotFound();
        if (!actor.IsCoordinator) return Forbid();
        Days = "365";
        Seed = AssessmentService.DefaultSeed(assessmentId).ToString(Ui.German);
        if (Report.View.AgreementId is { } existing)
        {
            RuleError = $"Aus dieser Potenzialanalyse wurde bereits die Vereinbarung {existing} entworfen. Sie finden sie unter „Entwurf der Vereinbarung ansehen“.";
            return Page();
        }
        try
        {
            var agreementId = await assessments.DraftAgreementAsync(actor, assessmentId, ct);
            TempData["Message"] = "Der Entwurf der Vereinbarung wurde aus der Potenzialanalyse angelegt. Ergänzen Sie den Datenschutz und prüfen Sie die Pauschalen, bevor Sie zustimmen.";
            return Redirect($"/Vereinbarungen/{agreementId}");
        }
        catch (RuleException ex)
        {
            RuleError = ex.Message;
        }
        catch (ValidationException ex)
        {
            RuleError = "Der Entwurf kann so nicht angelegt werden: " + string.Join(" ", ex.Errors.SelectMany(e => e.Value));
        }
        await LoadAsync(actor, assessmentId, ct);
        return Page();
    }

    private int? Whole(string? text, string id, string label, int min, int max)
    {
        var value = AssessmentForm.Number(text, id, label, AddError, required: true);
        if (value is null) return null;
        if (value != Math.Floor(value.Value) || value < min || value > max)
        {
            AddError(id, min == int.MinValue ? $"{label} ist eine ganze Zahl." : $"{label} ist eine ganze Zahl von {min} bis {max.ToString("N0", Ui.German)}.");
            return null;
        }
        return (int)value.Value;
    }

    private async Task<bool> LoadAsync(Actor actor, long id, CancellationToken ct)
    {
        AssessmentView view;
        try
        {
            view = await assessments.ReadAsync(actor, id, ct);
        }
        catch (NotFoundException)
        {
            return false;
        }
        Report = new AssessmentReport(view, await NamesAsync(municipalities, view.Result.Partners, ct));
        CanDraft = actor.IsCoordinator;
        return true;
    }

    /// <summary>The names of the partners from the directory (AGS where unknown).</summary>
    public static async Task<Dictionary<string, string>> NamesAsync(MunicipalityQueries municipalities, IEnumerable<string> ags, CancellationToken ct)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var a in ags.Distinct())
            if (await municipalities.FindAsync(a, ct) is { } m) names[a] = m.Name;
        return names;
    }
}
