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
    /// <summary>The lock of <paramref name="job"/>, or null when it is held elsewhere. Disposing the handle releases it.</summary>
    Task<IAsyncDisposable?> TryAcquireAsync(string job, CancellationToken ct);
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
/// round: released by <c>pg_advisory_unlock</c> when the round ends, and by the server when the instance dies (its
/// connection closes), so a killed instance never leaves a job locked.
/// </summary>
public sealed class PostgresJobLock(string connectionString) : IJobLock
{
    // Outside the pool: a pooled connection could be handed back still holding the lock if the unlock failed.
    private readonly string _connectionString = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "openikz-job-lock" }.ConnectionString;

    public async Task<IAsyncDisposable?> TryAcquireAsync(string job, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(ct);
            var key = JobLocks.KeyOf(job);
            await using (var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection))
            {
                command.Parameters.AddWithValue("key", key);
                if (await command.ExecuteScalarAsync(ct) is true) return new Held(connection, key);
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

    private sealed class Held(NpgsqlConnection connection, long key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
                command.Parameters.AddWithValue("key", key);
                await command.ExecuteScalarAsync();
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                // The connection is gone: the server has released the lock with it.
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}

/// <summary>One instance (SQLite allows one): a lock per job, shared by the runners that share this object.</summary>
public sealed class ProcessJobLock : IJobLock
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public Task<IAsyncDisposable?> TryAcquireAsync(string job, CancellationToken ct)
    {
        var gate = _locks.GetOrAdd(job, _ => new SemaphoreSlim(1, 1));
        return Task.FromResult<IAsyncDisposable?>(gate.Wait(0) ? new Held(gate) : null);
    }

    private sealed class Held(SemaphoreSlim gate) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release();
            return ValueTask.CompletedTask;
        }
    }
}
