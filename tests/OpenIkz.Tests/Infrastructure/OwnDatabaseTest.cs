namespace OpenIkz.Tests.Infrastructure;

/// <summary>
/// A test class with a database of its own (a fresh SQLite data folder or a fresh PostgreSQL database),
/// for tests that start the real server process or open the database themselves.
/// </summary>
public abstract class OwnDatabaseTest(TestDatabase kind, string purpose) : IAsyncLifetime
{
    protected TestDatabase Kind { get; } = kind;
    protected string DataDirectory { get; } = TestEnvironment.NewTempDirectory(purpose);
    protected string? PostgresConnectionString { get; private set; }

    public async Task InitializeAsync()
    {
        if (Kind == TestDatabase.Postgres && TestEnvironment.PostgresAdmin is not null) PostgresConnectionString = await TestEnvironment.CreatePostgresDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        if (PostgresConnectionString is not null) await TestEnvironment.DropPostgresDatabaseAsync(PostgresConnectionString);
    }

    /// <summary>Skips (or under OPENIKZ_REQUIRE_ALL_TESTS fails) when the PostgreSQL leg has no server.</summary>
    protected void RequireDatabase()
    {
        if (Kind == TestDatabase.Postgres) TestEnvironment.RequirePostgres();
    }

    /// <summary>The environment of a server process on this database, in demo mode.</summary>
    protected Dictionary<string, string?> ServerEnvironment() => new()
    {
        ["OpenIkz__DataDirectory"] = DataDirectory,
        ["OpenIkz__Mode"] = "demo",
        ["OpenIkz__Database"] = Kind == TestDatabase.Sqlite ? "sqlite" : "postgres",
        ["ConnectionStrings__Postgres"] = PostgresConnectionString,
    };

    protected OpenIkz.Infrastructure.Database.Db OpenDatabase() => Kind == TestDatabase.Sqlite
        ? OpenIkz.Infrastructure.Database.Db.ForSqlite(Path.Combine(DataDirectory, "openikz.db"))
        : OpenIkz.Infrastructure.Database.Db.ForPostgres(PostgresConnectionString!);
}
