using System.Security.Cryptography;

namespace OpenIkz.Backup;

/// <summary>
/// What a backup holds, encrypted like everything else in it: the database snapshot, every table's row count and the
/// audit log's head at the snapshot, and every document with its SHA-256. A restore is complete only when all of it is
/// found again.
/// </summary>
public sealed record BackupManifest(
    int Format, string Id, DateTime CreatedAt, string Database, int SchemaVersion, string Snapshot,
    BackupManifestFile DatabaseFile, IReadOnlyDictionary<string, long> Tables, long AuditSeq, string AuditHash,
    IReadOnlyList<BackupManifestDocument> Documents, IReadOnlyList<string> RecipientKeyIds, IReadOnlyList<BackupManifestKeyFile>? KeyFiles = null)
{
    public const int CurrentFormat = 1;
}

/// <summary>An encrypted object with its plain size and SHA-256 and its encrypted size and SHA-256.</summary>
public sealed record BackupManifestFile(string Object, long Bytes, string Sha256, long EncryptedBytes, string EncryptedSha256);

/// <summary>A data-protection key file (DATA/keys): second-factor secrets and sign-in tickets are sealed with these keys.</summary>
public sealed record BackupManifestKeyFile(string FileName, BackupManifestFile File);

public sealed record BackupManifestDocument(string Sha256, long Bytes, string Object, long EncryptedBytes, string EncryptedSha256);

/// <summary>A write-through stream that counts and hashes what passes (the SHA-256 of a plain or encrypted object on its way).</summary>
internal sealed class HashingStream(Stream inner, bool leaveOpen = false) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    public long Count { get; private set; }
    public string Sha256 => Convert.ToHexStringLower(_hash.GetCurrentHash());

    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => Count; set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        _hash.AppendData(buffer[..read]);
        Count += read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        var read = await inner.ReadAsync(buffer, ct);
        _hash.AppendData(buffer.Span[..read]);
        Count += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hash.AppendData(buffer);
        Count += buffer.Length;
        inner.Write(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        _hash.AppendData(buffer.Span);
        Count += buffer.Length;
        await inner.WriteAsync(buffer, ct);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            if (!leaveOpen) inner.Dispose();
        }
        base.Dispose(disposing);
    }
}

internal static class BackupStreams
{
    /// <summary>
    /// Encrypts <paramref name="plain"/> for the recipients straight into a new object on the target (no temporary
    /// copy; a directory target is written in place). Returns the plain and encrypted sizes and hashes.
    /// </summary>
    public static async Task<BackupManifestFile> EncryptToAsync(IBackupTarget target, string name, Stream plain, BackupCrypto.RecipientSession recipients, CancellationToken ct)
    {
        using var plainHash = new HashingStream(plain, leaveOpen: true);
        long encryptedBytes = 0;
        string? encryptedSha256 = null;
        await target.PutObjectAsync(name, async (output, token) =>
        {
            using var encrypted = new HashingStream(output, leaveOpen: true);
            await BackupCrypto.EncryptAsync(plainHash, encrypted, recipients, token);
            (encryptedBytes, encryptedSha256) = (encrypted.Count, encrypted.Sha256);
        }, ct);
        return new BackupManifestFile(name, plainHash.Count, plainHash.Sha256, encryptedBytes, encryptedSha256!);
    }

    public static string NewObjectName() => RandomNumberGenerator.GetHexString(32, lowercase: true);
}
