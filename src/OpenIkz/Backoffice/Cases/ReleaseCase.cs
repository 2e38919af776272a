using Dapper;

namespace OpenIkz.Backoffice.Cases;

/// <summary>The assigned clerk gives the case back to the pool.</summary>
public sealed class ReleaseCase(CaseQueries queries)
{
    public Task HandleAsync(Actor actor, string caseId, CancellationToken ct = default) =>
        queries.ChangeAsync(actor, caseId, "case.released", async (c, tx, row) =>
        {
            row.State.Release(actor.UserId!.Value);
            await c.ExecuteAsync("UPDATE cases SET status = 'open', assigned_user_id = NULL, assigned_at = NULL, waiting_until = NULL WHERE id = @Id", new { row.Id }, tx);
            return (true, "in den Pool zurückgegeben", (string?)null);
        }, ct);
}
