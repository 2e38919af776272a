using System.Net;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Appointments;

/// <summary>
/// Admission control of the public slot search: with one search computed at a time and none waiting (and no kept
/// answers), a burst of different searches is answered or refused at once with 503 and Retry-After, never left to time
/// out; afterwards the search answers again. On SQLite and PostgreSQL.
/// </summary>
public abstract class SlotSearchAdmissionTests
{
    private readonly OpenIkzApp _app;

    protected SlotSearchAdmissionTests(OpenIkzApp app)
    {
        _app = app;
        app.Settings["OpenIkz:Appointments:SearchConcurrency"] = "1";
        app.Settings["OpenIkz:Appointments:SearchQueue"] = "0";
        app.Settings["OpenIkz:Appointments:SlotCacheSeconds"] = "0";
    }

    [SkippableFact]
    public async Task ABurstBeyondTheQueue_IsRefusedAtOnceWith503AndRetryAfter_ThenTheSearchAnswersAgain()
    {
        var app = _app.Require();
        var client = app.Api();
        var today = OpenIkz.Common.BerlinTime.Today(TimeProvider.System);
        string Url(int i) => $"/api/v1/appointments/slots?service=kfz-zulassung&municipality={BackofficeFixture.Frankenthal}&from={today.AddDays(1 + i % 20):yyyy-MM-dd}&items={1 + i % 2}";
        var refused = new List<HttpResponseMessage>();
        for (var round = 0; round < 5 && refused.Count == 0; round++)
        {
            var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => client.GetAsync(Url(i))));
            Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, r.StatusCode.ToString()));
            Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
            refused.AddRange(responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable));
        }
        Assert.NotEmpty(refused);
        var problem = await refused[0].AssertProblemAsync(503);
        Assert.Contains("Bitte versuchen Sie es in wenigen Sekunden noch einmal", problem.GetProperty("detail").GetString());
        Assert.True(refused[0].Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, "Retry-After in seconds");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Url(0))).StatusCode);
    }
}

public sealed class SlotSearchAdmissionTestsSqlite(SqliteApp app) : SlotSearchAdmissionTests(app), IClassFixture<SqliteApp>;
public sealed class SlotSearchAdmissionTestsPostgres(PostgresApp app) : SlotSearchAdmissionTests(app), IClassFixture<PostgresApp>;
