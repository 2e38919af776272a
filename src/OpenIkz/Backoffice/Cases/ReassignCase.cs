using Dapper;

namespace OpenIkz.Backoffice.Cases;

/// <summary>
/// Team lead: gives the case to a clerk of the own municipality who may see it and is not absent, or back to the pool
/// (target null); only unassigned cases and cases of the own municipality's clerks.
/// </summary>
public sealed class ReassignCase(CaseQueries queries)
{
    public Task HandleAsync(Actor teamLead, string caseId, long? targetUserId, CancellationToken ct = default) =>
        queries.ChangeAsync(teamLead, caseId, "case.reassigned", async (c, tx, row) =>
        {
            if (targetUserId is null)
            {
                row.State.Reassign(teamLead.IsTeamLead, teamLead.Ags, row.AssignedAgs, targetAgs: null);
                await c.ExecuteAsync("UPDATE cases SET status = 'open', assigned_user_id = NULL, assigned_at = NULL, waiting_until = NULL WHERE id = @Id", new { row.Id }, tx);
                return (true, "in den Pool zurückgegeben (Teamleitung)", (string?)null);
            }
            var target = await c.QuerySingleOrDefaultAsync<CaseQueries.UserRow>(
                "SELECT id, display_name AS Name, municipality_ags AS Ags, is_active AS Active FROM users WHERE id = @Id", new { Id = targetUserId }, tx);
            row.State.Reassign(teamLead.IsTeamLead, teamLead.Ags, row.AssignedAgs, target?.Ags ?? teamLead.Ags);
            var targetActor = target is { Active: true } t ? new Actor(t.Id, null, t.Name, t.Name, t.Ags, false, []) : null;
            if (targetActor is null || await queries.LoadAsync(c, tx, targetActor, row.Id, forUpdate: false) is null)
                throw ValidationException.For("userId", "Diese Person darf den Vorgang nicht bearbeiten (Leistung oder Vereinbarung fehlt).");
            if (await CaseQueries.IsAbsentAsync(c, tx, targetActor.UserId!.Value, queries.Today))
                throw new RuleException("ClerkIsAbsent", "Diese Person ist heute abwesend.");
            await c.ExecuteAsync("UPDATE cases SET status = CASE WHEN status = 'waiting' THEN 'waiting' ELSE 'assigned' END, assigned_user_id = @User, assigned_at = @Now WHERE id = @Id",
                new { User = targetActor.UserId, queries.Now, row.Id }, tx);
            return (true, "zugewiesen", (string?)$"an {targetActor.Name} ({targetActor.Ags})");
        }, ct);

}
