using System.IO.Compression;
using System.Text.Json;
using Dapper;
using OpenIkz.Agreements.Settlement;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Common;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backup;

public sealed record ExportResult(string Ags, long Cases, int Documents, int Agreements, int Statements, long Bytes);

/// <summary>
/// A municipality takes out its own data, e.g. when it leaves a cooperation or rebuilds its own systems: its cases with
/// their documents, notes and history, the audit entries about it, the agreements it is a member of with their
/// documents, and its settlement statements (PDF and CSV). Everything goes into one ZIP file (JSON Lines per table, the
/// files under their SHA-256, a manifest with counts and hashes), encrypted for the municipality's own keys only. Cases
/// of other municipalities never go in, not even those its staff worked on.
/// </summary>
public sealed class MunicipalityExport(Db db, IFileStore files, BackupKeys keys, SettlementService settlements, AuditLog audit)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<ExportResult> WriteAsync(Actor requester, string ags, Stream output, string scratchRoot, CancellationToken ct = default)
    {
        var recipients = (await keys.ActiveAsync(ct)).Where(k => k.Kind == "municipality" && k.MunicipalityAgs == ags).Select(k => k.Key).ToList();
        if (recipients.Count == 0)
            throw new BackupException("Ihre Kommune hat noch keinen eigenen Schlüssel. Erzeugen Sie zuerst einen; die Ausfuhr wird nur für ihn verschlüsselt.");
        System.IO.Directory.CreateDirectory(scratchRoot);
        var zipPath = Path.Combine(scratchRoot, "export-" + BackupStreams.NewObjectName()[..12] + ".zip");
        try
        {
            var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
            var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
            int documents = 0, agreementCount = 0, statements = 0;
            long caseCount;
            await using (var zipFile = new FileStream(zipPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            using (var zip = new ZipArchive(zipFile, ZipArchiveMode.Create, leaveOpen: true))
            {
                var p = new { Ags = ags };
                caseCount = counts["cases.jsonl"] = await RowsAsync(zip, "cases.jsonl", "SELECT * FROM cases WHERE owner_ags = @Ags ORDER BY id", p, ct);
                foreach (var table in new[] { "case_documents", "case_notes", "case_history" })
                    counts[table + ".jsonl"] = await RowsAsync(zip, table + ".jsonl",
                        $"SELECT t.* FROM {table} t JOIN cases c ON c.id = t.case_id WHERE c.owner_ags = @Ags ORDER BY t.case_id", p, ct);
                // The history of the own cases, and what the own staff did outside any case; not what the own staff did on a
                // partner's case (that entry belongs to the partner's history: its case id and outcome are the partner's data).
                counts["audit_log.jsonl"] = await RowsAsync(zip, "audit_log.jsonl", "SELECT * FROM audit_log WHERE owner_ags = @Ags OR (actor_ags = @Ags AND owner_ags IS NULL) ORDER BY seq", p, ct);
                const string member = "agreement_id IN (SELECT agreement_id FROM agreement_members WHERE municipality_ags = @Ags)";
                counts["agreements.jsonl"] = agreementCount = (int)await RowsAsync(zip, "agreements.jsonl", $"SELECT * FROM agreements WHERE id IN (SELECT agreement_id FROM agreement_members WHERE municipality_ags = @Ags) ORDER BY id", p, ct);
                foreach (var table in new[] { "agreement_members", "agreement_services", "agreement_rates", "agreement_history", "agreement_documents" })
                    counts[table + ".jsonl"] = await RowsAsync(zip, table + ".jsonl", $"SELECT * FROM {table} WHERE {member} ORDER BY agreement_id", p, ct);

                // The files: the case documents and the agreements' documents, each under its SHA-256, checked on the way.
                var shas = (await db.QueryAsync<string>("SELECT DISTINCT d.sha256 FROM case_documents d JOIN cases c ON c.id = d.case_id WHERE c.owner_ags = @Ags", p, ct))
                    .Select(s => ("documents/" + s, s))
                    .Concat((await db.QueryAsync<(string Html, string Pdf)>($"SELECT html_sha256, pdf_sha256 FROM agreement_documents WHERE {member}", p, ct))
                        .SelectMany(d => new[] { ("agreement-documents/" + d.Html + ".html", d.Html), ("agreement-documents/" + d.Pdf + ".pdf", d.Pdf) }))
                    .Distinct().ToList();
                foreach (var (name, sha) in shas)
                {
                    await using var source = files.OpenRead(sha) ?? throw new BackupException($"Das Dokument {sha[..12]}… fehlt im Dokumentenspeicher; die Ausfuhr wird abgebrochen.");
                    var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
                    await using (var target = entry.Open())
                    await using (var hashing = new HashingStream(target, leaveOpen: true))
                    {
                        await source.CopyToAsync(hashing, ct);
                        if (hashing.Sha256 != sha) throw new BackupException($"Das Dokument {sha[..12]}… stimmt nicht mit seinem SHA-256 überein; die Ausfuhr wird abgebrochen.");
                    }
                    hashes[name] = sha;
                    documents++;
                }

                // The statements of the municipality, as PDF and CSV, as the settlement pages give them.
                var actor = new Actor(requester.UserId, null, requester.Name, requester.DisplayName, ags, false, [], IsCoordinator: true, IsAdministrator: true);
                foreach (var agreementId in await db.QueryAsync<long>("SELECT agreement_id FROM agreement_members WHERE municipality_ags = @Ags ORDER BY agreement_id", p, ct))
                    foreach (var s in await settlements.ListAsync(actor, agreementId, ct))
                    {
                        if (!s.Statements.Any(x => x.MunicipalityAgs == ags)) continue;
                        await WriteBytesAsync(zip, $"statements/{s.Number}.pdf", SettlementPdf.Write(s, ags), hashes, ct);
                        await WriteBytesAsync(zip, $"statements/{s.Number}.csv", SettlementCsv.Bytes(s, ags), hashes, ct);
                        statements++;
                    }

                var manifest = new { format = 1, municipality = ags, createdAt = DateTime.UtcNow, rows = counts, files = hashes, recipients = recipients.Select(r => r.KeyId) };
                await using (var m = zip.CreateEntry("manifest.json", CompressionLevel.Fastest).Open())
                    await JsonSerializer.SerializeAsync(m, manifest, BackupNames.Json, ct);
            }

            long bytes;
            await using (var zipRead = new FileStream(zipPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous))
            await using (var counted = new HashingStream(output, leaveOpen: true))
            {
                await BackupCrypto.EncryptAsync(zipRead, counted, recipients, ct);
                bytes = counted.Count;
            }
            await db.InTransactionAsync((c, tx) => audit.AppendAsync(c, tx, requester, new AuditEntry("backup.export", ags, null, null,
                JsonSerializer.Serialize(new { cases = caseCount, documents, agreements = agreementCount, statements, bytes }))), ct);
            return new ExportResult(ags, caseCount, documents, agreementCount, statements, bytes);
        }
        finally
        {
            File.Delete(zipPath);
        }
    }

    /// <summary>One table's rows as JSON Lines, streamed.</summary>
    private async Task<long> RowsAsync(ZipArchive zip, string name, string sql, object param, CancellationToken ct)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
        await using var stream = entry.Open();
        await using var c = await db.OpenAsync(ct);
        long count = 0;
        var newline = "\n"u8.ToArray();
        await foreach (var row in c.QueryUnbufferedAsync(sql, param).WithCancellation(ct))
        {
            await JsonSerializer.SerializeAsync(stream, (IDictionary<string, object?>)row, Json, ct);
            await stream.WriteAsync(newline, ct);
            count++;
        }
        return count;
    }

    private static async Task WriteBytesAsync(ZipArchive zip, string name, byte[] content, IDictionary<string, string> hashes, CancellationToken ct)
    {
        await using (var s = zip.CreateEntry(name, CompressionLevel.Fastest).Open())
            await s.WriteAsync(content, ct);
        hashes[name] = ContentHash.Sha256(content);
    }
}
