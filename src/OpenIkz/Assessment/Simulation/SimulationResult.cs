namespace OpenIkz.Assessment.Simulation;

/// <summary>
/// The figures of one queue (a partner's service alone, a pool, or a partner's cases within a pool). Times are on the
/// working clock: only working hours count (with 8-hour days from 8:00, a case received Friday 15:00 and done Monday
/// 9:00 took 1 + 1 = 2 working hours: nights and weekends do not count). Working days are working hours divided by
/// <see cref="SimulationResult.HoursPerDay"/>.
/// </summary>
/// <param name="Arrived">Cases received in the run.</param>
/// <param name="Completed">Cases completed in the run.</param>
/// <param name="ProcessingP50Hours">Median of receipt → completion of the completed cases, in working hours (nearest rank); null without completions.</param>
/// <param name="ProcessingP90Hours">90th percentile of the same (nearest rank); null without completions.</param>
/// <param name="ProcessingP50Days">The median in working days.</param>
/// <param name="ProcessingP90Days">The 90th percentile in working days.</param>
/// <param name="MeanWaitHours">Mean of receipt → start of work over the cases whose work started, in working hours; null if none started.</param>
/// <param name="WaitShare">Share of the started cases that found no free clerk (waited longer than 0).</param>
/// <param name="BacklogAtEnd">Open cases (waiting or in work) at the end of the last working day.</param>
/// <param name="MeanBacklog">Mean of the open cases at the end of each working day.</param>
/// <param name="OverdueShare">(completed after the due day + open at the end that can no longer meet it, i.e. due on the last day or before) / (completed + those open ones); 0 if both are 0.</param>
/// <param name="CompletedPerYear">Throughput: completed cases per 365 calendar days.</param>
public sealed record QueueFigures(
    long Arrived,
    long Completed,
    double? ProcessingP50Hours,
    double? ProcessingP90Hours,
    double? ProcessingP50Days,
    double? ProcessingP90Days,
    double? MeanWaitHours,
    double WaitShare,
    long BacklogAtEnd,
    double MeanBacklog,
    double OverdueShare,
    double CompletedPerYear);

/// <summary>One partner's service: alone, or its own cases within the pool.</summary>
public sealed record PartnerServiceFigures(string Partner, string Service, double StaffFte, QueueFigures Figures);

/// <summary>A pool: every partner's staff of the service serving every partner's cases of it.</summary>
public sealed record PoolFigures(string Service, double StaffFte, QueueFigures Figures, IReadOnlyList<PartnerServiceFigures> Partners);

/// <summary>The result of <see cref="YearSimulation.Run"/>: each partner's services alone, and each service pooled.</summary>
public sealed record SimulationResult(
    int Seed,
    int Days,
    int WorkingDays,
    double HoursPerDay,
    IReadOnlyList<PartnerServiceFigures> Alone,
    IReadOnlyList<PoolFigures> Pooled);
