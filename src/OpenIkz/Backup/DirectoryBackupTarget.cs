using System.Security.Cryptography;
using System.Text.Json;

namespace OpenIkz.Backup;

/// <summary>
/// A backup target in a directory, e.g. a partner's share mounted on the primary: <c>objects/NAME</c> and
/// <c>backups/ID.json</c> (the index). Written to a temporary name and moved into place without replacing anything;
/// before an index is written the file system is flushed (<see cref="Durability"/>), so an index never names an object
/// that a power cut could still take away. The primary can write here, so it could also delete here: a holder that must survive an
/// attacker on the primary uses a receiver instance (<c>OpenIkz:Backup:Receive</c>), which only appends.
/// </summary>
public sealed class DirectoryBackupTarget : IBackupTarget
{
    private readonly string _root;

    public DirectoryBackupTarget(string name, string directory)
    {
        Name = name;
        _root = Path.GetFullPath(directory);
    }

    /// <summary>The folders below the root: the objects, the committed indexes, and the uploads not yet moved into place.</summary>
    internal const string ObjectsFolder = "objects", BackupsFolder = "backups", TempFolder = "tmp";

    public string Name { get; }
    public string Root => _root;

    private string ObjectPath(string name) => Path.Combine(_root, ObjectsFolder, BackupNames.Require(name));
    private string IndexPath(string id) => Path.Combine(_root, BackupsFolder, BackupNames.Require(id) + ".json");

    public Task<bool> HasObjectAsync(string name, CancellationToken ct = default) => Task.FromResult(File.Exists(ObjectPath(name)));

    /// <summary>The size of a stored object (the receiver checks an index's sizes before committing it).</summary>
    internal long ObjectLength(string name) => new FileInfo(ObjectPath(name)).Length;

    public Task PutObjectAsync(string name, Stream content, CancellationToken ct = default) =>
        PutObjectAsync(name, (file, token) => content.CopyToAsync(file, 1 << 16, token), ct);

    /// <summary>Writes the object into a temporary file of the target and moves it into place (never over an existing one).</summary>
    public async Task PutObjectAsync(string name, Func<Stream, CancellationToken, Task> write, CancellationToken ct = default)
    {
        var path = ObjectPath(name);
        var temp = await WriteTempAsync(write, ct);
        var moved = false;
        try
        {
            try
            {
                File.Move(temp, path, overwrite: false);
                moved = true;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Names are random, so this is the same object sent again: accepted if the bytes are the same.
                if (Sha256Of(path) != Sha256Of(temp)) throw new BackupException($"The object {name} is already stored on {Name} with other content; it is not replaced.");
            }
        }
        finally
        {
            if (!moved) File.Delete(temp); // nothing of a refused or failed object stays in tmp/
        }
    }

    public Task<Stream> OpenObjectAsync(string name, CancellationToken ct = default)
    {
        var path = ObjectPath(name);
        if (!File.Exists(path)) throw new BackupException($"The object {name} is missing on {Name}.");
        // Unbuffered: every reader (decryption, the receiver's download) reads whole chunks of 64 KiB.
        return Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan));
    }

    public async Task CommitAsync(BackupIndex index, CancellationToken ct = default)
    {
        foreach (var o in index.Objects)
            if (!File.Exists(ObjectPath(o.Name)) || new FileInfo(ObjectPath(o.Name)).Length != o.Bytes)
                throw new MissingBackupObjectsException($"The backup {index.Id} names the object {o.Name}, which is missing or incomplete on {Name}.");
        var path = IndexPath(index.Id);
        var json = JsonSerializer.SerializeToUtf8Bytes(index, BackupNames.Json);
        var temp = await WriteTempAsync((file, token) => file.WriteAsync(json, token).AsTask(), ct, flush: true);
        var moved = false;
        try
        {
            Durability.FlushFileSystem(temp); // every object of the index, and their moves into place, are on disk before the index counts
            try
            {
                File.Move(temp, path, overwrite: false);
                moved = true;
            }
            catch (IOException) when (File.Exists(path))
            {
                throw new BackupException($"The backup {index.Id} already exists on {Name}; it is not replaced.");
            }
        }
        finally
        {
            if (!moved) File.Delete(temp);
        }
        Durability.FlushFileSystem(path); // the index's own name
    }

    public async Task<IReadOnlyList<BackupSummary>> ListAsync(CancellationToken ct = default)
    {
        var dir = Path.Combine(_root, BackupsFolder);
        if (!System.IO.Directory.Exists(dir)) return [];
        var list = new List<BackupSummary>();
        foreach (var file in System.IO.Directory.EnumerateFiles(dir, "*.json"))
        {
            // An index that cannot be read (or is cut off) is no backup. One damaged inside its object list is listed
            // from its beginning and refused when read whole: the restore then takes the newest readable one, the
            // retention removes nothing, and the drill of it fails and is shown.
            BackupSummary? summary;
            try { summary = ReadSummary(file) ?? (await ReadIndexAsync(file, ct))?.Summary; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; } // removed meanwhile (the retention)
            if (summary is not null && BackupNames.IsValid(summary.Id) && Path.GetFileNameWithoutExtension(file) == summary.Id) list.Add(summary);
        }
        return list.OrderBy(i => i.CreatedAt).ThenBy(i => i.Id, StringComparer.Ordinal).ToList();
    }

    internal bool HasIndex(string id) => File.Exists(IndexPath(id));

    public async Task<BackupIndex> GetIndexAsync(string id, CancellationToken ct = default)
    {
        var path = IndexPath(id);
        if (!File.Exists(path)) throw new BackupException($"There is no backup {id} on {Name}.");
        return await ReadIndexAsync(path, ct) is { } index && index.Id == id
            ? index
            : throw new BackupException($"The index of backup {id} on {Name} cannot be read (damaged or cut off).");
    }

    private static async Task<BackupIndex?> ReadIndexAsync(string path, CancellationToken ct)
    {
        try
        {
            await using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            return await JsonSerializer.DeserializeAsync<BackupIndex>(s, BackupNames.Json, ct) is { Id: not null, Objects: not null } index ? index : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The summary from the beginning of an index file (id, time, bytes and object count come before the object list),
    /// or null when the beginning does not hold all four (an index written before they were added): then it is read whole.
    /// </summary>
    internal static BackupSummary? ReadSummary(string path)
    {
        var buffer = new byte[4096];
        int length;
        using (var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
        {
            length = s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            // A cut-off index (its end missing) is read whole, and so refused: its last byte other than white space is '}'.
            if (s.Length > buffer.Length)
            {
                var tail = new byte[64];
                s.Seek(-tail.Length, SeekOrigin.End);
                var read = s.ReadAtLeast(tail, tail.Length, throwOnEndOfStream: false);
                if (tail.AsSpan(0, read).TrimEnd(" \t\r\n"u8) is not [.., (byte)'}']) return null;
            }
        }
        var reader = new Utf8JsonReader(buffer.AsSpan(0, length), isFinalBlock: length < buffer.Length, default);
        string? id = null;
        DateTime? createdAt = null;
        int? count = null;
        long? bytes = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = reader.GetString();
                if (property == "objects") break;
                if (!reader.Read()) return null;
                switch (property)
                {
                    case "id": id = reader.GetString(); break;
                    case "createdAt": createdAt = reader.GetDateTime(); break;
                    case "objectCount": count = reader.GetInt32(); break;
                    case "bytes": bytes = reader.GetInt64(); break;
                    default: if (!reader.TrySkip()) return null; break;
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
        return id is not null && createdAt is { } at && count is { } n && bytes is { } b ? new BackupSummary(id, at, n, b) : null;
    }

    private async Task<string> WriteTempAsync(Func<Stream, CancellationToken, Task> write, CancellationToken ct, bool flush = false)
    {
        var tmpDir = Path.Combine(_root, TempFolder);
        System.IO.Directory.CreateDirectory(tmpDir);
        System.IO.Directory.CreateDirectory(Path.Combine(_root, ObjectsFolder));
        System.IO.Directory.CreateDirectory(Path.Combine(_root, BackupsFolder));
        var temp = Path.Combine(tmpDir, Guid.NewGuid().ToString("N"));
        try
        {
            // Unbuffered: the encryption writes whole chunks of 64 KiB, a copy writes its buffer.
            await using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            await write(file, ct);
            if (flush || Durability.FlushEachFile) file.Flush(flushToDisk: true); // objects: flushed together before the index (Linux)
        }
        catch
        {
            // A broken or cut-off upload (a body over the limit, a lost connection) leaves no partial file behind.
            File.Delete(temp);
            throw;
        }
        return temp;
    }

    internal static string Sha256Of(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }
}
