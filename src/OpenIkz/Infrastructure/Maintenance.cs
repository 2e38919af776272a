using OpenIkz.Agreements;
using OpenIkz.Backoffice.Work;

namespace OpenIkz.Infrastructure;

/// <summary>
/// Periodic work, every five minutes and once at start: absences that began return their clerks' cases to
/// the pool, and approved agreements whose start date has come are marked active (access itself already
/// follows the dates; this keeps the stored status in step).
/// </summary>
public sealed class Maintenance(AbsenceSweeper absences, AgreementService agreements, ILogger<Maintenance> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                var returned = await absences.SweepAsync(stoppingToken);
                if (returned > 0) logger.LogInformation("Returned {Count} cases of absent clerks to the pool", returned);
                var activated = await agreements.ActivateDueAsync(stoppingToken);
                if (activated > 0) logger.LogInformation("Activated {Count} agreements whose start date has come", activated);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError("Maintenance run failed: {ExceptionType}", ex.GetType().Name);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
