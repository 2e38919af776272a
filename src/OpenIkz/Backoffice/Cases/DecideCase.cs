using Dapper;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Backoffice.Decisions;
using OpenIkz.Backoffice.Intake;
using OpenIkz.Directory.Services;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backoffice.Cases;

/// <summary>Decides the case: the Bescheid is issued in the name of the owner and stored in the file; the case closes.</summary>
public sealed class DecideCase(Db db, AuditLog audit, CaseQueries queries, IFileStore documents, BescheidWriter bescheide)
{
    /// <summary>
    /// The Bescheid that deciding now would issue, word for word, for the clerk to confirm: the same checks as
    /// <see cref="HandleAsync"/> (access, assignment, a complete file for a grant, a reason for a rejection), nothing written.
    /// </summary>
    public async Task<Letter> PreviewAsync(Actor actor, string caseId, string outcome, string? reason, CancellationToken ct = default)
    {
        reason = CheckReason(reason);
        await using var c = await db.OpenAsync(ct);
        var row = await queries.LoadAsync(c, null, actor, caseId, forUpdate: false) ?? throw new CaseNotFoundException();
        row.State.Decide(actor.UserId!.Value, outcome, reason);
        return await bescheide.ComposeAsync(c, null, row.Id, actor, outcome, reason?.Trim(), queries.Now, row.AgreementId);
    }

    private static string? CheckReason(string? reason)
    {
        reason = TextInput.Require("reason", reason, TextKind.Paragraphs, "Die Begründung");
        if (reason is { Length: > 4000 }) throw ValidationException.For("reason", "Die Begründung darf höchstens 4000 Zeichen lang sein.");
        return reason;
    }

    public Task<CaseDetails> HandleAsync(Actor actor, string caseId, string outcome, string? reason, CancellationToken ct = default)
    {
        reason = CheckReason(reason);
        return db.InTransactionAsync(async (c, tx) =>
        {
            var row = await queries.LoadAsync(c, tx, actor, caseId, forUpdate: true) ?? throw new CaseNotFoundException();
            row.State.Decide(actor.UserId!.Value, outcome, reason);
            var now = queries.Now;
            var today = queries.Today;
            var service = ServiceCatalog.Get(row.ServiceSlug);
            var pdf = await bescheide.WriteAsync(c, tx, row.Id, actor, outcome, reason?.Trim(), now, row.AgreementId);
            var hash = await documents.SaveAsync(pdf, ct);
            await c.ExecuteAsync("""
                INSERT INTO case_documents (id, case_id, document_type, file_name, content_type, size_bytes, sha256, source, added_at, added_by_user_id)
                VALUES (@DocId, @Id, 'bescheid', @Name, 'application/pdf', @Size, @Hash, 'decision', @Now, @User)
                """, new { DocId = Guid.CreateVersion7().ToString(), row.Id, Name = $"Bescheid-{row.Reference}.pdf", Size = pdf.LongLength, Hash = hash, Now = now, User = actor.UserId }, tx);
            await c.ExecuteAsync("""
                UPDATE cases SET status = 'closed', outcome = @Outcome, decision_reason = @Reason, decided_at = @Now, decided_by_user_id = @User,
                    processor_ags = @Processor, retention_until = @Retention, waiting_until = NULL, version = version + 1
                WHERE id = @Id
                """, new { Outcome = outcome, Reason = reason?.Trim(), Now = now, User = actor.UserId, Processor = actor.Ags,
                    Retention = CaseState.RetentionUntil(today, service.RetentionYears), row.Id }, tx);
            await CaseHistory.AddAsync(c, tx, row.Id, now, actor, "entschieden", $"Antrag {Outcomes.Label(outcome)}; Bescheid erstellt.");
            var details = await queries.DetailsAsync(c, tx, (await queries.LoadAsync(c, tx, actor, row.Id, forUpdate: false))!);
            await audit.AppendAsync(c, tx, actor, new AuditEntry("case.decided", row.OwnerAgs, row.AgreementId, row.Id, outcome));
            return details;
        }, ct);
    }

}
