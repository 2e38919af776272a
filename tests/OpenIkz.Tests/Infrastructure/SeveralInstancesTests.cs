using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using OpenIkz.Directory.Accounts;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Directory;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>
/// Three app processes on one PostgreSQL behind nginx, each with its own data folder and one shared documents folder:
/// 50 clerks claim through the balancer and no case is given out twice; a session cookie made by one instance is
/// accepted by another; a document uploaded through one is read through another; one instance is killed with kill -9
/// under load, no acknowledged claim is lost and the others keep serving. PostgreSQL only: SQLite runs one instance.
/// </summary>
public sealed class SeveralInstancesTests() : OwnDatabaseTest(TestDatabase.Postgres, "several-instances")
{
    private const int Clerks = 50;
    private const string Service = "kfz-zulassung";

    private static HttpClient Client(Uri address) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };

    private Dictionary<string, string?> Instance(string documents)
    {
        var environment = ServerEnvironment();
        environment["OpenIkz__DataDirectory"] = TestEnvironment.NewTempDirectory("instance");
        environment["OpenIkz__DocumentsDirectory"] = documents;
        // 3 × 20 connections and the job locks stay far below the test server's max_connections.
        environment["ConnectionStrings__Postgres"] = new Npgsql.NpgsqlConnectionStringBuilder(PostgresConnectionString) { MaxPoolSize = 20 }.ToString();
        environment["OpenIkz__RateLimits__Enabled"] = "false"; // 50 sign-ins from one address (the balancer's)
        return environment;
    }

    [SkippableFact]
    public async Task ThreeInstancesBehindNginx_ShareSessionsDocumentsAndJobs_AndSurviveKillDashNineOfOne()
    {
        RequireDatabase();
        NginxBalancer.Require();
        var documents = TestEnvironment.NewTempDirectory("shared-documents");
        // One after the other: the first loads the demo data, the others find it.
        var instances = new List<ServerProcess>();
        try
        {
            for (var i = 0; i < 3; i++) instances.Add(await ServerProcess.StartAsync(Instance(documents)));
            await using var balancer = await NginxBalancer.StartAsync(instances.Select(s => s.BaseAddress));
            using var front = Client(balancer.BaseAddress);

            // A session cookie signed in on instance 1 opens a page on instances 2 and 3 (one key ring in the database).
            var session = await CookieSession.SignInAsync(Client(instances[0].BaseAddress), "frankenthal.sachbearbeitung");
            foreach (var other in instances.Skip(1))
            {
                var page = await session.To(Client(other.BaseAddress)).GetAsync("/Konto/Passwort");
                Assert.True(page.StatusCode == HttpStatusCode.OK, $"the cookie of instance 1 on {other.BaseAddress}: {(int)page.StatusCode} {page.Headers.Location}");
            }

            // 50 clerks of Frankenthal, made by the administration through the balancer.
            var admin = await TokenAsync(front, "frankenthal.admin", UserAccounts.DemoPassword);
            var clerks = new List<(string Username, long Id, HttpClient Http)>();
            for (var i = 0; i < Clerks; i++)
            {
                var username = $"frankenthal.lastprobe{i:D2}";
                var created = await admin.PostAsJsonAsync("/api/v1/users", new { username, displayName = $"Lastprobe {i}", password = "ein-langes-Passwort-123", roles = new[] { "Sachbearbeitung" }, services = new[] { Service } });
                Assert.True(created.StatusCode == HttpStatusCode.Created, $"user {username}: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
                var id = (await created.ReadJsonAsync()).GetProperty("id").GetInt64();
                clerks.Add((username, id, await TokenAsync(Client(balancer.BaseAddress), username, "ein-langes-Passwort-123")));
            }

            // Applications with a document, through the balancer; one read back through each instance.
            string secret;
            using (var db = OpenDatabase())
            {
                var options = Microsoft.Extensions.Options.Options.Create(new OpenIkz.Infrastructure.OpenIkzOptions { DataDirectory = DataDirectory });
                (_, secret) = await new AccessTokens(db, TimeProvider.System, options).CreateClientAsync(BackofficeFixture.Frankenthal, "intake", "Portal Lastprobe");
            }
            using var portal = Client(balancer.BaseAddress);
            portal.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            var pdf = BackofficeFixture.Pdf("Lastprobe über drei Instanzen");
            var uploaded = await portal.SubmitOkAsync(BackofficeFixture.KfzApplication(familyName: "Dreiinstanz", pdf: pdf));
            // Enough that the claiming outlasts the kill: since audited writes no longer queue on one row, 50 clerks empty
            // a pool of 200 within a few hundred milliseconds.
            const int Submitted = 600;
            for (var i = 1; i < Submitted; i++) await portal.SubmitOkAsync(BackofficeFixture.KfzApplication(familyName: $"Lastprobe{i}"));

            // The uploaded document through every instance, by a clerk of the owning municipality.
            var reader = await TokenAsync(Client(instances[0].BaseAddress), "frankenthal.sachbearbeitung", UserAccounts.DemoPassword);
            var file = await reader.GetFromJsonAsync<JsonElement>($"/api/v1/cases/{uploaded}");
            var documentId = file.GetProperty("documents")[0].GetProperty("id").GetString();
            foreach (var instance in instances)
            {
                using var direct = Client(instance.BaseAddress);
                direct.DefaultRequestHeaders.Authorization = reader.DefaultRequestHeaders.Authorization;
                var bytes = await direct.GetByteArrayAsync($"/api/v1/cases/{uploaded}/documents/{documentId}");
                Assert.Equal(pdf, bytes);
            }

            // 50 clerks claim through the balancer until the pool is empty; instance 2 is killed on the way.
            var acknowledged = new ConcurrentBag<(long ClerkId, string CaseId, bool AfterKill)>();
            var killed = 0;
            var failures = 0;
            var claimers = clerks.Select(clerk => Task.Run(async () =>
            {
                var empty = 0;
                for (var attempt = 0; attempt < 1000 && empty < 3; attempt++)
                {
                    HttpResponseMessage response;
                    try { response = await clerk.Http.PostAsJsonAsync("/api/v1/work/claim", new { service = Service }); }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { Interlocked.Increment(ref failures); continue; }
                    if (response.StatusCode == HttpStatusCode.NoContent) { empty++; await Task.Delay(50); continue; }
                    if (response.StatusCode != HttpStatusCode.OK) { Interlocked.Increment(ref failures); await Task.Delay(50); continue; } // 502 from the killed one
                    empty = 0;
                    var claimed = await response.ReadJsonAsync();
                    acknowledged.Add((clerk.Id, claimed.GetProperty("id").GetString()!, Volatile.Read(ref killed) == 1));
                }
            })).ToArray();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (acknowledged.Count < 30 && DateTime.UtcNow < deadline) await Task.Delay(5);
            instances[1].Kill();
            Volatile.Write(ref killed, 1);
            await Task.WhenAll(claimers);

            var claims = acknowledged.ToList();
            Assert.True(claims.Count >= Submitted, $"only {claims.Count} claims acknowledged ({failures} failed requests)");
            var twice = claims.GroupBy(c => c.CaseId).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(twice.Count == 0, $"{twice.Count} cases given out twice, e.g. {string.Join(", ", twice.Take(5))}");
            Assert.True(claims.Count(c => c.AfterKill) >= 50, $"after the kill only {claims.Count(c => c.AfterKill)} claims were acknowledged: the others did not keep serving");

            // Every acknowledged claim is in the database, with its clerk.
            using (var db = OpenDatabase())
            {
                var assigned = (await db.QueryAsync<(string Id, long? AssignedUserId)>(
                    "SELECT id, assigned_user_id FROM cases WHERE id = ANY(@Ids)", new { Ids = claims.Select(c => c.CaseId).ToArray() })).ToDictionary(r => r.Id, r => r.AssignedUserId);
                var lost = claims.Where(c => !assigned.TryGetValue(c.CaseId, out var user) || user != c.ClerkId).ToList();
                Assert.True(lost.Count == 0, $"{lost.Count} of {claims.Count} acknowledged claims are not in the database as acknowledged");
            }

            // The audit log the three wrote into (one sealer among them, one killed mid-way) is one valid chain.
            using (var db = OpenDatabase())
            {
                await OpenIkz.Backoffice.Audit.AuditLog.SealAllAsync(db);
                var audit = await OpenIkz.Backoffice.Audit.AuditLog.VerifyAsync(db);
                Assert.True(audit.Valid, audit.Problem);
                Assert.True(audit.Sealed >= claims.Count, $"{audit.Sealed} sealed audit entries for {claims.Count} claims");
            }

            // The balancer still serves (from the two instances that live).
            Assert.Equal(HttpStatusCode.OK, (await front.GetAsync("/health")).StatusCode);
        }
        finally
        {
            foreach (var instance in instances) await instance.DisposeAsync();
        }
    }

    private static async Task<HttpClient> TokenAsync(HttpClient http, string username, string password)
    {
        var response = await http.PostAsJsonAsync("/api/v1/auth/token", new { username, password });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"token of {username}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await response.Content.ReadFromJsonAsync<TokenResponse>())!.Token);
        return http;
    }
}
