using Dapper;
using OpenIkz.Backoffice.Documents;
using OpenIkz.Backoffice.Intake;
using OpenIkz.Directory.Services;

namespace OpenIkz.Backoffice.Cases;

/// <summary>A clerk adds a document to the file; the file is complete when every required document is there.</summary>
public sealed class AddDocument(CaseQueries queries, IFileStore documents, IntakeLimits limits)
{
    public async Task<string> HandleAsync(Actor actor, string caseId, string documentType, string? fileName, string? contentType, byte[] content, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        var name = FileTypes.SanitiseFileName(fileName);
        if (name is null) errors.Add("fileName", FileTypes.InvalidFileNameMessage);
        if (content.Length == 0) errors.Add("content", "Die Datei ist leer.");
        if (content.LongLength > limits.MaxAttachmentBytes) throw new PayloadTooLargeException("content", $"Eine Datei darf höchstens {limits.MaxAttachmentBytes / (1024 * 1024)} MB groß sein.");
        var actual = content.Length == 0 ? null : FileTypes.Sniff(content);
        if (content.Length > 0 && actual is null) errors.Add("content", "Der Dateiinhalt ist kein PDF, PNG, JPEG oder XML.");
        else if (actual is not null && contentType is not null && FileTypes.Normalise(contentType) != actual) errors.Add("contentType", $"Der angegebene Typ passt nicht zum Inhalt ({actual}).");
        if (errors.Count > 0) throw new ValidationException(errors);

        return await queries.ChangeAsync(actor, caseId, "case.document-added", async (c, tx, row) =>
        {
            row.State.EnsureNotClosed();
            var service = ServiceCatalog.Get(row.ServiceSlug);
            if (service.Document(documentType) is null)
                throw ValidationException.For("documentType", $"Die Dokumentart '{documentType}' gibt es bei {service.Name} nicht.");
            // Only now, with access, state and type checked, is the file written: a refused upload leaves nothing behind.
            var hash = await documents.SaveAsync(content, ct);
            var id = Guid.CreateVersion7().ToString();
            await c.ExecuteAsync("""
                INSERT INTO case_documents (id, case_id, document_type, file_name, content_type, size_bytes, sha256, source, added_at, added_by_user_id)
                VALUES (@DocId, @Id, @Type, @Name, @ContentType, @Size, @Hash, 'clerk', @Now, @User)
                """, new { DocId = id, row.Id, Type = documentType, Name = name, ContentType = actual, Size = content.LongLength, Hash = hash, queries.Now, User = actor.UserId }, tx);
            var present = (await c.QueryAsync<string>("SELECT DISTINCT document_type FROM case_documents WHERE case_id = @Id", new { row.Id }, tx)).ToHashSet();
            var complete = service.RequiredDocumentsFor(row.CaseGroup).All(present.Contains);
            await c.ExecuteAsync("UPDATE cases SET complete = @Complete WHERE id = @Id", new { Complete = complete, row.Id }, tx);
            return (id, "Dokument hinzugefügt", (string?)$"{service.Document(documentType)!.Label}: {name}{(complete && !row.Complete ? " – Akte jetzt vollständig" : "")}");
        }, ct);
    }

}
