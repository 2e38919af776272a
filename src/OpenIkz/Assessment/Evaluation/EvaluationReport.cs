namespace OpenIkz.Assessment.Evaluation;

/// <summary>A duration distribution: how many cases were measured, and their median and 90th percentile in working days (nearest rank).</summary>
public sealed record DurationFigures(long Cases, int? P50, int? P90);

/// <summary>
/// The figures of one member and one service in the period. Received, lead time, overdue share and backlog are the
/// member's own cases (as responsible municipality); decided, decided for others and processing time are the cases its
/// clerks decided (as processing municipality); returned by absences are the member's clerks' cases that an absence
/// sent back to the pool and that another partner then decided.
/// </summary>
public sealed record PartnerServiceFigures(string Municipality, string MunicipalityName, string Service,
    long Received, long Decided, long DecidedForOthers, DurationFigures ProcessingTime, DurationFigures LeadTime,
    long Overdue, decimal? OverdueSharePercent, long Backlog, long ReturnedByAbsenceDecidedByOthers);

/// <summary>The whole agreement in the period (all members and services).</summary>
public sealed record EvaluationTotals(long Received, long Decided, long DecidedForOthers, DurationFigures ProcessingTime, DurationFigures LeadTime,
    long Overdue, decimal? OverdueSharePercent, long Backlog, long ReturnedByAbsenceDecidedByOthers);

/// <summary>The compensation of a member in the period, by the settlement calculation: paid as owner, received as processor.</summary>
public sealed record PartnerCompensation(string Municipality, string MunicipalityName, decimal Paid, decimal Received, decimal Balance);

/// <summary>
/// A goal with what was measured. <c>Met</c> is null when the KPI cannot be measured (or nothing was measured);
/// <c>Due</c>: its evaluation date lies within the period. A missed goal suggests the termination reason a rollback
/// would be recorded with (gpaNRW categories, seeds/004 1.2.9).
/// </summary>
public sealed record GoalResult(int Position, string Kpi, string KpiLabel, string Unit, string Comparison, string ComparisonSymbol, decimal Target, DateOnly DueDate, string? Note,
    decimal? Actual, bool Measurable, bool? Met, bool Due, string? SuggestedTerminationReason, string? SuggestedTerminationReasonLabel);

public sealed record EvaluationReport(long AgreementId, string Title, DateOnly From, DateOnly To, DateOnly? EvaluationDate,
    IReadOnlyList<PartnerServiceFigures> Partners, EvaluationTotals Total, IReadOnlyList<PartnerCompensation> Compensation, IReadOnlyList<GoalResult> Goals,
    string PercentileMethod, string WorkingDayRule, EvaluationPrediction? Prediction = null);

/// <summary>
/// What the potential analysis the agreement was drafted from (or an earlier version of it) predicted, beside what was
/// measured: per service the pooled cases a year and throughput time, and the saving (not measurable: no cost figures).
/// </summary>
public sealed record EvaluationPrediction(long AssessmentId, string Title, double? SavingPercent, double? SavingEurPerYear, double? PooledFte,
    IReadOnlyList<ServicePrediction> Services);

/// <summary>
/// One service: predicted cases a year and throughput (mean, working days; the analysis's queueing model), against the
/// cases received in the period scaled to 365 days and the measured lead time (receipt to decision) p50 and p90.
/// </summary>
public sealed record ServicePrediction(string Service, double? PredictedCasesPerYear, double? PredictedThroughputWorkingDays, double? PredictedMeanWaitMinutes,
    long MeasuredReceived, decimal? MeasuredReceivedPerYear, int? MeasuredLeadP50, int? MeasuredLeadP90);

/// <summary>Rows the database aggregated (GROUP BY); the aggregator only adds them up.</summary>
/// <summary>Decided cases of an owner: <paramref name="Own"/> = decided by its own clerks.</summary>
public sealed record DecidedRow(string Owner, bool Own, string Service, int Weekday, int Gap, bool Late, long Count);

public sealed record ProcessingRow(string Processor, string Service, int Weekday, int Gap, long Count);

public sealed record IntakeRow(string Owner, string Service, long Received, long Backlog, long BacklogOverdue);

public sealed record AbsenceRow(string Covered, string Service, long Count);

/// <summary>Builds the report from the aggregated rows, without I/O.</summary>
public static class EvaluationAggregator
{
    public const string PercentileMethod = "Nächster Rang (Hyndman & Fan, Definition 1): der Wert an Rang ⌈p·N/100⌉ der geordneten Dauern.";
    public const string WorkingDayRule = "Arbeitstage Montag bis Freitag (ohne Feiertagskalender), gezählt nach dem Tag des Beginns bis einschließlich des Tags der Entscheidung, Datum in Europe/Berlin.";

    public static (IReadOnlyList<PartnerServiceFigures> Partners, EvaluationTotals Total) Aggregate(
        IReadOnlyList<(string Ags, string Name)> members, IReadOnlyList<string> services,
        IEnumerable<DecidedRow> decided, IEnumerable<ProcessingRow> processing, IEnumerable<IntakeRow> intake, IEnumerable<AbsenceRow> absences,
        IEnumerable<OpenIkz.Agreements.Settlement.CaseCount> forOthers)
    {
        var decidedRows = decided.Select(d => d with { Gap = WorkingDays.Between(d.Weekday, d.Gap) }).ToList();
        var processingRows = processing.Select(p => p with { Gap = WorkingDays.Between(p.Weekday, p.Gap) }).ToList();
        var intakeRows = intake.ToList();
        var absenceRows = absences.ToList();
        // Decided for another member: the settlement's own count (owner ≠ processor), summed over case groups.
        var forOthersRows = forOthers.ToList();

        // Looked up per member and service (tens of thousands of histogram rows, up to hundreds of members × services).
        var decidedBy = decidedRows.ToLookup(d => (d.Owner, d.Service));
        var intakeBy = intakeRows.ToLookup(i => (i.Owner, i.Service));
        var forOthersBy = forOthersRows.ToLookup(c => (c.ProcessorAgs, c.Service));
        var processingBy = processingRows.ToLookup(p => (p.Processor, p.Service));
        var absencesBy = absenceRows.ToLookup(a => (a.Covered, a.Service));
        var partners = new List<PartnerServiceFigures>();
        foreach (var (ags, name) in members)
            foreach (var service in services)
                partners.Add(Figures(ags, name, service, decidedBy[(ags, service)].ToList(), forOthersBy[(ags, service)].Sum(c => c.Count),
                    processingBy[(ags, service)], intakeBy[(ags, service)].ToList(), absencesBy[(ags, service)]));
        var memberSet = members.Select(m => m.Ags).ToHashSet();
        var all = Figures("", "", "", decidedRows, forOthersRows.Where(c => memberSet.Contains(c.ProcessorAgs)).Sum(c => c.Count), processingRows.Where(p => memberSet.Contains(p.Processor)), intakeRows,
            absenceRows.Where(a => memberSet.Contains(a.Covered)));
        return (partners, new EvaluationTotals(all.Received, all.Decided, all.DecidedForOthers, all.ProcessingTime, all.LeadTime, all.Overdue, all.OverdueSharePercent, all.Backlog,
            all.ReturnedByAbsenceDecidedByOthers));
    }

    private static PartnerServiceFigures Figures(string ags, string name, string service, IReadOnlyList<DecidedRow> own, long decidedForOthers,
        IEnumerable<ProcessingRow> processing, IReadOnlyList<IntakeRow> intake, IEnumerable<AbsenceRow> absences)
    {
        var lead = Distribution(own.Select(d => (d.Gap, d.Count)));
        var proc = Distribution(processing.Select(p => (p.Gap, p.Count)));
        var decidedOwn = own.Sum(d => d.Count);
        var late = own.Where(d => d.Late).Sum(d => d.Count);
        var backlog = intake.Sum(i => i.Backlog);
        var overdue = late + intake.Sum(i => i.BacklogOverdue);
        var decidedByOwnClerks = own.Where(d => d.Own).Sum(d => d.Count);
        return new PartnerServiceFigures(ags, name, service, intake.Sum(i => i.Received), decidedByOwnClerks + decidedForOthers, decidedForOthers,
            proc, lead, overdue, GoalJudgement.Percent(overdue, decidedOwn + backlog), backlog, absences.Sum(a => a.Count));
    }

    private static DurationFigures Distribution(IEnumerable<(int WorkingDays, long Count)> rows)
    {
        var histogram = rows.GroupBy(r => r.WorkingDays).ToDictionary(g => g.Key, g => g.Sum(r => r.Count));
        return new DurationFigures(histogram.Values.Sum(), Percentiles.NearestRank(histogram, 50), Percentiles.NearestRank(histogram, 90));
    }

    /// <summary>The goals against the totals of the period ending <paramref name="to"/>.</summary>
    public static IReadOnlyList<GoalResult> Judge(IEnumerable<GoalView> goals, EvaluationTotals total, DateOnly to) =>
        goals.Select(g =>
        {
            var kpi = KpiCatalogue.Find(g.Kpi);
            var actual = Actual(g.Kpi, total);
            var met = GoalJudgement.IsMet(g.Comparison, g.Target, actual);
            var reason = met == false ? kpi?.TerminationReason ?? "ziele-nicht-erreicht" : null;
            return new GoalResult(g.Position, g.Kpi, g.KpiLabel, g.Unit, g.Comparison, g.ComparisonSymbol, g.Target, g.DueDate, g.Note, actual, kpi?.Measurable ?? false, met,
                g.DueDate <= to, reason, reason is null ? null : Agreements.TerminationReasons.Label(reason));
        }).ToList();

    public static decimal? Actual(string kpi, EvaluationTotals t) => kpi switch
    {
        KpiCatalogue.ProcessingP50 => t.ProcessingTime.P50,
        KpiCatalogue.ProcessingP90 => t.ProcessingTime.P90,
        KpiCatalogue.LeadP50 => t.LeadTime.P50,
        KpiCatalogue.LeadP90 => t.LeadTime.P90,
        KpiCatalogue.OverdueShare => t.OverdueSharePercent,
        KpiCatalogue.Backlog => t.Backlog,
        _ => null, // the yearly saving needs cost figures OpenIKZ does not hold
    };
}
