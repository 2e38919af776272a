using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Agreements;

/// <summary>The agreements' files: every rendering of every version (HTML and PDF) in agreement_documents. Settlements store no files (their exports are generated on request).</summary>
public sealed class AgreementDocumentReferences(Db db) : IFileReferences
{
    public async Task<IReadOnlySet<string>> ReferencedAsync(IReadOnlyCollection<string> sha256s, CancellationToken ct = default)
    {
        if (sha256s.Count == 0) return new HashSet<string>();
        var hashes = sha256s.ToArray();
        var rows = await db.QueryAsync<(string Html, string Pdf)>(
            $"SELECT html_sha256, pdf_sha256 FROM agreement_documents WHERE {db.InList("html_sha256", "Hashes")} OR {db.InList("pdf_sha256", "Hashes")}", new { Hashes = hashes }, ct);
        var wanted = hashes.ToHashSet(StringComparer.Ordinal);
        return rows.SelectMany(r => new[] { r.Html, r.Pdf }).Where(wanted.Contains).ToHashSet();
    }
}
