using System.Collections.Concurrent;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Options;
using OpenIkz.Agreements;
using OpenIkz.Directory.Services;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Appointments;

public sealed record OpeningHours(int Weekday, string Opens, string Closes, int Counters);

public sealed record OfficeService(string Service, int Minutes, int MinutesPerItem, int MaxItems)
{
    /// <summary>The duration of an appointment with <paramref name="items"/> items (e.g. vehicles).</summary>
    public int MinutesFor(int items) => Minutes + MinutesPerItem * Math.Max(0, items - 1);
}

public sealed record Closure(DateOnly Day, string Reason);

/// <summary>A citizen office (Bürgerbüro, Zulassungsstelle) as everyone may see it.</summary>
public sealed record Office(long Id, string MunicipalityAgs, string MunicipalityName, string Name, string Street, string PostalCode, string City,
    string? Accessibility, int SlotMinutes, IReadOnlyList<OpeningHours> Hours, IReadOnlyList<OfficeService> Services, IReadOnlyList<Closure> Closures)
{
    public string Address => $"{Street}, {PostalCode} {City}";

    /// <summary>The state of the office's municipality (its public holidays), e.g. "RP".</summary>
    public string State { get; init; } = "";

    public bool Active { get; init; } = true;

    /// <summary>The version of the office's data (raised by every change of it): a booking checked on kept data places its hold only at this version.</summary>
    public long Version { get; init; }

    /// <summary>Whether the office books more residents than counters by its measured no-show rate (off by default).</summary>
    public bool Overbooking { get; init; }

    /// <summary>The office's no-show rate over the last <see cref="OfficeDay.RateDays"/> days in ‰, and how many ended appointments it rests on.</summary>
    public int? NoShowPermille { get; init; }
    public int NoShowSamples { get; init; }

    /// <summary>The fewest ended appointments a measured rate needs before it drives overbooking.</summary>
    public const int OverbookingMinimumSamples = 50;

    /// <summary>The highest no-show rate overbooking follows (‰): above it, the office has a different problem.</summary>
    public const int OverbookingMaximumPermille = 300;

    /// <summary>
    /// The appointments beyond the counters one cell may take: ⌊counters × r / (1 − r)⌋ for the measured rate r (at most
    /// 30 %), so that the expected number of residents who come stays within the counters; 0 when overbooking is off or
    /// fewer than <see cref="OverbookingMinimumSamples"/> ended appointments were measured.
    /// </summary>
    public int ExtraCounters(int counters)
    {
        if (!Overbooking || NoShowPermille is not { } measured || NoShowSamples < OverbookingMinimumSamples) return 0;
        var rate = Math.Min(measured, OverbookingMaximumPermille);
        return counters * rate / (1000 - rate);
    }
}

/// <summary>What an administrator sends to create or change an office.</summary>
public sealed record OfficeInput(string? Name, string? Street, string? PostalCode, string? City, string? Accessibility, int? SlotMinutes,
    IReadOnlyList<OpeningHoursInput>? Hours, IReadOnlyList<OfficeServiceInput>? Services, bool? Overbooking = null);

public sealed record OpeningHoursInput(int? Weekday, string? Opens, string? Closes, int? Counters);

public sealed record OfficeServiceInput(string? Service, int? Minutes, int? MinutesPerItem, int? MaxItems);

/// <param name="CancelAppointments">Cancel the day's open appointments and tell everyone affected (else a day with appointments is refused).</param>
public sealed record ClosureInput(DateOnly? Day, string? Reason, bool? CancelAppointments = null);

public sealed class OfficeNotFoundException() : NotFoundException("Dienststelle nicht gefunden.");

public sealed class ClosureNotFoundException() : NotFoundException("An diesem Tag ist die Dienststelle nicht geschlossen.");

/// <summary>
/// The offices of the municipalities and who may book them. An office is open to the residents of its own municipality
/// (and of the municipalities in its district, when the office belongs to the district, e.g. the Zulassungsstelle of a
/// Landkreis) and, for a service an agreement in force covers and shares for appointments, to the residents of every
/// member of that agreement.
/// </summary>
public sealed class Offices(Db db, TimeProvider clock, SlotCache slots, IOptions<AppointmentOptions> options)
{
    private DateOnly Today => BerlinTime.Today(clock);

    /// <summary>
    /// Office data kept for <see cref="AppointmentOptions.OfficeCacheSeconds"/> (hours, services, closures change seldom;
    /// a search and a booking would otherwise read them with four statements each time). A change committed in this
    /// process forgets the office's data at once. What another instance changed shows after at most the cache time in a
    /// search; a booking never relies on it: its hold is placed only if the office's <see cref="Office.Version"/> is still
    /// the one it checked against (<c>Bookings.InsertHoldSql</c>), and a slot refused on kept data is checked again on
    /// fresh data before the refusal is given.
    /// </summary>
    private readonly ConcurrentDictionary<long, KeptOffice> _kept = new();
    private long _changes; // changes of office data committed in this process; data read across one is not kept

    private sealed record KeptOffice(Office Office, DateTimeOffset Loaded, DateOnly Today);

    /// <summary>The office's data changed (committed): forget what is kept of it, and its kept slot answers.</summary>
    private void Changed(long id)
    {
        Interlocked.Increment(ref _changes);
        _kept.TryRemove(id, out _);
        slots.Forget(id);
    }

    /// <summary>The data of every office may have changed (the hourly no-show rates): nothing kept stays.</summary>
    internal void ForgetAllKept()
    {
        Interlocked.Increment(ref _changes);
        _kept.Clear();
    }

    /// <summary>
    /// The municipalities a resident of <paramref name="ags"/> belongs to for appointments: the municipality and its
    /// district (a Landkreis runs the Kfz-Zulassung for its Gemeinden). SQL fragment over @ResidentAgs and @ResidentDistrict.
    /// </summary>
    private const string ResidentOf = "(@ResidentAgs, @ResidentDistrict)";

    /// <summary>The offices offering <paramref name="service"/> (all services when null) that a resident of <paramref name="residentAgs"/> may book (all offices when null).</summary>
    public async Task<IReadOnlyList<Office>> ListAsync(string? service, string? residentAgs, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        if (service is not null && ServiceCatalog.Find(service) is null) errors.Add("service", $"Die Leistung '{service}' gibt es nicht.");
        string? district = null;
        if (residentAgs is not null)
        {
            var found = await db.QueryAsync<(string Ags, string? District)>("SELECT ags, district_ags FROM municipalities WHERE ags = @Ags", new { Ags = residentAgs }, ct);
            if (found.Count == 0) errors.Add("municipality", $"Die Kommune mit dem Schlüssel '{residentAgs}' gibt es nicht.");
            else district = found[0].District;
        }
        if (errors.Count > 0) throw new ValidationException(errors);

        var where = new List<string> { "o.active = TRUE" };
        if (service is not null) where.Add("EXISTS (SELECT 1 FROM appointment_office_services s WHERE s.office_id = o.id AND s.service_slug = @Service)");
        if (residentAgs is not null) where.Add(OpenTo(service is null ? "s2.service_slug" : "@Service", service is null));
        var ids = await db.QueryAsync<long>($"SELECT o.id FROM appointment_offices o WHERE {string.Join(" AND ", where)} ORDER BY o.id",
            new { Service = service, ResidentAgs = residentAgs, ResidentDistrict = district ?? residentAgs, Today }, ct);
        return await LoadKeptAsync(ids, ct);
    }

    /// <summary>
    /// "The office o is open to the resident": its own municipality, or an agreement in force that covers and shares the
    /// service and has the office's municipality and the resident's among its members.
    /// </summary>
    internal static string OpenTo(string serviceExpression, bool anyService)
    {
        var shared = $"""
            EXISTS (SELECT 1 FROM agreements a
                    JOIN appointment_sharing sh ON sh.agreement_id = a.id AND sh.service_slug = {serviceExpression}
                    JOIN agreement_services asv ON asv.agreement_id = a.id AND asv.service_slug = sh.service_slug
                    JOIN agreement_members mo ON mo.agreement_id = a.id AND mo.municipality_ags = o.municipality_ags
                    JOIN agreement_members mr ON mr.agreement_id = a.id AND mr.municipality_ags IN {ResidentOf}
                    WHERE {AgreementGrants.InForce})
            """;
        var own = $"o.municipality_ags IN {ResidentOf}";
        return anyService
            ? $"({own} OR EXISTS (SELECT 1 FROM appointment_office_services s2 WHERE s2.office_id = o.id AND {shared}))"
            : $"({own} OR {shared})";
    }

    /// <summary>
    /// The municipalities whose residents can book something: those with an office and the members of agreements that
    /// share a service for appointments, by name (the booking page's choice of the place of residence).
    /// </summary>
    public async Task<IReadOnlyList<(string Ags, string Name)>> ResidentChoicesAsync(CancellationToken ct = default) =>
        (await db.QueryAsync<(string Ags, string Name)>($"""
            SELECT m.ags, m.name FROM municipalities m
            WHERE m.ags IN (SELECT o.municipality_ags FROM appointment_offices o WHERE o.active = TRUE)
               OR m.ags IN (SELECT am.municipality_ags FROM agreement_members am JOIN agreements a ON a.id = am.agreement_id
                            JOIN appointment_sharing sh ON sh.agreement_id = a.id WHERE {AgreementGrants.InForce})
               OR m.district_ags IN (SELECT o.municipality_ags FROM appointment_offices o WHERE o.active = TRUE)
            """, new { Today }, ct))
        .OrderBy(m => m.Name, StringComparer.Create(CultureInfo.GetCultureInfo("de-DE"), CompareOptions.None)).ToList();

    /// <summary>
    /// Whether a resident of <paramref name="residentAgs"/> (in the district <paramref name="residentDistrict"/>, or none)
    /// may book <paramref name="service"/> at the office.
    /// </summary>
    public async Task<bool> IsOpenToAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction? tx, long officeId, string service, string residentAgs, string? residentDistrict) =>
        await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM appointment_offices o WHERE o.id = @Id AND o.active = TRUE AND {OpenTo("@Service", false)}",
            new { Id = officeId, Service = service, ResidentAgs = residentAgs, ResidentDistrict = residentDistrict ?? residentAgs, Today }, tx) > 0;

    public async Task<Office> GetAsync(long id, CancellationToken ct = default) =>
        (await LoadAsync([id], ct)).SingleOrDefault() ?? throw new OfficeNotFoundException();

    /// <summary>An active office, read on the caller's connection (inside a booking's transaction), or null.</summary>
    public async Task<Office?> FindActiveAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction? tx, long id) =>
        (await LoadAsync(c, tx, [id])).SingleOrDefault(o => o.Active);

    /// <summary>
    /// An active office from the kept data (read on <paramref name="c"/> when nothing current is kept), or null; and
    /// whether it came from the kept data. Only for checks whose result is confirmed by <see cref="Office.Version"/> or
    /// that may be a few seconds old (a search).
    /// </summary>
    public async Task<(Office? Office, bool Kept)> FindActiveKeptAsync(System.Data.Common.DbConnection c, long id)
    {
        if (TryKept(id, out var kept)) return (kept.Active ? kept : null, true);
        var before = Volatile.Read(ref _changes);
        var loaded = await LoadAsync(c, null, [id]);
        Keep(loaded, before);
        return (loaded.SingleOrDefault(o => o.Active), false);
    }

    /// <summary>The offices by id (in the order of <paramref name="ids"/>' load), from the kept data where it is current.</summary>
    private async Task<IReadOnlyList<Office>> LoadKeptAsync(IReadOnlyList<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        var found = new Dictionary<long, Office>();
        var missing = new List<long>();
        foreach (var id in ids)
            if (TryKept(id, out var kept)) found[id] = kept;
            else missing.Add(id);
        if (missing.Count > 0)
        {
            var before = Volatile.Read(ref _changes);
            var loaded = await LoadAsync(missing, ct);
            Keep(loaded, before);
            foreach (var o in loaded) found[o.Id] = o;
        }
        // By municipality and office name as German readers sort them (Ö with O), then id; kept or read alike.
        return found.Values.OrderBy(o => o.MunicipalityName, GermanOrder).ThenBy(o => o.Name, GermanOrder).ThenBy(o => o.Id).ToList();
    }

    private static readonly StringComparer GermanOrder = StringComparer.Create(CultureInfo.GetCultureInfo("de-DE"), CompareOptions.None);

    private TimeSpan KeepFor => TimeSpan.FromSeconds(options.Value.OfficeCacheSeconds);

    private bool TryKept(long id, out Office office)
    {
        office = null!;
        if (KeepFor <= TimeSpan.Zero || !_kept.TryGetValue(id, out var kept)) return false;
        var now = clock.GetUtcNow();
        if (kept.Today != Today || now < kept.Loaded || now - kept.Loaded >= KeepFor) return false; // closures count from today
        office = kept.Office;
        return true;
    }

    /// <summary>Keeps what was read, unless an office change was committed in this process while it was read.</summary>
    private void Keep(IReadOnlyList<Office> loaded, long changesBefore)
    {
        if (KeepFor <= TimeSpan.Zero || Volatile.Read(ref _changes) != changesBefore) return;
        var now = clock.GetUtcNow();
        var today = Today;
        foreach (var o in loaded) _kept[o.Id] = new KeptOffice(o, now, today);
    }

    private async Task<IReadOnlyList<Office>> LoadAsync(IReadOnlyList<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        await using var c = await db.OpenAsync(ct);
        return await LoadAsync(c, null, ids);
    }

    /// <summary>The four statements that load offices (the office with its municipality, hours, services, closures from @Today) over @Ids; the benchmark runs them bare.</summary>
    internal static string[] LoadSql(Db db) =>
    [
        $"""
        SELECT o.id, o.municipality_ags AS MunicipalityAgs, m.name AS MunicipalityName, o.name, o.street, o.postal_code AS PostalCode, o.city,
               o.accessibility, o.slot_minutes AS SlotMinutes, m.state AS State, o.active AS Active,
               o.overbooking AS Overbooking, o.no_show_permille AS NoShowPermille, o.no_show_samples AS NoShowSamples, o.version AS Version
        FROM appointment_offices o JOIN municipalities m ON m.ags = o.municipality_ags WHERE {db.InList("o.id", "Ids")} ORDER BY m.name, o.name, o.id
        """,
        $"SELECT office_id, weekday, opens, closes, counters FROM appointment_opening_hours WHERE {db.InList("office_id", "Ids")} ORDER BY weekday, opens",
        $"SELECT office_id, service_slug, minutes, minutes_per_item, max_items FROM appointment_office_services WHERE {db.InList("office_id", "Ids")} ORDER BY service_slug",
        $"SELECT office_id, day, reason FROM appointment_closures WHERE {db.InList("office_id", "Ids")} AND day >= @Today ORDER BY day",
    ];

    private async Task<IReadOnlyList<Office>> LoadAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction? tx, IReadOnlyList<long> ids)
    {
        var list = ids.ToArray();
        var sql = LoadSql(db);
        var offices = await c.QueryAsync<OfficeRow>(sql[0], new { Ids = list }, tx);
        var hours = (await c.QueryAsync<(long OfficeId, long Weekday, string Opens, string Closes, long Counters)>(sql[1], new { Ids = list }, tx))
            .ToLookup(h => h.OfficeId, h => new OpeningHours((int)h.Weekday, h.Opens, h.Closes, (int)h.Counters));
        var services = (await c.QueryAsync<(long OfficeId, string Service, long Minutes, long PerItem, long MaxItems)>(sql[2], new { Ids = list }, tx))
            .ToLookup(s => s.OfficeId, s => new OfficeService(s.Service, (int)s.Minutes, (int)s.PerItem, (int)s.MaxItems));
        var closures = (await c.QueryAsync<(long OfficeId, DateOnly Day, string Reason)>(sql[3], new { Ids = list, Today }, tx))
            .ToLookup(x => x.OfficeId, x => new Closure(x.Day, x.Reason));
        return offices.Select(o => new Office(o.Id, o.MunicipalityAgs, o.MunicipalityName, o.Name, o.Street, o.PostalCode, o.City, o.Accessibility, (int)o.SlotMinutes,
            hours[o.Id].ToList(), services[o.Id].ToList(), closures[o.Id].ToList())
        {
            State = o.State, Active = o.Active, Overbooking = o.Overbooking, NoShowPermille = (int?)o.NoShowPermille, NoShowSamples = (int)o.NoShowSamples,
            Version = o.Version,
        }).ToList();
    }

    /// <summary>Creates an office of the administrator's municipality.</summary>
    public async Task<long> CreateAsync(Actor admin, OfficeInput input, CancellationToken ct = default)
    {
        RequireAdministrator(admin);
        var office = Validate(input);
        var created = await db.InTransactionAsync(async (c, tx) =>
        {
            var id = await c.ExecuteScalarAsync<long>("""
                INSERT INTO appointment_offices (municipality_ags, name, street, postal_code, city, accessibility, slot_minutes, active, overbooking, created_at)
                VALUES (@Ags, @Name, @Street, @PostalCode, @City, @Accessibility, @SlotMinutes, TRUE, @Overbooking, @Now) RETURNING id
                """, new { admin.Ags, office.Name, office.Street, office.PostalCode, office.City, office.Accessibility, office.SlotMinutes, office.Overbooking, Now = clock.GetUtcNow().UtcDateTime }, tx);
            await WriteDetailsAsync(c, tx, id, office);
            return id;
        }, ct);
        slots.ForgetAll(); // a new office may be open to the residents of every member of an agreement
        return created;
    }

    /// <summary>Replaces an office's details, hours and services. Booked appointments keep their time (the office reschedules by hand).</summary>
    public async Task UpdateAsync(Actor admin, long id, OfficeInput input, CancellationToken ct = default)
    {
        RequireAdministrator(admin);
        var office = Validate(input);
        await db.InTransactionAsync(async (c, tx) =>
        {
            // The slot length is read (and the row locked) before the change: booked future cells lie on the old grid.
            var oldSlot = await c.QuerySingleOrDefaultAsync<long?>("SELECT slot_minutes FROM appointment_offices WHERE id = @Id AND municipality_ags = @Ags" + db.ForUpdate("appointment_offices"),
                new { Id = id, admin.Ags }, tx) ?? throw new OfficeNotFoundException();
            var booked = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM appointment_cells WHERE office_id = @Id AND appointment_id IS NOT NULL AND cell_start >= @Now",
                new { Id = id, Now = clock.GetUtcNow().UtcDateTime }, tx);
            if (booked > 0 && oldSlot != office.SlotMinutes)
                throw new RuleException("SlotLengthLocked", "Die Taktung kann nicht geändert werden, solange künftige Termine gebucht sind.");
            var changed = await c.ExecuteAsync("""
                UPDATE appointment_offices SET name = @Name, street = @Street, postal_code = @PostalCode, city = @City, accessibility = @Accessibility, slot_minutes = @SlotMinutes,
                    overbooking = @Overbooking, version = version + 1
                WHERE id = @Id AND municipality_ags = @Ags
                """, new { Id = id, admin.Ags, office.Name, office.Street, office.PostalCode, office.City, office.Accessibility, office.SlotMinutes, office.Overbooking }, tx);
            if (changed == 0) throw new OfficeNotFoundException();
            await c.ExecuteAsync("DELETE FROM appointment_opening_hours WHERE office_id = @Id", new { Id = id }, tx);
            await c.ExecuteAsync("DELETE FROM appointment_office_services WHERE office_id = @Id", new { Id = id }, tx);
            await WriteDetailsAsync(c, tx, id, office);
        }, ct);
        Changed(id);
    }

    /// <summary>Closes the office on a day; <paramref name="within"/> runs in the same transaction afterwards (the day's appointments).</summary>
    public async Task AddClosureAsync(Actor admin, long id, ClosureInput input, CancellationToken ct = default,
        Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, Task>? within = null)
    {
        RequireAdministrator(admin);
        var errors = new ValidationErrors();
        if (input.Day is null) errors.Add("day", "Bitte den Tag angeben (JJJJ-MM-TT).");
        else if (input.Day < Today) errors.Add("day", "Der Tag liegt in der Vergangenheit.");
        var reason = TextInput.Field(errors, "reason", input.Reason, TextKind.Line, "Der Grund");
        if (!errors.ContainsKey("reason") && (reason is null || reason.Length > 200)) errors.Add("reason", "Bitte den Grund angeben (höchstens 200 Zeichen).");
        if (errors.Count > 0) throw new ValidationException(errors);
        await db.InTransactionAsync(async (c, tx) =>
        {
            await RequireOwnOfficeAsync(c, tx, admin, id);
            await c.ExecuteAsync("""
                INSERT INTO appointment_closures (office_id, day, reason) VALUES (@Id, @Day, @Reason)
                ON CONFLICT (office_id, day) DO UPDATE SET reason = excluded.reason
                """, new { Id = id, Day = input.Day!.Value, Reason = reason }, tx);
            await BumpVersionAsync(c, tx, id);
            if (within is not null) await within(c, tx);
        }, ct);
        Changed(id); // the day's slots, and the appointments cancelled with it
    }

    /// <summary>
    /// Opens a closed day again (from today on): its free slots are offered at once. Appointments cancelled for the
    /// closure stay cancelled; their residents were told and can book again.
    /// </summary>
    public async Task RemoveClosureAsync(Actor admin, long id, DateOnly day, CancellationToken ct = default)
    {
        RequireAdministrator(admin);
        if (day < Today) throw ValidationException.For("day", "Der Tag liegt in der Vergangenheit.");
        await db.InTransactionAsync(async (c, tx) =>
        {
            await RequireOwnOfficeAsync(c, tx, admin, id);
            if (await c.ExecuteAsync("DELETE FROM appointment_closures WHERE office_id = @Id AND day = @Day", new { Id = id, Day = day }, tx) == 0)
                throw new ClosureNotFoundException();
            await BumpVersionAsync(c, tx, id);
        }, ct);
        Changed(id); // the reopened day's slots are offered at once
    }

    private static Task BumpVersionAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, long id) =>
        c.ExecuteAsync("UPDATE appointment_offices SET version = version + 1 WHERE id = @Id", new { Id = id }, tx);

    /// <summary>Another municipality's office (or none) is not found.</summary>
    private static async Task RequireOwnOfficeAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, Actor admin, long id)
    {
        if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM appointment_offices WHERE id = @Id AND municipality_ags = @Ags", new { Id = id, admin.Ags }, tx) == 0)
            throw new OfficeNotFoundException();
    }

    /// <summary>Marks the services of an agreement that its members share for appointments (a coordinator of a member).</summary>
    public async Task ShareAsync(Actor coordinator, AgreementService agreements, long agreementId, IReadOnlyList<string>? services, CancellationToken ct = default)
    {
        var agreement = await agreements.GetAsync(coordinator, agreementId, ct); // 404 for a non-member
        if (!coordinator.IsCoordinator) throw new RuleException("CoordinatorOnly", "Nur die Koordination einer Mitgliedskommune legt fest, welche Leistungen für Termine geteilt werden.");
        var chosen = (services ?? []).Where(s => s is not null).Select(s => s.Trim()).Distinct().ToList();
        var errors = new ValidationErrors();
        foreach (var s in chosen.Where(s => !agreement.Services.Contains(s)))
            errors.Add("services", $"{ServiceCatalog.Find(s)?.Name ?? $"Die Leistung '{s}'"} gehört nicht zu dieser Vereinbarung.");
        if (errors.Count > 0) throw new ValidationException(errors);
        await db.InTransactionAsync(async (c, tx) =>
        {
            await c.ExecuteAsync("DELETE FROM appointment_sharing WHERE agreement_id = @Id", new { Id = agreementId }, tx);
            foreach (var s in chosen)
                await c.ExecuteAsync("INSERT INTO appointment_sharing (agreement_id, service_slug) VALUES (@Id, @S)", new { Id = agreementId, S = s }, tx);
        }, ct);
        slots.ForgetAll(); // who may book which office changed
    }

    private static void RequireAdministrator(Actor actor)
    {
        if (!actor.IsUser || !actor.IsAdministrator) throw new RuleException("AdministrationOnly", "Nur die Administration der Kommune verwaltet ihre Dienststellen.");
    }

    private sealed record ValidOffice(string Name, string Street, string PostalCode, string City, string? Accessibility, int SlotMinutes,
        IReadOnlyList<OpeningHours> Hours, IReadOnlyList<OfficeService> Services, bool Overbooking = false);

    private static ValidOffice Validate(OfficeInput input)
    {
        var errors = new ValidationErrors();
        string Line(string field, string? text, string label, int max)
        {
            var value = TextInput.Field(errors, field, text, TextKind.Line, label);
            if (!errors.ContainsKey(field) && (value is null || value.Length > max)) errors.Add(field, $"{label} fehlt oder ist länger als {max} Zeichen.");
            return value ?? "";
        }
        var name = Line("name", input.Name, "Der Name", 200);
        var street = Line("street", input.Street, "Die Straße", 200);
        var postal = Line("postalCode", input.PostalCode, "Die Postleitzahl", 5);
        if (!errors.ContainsKey("postalCode") && !(postal.Length == 5 && postal.All(char.IsAsciiDigit))) errors.Add("postalCode", "Die Postleitzahl hat fünf Ziffern.");
        var city = Line("city", input.City, "Der Ort", 100);
        string? accessibility = null;
        if (!string.IsNullOrWhiteSpace(input.Accessibility))
        {
            accessibility = TextInput.Field(errors, "accessibility", input.Accessibility, TextKind.Paragraphs, "Die Hinweise zur Barrierefreiheit");
            if (accessibility is { Length: > 2000 }) errors.Add("accessibility", "Die Hinweise zur Barrierefreiheit sind höchstens 2.000 Zeichen lang.");
        }
        var slot = input.SlotMinutes ?? 10;
        if (slot is not (5 or 10 or 15 or 20 or 30)) errors.Add("slotMinutes", "Die Taktung ist 5, 10, 15, 20 oder 30 Minuten.");

        var hours = new List<OpeningHours>();
        var hoursIn = input.Hours ?? [];
        if (hoursIn.Count == 0) errors.Add("hours", "Bitte mindestens eine Öffnungszeit angeben.");
        for (var i = 0; i < hoursIn.Count; i++)
        {
            var h = hoursIn[i];
            var f = $"hours[{i}]";
            if (h is null) { errors.Add(f, "Die Öffnungszeit fehlt."); continue; }
            if (h.Weekday is not (>= 1 and <= 7)) { errors.Add($"{f}.weekday", "Der Wochentag ist 1 (Montag) bis 7 (Sonntag)."); continue; }
            if (!TryTime(h.Opens, out var opens)) { errors.Add($"{f}.opens", "Die Öffnung ist eine Uhrzeit (HH:MM)."); continue; }
            if (!TryTime(h.Closes, out var closes)) { errors.Add($"{f}.closes", "Das Ende ist eine Uhrzeit (HH:MM)."); continue; }
            if (closes <= opens) { errors.Add($"{f}.closes", "Das Ende liegt nach der Öffnung."); continue; }
            if (opens.Minute % slot != 0 || closes.Minute % slot != 0) { errors.Add($"{f}.opens", $"Öffnung und Ende liegen im Takt von {slot} Minuten."); continue; }
            if (h.Counters is not (>= 1 and <= 50)) { errors.Add($"{f}.counters", "Die Zahl der Schalter liegt zwischen 1 und 50."); continue; }
            if (hours.Any(x => x.Weekday == h.Weekday && TimeOnly.Parse(x.Opens, CultureInfo.InvariantCulture) < closes && opens < TimeOnly.Parse(x.Closes, CultureInfo.InvariantCulture)))
            { errors.Add($"{f}.opens", "Die Öffnungszeit überschneidet sich mit einer anderen desselben Tages."); continue; }
            hours.Add(new OpeningHours(h.Weekday.Value, opens.ToString("HH:mm", CultureInfo.InvariantCulture), closes.ToString("HH:mm", CultureInfo.InvariantCulture), h.Counters.Value));
        }

        var services = new List<OfficeService>();
        var servicesIn = input.Services ?? [];
        if (servicesIn.Count == 0) errors.Add("services", "Bitte mindestens eine Leistung mit ihrer Dauer angeben.");
        for (var i = 0; i < servicesIn.Count; i++)
        {
            var s = servicesIn[i];
            var f = $"services[{i}]";
            if (s is null) { errors.Add(f, "Die Leistung fehlt."); continue; }
            if (ServiceCatalog.Find(s.Service?.Trim() ?? "") is not { } known) { errors.Add($"{f}.service", $"Die Leistung '{s.Service}' gibt es nicht."); continue; }
            if (services.Any(x => x.Service == known.Slug)) { errors.Add($"{f}.service", $"{known.Name} ist doppelt aufgeführt."); continue; }
            if (s.Minutes is not (>= 5 and <= 240)) { errors.Add($"{f}.minutes", "Die Dauer liegt zwischen 5 und 240 Minuten."); continue; }
            if (s.MinutesPerItem is < 0 or > 120) { errors.Add($"{f}.minutesPerItem", "Die Dauer je weiterem Stück liegt zwischen 0 und 120 Minuten."); continue; }
            if (s.MaxItems is < 1 or > 20) { errors.Add($"{f}.maxItems", "Die Höchstzahl liegt zwischen 1 und 20."); continue; }
            services.Add(new OfficeService(known.Slug, s.Minutes.Value, s.MinutesPerItem ?? 0, s.MaxItems ?? 1));
        }
        if (errors.Count > 0) throw new ValidationException(errors);
        return new ValidOffice(name, street, postal, city, accessibility, slot, hours, services, input.Overbooking ?? false);
    }

    private static bool TryTime(string? text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text?.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    private static async Task WriteDetailsAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, long id, ValidOffice office)
    {
        foreach (var h in office.Hours)
            await c.ExecuteAsync("INSERT INTO appointment_opening_hours (office_id, weekday, opens, closes, counters) VALUES (@Id, @Weekday, @Opens, @Closes, @Counters)",
                new { Id = id, h.Weekday, h.Opens, h.Closes, h.Counters }, tx);
        foreach (var s in office.Services)
            await c.ExecuteAsync("INSERT INTO appointment_office_services (office_id, service_slug, minutes, minutes_per_item, max_items) VALUES (@Id, @Service, @Minutes, @PerItem, @MaxItems)",
                new { Id = id, s.Service, s.Minutes, PerItem = s.MinutesPerItem, s.MaxItems }, tx);
    }

    internal sealed class OfficeRow
    {
        public long Id { get; set; }
        public string MunicipalityAgs { get; set; } = "";
        public string MunicipalityName { get; set; } = "";
        public string Name { get; set; } = "";
        public string Street { get; set; } = "";
        public string PostalCode { get; set; } = "";
        public string City { get; set; } = "";
        public string? Accessibility { get; set; }
        public long SlotMinutes { get; set; }
        public string State { get; set; } = "";
        public bool Active { get; set; }
        public bool Overbooking { get; set; }
        public long? NoShowPermille { get; set; }
        public long NoShowSamples { get; set; }
        public long Version { get; set; }
    }
}
