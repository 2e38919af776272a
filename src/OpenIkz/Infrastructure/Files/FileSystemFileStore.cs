using Microsoft.Extensions.Options;
using OpenIkz.Common;

namespace OpenIkz.Infrastructure.Files;

/// <summary>
/// The file store on disk: files addressed by their SHA-256 in DATA/documents/ab/cd/abcd…, or below
/// <c>OpenIkz:DocumentsDirectory</c> (a folder several instances share) (also in
/// PostgreSQL mode: the database holds the metadata and the hash). A file is written to a temporary name, flushed
/// to disk and renamed, so a stored hash always names a whole file; identical content is stored once.
/// Files are written before the transaction that references them commits, so an acknowledged case
/// never points to a missing file (a crash in between leaves at most an unreferenced file).
/// </summary>
public sealed class FileSystemFileStore(IOptions<OpenIkzOptions> options) : IFileStore
{
    private readonly string _root = options.Value.ResolvedDocumentsDirectory;

    public string PathOf(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower)) throw new ArgumentException("Not a SHA-256 hex string.", nameof(sha256));
        return Path.Combine(_root, sha256[..2], sha256[2..4], sha256);
    }

    public async Task<string> SaveAsync(ReadOnlyMemory<byte> content, CancellationToken ct = default)
    {
        var hash = ContentHash.Sha256(content.Span);
        var path = PathOf(hash);
        if (File.Exists(path) && new FileInfo(path).Length == content.Length)
        {
            // Stored again: the file counts as fresh, so the orphan sweep's grace period protects it until the new row commits.
            try
            {
                File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
                return hash;
            }
            catch (FileNotFoundException)
            {
                // swept in between: write it anew
            }
        }
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous)) // unbuffered: the content goes to the file in one write
        {
            await stream.WriteAsync(content, ct);
            await stream.FlushAsync(ct);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        return hash;
    }

    public Stream? OpenRead(string sha256)
    {
        var path = PathOf(sha256);
        return File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan) : null;
    }

    public bool Exists(string sha256) => File.Exists(PathOf(sha256));

    public DateTime? WrittenAt(string sha256)
    {
        var path = PathOf(sha256);
        return File.Exists(path) ? File.GetLastWriteTimeUtc(path) : null;
    }

    public IEnumerable<(string Sha256, DateTime WrittenAt)> List()
    {
        if (!System.IO.Directory.Exists(_root)) yield break;
        foreach (var path in System.IO.Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(path);
            if (name.Length == 64 && name.All(char.IsAsciiHexDigitLower)) yield return (name, File.GetLastWriteTimeUtc(path));
        }
    }

    public void Delete(string sha256)
    {
        var path = PathOf(sha256);
        if (File.Exists(path)) File.Delete(path);
    }
}
