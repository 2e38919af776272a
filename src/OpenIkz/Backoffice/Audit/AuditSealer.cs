using OpenIkz.Infrastructure.Database;
using OpenIkz.Infrastructure.Jobs;

namespace OpenIkz.Backoffice.Audit;

/// <summary>How often the sealer chains the appended audit entries (<c>OpenIkz:Audit</c>).</summary>
public sealed class AuditOptions
{
    public const string Section = "OpenIkz:Audit";

    /// <summary>The pause between two sealing rounds; an entry waits about this long for its seal. Default 1 s.</summary>
    public int SealIntervalMilliseconds { get; set; } = 1000;
}

/// <summary>
/// Chains the appended audit entries (<see cref="AuditLog.SealAsync"/>) on one instance at a time. It holds the job lock
/// <c>audit-seal</c> (PostgreSQL: an advisory lock on a connection of its own, see <see cref="PostgresJobLock"/>) for as
/// long as it runs, and seals every <see cref="AuditOptions.SealIntervalMilliseconds"/>; the other instances try for the
/// lock every few seconds and take over when the holder is gone. It starts once the host has started (after the
/// migrations). A failing round is logged with its exception type only and tried again.
/// </summary>
public sealed class AuditSealer(Db db, IJobLock locks, AuditOptions options, IHostApplicationLifetime lifetime, ILogger<AuditSealer> logger) : BackgroundService
{
    public const string JobName = "audit-seal";

    /// <summary>How long an instance without the lock waits before it tries again.</summary>
    public static readonly TimeSpan TakeOverInterval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WhenStartedAsync(stoppingToken);
            var interval = TimeSpan.FromMilliseconds(Math.Max(10, options.SealIntervalMilliseconds));
            while (!stoppingToken.IsCancellationRequested)
            {
                IJobLease? lease = null;
                try
                {
                    lease = await locks.TryAcquireAsync(JobName, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError("Audit sealer could not take its lock: {ExceptionType}", ex.GetType().Name);
                }
                if (lease is null)
                {
                    await Task.Delay(TakeOverInterval, stoppingToken);
                    continue;
                }
                await using (lease)
                {
                    using var held = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lease.Lost);
                    await SealWhileHeldAsync(interval, held.Token);
                    if (lease.Lost.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
                        logger.LogWarning("Audit sealer stopped sealing: its lock was lost (the database connection broke)");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SealWhileHeldAsync(TimeSpan interval, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var n = await AuditLog.SealAllAsync(db, ct);
                if (n > 0) logger.LogDebug("Audit sealer chained {Count} entries", n);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError("Audit sealing round failed: {ExceptionType}", ex.GetType().Name);
            }
            try
            {
                await Task.Delay(interval, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WhenStartedAsync(CancellationToken ct)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult())) await started.Task.WaitAsync(ct);
    }
}
