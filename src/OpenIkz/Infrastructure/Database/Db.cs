using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace OpenIkz.Infrastructure.Database;

public enum DatabaseKind { Sqlite, Postgres }

/// <summary>
/// Opens connections to the configured database. The few differences between SQLite and PostgreSQL
/// live here and in the per-dialect migration folders; all other SQL is written once and runs on both.
/// </summary>
public sealed class Db : IDisposable
{
    private readonly string _connectionString;
    private readonly NpgsqlDataSource? _npgsql;

    public DatabaseKind Kind { get; }

    /// <summary>The connection string (with its password): for the backup's pg_dump and pg_restore only, never for a log.</summary>
    internal string ConnectionString => _connectionString;

    /// <summary>The SQLite file, or null on PostgreSQL.</summary>
    public string? SqliteFile { get; }

    private Db(DatabaseKind kind, string connectionString, string? sqliteFile)
    {
        Kind = kind;
        _connectionString = connectionString;
        SqliteFile = sqliteFile;
        if (kind == DatabaseKind.Postgres) _npgsql = NpgsqlDataSource.Create(connectionString);
    }

    static Db() => DapperSetup.Configure();

    public static Db Create(OpenIkzOptions options, string? postgresConnectionString)
    {
        if (string.Equals(options.Database, "postgres", StringComparison.OrdinalIgnoreCase))
            return ForPostgres(postgresConnectionString ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set."));
        System.IO.Directory.CreateDirectory(options.ResolvedDataDirectory);
        return ForSqlite(Path.Combine(options.ResolvedDataDirectory, "openikz.db"), options.SqliteGroupCommit);
    }

    /// <summary>SQLite in <paramref name="file"/>; <paramref name="groupCommit"/> (default): concurrent write transactions of this process share one commit (<see cref="SqliteGroupCommit"/>).</summary>
    public static Db ForSqlite(string file, bool groupCommit = true)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = file,
            Mode = SqliteOpenMode.ReadWriteCreate,
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = 30,
        };
        return new Db(DatabaseKind.Sqlite, builder.ToString(), file) { _useGroupCommit = groupCommit };
    }

    /// <summary>
    /// PostgreSQL through one pooled data source. Unless the connection string says otherwise, the pool is
    /// kept at 40 connections, well below the server's default max_connections of 100, so that a burst of
    /// requests waits for a connection instead of being refused by the server.
    /// </summary>
    public static Db ForPostgres(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Maximum Pool Size", StringComparison.OrdinalIgnoreCase) && !connectionString.Contains("MaxPoolSize", StringComparison.OrdinalIgnoreCase))
            builder.MaxPoolSize = 40;
        // Statements the app sends again and again (the access rule's CTE above all) are prepared on each connection after
        // their fifth use: PostgreSQL then parses and plans them once per connection instead of on every call.
        if (!connectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase) && !connectionString.Contains("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase))
            builder.MaxAutoPrepare = 100;
        return new(DatabaseKind.Postgres, builder.ToString(), null);
    }

    /// <summary>The most connections this instance's pool opens (PostgreSQL); 0 on SQLite (no pool limit).</summary>
    public int MaxPoolSize => _npgsql is null ? 0 : new NpgsqlConnectionStringBuilder(ConnectionString).MaxPoolSize;

    /// <summary>A short name for logs and /health: "sqlite" or "postgres".</summary>
    public string Name => Kind == DatabaseKind.Sqlite ? "sqlite" : "postgres";

    /// <summary>
    /// "column is one of @parameter" for a list parameter: Dapper expands IN @p on SQLite; Npgsql sends the
    /// list as one array, which PostgreSQL compares with = ANY.
    /// </summary>
    public string InList(string column, string parameter) => Kind == DatabaseKind.Postgres ? $"{column} = ANY(@{parameter})" : $"{column} IN @{parameter}";

    /// <summary>A UTC timestamp of a data reader's row: timestamptz on PostgreSQL, the stored text on SQLite (for readers that bypass Dapper).</summary>
    public DateTime GetUtc(DbDataReader reader, int ordinal)
    {
        if (Kind == DatabaseKind.Postgres) return DateTime.SpecifyKind(reader.GetFieldValue<DateTime>(ordinal), DateTimeKind.Utc);
        return SqliteTimestamps.Parse(reader.GetString(ordinal));
    }

    /// <summary>Row lock for a read-then-write in a transaction. SQLite needs none: its write transaction is exclusive.</summary>
    public string ForUpdate(string alias) => Kind == DatabaseKind.Postgres ? $" FOR UPDATE OF {alias}" : "";

    /// <summary>Lock the row, skipping rows other transactions hold: concurrent claimers take different rows.</summary>
    public string ForUpdateSkipLocked(string alias) => Kind == DatabaseKind.Postgres ? $" FOR UPDATE OF {alias} SKIP LOCKED" : "";

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        if (_npgsql is not null) return await _npgsql.OpenConnectionAsync(ct);
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        // Per-connection settings (journal_mode=WAL is persistent and set once by the migration runner).
        // synchronous=FULL: in WAL mode every commit is fsynced before it is acknowledged, so an
        // acknowledged write survives a process kill and a power loss (docs/OPERATIONS.md).
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;";
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction and commits it. On SQLite the transaction takes the
    /// write lock at its start (BEGIN IMMEDIATE), so concurrent writers queue instead of failing mid-way.
    /// </summary>
    public async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default)
    {
        if (Kind == DatabaseKind.Sqlite)
        {
            // SQLite has one writer. Writers of this process queue here in arrival order instead of in SQLite's busy
            // handler, which sleeps and retries and lets some waiters starve for seconds; with group commit the
            // waiting ones are committed together (SqliteGroupCommit).
            if (_useGroupCommit) return await GroupCommit.RunAsync(work, ct);
            await _sqliteWriteGate.WaitAsync(ct);
            try { return await RunTransactionAsync(work, ct); }
            finally { _sqliteWriteGate.Release(); }
        }
        return await RunTransactionAsync(work, ct);
    }

    private readonly SemaphoreSlim _sqliteWriteGate = new(1, 1);
    private bool _useGroupCommit;
    private SqliteGroupCommit? _groupCommit;
    private readonly Lock _groupCommitStart = new();

    private SqliteGroupCommit GroupCommit
    {
        get
        {
            if (_groupCommit is { } started) return started;
            lock (_groupCommitStart) return _groupCommit ??= new SqliteGroupCommit(this); // its committer starts with the first write
        }
    }

    /// <summary>SQLite with group commit: the commits made and the transactions they carried (null without it).</summary>
    internal (long Commits, long Transactions)? GroupCommitCounts => _useGroupCommit ? GroupCommit.Counts : null;

    private async Task<T> RunTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var tx = Kind == DatabaseKind.Sqlite
            ? ((SqliteConnection)connection).BeginTransaction(deferred: false)
            : await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var result = await work(connection, tx);
        await tx.CommitAsync(ct);
        return result;
    }

    /// <summary>
    /// A write transaction for a caller that already holds the open connection <paramref name="c"/>: on PostgreSQL on that
    /// connection, so that a request never holds one pooled connection while it waits for a second; on SQLite through
    /// the one writer, as <see cref="InTransactionAsync{T}"/>.
    /// </summary>
    public async Task InTransactionOnAsync(DbConnection c, Func<DbConnection, DbTransaction, Task> work, CancellationToken ct = default)
    {
        if (Kind == DatabaseKind.Sqlite)
        {
            await InTransactionAsync(work, ct);
            return;
        }
        await using var tx = await c.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        await work(c, tx);
        await tx.CommitAsync(ct);
    }

    /// <summary>A read-only transaction with one snapshot for several queries: SQLite a deferred read transaction (it takes no write lock), PostgreSQL REPEATABLE READ.</summary>
    public static async Task<DbTransaction> BeginSnapshotAsync(DbConnection c, CancellationToken ct = default) =>
        c is SqliteConnection lite ? lite.BeginTransaction(deferred: true) : await c.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);

    public Task InTransactionAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken ct = default)
        => InTransactionAsync<bool>(async (c, t) => { await work(c, t); return true; }, ct);

    public async Task<T> QuerySingleAsync<T>(string sql, object? param = null, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await connection.QuerySingleAsync<T>(new CommandDefinition(sql, param, cancellationToken: ct));
    }

    public async Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? param = null, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<T>(new CommandDefinition(sql, param, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param = null, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return (await connection.QueryAsync<T>(new CommandDefinition(sql, param, cancellationToken: ct))).AsList();
    }

    public async Task<int> ExecuteAsync(string sql, object? param = null, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(sql, param, cancellationToken: ct));
    }

    public void Dispose()
    {
        _npgsql?.Dispose();
        _groupCommit?.Dispose();
        _sqliteWriteGate.Dispose();
    }
}
