using Dapper;
using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Backoffice.Intake;
using OpenIkz.Directory.Services;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backoffice.Cases;

/// <summary>
/// Gives the clerk the most urgent eligible unassigned case of a service: earliest due date (so overdue first), then
/// oldest. The write transaction holds only the pick, the assignment, the history row and the audit entry, and the case file is read after the commit, outside the writer lock.
/// The access rule is evaluated once: by the query that picks the case.
/// </summary>
public sealed class ClaimNextCase(Db db, AuditLog audit, CaseQueries queries)
{
    /// <summary>
    /// The most urgent open case of @Service the actor may see, with the agreement that grants it. On PostgreSQL the row is
    /// locked and rows other claimers hold are skipped; SQLite has one writer, so nobody else can take it meanwhile.
    /// </summary>
    internal static string PickSql(Db db) => CaseAccess.With + $"""
        SELECT c.id AS Id, c.owner_ags AS OwnerAgs, g.agreement_id AS AgreementId FROM cases c {CaseAccess.JoinGrants}
        WHERE c.service_slug = @Service AND c.status = 'open'
        ORDER BY c.due_date, c.received_at
        LIMIT 1{db.ForUpdateSkipLocked("c")}
        """;

    internal const string AssignSql = """
        UPDATE cases SET status = 'assigned', assigned_user_id = @ActorId, assigned_at = @Now, version = version + 1
        WHERE id = @Id AND status = 'open'
        """;

    /// <summary>
    /// PostgreSQL: the pick and the assignment in one statement (one round trip instead of two). The row is locked by the
    /// pick (FOR UPDATE SKIP LOCKED), so the assignment always finds it open. SQLite keeps the two statements: they cost
    /// no round trip there, and its UPDATE … FROM cannot return the picked agreement.
    /// </summary>
    internal const string ClaimPostgresSql = "WITH " + CaseAccess.GrantsCte + ",\n" + $"""
        pick AS (
            SELECT c.id, c.owner_ags, g.agreement_id FROM cases c {CaseAccess.JoinGrants}
            WHERE c.service_slug = @Service AND c.status = 'open'
            ORDER BY c.due_date, c.received_at
            LIMIT 1 FOR UPDATE OF c SKIP LOCKED
        )
        UPDATE cases u SET status = 'assigned', assigned_user_id = @ActorId, assigned_at = @Now, version = u.version + 1
        FROM pick WHERE u.id = pick.id AND u.status = 'open'
        RETURNING pick.id AS Id, pick.owner_ags AS OwnerAgs, pick.agreement_id AS AgreementId
        """;

    internal const string ClaimHistoryAction = "übernommen", ClaimHistoryDetails = "Aus dem Pool geholt.";

    /// <summary>The claim's history row, with the audit entry's parameters (@CaseId, @ActorUserId, @ActorAgs) and its own time and name.</summary>
    internal const string ClaimHistorySql = $"""
        INSERT INTO case_history (case_id, at, actor_user_id, actor_name, actor_ags, action, details)
        VALUES (@CaseId, @HistoryAt, @ActorUserId, @HistoryName, @ActorAgs, '{ClaimHistoryAction}', '{ClaimHistoryDetails}')
        """;

    internal sealed class Claimed
    {
        public string Id { get; set; } = "";
        public string OwnerAgs { get; set; } = "";
        public long? AgreementId { get; set; }
    }

    public async Task<CaseDetails?> HandleAsync(Actor actor, string service, CancellationToken ct = default)
    {
        if (!actor.IsUser) throw new CaseNotFoundException();
        if (ServiceCatalog.Find(service) is null)
            throw ValidationException.For("service", $"Die Leistung '{service}' gibt es nicht.");
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var (done, claimed) = await db.InTransactionAsync<(bool Done, Claimed? Case)>(async (c, tx) =>
            {
                var today = queries.Today;
                var now = queries.Now;
                if (await CaseQueries.IsAbsentAsync(c, tx, actor.UserId!.Value, today))
                    throw new RuleException("ClerkIsAbsent", "Sie sind heute als abwesend eingetragen und können keine Vorgänge holen.");
                Claimed? hit;
                if (db.Kind == DatabaseKind.Postgres)
                    hit = await c.QuerySingleOrDefaultAsync<Claimed>(ClaimPostgresSql, CaseQueries.Params(actor, today, new { Service = service, Now = now }), tx);
                else
                {
                    hit = await c.QuerySingleOrDefaultAsync<Claimed>(PickSql(db), CaseQueries.Params(actor, today, new { Service = service }), tx);
                    if (hit is not null && await c.ExecuteAsync(AssignSql, new { ActorId = actor.UserId, Now = now, hit.Id }, tx) == 0) return (false, null);
                }
                if (hit is null)
                {
                    // SQLite has one writer: nothing returned means nothing left. PostgreSQL may have skipped rows that
                    // concurrent claims hold but may still release: look again then.
                    if (db.Kind != DatabaseKind.Postgres) return (true, null);
                    var anyLeft = await c.ExecuteScalarAsync<int>(CaseAccess.With + $"""
                        SELECT COUNT(*) FROM (SELECT 1 FROM cases c {CaseAccess.JoinGrants} WHERE c.service_slug = @Service AND c.status = 'open' LIMIT 1) x
                        """, CaseQueries.Params(actor, today, new { Service = service }), tx);
                    return (anyLeft == 0, null);
                }
                var entry = new AuditEntry("case.claimed", hit.OwnerAgs, hit.AgreementId, hit.Id);
                if (db.Kind == DatabaseKind.Postgres)
                {
                    // The history row and the audit entry in one round trip: the picked row stays locked one round trip less.
                    var both = new DynamicParameters(audit.NewEntry(actor, entry));
                    both.Add("HistoryAt", now);
                    both.Add("HistoryName", actor.DisplayName);
                    await c.ExecuteAsync(ClaimHistorySql + ";\n" + AuditLog.InsertSql, both, tx);
                }
                else
                {
                    await CaseHistory.AddAsync(c, tx, hit.Id, now, actor, ClaimHistoryAction, ClaimHistoryDetails);
                    await audit.AppendAsync(c, tx, actor, entry);
                }
                return (true, hit);
            }, ct);
            if (claimed is not null)
            {
                // The case is now the clerk's, granted by hit.AgreementId: its file is read without the writer lock.
                await using var c = await db.OpenAsync(ct);
                var row = await queries.LoadOwnAsync(c, claimed.Id, claimed.AgreementId) ?? throw new CaseNotFoundException();
                return await queries.DetailsAsync(c, null, row);
            }
            if (done) return null;
        }
        return null;
    }
}
