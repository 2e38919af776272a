using Dapper;

namespace OpenIkz.Backoffice.Cases;

/// <summary>Asks the applicant for documents: the case waits until the given date.</summary>
public sealed class RequestDocuments(CaseQueries queries)
{
    public Task HandleAsync(Actor actor, string caseId, DateOnly until, string message, CancellationToken ct = default)
    {
        var clean = TextInput.Require("message", message, TextKind.Paragraphs, "Die Nachricht");
        if (clean is null || clean.Length > 2000)
            throw ValidationException.For("message", "Bitte angeben, welche Unterlagen fehlen (höchstens 2000 Zeichen).");
        return queries.ChangeAsync(actor, caseId, "case.documents-requested", async (c, tx, row) =>
        {
            row.State.RequestDocuments(actor.UserId!.Value, until, queries.Today);
            await c.ExecuteAsync("UPDATE cases SET status = 'waiting', waiting_until = @Until WHERE id = @Id", new { row.Id, Until = until }, tx);
            return (true, "Unterlagen angefordert", (string?)$"Frist bis {until:dd.MM.yyyy}: {clean}");
        }, ct);
    }
}
