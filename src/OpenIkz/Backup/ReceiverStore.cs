using Microsoft.Extensions.Options;
using OpenIkz.Infrastructure;

namespace OpenIkz.Backup;

/// <summary>
/// Where a receiver keeps its partners' backups: <c>Receive:Directory</c> (default DATA/backup-received) holds one
/// <see cref="DirectoryBackupTarget"/> per partner, <c>&lt;dir&gt;/&lt;partner&gt;/objects/…</c> and
/// <c>&lt;dir&gt;/&lt;partner&gt;/backups/&lt;id&gt;.json</c>. Partners only append (through <see cref="ReceiverApi"/>);
/// only the receiver's retention (<see cref="ReceiverRetention"/>) removes anything.
/// </summary>
public sealed class ReceiverStore(IOptions<BackupOptions> options, IOptions<OpenIkzOptions> app)
{
    public const string DefaultDirectory = "backup-received";

    public string Root => BackupTargets.ResolveDirectory(options.Value.Receive.Directory ?? DefaultDirectory, app.Value);

    /// <summary>A commit checks its objects and writes its index under this gate, and retention removes objects under it:
    /// an object cannot vanish between the commit's check and its index.</summary>
    internal SemaphoreSlim Gate { get; } = new(1, 1);

    public DirectoryBackupTarget For(string partner) => new(partner, Path.Combine(Root, BackupNames.Require(partner)));

    /// <summary>The partners that have stored something (a folder of a valid name).</summary>
    public IReadOnlyList<string> Partners() => !System.IO.Directory.Exists(Root) ? []
        : System.IO.Directory.EnumerateDirectories(Root).Select(Path.GetFileName).Where(BackupNames.IsValid).Select(n => n!).Order(StringComparer.Ordinal).ToList();
}
