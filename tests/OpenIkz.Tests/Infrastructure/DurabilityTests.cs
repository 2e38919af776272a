using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using OpenIkz.Directory.Accounts;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>
/// An acknowledged write survives kill -9: the real server process is killed during a stream of
/// writes, restarted on the same data, and every write it had answered with 201 is there.
/// Runs on SQLite and on PostgreSQL.
/// </summary>
public abstract class DurabilityTests(TestDatabase kind) : OwnDatabaseTest(kind, "durability")
{
    [SkippableFact]
    public async Task AcknowledgedWrites_SurviveKillDashNine()
    {
        RequireDatabase();
        var acknowledged = new ConcurrentBag<string>();
        await using (var server = await ServerProcess.StartAsync(ServerEnvironment()))
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            var login = await http.PostAsJsonAsync("/api/v1/auth/token", new { username = "speyer.admin", password = UserAccounts.DemoPassword });
            var token = (await login.Content.ReadFromJsonAsync<TokenResponse>())!.Token;
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested && i < 10_000; i++)
                {
                    var username = $"dur.w{w}.{i}";
                    try
                    {
                        var response = await http.PostAsJsonAsync("/api/v1/users", new { username, displayName = "Durability", password = "ein-langes-Passwort-123", roles = new[] { "Koordination" } });
                        if (response.StatusCode == HttpStatusCode.Created) acknowledged.Add(username);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return; }
                }
            })).ToArray();

            // Let the stream run until a good number of writes are acknowledged, then pull the plug mid-stream.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (acknowledged.Count < 40 && DateTime.UtcNow < deadline) await Task.Delay(50);
            server.Kill();
            stop.Cancel();
            await Task.WhenAll(writers);
        }
        Assert.True(acknowledged.Count >= 40, $"only {acknowledged.Count} writes acknowledged before the kill");

        await using var restarted = await ServerProcess.StartAsync(ServerEnvironment());
        using var admin = new HttpClient { BaseAddress = restarted.BaseAddress };
        var again = await admin.PostAsJsonAsync("/api/v1/auth/token", new { username = "speyer.admin", password = UserAccounts.DemoPassword });
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await again.Content.ReadFromJsonAsync<TokenResponse>())!.Token);
        var users = await (await admin.GetAsync("/api/v1/users")).ReadJsonAsync();
        var present = users.EnumerateArray().Select(u => u.GetProperty("username").GetString()).ToHashSet();
        var missing = acknowledged.Where(u => !present.Contains(u)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {acknowledged.Count} acknowledged writes lost: {string.Join(", ", missing.Take(10))}");
    }
}

public abstract class IntakeDurabilityTests(TestDatabase kind) : OwnDatabaseTest(kind, "intake-durability")
{
    [SkippableFact]
    public async Task AcknowledgedApplications_SurviveKillDashNineDuringIntake()
    {
        RequireDatabase();
        var acknowledged = new ConcurrentBag<(string CaseId, string Sha)>();
        await using (var server = await ServerProcess.StartAsync(ServerEnvironment()))
        {
            string secret;
            using (var db = OpenDatabase())
            {
                var options = Microsoft.Extensions.Options.Options.Create(new OpenIkz.Infrastructure.OpenIkzOptions { DataDirectory = DataDirectory });
                (_, secret) = await new AccessTokens(db, TimeProvider.System, options).CreateClientAsync("07311000", "intake", "Durability portal");
            }
            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested && i < 10_000; i++)
                {
                    var pdf = OpenIkz.Tests.Backoffice.BackofficeFixture.Pdf($"Antrag {w}-{i}");
                    try
                    {
                        var response = await OpenIkz.Tests.Backoffice.BackofficeFixture.SubmitAsync(http, OpenIkz.Tests.Backoffice.BackofficeFixture.KfzApplication(familyName: $"Crash{w}x{i}", pdf: pdf));
                        if (response.StatusCode == HttpStatusCode.Created)
                            acknowledged.Add(((await response.ReadJsonAsync()).GetProperty("caseId").GetString()!, ContentHash.Sha256(pdf)));
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return; }
                }
            })).ToArray();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (acknowledged.Count < 40 && DateTime.UtcNow < deadline) await Task.Delay(20);
            server.Kill();
            stop.Cancel();
            await Task.WhenAll(writers);
        }
        Assert.True(acknowledged.Count >= 40, $"only {acknowledged.Count} applications acknowledged before the kill");

        await using var restarted = await ServerProcess.StartAsync(ServerEnvironment());
        using var check = OpenDatabase();
        var missing = new List<string>();
        foreach (var (caseId, sha) in acknowledged)
        {
            var stored = await check.QuerySingleOrDefaultAsync<string>("SELECT d.sha256 FROM cases c JOIN case_documents d ON d.case_id = c.id WHERE c.id = @Id", new { Id = caseId });
            var file = Path.Combine(DataDirectory, "documents", sha[..2], sha[2..4], sha);
            if (stored != sha || !File.Exists(file)) missing.Add(caseId);
        }
        Assert.True(missing.Count == 0, $"{missing.Count} of {acknowledged.Count} acknowledged applications lost");
    }
}

public sealed class IntakeDurabilityTestsSqlite() : IntakeDurabilityTests(TestDatabase.Sqlite);
public sealed class IntakeDurabilityTestsPostgres() : IntakeDurabilityTests(TestDatabase.Postgres);

public sealed class DurabilityTestsSqlite() : DurabilityTests(TestDatabase.Sqlite);
public sealed class DurabilityTestsPostgres() : DurabilityTests(TestDatabase.Postgres);
