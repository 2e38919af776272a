using System.Data.Common;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace OpenIkz.Infrastructure.Database;

/// <summary>
/// Group commit for SQLite's one writer. Each write transaction of this process (<see cref="Db.InTransactionAsync{T}"/>)
/// is queued; one committer takes the first waiting transaction and every other one already waiting (up to
/// <see cref="MaxBatch"/>), runs them one after the other in a single SQLite transaction, each inside a savepoint of its
/// own, and commits them with one fsync (<c>synchronous=FULL</c> in WAL mode). A transaction that throws is rolled back
/// to its savepoint alone and its caller gets the exception; every other caller is answered only once the common commit
/// is durable, so an acknowledged write survives <c>kill -9</c> and a power loss as before. Nothing waits on purpose for
/// more transactions: a lone writer commits at once, and batches form by themselves while a commit is on its way.
/// </summary>
internal sealed class SqliteGroupCommit : IDisposable
{
    public const int MaxBatch = 64;

    private readonly Db _db;
    private readonly Channel<IWrite> _queue = Channel.CreateUnbounded<IWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _committer;
    private long _commits;
    private long _transactions;

    public SqliteGroupCommit(Db db)
    {
        _db = db;
        _committer = Task.Run(CommitLoopAsync);
    }

    /// <summary>SQLite commits made (each one fsync) and the transactions they carried: for tests and diagnostics.</summary>
    public (long Commits, long Transactions) Counts => (Interlocked.Read(ref _commits), Interlocked.Read(ref _transactions));

    public Task<T> RunAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var write = new Write<T>(work, ct);
        if (!_queue.Writer.TryWrite(write)) throw new ObjectDisposedException(nameof(Db));
        return write.Task;
    }

    private async Task CommitLoopAsync()
    {
        var batch = new List<IWrite>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
                if (next.TryStart()) batch.Add(next); // skipped: cancelled while it waited
            if (batch.Count > 0) await CommitBatchAsync(batch);
        }
    }

    private async Task CommitBatchAsync(List<IWrite> batch)
    {
        var done = new List<IWrite>(batch.Count);
        try
        {
            await using var connection = (SqliteConnection)await _db.OpenAsync();
            await using var tx = connection.BeginTransaction(deferred: false);
            foreach (var write in batch)
            {
                await tx.SaveAsync("w");
                if (await write.RunAsync(connection, tx))
                {
                    await tx.ReleaseAsync("w");
                    done.Add(write);
                }
                else
                {
                    // Its own changes are undone; the transactions before it in the batch keep theirs.
                    await tx.RollbackAsync("w");
                    await tx.ReleaseAsync("w");
                }
            }
            await tx.CommitAsync();
            Interlocked.Increment(ref _commits);
            Interlocked.Add(ref _transactions, done.Count);
            foreach (var write in done) write.Complete();
        }
        catch (Exception e)
        {
            // The common transaction failed (the commit, or SQLite rolled the whole transaction back, e.g. a full disk):
            // nothing of the batch was written, and every caller not yet answered gets the exception.
            foreach (var write in batch) write.Fail(e);
        }
    }

    /// <summary>Takes no new work and lets the queued transactions commit (for at most 10 s).</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _committer.Wait(TimeSpan.FromSeconds(10));
    }

    private interface IWrite
    {
        bool TryStart();
        /// <summary>Runs the work; false when it threw (the caller then has its exception).</summary>
        Task<bool> RunAsync(SqliteConnection connection, SqliteTransaction tx);
        void Complete();
        void Fail(Exception e);
    }

    private sealed class Write<T> : IWrite
    {
        private const int Queued = 0, Started = 1, Cancelled = 2;
        private readonly Func<DbConnection, DbTransaction, Task<T>> _work;
        private readonly CancellationToken _ct;
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _registration;
        private readonly ExecutionContext? _context = ExecutionContext.Capture(); // the caller's (activity, logging scope)
        private int _state;
        private T _result = default!;

        public Write(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct)
        {
            (_work, _ct) = (work, ct);
            // A caller may give up while it waits in the queue; once its work has started, it is answered by the commit.
            if (ct.CanBeCanceled)
                _registration = ct.Register(() =>
                {
                    if (Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued) _done.TrySetCanceled(_ct);
                });
        }

        public Task<T> Task => _done.Task;

        public bool TryStart() => Interlocked.CompareExchange(ref _state, Started, Queued) == Queued;

        public async Task<bool> RunAsync(SqliteConnection connection, SqliteTransaction tx)
        {
            try
            {
                Task<T> work = null!;
                if (_context is null) work = _work(connection, tx);
                else ExecutionContext.Run(_context, _ => work = _work(connection, tx), null);
                _result = await work;
                return true;
            }
            catch (Exception e)
            {
                _registration.Dispose();
                if (e is OperationCanceledException oce && _ct.IsCancellationRequested) _done.TrySetCanceled(oce.CancellationToken);
                else _done.TrySetException(e);
                return false;
            }
        }

        public void Complete()
        {
            _registration.Dispose();
            _done.TrySetResult(_result);
        }

        public void Fail(Exception e)
        {
            _registration.Dispose();
            _done.TrySetException(e);
        }
    }
}
