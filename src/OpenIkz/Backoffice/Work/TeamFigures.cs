using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Cases;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backoffice.Work;

/// <summary>The cases of one service and owner decided in the last <see cref="TeamFigures.Weeks"/> weeks.</summary>
/// <param name="PerWeek">Decisions per calendar week (Monday to Sunday, Europe/Berlin), oldest week first; the last is the current week.</param>
/// <param name="ProcessingP50">Bearbeitungszeit (last claim to decision) in working days, median; null without a decided case.</param>
/// <param name="LeadP50">Durchlaufzeit (receipt to decision) in working days, median.</param>
public sealed record DecidedFigures(string Service, string OwnerAgs, string OwnerName, IReadOnlyList<int> PerWeek,
    int? ProcessingP50, int? ProcessingP90, int? LeadP50, int? LeadP90)
{
    public int Total => PerWeek.Sum();
}

/// <summary>One clerk's open cases among those the team lead sees, and whether the clerk is absent today.</summary>
public sealed record ClerkWorkload(long UserId, string DisplayName, string MunicipalityAgs, string MunicipalityName,
    int Assigned, int Waiting, int Overdue, DateOnly? NextDue, DateOnly? AbsentUntil)
{
    public int Open => Assigned + Waiting;
}

/// <summary>What the team lead's start page shows: the pool, the decisions of the last weeks, the clerks' workload and the absences.</summary>
public sealed record TeamFigureSet(DateOnly Today, IReadOnlyList<DateOnly> WeekStarts, IReadOnlyList<PoolRow> Pool,
    IReadOnlyList<DecidedFigures> Decided, IReadOnlyList<ClerkWorkload> Clerks, IReadOnlyList<AbsenceEntry> Absences);

/// <summary>
/// The team lead's figures, in three queries scoped like every case query (<see cref="CaseAccess"/>): the lead sees the
/// cases a clerk of the lead's municipality with the lead's services could see.
///
/// Durations follow the evaluation (<see cref="WorkingDays"/>, <see cref="Percentiles"/>): Bearbeitungszeit from the last
/// claim to the decision, Durchlaufzeit from receipt to the decision, in working days, nearest-rank percentiles. The
/// decisions are read from the covering index <c>ix_cases_closed</c> (migration 0014) by decision time: the Berlin day
/// numbers of receipt, claim and decision are stored in it, so nothing is converted per row. On SQLite the scope columns
/// carry the unary <c>+</c> so the planner keeps to that range instead of reading every closed case of the owners, and the
/// scope is one uncorrelated IN list (built once), not an EXISTS run per row.
/// </summary>
public sealed class TeamFigures(Db db, CaseQueries queries, PoolOverview pool, Absences absences, TimeProvider clock)
{
    public const int Weeks = 12;

    private static readonly int UnixEpochDayNumber = new DateOnly(1970, 1, 1).DayNumber;

    public async Task<TeamFigureSet> HandleAsync(Actor teamLead, CancellationToken ct = default)
    {
        if (!teamLead.IsTeamLead || !teamLead.IsUser) throw new RuleException("TeamLeadOnly", "Nur die Teamleitung sieht die Kennzahlen des Teams.");
        var today = BerlinTime.Today(clock);
        var firstMonday = today.AddDays(-WorkingDays.MondayIndex(today) - 7 * (Weeks - 1));
        var weekStarts = Enumerable.Range(0, Weeks).Select(w => firstMonday.AddDays(7 * w)).ToList();

        var poolRows = await pool.HandleAsync(teamLead, ct);
        var decided = await DecidedAsync(teamLead, firstMonday, ct);
        var absent = await absences.ListAsync(teamLead, ct);
        var clerks = await WorkloadAsync(teamLead, today, absent, ct);
        return new TeamFigureSet(today, weekStarts, poolRows, decided, clerks, absent);
    }

    private async Task<IReadOnlyList<DecidedFigures>> DecidedAsync(Actor teamLead, DateOnly firstMonday, CancellationToken ct)
    {
        var hide = db.Kind == DatabaseKind.Sqlite ? "+" : "";
        var rows = await db.QueryAsync<DecidedDbRow>(CaseAccess.With + $"""
            SELECT c.service_slug AS Service, c.owner_ags AS OwnerAgs, c.received_day AS ReceivedDay, c.assigned_day AS AssignedDay,
                   c.decided_day AS DecidedDay, COUNT(*) AS Cases
            FROM cases c
            WHERE c.status = 'closed' AND c.decided_at >= @SinceUtc
              AND ({hide}c.owner_ags, {hide}c.service_slug) IN (SELECT g.owner_ags, g.service_slug FROM grants g)
            GROUP BY c.service_slug, c.owner_ags, c.received_day, c.assigned_day, c.decided_day
            """, CaseQueries.Params(teamLead, queries.Today, new { SinceUtc = BerlinTime.StartOfDayUtc(firstMonday) }), ct);
        if (rows.Count == 0) return [];
        var names = await OwnerNamesAsync(rows.Select(r => r.OwnerAgs).Distinct().ToList(), ct);
        var first = firstMonday.DayNumber - UnixEpochDayNumber;
        return rows.GroupBy(r => (r.Service, r.OwnerAgs)).Select(group =>
            {
                var perWeek = new int[Weeks];
                var processing = new Dictionary<int, long>();
                var lead = new Dictionary<int, long>();
                foreach (var r in group)
                {
                    var week = (int)((r.DecidedDay - first) / 7);
                    if (week is >= 0 and < Weeks) perWeek[week] += (int)r.Cases;
                    Add(lead, Duration(r.ReceivedDay, r.DecidedDay), r.Cases);
                    if (r.AssignedDay is { } claimed) Add(processing, Duration(claimed, r.DecidedDay), r.Cases);
                }
                return new DecidedFigures(group.Key.Service, group.Key.OwnerAgs, names.GetValueOrDefault(group.Key.OwnerAgs, group.Key.OwnerAgs), perWeek,
                    Percentiles.NearestRank(processing, 50), Percentiles.NearestRank(processing, 90), Percentiles.NearestRank(lead, 50), Percentiles.NearestRank(lead, 90));
            })
            .OrderBy(f => f.Service, StringComparer.Ordinal).ThenBy(f => f.OwnerName, StringComparer.Create(System.Globalization.CultureInfo.GetCultureInfo("de-DE"), false))
            .ToList();

        static void Add(Dictionary<int, long> histogram, int value, long cases) => histogram[value] = histogram.GetValueOrDefault(value) + cases;
    }

    /// <summary>Working days after <paramref name="startDay"/> up to and including <paramref name="endDay"/> (day numbers since 1970-01-01).</summary>
    private static int Duration(long startDay, long endDay)
    {
        var start = DateOnly.FromDayNumber((int)startDay + UnixEpochDayNumber);
        return WorkingDays.Between(start, DateOnly.FromDayNumber((int)endDay + UnixEpochDayNumber));
    }

    private async Task<IReadOnlyList<ClerkWorkload>> WorkloadAsync(Actor teamLead, DateOnly today, IReadOnlyList<AbsenceEntry> absent, CancellationToken ct)
    {
        var loads = await db.QueryAsync<LoadDbRow>(CaseAccess.With + $"""
            SELECT c.assigned_user_id AS UserId,
                   SUM(CASE WHEN c.status = 'assigned' THEN 1 ELSE 0 END) AS Assigned,
                   SUM(CASE WHEN c.status = 'waiting' THEN 1 ELSE 0 END) AS Waiting,
                   SUM(CASE WHEN c.due_date < @Today THEN 1 ELSE 0 END) AS Overdue,
                   MIN(c.due_date) AS NextDue
            FROM cases c {CaseAccess.JoinGrants}
            WHERE c.status IN ('assigned', 'waiting') AND c.assigned_user_id IS NOT NULL
            GROUP BY c.assigned_user_id
            """, CaseQueries.Params(teamLead, queries.Today), ct);
        // Every active clerk of the own municipality, also without cases; partner clerks where they hold cases the lead sees.
        var people = await db.QueryAsync<PersonDbRow>($"""
            SELECT u.id AS UserId, u.display_name AS DisplayName, u.municipality_ags AS Ags, m.name AS MunicipalityName
            FROM users u JOIN municipalities m ON m.ags = u.municipality_ags
            WHERE (u.municipality_ags = @Ags AND u.is_active = TRUE
                   AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = '{Roles.Sachbearbeitung}'))
               OR {db.InList("u.id", "Ids")}
            """, new { Ags = teamLead.Ags, Ids = loads.Select(l => l.UserId).DefaultIfEmpty(-1).ToArray() }, ct);
        var byUser = loads.ToDictionary(l => l.UserId);
        var absentUntil = absent.Where(a => a.From <= today).GroupBy(a => a.UserId).ToDictionary(g => g.Key, g => g.Max(a => a.To));
        var german = StringComparer.Create(System.Globalization.CultureInfo.GetCultureInfo("de-DE"), false);
        return people.Select(p =>
            {
                var load = byUser.GetValueOrDefault(p.UserId);
                return new ClerkWorkload(p.UserId, p.DisplayName, p.Ags, p.MunicipalityName, (int)(load?.Assigned ?? 0), (int)(load?.Waiting ?? 0),
                    (int)(load?.Overdue ?? 0), load?.NextDue, absentUntil.TryGetValue(p.UserId, out var until) ? until : null);
            })
            .OrderBy(c => c.MunicipalityAgs == teamLead.Ags ? 0 : 1).ThenBy(c => c.MunicipalityName, german).ThenBy(c => c.DisplayName, german)
            .ToList();
    }

    private async Task<Dictionary<string, string>> OwnerNamesAsync(IReadOnlyList<string> ags, CancellationToken ct) =>
        (await db.QueryAsync<(string Ags, string Name)>($"SELECT ags AS Ags, name AS Name FROM municipalities WHERE {db.InList("ags", "Ags")}", new { Ags = ags.ToArray() }, ct))
            .ToDictionary(r => r.Ags, r => r.Name);

    private sealed class DecidedDbRow
    {
        public string Service { get; set; } = "";
        public string OwnerAgs { get; set; } = "";
        public long ReceivedDay { get; set; }
        public long? AssignedDay { get; set; }
        public long DecidedDay { get; set; }
        public long Cases { get; set; }
    }

    private sealed class LoadDbRow
    {
        public long UserId { get; set; }
        public long Assigned { get; set; }
        public long Waiting { get; set; }
        public long Overdue { get; set; }
        public DateOnly? NextDue { get; set; }
    }

    private sealed class PersonDbRow
    {
        public long UserId { get; set; }
        public string DisplayName { get; set; } = "";
        public string Ags { get; set; } = "";
        public string MunicipalityName { get; set; } = "";
    }
}
