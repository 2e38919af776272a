using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Infrastructure.Http;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>
/// Admission control: with every place taken and the queue full or its wait over, a request is refused at once with
/// 503 and Retry-After (API: a German problem document; browser: the German error page), /health still answers, and
/// the next request after a place is free is served. The gate's own rules are checked without HTTP.
/// </summary>
public sealed class AdmissionTests : IClassFixture<AdmissionTests.App>
{
    public sealed class App : OpenIkzApp
    {
        public App() : base(TestDatabase.Sqlite)
        {
            Settings["OpenIkz:Admission:Enabled"] = "true";
            Settings["OpenIkz:Admission:MaxConcurrent"] = "2";
            Settings["OpenIkz:Admission:MaxQueue"] = "1";
            Settings["OpenIkz:Admission:MaxQueueWaitMilliseconds"] = "200";
        }
    }

    private readonly App _app;
    public AdmissionTests(App app) => _app = app;

    [Fact]
    public async Task AFullInstance_Refuses503WithRetryAfter_KeepsHealth_AndServesAgainWhenAPlaceIsFree()
    {
        var admission = _app.Services.GetRequiredService<Admission>();
        var api = await _app.ApiAsAsync("frankenthal.sachbearbeitung");
        var browser = _app.Browser();
        Assert.True(await admission.EnterAsync(default));
        Assert.True(await admission.EnterAsync(default)); // both places are taken (as by two slow requests)
        try
        {
            var refused = await api.GetAsync("/api/v1/work/mine");
            var problem = await refused.AssertProblemAsync(503);
            Assert.Contains("ausgelastet", problem.GetProperty("detail").GetString());
            Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);

            var page = await browser.GetAsync("/Anmelden");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
            var html = await page.Content.ReadAsStringAsync();
            Assert.Contains("<html lang=\"de\">", html);
            Assert.Contains("Gerade ausgelastet", html);
            Assert.Equal(TimeSpan.FromSeconds(1), page.Headers.RetryAfter?.Delta);

            // Never refused: the balancer's health check, static files, and the waiting-room display's all-day stream.
            Assert.Equal(HttpStatusCode.OK, (await _app.Api().GetAsync("/health")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await _app.Api().GetAsync("/lib/kern/kern.min.css")).StatusCode);
            var office = await _app.Db.QuerySingleAsync<long>("SELECT MIN(id) FROM appointment_offices");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            using var stream = await _app.Api().SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/appointments/offices/{office}/calls"),
                HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
            Assert.Equal("text/event-stream", stream.Content.Headers.ContentType!.MediaType);
            Assert.Equal(2, admission.InFlight); // the stream holds no place
        }
        finally
        {
            admission.Leave();
            admission.Leave();
        }
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/work/mine")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/Anmelden")).StatusCode);
        Assert.Equal(0, admission.InFlight);
    }

    [Fact]
    public async Task TheGate_QueuesUpToItsLimit_InOrder_AndRefusesBeyondItOrAfterTheWait()
    {
        using var db = Db.ForSqlite(Path.Combine(TestEnvironment.NewTempDirectory("admission"), "a.db"));
        var gate = new Admission(Options.Create(new AdmissionOptions { MaxConcurrent = 1, MaxQueue = 1, MaxQueueWaitMilliseconds = 5000 }), db);
        Assert.True(await gate.EnterAsync(default));
        var queued = gate.EnterAsync(default).AsTask();
        Assert.False(queued.IsCompleted);
        Assert.False(await gate.EnterAsync(default)); // the queue holds one: refused at once
        gate.Leave();
        Assert.True(await queued); // the queued one gets the freed place
        gate.Leave();

        var impatient = new Admission(Options.Create(new AdmissionOptions { MaxConcurrent = 1, MaxQueue = 5, MaxQueueWaitMilliseconds = 50 }), db);
        Assert.True(await impatient.EnterAsync(default));
        var started = DateTime.UtcNow;
        Assert.False(await impatient.EnterAsync(default)); // waited its 50 ms, then refused
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(40));
    }

    [Fact]
    public void TheDefaults_FollowTheDatabase()
    {
        using var sqlite = Db.ForSqlite(Path.Combine(TestEnvironment.NewTempDirectory("admission"), "a.db"));
        var onSqlite = new Admission(Options.Create(new AdmissionOptions()), sqlite);
        Assert.Equal((32, 256), (onSqlite.MaxConcurrent, onSqlite.MaxQueue));
        using var postgres = Db.ForPostgres("Host=127.0.0.1;Username=x;Password=y;Database=z;Maximum Pool Size=25");
        Assert.Equal(25 - Admission.ReservedConnections, new Admission(Options.Create(new AdmissionOptions()), postgres).MaxConcurrent);
        using var pooled = Db.ForPostgres("Host=127.0.0.1;Username=x;Password=y;Database=z");
        Assert.Equal(40 - Admission.ReservedConnections, new Admission(Options.Create(new AdmissionOptions()), pooled).MaxConcurrent);
    }
}
