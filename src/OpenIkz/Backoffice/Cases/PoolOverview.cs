using OpenIkz.Backoffice.Access;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backoffice.Cases;

public sealed class PoolOverview(Db db, CaseQueries queries)
{
    /// <summary>Team lead: per service and owner of the pool the lead can see: open, unassigned, overdue, oldest.</summary>
    public async Task<IReadOnlyList<PoolRow>> HandleAsync(Actor actor, CancellationToken ct = default)
    {
        if (!actor.IsUser) return [];
        var rows = await db.QueryAsync<CaseQueries.PoolDbRow>(CaseAccess.With + $"""
            SELECT c.service_slug AS Service, c.owner_ags AS OwnerAgs, o.name AS OwnerName,
                   COUNT(*) AS Open,
                   SUM(CASE WHEN c.status = 'open' THEN 1 ELSE 0 END) AS Unassigned,
                   SUM(CASE WHEN c.due_date < @Today THEN 1 ELSE 0 END) AS Overdue,
                   SUM(CASE WHEN c.status = 'open' AND c.due_date < @Today THEN 1 ELSE 0 END) AS UnassignedOverdue,
                   MIN(c.received_at) AS OldestReceivedAt
            FROM cases c {CaseAccess.JoinGrants} JOIN municipalities o ON o.ags = c.owner_ags
            WHERE c.status <> 'closed'
            GROUP BY c.service_slug, c.owner_ags, o.name
            ORDER BY c.service_slug, o.name
            """, CaseQueries.Params(actor, queries.Today), ct);
        return rows.Select(r => new PoolRow(r.Service, r.OwnerAgs, r.OwnerName, (int)r.Open, (int)r.Unassigned, (int)r.Overdue, r.OldestReceivedAt, (int)r.UnassignedOverdue)).ToList();
    }

}
