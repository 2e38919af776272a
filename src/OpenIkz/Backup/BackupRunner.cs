using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Common;
using OpenIkz.Infrastructure;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backup;

public sealed record BackupRunResult(string Target, string Id, DateTime CreatedAt, long Bytes, int Documents, int DocumentsSent, long Rows, TimeSpan Duration);

/// <summary>
/// <c>backup run</c>: one consistent snapshot of the database (<see cref="DatabaseSnapshot"/>), then every document of
/// the file store, encrypted to every active recipient and written to each target; documents already sent to a target
/// for the same set of recipients are not sent again (incremental). The manifest names every object with its hashes,
/// the row counts and the audit head; the backup becomes visible on the target only when its index is committed after
/// all of its objects. Each backup is recorded in the audit log.
/// </summary>
public sealed class BackupRunner(Db db, IFileStore files, BackupTargets targets, BackupKeys keys, AuditLog audit,
    IOptions<BackupOptions> options, IOptions<OpenIkzOptions> app, TimeProvider clock, ILogger<BackupRunner> logger)
{
    /// <summary>The actor of the backup's audit entries (no user: the schedule or the operator's command line).</summary>
    internal static readonly Actor Operator = new(null, null, "datensicherung", "Datensicherung", "", false, []);

    public string ScratchRoot => options.Value.ScratchDirectory is { Length: > 0 } s ? Path.GetFullPath(s) : Path.Combine(app.Value.ResolvedDataDirectory, "backup-scratch");

    /// <summary>Backs up to every configured target (or only <paramref name="targetName"/>).</summary>
    public Task<IReadOnlyList<BackupRunResult>> RunAsync(string? targetName = null, bool full = false, CancellationToken ct = default) =>
        RunAsync(targetName is null ? targets.All : [targets.Find(targetName)], full, ct);

    /// <summary>
    /// Backs up to the given targets (the configured ones, or one built by the caller). A target that fails does not
    /// stop the others: its failure is recorded in the audit log (<c>backup.failed</c>) and, after every target was
    /// tried, reported as one <see cref="BackupException"/> naming each failed target.
    /// </summary>
    public async Task<IReadOnlyList<BackupRunResult>> RunAsync(IReadOnlyList<IBackupTarget> chosen, bool full = false, CancellationToken ct = default)
    {
        if (chosen.Count == 0) throw new BackupException($"No backup target is configured ({BackupOptions.Section}:Targets).");
        var recipients = (await keys.ActiveAsync(ct)).Select(r => r.Key).ToList();
        if (!recipients.Any()) throw new BackupException("There is no backup key yet: create the operator's recovery key first (backup keys create --operator).");
        var fingerprint = BackupCrypto.Fingerprint(recipients);
        using var session = new BackupCrypto.RecipientSession(recipients);

        var started = Stopwatch.StartNew();
        var createdAt = clock.GetUtcNow().UtcDateTime;
        var id = createdAt.ToString("yyyyMMdd't'HHmmssfff'z'", CultureInfo.InvariantCulture) + "-" + BackupStreams.NewObjectName()[..8];
        var scratch = Path.Combine(ScratchRoot, "run-" + id);
        System.IO.Directory.CreateDirectory(scratch);
        try
        {
            var snapshot = await DatabaseSnapshot.TakeAsync(db, scratch, options.Value.PostgresBin, ct);
            // The documents after the snapshot: every document a row of the snapshot names was stored before that row
            // committed, and the orphan sweep removes only unreferenced files, so the list covers the snapshot. Checked:
            // a referenced file missing from the store stops the backup (it could never be restored whole).
            var documents = files.List().Select(f => f.Sha256).Order(StringComparer.Ordinal).ToList();
            var listed = documents.ToHashSet(StringComparer.Ordinal);
            if (snapshot.Referenced.FirstOrDefault(h => !listed.Contains(h)) is { } absent)
                throw new BackupException($"The document {absent} is named by the database but missing in the file store ({snapshot.Referenced.Count(h => !listed.Contains(h))} such); the backup stops. Restore the file or run 'files check'.");
            var schema = MigrationRunner.Embedded(db.Kind).Max(m => m.Version);
            var results = new List<BackupRunResult>();
            var failures = new List<string>();
            foreach (var target in chosen)
            {
                try
                {
                    BackupRunResult result;
                    try
                    {
                        result = await SendAsync(target, id, createdAt, snapshot, schema, documents, session, fingerprint, full, started, ct);
                    }
                    catch (MissingBackupObjectsException e) when (!full)
                    {
                        // Documents sent earlier are gone from the target (a receiver's retention removes objects no kept
                        // backup names): forget what was sent there and send everything once more.
                        logger.LogWarning("Backup {Id} to {Target}: objects sent earlier are missing there ({Message}); sending every document again", id, target.Name, e.Message);
                        await db.ExecuteAsync("DELETE FROM backup_sent_objects WHERE target = @Target", new { Target = target.Name }, ct);
                        result = await SendAsync(target, id, createdAt, snapshot, schema, documents, session, fingerprint, full: true, started, ct);
                    }
                    results.Add(result);
                }
                catch (Exception e) when (e is BackupException or IOException or UnauthorizedAccessException or HttpRequestException && !ct.IsCancellationRequested)
                {
                    failures.Add($"{target.Name}: {e.Message}");
                    logger.LogError("Backup {Id} to {Target} failed: {Message}", id, target.Name, e.Message);
                    await db.InTransactionAsync((c, tx) => audit.AppendAsync(c, tx, Operator, new AuditEntry("backup.failed", null, null, null,
                        JsonSerializer.Serialize(new { target = target.Name, id, problem = e.Message }))), CancellationToken.None);
                }
            }
            if (failures.Count > 0)
                throw new BackupException($"The backup {id} failed for {failures.Count} of {chosen.Count} target(s) ({string.Join("; ", failures)})"
                    + (results.Count > 0 ? $"; it was written to {string.Join(", ", results.Select(r => r.Target))}." : "."));
            return results;
        }
        finally
        {
            try { System.IO.Directory.Delete(scratch, recursive: true); }
            catch (IOException e) { logger.LogWarning("The backup's scratch folder could not be removed: {Message}", e.Message); }
        }
    }

    /// <summary>How many documents are encrypted and written at once (the encryption is CPU-bound, the writes wait for the disk or the network).</summary>
    private static int Parallelism => Math.Clamp(Environment.ProcessorCount * 2, 2, 16);

    private async Task<BackupRunResult> SendAsync(IBackupTarget target, string id, DateTime createdAt, SnapshotResult snapshot, int schema,
        IReadOnlyList<string> documents, BackupCrypto.RecipientSession recipients, string fingerprint, bool full, Stopwatch started, CancellationToken ct)
    {
        var sent = full ? new Dictionary<string, (string Name, long PlainBytes, long Bytes, string Sha)>() : (await db.QueryAsync<(string Sha256, string ObjectName, long PlainBytes, long Bytes, string ObjectSha256)>(
                "SELECT sha256, object_name, plain_bytes, bytes, object_sha256 FROM backup_sent_objects WHERE target = @Target AND recipients = @Fingerprint",
                new { Target = target.Name, Fingerprint = fingerprint }, ct))
            .ToDictionary(r => r.Sha256, r => (Name: r.ObjectName, r.PlainBytes, r.Bytes, Sha: r.ObjectSha256), StringComparer.Ordinal);

        BackupManifestFile database;
        await using (var plain = new FileStream(snapshot.File, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan))
            database = await BackupStreams.EncryptToAsync(target, BackupStreams.NewObjectName(), plain, recipients, ct);

        // The documents, several at once; each keeps its place in the (sorted) list, so the manifest's order is stable.
        var slots = new BackupManifestDocument?[documents.Count];
        var fresh = new bool[documents.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, documents.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (i, token) =>
        {
            var sha = documents[i];
            if (sent.TryGetValue(sha, out var known))
            {
                slots[i] = new BackupManifestDocument(sha, known.PlainBytes, known.Name, known.Bytes, known.Sha);
                return;
            }
            await using var plain = files.OpenRead(sha);
            if (plain is null)
            {
                // Removed since the list: allowed only for a file no row of the snapshot names (the orphan sweep's work).
                if (snapshot.Referenced.Contains(sha)) throw new BackupException($"The document {sha} is named by the database but vanished from the file store during the backup; the backup stops.");
                return;
            }
            var file = await BackupStreams.EncryptToAsync(target, BackupStreams.NewObjectName(), plain, recipients, token);
            if (file.Sha256 != sha) throw new BackupException($"The document {sha} does not match its SHA-256 in the file store (read {file.Sha256}); the backup stops.");
            slots[i] = new BackupManifestDocument(sha, file.Bytes, file.Object, file.EncryptedBytes, file.EncryptedSha256);
            fresh[i] = true;
        });
        var manifestDocuments = slots.OfType<BackupManifestDocument>().ToList();

        // The data-protection keys: without them a restored instance could not open its second-factor secrets. Small: sent every time.
        var keyFiles = new List<BackupManifestKeyFile>();
        var keysDirectory = Path.Combine(app.Value.ResolvedDataDirectory, "keys");
        if (System.IO.Directory.Exists(keysDirectory))
            foreach (var path in System.IO.Directory.EnumerateFiles(keysDirectory, "*.xml").Order(StringComparer.Ordinal))
            {
                await using var plain = File.OpenRead(path);
                keyFiles.Add(new BackupManifestKeyFile(Path.GetFileName(path), await BackupStreams.EncryptToAsync(target, BackupStreams.NewObjectName(), plain, recipients, ct)));
            }

        var manifest = new BackupManifest(BackupManifest.CurrentFormat, id, createdAt, db.Name, schema, snapshot.Method, database, snapshot.Tables,
            snapshot.AuditSeq, snapshot.AuditHash, manifestDocuments, recipients.Keys.Select(r => r.KeyId).ToList(), keyFiles);
        var manifestName = "manifest-" + BackupStreams.NewObjectName();
        var manifestFile = await BackupStreams.EncryptToAsync(target, manifestName, new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(manifest, BackupNames.Json)), recipients, ct);

        var objects = new List<BackupObjectRef> { new(manifestName, manifestFile.EncryptedBytes, manifestFile.EncryptedSha256), new(database.Object, database.EncryptedBytes, database.EncryptedSha256) };
        objects.AddRange(keyFiles.Select(k => new BackupObjectRef(k.File.Object, k.File.EncryptedBytes, k.File.EncryptedSha256)));
        objects.AddRange(manifestDocuments.Select(d => new BackupObjectRef(d.Object, d.EncryptedBytes, d.EncryptedSha256)));
        var index = new BackupIndex(id, createdAt, objects);
        await target.CommitAsync(index, ct);

        // Only a committed backup's documents count as sent (the next run reuses them), all in one transaction.
        var newlySent = 0;
        var now = clock.GetUtcNow().UtcDateTime;
        var rows = new List<object>();
        for (var i = 0; i < slots.Length; i++)
            if (fresh[i] && slots[i] is { } d)
            {
                newlySent++;
                rows.Add(new { Target = target.Name, Sha = d.Sha256, Fingerprint = fingerprint, Name = d.Object, Plain = d.Bytes, Bytes = d.EncryptedBytes, ObjectSha = d.EncryptedSha256, Now = now });
            }
        var result = new BackupRunResult(target.Name, id, createdAt, index.Bytes, manifestDocuments.Count, newlySent, snapshot.Tables.Values.Sum(), started.Elapsed);
        await db.InTransactionAsync(async (c, tx) =>
        {
            if (rows.Count > 0)
                await c.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO backup_sent_objects (target, sha256, recipients, object_name, plain_bytes, bytes, object_sha256, sent_at) VALUES (@Target, @Sha, @Fingerprint, @Name, @Plain, @Bytes, @ObjectSha, @Now)
                    ON CONFLICT (target, sha256, recipients) DO UPDATE SET object_name = excluded.object_name, plain_bytes = excluded.plain_bytes, bytes = excluded.bytes, object_sha256 = excluded.object_sha256, sent_at = excluded.sent_at
                    """, rows, tx, cancellationToken: ct));
            await audit.AppendAsync(c, tx, Operator, new AuditEntry("backup.run", null, null, null,
                JsonSerializer.Serialize(new { target = target.Name, id, bytes = result.Bytes, documents = result.Documents, sent = newlySent, rows = result.Rows, seconds = Math.Round(result.Duration.TotalSeconds, 1) })));
        }, ct);
        logger.LogInformation("Backup {Id} to {Target}: {Bytes} bytes, {Documents} documents ({Sent} sent), {Seconds:0.0} s", id, target.Name, result.Bytes, result.Documents, newlySent, result.Duration.TotalSeconds);
        return result;
    }
}
