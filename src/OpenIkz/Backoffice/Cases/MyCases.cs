using OpenIkz.Backoffice.Access;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backoffice.Cases;

public sealed class MyCases(Db db, CaseQueries queries)
{
    /// <summary>The caller's own work: cases assigned to them that they may still see.</summary>
    public async Task<IReadOnlyList<CaseSummary>> HandleAsync(Actor actor, CancellationToken ct = default)
    {
        if (!actor.IsUser) return [];
        var today = queries.Today;
        var rows = await db.QueryAsync<CaseQueries.SummaryRow>(CaseAccess.With + $"""
            SELECT {CaseQueries.SummaryColumns} FROM cases c {CaseAccess.JoinGrants} JOIN municipalities o ON o.ags = c.owner_ags
            WHERE c.assigned_user_id = @ActorId AND c.status IN ('assigned', 'waiting')
            ORDER BY c.due_date, c.received_at
            """, CaseQueries.Params(actor, today), ct);
        return rows.Select(r => r.ToSummary(today)).ToList();
    }

}
