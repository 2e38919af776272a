using System.Buffers.Binary;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Npgsql;
using OpenIkz.Infrastructure.Database;
using SQLitePCL;

namespace OpenIkz.Assessment.Evaluation;

/// <summary>
/// The parameters of the evaluation's scans (<see cref="EvaluationScan"/>): the agreement, the period as UTC instants and
/// its last Berlin day, and the part of the decision dates one scan reads (from, and until unless it is the last part).
/// </summary>
internal sealed record ScanParameters(long Id, DateTime FromUtc, DateTime ToUtc, int ToDay)
{
    public DateTime ScanFromUtc { get; init; } = FromUtc;
    public DateTime? ScanUntilUtc { get; init; }
}

/// <summary>
/// A forward-only reader over many rows of integers and a few distinct texts, for <see cref="EvaluationScan"/>.
///
/// On SQLite it steps the statement through SQLitePCL on the connection's own handle: Microsoft.Data.Sqlite costs about
/// 100 ns per column read (measured on 1,000,000 rows of eight columns: 1.4 s through <c>SqliteDataReader</c>, 0.6 s
/// through the handle; docs/BENCHMARKS.md). Texts are returned as one shared instance per distinct value, looked up from
/// the UTF-8 bytes without decoding them, so a million rows allocate no strings. On PostgreSQL it is Npgsql's reader
/// with the same pooling.
/// </summary>
internal abstract class ScanRows : IAsyncDisposable
{
    public static async Task<ScanRows> OpenAsync(DbConnection c, string sql, ScanParameters p, TextIds texts, CancellationToken ct)
    {
        switch (c)
        {
            case SqliteConnection sqlite:
                return new SqliteRows(sqlite, sql, p, texts);
            case NpgsqlConnection npgsql:
                var command = new NpgsqlCommand(sql, npgsql) { CommandTimeout = 600 };
                command.Parameters.AddWithValue("Id", p.Id);
                command.Parameters.AddWithValue("From", p.FromUtc);
                command.Parameters.AddWithValue("To", p.ToUtc);
                command.Parameters.AddWithValue("ToDay", p.ToDay);
                command.Parameters.AddWithValue("ScanFrom", p.ScanFromUtc);
                command.Parameters.AddWithValue("ScanUntil", (object?)p.ScanUntilUtc ?? DBNull.Value);
                return new NpgsqlRows(command, await command.ExecuteReaderAsync(ct), texts);
            default:
                throw new NotSupportedException($"No scan for {c.GetType().Name}.");
        }
    }

    public abstract ValueTask<bool> ReadAsync(CancellationToken ct);

    /// <summary>True when reading never waits for I/O of its own (SQLite steps in-process): then <see cref="Read"/> is used in a plain loop.</summary>
    public virtual bool Synchronous => false;

    public virtual bool Read(CancellationToken ct) => throw new NotSupportedException();
    public abstract int Int(int column);
    /// <summary>The id of the column's text in the scan's <see cref="TextIds"/>.</summary>
    public abstract int TextId(int column);
    public abstract ValueTask DisposeAsync();

    private sealed class SqliteRows : ScanRows
    {
        private readonly SqliteConnection _connection;
        private readonly sqlite3_stmt _statement;
        private readonly TextIds _texts;
        private int _rows, _bound;
        private CancellationTokenRegistration _interrupt;
        private bool _interruptRegistered;

        public SqliteRows(SqliteConnection connection, string sql, ScanParameters p, TextIds texts)
        {
            _connection = connection;
            _texts = texts;
            var db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
            Check(raw.sqlite3_prepare_v2(db, sql, out _statement));
            try
            {
                Bind("@Id", p.Id);
                Bind("@ToDay", p.ToDay);
                Bind("@From", SqliteTimestamps.Text(p.FromUtc));
                Bind("@To", SqliteTimestamps.Text(p.ToUtc));
                Bind("@ScanFrom", SqliteTimestamps.Text(p.ScanFromUtc));
                if (p.ScanUntilUtc is { } until) Bind("@ScanUntil", SqliteTimestamps.Text(until));
                // An unbound parameter would be NULL and match nothing: silently empty figures.
                if (_bound != raw.sqlite3_bind_parameter_count(_statement))
                    throw new InvalidOperationException($"The scan bound {_bound} of its {raw.sqlite3_bind_parameter_count(_statement)} parameters.");
            }
            catch
            {
                _statement.Dispose();
                throw;
            }
        }

        private void Bind(string name, long value)
        {
            var index = raw.sqlite3_bind_parameter_index(_statement, name);
            if (index > 0) { Check(raw.sqlite3_bind_int64(_statement, index, value)); _bound++; }
        }

        private void Bind(string name, string value)
        {
            var index = raw.sqlite3_bind_parameter_index(_statement, name);
            if (index > 0) { Check(raw.sqlite3_bind_text(_statement, index, value)); _bound++; }
        }

        private void Check(int rc)
        {
            if (rc != raw.SQLITE_OK) throw new SqliteException(raw.sqlite3_errmsg(_connection.Handle).utf8_to_string(), rc);
        }

        public override ValueTask<bool> ReadAsync(CancellationToken ct) => ValueTask.FromResult(Read(ct));

        public override bool Synchronous => true;

        // The hot methods are compiled optimised at once: the first scan in a fresh process reads a million rows before
        // tiered compilation would have replaced them.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override bool Read(CancellationToken ct)
        {
            if (!_interruptRegistered)
            {
                // One step may pass over many rows of other agreements: a cancelled request interrupts it.
                _interruptRegistered = true;
                if (ct.CanBeCanceled) _interrupt = ct.Register(static h => raw.sqlite3_interrupt((sqlite3)h!), _connection.Handle);
            }
            if ((++_rows & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
            // A busy database waits in SQLite's busy handler (busy_timeout, set on every connection by Db.OpenAsync).
            var rc = raw.sqlite3_step(_statement);
            if (rc == raw.SQLITE_ROW) return true;
            if (rc == raw.SQLITE_DONE) return false;
            if (rc == raw.SQLITE_INTERRUPT) ct.ThrowIfCancellationRequested();
            throw new SqliteException(raw.sqlite3_errmsg(_connection.Handle).utf8_to_string(), rc);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override int Int(int column) => raw.sqlite3_column_int(_statement, column);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override int TextId(int column) => _texts.Id(raw.sqlite3_column_blob(_statement, column));

        public override ValueTask DisposeAsync()
        {
            _interrupt.Dispose();
            _statement.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class NpgsqlRows(NpgsqlCommand command, NpgsqlDataReader reader, TextIds texts) : ScanRows
    {
        public override async ValueTask<bool> ReadAsync(CancellationToken ct) => await reader.ReadAsync(ct);
        public override int Int(int column) => reader.GetInt32(column);

        public override int TextId(int column) => texts.Id(reader.GetString(column));

        public override async ValueTask DisposeAsync()
        {
            await reader.DisposeAsync();
            await command.DisposeAsync();
        }
    }
}

/// <summary>
/// Small integer ids for the few distinct texts of a scan (municipality keys, service slugs, case groups), found from the
/// UTF-8 bytes without decoding them: a text of up to 16 bytes is its length with its first and last eight bytes (which
/// then cover it whole); a longer one is compared byte by byte as well.
/// </summary>
internal sealed class TextIds
{
    private readonly Dictionary<(ulong Head, ulong Tail, int Length), List<(byte[] Bytes, int Id)>> _byBytes = [];
    private readonly Dictionary<string, int> _byText = new(StringComparer.Ordinal);
    private readonly List<string> _texts = [];

    /// <summary>The id of '' (a missing processor or case group).</summary>
    public const int Empty = 0;

    public TextIds() => Id("");

    public string this[int id] => _texts[id];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Id(ReadOnlySpan<byte> utf8)
    {
        var key = (Head(utf8), Tail(utf8), utf8.Length);
        if (_byBytes.TryGetValue(key, out var entries))
        {
            if (utf8.Length <= 16) return entries[0].Id;
            foreach (var (bytes, id) in entries)
                if (utf8.SequenceEqual(bytes)) return id;
        }
        else _byBytes[key] = entries = [];
        var newId = Id(System.Text.Encoding.UTF8.GetString(utf8));
        entries.Add((utf8.ToArray(), newId));
        return newId;
    }

    private static ulong Head(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 8) return BinaryPrimitives.ReadUInt64LittleEndian(b);
        ulong v = 0;
        for (var i = 0; i < b.Length; i++) v |= (ulong)b[i] << (8 * i);
        return v;
    }

    private static ulong Tail(ReadOnlySpan<byte> b) => b.Length >= 8 ? BinaryPrimitives.ReadUInt64LittleEndian(b[^8..]) : 0;

    public int Id(string text)
    {
        if (_byText.TryGetValue(text, out var id)) return id;
        _byText[text] = id = _texts.Count;
        _texts.Add(text);
        return id;
    }
}
