using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Tests.Infrastructure;

public enum TestDatabase { Sqlite, Postgres }

/// <summary>
/// The real application in-process (WebApplicationFactory) on a real database: a fresh SQLite file, or
/// a fresh PostgreSQL database. Demo data is loaded as on a first start in demo mode.
/// </summary>
public class OpenIkzApp(TestDatabase database) : WebApplicationFactory<Program>, IAsyncLifetime
{
    public TestDatabase Database { get; } = database;
    public string DataDirectory { get; } = TestEnvironment.NewTempDirectory("app");
    public string? PostgresConnectionString { get; private set; }
    public TestClock Clock { get; } = new();
    public Dictionary<string, string?> Settings { get; } = new();

    public async Task InitializeAsync()
    {
        if (Database == TestDatabase.Postgres && TestEnvironment.PostgresAdmin is not null)
            PostgresConnectionString = await TestEnvironment.CreatePostgresDatabaseAsync();
    }

    /// <summary>Skips (or, under OPENIKZ_REQUIRE_ALL_TESTS, fails) a PostgreSQL test when no server is configured.</summary>
    public OpenIkzApp Require()
    {
        if (Database == TestDatabase.Postgres) TestEnvironment.RequirePostgres();
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        var settings = new Dictionary<string, string?>
        {
            ["OpenIkz:DataDirectory"] = DataDirectory,
            ["OpenIkz:Database"] = Database == TestDatabase.Sqlite ? "sqlite" : "postgres",
            ["OpenIkz:Mode"] = "demo",
            ["ConnectionStrings:Postgres"] = PostgresConnectionString,
            // Many sign-ins from one address within seconds: the limits are off unless a test switches them on (RateLimitTests).
            ["OpenIkz:RateLimits:Enabled"] = "false",
            // Fifty clerks at once on a machine running other test classes beside: the admission gate would refuse some
            // after its 1-s queue. Off in the test host; AdmissionTests switch it on, the server-process tests
            // (several instances, durability) run with the defaults.
            ["OpenIkz:Admission:Enabled"] = "false",
            // Bookings by the hundred: the proof-of-work challenge is off unless a test switches it on (BookingChallengeTests).
            ["OpenIkz:Appointments:RequireChallenge"] = "false",
        };
        foreach (var (k, v) in Settings) settings[k] = v;
        builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings));
        builder.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureTestServices(s =>
        {
            s.RemoveAll<TimeProvider>();
            s.AddSingleton<TimeProvider>(Clock);
        });
    }

    public Db Db => Services.GetRequiredService<Db>();

    /// <summary>A browser-like client: cookies, https (the auth cookies are Secure), no automatic redirects.</summary>
    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false, HandleCookies = true });

    public HttpClient Api() => CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false, HandleCookies = false });

    public async Task<HttpClient> ApiAsAsync(string username, string password = UserAccounts.DemoPassword)
    {
        var client = Api();
        var response = await client.PostAsJsonAsync("/api/v1/auth/token", new { username, password });
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"Login of {username} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var token = (await response.Content.ReadFromJsonAsync<TokenResponse>())!.Token;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        if (PostgresConnectionString is not null) await TestEnvironment.DropPostgresDatabaseAsync(PostgresConnectionString);
        try { System.IO.Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}

public sealed class SqliteApp() : OpenIkzApp(TestDatabase.Sqlite);
public sealed class PostgresApp() : OpenIkzApp(TestDatabase.Postgres);

/// <summary>A clock the tests move forward (lockout expiry, token expiry).</summary>
public sealed class TestClock : TimeProvider
{
    private TimeSpan _shift = TimeSpan.Zero;
    public override DateTimeOffset GetUtcNow() => TimeProvider.System.GetUtcNow() + _shift;
    public void Advance(TimeSpan by) => _shift += by;
}
