using System.Data;
using System.Diagnostics;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backup;

/// <summary>A consistent copy of the database in a scratch file, with the row counts and the audit head of exactly that copy.</summary>
public sealed record SnapshotResult(string File, string Method, IReadOnlyDictionary<string, long> Tables, long AuditSeq, string AuditHash, IReadOnlySet<string> Referenced);

/// <summary>
/// Takes the database's consistent snapshot while the app serves, and puts one back:
/// SQLite by its online backup API (one read transaction: every write committed before it began, none after);
/// PostgreSQL by <c>pg_dump</c> in its custom format inside an exported snapshot, whose row counts are read in the same
/// snapshot. The recovery point is the start of the backup: writes after it are in the next one.
/// </summary>
public static class DatabaseSnapshot
{
    public static async Task<SnapshotResult> TakeAsync(Db db, string scratch, string? postgresBin, CancellationToken ct)
    {
        if (db.Kind == DatabaseKind.Sqlite)
        {
            var file = Path.Combine(scratch, "database.sqlite");
            await using (var source = (SqliteConnection)await db.OpenAsync(ct))
            await using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString()))
            {
                await copy.OpenAsync(ct);
                source.BackupDatabase(copy); // sqlite3_backup in one step: one consistent read of the whole database
            }
            using var snapshot = Db.ForSqlite(file);
            var (tables, seq, hash) = await CountAsync(snapshot, null, null, ct);
            var referenced = await ReferencedDocumentsAsync(snapshot, null, null, ct);
            SqliteConnection.ClearAllPools();
            return new SnapshotResult(file, "sqlite-online-backup", tables, seq, hash, referenced);
        }
        else
        {
            var file = Path.Combine(scratch, "database.pgdump");
            await using var c = await db.OpenAsync(ct);
            await using var tx = await c.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            var snapshotId = await c.ExecuteScalarAsync<string>("SELECT pg_export_snapshot()", transaction: tx)
                ?? throw new BackupException("PostgreSQL exported no snapshot.");
            var (tables, seq, hash) = await CountAsync(db, c, tx, ct);
            var referenced = await ReferencedDocumentsAsync(db, c, tx, ct);
            await RunToolAsync(db, postgresBin, "pg_dump", ["--format=custom", "--no-owner", "--no-privileges", $"--snapshot={snapshotId}", "--file", file], ct);
            await tx.CommitAsync(ct);
            return new SnapshotResult(file, "pg_dump-custom", tables, seq, hash, referenced);
        }
    }

    /// <summary>Every table's row count and the audit head (on <paramref name="c"/> in <paramref name="tx"/> when given).</summary>
    public static async Task<(IReadOnlyDictionary<string, long> Tables, long AuditSeq, string AuditHash)> CountAsync(Db db, System.Data.Common.DbConnection? c, System.Data.Common.DbTransaction? tx, CancellationToken ct)
    {
        var own = c is null;
        c ??= await db.OpenAsync(ct);
        try
        {
            var names = (await c.QueryAsync<string>(db.Kind == DatabaseKind.Sqlite
                ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name", transaction: tx)).ToList();
            var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
            foreach (var name in names)
                counts[name] = await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM \"{name.Replace("\"", "\"\"")}\"", transaction: tx);
            var head = names.Contains("audit_head")
                ? await c.QuerySingleOrDefaultAsync<(long Seq, string Hash)>("SELECT seq, hash FROM audit_head WHERE id = 1", transaction: tx)
                : default;
            return (counts, head.Seq, head.Hash ?? "");
        }
        finally
        {
            if (own) await c.DisposeAsync();
        }
    }

    /// <summary>
    /// Every document hash the database's rows name: the case files' documents and the agreements' renderings (the
    /// tables behind the modules' <c>IFileReferences</c>; a module that stores files in a new table adds it here, and
    /// <c>BackupRestoreTests</c> fails for a referenced file the backup leaves out). A backup must carry each of them, and a
    /// restore checks that it did.
    /// </summary>
    public static async Task<IReadOnlySet<string>> ReferencedDocumentsAsync(Db db, System.Data.Common.DbConnection? c, System.Data.Common.DbTransaction? tx, CancellationToken ct)
    {
        const string sql = """
            SELECT sha256 FROM case_documents
            UNION SELECT html_sha256 FROM agreement_documents
            UNION SELECT pdf_sha256 FROM agreement_documents
            """;
        if (c is not null)
            return (await c.QueryAsync<string>(new CommandDefinition(sql, transaction: tx, cancellationToken: ct))).Where(h => h is not null).ToHashSet(StringComparer.Ordinal);
        return (await db.QueryAsync<string>(sql, null, ct)).Where(h => h is not null).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Runs pg_dump or pg_restore against the database, the password through the environment (never on the command line or in a log).</summary>
    public static async Task RunToolAsync(Db db, string? bin, string tool, IReadOnlyList<string> arguments, CancellationToken ct, string? connectionString = null)
    {
        var cs = new NpgsqlConnectionStringBuilder(connectionString ?? db.ConnectionString);
        var start = new ProcessStartInfo(string.IsNullOrWhiteSpace(bin) ? tool : Path.Combine(bin, tool))
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.ArgumentList.Add("--dbname");
        start.ArgumentList.Add(cs.Database ?? "postgres");
        start.Environment["PGHOST"] = cs.Host ?? "localhost";
        start.Environment["PGPORT"] = cs.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = cs.Username ?? "";
        if (cs.Password is { } password) start.Environment["PGPASSWORD"] = password;
        start.Environment["PGCONNECT_TIMEOUT"] = "30";
        Process process;
        try { process = Process.Start(start) ?? throw new BackupException($"{tool} could not be started."); }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new BackupException($"{tool} was not found (install the PostgreSQL client tools or set {BackupOptions.Section}:PostgresBin).", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync(ct);
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            await stdout;
            if (process.ExitCode != 0)
                throw new BackupException($"{tool} failed (exit code {process.ExitCode}): {(await stderr).Trim().Split('\n').LastOrDefault()}");
        }
    }
}
