using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Infrastructure.Jobs;

/// <summary>
/// Makes a periodic job run on one instance at a time. A round of a job first takes its lock; when another instance
/// (or another runner in this process) holds it, the round is skipped and the job waits for its next tick. The jobs are
/// written to be idempotent (a sweep, a retention, a scheduled backup that looks at the last one), so a skipped or a
/// repeated round does no harm; what the lock prevents is two instances doing the same round at once.
/// </summary>
public interface IJobLock
{
    /// <summary>The lock of <paramref name="job"/>, or null when it is held elsewhere. Disposing the lease releases it.</summary>
    Task<IJobLease?> TryAcquireAsync(string job, CancellationToken ct);
}

/// <summary>A held job lock. <see cref="Lost"/> is cancelled when the lock is gone before the round ended (its connection broke).</summary>
public interface IJobLease : IAsyncDisposable
{
    CancellationToken Lost { get; }
}

public static class JobLocks
{
    /// <summary>PostgreSQL: an advisory lock on the server (shared by every instance); SQLite (one instance): a lock in the process.</summary>
    public static IJobLock For(Db db) => db.Kind == DatabaseKind.Postgres ? new PostgresJobLock(db.ConnectionString) : new ProcessJobLock();

    /// <summary>The 64-bit advisory lock key of a job: the first 8 bytes of SHA-256("openikz-job:" + name), stable across versions and instances.</summary>
    public static long KeyOf(string job) => BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes("openikz-job:" + job)));
}

/// <summary>
/// A session-level PostgreSQL advisory lock (<c>pg_try_advisory_lock</c>) held on a connection of its own for the
/// round: released by <c>pg_advisory_unlock</c> when the round ends, and by the server when the connection ends. The
/// connection is checked every <see cref="Heartbeat"/> (a round can run for hours: a backup) and has TCP keepalives on
/// both sides and no idle-session time-out; when it breaks, the server has released the lock, another instance may
/// start the job, and <see cref="IJobLease.Lost"/> stops this round. It must reach PostgreSQL directly or through a
/// pool in session mode (a transaction-mode pool would move the session lock between clients).
/// </summary>
public sealed class PostgresJobLock(string connectionString, TimeSpan? heartbeat = null) : IJobLock
{
    public static readonly TimeSpan DefaultHeartbeat = TimeSpan.FromSeconds(30);
    public TimeSpan Heartbeat { get; } = heartbeat ?? DefaultHeartbeat;

    // Outside the pool: a pooled connection could be handed back still holding the lock if the unlock failed.
    private readonly string _connectionString = LockConnectionString(connectionString);

    private static string LockConnectionString(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "openikz-job-lock", TcpKeepAlive = true };
        builder.Options = ((builder.Options ?? "") + " -c idle_session_timeout=0 -c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3").Trim();
        return builder.ConnectionString;
    }

    public async Task<IJobLease?> TryAcquireAsync(string job, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(ct);
            var key = JobLocks.KeyOf(job);
            await using (var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection))
            {
                command.Parameters.AddWithValue("key", key);
                if (await command.ExecuteScalarAsync(ct) is true) return new Held(connection, key, Heartbeat);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    private sealed class Held : IJobLease
    {
        private readonly NpgsqlConnection _connection;
        private readonly long _key;
        private readonly CancellationTokenSource _lost = new();
        private readonly CancellationTokenSource _ended = new();
        private readonly Task _watch;
        private readonly SemaphoreSlim _use = new(1, 1); // one command at a time on the connection

        public Held(NpgsqlConnection connection, long key, TimeSpan heartbeat)
        {
            (_connection, _key) = (connection, key);
            _watch = WatchAsync(heartbeat);
        }

        public CancellationToken Lost => _lost.Token;

        private async Task WatchAsync(TimeSpan heartbeat)
        {
            try
            {
                using var timer = new PeriodicTimer(heartbeat);
                while (await timer.WaitForNextTickAsync(_ended.Token))
                {
                    await _use.WaitAsync(_ended.Token);
                    try
                    {
                        await using var command = new NpgsqlCommand("SELECT 1", _connection);
                        await command.ExecuteScalarAsync(_ended.Token);
                    }
                    finally { _use.Release(); }
                }
            }
            catch (OperationCanceledException) when (_ended.IsCancellationRequested)
            {
                // the round ended
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException or TimeoutException)
            {
                await _lost.CancelAsync(); // the connection and with it the lock are gone
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _ended.CancelAsync();
            await _watch;
            try
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", _connection);
                command.Parameters.AddWithValue("key", _key);
                await command.ExecuteScalarAsync();
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException)
            {
                // The connection is gone: the server has released the lock with it.
            }
            finally
            {
                await _connection.DisposeAsync();
                _lost.Dispose();
                _ended.Dispose();
                _use.Dispose();
            }
        }
    }
}

/// <summary>One instance (SQLite allows one): a lock per job, shared by the runners that share this object.</summary>
public sealed class ProcessJobLock : IJobLock
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public Task<IJobLease?> TryAcquireAsync(string job, CancellationToken ct)
    {
        var gate = _locks.GetOrAdd(job, _ => new SemaphoreSlim(1, 1));
        return Task.FromResult<IJobLease?>(gate.Wait(0) ? new Held(gate) : null);
    }

    private sealed class Held(SemaphoreSlim gate) : IJobLease
    {
        private int _released;

        public CancellationToken Lost => CancellationToken.None; // a lock in the process is not lost

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release();
            return ValueTask.CompletedTask;
        }
    }
}
