using Microsoft.Extensions.DependencyInjection;
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
        first.Board.Publish(7, call);
        Assert.Equal(call, Assert.Single(first.Board.Recent(7))); // on its own instance at once

        if (Kind == TestDatabase.Postgres)
        {
            Assert.True(await next);
            Assert.Equal(call, onSecond.Current);
            Assert.Equal(call, Assert.Single(second.Board.Recent(7)));
            // Its own message is not handled again: a later call of the second instance arrives at the first, and
            // the first then holds exactly these two (its own one once).
            using var waiting = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var onFirst = first.Board.ListenAsync(7, waiting.Token).GetAsyncEnumerator(waiting.Token);
            var marker = onFirst.MoveNextAsync().AsTask();
            var later = new Call("K-0815", 1, call.At.AddMinutes(1));
            second.Board.Publish(7, later);
            Assert.True(await marker);
            Assert.Equal(later, onFirst.Current);
            Assert.Equal([later, call], first.Board.Recent(7));
            await waiting.CancelAsync();
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

/// <summary>The app wires it: its CallBoard and SlotCache tell other instances, and its host listens (PostgreSQL).</summary>
public abstract class InstanceNotificationsWiringTests(OpenIkzApp fixture)
{
    [SkippableFact]
    public async Task TheAppsCallBoard_ReachesAnotherInstance_AndItsHostListens()
    {
        var app = fixture.Require();
        var bus = app.Services.GetRequiredService<DatabaseNotifications>();
        Assert.Contains(app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>(), s => ReferenceEquals(s, bus));
        if (fixture.Database == TestDatabase.Sqlite)
        {
            Assert.False(bus.Shared);
            return;
        }
        await bus.Listening.WaitAsync(TimeSpan.FromSeconds(20));
        // Another instance on the app's database.
        using var otherDb = Db.ForPostgres(app.PostgresConnectionString!);
        var other = new DatabaseNotifications(otherDb, NullLogger<DatabaseNotifications>.Instance);
        var otherBoard = new CallBoard(other);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await other.StartAsync(stop.Token);
        await other.Listening.WaitAsync(TimeSpan.FromSeconds(20));
        var stream = otherBoard.ListenAsync(4242, stop.Token).GetAsyncEnumerator(stop.Token);
        var next = stream.MoveNextAsync().AsTask();
        var call = new Call("W-1234", 2, new DateTime(2026, 12, 4, 10, 0, 0, DateTimeKind.Utc));
        app.Services.GetRequiredService<CallBoard>().Publish(4242, call);
        Assert.True(await next);
        Assert.Equal(call, stream.Current);
        await stop.CancelAsync();
        await other.StopAsync(CancellationToken.None);
    }
}

public sealed class InstanceNotificationsWiringTestsSqlite(SqliteApp app) : InstanceNotificationsWiringTests(app), IClassFixture<SqliteApp>;
public sealed class InstanceNotificationsWiringTestsPostgres(PostgresApp app) : InstanceNotificationsWiringTests(app), IClassFixture<PostgresApp>;
