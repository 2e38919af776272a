using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Assessment.Simulation;
using OpenIkz.Directory.Accounts;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Assessment;

/// <summary>The claim order of the simulation is the app's: pure properties, and the real claim endpoint on SQLite and PostgreSQL.</summary>
public sealed class ClaimOrderProperties
{
    [Fact]
    public void OverdueCasesComeFirst_WhateverDayToday()
    {
        var random = new Random(7);
        var keys = Enumerable.Range(0, 500).Select(i => new ClaimKey(random.Next(0, 60), random.Next(0, 1_000_000), i)).ToList();
        var sorted = keys.OrderBy(k => k, ClaimOrder.Instance).ToList();
        for (var today = 0; today <= 60; today += 5)
        {
            var firstNotOverdue = sorted.FindIndex(k => !k.IsOverdueOn(today));
            if (firstNotOverdue < 0) continue;
            Assert.All(sorted.Skip(firstNotOverdue), k => Assert.False(k.IsOverdueOn(today)));
            Assert.Equal(keys.Count(k => k.IsOverdueOn(today)), firstNotOverdue);
        }
    }

    [Fact]
    public void SameDueDate_OlderFirst_ThenSequence()
    {
        Assert.True(ClaimOrder.Instance.Compare(new ClaimKey(3, 10, 9), new ClaimKey(3, 11, 0)) < 0);
        Assert.True(ClaimOrder.Instance.Compare(new ClaimKey(3, 99, 0), new ClaimKey(4, 0, 0)) < 0);
        Assert.True(ClaimOrder.Instance.Compare(new ClaimKey(3, 10, 1), new ClaimKey(3, 10, 2)) < 0);
        Assert.Equal(0, ClaimOrder.Instance.Compare(new ClaimKey(3, 10, 1), new ClaimKey(3, 10, 1)));
        // The priority queue of the simulation uses the same order through IComparable.
        var queue = new PriorityQueue<int, ClaimKey>();
        queue.Enqueue(1, new ClaimKey(5, 1, 1));
        queue.Enqueue(2, new ClaimKey(4, 2, 2));
        queue.Enqueue(3, new ClaimKey(4, 1, 3));
        Assert.Equal([3, 2, 1], [queue.Dequeue(), queue.Dequeue(), queue.Dequeue()]);
    }
}

public abstract class ClaimOrderTests(OpenIkzApp fixture)
{
    private OpenIkzApp app => fixture.Require();

    /// <summary>
    /// Cases with due dates from 12 days overdue to 20 days ahead (many sharing a due date) and receipt times in random
    /// order are claimed one by one through POST /api/v1/work/claim until the pool is empty; the order must be the
    /// order of sorting them with <see cref="ClaimOrder"/>.
    /// </summary>
    [SkippableFact]
    public async Task ClaimingRepeatedly_YieldsTheComparerOrder()
    {
        app.Require();
        const string owner = OpenIkz.Tests.Backoffice.Agreements.Wernigerode, service = "grundsicherung";
        var users = app.Services.GetRequiredService<UserAccounts>();
        var tokens = app.Services.GetRequiredService<AccessTokens>();
        var id = await users.InsertAsync(new NewUser(owner, "wr.claimorder", "Claim Order", "", [Roles.Sachbearbeitung], [service]),
            UserAccounts.HashPassword("ein-langes-Passwort-123"), passwordIsDemo: false);
        var clerk = app.Api();
        clerk.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await tokens.IssueAsync(id)).Token);

        var random = new Random(20270101);
        var today = OpenIkz.Common.BerlinTime.Today(TimeProvider.System);
        var baseTime = DateTime.UtcNow.AddDays(-40);
        var cases = new List<(string Id, DateOnly Due, DateTime Received)>();
        var seconds = Enumerable.Range(0, 60).Select(i => i * 3607).OrderBy(_ => random.Next()).ToArray(); // distinct receipts, random order
        await app.Db.InTransactionAsync(async (c, tx) =>
        {
            for (var i = 0; i < seconds.Length; i++)
            {
                var caseId = Guid.CreateVersion7().ToString();
                var due = today.AddDays(random.Next(-12, 21) / 4 * 4); // few distinct due dates: the receipt decides often
                var received = new DateTime(baseTime.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, DateTimeKind.Utc).AddSeconds(seconds[i]);
                cases.Add((caseId, due, received));
                await Dapper.SqlMapper.ExecuteAsync(c, """
                    INSERT INTO cases (id, reference, owner_ags, service_slug, status, complete, applicant_given_name, applicant_family_name, applicant_birth_date,
                        applicant_street, applicant_postal_code, applicant_city, applicant_search, form_json, received_at, due_date, version)
                    VALUES (@Id, @Ref, @Owner, @Service, 'open', @True, 'A', 'B', @Birth, 'S', '38855', 'Wernigerode', 'b a', '{}', @Received, @Due, 1)
                    """, new { Id = caseId, Ref = $"{owner}-GS-ORDER-{i:D4}", Owner = owner, Service = service, True = true, Birth = new DateOnly(1950, 1, 1), Received = received, Due = due }, tx);
            }
        });
        Assert.True(cases.Select(x => x.Due).Distinct().Count() < cases.Count / 4, "the test needs ties on the due date");
        Assert.Contains(cases, x => x.Due < today);

        var claimed = new List<string>();
        while (true)
        {
            var response = await clerk.ClaimAsync(service);
            if (response.StatusCode == HttpStatusCode.NoContent) break;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            claimed.Add((await response.ReadJsonAsync()).GetProperty("id").GetString()!);
            Assert.True(claimed.Count <= cases.Count, "more cases claimed than inserted");
        }

        var expected = cases.OrderBy(x => ClaimOrder.Key(x.Due, x.Received), ClaimOrder.Instance).Select(x => x.Id).ToList();
        Assert.Equal(expected, claimed);
    }
}

public sealed class ClaimOrderTestsSqlite(SqliteApp app) : ClaimOrderTests(app), IClassFixture<SqliteApp>;
public sealed class ClaimOrderTestsPostgres(PostgresApp app) : ClaimOrderTests(app), IClassFixture<PostgresApp>;
