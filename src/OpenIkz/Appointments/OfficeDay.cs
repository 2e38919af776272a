using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Dapper;
using OpenIkz.Directory.Services;
using OpenIkz.Infrastructure;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Appointments;

/// <summary>One appointment of an office's day as the staff see it.</summary>
public sealed record DayAppointment(string Id, DateTime Start, DateTime End, string Service, string ServiceName, string Name, int Items, string Status,
    string? CheckinCode, DateTime? CheckedInAt, DateTime? CalledAt, int? CalledCounter, DateTime? NoShowAt)
{
    /// <summary>"erwartet", "eingecheckt", "aufgerufen (Schalter 2)", "nicht erschienen", "reserviert (unbestätigt)".</summary>
    public string StateLabel => NoShowAt is not null ? "nicht erschienen"
        : CalledAt is not null ? $"aufgerufen (Schalter {CalledCounter})"
        : CheckedInAt is not null ? "eingecheckt"
        : Status == "reserved" ? "reserviert (unbestätigt)"
        : "erwartet";
}

/// <summary>A call on the waiting-room display: the check-in code and the counter.</summary>
public sealed record Call(string Code, int Counter, DateTime At);

/// <summary>No-shows of one office and service over the last <see cref="OfficeDay.RateDays"/> days.</summary>
public sealed record NoShowRate(long OfficeId, string OfficeName, string Service, string ServiceName, int Appointments, int NoShows)
{
    public decimal? Percent => Appointments == 0 ? null : Math.Round(100m * NoShows / Appointments, 1);
}

/// <summary>
/// The calls of each office for its waiting-room display: the last calls, and every open display stream told of a new
/// one at once (server-sent events, no polling). With several instances on one PostgreSQL a call made on one instance
/// reaches the displays connected to every other at once (<see cref="DatabaseNotifications"/>, LISTEN/NOTIFY).
/// </summary>
public sealed class CallBoard
{
    /// <summary>The topic of <see cref="DatabaseNotifications"/>: "officeId|code|counter|at".</summary>
    public const string Topic = "calls";
    private const int Kept = 8;
    private readonly DatabaseNotifications? _notifications;

    public CallBoard() { }

    public CallBoard(DatabaseNotifications notifications)
    {
        _notifications = notifications;
        notifications.Subscribe(Topic, data =>
        {
            var parts = data.Split('|');
            if (parts.Length == 4 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var office)
                && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var counter)
                && DateTime.TryParse(parts[3], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at))
                Deliver(office, new Call(parts[1], counter, at));
        });
    }
    private readonly ConcurrentDictionary<long, List<Call>> _recent = new();
    private readonly ConcurrentDictionary<long, ConcurrentDictionary<Guid, Channel<Call>>> _listeners = new();

    public IReadOnlyList<Call> Recent(long officeId)
    {
        var list = _recent.GetOrAdd(officeId, _ => []);
        lock (list) return list.ToList();
    }

    /// <summary>
    /// Shows the call on this instance's displays at once and tells the other instances (through the outbox of
    /// <see cref="DatabaseNotifications"/>: the call's request neither waits for it nor fails with it).
    /// </summary>
    public void Publish(long officeId, Call call)
    {
        Deliver(officeId, call);
        _notifications?.Notify(Topic, string.Join('|', officeId.ToString(CultureInfo.InvariantCulture), call.Code.Replace("|", "", StringComparison.Ordinal),
            call.Counter.ToString(CultureInfo.InvariantCulture), call.At.ToString("O", CultureInfo.InvariantCulture)));
    }

    private void Deliver(long officeId, Call call)
    {
        var list = _recent.GetOrAdd(officeId, _ => []);
        lock (list)
        {
            list.Insert(0, call);
            if (list.Count > Kept) list.RemoveRange(Kept, list.Count - Kept);
        }
        foreach (var channel in _listeners.GetOrAdd(officeId, _ => new()).Values) channel.Writer.TryWrite(call);
    }

    /// <summary>The calls from now on, until the listener goes away.</summary>
    public async IAsyncEnumerable<Call> ListenAsync(long officeId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var id = Guid.NewGuid();
        var channel = Channel.CreateBounded<Call>(new BoundedChannelOptions(32) { FullMode = BoundedChannelFullMode.DropOldest });
        var listeners = _listeners.GetOrAdd(officeId, _ => new());
        listeners[id] = channel;
        try
        {
            await foreach (var call in channel.Reader.ReadAllAsync(ct)) yield return call;
        }
        finally
        {
            listeners.TryRemove(id, out _);
        }
    }
}

/// <summary>
/// The office's day for its staff (people of the office's municipality): today's appointments, check-in by the code
/// from the confirmation, the call to a counter (shown on the display), the no-show, and the measured no-show rates.
/// Another municipality's office is not found.
/// </summary>
public sealed class OfficeDay(Db db, Offices offices, CallBoard board, TimeProvider clock)
{
    public const int RateDays = 90;

    /// <summary>After this many minutes past its start an appointment without check-in may be marked as a no-show.</summary>
    public const int NoShowAfterMinutes = 10;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<Office> OwnOfficeAsync(Actor staff, long officeId, CancellationToken ct = default)
    {
        if (!staff.IsUser) throw new OfficeNotFoundException();
        var office = await offices.GetAsync(officeId, ct);
        return office.MunicipalityAgs == staff.Ags ? office : throw new OfficeNotFoundException();
    }

    public async Task<IReadOnlyList<Office>> OwnOfficesAsync(Actor staff, CancellationToken ct = default) =>
        (await offices.ListAsync(null, null, ct)).Where(o => o.MunicipalityAgs == staff.Ags).ToList();

    /// <summary>How far back and ahead of today the staff may look at a day (the booking horizon is at most a year).</summary>
    public const int DayRangeDays = 366;

    /// <summary>The appointments of an own office on <paramref name="day"/> (today, Europe/Berlin, when null).</summary>
    public async Task<IReadOnlyList<DayAppointment>> DayAsync(Actor staff, long officeId, DateOnly? day = null, CancellationToken ct = default)
    {
        await OwnOfficeAsync(staff, officeId, ct);
        var today = BerlinTime.Today(clock);
        var chosen = day ?? today;
        if (chosen < today.AddDays(-DayRangeDays) || chosen > today.AddDays(DayRangeDays))
            throw ValidationException.For("date", $"Der Tag liegt höchstens {DayRangeDays} Tage vor oder nach heute.");
        return await AppointmentsAsync(officeId, chosen, ct);
    }

    /// <summary>The appointments of an office on a day (confirmed, and holds not yet expired), its access checked by the caller.</summary>
    private async Task<IReadOnlyList<DayAppointment>> AppointmentsAsync(long officeId, DateOnly day, CancellationToken ct)
    {
        var rows = await db.QueryAsync<Row>("""
            SELECT id, start_at AS StartAt, end_at AS EndAt, service_slug AS Service, name, items, status, checkin_code AS CheckinCode,
                   checked_in_at AS CheckedInAt, called_at AS CalledAt, called_counter AS CalledCounter, no_show_at AS NoShowAt
            FROM appointments
            WHERE office_id = @Office AND start_at >= @From AND start_at < @To
              AND (status = 'confirmed' OR (status = 'reserved' AND expires_at > @Now))
            ORDER BY start_at, id
            """, new { Office = officeId, From = BerlinTime.StartOfDayUtc(day), To = BerlinTime.StartOfDayUtc(day.AddDays(1)), Now }, ct);
        return rows.Select(r => r.ToDay()).ToList();
    }

    /// <summary>Today's appointments of an office whose access was checked by the caller (check-in, call and no-show act on today only).</summary>
    private Task<IReadOnlyList<DayAppointment>> TodaysAsync(long officeId, CancellationToken ct) => AppointmentsAsync(officeId, BerlinTime.Today(clock), ct);

    public async Task<DayAppointment> CheckInAsync(Actor staff, long officeId, string? code, CancellationToken ct = default)
    {
        await OwnOfficeAsync(staff, officeId, ct);
        var clean = (code ?? "").Trim().ToUpperInvariant().Replace(" ", "", StringComparison.Ordinal);
        if (clean.Length == 8 && !clean.Contains('-', StringComparison.Ordinal)) clean = clean[..4] + "-" + clean[4..];
        var today = (await TodaysAsync(officeId, ct)).FirstOrDefault(a => a.CheckinCode == clean && a.Status == "confirmed")
            ?? throw ValidationException.For("code", "Heute gibt es in dieser Dienststelle keinen bestätigten Termin mit diesem Code.");
        if (today.NoShowAt is not null) throw new RuleException("MarkedNoShow", "Dieser Termin ist schon als „nicht erschienen“ vermerkt.");
        await db.ExecuteAsync("UPDATE appointments SET checked_in_at = COALESCE(checked_in_at, @Now) WHERE id = @Id", new { Now, today.Id }, ct);
        return (await TodaysAsync(officeId, ct)).Single(a => a.Id == today.Id);
    }

    public async Task<Call> CallAsync(Actor staff, long officeId, string appointmentId, int counter, CancellationToken ct = default)
    {
        var office = await OwnOfficeAsync(staff, officeId, ct);
        var maxCounters = office.Hours.Select(h => h.Counters).DefaultIfEmpty(1).Max();
        if (counter < 1 || counter > maxCounters) throw ValidationException.For("counter", $"Der Schalter ist eine Zahl von 1 bis {maxCounters}.");
        var a = (await TodaysAsync(officeId, ct)).FirstOrDefault(x => x.Id == appointmentId) ?? throw new AppointmentNotFoundException();
        if (a.CheckedInAt is null) throw new RuleException("NotCheckedIn", "Aufgerufen wird, wer eingecheckt ist.");
        var now = Now;
        await db.ExecuteAsync("UPDATE appointments SET called_at = @Now, called_counter = @Counter WHERE id = @Id", new { Now = now, Counter = counter, a.Id }, ct);
        var call = new Call(a.CheckinCode ?? "", counter, now);
        board.Publish(officeId, call);
        return call;
    }

    public async Task NoShowAsync(Actor staff, long officeId, string appointmentId, CancellationToken ct = default)
    {
        await OwnOfficeAsync(staff, officeId, ct);
        var a = (await TodaysAsync(officeId, ct)).FirstOrDefault(x => x.Id == appointmentId) ?? throw new AppointmentNotFoundException();
        if (a.CheckedInAt is not null) throw new RuleException("CheckedIn", "Wer eingecheckt ist, ist erschienen.");
        if (a.Start.AddMinutes(NoShowAfterMinutes) > Now)
            throw new RuleException("TooEarly", $"„Nicht erschienen“ lässt sich erst {NoShowAfterMinutes} Minuten nach Terminbeginn vermerken.");
        await db.ExecuteAsync("UPDATE appointments SET no_show_at = COALESCE(no_show_at, @Now) WHERE id = @Id", new { Now, a.Id }, ct);
    }

    /// <summary>
    /// Stores every office's no-show rate over the last <see cref="RateDays"/> days (all services; confirmed appointments
    /// that ended) on the office, where the optional overbooking reads it (<see cref="Office.ExtraCounters"/>). The job
    /// "appointment-no-show-rates" runs it hourly.
    /// </summary>
    public async Task<int> RefreshNoShowRatesAsync(CancellationToken ct = default)
    {
        var now = Now;
        var rows = await db.QueryAsync<(long OfficeId, long Appointments, long NoShows)>("""
            SELECT office_id, COUNT(*), SUM(CASE WHEN no_show_at IS NOT NULL THEN 1 ELSE 0 END)
            FROM appointments WHERE status = 'confirmed' AND end_at < @Now AND end_at >= @Since
            GROUP BY office_id
            """, new { Now = now, Since = now.AddDays(-RateDays) }, ct);
        await db.InTransactionAsync(async (c, tx) =>
        {
            // The version rises only where the rate changes (it decides an overbooking office's capacity).
            var measured = rows.Select(r => r.OfficeId).ToArray();
            await c.ExecuteAsync($"UPDATE appointment_offices SET no_show_permille = NULL, no_show_samples = 0, version = version + 1 WHERE (no_show_samples <> 0 OR no_show_permille IS NOT NULL) AND NOT {db.InList("id", "Measured")}",
                new { Measured = measured }, tx);
            foreach (var r in rows)
                await c.ExecuteAsync("""
                    UPDATE appointment_offices SET no_show_permille = @Permille, no_show_samples = @Samples, version = version + 1
                    WHERE id = @Id AND (no_show_permille IS NULL OR no_show_permille <> @Permille OR no_show_samples <> @Samples)
                    """, new { Permille = (int)(r.NoShows * 1000 / r.Appointments), Samples = (int)r.Appointments, Id = r.OfficeId }, tx);
            return 0;
        }, ct);
        offices.ForgetAllKept();
        return rows.Count;
    }

    /// <summary>Per own office and service: confirmed appointments that have ended in the last <see cref="RateDays"/> days, and how many were no-shows.</summary>
    public async Task<IReadOnlyList<NoShowRate>> NoShowRatesAsync(Actor staff, CancellationToken ct = default)
    {
        var rows = await db.QueryAsync<(long OfficeId, string OfficeName, string Service, long Appointments, long NoShows)>("""
            SELECT o.id, o.name, a.service_slug, COUNT(*), SUM(CASE WHEN a.no_show_at IS NOT NULL THEN 1 ELSE 0 END)
            FROM appointments a JOIN appointment_offices o ON o.id = a.office_id
            WHERE o.municipality_ags = @Ags AND a.status = 'confirmed' AND a.end_at < @Now AND a.end_at >= @Since
            GROUP BY o.id, o.name, a.service_slug ORDER BY o.name, a.service_slug
            """, new { staff.Ags, Now, Since = Now.AddDays(-RateDays) }, ct);
        return rows.Select(r => new NoShowRate(r.OfficeId, r.OfficeName, r.Service, ServiceCatalog.Find(r.Service)?.Name ?? r.Service, (int)r.Appointments, (int)r.NoShows)).ToList();
    }

    /// <summary>The waiting-room display's calls of a public office (any active office; it shows only codes and counters).</summary>
    public async Task<(Office Office, IReadOnlyList<Call> Calls)> DisplayAsync(long officeId, CancellationToken ct = default)
    {
        var office = await offices.GetAsync(officeId, ct);
        return (office, board.Recent(officeId));
    }

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public DateTime StartAt { get; set; }
        public DateTime EndAt { get; set; }
        public string Service { get; set; } = "";
        public string Name { get; set; } = "";
        public long Items { get; set; }
        public string Status { get; set; } = "";
        public string? CheckinCode { get; set; }
        public DateTime? CheckedInAt { get; set; }
        public DateTime? CalledAt { get; set; }
        public long? CalledCounter { get; set; }
        public DateTime? NoShowAt { get; set; }

        public DayAppointment ToDay() => new(Id, DateTime.SpecifyKind(StartAt, DateTimeKind.Utc), DateTime.SpecifyKind(EndAt, DateTimeKind.Utc), Service,
            ServiceCatalog.Find(Service)?.Name ?? Service, Name, (int)Items, Status, CheckinCode, Utc(CheckedInAt), Utc(CalledAt), (int?)CalledCounter, Utc(NoShowAt));

        private static DateTime? Utc(DateTime? t) => t is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : null;
    }
}

/// <summary>Refreshes the offices' measured no-show rates for the optional overbooking, hourly.</summary>
public sealed class NoShowRateRefresher(OfficeDay day) : OpenIkz.Infrastructure.Jobs.IPeriodicJob
{
    public string Name => "appointment-no-show-rates";
    public TimeSpan Interval => TimeSpan.FromHours(1);
    public Task<int> RunAsync(CancellationToken ct) => day.RefreshNoShowRatesAsync(ct);
}
