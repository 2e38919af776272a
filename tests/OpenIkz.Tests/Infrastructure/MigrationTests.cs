using Dapper;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>The migration runner on a real, empty database. Runs on SQLite and on PostgreSQL.</summary>
public abstract class MigrationTests(TestDatabase kind) : IAsyncLifetime
{
    private Db _db = null!;
    private string? _postgres;
    private string? _dir;

    public async Task InitializeAsync()
    {
        if (kind == TestDatabase.Postgres)
        {
            if (TestEnvironment.PostgresAdmin is null) return;
            _postgres = await TestEnvironment.CreatePostgresDatabaseAsync();
            _db = Db.ForPostgres(_postgres);
        }
        else
        {
            _dir = TestEnvironment.NewTempDirectory("migrations");
            _db = Db.ForSqlite(Path.Combine(_dir, "test.db"));
        }
    }

    public async Task DisposeAsync()
    {
        _db?.Dispose();
        if (_postgres is not null) await TestEnvironment.DropPostgresDatabaseAsync(_postgres);
    }

    protected Db Database()
    {
        if (kind == TestDatabase.Postgres) TestEnvironment.RequirePostgres();
        return _db;
    }

    private async Task<List<string>> TablesAsync() => (await Database().QueryAsync<string>(kind == TestDatabase.Sqlite
        ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name")).ToList();

    [SkippableFact]
    public async Task Migrate_OnEmptyDatabase_AppliesAllAndRecordsThemInTheJournal_ThenIsANoOp()
    {
        var runner = new MigrationRunner(Database());
        var first = await runner.MigrateAsync();
        Assert.Equal(MigrationRunner.Embedded(_db.Kind).Count, first.Applied.Count);
        var journal = await _db.QueryAsync<(long Version, string Name)>("SELECT version, name FROM schema_migrations ORDER BY version");
        Assert.Equal(first.Applied.Select(m => (long)m.Version), journal.Select(j => j.Version));
        Assert.Contains("municipalities", await TablesAsync());

        var second = await runner.MigrateAsync();
        Assert.Empty(second.Applied);
        Assert.Equal(first.TotalApplied, second.TotalApplied);
    }

    [SkippableFact]
    public async Task Migrate_WhenAMigrationFails_LeavesTheDatabaseAsItWas()
    {
        var runner = new MigrationRunner(Database());
        var good = MigrationRunner.Embedded(_db.Kind);
        await runner.MigrateAsync(good);
        var before = await TablesAsync();

        var broken = new Migration(good[^1].Version + 1, "broken", "CREATE TABLE half_done (id INTEGER); INSERT INTO services (slug, name) VALUES ('x', 'y'); SELECT * FROM no_such_table;");
        await Assert.ThrowsAnyAsync<Exception>(() => runner.MigrateAsync([.. good, broken]));

        Assert.Equal(before, await TablesAsync());
        Assert.Equal(0, await _db.QuerySingleAsync<int>("SELECT COUNT(*) FROM services WHERE slug = 'x'"));
        Assert.Equal(good.Count, await _db.QuerySingleAsync<int>("SELECT COUNT(*) FROM schema_migrations"));
    }

    [SkippableFact]
    public async Task Migrate_WhenAnAppliedMigrationWasEdited_RefusesToStart()
    {
        var runner = new MigrationRunner(Database());
        var good = MigrationRunner.Embedded(_db.Kind);
        await runner.MigrateAsync(good);
        var edited = good.Select(m => m.Version == 1 ? m with { Sql = m.Sql + "\n-- edited" } : m).ToList();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.MigrateAsync(edited));
        Assert.Contains("forward-only", error.Message);
    }
}

public sealed class MigrationTestsSqlite() : MigrationTests(TestDatabase.Sqlite)
{
    [Fact]
    public async Task Sqlite_UsesWalAndForeignKeysAndFullSync()
    {
        await new MigrationRunner(Database()).MigrateAsync();
        await using var c = await Database().OpenAsync();
        Assert.Equal("wal", await c.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        Assert.Equal(1L, await c.ExecuteScalarAsync<long>("PRAGMA foreign_keys"));
        Assert.Equal(2L, await c.ExecuteScalarAsync<long>("PRAGMA synchronous")); // 2 = FULL
        await Assert.ThrowsAnyAsync<Exception>(() => c.ExecuteAsync(
            "INSERT INTO municipalities (ags, name, name_search, type, state, district_ags, population, area_ha, created_at) VALUES ('15085999', 'x', 'x', 'gemeinde', 'ST', '99999', 1, 1, '2026-01-01')"));
    }
}

public sealed class MigrationTestsPostgres() : MigrationTests(TestDatabase.Postgres);
