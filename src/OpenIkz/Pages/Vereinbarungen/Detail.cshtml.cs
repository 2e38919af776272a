using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Agreements;
using OpenIkz.Agreements.Settlement;
using OpenIkz.Assessment.Evaluation;
using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Cases;
using OpenIkz.Directory.Accounts;

namespace OpenIkz.Pages.Vereinbarungen;

/// <summary>
/// One agreement: its terms, members and consents, rates, document versions and history, the lifecycle steps that
/// make sense in its status (as POST forms), and the settlements (Kostenausgleich). Non-members get 404.
/// </summary>
[Authorize(Policy = AgreementsApi.CoordinatorPolicy)]
public sealed class DetailModel(AgreementService agreements, SettlementService settlements, AgreementGoals goals, TimeProvider clock) : FormPageModel
{
    public const string ApprovedOnId = "genehmigung-datum", ReferenceId = "genehmigung-aktenzeichen",
        EndDateId = "kuendigung-ende", ReasonId = "kuendigung-grund", NoteId = "kuendigung-erlaeuterung", PeriodId = "abrechnung-zeitraum";

    public AgreementDetails Agreement { get; private set; } = null!;
    public Actor Actor { get; private set; } = null!;
    public IReadOnlyList<SettlementView> Settlements { get; private set; } = [];

    /// <summary>The structured goals (KPI, target, date) beside the free text.</summary>
    public IReadOnlyList<GoalView> Goals { get; private set; } = [];

    /// <summary>A provisional settlement (the period has not ended) computed by the last post; not stored.</summary>
    public SettlementView? Preview { get; private set; }
    public DateOnly Today { get; private set; }

    [TempData] public string? Message { get; set; }

    [BindProperty] public string? ApprovedOn { get; set; }
    [BindProperty] public string? Reference { get; set; }
    [BindProperty] public string? EndDate { get; set; }
    [BindProperty] public string? Reason { get; set; }
    [BindProperty] public string? Note { get; set; }
    [BindProperty] public string? Period { get; set; }

    public MemberView? Own => Agreement.Members.FirstOrDefault(m => m.Ags == Actor.Ags);
    public bool IsDraft => Agreement.Status == AgreementStatus.Draft;
    public bool IsRunning => Agreement.Status is AgreementStatus.Approved or AgreementStatus.Active && Agreement.SupersededById is null;
    public bool CanConsent => IsDraft && Own is { ConsentedAt: null };
    public bool CanEdit => IsDraft;
    public bool CanSubmit => Agreement.Status == AgreementStatus.Consented && Agreement.NeedsApproval;
    public bool CanApprove => Agreement.Status == AgreementStatus.Submitted;
    public bool CanAmend => IsRunning;
    public bool CanTerminate => IsRunning;
    public bool CanSettle => AgreementStatus.Granting.Contains(Agreement.Status);

    /// <summary>?grund= preselects a termination reason: the evaluation report links a missed goal here with the reason it suggests.</summary>
    public Task<IActionResult> OnGetAsync(long id, [FromQuery(Name = "grund")] string? grund, CancellationToken ct)
    {
        if (TerminationReasons.Label(grund) is not null) Reason = grund;
        return ShowAsync(id, ct);
    }

    public Task<IActionResult> OnPostConsentAsync(long id, CancellationToken ct) =>
        ActAsync(id, a => agreements.ConsentAsync(a, id, ct), "Ihre Kommune hat dem Entwurf zugestimmt.", new(), ct);

    public Task<IActionResult> OnPostSubmitAsync(long id, CancellationToken ct) =>
        ActAsync(id, a => agreements.SubmitAsync(a, id, ct), "Die Vereinbarung wurde als der Kommunalaufsicht vorgelegt erfasst.", new(), ct);

    public Task<IActionResult> OnPostApproveAsync(long id, CancellationToken ct)
    {
        var on = ParseDate(ApprovedOn);
        if (on is null) AddError(ApprovedOnId, "Bitte geben Sie das Datum der Genehmigung an.");
        return ActAsync(id, a => agreements.ApproveAsync(a, id, on!.Value, Reference ?? "", ct), "Die Genehmigung der Kommunalaufsicht wurde erfasst.",
            new() { ["reference"] = ReferenceId, ["approvedOn"] = ApprovedOnId, ["ApprovalInFuture"] = ApprovedOnId }, ct);
    }

    public async Task<IActionResult> OnPostAmendAsync(long id, CancellationToken ct)
    {
        long newId = 0;
        var result = await ActAsync(id, async a => newId = await agreements.AmendAsync(a, id, ct),
            "Die Änderung wurde begonnen: ein neuer Entwurf mit den bisherigen Bedingungen. Passen Sie ihn an; danach stimmen alle Mitglieder zu.", new(), ct);
        return newId > 0 ? Redirect($"/Vereinbarungen/{newId}") : result;
    }

    public Task<IActionResult> OnPostTerminateAsync(long id, CancellationToken ct)
    {
        var end = ParseDate(EndDate);
        if (end is null) AddError(EndDateId, "Bitte geben Sie das Ende als Datum an.");
        if (TerminationReasons.Label(Reason) is null) AddError(ReasonId, "Bitte wählen Sie einen Grund.");
        var fields = new Dictionary<string, string> { ["reason"] = ReasonId, ["note"] = NoteId, ["endDate"] = EndDateId, ["EndInPast"] = EndDateId, ["NoticePeriod"] = EndDateId };
        if (!Confirmed)
            return ActAsync(id, async a =>
            {
                // Terminating cannot be taken back: the page says what ends when, and asks; nothing is written yet.
                var agreement = await agreements.CheckTerminationAsync(a, id, end!.Value, Reason ?? "", Note, ct);
                var others = agreement.Members.Count(m => m.Ags != a.Ags);
                Confirmation = new Confirmation($"„{agreement.Title}“ zum {BackofficeUi.Date(end.Value)} kündigen?",
                    [
                        $"Die Vereinbarung endet am {BackofficeUi.Date(end.Value)}. Ab dem {BackofficeUi.Date(end.Value.AddDays(1))} gibt sie keinen Zugriff mehr auf Vorgänge der anderen Mitglieder; jeder Vorgang bleibt bei seiner zuständigen Kommune.",
                        $"{(others == 1 ? "Das andere Mitglied sieht" : $"Die {others} anderen Mitglieder sehen")} die Kündigung mit dem Grund „{TerminationReasons.Label(Reason)}“ im Verlauf.",
                        "Eine Kündigung lässt sich nicht zurücknehmen; eine weitere Zusammenarbeit braucht eine neue Vereinbarung.",
                    ],
                    Url.Page("/Vereinbarungen/Detail", "Terminate", new { id })!,
                    [new("EndDate", end.Value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), new("Reason", Reason), new("Note", Note)],
                    "Ja, kündigen", $"/Vereinbarungen/{id}");
            }, "", fields, ct, show: true);
        return ActAsync(id, a => agreements.TerminateAsync(a, id, end!.Value, Reason ?? "", Note, ct),
            $"Die Vereinbarung wurde gekündigt{(end is { } e ? " zum " + BackofficeUi.Date(e) : "")}.", fields, ct);
    }

    public async Task<IActionResult> OnPostSettleAsync(long id, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(Period)) AddError(PeriodId, "Bitte wählen Sie den Zeitraum: einen Monat, ein Quartal oder ein Jahr.");
        RunResult? run = null;
        var result = await ActAsync(id, async a => run = await settlements.RunAsync(a, id, Period ?? "", ct), "", new() { ["period"] = PeriodId, ["PeriodOverlaps"] = PeriodId }, ct);
        if (run is null) return result;
        if (run.Provisional)
        {
            // A period that has not ended: shown as a preview on this page, nothing stored, no invoice.
            Preview = run.Settlement;
            return await ShowAsync(id, ct);
        }
        TempData["Message"] = run.Created
            ? run.Settlement.CorrectsNumber is { } corrected
                ? $"Die Korrekturabrechnung {run.Settlement.Number} zu {corrected} wurde erstellt."
                : $"Die Abrechnung {run.Settlement.Number} wurde erstellt."
            : $"Seit der Abrechnung {run.Settlement.Number} hat sich nichts geändert; es wurde keine neue erstellt.";
        return Redirect($"/Abrechnungen/{run.Settlement.Id}");
    }

    /// <summary>Runs a step unless the form already has errors; success goes back to the page (post/redirect/get),
    /// a refused step shows the page with the errors next to the fields or as an alert.</summary>
    /// <remarks>With <paramref name="show"/> the action only prepares what the page shows (a question before an action
    /// that cannot be undone): the page is shown instead of redirecting.</remarks>
    private async Task<IActionResult> ActAsync(long id, Func<Actor, Task> action, string success, Dictionary<string, string> fields, CancellationToken ct,
        bool show = false)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        if (Errors.Count == 0)
        {
            try
            {
                await action(actor);
                if (show) return await ShowAsync(id, ct);
                if (success.Length > 0) Message = success;
                return RedirectToPage(new { id });
            }
            catch (AgreementNotFoundException)
            {
                return NotFound();
            }
            catch (ValidationException ex)
            {
                Absorb(ex, fields);
            }
            catch (RuleException ex)
            {
                if (fields.TryGetValue(ex.Rule, out var fieldId)) AddError(fieldId, ex.Message);
                else RuleError = ex.Message;
            }
        }
        return await ShowAsync(id, ct);
    }

    private async Task<IActionResult> ShowAsync(long id, CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        Actor = actor;
        Today = BackofficeUi.Today(clock);
        try
        {
            Agreement = await agreements.GetAsync(actor, id, ct);
            Settlements = await settlements.ListAsync(actor, id, ct);
            Goals = await goals.GetAsync(actor, id, ct);
        }
        catch (AgreementNotFoundException)
        {
            return NotFound();
        }
        return Page();
    }

}
