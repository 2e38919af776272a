using System.Collections.Concurrent;

namespace OpenIkz.Registry.Statistics;

/// <summary>
/// The register's statistics per scope (all, a state, a Kreis), each kept with the data version it was computed at
/// (table registry_data_version: the triggers of migration 0009 count it up on every write to the entries, their
/// partners and factors, the agreements, their members and the directory, in the writing transaction). A request reads
/// the current version (one row) and gets the kept result only if it was computed at exactly that version and in the
/// same database (epoch); otherwise the statistics are computed anew, once for all requests that ask at the same time.
/// So a result is never older than the last committed write, on one instance or several. One entry per scope: at most
/// 1 + 16 + the number of Kreise.
/// </summary>
public sealed class RegistryStatisticsCache
{
    private sealed record Entry(string Epoch, long Version, Lazy<Task<RegistryStatistics>> Result);

    private readonly ConcurrentDictionary<(string? State, string? District), Entry> entries = new();

    /// <summary>How many results were computed (not taken from the cache); the tests read it.</summary>
    public long Computations => Interlocked.Read(ref computations);
    private long computations;

    internal async Task<RegistryStatistics> GetAsync(StatisticsScope scope, string epoch, long version, Func<Task<RegistryStatistics>> compute)
    {
        var key = (scope.State, scope.District);
        var fresh = new Entry(epoch, version, new Lazy<Task<RegistryStatistics>>(() =>
        {
            Interlocked.Increment(ref computations);
            return compute();
        }));
        var entry = entries.AddOrUpdate(key, fresh, (_, old) => old.Epoch == epoch && old.Version == version && !Failed(old) ? old : fresh);
        try
        {
            return await entry.Result.Value;
        }
        catch
        {
            entries.TryRemove(new KeyValuePair<(string?, string?), Entry>(key, entry));
            throw;
        }
    }

    private static bool Failed(Entry e) => e.Result.IsValueCreated && (e.Result.Value.IsFaulted || e.Result.Value.IsCanceled);
}
