using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backoffice.Documents;

/// <summary>The back office's files: every document of a case file (intake attachments, uploads, Bescheide) by its hash in case_documents.</summary>
public sealed class CaseDocumentReferences(Db db) : IFileReferences
{
    public async Task<IReadOnlySet<string>> ReferencedAsync(IReadOnlyCollection<string> sha256s, CancellationToken ct = default) =>
        sha256s.Count == 0 ? new HashSet<string>()
            : (await db.QueryAsync<string>($"SELECT DISTINCT sha256 FROM case_documents WHERE {db.InList("sha256", "Hashes")}", new { Hashes = sha256s.ToArray() }, ct)).ToHashSet();
}
