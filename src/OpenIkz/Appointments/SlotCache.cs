using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OpenIkz.Infrastructure;

namespace OpenIkz.Appointments;

/// <summary>
/// The answers of the slot search, kept for <see cref="AppointmentOptions.SlotCacheSeconds"/> per query and shared by the
/// searches that ask the same while it is being computed (a rush of residents asking the same question costs one search).
/// An answer is forgotten as soon as a booking, an office change or a closure of one of its offices is committed in
/// this process (<see cref="Forget"/>, <see cref="ForgetAll"/>), so that whoever booked or changed something sees it in
/// the next search; other instances on the same PostgreSQL are told at once (<see cref="DatabaseNotifications"/>).
/// What no instance is told of (a cancellation, a hold running out, the hold-back of a freed slot ending, an agreement
/// changed) shows after at most the cache time. That is never a double
/// booking: a booking takes its cells under the primary key, so a slot shown free but taken meanwhile is a 409 at the
/// booking, and a slot shown taken but free is offered again a few seconds later. An answer asked for in the last fifth
/// of its time is computed anew in the background while it is still given, so that a rush does not wait for it.
/// </summary>
public sealed class SlotCache(IOptions<AppointmentOptions> options, TimeProvider clock)
{
    /// <summary>The topic of <see cref="DatabaseNotifications"/>: an office id, or "*" for every office.</summary>
    public const string Topic = "slots";
    private readonly DatabaseNotifications? _notifications;

    /// <summary>With several instances: a change committed on another instance forgets the answers here too, at once.</summary>
    public SlotCache(IOptions<AppointmentOptions> options, TimeProvider clock, DatabaseNotifications notifications) : this(options, clock)
    {
        _notifications = notifications;
        notifications.Reconnected += () => Interlocked.Increment(ref _generation); // messages may have been missed meanwhile
        notifications.Subscribe(Topic, data =>
        {
            if (data == "*") Interlocked.Increment(ref _generation);
            else if (long.TryParse(data, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var office)) ForgetHere(office);
        });
    }

    /// <summary>A query after its defaults are filled in, with the day it was asked (closures and agreements count from today).</summary>
    public readonly record struct Key(string Service, string? Municipality, long? OfficeId, DateOnly From, DateOnly To, int Items, DateOnly Today);

    /// <summary>An answer and the offices it was computed from (whose changes make it stale).</summary>
    public sealed record Answer(IReadOnlyList<FreeSlot> Slots, IReadOnlyList<long> OfficeIds);

    private const int MaxEntries = 1000; // answers of 500 slots: about 32 KB each
    private const double RenewAt = 0.8; // of the cache time

    private sealed class Entry(long startedAfter, long generation, DateTimeOffset started, Entry? previous)
    {
        /// <summary>The number of the last change this process had committed when the computation began.</summary>
        public long StartedAfter { get; } = startedAfter;
        public long Generation { get; } = generation;
        public DateTimeOffset Started { get; } = started;
        /// <summary>While this entry renews it: the answer before, given until its time is up (dropped once this one is answered).</summary>
        public Entry? Previous = previous;
        public TaskCompletionSource<Answer> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task<Answer> Task => Completion.Task;
        public CancellationTokenSource Cancel { get; } = new();
        public int Waiters, Renewing;
    }

    private readonly ConcurrentDictionary<Key, Entry> _entries = new();
    private readonly ConcurrentDictionary<long, long> _lastChange = new(); // office → number of its last committed change
    private long _changes, _generation;

    /// <summary>The office's slots changed (a booking, a closure, its hours or services): its answers are stale from now on. Call after the commit.</summary>
    public void Forget(long officeId)
    {
        ForgetHere(officeId);
        _notifications?.Notify(Topic, officeId.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private void ForgetHere(long officeId)
    {
        var change = Interlocked.Increment(ref _changes);
        _lastChange.AddOrUpdate(officeId, change, (_, before) => Math.Max(before, change));
    }

    /// <summary>Which offices are open to whom changed (an office created, the sharing of an agreement): every answer is stale.</summary>
    public void ForgetAll()
    {
        Interlocked.Increment(ref _generation);
        _notifications?.Notify(Topic, "*");
    }

    /// <summary>
    /// The answer to <paramref name="key"/>: a current one kept or being computed, else the one <paramref name="compute"/>
    /// gives. The computation is shared: it is cancelled when every search waiting for it has given up, not before.
    /// </summary>
    public async Task<IReadOnlyList<FreeSlot>> GetAsync(Key key, Func<CancellationToken, Task<Answer>> compute, CancellationToken ct)
    {
        var ttl = TimeSpan.FromSeconds(options.Value.SlotCacheSeconds);
        if (ttl <= TimeSpan.Zero) return (await compute(ct)).Slots;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var now = clock.GetUtcNow();
            _entries.TryGetValue(key, out var entry);
            if (entry is { Task.IsCompleted: false, Previous: { } previous } && IsFresh(previous, now, ttl))
                return previous.Task.Result.Slots; // being renewed; the answer before is still within its time
            if (entry is not null && IsFresh(entry, now, ttl))
            {
                if (now - entry.Started >= ttl * RenewAt && Interlocked.Exchange(ref entry.Renewing, 1) == 0) Renew(key, entry, compute, now);
                return entry.Task.Result.Slots;
            }
            if (entry is null || !MayJoin(entry, now, ttl))
            {
                var fresh = new Entry(Volatile.Read(ref _changes), Volatile.Read(ref _generation), now, previous: null);
                if (!(entry is null ? _entries.TryAdd(key, fresh) : _entries.TryUpdate(key, fresh, entry))) continue; // another search was first
                if (_entries.Count > MaxEntries) Trim(now, ttl);
                _ = RunAsync(key, fresh, compute);
                entry = fresh;
            }
            Interlocked.Increment(ref entry.Waiters);
            try
            {
                var answer = await entry.Task.WaitAsync(ct);
                if (IsCurrent(entry, answer)) return answer.Slots;
                // An office of the answer changed while it was computed: compute again for this search.
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && entry.Task.IsCanceled)
            {
                // Everyone else waiting for it gave up just before this search joined: compute anew.
            }
            finally
            {
                if (Interlocked.Decrement(ref entry.Waiters) == 0 && !entry.Task.IsCompleted) entry.Cancel.Cancel();
            }
        }
    }

    /// <summary>Computes the answer anew in the background (a thread of its own: SQLite reads synchronously) while the old one is still given.</summary>
    private void Renew(Key key, Entry old, Func<CancellationToken, Task<Answer>> compute, DateTimeOffset now)
    {
        var renewal = new Entry(Volatile.Read(ref _changes), Volatile.Read(ref _generation), now, old);
        if (_entries.TryUpdate(key, renewal, old)) _ = System.Threading.Tasks.Task.Run(() => RunAsync(key, renewal, compute));
    }

    private async Task RunAsync(Key key, Entry entry, Func<CancellationToken, Task<Answer>> compute)
    {
        try
        {
            entry.Completion.SetResult(await compute(entry.Cancel.Token));
            entry.Previous = null;
        }
        catch (Exception ex)
        {
            // Not kept: the next search asks again (a 400, a 404, a busy 503, a database error); a renewal leaves the answer before it.
            if (entry.Previous is { } previous) _entries.TryUpdate(key, previous, entry);
            else _entries.TryRemove(new KeyValuePair<Key, Entry>(key, entry));
            if (ex is OperationCanceledException && entry.Cancel.IsCancellationRequested) entry.Completion.SetCanceled(entry.Cancel.Token);
            else entry.Completion.SetException(ex);
        }
    }

    /// <summary>Answered, within the cache time, and no office of it changed since its computation began.</summary>
    private bool IsFresh(Entry entry, DateTimeOffset now, TimeSpan ttl) =>
        entry.Task.IsCompletedSuccessfully && now >= entry.Started && now - entry.Started < ttl && IsCurrent(entry, entry.Task.Result);

    /// <summary>Whether a search may wait for this running computation (checked against its offices when it is done).</summary>
    private bool MayJoin(Entry entry, DateTimeOffset now, TimeSpan ttl) =>
        !entry.Task.IsCompleted && entry.Generation == Volatile.Read(ref _generation) && now >= entry.Started && now - entry.Started < ttl;

    /// <summary>No office of the answer changed since its computation began, and its first slot is not too soon now.</summary>
    private bool IsCurrent(Entry entry, Answer answer)
    {
        if (entry.Generation != Volatile.Read(ref _generation)) return false;
        foreach (var office in answer.OfficeIds)
            if (_lastChange.TryGetValue(office, out var change) && change > entry.StartedAfter) return false;
        return answer.Slots.Count == 0 || answer.Slots[0].Start >= clock.GetUtcNow().UtcDateTime.AddMinutes(options.Value.MinimumLeadMinutes);
    }

    private void Trim(DateTimeOffset now, TimeSpan ttl)
    {
        foreach (var (key, entry) in _entries)
            if (entry.Task.IsCompleted && !IsFresh(entry, now, ttl))
                _entries.TryRemove(new KeyValuePair<Key, Entry>(key, entry));
        if (_entries.Count > MaxEntries)
            foreach (var (key, entry) in _entries)
                if (entry.Task.IsCompleted) _entries.TryRemove(new KeyValuePair<Key, Entry>(key, entry));
    }
}
