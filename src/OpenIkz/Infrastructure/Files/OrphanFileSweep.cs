using Microsoft.Extensions.Options;
using OpenIkz.Common;
using OpenIkz.Infrastructure.Jobs;

namespace OpenIkz.Infrastructure.Files;

/// <summary>
/// Deletes stored files that no module's rows reference and that are older than OpenIkz:OrphanFileGracePeriod
/// (default one hour), every hour and at start. Such files are left by a crash (or a refusal in a race) between
/// writing a file and committing the row that references it. The grace period protects uploads in flight: their
/// file is written, the row not yet committed; storing identical content again renews a file's time. The sweep
/// knows no module: each one answers through its <see cref="IFileReferences"/>, and with none registered it deletes nothing.
/// </summary>
public sealed class OrphanFileSweep(IFileStore store, IEnumerable<IFileReferences> references, IOptions<OpenIkzOptions> options, TimeProvider clock,
    ILogger<OrphanFileSweep> logger) : IPeriodicJob
{
    private const int Batch = 500;

    public string Name => "orphan-file-sweep";

    public TimeSpan Interval => TimeSpan.FromHours(1);

    public Task<int> RunAsync(CancellationToken ct) => SweepAsync(ct);

    public async Task<int> SweepAsync(CancellationToken ct = default)
    {
        var modules = references.ToList();
        if (modules.Count == 0) return 0; // nobody could say what is referenced: deleting would lose files
        var grace = options.Value.OrphanFileGracePeriod;
        DateTime Cutoff() => clock.GetUtcNow().UtcDateTime - grace;
        var old = store.List().Where(f => f.WrittenAt < Cutoff()).Select(f => f.Sha256).ToList();
        var deleted = 0;
        foreach (var chunk in old.Chunk(Batch))
        {
            var referenced = new HashSet<string>(StringComparer.Ordinal);
            foreach (var module in modules) referenced.UnionWith(await module.ReferencedAsync(chunk, ct));
            foreach (var sha in chunk.Where(s => !referenced.Contains(s)))
            {
                // Checked again right before deleting: an upload may have stored the same content meanwhile.
                if (store.WrittenAt(sha) is not { } writtenAt || writtenAt >= Cutoff()) continue;
                store.Delete(sha);
                deleted++;
            }
        }
        if (deleted > 0) logger.LogInformation("Orphan sweep deleted {Count} unreferenced files older than {Grace}", deleted, grace);
        return deleted;
    }
}
