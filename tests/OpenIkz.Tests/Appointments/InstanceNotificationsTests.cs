using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenIkz.Appointments;
using OpenIkz.Infrastructure;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Appointments;

/// <summary>
/// What one instance keeps in memory follows the others on the same PostgreSQL (LISTEN/NOTIFY): a call made on one
/// reaches the waiting-room displays connected to another, and a booking on one makes another forget its kept slot
/// answers at once; an instance never handles its own message twice. SQLite (one instance): the call is shown at once
/// and nothing is sent.
/// </summary>
public abstract class InstanceNotificationsTests(TestDatabase kind) : OwnDatabaseTest(kind, "instance-notifications")
{
    private sealed class Instance : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        public Db Db { get; }
        public DatabaseNotifications Bus { get; }
        public CallBoard Board { get; }
        public SlotCache Slots { get; }

        public Instance(Db db)
        {
            Db = db;
            Bus = new DatabaseNotifications(db, NullLogger<DatabaseNotifications>.Instance);
            Board = new CallBoard(Bus);
            Slots = new SlotCache(Options.Create(new AppointmentOptions { SlotCacheSeconds = 300 }), TimeProvider.System, Bus);
        }

        public async Task StartAsync()
        {
            await Bus.StartAsync(_stop.Token);
            if (Bus.Shared) await Bus.Listening.WaitAsync(TimeSpan.FromSeconds(20));
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Bus.StopAsync(CancellationToken.None);
            Db.Dispose();
        }
    }

    private async Task<Instance> StartAsync()
    {
        RequireDatabase();
        var instance = new Instance(OpenDatabase());
        await instance.StartAsync();
        return instance;
    }

    [SkippableFact]
    public async Task ACall_OnOneInstance_ReachesTheDisplaysOfAnother_Once()
    {
        await using var first = await StartAsync();
        await using var second = await StartAsync();
        using var listening = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var onSecond = second.Board.ListenAsync(7, listening.Token).GetAsyncEnumerator(listening.Token);
        var next = onSecond.MoveNextAsync().AsTask();

        var call = new Call("K-4711", 3, new DateTime(2026, 12, 4, 9, 30, 0, DateTimeKind.Utc));
        await first.Board.PublishAsync(7, call);
        Assert.Equal(call, Assert.Single(first.Board.Recent(7))); // on its own instance at once

        if (Kind == TestDatabase.Postgres)
        {
            Assert.True(await next);
            Assert.Equal(call, onSecond.Current);
            Assert.Equal(call, Assert.Single(second.Board.Recent(7)));
            await Task.Delay(300);
            Assert.Single(first.Board.Recent(7)); // its own message is not handled again
        }
        else
        {
            Assert.False(first.Bus.Shared);
            await Task.Delay(300);
            Assert.False(next.IsCompleted); // one instance: nothing is sent to another
        }
        await listening.CancelAsync();
        try { await next; } catch (OperationCanceledException) { }
    }

    [SkippableFact]
    public async Task ABooking_OnOneInstance_MakesAnotherForgetItsKeptAnswers()
    {
        await using var first = await StartAsync();
        await using var second = await StartAsync();
        var key = new SlotCache.Key("kfz-zulassung", "07311000", null, new DateOnly(2026, 12, 7), new DateOnly(2026, 12, 20), 1, new DateOnly(2026, 12, 4));
        var computed = 0;
        Task<SlotCache.Answer> Compute(CancellationToken _) { Interlocked.Increment(ref computed); return Task.FromResult(new SlotCache.Answer([], [5])); }

        await second.Slots.GetAsync(key, Compute, default);
        await second.Slots.GetAsync(key, Compute, default);
        Assert.Equal(1, computed); // kept

        first.Slots.Forget(5); // a booking at office 5, committed on the first instance
        if (Kind == TestDatabase.Postgres)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (computed == 1 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
                await second.Slots.GetAsync(key, Compute, default);
            }
            Assert.Equal(2, computed);
        }
        else
        {
            await Task.Delay(300);
            await second.Slots.GetAsync(key, Compute, default);
            Assert.Equal(1, computed); // SQLite runs one instance: nothing is sent
        }
    }
}

public sealed class InstanceNotificationsTestsSqlite() : InstanceNotificationsTests(TestDatabase.Sqlite);
public sealed class InstanceNotificationsTestsPostgres() : InstanceNotificationsTests(TestDatabase.Postgres);
