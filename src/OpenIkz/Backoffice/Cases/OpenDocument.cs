using Dapper;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backoffice.Cases;

/// <summary>A document of a case file, under the access rule; a read by another municipality's user is audited.</summary>
public sealed class OpenDocument(Db db, CaseQueries queries, IFileStore documents)
{
    public async Task<(DocumentDto Document, Stream Content)> HandleAsync(Actor actor, string caseId, string documentId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await queries.LoadAsync(c, null, actor, caseId, forUpdate: false) ?? throw new CaseNotFoundException();
        var document = (await c.QuerySingleOrDefaultAsync<CaseQueries.DocumentRow>("""
            SELECT id, document_type AS DocumentType, document_type AS DocumentLabel, file_name AS FileName, content_type AS ContentType,
                   size_bytes AS SizeBytes, sha256, source, added_at AS AddedAt
            FROM case_documents WHERE id = @DocId AND case_id = @CaseId
            """, new { DocId = documentId, CaseId = row.Id }))?.ToDto() ?? throw new CaseNotFoundException();
        await queries.AuditForeignReadAsync(c, actor, row, "document.read", document.Id, ct);
        var stream = documents.OpenRead(document.Sha256) ?? throw new FileNotFoundException("Document file missing: " + document.Sha256);
        return (document, stream);
    }

}
