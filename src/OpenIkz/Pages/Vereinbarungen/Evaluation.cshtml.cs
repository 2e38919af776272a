using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenIkz.Agreements;
using OpenIkz.Assessment.Evaluation;

namespace OpenIkz.Pages.Vereinbarungen;

/// <summary>
/// The evaluation report of an agreement for a period (?from=&amp;to=, default as the API: from its start to its
/// evaluation date or today): the goals with a traffic light, the figures per member and service as charts with their
/// tables, the compensation, the prediction of the potential analysis, and the PDF. For the Koordination and the
/// Teamleitung of members (others 403, non-members 404), as GET /api/v1/agreements/{id}/evaluation.
/// </summary>
[Authorize(Policy = EvaluationModule.EvaluatorPolicy)]
public sealed class EvaluationModel(AgreementService agreements, AgreementEvaluation evaluation) : FormPageModel
{
    public const string FromId = "evaluation-von", ToId = "evaluation-bis";

    [FromQuery(Name = "from")] public string? From { get; set; }
    [FromQuery(Name = "to")] public string? To { get; set; }

    public AgreementDetails Agreement { get; private set; } = null!;
    public EvaluationReport? Report { get; private set; }
    public Actor Actor { get; private set; } = null!;

    /// <summary>The Koordination records a rollback (termination) on the agreement page; the Teamleitung sees the reason only.</summary>
    public bool CanRecordRollback => Actor.IsCoordinator && Agreement.Status is AgreementStatus.Approved or AgreementStatus.Active && Agreement.SupersededById is null;

    public string PdfLink
    {
        get
        {
            var query = new List<string>();
            if (Report is { } r) query.Add($"from={r.From:yyyy-MM-dd}&to={r.To:yyyy-MM-dd}");
            return $"/api/v1/agreements/{Agreement.Id}/evaluation.pdf" + (query.Count > 0 ? "?" + string.Join("&", query) : "");
        }
    }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        Actor = actor;
        try
        {
            Agreement = await agreements.GetAsync(actor, id, ct); // a non-member learns nothing, not even that the dates are wrong: 404
            Report = await evaluation.EvaluateAsync(actor, id, EvaluationUi.Iso(From), EvaluationUi.Iso(To), ct);
        }
        catch (AgreementNotFoundException)
        {
            return NotFound();
        }
        catch (ValidationException ex)
        {
            Absorb(ex, new Dictionary<string, string> { ["from"] = FromId, ["to"] = ToId });
        }
        return Page();
    }
}
