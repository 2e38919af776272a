using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>Production mode: no demo data, and no start while a demo password is in use. Runs on SQLite and on PostgreSQL.</summary>
public abstract class ProductionModeTests(TestDatabase kind) : IAsyncLifetime
{
    private readonly string _dir = TestEnvironment.NewTempDirectory("production");
    private string? _postgres;

    public async Task InitializeAsync()
    {
        if (kind == TestDatabase.Postgres && TestEnvironment.PostgresAdmin is not null) _postgres = await TestEnvironment.CreatePostgresDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        if (_postgres is not null) await TestEnvironment.DropPostgresDatabaseAsync(_postgres);
    }

    private WebApplicationFactory<Program> Start(string mode)
    {
        if (kind == TestDatabase.Postgres) TestEnvironment.RequirePostgres();
        return new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Testing");
            b.ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["OpenIkz:DataDirectory"] = _dir,
                ["OpenIkz:Mode"] = mode,
                ["OpenIkz:Database"] = kind == TestDatabase.Sqlite ? "sqlite" : "postgres",
                ["ConnectionStrings:Postgres"] = _postgres,
            }));
        });
    }

    [SkippableFact]
    public async Task Production_OnAFreshDatabase_StartsWithoutDemoData()
    {
        await using var app = Start("production");
        var response = await app.CreateClient().GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var db = app.Services.GetRequiredService<Db>();
        Assert.Equal(0, await db.QuerySingleAsync<int>("SELECT COUNT(*) FROM municipalities"));
        Assert.Equal(0, await db.QuerySingleAsync<int>("SELECT COUNT(*) FROM users"));
    }

    [SkippableFact]
    public async Task Production_LegalPages_NameWhatTheOperatorHasNotGiven_AndShowNoDemoExamples()
    {
        await using var app = Start("production");
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false });
        foreach (var path in new[] { "/Impressum", "/Datenschutz", "/Barrierefreiheit" })
        {
            var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Contains("Diese Angabe hat der Betreiber noch nicht hinterlegt.", text);
            Assert.DoesNotContain("Beispielangabe der Demo", text);
        }
    }

    [SkippableFact]
    public async Task Production_WhileAnyAccountHasTheDemoPassword_RefusesToStart_UntilItIsChanged()
    {
        await using (var demo = Start("demo"))
            Assert.Equal(HttpStatusCode.OK, (await demo.CreateClient().GetAsync("/health")).StatusCode);

        await using (var production = Start("production"))
        {
            var error = Assert.ThrowsAny<Exception>(() => production.CreateClient());
            Assert.True(error.ToString().Contains("demo password"), error.ToString());
        }

        // The real process: one line on standard error, exit code 1, no stack trace.
        var (exit, stdout, stderr) = await ServerProcess.RunToExitAsync(new Dictionary<string, string?>
        {
            ["OpenIkz__DataDirectory"] = _dir,
            ["OpenIkz__Mode"] = "production",
            ["OpenIkz__Database"] = kind == TestDatabase.Sqlite ? "sqlite" : "postgres",
            ["ConnectionStrings__Postgres"] = _postgres,
        }, TimeSpan.FromSeconds(60));
        Assert.True(exit == 1, $"exit {exit}\n{stdout}\n{stderr}");
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("demo password", line);
        Assert.DoesNotContain("   at ", stdout + stderr);

        // Changing every demo password (or deleting the accounts) makes production start.
        using (var db = kind == TestDatabase.Sqlite ? Db.ForSqlite(Path.Combine(_dir, "openikz.db")) : Db.ForPostgres(_postgres!))
        {
            var users = new UserAccounts(db, TimeProvider.System);
            foreach (var username in await users.UsersWithDemoPasswordAsync())
                await db.ExecuteAsync("UPDATE users SET password_hash = @H, password_is_demo = @F WHERE username = @U",
                    new { H = UserAccounts.HashPassword("ein-neues-langes-Passwort"), F = false, U = username });
        }
        await using var fixedUp = Start("production");
        Assert.Equal(HttpStatusCode.OK, (await fixedUp.CreateClient().GetAsync("/health")).StatusCode);
    }
}

public sealed class ProductionModeTestsSqlite() : ProductionModeTests(TestDatabase.Sqlite);
public sealed class ProductionModeTestsPostgres() : ProductionModeTests(TestDatabase.Postgres);
