using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenIkz.Backup;

/// <summary>
/// One backup's index on a target: its id (<c>yyyyMMddTHHmmssZ-xxxxxxxx</c>, sortable by time), when it was taken and
/// the objects it consists of. This index is the only part of a backup a storage holder can read: object names are
/// random, sizes are the encrypted sizes; everything else (the manifest, the database, the documents) is encrypted.
/// Written with its size and object count ahead of the object list, so a listing reads only the beginning of each
/// index (one of 100,000 documents is about 17 MB).
/// </summary>
public sealed record BackupIndex(string Id, DateTime CreatedAt, [property: JsonPropertyOrder(1)] IReadOnlyList<BackupObjectRef> Objects)
{
    public long Bytes => Objects.Sum(o => o.Bytes);

    /// <summary>The number of objects (written for the listing; ignored when an index is read).</summary>
    public int ObjectCount => Objects.Count;

    [JsonIgnore]
    public BackupSummary Summary => new(Id, CreatedAt, Objects.Count, Bytes);

    /// <summary>The object holding the encrypted manifest of the backup.</summary>
    public const string ManifestRole = "manifest";
}

/// <summary>A backup as a listing shows it, without its object list: id, time, number of objects and encrypted bytes.</summary>
public sealed record BackupSummary(string Id, DateTime CreatedAt, int ObjectCount, long Bytes);

/// <summary>An encrypted object of a backup: its name on the target, its size and the SHA-256 of its (encrypted) bytes.</summary>
public sealed record BackupObjectRef(string Name, long Bytes, string Sha256);

/// <summary>
/// Where backups are written and read: a directory (<see cref="DirectoryBackupTarget"/>, e.g. a partner's mounted share)
/// or another OpenIKZ instance in receiver mode over HTTPS. Objects are written once and never overwritten; a backup
/// becomes visible only when its index is committed, after all its objects are stored. Nothing on this interface
/// deletes: retention is the holder's business (the receiver applies it), not the sender's.
/// </summary>
public interface IBackupTarget
{
    /// <summary>The name of the target in the configuration and the audit log.</summary>
    string Name { get; }

    /// <summary>Whether an object of this name is stored (incremental backups skip documents already sent).</summary>
    Task<bool> HasObjectAsync(string name, CancellationToken ct = default);

    /// <summary>Stores an object under a new name; an existing object is never replaced (same bytes again: accepted; other bytes: refused).</summary>
    Task PutObjectAsync(string name, Stream content, CancellationToken ct = default);

    /// <summary>
    /// Stores an object whose bytes <paramref name="write"/> writes (called once, with a stream to write to). A target
    /// that writes files gives the stream of its file itself, so an object is encrypted straight into place; the
    /// default hands the bytes over through a pipe to <see cref="PutObjectAsync(string, Stream, CancellationToken)"/>.
    /// </summary>
    async Task PutObjectAsync(string name, Func<Stream, CancellationToken, Task> write, CancellationToken ct = default)
    {
        var pipe = new System.IO.Pipelines.Pipe(new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
        var writer = Task.Run(async () =>
        {
            try
            {
                await using (var stream = pipe.Writer.AsStream(leaveOpen: true))
                    await write(stream, ct);
                await pipe.Writer.CompleteAsync();
            }
            catch (Exception ex)
            {
                await pipe.Writer.CompleteAsync(ex);
                throw;
            }
        }, ct);
        try
        {
            await PutObjectAsync(name, pipe.Reader.AsStream(leaveOpen: true), ct);
            await pipe.Reader.CompleteAsync();
        }
        catch (Exception failure)
        {
            // The writer's next flush throws this too, so it stops at once instead of encrypting the rest for nobody.
            await pipe.Reader.CompleteAsync(failure);
            try { await writer; }
            catch (Exception own) when (!ReferenceEquals(own, failure))
            {
                throw; // the writer's own error (the encryption's) came first and is the cause
            }
            throw;
        }
        await writer;
    }

    /// <summary>Reads an object, or throws <see cref="BackupException"/> when it is missing.</summary>
    Task<Stream> OpenObjectAsync(string name, CancellationToken ct = default);

    /// <summary>Makes a backup visible: every object it names must be stored; an index of the same id is never replaced.</summary>
    Task CommitAsync(BackupIndex index, CancellationToken ct = default);

    /// <summary>The committed backups, oldest first, without their object lists.</summary>
    Task<IReadOnlyList<BackupSummary>> ListAsync(CancellationToken ct = default);

    /// <summary>One committed backup's whole index, or a <see cref="BackupException"/> when there is none of this id.</summary>
    Task<BackupIndex> GetIndexAsync(string id, CancellationToken ct = default);
}

/// <summary>A backup that cannot be written, read or restored, with a message for the operator (never a stack trace).</summary>
public class BackupException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A commit refused because objects of the backup are not (or no longer) on the target, e.g. removed by a receiver's retention.</summary>
public sealed class MissingBackupObjectsException(string message) : BackupException(message);

public static class BackupNames
{
    /// <summary>Object and backup names: lower-case letters, digits and dashes, 1–100 characters (no path can be formed from one).</summary>
    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= 100 } && name.All(ch => ch is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') && name[0] != '-';

    public static string Require(string? name) =>
        IsValid(name) ? name! : throw new BackupException($"'{name}' is not a valid backup object name (a-z, 0-9 and '-', at most 100 characters).");

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}
