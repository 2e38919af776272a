namespace OpenIkz.Infrastructure.Jobs;

/// <summary>Work a module wants done regularly (and once at start). Registered with <see cref="PeriodicJobRegistration.AddPeriodicJob{TJob}"/>.</summary>
public interface IPeriodicJob
{
    /// <summary>A short English name for the log.</summary>
    string Name { get; }

    TimeSpan Interval { get; }

    /// <summary>Does one round of the work and returns how many items it handled (for the log).</summary>
    Task<int> RunAsync(CancellationToken ct);
}

public static class PeriodicJobRegistration
{
    public static IServiceCollection AddPeriodicJob<TJob>(this IServiceCollection services) where TJob : class, IPeriodicJob
    {
        services.AddSingleton<TJob>();
        services.AddSingleton<IPeriodicJob>(sp => sp.GetRequiredService<TJob>());
        return services;
    }
}

/// <summary>
/// Runs every registered job once at start and then at its interval, each in its own loop. Each round takes the job's
/// lock first (<see cref="IJobLock"/>: on PostgreSQL an advisory lock, so that of several instances on one database
/// only one does a round at a time); a round whose lock is held elsewhere is skipped. A failing round is logged with
/// its exception type only (messages may quote personal data) and the job runs again at its next tick.
/// </summary>
public sealed class PeriodicJobRunner(IEnumerable<IPeriodicJob> jobs, IJobLock locks, ILogger<PeriodicJobRunner> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(jobs.Select(job => RunLoopAsync(job, stoppingToken)));

    private async Task RunLoopAsync(IPeriodicJob job, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(job.Interval);
        try
        {
            do
            {
                await RunRoundAsync(job, stoppingToken);
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round under the job's lock; returns whether it ran (false: the lock is held elsewhere, or it failed).</summary>
    public async Task<bool> RunRoundAsync(IPeriodicJob job, CancellationToken stoppingToken)
    {
        try
        {
            await using var held = await locks.TryAcquireAsync(job.Name, stoppingToken);
            if (held is null)
            {
                logger.LogDebug("Job {Job} skipped: another instance is running it", job.Name);
                return false;
            }
            using var round = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, held.Lost);
            try
            {
                var handled = await job.RunAsync(round.Token);
                if (handled > 0) logger.LogInformation("Job {Job} handled {Count} items", job.Name, handled);
                return true;
            }
            catch (OperationCanceledException) when (held.Lost.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
            {
                // Another instance may have taken the job over: this round stops rather than run beside it.
                logger.LogWarning("Job {Job} stopped: its lock was lost (the database connection broke)", job.Name);
                return false;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // A job's own time-out (a cancelled HTTP call) is a failed round, not the end of its loop.
            logger.LogError("Job {Job} failed: {ExceptionType}", job.Name, ex.GetType().Name);
            return false;
        }
    }
}
