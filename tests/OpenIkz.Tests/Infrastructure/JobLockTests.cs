using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OpenIkz.Infrastructure.Jobs;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>
/// A periodic job runs on one instance at a time: on PostgreSQL each instance has its own lock object, and the
/// advisory lock on the server excludes them; on SQLite (one instance) the runners of the instance share one lock.
/// A round whose lock is held elsewhere is skipped; a lock of an instance that dies is released with its connection.
/// </summary>
public abstract class JobLockTests(TestDatabase kind) : OwnDatabaseTest(kind, "job-lock")
{
    private readonly ProcessJobLock _sqliteLock = new();

    /// <summary>The lock as one more instance sees it (PostgreSQL: its own object, as in another process).</summary>
    private IJobLock Instance()
    {
        RequireDatabase();
        return Kind == TestDatabase.Postgres ? new PostgresJobLock(PostgresConnectionString!) : _sqliteLock;
    }

    [SkippableFact]
    public async Task Lock_HeldByOneInstance_IsRefusedToAnother_UntilReleased()
    {
        IJobLock a = Instance(), b = Instance();
        var held = await a.TryAcquireAsync("backup", default);
        Assert.NotNull(held);
        Assert.Null(await b.TryAcquireAsync("backup", default));
        await using (var other = await b.TryAcquireAsync("hold-sweep", default)) Assert.NotNull(other); // another job is free
        await held!.DisposeAsync();
        await using var again = await b.TryAcquireAsync("backup", default);
        Assert.NotNull(again);
        Assert.Null(await a.TryAcquireAsync("backup", default));
    }

    [SkippableFact]
    public async Task Runners_OfThreeInstances_NeverRunOneJobTwiceAtOnce_AndOneOfThemRunsIt()
    {
        var job = new SlowJob();
        var runners = Enumerable.Range(0, 3).Select(_ => new PeriodicJobRunner([job], Instance(), NullLogger<PeriodicJobRunner>.Instance)).ToList();
        var rounds = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => runners[i % 3].RunRoundAsync(job, default)));
        Assert.Equal(1, job.MaxConcurrent);
        Assert.Equal(job.Runs, rounds.Count(ran => ran));
        Assert.True(job.Runs >= 1);
        Assert.True(rounds.Count(ran => !ran) >= 1, "some rounds overlapped and were skipped");
        // Released after every round: a round started after all others ends runs.
        Assert.True(await runners[2].RunRoundAsync(job, default));
    }

    [SkippableFact]
    public async Task FailingRound_ReleasesTheLock()
    {
        var lockOfInstance = Instance();
        var runner = new PeriodicJobRunner([], lockOfInstance, NullLogger<PeriodicJobRunner>.Instance);
        Assert.False(await runner.RunRoundAsync(new FailingJob(), default));
        await using var held = await Instance().TryAcquireAsync(FailingJob.JobName, default);
        Assert.NotNull(held);
    }

    /// <summary>PostgreSQL only (an advisory lock is the server's): run by <see cref="JobLockTestsPostgres"/>.</summary>
    protected async Task LockOfAnInstanceWhoseConnectionDies_IsReleasedByTheServer()
    {
        TestEnvironment.RequirePostgres();
        var held = await Instance().TryAcquireAsync("drill", default);
        Assert.NotNull(held);
        Assert.Null(await Instance().TryAcquireAsync("drill", default));
        // As kill -9 of the instance: its connection ends without an unlock.
        await using (var admin = new NpgsqlConnection(PostgresConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'openikz-job-lock' AND datname = current_database()", admin);
            await kill.ExecuteNonQueryAsync();
        }
        IJobLease? taken = null;
        for (var i = 0; i < 50 && taken is null; i++)
        {
            taken = await Instance().TryAcquireAsync("drill", default);
            if (taken is null) await Task.Delay(100);
        }
        Assert.NotNull(taken);
        await taken!.DisposeAsync();
        await held!.DisposeAsync(); // the dead connection's unlock fails quietly
    }

    /// <summary>PostgreSQL only: a round whose lock connection breaks is stopped (another instance may take the job over).</summary>
    protected async Task RoundWhoseLockIsLost_IsStopped_AndTheJobIsFreeForAnother_Core()
    {
        TestEnvironment.RequirePostgres();
        var job = new WaitingJob();
        var runner = new PeriodicJobRunner([job], new PostgresJobLock(PostgresConnectionString!, TimeSpan.FromMilliseconds(200)), NullLogger<PeriodicJobRunner>.Instance);
        var round = runner.RunRoundAsync(job, default);
        await job.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await using (var admin = new NpgsqlConnection(PostgresConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'openikz-job-lock' AND datname = current_database()", admin);
            await kill.ExecuteNonQueryAsync();
        }
        Assert.False(await round.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(job.Cancelled);
        await using var other = await Instance().TryAcquireAsync(WaitingJob.JobName, default);
        Assert.NotNull(other);
    }

    private sealed class WaitingJob : IPeriodicJob
    {
        public const string JobName = "waiting";
        public readonly TaskCompletionSource Started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool Cancelled;
        public string Name => JobName;
        public TimeSpan Interval => TimeSpan.FromHours(1);

        public async Task<int> RunAsync(CancellationToken ct)
        {
            Started.SetResult();
            try { await Task.Delay(Timeout.Infinite, ct); }
            catch (OperationCanceledException) { Cancelled = true; throw; }
            return 0;
        }
    }

    private sealed class SlowJob : IPeriodicJob
    {
        private int _running;
        public int MaxConcurrent;
        public int Runs;
        public string Name => "slow";
        public TimeSpan Interval => TimeSpan.FromHours(1);

        public async Task<int> RunAsync(CancellationToken ct)
        {
            var now = Interlocked.Increment(ref _running);
            int seen;
            while ((seen = MaxConcurrent) < now && Interlocked.CompareExchange(ref MaxConcurrent, now, seen) != seen) { }
            Interlocked.Increment(ref Runs);
            await Task.Delay(400, ct);
            Interlocked.Decrement(ref _running);
            return 1;
        }
    }

    private sealed class FailingJob : IPeriodicJob
    {
        public const string JobName = "failing";
        public string Name => JobName;
        public TimeSpan Interval => TimeSpan.FromHours(1);
        public Task<int> RunAsync(CancellationToken ct) => throw new InvalidOperationException("kaputt");
    }
}

public sealed class JobLockTestsSqlite() : JobLockTests(TestDatabase.Sqlite);
public sealed class JobLockTestsPostgres() : JobLockTests(TestDatabase.Postgres)
{
    [SkippableFact]
    public Task Lock_OfAnInstanceWhoseConnectionDies_IsReleasedByTheServer() => LockOfAnInstanceWhoseConnectionDies_IsReleasedByTheServer();

    [SkippableFact]
    public Task RoundWhoseLockIsLost_IsStopped_AndTheJobIsFreeForAnother() => RoundWhoseLockIsLost_IsStopped_AndTheJobIsFreeForAnother_Core();
}
