using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Backoffice.Cases;
using OpenIkz.Backoffice.Work;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Backoffice;

/// <summary>
/// The team lead's figures (start page and GET /api/v1/team/figures) against a computation that shares nothing with them:
/// the visible closed cases from the archive search, their timestamps converted with the time-zone data, durations counted
/// day by day, percentiles by sorting.
/// </summary>
public abstract class TeamFiguresTests(OpenIkzApp fixture)
{
    private readonly OpenIkzApp app = fixture.Require();

    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static DateOnly BerlinDay(DateTime utc) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Berlin));

    /// <summary>Monday to Friday in (start, end], one day at a time.</summary>
    private static int WorkingDaysBetween(DateOnly start, DateOnly end)
    {
        var n = 0;
        for (var d = start.AddDays(1); d <= end; d = d.AddDays(1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) n++;
        return n;
    }

    private static int? Percentile(List<int> values, int p)
    {
        if (values.Count == 0) return null;
        values.Sort();
        return values[(int)Math.Ceiling(p * values.Count / 100.0) - 1];
    }

    private async Task<Actor> LeadAsync(string username)
    {
        var (id, ags) = await app.Db.QuerySingleAsync<(long, string)>("SELECT id, municipality_ags FROM users WHERE username = @U", new { U = username });
        return new Actor(id, null, username, username, ags, true, []);
    }

    [SkippableFact]
    public async Task DecidedPerWeek_AndDurations_EqualTheVisibleClosedCasesCountedOneByOne()
    {
        // A case decided on a Monday after a claim on the Friday before: one working day of processing, whatever the demo holds.
        var today = BerlinDay(DateTime.UtcNow);
        var lastMonday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7) - 7);
        var claimed = TimeZoneInfo.ConvertTimeToUtc(lastMonday.AddDays(-3).ToDateTime(new TimeOnly(23, 30)), Berlin); // Friday 23:30 Berlin
        var decided = TimeZoneInfo.ConvertTimeToUtc(lastMonday.ToDateTime(new TimeOnly(0, 15)), Berlin);             // Monday 00:15 Berlin
        var id = await app.Db.QuerySingleAsync<string>("SELECT id FROM cases WHERE owner_ags = @A AND service_slug = 'kfz-zulassung' AND status = 'open' ORDER BY id LIMIT 1",
            new { A = BackofficeFixture.Frankenthal });
        var clerkId = await app.Db.QuerySingleAsync<long>("SELECT id FROM users WHERE username = 'frankenthal.sachbearbeitung'");
        await app.Db.ExecuteAsync("""
            UPDATE cases SET status = 'closed', outcome = 'granted', decision_reason = 'Test', assigned_user_id = @Clerk, assigned_at = @Claimed,
                             decided_at = @Decided, decided_by_user_id = @Clerk, processor_ags = @A WHERE id = @Id
            """, new { Clerk = clerkId, Claimed = claimed, Decided = decided, A = BackofficeFixture.Frankenthal, Id = id });

        var lead = await LeadAsync("ludwigshafen.teamleitung");
        var figures = await app.Services.GetRequiredService<TeamFigures>().HandleAsync(lead);

        var firstMonday = figures.WeekStarts[0];
        Assert.Equal(TeamFigures.Weeks, figures.WeekStarts.Count);
        Assert.Equal(DayOfWeek.Monday, firstMonday.DayOfWeek);
        Assert.InRange(today.DayNumber - figures.WeekStarts[^1].DayNumber, 0, 6);

        var archive = await app.Services.GetRequiredService<SearchArchive>().SearchAsync(lead, new ArchiveFilter(DecidedFrom: firstMonday, PageSize: 1_000_000));
        Assert.NotEmpty(archive.Items);
        Assert.Contains(archive.Items, c => c.Id == id);
        var claims = (await app.Db.QueryAsync<(string Id, DateTime? AssignedAt)>("SELECT id, assigned_at FROM cases WHERE status = 'closed' AND decided_at >= @From",
            new { From = TimeZoneInfo.ConvertTimeToUtc(firstMonday.ToDateTime(TimeOnly.MinValue), Berlin) })).ToDictionary(r => r.Id, r => r.AssignedAt);

        var expected = archive.Items.GroupBy(c => (c.Service, c.OwnerAgs)).ToDictionary(g => g.Key, g =>
        {
            var perWeek = new int[TeamFigures.Weeks];
            foreach (var c in g) perWeek[(BerlinDay(c.DecidedAt!.Value).DayNumber - firstMonday.DayNumber) / 7]++;
            var lead = g.Select(c => WorkingDaysBetween(BerlinDay(c.ReceivedAt), BerlinDay(c.DecidedAt!.Value))).ToList();
            var processing = g.Where(c => claims[c.Id] is not null).Select(c => WorkingDaysBetween(BerlinDay(claims[c.Id]!.Value), BerlinDay(c.DecidedAt!.Value))).ToList();
            return (perWeek, P50: Percentile(processing, 50), P90: Percentile(processing, 90), L50: Percentile(lead, 50), L90: Percentile(lead, 90));
        });

        Assert.Equal(expected.Keys.OrderBy(k => k), figures.Decided.Select(d => (d.Service, d.OwnerAgs)).OrderBy(k => k));
        foreach (var d in figures.Decided)
        {
            var e = expected[(d.Service, d.OwnerAgs)];
            Assert.Equal(e.perWeek, d.PerWeek);
            Assert.Equal((e.P50, e.P90, e.L50, e.L90), (d.ProcessingP50, d.ProcessingP90, d.LeadP50, d.LeadP90));
        }
        // The claimed-Friday, decided-Monday case is one working day of processing in the week before last.
        var single = await app.Services.GetRequiredService<SearchArchive>().SearchAsync(lead, new ArchiveFilter(Owner: BackofficeFixture.Frankenthal, Service: "kfz-zulassung", DecidedFrom: lastMonday, DecidedTo: lastMonday));
        Assert.Contains(single.Items, c => c.Id == id);
        Assert.Equal(1, WorkingDaysBetween(BerlinDay(claimed), BerlinDay(decided)));
    }

    [SkippableFact]
    public async Task Workload_PerClerk_AddsUpToTheAssignedCasesOfThePool_AndNamesTheAbsent()
    {
        var leadApi = await app.ApiAsAsync("frankenthal.teamleitung");
        var clerkId = await app.Db.QuerySingleAsync<long>("SELECT id FROM users WHERE username = 'frankenthal.sachbearbeitung'");
        var today = BerlinDay(DateTime.UtcNow);
        var created = await (await leadApi.PostAsJsonAsync("/api/v1/absences", new { userId = clerkId, from = today.ToString("yyyy-MM-dd"), to = today.AddDays(4).ToString("yyyy-MM-dd") })).ReadJsonAsync();
        try
        {
            var figures = await app.Services.GetRequiredService<TeamFigures>().HandleAsync(await LeadAsync("frankenthal.teamleitung"));
            Assert.Equal(figures.Pool.Sum(r => r.Open - r.Unassigned), figures.Clerks.Sum(c => c.Open));
            Assert.Equal(figures.Pool.Sum(r => r.Overdue - r.UnassignedOverdue), figures.Clerks.Sum(c => c.Overdue));
            var clerk = Assert.Single(figures.Clerks, c => c.UserId == clerkId);
            Assert.Equal(today.AddDays(4), clerk.AbsentUntil);
            Assert.Equal(0, clerk.Open); // the absence returned the clerk's open cases to the pool
            Assert.Contains(figures.Absences, a => a.UserId == clerkId);
            // Every active clerk of the own municipality is listed, also without cases.
            var ownClerks = await app.Db.QueryAsync<long>("""
                SELECT u.id FROM users u WHERE u.municipality_ags = @A AND u.is_active = TRUE
                  AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'Sachbearbeitung')
                """, new { A = BackofficeFixture.Frankenthal });
            Assert.Subset(figures.Clerks.Select(c => c.UserId).ToHashSet(), ownClerks.ToHashSet());
            Assert.Equal(figures.Clerks.Select(c => c.UserId).Distinct().Count(), figures.Clerks.Count);
        }
        finally
        {
            await app.Db.ExecuteAsync("DELETE FROM absences WHERE id = @Id", new { Id = created.GetProperty("absenceId").GetInt64() });
        }
    }

    [SkippableFact]
    public async Task Api_TeamFiguresAndAbsences_ForTheLeadOnly_ChangeAndCancelTheOwnMunicipalitysAbsences()
    {
        var lead = await app.ApiAsAsync("frankenthal.teamleitung");
        var clerk = await app.ApiAsAsync("frankenthal.sachbearbeitung");
        var otherLead = await app.ApiAsAsync("speyer.teamleitung");
        var figures = await (await lead.GetAsync("/api/v1/team/figures")).ReadJsonAsync();
        Assert.Equal(TeamFigures.Weeks, figures.GetProperty("weekStarts").GetArrayLength());
        await (await clerk.GetAsync("/api/v1/team/figures")).AssertProblemAsync(403);
        await (await clerk.GetAsync("/api/v1/absences")).AssertProblemAsync(403);

        var clerkId = await app.Db.QuerySingleAsync<long>("SELECT id FROM users WHERE username = 'frankenthal.sachbearbeitung'");
        var today = BerlinDay(DateTime.UtcNow);
        string Iso(DateOnly d) => d.ToString("yyyy-MM-dd");
        var id = (await (await lead.PostAsJsonAsync("/api/v1/absences", new { userId = clerkId, from = Iso(today.AddDays(10)), to = Iso(today.AddDays(12)) })).ReadJsonAsync())
            .GetProperty("absenceId").GetInt64();
        try
        {
            var listed = (await (await lead.GetAsync("/api/v1/absences")).ReadJsonAsync()).EnumerateArray().Single(a => a.GetProperty("id").GetInt64() == id);
            Assert.Equal(Iso(today.AddDays(10)), listed.GetProperty("from").GetString());

            // Bad input names the field and changes nothing.
            var bad = await (await lead.PutAsJsonAsync($"/api/v1/absences/{id}", new { from = Iso(today.AddDays(10)) })).AssertProblemAsync(400);
            Assert.True(bad.GetProperty("errors").TryGetProperty("to", out _));
            await (await lead.PutAsJsonAsync($"/api/v1/absences/{id}", new { from = Iso(today.AddDays(12)), to = Iso(today.AddDays(10)) })).AssertProblemAsync(400);
            Assert.Equal(today.AddDays(12), await app.Db.QuerySingleAsync<DateOnly>("SELECT to_date FROM absences WHERE id = @Id", new { Id = id }));

            // Another municipality's lead does not find it, neither to change nor to cancel.
            await (await otherLead.PutAsJsonAsync($"/api/v1/absences/{id}", new { from = Iso(today), to = Iso(today) })).AssertProblemAsync(404);
            await (await otherLead.DeleteAsync($"/api/v1/absences/{id}")).AssertProblemAsync(404);

            var changed = await lead.PutAsJsonAsync($"/api/v1/absences/{id}", new { from = Iso(today.AddDays(11)), to = Iso(today.AddDays(14)) });
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
            Assert.Equal((today.AddDays(11), today.AddDays(14)), await app.Db.QuerySingleAsync<(DateOnly, DateOnly)>("SELECT from_date, to_date FROM absences WHERE id = @Id", new { Id = id }));

            Assert.Equal(HttpStatusCode.NoContent, (await lead.DeleteAsync($"/api/v1/absences/{id}")).StatusCode);
            Assert.Equal(0, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM absences WHERE id = @Id", new { Id = id }));
            await (await lead.DeleteAsync($"/api/v1/absences/{id}")).AssertProblemAsync(404);
        }
        finally
        {
            await app.Db.ExecuteAsync("DELETE FROM absences WHERE id = @Id", new { Id = id });
        }
    }
}

public sealed class TeamFiguresTestsSqlite(SqliteApp app) : TeamFiguresTests(app), IClassFixture<SqliteApp>;
public sealed class TeamFiguresTestsPostgres(PostgresApp app) : TeamFiguresTests(app), IClassFixture<PostgresApp>;
