using System.Globalization;
using System.Threading.RateLimiting;
using Dapper;
using Microsoft.Extensions.Options;
using OpenIkz.Directory.Services;
using OpenIkz.Infrastructure.Database;
using PublicHoliday;

namespace OpenIkz.Appointments;

/// <summary>A free slot as the public search returns it.</summary>
public sealed record FreeSlot(long OfficeId, string OfficeName, string Municipality, DateTime Start, DateTime End);

/// <summary>A start an office could give: its cells (the capacity units) and the counters working then.</summary>
public sealed record SlotCandidate(DateTime StartUtc, DateTime EndUtc, IReadOnlyList<DateTime> CellsUtc, int Counters);

/// <summary>
/// The grid of an office's day, without I/O: the opening periods of the weekday (Europe/Berlin), cut into cells of the
/// office's slot length; an appointment of n minutes needs ⌈n / slot⌉ consecutive cells of one counter inside one
/// period (never across a break). No slot on a closure day or a public holiday of the office's state.
/// </summary>
public static class SlotGrid
{
    public static IEnumerable<SlotCandidate> Candidates(Office office, int minutes, DateOnly day, bool closedThatDay)
    {
        if (closedThatDay || minutes <= 0) yield break;
        var weekday = day.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)day.DayOfWeek;
        var cells = (minutes + office.SlotMinutes - 1) / office.SlotMinutes;
        foreach (var period in office.Hours.Where(h => h.Weekday == weekday).OrderBy(h => h.Opens, StringComparer.Ordinal))
        {
            var opens = TimeOnly.ParseExact(period.Opens, "HH:mm", CultureInfo.InvariantCulture);
            var closes = TimeOnly.ParseExact(period.Closes, "HH:mm", CultureInfo.InvariantCulture);
            // The offset from UTC is the same at both ends of the period unless summer time begins or ends within it; then
            // every start is converted by itself (the search builds thousands of starts: the conversion was most of it).
            var offset = BerlinTime.Zone.GetUtcOffset(day.ToDateTime(opens));
            var sameOffset = offset == BerlinTime.Zone.GetUtcOffset(day.ToDateTime(closes))
                && !BerlinTime.Zone.IsInvalidTime(day.ToDateTime(opens)) && !BerlinTime.Zone.IsInvalidTime(day.ToDateTime(closes));
            for (var t = opens; t.AddMinutes(cells * office.SlotMinutes) <= closes && t >= opens; t = t.AddMinutes(office.SlotMinutes))
            {
                var local = day.ToDateTime(t, DateTimeKind.Unspecified);
                DateTime start;
                if (sameOffset) start = DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
                else if (BerlinTime.Zone.IsInvalidTime(local)) continue; // the hour skipped when summer time begins
                else start = TimeZoneInfo.ConvertTimeToUtc(local, BerlinTime.Zone);
                var cellStarts = new DateTime[cells];
                for (var i = 0; i < cells; i++) cellStarts[i] = start.AddMinutes(i * office.SlotMinutes);
                yield return new SlotCandidate(start, start.AddMinutes(minutes), cellStarts, period.Counters + office.ExtraCounters(period.Counters));
                if (t.AddMinutes(office.SlotMinutes) < t) yield break; // midnight
            }
        }
    }

    /// <summary>The lowest counter whose cells are all free, or null.</summary>
    public static int? FreeCounter(SlotCandidate candidate, ISet<(int Counter, DateTime Cell)> occupied)
    {
        var cells = candidate.CellsUtc;
        for (var counter = 1; counter <= candidate.Counters; counter++)
        {
            var free = true;
            for (var i = 0; i < cells.Count && free; i++) free = !occupied.Contains((counter, cells[i]));
            if (free) return counter;
        }
        return null;
    }

    /// <summary>
    /// The public holidays of a state (ISO 3166-2 code without "DE-", e.g. RP), by the PublicHoliday library, each day
    /// asked once per process (the library computes the year's holidays on every call: 10 µs, per office and day of a search).
    /// </summary>
    public static bool IsPublicHoliday(string state, DateOnly day) => Holidays.GetOrAdd((state, day), static key =>
    {
        var calendar = new GermanPublicHoliday { State = Enum.TryParse<GermanPublicHoliday.States>(key.State, ignoreCase: true, out var s) ? s : GermanPublicHoliday.States.ALL };
        return calendar.IsPublicHoliday(key.Day.ToDateTime(TimeOnly.MinValue));
    });

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string State, DateOnly Day), bool> Holidays = new();
}

/// <summary>The slot search is full: too many searches are being computed and waiting (503 with Retry-After).</summary>
public sealed class SlotSearchBusyException() : Exception("Gerade suchen sehr viele Menschen nach Terminen. Bitte versuchen Sie es in wenigen Sekunden noch einmal.")
{
    /// <summary>When to ask again (a searched answer is kept for a few seconds, so the next try is likely answered at once).</summary>
    public TimeSpan RetryAfter { get; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// The slot search over one office or every office open to a resident. Answers are kept for a few seconds and shared by
/// the searches that ask the same at once (<see cref="SlotCache"/>). The public search (<see cref="SearchAsync"/>: the API
/// and the booking page) is admitted: at most <see cref="AppointmentOptions.SearchConcurrency"/> searches are computed
/// at once and <see cref="AppointmentOptions.SearchQueue"/> wait; any more are refused at once
/// (<see cref="SlotSearchBusyException"/>), so that a rush is answered or refused quickly instead of slowing every search
/// down until all of them time out (bench appt, before: at 20 searches/s most took longer than 10 s).
/// </summary>
public sealed class SlotFinder(Db db, Offices offices, SlotCache cache, IOptions<AppointmentOptions> options, TimeProvider clock)
{
    public const int MaxSlots = 500;

    public sealed record Query(string? Service, string? Municipality, long? OfficeId, DateOnly? From, DateOnly? To, int Items = 1);

    private readonly ConcurrencyLimiter _admission = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = options.Value.SearchConcurrency > 0 ? options.Value.SearchConcurrency : Environment.ProcessorCount,
        QueueLimit = options.Value.SearchQueue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    /// <summary>The public search (API, booking page): <see cref="FindAsync"/>, refused with <see cref="SlotSearchBusyException"/> when full.</summary>
    public Task<IReadOnlyList<FreeSlot>> SearchAsync(Query q, CancellationToken ct = default) => FindAsync(q, admitted: true, ct);

    /// <summary>The free slots, earliest first, at most <see cref="MaxSlots"/>; never refused for load (the e-mails of a closed day use it).</summary>
    public Task<IReadOnlyList<FreeSlot>> FindAsync(Query q, CancellationToken ct = default) => FindAsync(q, admitted: false, ct);

    /// <summary>The office's slots changed (a booking or a move to it was committed): its kept answers are not given again.</summary>
    public void Forget(long officeId) => cache.Forget(officeId);

    private async Task<IReadOnlyList<FreeSlot>> FindAsync(Query q, bool admitted, CancellationToken ct)
    {
        var o = options.Value;
        var today = BerlinTime.Today(clock);
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(q.Service)) errors.Add("service", "Bitte die Leistung angeben.");
        else if (ServiceCatalog.Find(q.Service) is null) errors.Add("service", $"Die Leistung '{q.Service}' gibt es nicht.");
        if (q.Municipality is null && q.OfficeId is null) errors.Add("municipality", "Bitte Ihre Kommune (amtlicher Schlüssel) oder eine Dienststelle angeben.");
        var from = q.From ?? today;
        if (from > today.AddDays(o.BookingHorizonDays)) { errors.Add("from", $"Termine gibt es höchstens {o.BookingHorizonDays} Tage im Voraus."); from = today; }
        var to = q.To ?? from.AddDays(13);
        if (from < today) errors.Add("from", "Der Beginn liegt in der Vergangenheit.");
        if (to < from) errors.Add("to", "Das Ende liegt vor dem Beginn.");
        else if (to.DayNumber - from.DayNumber > o.BookingHorizonDays) errors.Add("to", $"Es werden höchstens {o.BookingHorizonDays} Tage auf einmal gesucht.");
        if (to > today.AddDays(o.BookingHorizonDays)) to = today.AddDays(o.BookingHorizonDays);
        if (q.Items is < 1 or > 20) errors.Add("items", "Die Anzahl liegt zwischen 1 und 20.");
        if (errors.Count > 0) throw new ValidationException(errors);

        var query = q with { From = from, To = to };
        var key = new SlotCache.Key(q.Service!, q.Municipality, q.OfficeId, from, to, q.Items, today);
        try
        {
            return await cache.GetAsync(key, shared => ComputeAsync(query, admitted, shared), ct);
        }
        catch (SlotSearchBusyException) when (!admitted)
        {
            return (await ComputeAsync(query, admitted: false, ct)).Slots; // it had joined a public search that was refused
        }
    }

    private async Task<SlotCache.Answer> ComputeAsync(Query q, bool admitted, CancellationToken ct)
    {
        using var lease = admitted ? await _admission.AcquireAsync(1, ct) : null;
        if (lease is { IsAcquired: false }) throw new SlotSearchBusyException();
        var candidates = await offices.ListAsync(q.Service, q.Municipality, ct);
        if (q.OfficeId is { } only)
        {
            candidates = candidates.Where(x => x.Id == only).ToList();
            if (candidates.Count == 0)
            {
                if (q.Municipality is not null && await IsOfficeAsync(only, ct))
                    throw ValidationException.For("office", "Diese Dienststelle steht Einwohnerinnen und Einwohnern Ihrer Kommune für diese Leistung nicht offen.");
                throw new OfficeNotFoundException();
            }
        }
        var officeIds = candidates.Select(x => x.Id).ToList();
        if (candidates.Count == 0) return new SlotCache.Answer([], officeIds);

        var earliest = clock.GetUtcNow().UtcDateTime.AddMinutes(options.Value.MinimumLeadMinutes);
        var (from, to) = (q.From!.Value, q.To!.Value);
        var slots = new List<FreeSlot>();
        // A week at a time, earliest first, until the answer is full: the taken cells are read only for the days the
        // answer needs (bench appt: reading all eight weeks cost 95 ms p50 of SQL for an answer that ended on day four).
        for (var windowStart = from; windowStart <= to && slots.Count < MaxSlots; windowStart = windowStart.AddDays(7))
        {
            var windowEnd = windowStart.AddDays(6) < to ? windowStart.AddDays(6) : to;
            var occupied = await OccupiedAsync(candidates, BerlinTime.StartOfDayUtc(windowStart), BerlinTime.StartOfDayUtc(windowEnd.AddDays(1)), ct);
            var found = new List<FreeSlot>();
            foreach (var office in candidates)
            {
                ct.ThrowIfCancellationRequested(); // a search nobody waits for any more stops here
                var service = office.Services.Single(s => s.Service == q.Service);
                if (q.Items > service.MaxItems) continue;
                var minutes = service.MinutesFor(q.Items);
                var closed = office.Closures.Select(c => c.Day).ToHashSet();
                var taken = occupied.TryGetValue(office.Id, out var set) ? set : [];
                for (var day = windowStart; day <= windowEnd; day = day.AddDays(1))
                {
                    var isClosed = closed.Contains(day) || SlotGrid.IsPublicHoliday(office.State, day);
                    foreach (var candidate in SlotGrid.Candidates(office, minutes, day, isClosed))
                        if (candidate.StartUtc >= earliest && SlotGrid.FreeCounter(candidate, taken) is not null)
                            found.Add(new FreeSlot(office.Id, office.Name, office.MunicipalityName, candidate.StartUtc, candidate.EndUtc));
                }
            }
            slots.AddRange(found.OrderBy(s => s.Start).ThenBy(s => s.OfficeId));
        }
        return new SlotCache.Answer(slots.Take(MaxSlots).ToList(), officeIds);
    }

    private async Task<bool> IsOfficeAsync(long id, CancellationToken ct) =>
        await db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointment_offices WHERE id = @Id AND active = TRUE", new { Id = id }, ct) > 0;

    /// <summary>
    /// The cells taken in [@From, @To) of the offices @Ids on the counters @Counters at @Now: booked, held by a reservation
    /// that has not expired, or freed and still held back. Expired holds count as free even before the sweep has removed
    /// them: their ids come once from the partial hold index (NOT IN) instead of a join per cell. The counters are listed
    /// so that the primary key (office, counter, cell_start) seeks the time range per counter instead of reading every
    /// cell of the office (bench appt: 0.35–0.7 of the per-cell join over all counters). The benchmark runs it bare.
    /// </summary>
    internal static string OccupiedSql(Db db) => $"""
        SELECT c.office_id, c.counter, c.cell_start FROM appointment_cells c
        WHERE {db.InList("c.office_id", "Ids")} AND {db.InList("c.counter", "Counters")} AND c.cell_start >= @From AND c.cell_start < @To
          AND NOT (c.appointment_id IS NULL AND (c.held_until IS NULL OR c.held_until <= @Now))
          AND (c.appointment_id IS NULL OR c.appointment_id NOT IN (SELECT id FROM appointments WHERE status = 'reserved' AND expires_at <= @Now))
        """;

    /// <summary>The parameters of <see cref="OccupiedSql"/> for the offices: their ids and the counters 1 … the most any of them opens.</summary>
    internal static object OccupiedParameters(IReadOnlyList<Office> offices, DateTime fromUtc, DateTime toUtc, DateTime now) => new
    {
        Ids = offices.Select(o => o.Id).ToArray(),
        Counters = Enumerable.Range(1, Math.Max(1, offices.SelectMany(o => o.Hours).Select(h => h.Counters).DefaultIfEmpty(1).Max())).ToArray(),
        From = fromUtc, To = toUtc, Now = now,
    };

    /// <summary>
    /// The taken cells per office, read row by row into the sets (not into a list of tuples first: a search after the
    /// benchmark's bookings reads 13,000 cells).
    /// </summary>
    internal async Task<Dictionary<long, HashSet<(int Counter, DateTime Cell)>>> OccupiedAsync(IReadOnlyList<Office> offices, DateTime fromUtc, DateTime toUtc, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await OccupiedAsync(c, offices, fromUtc, toUtc, ct);
    }

    /// <summary>The same on an open connection (the booking's checks read on one).</summary>
    internal async Task<Dictionary<long, HashSet<(int Counter, DateTime Cell)>>> OccupiedAsync(System.Data.Common.DbConnection c, IReadOnlyList<Office> offices, DateTime fromUtc, DateTime toUtc, CancellationToken ct)
    {
        await using var rows = await c.ExecuteReaderAsync(new CommandDefinition(OccupiedSql(db), OccupiedParameters(offices, fromUtc, toUtc, clock.GetUtcNow().UtcDateTime), cancellationToken: ct));
        var taken = new Dictionary<long, HashSet<(int Counter, DateTime Cell)>>();
        HashSet<(int Counter, DateTime Cell)>? set = null;
        var setOffice = long.MinValue;
        while (await rows.ReadAsync(ct))
        {
            var office = rows.GetInt64(0);
            if (office != setOffice && !taken.TryGetValue(setOffice = office, out set)) taken[office] = set = [];
            set!.Add((rows.GetInt32(1), db.GetUtc(rows, 2)));
        }
        return taken;
    }
}
