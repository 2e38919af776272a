using System.Globalization;
using OpenIkz.Agreements;
using OpenIkz.Assessment.Potential;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Assessment.Assessments;

/// <summary>
/// The figures of one case group ('' = cases without a case group) of one municipality and service from the back office's
/// last 12 months: cases received, and the mean minutes from the last claim to the decision over the measured cases.
/// </summary>
public sealed record BackofficeCaseGroupFigures(string CaseGroup, int Received, double CasesPerYear, int Measured, double? MeanMinutesPerCase);

/// <summary>
/// The back-office figures of a municipality and service for a potential analysis. <c>From</c>–<c>To</c>: the window
/// (the last 365 days); <c>CoveredDays</c>: the days of the window the back office holds cases for (from the first case of
/// this municipality and service ever received, at most 365) — the case counts are scaled from these days to a year.
/// </summary>
public sealed record BackofficeFigures(
    string Ags, string Service, DateTime From, DateTime To, double CoveredDays, IReadOnlyList<BackofficeCaseGroupFigures> CaseGroups)
{
    /// <summary>The whole service: cases summed, minutes the mean over all measured cases.</summary>
    public BackofficeCaseGroupFigures Total
    {
        get
        {
            var measured = CaseGroups.Sum(g => g.Measured);
            var minutes = measured == 0 ? (double?)null : CaseGroups.Where(g => g.Measured > 0).Sum(g => g.MeanMinutesPerCase!.Value * g.Measured) / measured;
            return new BackofficeCaseGroupFigures("", CaseGroups.Sum(g => g.Received), CaseGroups.Sum(g => g.CasesPerYear), measured, minutes);
        }
    }

    /// <summary>The figures of a case group of the form: '' is the whole service; a group without cases has zero cases and no minutes.</summary>
    public BackofficeCaseGroupFigures For(string caseGroup) => caseGroup.Length == 0
        ? Total
        : CaseGroups.FirstOrDefault(g => g.CaseGroup == caseGroup) ?? new BackofficeCaseGroupFigures(caseGroup, 0, 0, 0, null);

    /// <summary>Where the figures come from, in German, for the assessment's list of sources.</summary>
    public string Describe(string municipalityName, string serviceName, string caseGroup)
    {
        var g = CultureInfo.GetCultureInfo("de-DE");
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        string Day(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(utc, berlin).ToString("dd.MM.yyyy", g);
        var f = For(caseGroup);
        var scaled = CoveredDays < BackofficeFigureQuery.WindowDays - 0.5
            ? string.Create(g, $", hochgerechnet von {CoveredDays:N0} Tagen mit Daten auf ein Jahr")
            : "";
        var minutes = f.MeanMinutesPerCase is { } m
            ? string.Create(g, $"{m:N1} Minuten je Fall (Mittel von Übernahme bis Bescheid über {f.Measured:N0} entschiedene Vorgänge, je Vorgang höchstens ein Arbeitstag)")
            : "keine gemessene Bearbeitungszeit";
        return string.Create(g, $"{municipalityName}, {serviceName}: Back Office {Day(From)}–{Day(To)}: {f.Received:N0} eingegangene Vorgänge{scaled}, {minutes}.");
    }
}

/// <summary>
/// Reads a municipality's figures for the potential analysis from the back office: the owner's cases of one service of the
/// last 365 days (<see cref="BackofficeFigures"/>). Measure of the minutes per case: the elapsed time from the last claim
/// (<c>assigned_at</c>) to the decision (<c>decided_at</c>) of the cases decided in the window, each capped at one working
/// day (hours per day × 60), averaged. Both dialects compute it in SQL (one GROUP BY over the case groups); no case is read.
/// </summary>
public sealed class BackofficeFigureQuery(Db db, TimeProvider clock)
{
    public const int WindowDays = 365;

    /// <summary>Less data than this is no basis for a year's figure: refused.</summary>
    public const int MinimumCoveredDays = 28;

    /// <summary>
    /// Whether <paramref name="actor"/> may take the figures of <paramref name="ags"/>: its own municipality, or a
    /// municipality it shares an agreement with that is in force today (<see cref="AgreementGrants.InForce"/>: approved,
    /// active, or terminated and not yet ended, between its start and end date) — partners who already see each other's
    /// cases in a pool. An agreement that ended, or has not started, grants nothing. Any service: the figures are
    /// aggregates (counts and a mean, no personal data), and the typical use is to examine pooling a further service with
    /// an existing partner.
    /// </summary>
    public async Task<bool> MayReadAsync(Actor actor, string ags, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.IsUser || !actor.IsCoordinator) return false;
        if (actor.Ags == ags) return true;
        return await db.QuerySingleAsync<int>($"""
            SELECT COUNT(*) FROM agreement_members mine
            JOIN agreement_members other ON other.agreement_id = mine.agreement_id
            JOIN agreements a ON a.id = mine.agreement_id
            WHERE mine.municipality_ags = @Mine AND other.municipality_ags = @Other AND {AgreementGrants.InForce}
            """, new { Mine = actor.Ags, Other = ags, Today = BerlinTime.Today(clock) }, ct) > 0;
    }

    /// <summary>
    /// The figures of the last 365 days before now; null when the back office holds no case of this municipality and service
    /// in the window. <paramref name="hoursPerDay"/>: the working day that caps one case's elapsed time.
    /// </summary>
    public async Task<BackofficeFigures?> LastYearAsync(string ags, string service, double hoursPerDay = PotentialDefaults.HoursPerDay, CancellationToken ct = default)
    {
        var to = clock.GetUtcNow().UtcDateTime;
        var from = to.AddDays(-WindowDays);
        var minutes = db.Kind == DatabaseKind.Postgres
            ? "GREATEST(0, LEAST(CAST(EXTRACT(EPOCH FROM (c.decided_at - c.assigned_at)) AS DOUBLE PRECISION) / 60.0, @Cap))"
            : "MAX(0, MIN((julianday(c.decided_at) - julianday(c.assigned_at)) * 1440.0, @Cap))";
        var measured = "c.status = 'closed' AND c.decided_at >= @From AND c.decided_at < @To AND c.assigned_at IS NOT NULL";
        var rows = (await db.QueryAsync<Row>($"""
            SELECT COALESCE(c.case_group, '') AS CaseGroup,
                   SUM(CASE WHEN c.received_at >= @From THEN 1 ELSE 0 END) AS Received,
                   SUM(CASE WHEN {measured} THEN 1 ELSE 0 END) AS Measured,
                   CAST(SUM(CASE WHEN {measured} THEN {minutes} ELSE 0 END) AS DOUBLE PRECISION) AS MeasuredMinutes,
                   MIN(c.received_at) AS FirstReceived
            FROM cases c
            WHERE c.owner_ags = @Ags AND c.service_slug = @Service AND c.received_at < @To
            GROUP BY COALESCE(c.case_group, '')
            ORDER BY COALESCE(c.case_group, '')
            """, new { Ags = ags, Service = service, From = from, To = to, Cap = hoursPerDay * 60 }, ct)).ToList();
        if (rows.Sum(r => r.Received) == 0 && rows.Sum(r => r.Measured) == 0) return null;
        var first = rows.Min(r => r.FirstReceived);
        var covered = Math.Min(WindowDays, Math.Max(0, (to - (first > from ? first : from)).TotalDays));
        var scale = covered > 0 ? WindowDays / covered : 0;
        return new BackofficeFigures(ags, service, from, to, covered, rows.Select(r => new BackofficeCaseGroupFigures(
            r.CaseGroup, (int)r.Received, r.Received * scale, (int)r.Measured, r.Measured == 0 ? null : r.MeasuredMinutes / r.Measured)).ToList());
    }

    private sealed class Row
    {
        public string CaseGroup { get; set; } = "";
        public long Received { get; set; }
        public long Measured { get; set; }
        public double MeasuredMinutes { get; set; }
        public DateTime FirstReceived { get; set; }
    }
}
