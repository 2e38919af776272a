using System.Data.Common;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;

namespace OpenIkz.Infrastructure.Database;

/// <summary>One forward-only migration: <c>Migrations/{dialect}/NNNN_name.sql</c>.</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    public string Checksum => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));
}

public sealed record MigrationResult(IReadOnlyList<Migration> Applied, int TotalApplied);

/// <summary>
/// Applies the numbered SQL migrations of the current dialect, each in its own transaction, and records
/// them in the journal table <c>schema_migrations</c>. A failing migration is rolled back whole, so the
/// database stays as it was. An applied migration whose text changed stops the start-up.
/// </summary>
public sealed partial class MigrationRunner(Db db, ILogger<MigrationRunner>? logger = null)
{
    [GeneratedRegex(@"^(\d{4})_([a-z0-9_]+)\.sql$")]
    private static partial Regex FileName();

    public static IReadOnlyList<Migration> Embedded(DatabaseKind kind)
    {
        var folder = kind == DatabaseKind.Sqlite ? "sqlite" : "postgres";
        var assembly = typeof(MigrationRunner).Assembly;
        var prefix = $"OpenIkz.Migrations.{folder}.";
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var file = resource[prefix.Length..];
            var match = FileName().Match(file);
            if (!match.Success) throw new InvalidOperationException($"Migration file name '{file}' does not match NNNN_name.sql.");
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            migrations.Add(new Migration(int.Parse(match.Groups[1].Value), match.Groups[2].Value, reader.ReadToEnd()));
        }
        var ordered = migrations.OrderBy(m => m.Version).ToList();
        // Numbers are unique and ascending. A gap is allowed: branches developed in parallel reserve their numbers
        // (one branch's 0005 may land before another's 0004), and each migration is journaled by its own number.
        for (var i = 1; i < ordered.Count; i++)
            if (ordered[i].Version == ordered[i - 1].Version) throw new InvalidOperationException($"Migrations of {folder} must have unique numbers; {ordered[i].Version:D4} is used twice.");
        return ordered;
    }

    public Task<MigrationResult> MigrateAsync(CancellationToken ct = default) => MigrateAsync(Embedded(db.Kind), ct);

    public async Task<MigrationResult> MigrateAsync(IReadOnlyList<Migration> migrations, CancellationToken ct = default)
    {
        await using (var connection = await db.OpenAsync(ct))
        {
            if (db.Kind == DatabaseKind.Sqlite)
                await connection.ExecuteAsync("PRAGMA journal_mode=WAL;");
            await connection.ExecuteAsync(db.Kind == DatabaseKind.Sqlite
                ? "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)"
                : "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)");
        }

        var applied = new List<Migration>();
        foreach (var migration in migrations)
        {
            var done = await db.InTransactionAsync(async (connection, tx) =>
            {
                // Several instances may start at once against PostgreSQL: serialise them.
                if (db.Kind == DatabaseKind.Postgres)
                    await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(7318000)", transaction: tx);
                var checksum = await connection.QuerySingleOrDefaultAsync<string>(
                    "SELECT checksum FROM schema_migrations WHERE version = @Version", new { migration.Version }, tx);
                if (checksum is not null)
                {
                    if (checksum != migration.Checksum)
                        throw new InvalidOperationException($"Migration {migration.Version:D4}_{migration.Name} was changed after it had been applied. Migrations are forward-only: add a new one instead.");
                    return false;
                }
                await using (var command = connection.CreateCommand())
                {
                    command.Transaction = tx;
                    command.CommandText = migration.Sql;
                    command.CommandTimeout = 600;
                    await command.ExecuteNonQueryAsync(ct);
                }
                await connection.ExecuteAsync(
                    "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (@Version, @Name, @Checksum, @At)",
                    new { migration.Version, migration.Name, migration.Checksum, At = DateTime.UtcNow }, tx);
                return true;
            }, ct);
            if (done)
            {
                applied.Add(migration);
                logger?.LogInformation("Applied migration {Version:D4}_{Name}", migration.Version, migration.Name);
            }
        }

        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM schema_migrations");
        return new MigrationResult(applied, total);
    }
}
