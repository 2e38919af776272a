using Dapper;
using Microsoft.Extensions.Logging;
using OpenIkz.Backoffice.Decisions;
using OpenIkz.Infrastructure.Mail;

namespace OpenIkz.Backoffice.Cases;

/// <summary>What asking for documents did: the letter in the e-file, and whether it went out by e-mail.</summary>
/// <param name="DocumentId">The letter (PDF) in the e-file.</param>
/// <param name="HasEmail">The applicant gave an e-mail address.</param>
/// <param name="Mailed">The e-mail was handed to the SMTP server (or, in demo mode without one, written to the mail folder).</param>
/// <param name="ToFolder">Demo mode without an SMTP server: the e-mail went to the mail folder, not to the applicant.</param>
public sealed record DocumentRequestResult(string DocumentId, bool HasEmail, bool Mailed, bool ToFolder);

/// <summary>
/// Asks the applicant for documents: the case waits until the given date, a letter in the owner's name goes into the
/// e-file (PDF) and, where the applicant gave an e-mail address, by e-mail with the letter attached. The e-mail is sent
/// after the change is committed; a failure leaves the letter in the file and is logged without any address or text.
/// </summary>
public sealed class RequestDocuments(CaseQueries queries, IFileStore documents, IMailSender mail, ILogger<RequestDocuments> logger)
{
    public async Task<DocumentRequestResult> HandleAsync(Actor actor, string caseId, DateOnly until, string message, CancellationToken ct = default)
    {
        var clean = TextInput.Require("message", message, TextKind.Paragraphs, "Die Nachricht");
        if (clean is null || clean.Length > 2000)
            throw ValidationException.For("message", "Bitte angeben, welche Unterlagen fehlen (höchstens 2000 Zeichen).");
        var (documentId, email, letter, pdf, reference) = await queries.ChangeAsync<(string DocId, string? Email, Letter Letter, byte[] Pdf, string Reference)>(actor, caseId, "case.documents-requested", async (c, tx, row) =>
        {
            row.State.RequestDocuments(actor.UserId!.Value, until, queries.Today);
            var facts = await BescheidWriter.FactsAsync(c, tx, row.Id, actor);
            var composed = DocumentRequestLetter.Compose(facts, actor, until, clean.Trim(), queries.Now);
            var pdf = composed.ToPdf();
            var hash = await documents.SaveAsync(pdf, ct);
            var docId = Guid.CreateVersion7().ToString();
            await c.ExecuteAsync("""
                INSERT INTO case_documents (id, case_id, document_type, file_name, content_type, size_bytes, sha256, source, added_at, added_by_user_id)
                VALUES (@DocId, @Id, @Type, @Name, 'application/pdf', @Size, @Hash, 'clerk', @Now, @User)
                """, new { DocId = docId, row.Id, Type = DocumentRequestLetter.DocumentType, Name = $"Anforderung-{row.Reference}.pdf", Size = pdf.LongLength, Hash = hash, Now = queries.Now, User = actor.UserId }, tx);
            await c.ExecuteAsync("UPDATE cases SET status = 'waiting', waiting_until = @Until WHERE id = @Id", new { row.Id, Until = until }, tx);
            return ((docId, row.ApplicantEmail, composed, pdf, row.Reference), "Unterlagen angefordert", (string?)$"Frist bis {until:dd.MM.yyyy}: {clean}");
        }, ct);

        if (string.IsNullOrWhiteSpace(email)) return new DocumentRequestResult(documentId, false, false, false);
        if (!mail.IsConfigured) return new DocumentRequestResult(documentId, true, false, false);
        try
        {
            // Not the request's token: the change is committed, and a client that went away should not stop the e-mail.
            await mail.SendAsync(new MailMessage(email, $"Ihr Antrag {reference}: Bitte reichen Sie Unterlagen nach", DocumentRequestLetter.MailBody(letter),
                [new MailAttachment($"Anforderung-{reference}.pdf", "application/pdf", pdf)]), CancellationToken.None);
            return new DocumentRequestResult(documentId, true, true, mail.WritesToFolder);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning("The document request e-mail for case {CaseId} could not be sent ({Error}); the letter is in the e-file.", caseId, ex.GetType().Name);
            return new DocumentRequestResult(documentId, true, false, false);
        }
    }
}
