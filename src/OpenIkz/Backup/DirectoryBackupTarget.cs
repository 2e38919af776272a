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

    public async Task PutObjectAsync(string name, Stream content, CancellationToken ct = default)
    {
        var path = ObjectPath(name);
        var temp = await WriteTempAsync(content, ct);
        try { File.Move(temp.Path, path, overwrite: false); }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp.Path);
            if (Sha256Of(path) != temp.Sha256) throw new BackupException($"The object {name} is already stored on {Name} with other content; it is not replaced.");
        }
    }

    public Task<Stream> OpenObjectAsync(string name, CancellationToken ct = default)
    {
        var path = ObjectPath(name);
        if (!File.Exists(path)) throw new BackupException($"The object {name} is missing on {Name}.");
        return Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan));
    }

    public async Task CommitAsync(BackupIndex index, CancellationToken ct = default)
    {
        foreach (var o in index.Objects)
            if (!File.Exists(ObjectPath(o.Name)) || new FileInfo(ObjectPath(o.Name)).Length != o.Bytes)
                throw new MissingBackupObjectsException($"The backup {index.Id} names the object {o.Name}, which is missing or incomplete on {Name}.");
        var path = IndexPath(index.Id);
        var temp = await WriteTempAsync(new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(index, BackupNames.Json)), ct, flush: true);
        Durability.FlushFileSystem(temp.Path); // every object of the index, and their moves into place, are on disk before the index counts
        try { File.Move(temp.Path, path, overwrite: false); }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp.Path);
            throw new BackupException($"The backup {index.Id} already exists on {Name}; it is not replaced.");
        }
        Durability.FlushFileSystem(path); // the index's own name
    }

    public async Task<IReadOnlyList<BackupIndex>> ListAsync(CancellationToken ct = default)
    {
        var dir = Path.Combine(_root, BackupsFolder);
        if (!System.IO.Directory.Exists(dir)) return [];
        var list = new List<BackupIndex>();
        foreach (var file in System.IO.Directory.EnumerateFiles(dir, "*.json"))
        {
            try
            {
                await using var s = File.OpenRead(file);
                if (await JsonSerializer.DeserializeAsync<BackupIndex>(s, BackupNames.Json, ct) is { } index && BackupNames.IsValid(index.Id)
                    && Path.GetFileNameWithoutExtension(file) == index.Id)
                    list.Add(index);
            }
            catch (JsonException)
            {
                // An unreadable index is no backup; the drill reports the newest readable one.
            }
        }
        return list.OrderBy(i => i.CreatedAt).ThenBy(i => i.Id, StringComparer.Ordinal).ToList();
    }

    private async Task<(string Path, string Sha256)> WriteTempAsync(Stream content, CancellationToken ct, bool flush = false)
    {
        var tmpDir = Path.Combine(_root, TempFolder);
        System.IO.Directory.CreateDirectory(tmpDir);
        System.IO.Directory.CreateDirectory(Path.Combine(_root, ObjectsFolder));
        System.IO.Directory.CreateDirectory(Path.Combine(_root, BackupsFolder));
        var temp = Path.Combine(tmpDir, Guid.NewGuid().ToString("N"));
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            await using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await content.ReadAsync(buffer, ct)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), ct);
            }
            await file.FlushAsync(ct);
            if (flush || Durability.FlushEachFile) file.Flush(flushToDisk: true); // objects: flushed together before the index (Linux)
        }
        catch
        {
            // A broken or cut-off upload (a body over the limit, a lost connection) leaves no partial file behind.
            File.Delete(temp);
            throw;
        }
        return (temp, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    internal static string Sha256Of(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }
}
