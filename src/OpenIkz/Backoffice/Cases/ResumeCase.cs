using Dapper;

namespace OpenIkz.Backoffice.Cases;

/// <summary>The clerk resumes a case that waited for documents.</summary>
public sealed class ResumeCase(CaseQueries queries)
{
    public Task HandleAsync(Actor actor, string caseId, CancellationToken ct = default) =>
        queries.ChangeAsync(actor, caseId, "case.resumed", async (c, tx, row) =>
        {
            row.State.Resume(actor.UserId!.Value);
            await c.ExecuteAsync("UPDATE cases SET status = 'assigned', waiting_until = NULL WHERE id = @Id", new { row.Id }, tx);
            return (true, "Bearbeitung wieder aufgenommen", (string?)null);
        }, ct);
}
