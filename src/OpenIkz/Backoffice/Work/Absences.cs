using Dapper;
using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Backoffice.Cases;
using OpenIkz.Backoffice.Intake;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Infrastructure.Jobs;

namespace OpenIkz.Backoffice.Work;

public sealed record AbsenceResult(long AbsenceId, int CasesReturned);

/// <summary>The absence does not exist, has ended, or belongs to another municipality: all three are "not found".</summary>
public sealed class AbsenceNotFoundException() : NotFoundException("Abwesenheit nicht gefunden.");

/// <summary>An absence as the team lead's list shows it.</summary>
public sealed record AbsenceEntry(long Id, long UserId, string DisplayName, DateOnly From, DateOnly To, string EnteredBy);

/// <summary>What recording an absence would do: whom it concerns, whether it starts today, and how many open cases go back to the pool.</summary>
/// <param name="StartsNow">The absence begins today or earlier: the cases go back at once; otherwise on its first day.</param>
/// <param name="OpenCases">The clerk's open cases now (assigned or waiting).</param>
public sealed record AbsencePreview(string DisplayName, bool StartsNow, int OpenCases);

/// <summary>
/// Absences (Vertretung): a team lead marks a clerk of their own municipality absent; from the first
/// day of the absence the clerk's open cases go back to the pool, so that the partners pick them up,
/// and the clerk cannot claim new ones. Absences that start later are applied by <see cref="AbsenceSweeper"/>.
/// </summary>
public sealed class Absences(Db db, AuditLog audit, TimeProvider clock)
{
    public async Task<AbsenceResult> MarkAbsentAsync(Actor teamLead, long userId, DateOnly from, DateOnly to, CancellationToken ct = default)
    {
        var today = Check(teamLead, from, to);
        return await db.InTransactionAsync(async (c, tx) =>
        {
            await RequireOwnAsync(c, tx, teamLead, userId);
            var id = await c.ExecuteScalarAsync<long>("""
                INSERT INTO absences (user_id, from_date, to_date, created_by_user_id, created_at) VALUES (@User, @From, @To, @Lead, @Now) RETURNING id
                """, new { User = userId, From = from, To = to, Lead = teamLead.UserId, Now = clock.GetUtcNow().UtcDateTime }, tx);
            var returned = from <= today ? await ReturnCasesAsync(c, tx, teamLead, userId, today) : 0;
            return new AbsenceResult(id, returned);
        }, ct);
    }

    /// <summary>The absences of the lead's municipality that have not ended (today or later), soonest first.</summary>
    public async Task<IReadOnlyList<AbsenceEntry>> ListAsync(Actor teamLead, CancellationToken ct = default)
    {
        if (!teamLead.IsTeamLead) throw new RuleException("TeamLeadOnly", "Nur die Teamleitung sieht die Abwesenheiten.");
        return (await db.QueryAsync<Row>("""
            SELECT a.id, a.user_id AS UserId, u.display_name AS DisplayName, a.from_date AS FromDate, a.to_date AS ToDate, l.display_name AS EnteredBy
            FROM absences a JOIN users u ON u.id = a.user_id LEFT JOIN users l ON l.id = a.created_by_user_id
            WHERE u.municipality_ags = @Ags AND a.to_date >= @Today
            ORDER BY a.from_date, u.display_name, a.id
            """, new { teamLead.Ags, Today = BerlinTime.Today(clock) }, ct))
            .Select(r => new AbsenceEntry(r.Id, r.UserId, r.DisplayName, r.FromDate, r.ToDate, r.EnteredBy ?? "–")).ToList();
    }

    private sealed class Row
    {
        public long Id { get; set; }
        public long UserId { get; set; }
        public string DisplayName { get; set; } = "";
        public DateOnly FromDate { get; set; }
        public DateOnly ToDate { get; set; }
        public string? EnteredBy { get; set; }
    }

    /// <summary>
    /// Changes the days of an absence that has not ended, with the checks of <see cref="MarkAbsentAsync"/>. When it now
    /// covers today, the clerk's open cases go back to the pool at once (as when it was entered); shortened so that it no
    /// longer covers today, the clerk can claim again. Another municipality's absence, or an ended one, is not found.
    /// </summary>
    public async Task<AbsenceResult> UpdateAsync(Actor teamLead, long absenceId, DateOnly from, DateOnly to, CancellationToken ct = default)
    {
        var today = Check(teamLead, from, to);
        return await db.InTransactionAsync(async (c, tx) =>
        {
            var userId = await OwnOpenAsync(c, tx, teamLead, absenceId, today);
            await c.ExecuteAsync("UPDATE absences SET from_date = @From, to_date = @To WHERE id = @Id", new { From = from, To = to, Id = absenceId }, tx);
            var returned = from <= today ? await ReturnCasesAsync(c, tx, teamLead, userId, today) : 0;
            return new AbsenceResult(absenceId, returned);
        }, ct);
    }

    /// <summary>Cancels an absence that has not ended: the clerk can claim again at once. Cases it already returned stay in the pool.</summary>
    public Task CancelAsync(Actor teamLead, long absenceId, CancellationToken ct = default)
    {
        if (!teamLead.IsTeamLead) throw new RuleException("TeamLeadOnly", "Nur die Teamleitung kann Abwesenheiten aufheben.");
        var today = BerlinTime.Today(clock);
        return db.InTransactionAsync(async (c, tx) =>
        {
            await OwnOpenAsync(c, tx, teamLead, absenceId, today);
            await c.ExecuteAsync("DELETE FROM absences WHERE id = @Id", new { Id = absenceId }, tx);
        }, ct);
    }

    /// <summary>The clerk of an absence of the lead's own municipality that has not ended; anything else is "not found".</summary>
    private static async Task<long> OwnOpenAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, Actor teamLead, long absenceId, DateOnly today) =>
        (await c.QueryAsync<long>("""
            SELECT a.user_id FROM absences a JOIN users u ON u.id = a.user_id
            WHERE a.id = @Id AND u.municipality_ags = @Ags AND a.to_date >= @Today
            """, new { Id = absenceId, teamLead.Ags, Today = today }, tx)).Cast<long?>().FirstOrDefault()
        ?? throw new AbsenceNotFoundException();

    /// <summary>The last day of the absence <paramref name="userId"/> is in today (the latest, when several cover today), or null.</summary>
    public async Task<DateOnly?> AbsentUntilAsync(long userId, CancellationToken ct = default) =>
        (await db.QueryAsync<DateOnly>("SELECT to_date FROM absences WHERE user_id = @User AND from_date <= @Today AND to_date >= @Today ORDER BY to_date DESC LIMIT 1",
            new { User = userId, Today = BerlinTime.Today(clock) }, ct)).Select(d => (DateOnly?)d).FirstOrDefault();

    /// <summary>What <see cref="MarkAbsentAsync"/> would do, with the same refusals; writes nothing (the page asks with it first).</summary>
    public async Task<AbsencePreview> PreviewAsync(Actor teamLead, long userId, DateOnly from, DateOnly to, CancellationToken ct = default)
    {
        var today = Check(teamLead, from, to);
        await using var c = await db.OpenAsync(ct);
        await RequireOwnAsync(c, null, teamLead, userId);
        var name = await c.QuerySingleAsync<string>("SELECT display_name FROM users WHERE id = @Id", new { Id = userId });
        var open = await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM cases WHERE assigned_user_id = @Id AND status IN ('assigned', 'waiting')", new { Id = userId });
        return new AbsencePreview(name, from <= today, open);
    }

    private static async Task RequireOwnAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction? tx, Actor teamLead, long userId)
    {
        var exists = await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM users WHERE id = @Id AND municipality_ags = @Ags",
            new { Id = userId, Ags = teamLead.Ags }, tx);
        // A clerk of another municipality is not the lead's to manage; an unknown id is told the same way.
        if (exists == 0) throw ValidationException.For("userId", "Diese Person gehört nicht zu Ihrer Kommune. Abwesenheiten trägt die Teamleitung der eigenen Kommune ein.");
    }

    private DateOnly Check(Actor teamLead, DateOnly from, DateOnly to)
    {
        if (!teamLead.IsTeamLead) throw new RuleException("TeamLeadOnly", "Nur die Teamleitung kann Abwesenheiten eintragen.");
        var today = BerlinTime.Today(clock);
        var errors = new ValidationErrors();
        // Dates outside the bounds are refused first: 9999-12-31 plus a day does not exist.
        if (!InputDates.Check(errors, "from", from) | !InputDates.Check(errors, "to", to)) throw new ValidationException(errors);
        if (to < from) errors.Add("to", "Das Ende liegt vor dem Beginn.");
        if (to < today) errors.Add("to", "Das Ende liegt in der Vergangenheit.");
        if (to > from.AddDays(366)) errors.Add("to", "Eine Abwesenheit dauert höchstens ein Jahr.");
        if (errors.Count > 0) throw new ValidationException(errors);
        return today;
    }

    /// <summary>Returns every open case of an absent clerk to the pool; audited as a change by <paramref name="actor"/>.</summary>
    internal async Task<int> ReturnCasesAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, Actor actor, long clerkId, DateOnly today)
    {
        var clerk = await c.QuerySingleAsync<string>("SELECT municipality_ags FROM users WHERE id = @Id", new { Id = clerkId }, tx);
        var clerkActor = new Actor(clerkId, null, "", "", clerk, false, []);
        var cases = (await c.QueryAsync<(string Id, string OwnerAgs, long? AgreementId)>(CaseAccess.With + """
            SELECT c.id, c.owner_ags, g.agreement_id FROM cases c
            LEFT JOIN grants g ON g.owner_ags = c.owner_ags AND g.service_slug = c.service_slug
            WHERE c.assigned_user_id = @ActorId AND c.status IN ('assigned', 'waiting')
            """, CaseAccess.Parameters(clerkActor, today), tx)).ToList();
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var (id, owner, agreement) in cases)
        {
            await c.ExecuteAsync("UPDATE cases SET status = 'open', assigned_user_id = NULL, assigned_at = NULL, waiting_until = NULL, version = version + 1 WHERE id = @Id", new { Id = id }, tx);
            await CaseHistory.AddAsync(c, tx, id, now, actor, "in den Pool zurückgegeben", "Bearbeitende Person abwesend (Vertretung).");
            await audit.AppendAsync(c, tx, actor, new AuditEntry("case.returned-absence", owner, agreement, id));
        }
        return cases.Count;
    }
}

/// <summary>Applies absences that begin after they were entered: cases of clerks absent today go back to the pool (every five minutes and at start).</summary>
public sealed class AbsenceSweeper(Db db, Absences absences, TimeProvider clock) : IPeriodicJob
{
    public string Name => "absence-sweep";

    public TimeSpan Interval => TimeSpan.FromMinutes(5);

    public Task<int> RunAsync(CancellationToken ct) => SweepAsync(ct);

    public static readonly Actor System = new(null, null, "system", "OpenIKZ (Abwesenheit)", "00000000", false, []);

    public async Task<int> SweepAsync(CancellationToken ct = default)
    {
        var today = BerlinTime.Today(clock);
        return await db.InTransactionAsync(async (c, tx) =>
        {
            var absent = (await c.QueryAsync<(long UserId, string Ags)>("""
                SELECT DISTINCT a.user_id, u.municipality_ags FROM absences a JOIN users u ON u.id = a.user_id
                WHERE a.from_date <= @Today AND a.to_date >= @Today
                  AND EXISTS (SELECT 1 FROM cases c WHERE c.assigned_user_id = a.user_id AND c.status IN ('assigned', 'waiting'))
                """, new { Today = today }, tx)).ToList();
            var total = 0;
            foreach (var (userId, ags) in absent) total += await absences.ReturnCasesAsync(c, tx, System with { Ags = ags }, userId, today);
            return total;
        }, ct);
    }

}
