using System.Collections.Concurrent;
using Npgsql;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Infrastructure;

/// <summary>
/// Tells the other instances on the same database that something kept in memory changed (a call for a waiting-room
/// display, an office whose kept slot answers are stale). PostgreSQL: <c>NOTIFY openikz</c> with the payload
/// <c>origin|topic|data</c>, and one connection per instance that <c>LISTEN</c>s and hands each message of another
/// instance to the handlers of its topic. SQLite (one instance): nothing to tell. The sender handles its own change
/// at once, in its own process; a message is never handed back to the instance that sent it. A message sent while an
/// instance's listening connection is down is lost for that instance (it reconnects within a few seconds): what is
/// told here is a hint to refresh kept state, never the state itself.
/// </summary>
public sealed class DatabaseNotifications(Db db, ILogger<DatabaseNotifications> logger) : BackgroundService
{
    public const string Channel = "openikz";

    /// <summary>This process, so that it skips its own messages.</summary>
    public string Origin { get; } = Guid.NewGuid().ToString("N");

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, Action<string>>> _handlers = new(StringComparer.Ordinal);

    /// <summary>Whether messages go to other instances at all (PostgreSQL).</summary>
    public bool Shared => db.Kind == DatabaseKind.Postgres;

    /// <summary>Calls <paramref name="handler"/> with the data of every message of <paramref name="topic"/> another instance sends.</summary>
    public IDisposable Subscribe(string topic, Action<string> handler)
    {
        var id = Guid.NewGuid();
        _handlers.GetOrAdd(topic, _ => new())[id] = handler;
        return new Subscription(() => _handlers.GetOrAdd(topic, _ => new()).TryRemove(id, out _));
    }

    /// <summary>
    /// Tells the other instances, without waiting (the caller's request neither waits for it nor fails with it; a
    /// failure is logged, and the others refresh at their cache time). The messages go into an outbox
    /// that one sender empties, many at once and each only once per batch, in one statement on one connection, so a
    /// burst of bookings costs a few statements, not one connection per booking. The outbox keeps at most 10,000
    /// messages (the oldest are dropped: the others then refresh at their cache time).
    /// </summary>
    public void Notify(string topic, string data)
    {
        if (!Shared) return;
        _outbox.Writer.TryWrite($"{Origin}|{topic}|{data}");
        if (Interlocked.Exchange(ref _sending, 1) == 0) _ = Task.Run(SendOutboxAsync);
    }

    private readonly System.Threading.Channels.Channel<string> _outbox = System.Threading.Channels.Channel.CreateBounded<string>(
        new System.Threading.Channels.BoundedChannelOptions(10_000) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest, SingleReader = true });
    private int _sending;

    private async Task SendOutboxAsync()
    {
        var reader = _outbox.Reader;
        while (await reader.WaitToReadAsync())
        {
            var batch = new HashSet<string>(StringComparer.Ordinal);
            while (batch.Count < 500 && reader.TryRead(out var payload)) batch.Add(payload);
            try
            {
                await db.ExecuteAsync("SELECT pg_notify(@Channel, p) FROM unnest(@Payloads) AS p", new { Channel, Payloads = batch.ToArray() });
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                logger.LogWarning("Could not tell the other instances of {Count} change(s): {ExceptionType}", batch.Count, e.GetType().Name);
            }
        }
    }

    /// <summary>Hands a message to its topic's handlers, unless this process sent it.</summary>
    internal void Dispatch(string payload)
    {
        var parts = payload.Split('|', 3);
        if (parts.Length != 3 || parts[0] == Origin || !_handlers.TryGetValue(parts[1], out var handlers)) return;
        foreach (var handler in handlers.Values)
        {
            try { handler(parts[2]); }
            catch (Exception e) { logger.LogError("A handler of {Topic} failed: {ExceptionType}", parts[1], e.GetType().Name); }
        }
    }

    /// <summary>Completed when the listening connection is up the first time: tests wait for it.</summary>
    public Task Listening => _listening.Task;

    /// <summary>
    /// Raised when the listening connection is up again after it broke: what was told meanwhile is lost, so whoever
    /// keeps something in memory refreshes all of it (the slot answers are forgotten).
    /// </summary>
    public event Action? Reconnected;
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Shared) return;
        var connectionString = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Pooling = false, ApplicationName = "openikz-listen", KeepAlive = 30 }.ConnectionString;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) => Dispatch(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                if (!_listening.TrySetResult())
                    try { Reconnected?.Invoke(); }
                    catch (Exception e) { logger.LogError("A reconnect handler failed: {ExceptionType}", e.GetType().Name); }
                while (!stoppingToken.IsCancellationRequested) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever broke, the listener does not end (an ended BackgroundService would stop the host).
                logger.LogWarning("The connection listening for other instances' changes broke ({ExceptionType}); reconnecting", e.GetType().Name);
                try { await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
