using Dapper;

namespace OpenIkz.Backoffice.Cases;

/// <summary>A note (Vermerk) in the case file.</summary>
public sealed class AddNote(CaseQueries queries)
{
    public Task<long> HandleAsync(Actor actor, string caseId, string text, CancellationToken ct = default)
    {
        var clean = TextInput.Require("text", text, TextKind.Paragraphs, "Der Vermerk");
        if (clean is null || clean.Length > 4000)
            throw ValidationException.For("text", "Bitte einen Vermerk mit höchstens 4000 Zeichen eingeben.");
        return queries.ChangeAsync(actor, caseId, "case.note-added", async (c, tx, row) =>
        {
            row.State.EnsureNotClosed();
            var id = await c.ExecuteScalarAsync<long>("INSERT INTO case_notes (case_id, author_user_id, text, created_at) VALUES (@Id, @User, @Text, @Now) RETURNING id",
                new { row.Id, User = actor.UserId, Text = clean, queries.Now }, tx);
            return (id, "Vermerk hinzugefügt", (string?)null);
        }, ct);
    }
}
