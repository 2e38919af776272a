using Dapper;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>
/// SQLite group commit: concurrent write transactions share commits (fewer commits than transactions), every one that
/// was answered is in the file, a transaction that throws leaves nothing behind while its batch-mates are kept, a
/// caller that gives up while queued writes nothing, and the caller's execution context (AsyncLocal) reaches its work.
/// The acknowledged-writes-survive-kill-9 check is DurabilityTests, which runs the real server on SQLite.
/// </summary>
public sealed class GroupCommitTests : IDisposable
{
    private readonly string _folder = TestEnvironment.NewTempDirectory("group-commit");
    private readonly Db _db;

    public GroupCommitTests()
    {
        _db = Db.ForSqlite(Path.Combine(_folder, "g.db"));
        using var c = _db.OpenAsync().GetAwaiter().GetResult();
        c.Execute("PRAGMA journal_mode=WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, writer INTEGER NOT NULL, n INTEGER NOT NULL)");
    }

    public void Dispose()
    {
        _db.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private Task<long> InsertAsync(int writer, int n) =>
        _db.InTransactionAsync((c, tx) => c.ExecuteScalarAsync<long>("INSERT INTO t (writer, n) VALUES (@writer, @n) RETURNING id", new { writer, n }, tx));

    [Fact]
    public async Task ConcurrentTransactions_ShareCommits_AndEveryAnsweredOneIsWritten()
    {
        var before = _db.GroupCommitCounts!.Value;
        const int writers = 32, each = 25;
        var ids = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var mine = new List<long>();
            for (var i = 0; i < each; i++) mine.Add(await InsertAsync(w, i));
            return mine;
        })));
        var after = _db.GroupCommitCounts!.Value;
        Assert.Equal(writers * each, after.Transactions - before.Transactions);
        Assert.True(after.Commits - before.Commits < writers * each, $"{after.Commits - before.Commits} commits for {writers * each} transactions: none were grouped");
        // A fresh connection (another process would see the same) finds every answered row.
        using var other = Db.ForSqlite(Path.Combine(_folder, "g.db"), groupCommit: false);
        var stored = (await other.QueryAsync<long>("SELECT id FROM t")).ToHashSet();
        Assert.All(ids.SelectMany(x => x), id => Assert.Contains(id, stored));
        Assert.Equal(writers * each, stored.Count);
    }

    [Fact]
    public async Task ATransactionThatThrows_IsUndoneAlone_ItsBatchMatesAreKept()
    {
        var (started, release) = (new TaskCompletionSource(), new TaskCompletionSource());
        // The first transaction holds the committer, so that the next ones queue up and are committed as one batch.
        var first = _db.InTransactionAsync(async (c, tx) =>
        {
            await c.ExecuteAsync("INSERT INTO t (writer, n) VALUES (0, 0)", transaction: tx);
            started.SetResult();
            await release.Task;
            return 0;
        });
        await started.Task;
        var good1 = InsertAsync(1, 1);
        var bad = _db.InTransactionAsync<long>(async (c, tx) =>
        {
            await c.ExecuteAsync("INSERT INTO t (writer, n) VALUES (2, 2)", transaction: tx);
            throw new InvalidOperationException("refused by a rule");
        });
        var good2 = InsertAsync(3, 3);
        await Task.Delay(100);
        var commits = _db.GroupCommitCounts!.Value.Commits;
        release.SetResult();
        await first;
        await Task.WhenAll(good1, good2);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => bad);
        Assert.Equal("refused by a rule", error.Message);
        Assert.Equal(commits + 2, _db.GroupCommitCounts!.Value.Commits); // the first alone, then the three together
        Assert.Equal([0L, 1L, 3L], (await _db.QueryAsync<long>("SELECT writer FROM t ORDER BY writer")).ToList());
    }

    [Fact]
    public async Task ACallerThatGivesUpWhileQueued_WritesNothing()
    {
        var (started, release) = (new TaskCompletionSource(), new TaskCompletionSource());
        var first = _db.InTransactionAsync(async (_, _) => { started.SetResult(); await release.Task; return 0; });
        await started.Task;
        using var giveUp = new CancellationTokenSource();
        var queued = _db.InTransactionAsync((c, tx) => c.ExecuteAsync("INSERT INTO t (writer, n) VALUES (9, 9)", transaction: tx), giveUp.Token);
        await Task.Delay(50);
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        release.SetResult();
        await first;
        await InsertAsync(1, 1); // the committer goes on
        Assert.Equal(0, await _db.QuerySingleAsync<long>("SELECT COUNT(*) FROM t WHERE writer = 9"));
    }

    private static readonly AsyncLocal<string?> Caller = new();

    [Fact]
    public async Task TheWork_RunsInItsCallersExecutionContext()
    {
        Caller.Value = "request 42";
        var seen = await _db.InTransactionAsync((_, _) => Task.FromResult(Caller.Value));
        Assert.Equal("request 42", seen);
    }

    [Fact]
    public async Task WithoutGroupCommit_EachTransactionCommitsAlone()
    {
        using var single = Db.ForSqlite(Path.Combine(_folder, "g.db"), groupCommit: false);
        Assert.Null(single.GroupCommitCounts);
        await single.InTransactionAsync((c, tx) => c.ExecuteAsync("INSERT INTO t (writer, n) VALUES (5, 5)", transaction: tx));
        Assert.Equal(1, await single.QuerySingleAsync<long>("SELECT COUNT(*) FROM t WHERE writer = 5"));
    }
}
