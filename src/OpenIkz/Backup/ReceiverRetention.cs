using Microsoft.Extensions.Options;
using OpenIkz.Infrastructure.Jobs;

namespace OpenIkz.Backup;

/// <summary>
/// The receiver's retention (daily, receiver mode only), per partner: removes the indexes <see cref="RetentionPlan"/>
/// does not keep, then the objects no kept index names that are older than <see cref="UploadGrace"/> (an upload in
/// progress has objects without an index yet), and uploads cut off before they were moved into place. The sender
/// has no say: it cannot delete, and its retention settings do not exist.
/// </summary>
public sealed class ReceiverRetention(ReceiverStore store, IOptions<BackupOptions> options, TimeProvider clock, ILogger<ReceiverRetention> logger) : IPeriodicJob
{
    public static readonly TimeSpan UploadGrace = TimeSpan.FromHours(24);

    public string Name => "backup-retention";
    public TimeSpan Interval => TimeSpan.FromDays(1);

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var receive = options.Value.Receive;
        if (!receive.Enabled) return 0;
        var removed = 0;
        foreach (var partner in store.Partners())
            removed += await ApplyAsync(partner, receive, ct);
        return removed;
    }

    /// <summary>Applies the retention to one partner's space; returns how many indexes and objects it removed.</summary>
    public async Task<int> ApplyAsync(string partner, BackupReceiveOptions receive, CancellationToken ct = default)
    {
        var target = store.For(partner);
        var now = clock.GetUtcNow().UtcDateTime;
        var removed = 0;
        await store.Gate.WaitAsync(ct);
        try
        {
            var backups = await target.ListAsync(ct);
            var keep = RetentionPlan.Keep(backups, now, receive.Daily, receive.Weekly, receive.Monthly);
            // Every kept index is read whole before anything is removed: a kept one that is damaged would otherwise
            // let an intact older backup of its period go. Then nothing is removed until an operator looked at it.
            var named = new HashSet<string>(StringComparer.Ordinal);
            foreach (var kept in backups.Where(b => keep.Contains(b.Id)))
            {
                BackupIndex index;
                try { index = await target.GetIndexAsync(kept.Id, ct); }
                catch (BackupException e)
                {
                    logger.LogWarning("Backup retention of partner {Partner}: the index {Id} cannot be read ({Message}); nothing removed", partner, kept.Id, e.Message);
                    return removed;
                }
                named.UnionWith(index.Objects.Select(o => o.Name));
            }
            foreach (var index in backups.Where(b => !keep.Contains(b.Id)))
            {
                File.Delete(Path.Combine(target.Root, DirectoryBackupTarget.BackupsFolder, index.Id + ".json"));
                removed++;
            }
            var indexFiles = Files(target, DirectoryBackupTarget.BackupsFolder).Count(f => f.Name.EndsWith(".json", StringComparison.Ordinal));
            if (indexFiles != keep.Count)
            {
                // An index that cannot be read may still name objects: none are removed until an operator looked at it.
                logger.LogWarning("Backup retention of partner {Partner}: {Unreadable} index file(s) cannot be read; no objects removed", partner, indexFiles - keep.Count);
                return removed;
            }
            foreach (var file in Files(target, DirectoryBackupTarget.ObjectsFolder).Where(f => !named.Contains(f.Name) && f.LastWriteTimeUtc < now - UploadGrace)
                         .Concat(Files(target, DirectoryBackupTarget.TempFolder).Where(f => f.LastWriteTimeUtc < now - UploadGrace)))
            {
                file.Delete();
                removed++;
            }
        }
        finally
        {
            store.Gate.Release();
        }
        if (removed > 0) logger.LogInformation("Backup retention of partner {Partner} removed {Removed} indexes and objects", partner, removed);
        return removed;
    }

    private static IEnumerable<FileInfo> Files(DirectoryBackupTarget target, string folder)
    {
        var dir = new DirectoryInfo(Path.Combine(target.Root, folder));
        return dir.Exists ? dir.EnumerateFiles().ToList() : [];
    }
}
