using Npgsql;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>
/// What the machine offers the tests. A test that needs an outside program skips with the command
/// that installs it, unless OPENIKZ_REQUIRE_ALL_TESTS=1 (set by .ci/run), where a missing program fails.
/// </summary>
public static class TestEnvironment
{
    public const string PostgresVariable = "OPENIKZ_TEST_POSTGRES";

    public static bool RequireAll => Environment.GetEnvironmentVariable("OPENIKZ_REQUIRE_ALL_TESTS") == "1";

    /// <summary>An admin connection string to a PostgreSQL 15+ server; each fixture creates and drops its own database.</summary>
    public static string? PostgresAdmin => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } s ? s : null;

    public static void SkipUnless(bool available, string what, string install)
    {
        if (available) return;
        var message = $"{what} is not available. Install it with: {install}";
        if (RequireAll) throw new InvalidOperationException(message + " (OPENIKZ_REQUIRE_ALL_TESTS=1 forbids skipping)");
        throw new SkipException(message);
    }

    public static string RequirePostgres()
    {
        SkipUnless(PostgresAdmin is not null, $"PostgreSQL ({PostgresVariable} not set)",
            $"apt-get install -y postgresql, start it, and set {PostgresVariable}='Host=127.0.0.1;Username=postgres;Password=…;Database=postgres'");
        return PostgresAdmin!;
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public static async Task<string> CreatePostgresDatabaseAsync()
    {
        var admin = RequirePostgres();
        var name = "oikz_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var c = new NpgsqlConnection(admin))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
            await cmd.ExecuteNonQueryAsync();
        }
        // Test classes run in parallel, each with its own database: a small pool each keeps the server's connection limit.
        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true, MaxPoolSize = 25 }.ToString();
    }

    public static async Task DropPostgresDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var c = new NpgsqlConnection(PostgresAdmin);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", c);
        await cmd.ExecuteNonQueryAsync();
    }

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OpenIkz.slnx"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Repository root (OpenIkz.slnx) not found.");
        }
    }

    public static string NewTempDirectory(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), "openikz-tests", $"{purpose}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(path);
        return path;
    }
}
