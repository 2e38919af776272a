using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Infrastructure;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Infrastructure.Files;

namespace OpenIkz.Backup;

/// <summary>Where a restore goes: an empty data folder (SQLite: its database file and documents) or an empty PostgreSQL database with a data folder for the documents.</summary>
public sealed record RestoreDestination(DatabaseKind Kind, string DataDirectory, string? PostgresConnectionString = null, string? DocumentsDirectory = null)
{
    public OpenIkzOptions StoreOptions => new() { DataDirectory = DataDirectory, DocumentsDirectory = DocumentsDirectory };
}

public sealed record RestoreResult(string BackupId, DateTime CreatedAt, long Rows, int Tables, int Documents, long AuditEntries, long Bytes, TimeSpan Duration, string? Note = null);

/// <summary>
/// <c>restore</c>: the newest (or a named) backup of a target, decrypted with one recipient's private key into an empty
/// destination, and verified before it counts: every object's encrypted SHA-256 and authentication, the database file's
/// SHA-256, every table's row count and the audit head as in the manifest, the audit hash chain, and every document's
/// SHA-256. A backup that fails any check is refused with the reason and leaves the destination empty (no partial result).
/// </summary>
public sealed class BackupRestorer(IOptions<BackupOptions> options)
{
    public async Task<RestoreResult> RestoreAsync(IBackupTarget target, BackupPrivateKey key, string? backupId, RestoreDestination destination, string scratchRoot, CancellationToken ct = default)
    {
        var started = Stopwatch.StartNew();
        BackupIndex? index = null;
        string? note = null;
        if (backupId is not null)
            index = await target.GetIndexAsync(backupId, ct); // "There is no backup … on …" for an unknown one
        else
        {
            var backups = await target.ListAsync(ct);
            if (backups.Count == 0) throw new BackupException($"There is no backup on {target.Name}.");
            // The newest whose index can be read; a damaged newer one is named in the result (the drill names its backup and fails on it).
            var unreadable = new List<string>();
            foreach (var candidate in backups.Reverse())
            {
                try
                {
                    index = await target.GetIndexAsync(candidate.Id, ct);
                    break;
                }
                catch (BackupException e)
                {
                    unreadable.Add($"{candidate.Id} ({e.Message})");
                }
            }
            if (index is null) throw new BackupException($"No backup on {target.Name} can be read: {string.Join("; ", unreadable)}");
            if (unreadable.Count > 0) note = $"The newer backup(s) {string.Join("; ", unreadable)} could not be read; restored {index.Id} instead.";
        }
        var manifest = await ReadManifestAsync(target, index, key, ct);

        await RequireEmptyAsync(destination, ct);
        var scratch = Path.Combine(scratchRoot, "restore-" + BackupStreams.NewObjectName()[..12]);
        System.IO.Directory.CreateDirectory(scratch);
        var written = new List<string>();
        var databasePlaced = false;
        try
        {
            // The database: decrypted into the scratch folder and checked against the manifest's SHA-256.
            var file = Path.Combine(scratch, destination.Kind == DatabaseKind.Sqlite ? "database.sqlite" : "database.pgdump");
            await DecryptObjectAsync(target, manifest.DatabaseFile.Object, manifest.DatabaseFile.EncryptedSha256, manifest.DatabaseFile.Sha256, file, key, "The database snapshot", ct);
            if (!string.Equals(manifest.Database, destination.Kind == DatabaseKind.Sqlite ? "sqlite" : "postgres", StringComparison.Ordinal))
                throw new BackupException($"The backup holds a {manifest.Database} database; this instance runs on {(destination.Kind == DatabaseKind.Sqlite ? "sqlite" : "postgres")}.");

            // The documents first (a PostgreSQL database restored before them could be started on with files missing):
            // several at once, each decrypted next to its place, checked against its SHA-256, then moved into place.
            var store = new FileSystemFileStore(Options.Create(destination.StoreOptions));
            var placed = new System.Collections.Concurrent.ConcurrentBag<string>();
            try
            {
                await Parallel.ForEachAsync(manifest.Documents, new ParallelOptions { MaxDegreeOfParallelism = Math.Clamp(Environment.ProcessorCount * 2, 2, 16), CancellationToken = ct }, async (d, token) =>
                {
                    var path = store.PathOf(d.Sha256);
                    System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    await DecryptObjectAsync(target, d.Object, d.EncryptedSha256, d.Sha256, path, key, $"The document {d.Sha256[..12]}…", token);
                    placed.Add(path);
                });
            }
            finally { written.AddRange(placed); }
            // The data-protection keys, beside the documents (a key file of the same name already there is kept).
            var keysDirectory = Path.Combine(destination.DataDirectory, "keys");
            foreach (var k in manifest.KeyFiles ?? [])
            {
                if (Path.GetFileName(k.FileName) != k.FileName || !k.FileName.EndsWith(".xml", StringComparison.Ordinal))
                    throw new BackupException($"The manifest names a key file '{k.FileName}' that is not a plain file name. The restore is refused.");
                System.IO.Directory.CreateDirectory(keysDirectory);
                var path = Path.Combine(keysDirectory, k.FileName);
                if (File.Exists(path)) continue;
                await DecryptObjectAsync(target, k.File.Object, k.File.EncryptedSha256, k.File.Sha256, path, key, $"The data-protection key {k.FileName}", ct);
                written.Add(path);
            }

            Db restored;
            string? sqliteTarget = null;
            if (destination.Kind == DatabaseKind.Sqlite)
            {
                restored = Db.ForSqlite(file); // verified in the scratch folder, moved into place only when everything holds
                sqliteTarget = Path.Combine(destination.DataDirectory, "openikz.db");
            }
            else
            {
                restored = Db.ForPostgres(destination.PostgresConnectionString!);
                databasePlaced = true;
                await DatabaseSnapshot.RunToolAsync(restored, options.Value.PostgresBin, "pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", file], ct, destination.PostgresConnectionString);
            }
            long auditEntries;
            using (restored)
            {
                var (tables, seq, hash) = await DatabaseSnapshot.CountAsync(restored, null, null, ct);
                foreach (var (table, count) in manifest.Tables)
                    if (!tables.TryGetValue(table, out var found) || found != count)
                        throw new BackupException($"The restored table {table} has {(tables.ContainsKey(table) ? found : 0)} rows; the manifest says {count}. The restore is refused.");
                if (tables.Count != manifest.Tables.Count) throw new BackupException("The restored database has tables the manifest does not name. The restore is refused.");
                if (seq != manifest.AuditSeq || hash != manifest.AuditHash) throw new BackupException("The restored audit log's head differs from the manifest. The restore is refused.");
                var chain = await AuditLog.VerifyAsync(restored, ct);
                if (!chain.Valid) throw new BackupException($"The restored audit log's hash chain is broken ({chain.Problem}). The restore is refused.");
                auditEntries = chain.Entries;
                // Every document a row names is among the restored ones (each checked against its SHA-256 above).
                var inBackup = manifest.Documents.Select(d => d.Sha256).ToHashSet(StringComparer.Ordinal);
                var referenced = await DatabaseSnapshot.ReferencedDocumentsAsync(restored, null, null, ct);
                if (referenced.Count(h => !inBackup.Contains(h)) is > 0 and var absent)
                    throw new BackupException($"The restored database names {absent} document(s) the backup does not hold (e.g. {referenced.First(h => !inBackup.Contains(h))[..12]}…). The restore is refused.");
            }
            if (destination.Kind == DatabaseKind.Sqlite) SqliteConnection.ClearAllPools();

            // Everything written is made durable before the restore counts (one flush of the file system on Linux).
            if (written.Count > 0) Durability.FlushFileSystem(written[0]);
            if (sqliteTarget is not null)
            {
                System.IO.Directory.CreateDirectory(destination.DataDirectory);
                Durability.FlushFileSystem(file);
                File.Move(file, sqliteTarget, overwrite: false);
                databasePlaced = true;
                Durability.FlushFileSystem(sqliteTarget);
            }
            return new RestoreResult(index.Id, manifest.CreatedAt, manifest.Tables.Values.Sum(), manifest.Tables.Count, manifest.Documents.Count, auditEntries, index.Bytes, started.Elapsed, note);
        }
        catch (Exception failure)
        {
            // Nothing partial stays behind: the documents written, the database placed (PostgreSQL: emptied again).
            // A cleanup that fails itself is named, but the reason of the refusal stays the one reported.
            try
            {
                foreach (var path in written) File.Delete(path);
                if (databasePlaced) await EmptyAsync(destination);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException or NpgsqlException or BackupException)
            {
                throw new BackupException($"{failure.Message} Removing what was already restored failed too ({cleanup.Message}): empty the destination by hand before the next attempt.", failure);
            }
            throw;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { System.IO.Directory.Delete(scratch, recursive: true); }
            catch (IOException) { /* a scratch folder left behind holds only what this restore wrote */ }
        }
    }

    /// <summary>The manifest of a backup, checked against the index and decrypted.</summary>
    public static async Task<BackupManifest> ReadManifestAsync(IBackupTarget target, BackupIndex index, BackupPrivateKey key, CancellationToken ct)
    {
        var entry = index.Objects.FirstOrDefault() ?? throw new BackupException($"The backup {index.Id} names no objects.");
        using var encrypted = new MemoryStream();
        await using (var source = await target.OpenObjectAsync(entry.Name, ct))
            await source.CopyToAsync(encrypted, ct);
        encrypted.Position = 0;
        if (Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(encrypted.ToArray())) != entry.Sha256)
            throw new BackupException($"The manifest of backup {index.Id} was changed or is damaged (its SHA-256 differs from the index). The restore is refused.");
        var plain = await BackupCrypto.DecryptToArrayAsync(encrypted, key, $"The manifest of backup {index.Id}", ct);
        var manifest = JsonSerializer.Deserialize<BackupManifest>(plain, BackupNames.Json)
            ?? throw new BackupException($"The manifest of backup {index.Id} is empty.");
        if (manifest.Format != BackupManifest.CurrentFormat) throw new BackupException($"The backup {index.Id} has format {manifest.Format}; this version reads format {BackupManifest.CurrentFormat}.");
        if (manifest.Id != index.Id) throw new BackupException($"The manifest belongs to backup {manifest.Id}, not to {index.Id}. The restore is refused.");
        return manifest;
    }

    private static async Task DecryptObjectAsync(IBackupTarget target, string name, string encryptedSha256, string plainSha256, string path, BackupPrivateKey key, string what, CancellationToken ct)
    {
        var temp = path + "." + BackupStreams.NewObjectName()[..8] + ".tmp";
        try
        {
            await using (var source = await target.OpenObjectAsync(name, ct))
            await using (var encrypted = new HashingStream(source))
            await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0)) // whole chunks: no buffer needed
            await using (var plain = new HashingStream(output, leaveOpen: true))
            {
                await BackupCrypto.DecryptAsync(encrypted, plain, key, what, ct);
                if (encrypted.Sha256 != encryptedSha256) throw new BackupException($"{what} differs from the manifest (encrypted SHA-256). The restore is refused.");
                if (plain.Sha256 != plainSha256) throw new BackupException($"{what} does not match its SHA-256 after decryption. The restore is refused.");
                await output.FlushAsync(ct);
                if (Durability.FlushEachFile) output.Flush(flushToDisk: true); // Linux: one flush of the file system at the end
            }
            File.Move(temp, path, overwrite: false);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private static async Task RequireEmptyAsync(RestoreDestination destination, CancellationToken ct)
    {
        if (destination.Kind == DatabaseKind.Sqlite)
        {
            var file = Path.Combine(destination.DataDirectory, "openikz.db");
            if (File.Exists(file) && new FileInfo(file).Length > 0)
                throw new BackupException($"The data folder {destination.DataDirectory} already holds a database; a restore goes into an empty one.");
        }
        else
        {
            using var db = Db.ForPostgres(destination.PostgresConnectionString ?? throw new BackupException("ConnectionStrings:Postgres is not set."));
            if (await db.QuerySingleAsync<long>("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'", null, ct) > 0)
                throw new BackupException("The PostgreSQL database already holds tables; a restore goes into an empty one.");
        }
        var documents = destination.StoreOptions.ResolvedDocumentsDirectory;
        if (System.IO.Directory.Exists(documents) && System.IO.Directory.EnumerateFiles(documents, "*", SearchOption.AllDirectories).Any())
            throw new BackupException($"The documents folder {documents} already holds documents; a restore goes into an empty one.");
    }

    private static async Task EmptyAsync(RestoreDestination destination)
    {
        if (destination.Kind == DatabaseKind.Sqlite)
        {
            foreach (var suffix in new[] { "", "-wal", "-shm" })
                File.Delete(Path.Combine(destination.DataDirectory, "openikz.db" + suffix));
            return;
        }
        using var db = Db.ForPostgres(destination.PostgresConnectionString!);
        await db.ExecuteAsync("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
    }
}
