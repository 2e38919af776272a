using OpenIkz.Agreements;
using OpenIkz.Assessment.Evaluation;

namespace OpenIkz.Pages.Vereinbarungen;

/// <summary>One running agreement on the start page: its KPIs over the last <see cref="EvaluationStart.Days"/> days, its goals' lights and its deadlines.</summary>
public sealed record StartAgreement(AgreementDetails Agreement, EvaluationReport Report, IReadOnlyList<AgreementDeadline> Deadlines)
{
    public int Met => Report.Goals.Count(g => GoalLights.Of(g) == TrafficLight.Met);
    public int NotMet => Report.Goals.Count(g => GoalLights.Of(g) is TrafficLight.Close or TrafficLight.Missed);
}

/// <summary>
/// The start page's evaluation block for the Koordination and the Teamleitung: the municipality's running agreements
/// (approved, active or terminated, valid today, not superseded; at most <see cref="MaxAgreements"/>, the newest first)
/// with the KPIs of the last 90 days (from the start if it is younger) and the warnings of <see cref="AgreementDeadlines"/>.
/// Each evaluation is audited like the API's (all of a page view in one commit).
/// </summary>
public static class EvaluationStart
{
    public const int Days = 90, MaxAgreements = 10;

    public static async Task<IReadOnlyList<StartAgreement>> LoadAsync(Actor? actor, AgreementService agreements, AgreementEvaluation evaluation, TimeProvider clock, CancellationToken ct = default)
    {
        if (actor is not { IsUser: true } || !(actor.IsCoordinator || actor.IsTeamLead)) return [];
        var today = BerlinTime.Today(clock);
        var running = new List<AgreementDetails>();
        foreach (var summary in (await agreements.ListAsync(actor.Ags, ct))
                     .Where(s => AgreementStatus.Granting.Contains(s.Status) && s.ValidFrom <= today && (s.ValidTo is null || s.ValidTo >= today)))
        {
            if (running.Count == MaxAgreements) break; // counted after the superseded versions are skipped, not before
            var a = await agreements.GetAsync(actor, summary.Id, ct);
            if (a.SupersededById is null) running.Add(a);
        }
        // One evaluation per agreement over its last 90 days, audited together in one commit.
        var reports = await evaluation.EvaluateManyAsync(actor,
            running.Select(a => (a, a.ValidFrom > today.AddDays(1 - Days) ? a.ValidFrom : today.AddDays(1 - Days), today)).ToList(), ct);
        var result = running.Select((a, i) =>
        {
            // The goals are judged on the report's own period (the last 90 days); the deadlines only while the agreement is not terminated.
            var deadlines = a.Status == AgreementStatus.Terminated ? [] : AgreementDeadlines.Upcoming(a.EvaluationDate, a.ValidTo, a.NoticeMonths, today);
            return new StartAgreement(a, reports[i], deadlines);
        }).ToList();
        return result;
    }
}
