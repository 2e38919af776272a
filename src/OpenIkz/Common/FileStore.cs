namespace OpenIkz.Common;

/// <summary>
/// Files addressed by the lower-case hex SHA-256 of their content. Saving is durable before it returns
/// (a stored hash always names a whole file) and identical content is stored once. Modules keep the
/// metadata and the hash in their own rows; what no row references is swept after a grace period.
/// </summary>
public interface IFileStore
{
    /// <summary>Stores the content and returns its SHA-256.</summary>
    Task<string> SaveAsync(ReadOnlyMemory<byte> content, CancellationToken ct = default);

    /// <summary>The content, or null when no such file is stored.</summary>
    Stream? OpenRead(string sha256);

    bool Exists(string sha256);

    /// <summary>When the file was written (or last stored again), UTC; null when no such file is stored.</summary>
    DateTime? WrittenAt(string sha256);

    /// <summary>Every stored file with the time it was written (UTC).</summary>
    IEnumerable<(string Sha256, DateTime WrittenAt)> List();

    void Delete(string sha256);
}

/// <summary>
/// A module's answer to "which of these stored files do your rows reference?". Every module that keeps a file's hash in
/// its rows registers one (<c>services.AddSingleton&lt;IFileReferences, …&gt;()</c>); the orphan sweep deletes only
/// files that no registered module references. A module that stores files without registering one loses them.
/// </summary>
public interface IFileReferences
{
    /// <summary>The subset of <paramref name="sha256s"/> that the module's rows reference.</summary>
    Task<IReadOnlySet<string>> ReferencedAsync(IReadOnlyCollection<string> sha256s, CancellationToken ct = default);
}

public static class ContentHash
{
    public static string Sha256(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
}
