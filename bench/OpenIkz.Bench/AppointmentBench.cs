using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenIkz.Agreements;
using OpenIkz.Appointments;
using OpenIkz.Infrastructure;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Infrastructure.Mail;

namespace OpenIkz.Bench;

/// <summary>
/// The appointments benchmark (<c>appt</c>, <c>appt-seed</c>, <c>appt-run</c>, issue 11). <b>appt-seed</b>: a migrated database with
/// 20 kreisfreie Städte (RP) under one active agreement that covers and shares the Kfz-Zulassung for appointments, one office
/// each (Mon–Fri 07:30–12:30, Thu also 14:00–18:00, 2 or 3 counters, 10-minute slots, 20 minutes per appointment) and booked
/// appointments filling about 60 % of the cells of the next 8 weeks (appointments + appointment_cells written as
/// <see cref="Bookings"/> writes them; the grid from <see cref="SlotGrid"/>). <b>appt-run</b>, three measurements:
/// (a) the slot search over all 20 offices for 8 weeks, sequential, the levels interleaved request by request: <b>bare</b> —
/// the statements <see cref="SlotFinder.FindAsync"/> runs (copies of the app's SQL) through Dapper on one open connection,
/// without the grid; <b>service</b> — <see cref="SlotFinder.FindAsync"/> in-process; <b>http</b> — <c>GET /api/v1/appointments/slots</c>
/// on the server process; (b) bursts of N simultaneous bookings of N different free slots (found by the search first), the
/// levels interleaved burst by burst: bare (the booking's INSERTs and UPDATE in one transaction; and every statement of
/// <see cref="Bookings.BookAsync"/>), service (<see cref="Bookings.BookAsync"/>), http (<c>POST /api/v1/appointments</c>), then a
/// check that no two open appointments overlap on one office and counter; (c) an open-loop rush of slot searches over HTTP at a
/// fixed rate, each request started on schedule whether or not earlier ones were answered.
/// </summary>
public static class AppointmentBench
{
    public const string Service = "kfz-zulassung";
    public const int OfficeCount = 20;
    public const int Days = 56; // today … today + 55: 8 weeks
    public const double TargetFill = 0.60;
    private const int AppointmentMinutes = 20;

    /// <summary>Member keys: kreisfreie Städte in Rheinland-Pfalz (state prefix 07), without a district.</summary>
    public static string Ags(int i) => "075" + (i + 1).ToString("D5", CultureInfo.InvariantCulture);

    private static Db Open(BenchOptions o) => o.Postgres ? Db.ForPostgres(o.PostgresConnectionString) : Db.ForSqlite(o.SqliteFile);

    // ------------------------------------------------------------------------------------------------------------ seeding

    public static async Task SeedAsync(BenchOptions o)
    {
        var total = Stopwatch.StartNew();
        await BenchEnv.PrepareAndMigrateAsync(o);
        var t = Stopwatch.StartNew();
        using var db = Open(o);
        var clock = TimeProvider.System;
        var now = DateTime.UtcNow;
        var today = BerlinTime.Today(clock);
        await db.InTransactionAsync(async (c, tx) =>
        {
            for (var i = 0; i < OfficeCount; i++)
                await c.ExecuteAsync("""
                    INSERT INTO municipalities (ags, name, name_search, type, state, population, area_ha, created_at, authority_name)
                    VALUES (@Ags, @Name, @Search, 'kreisfreie-stadt', 'RP', @Population, 5000, @Now, @Authority)
                    """, new { Ags = Ags(i), Name = $"Terminstadt {i + 1:D2}", Search = $"terminstadt {i + 1:D2}", Population = 50_000 + 1000 * i, Now = now, Authority = $"Stadtverwaltung Terminstadt {i + 1:D2}" }, tx);
            var agreement = await c.QuerySingleAsync<long>("""
                INSERT INTO agreements (title, status, valid_from, created_at, state_law, legal_form)
                VALUES ('Zweckvereinbarung Bench: gemeinsame Terminvergabe Kfz-Zulassung', 'active', @From, @Now, 'komzg-rp', 'zweckvereinbarung') RETURNING id
                """, new { From = today.AddYears(-1), Now = now }, tx);
            await c.ExecuteAsync("INSERT INTO agreement_services (agreement_id, service_slug) VALUES (@A, @S)", new { A = agreement, S = Service }, tx);
            for (var i = 0; i < OfficeCount; i++)
                await c.ExecuteAsync("INSERT INTO agreement_members (agreement_id, municipality_ags, contributes_cases, contributes_staff) VALUES (@A, @Ags, @True, @True)",
                    new { A = agreement, Ags = Ags(i), True = true }, tx);
            await c.ExecuteAsync("INSERT INTO appointment_sharing (agreement_id, service_slug) VALUES (@A, @S)", new { A = agreement, S = Service }, tx);
            for (var i = 0; i < OfficeCount; i++)
            {
                var id = await c.QuerySingleAsync<long>("""
                    INSERT INTO appointment_offices (municipality_ags, name, street, postal_code, city, accessibility, slot_minutes, active, created_at)
                    VALUES (@Ags, @Name, 'Rathausplatz 1', '67059', @City, 'stufenloser Zugang', 10, TRUE, @Now) RETURNING id
                    """, new { Ags = Ags(i), Name = $"Zulassungsstelle Terminstadt {i + 1:D2}", City = $"Terminstadt {i + 1:D2}", Now = now }, tx);
                var counters = i % 2 == 0 ? 3 : 2;
                foreach (var (weekday, opens, closes) in new[] { (1, "07:30", "12:30"), (2, "07:30", "12:30"), (3, "07:30", "12:30"), (4, "07:30", "12:30"), (4, "14:00", "18:00"), (5, "07:30", "12:30") })
                    await c.ExecuteAsync("INSERT INTO appointment_opening_hours (office_id, weekday, opens, closes, counters) VALUES (@Id, @Weekday, @Opens, @Closes, @Counters)",
                        new { Id = id, Weekday = weekday, Opens = opens, Closes = closes, Counters = counters }, tx);
                await c.ExecuteAsync("INSERT INTO appointment_office_services (office_id, service_slug, minutes, minutes_per_item, max_items) VALUES (@Id, @S, @Minutes, 10, 5)",
                    new { Id = id, S = Service, Minutes = AppointmentMinutes }, tx);
            }
        });

        // The booked appointments, on the app's own grid (SlotGrid): per office, day and counter a walk through the
        // starts that books a free one with probability p (then its two cells are taken, so the next start is skipped).
        // The fill is then about 2p/(1+p), a little less at the ends of the periods: p = 0.44 gives about 60 %.
        var offices = await new Offices(db, clock, new SlotCache(Options.Create(new AppointmentOptions()), clock), Options.Create(new AppointmentOptions())).ListAsync(Service, null);
        var rng = new Random(20261203);
        const double p = 0.44;
        var appointments = new List<object?[]>();
        var cells = new List<object?[]>();
        long gridCells = 0;
        var n = 0;
        foreach (var office in offices)
        {
            var minutes = office.Services.Single(s => s.Service == Service).MinutesFor(1);
            for (var day = today; day < today.AddDays(Days); day = day.AddDays(1))
            {
                if (SlotGrid.IsPublicHoliday("RP", day)) continue;
                var weekday = day.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)day.DayOfWeek;
                foreach (var h in office.Hours.Where(h => h.Weekday == weekday))
                    gridCells += (long)(TimeOnly.Parse(h.Closes, CultureInfo.InvariantCulture) - TimeOnly.Parse(h.Opens, CultureInfo.InvariantCulture)).TotalMinutes / office.SlotMinutes * h.Counters;
                var candidates = SlotGrid.Candidates(office, minutes, day, false).ToList();
                for (var counter = 1; counter <= candidates.Select(x => x.Counters).DefaultIfEmpty(0).Max(); counter++)
                {
                    var taken = new HashSet<DateTime>();
                    foreach (var candidate in candidates.Where(x => x.Counters >= counter))
                    {
                        if (candidate.CellsUtc.Any(taken.Contains) || rng.NextDouble() >= p) continue;
                        foreach (var cell in candidate.CellsUtc) taken.Add(cell);
                        n++;
                        var id = Guid.NewGuid().ToString("N");
                        var reserved = rng.NextDouble() < 0.03; // a few holds waiting for the e-mail confirmation (2 h, so that they stand through the run)
                        var email = $"seed{n}@example.org";
                        appointments.Add([id, office.Id, Service, Ags(rng.Next(OfficeCount)), candidate.StartUtc, candidate.EndUtc, 1, counter, $"Bürgerin {n}", email, email, null,
                            reserved ? "reserved" : "confirmed", Bookings.Hash("seed-manage-" + n), Bookings.Hash("seed-confirm-" + n), reserved ? now.AddHours(2) : null, 0,
                            now.AddDays(-rng.Next(1, 30)), reserved ? null : now.AddDays(-1), CheckinCode(n)]);
                        foreach (var cell in candidate.CellsUtc) cells.Add([office.Id, counter, cell, id, null]);
                    }
                }
            }
        }
        t.Restart();
        await db.InTransactionAsync(async (c, tx) =>
        {
            await InsertRowsAsync(db, c, tx, "appointments", ["id", "office_id", "service_slug", "resident_ags", "start_at", "end_at", "items", "counter", "name", "email", "email_key", "phone",
                "status", "manage_token_hash", "confirm_token_hash", "expires_at", "sequence", "created_at", "confirmed_at", "checkin_code"], appointments, 1000);
            await InsertRowsAsync(db, c, tx, "appointment_cells", ["office_id", "counter", "cell_start", "appointment_id", "held_until"], cells, 4000);
        });
        if (o.Postgres)
        {
            await using var c = await db.OpenAsync();
            await c.ExecuteAsync("VACUUM ANALYZE");
        }
        // SQLite: no ANALYZE, the app never runs it (as in the other seeders of production-like data).
        Console.Error.WriteLine($"appointments: {appointments.Count:N0} appointments, {cells.Count:N0} of {gridCells:N0} cells ({100.0 * cells.Count / gridCells:0.0} %) in {t.Elapsed.TotalSeconds:0.0} s; "
            + $"{offices.Count} offices; total {total.Elapsed.TotalSeconds:0.0} s (data in {(o.Postgres ? "database " + o.PostgresDatabase : o.DataDirectory)})");
    }

    /// <summary>A unique check-in code in the app's form (eight characters of its alphabet, "XXXX-XXXX"), from a number.</summary>
    private static string CheckinCode(long n)
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var chars = new char[8];
        var v = n * 2_654_435_761L % (1L << 40); // a bijection on [0, 2^40): odd multiplier
        for (var i = 7; i >= 0; i--) { chars[i] = alphabet[(int)(v & 31)]; v >>= 5; }
        return new string(chars, 0, 4) + "-" + new string(chars, 4, 4);
    }

    /// <summary>
    /// INSERTs on plain ADO.NET, timestamps as the app stores them (SQLite text, PostgreSQL timestamptz). SQLite: one prepared
    /// one-row command (binding by name is linear in the number of parameters, so a statement of thousands of rows is quadratic);
    /// PostgreSQL: multi-row statements of <paramref name="chunk"/> rows.
    /// </summary>
    private static async Task InsertRowsAsync(Db db, DbConnection c, DbTransaction tx, string table, string[] columns, List<object?[]> rows, int chunk)
    {
        if (db.Kind == DatabaseKind.Sqlite)
        {
            await using var one = c.CreateCommand();
            one.Transaction = tx;
            one.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, j) => "@p" + j))})";
            var ps = columns.Select((_, j) => { var p = one.CreateParameter(); p.ParameterName = "p" + j; one.Parameters.Add(p); return p; }).ToArray();
            one.Prepare();
            foreach (var row in rows)
            {
                for (var j = 0; j < row.Length; j++) ps[j].Value = row[j] switch { null => DBNull.Value, DateTime d => SqliteTimestamps.Text(d), var v => v };
                await one.ExecuteNonQueryAsync();
            }
            return;
        }
        for (var from = 0; from < rows.Count; from += chunk)
        {
            await using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            var sql = new StringBuilder($"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ");
            var k = 0;
            foreach (var row in rows.Skip(from).Take(chunk))
            {
                if (k > 0) sql.Append(", ");
                sql.Append('(');
                for (var j = 0; j < row.Length; j++)
                {
                    var p = cmd.CreateParameter();
                    p.ParameterName = "p" + k;
                    p.Value = row[j] switch
                    {
                        null => DBNull.Value,
                        DateTime d when db.Kind == DatabaseKind.Sqlite => SqliteTimestamps.Text(d),
                        var v => v,
                    };
                    cmd.Parameters.Add(p);
                    sql.Append(j == 0 ? "" : ", ").Append("@p").Append(k++);
                }
                sql.Append(')');
            }
            cmd.CommandText = sql.ToString();
            await cmd.ExecuteNonQueryAsync();
        }
    }

    // ------------------------------------------------------------------------------------------------------------ the app's SQL

    // The statements SlotFinder.FindAsync, Offices.ListAsync/LoadAsync and Bookings.BookAsync run: the app's own where it
    // exposes them (Offices.LoadSql, Offices.OpenTo, SlotFinder.OccupiedSql), the short ones written out in the app's order.
    private const string ResidentSql = "SELECT ags, district_ags FROM municipalities WHERE ags = @Ags";

    private static string OpenToSql(string serviceExpression) => Offices.OpenTo(serviceExpression, anyService: false);

    private static string OfficeIdsSql => $"""
        SELECT o.id FROM appointment_offices o WHERE o.active = TRUE AND EXISTS (SELECT 1 FROM appointment_office_services s WHERE s.office_id = o.id AND s.service_slug = @Service) AND {OpenToSql("@Service")} ORDER BY o.id
        """;

    private static string[] LoadSql(Db db) => Offices.LoadSql(db);

    private static string OccupiedSql(Db db) => SlotFinder.OccupiedSql(db);

    // Diagnostic rows of the search (not app code where they say so), to show where its time goes.
    private const string DiagOccupied = "bare: the occupied-cells query alone (app SQL)";
    private const string DiagJoin = "not app code any more: occupied cells by the earlier query (a join per cell, every counter)";
    private const string DiagDays = "bare, only the days up to the answer's last slot (the app reads whole weeks)";
    private const string DiagGrid = "in-process, no I/O: the grid loop of FindAsync over a loaded occupied set";
    private const string DiagHolidays = "in-process, no I/O: of it, SlotGrid.IsPublicHoliday per office and day";
    private const string HttpUncachedShort = "http, answers not kept";
    private const string HttpUncached = HttpUncachedShort + " (second server, SlotCacheSeconds=0)";
    private static readonly string[] SearchLevels = ["bare", "service", "http", HttpUncached, DiagOccupied, DiagJoin, DiagDays, DiagGrid, DiagHolidays];

    /// <summary>The loop of FindAsync after its queries (app functions SlotGrid.Candidates, FreeCounter, IsPublicHoliday; the same order and cap).</summary>
    private static int GridOnly(IReadOnlyList<Office> offices, Dictionary<long, HashSet<(int Counter, DateTime Cell)>> occupied, DateOnly from, DateOnly to)
    {
        var earliest = DateTime.UtcNow.AddMinutes(new AppointmentOptions().MinimumLeadMinutes);
        var slots = new List<FreeSlot>();
        foreach (var office in offices)
        {
            var service = office.Services.Single(s => s.Service == Service);
            var minutes = service.MinutesFor(1);
            var closed = office.Closures.Select(c => c.Day).ToHashSet();
            var taken = occupied.TryGetValue(office.Id, out var set) ? set : [];
            for (var day = from; day <= to; day = day.AddDays(1))
            {
                var isClosed = closed.Contains(day) || SlotGrid.IsPublicHoliday("RP", day);
                foreach (var candidate in SlotGrid.Candidates(office, minutes, day, isClosed))
                    if (candidate.StartUtc >= earliest && SlotGrid.FreeCounter(candidate, taken) is not null)
                        slots.Add(new FreeSlot(office.Id, office.Name, office.MunicipalityName, candidate.StartUtc, candidate.EndUtc));
            }
        }
        return slots.OrderBy(s => s.Start).ThenBy(s => s.OfficeId).Take(SlotFinder.MaxSlots).Count();
    }

    private static int HolidaysOnly(int offices, DateOnly from, DateOnly to)
    {
        var n = 0;
        for (var i = 0; i < offices; i++)
            for (var day = from; day <= to; day = day.AddDays(1))
                if (SlotGrid.IsPublicHoliday("RP", day)) n++;
        return n;
    }

    /// <summary>Not app code any more: the occupied-cells query before the counter list and NOT IN (a join per cell to leave out expired holds; same rows).</summary>
    private static string OccupiedJoinSql(Db db) => $"""
        SELECT c.office_id, c.counter, c.cell_start FROM appointment_cells c LEFT JOIN appointments a ON a.id = c.appointment_id
        WHERE {db.InList("c.office_id", "Ids")} AND c.cell_start >= @From AND c.cell_start < @To
          AND NOT (c.appointment_id IS NULL AND (c.held_until IS NULL OR c.held_until <= @Now))
          AND NOT (a.id IS NOT NULL AND a.status = 'reserved' AND a.expires_at <= @Now)
        """;

    private const string InsertAppointmentSql = """
        INSERT INTO appointments (id, office_id, service_slug, resident_ags, start_at, end_at, items, counter, name, email, email_key, phone, status,
                                  manage_token_hash, confirm_token_hash, expires_at, sequence, created_at, checkin_code)
        VALUES (@Id, @Office, @Service, @Resident, @Start, @End, @Items, 0, @Name, @Email, @Key, @Phone, 'reserved', @Manage, @Confirm, @Expires, 0, @Now, @Code)
        """;

    private const string InsertCellSql = """
        INSERT INTO appointment_cells (office_id, counter, cell_start, appointment_id, held_until) VALUES (@Office, @Counter, @Cell, @Id, NULL)
        ON CONFLICT (office_id, counter, cell_start) DO NOTHING
        """;

    /// <summary>The statements of one slot search (FindAsync with a municipality), in the app's order, rows read into the app's types; no grid.</summary>
    private static async Task<int> BareSearchAsync(Db db, DbConnection c, string ags, DateOnly today, DateOnly from, DateOnly to)
    {
        var resident = (await c.QueryAsync<(string Ags, string? District)>(ResidentSql, new { Ags = ags })).AsList();
        var ids = (await c.QueryAsync<long>(OfficeIdsSql, new { Service, ResidentAgs = ags, ResidentDistrict = resident[0].District ?? ags, Today = today })).ToArray();
        var load = LoadSql(db);
        var offices = (await c.QueryAsync<Offices.OfficeRow>(load[0], new { Ids = ids })).AsList();
        var hours = (await c.QueryAsync<(long OfficeId, long Weekday, string Opens, string Closes, long Counters)>(load[1], new { Ids = ids })).AsList();
        await c.QueryAsync<(long OfficeId, string Service, long Minutes, long PerItem, long MaxItems)>(load[2], new { Ids = ids });
        await c.QueryAsync<(long OfficeId, DateOnly Day, string Reason)>(load[3], new { Ids = ids, Today = today });
        var counters = Enumerable.Range(1, (int)hours.Select(h => h.Counters).DefaultIfEmpty(1).Max()).ToArray();
        var rows = await c.QueryAsync<(long OfficeId, long Counter, DateTime Cell)>(OccupiedSql(db),
            new { Ids = ids, Counters = counters, From = BerlinTime.StartOfDayUtc(from), To = BerlinTime.StartOfDayUtc(to.AddDays(1)), Now = DateTime.UtcNow });
        return rows.AsList().Count;
    }


    private sealed record Pick(long OfficeId, DateTime Start, IReadOnlyList<DateTime> Cells, int Counters, string Resident);

    private static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static object InsertParameters(Pick p, string id, string email, DateTime now) => new
    {
        Id = id, Office = p.OfficeId, Service, Resident = p.Resident, Start = p.Start, End = p.Start.AddMinutes(AppointmentMinutes), Items = 1, Name = "Erika Mustermann",
        Email = email, Key = email, Phone = (string?)null, Manage = Bookings.Hash(NewToken()), Confirm = Bookings.Hash(NewToken()), Expires = now.AddMinutes(15), Now = now,
        Code = CheckinCode(RandomNumberGenerator.GetInt32(int.MaxValue) * 512L + RandomNumberGenerator.GetInt32(512)),
    };

    /// <summary>The cell INSERTs counter by counter as TakeCellsAsync runs them (ON CONFLICT DO NOTHING, the first counter where all went in).</summary>
    private static async Task<int?> TakeCellsAsync(DbConnection c, DbTransaction tx, Pick p, string id)
    {
        for (var counter = 1; counter <= p.Counters; counter++)
        {
            var inserted = 0;
            foreach (var cell in p.Cells)
                inserted += await c.ExecuteAsync(InsertCellSql, new { Office = p.OfficeId, Counter = counter, Cell = cell, Id = id }, tx);
            if (inserted == p.Cells.Count) return counter;
            await c.ExecuteAsync("DELETE FROM appointment_cells WHERE appointment_id = @Id AND office_id = @Office AND counter = @Counter", new { Id = id, Office = p.OfficeId, Counter = counter }, tx);
        }
        return null;
    }

    /// <summary>Bare booking, the writes only: the appointment INSERT, the cell INSERTs, the counter UPDATE, in one transaction.</summary>
    private static Task<bool> BareInsertsAsync(Db db, Pick p, string email) => db.InTransactionAsync(async (c, tx) =>
    {
        var id = Guid.NewGuid().ToString("N");
        var now = DateTime.UtcNow;
        await c.ExecuteAsync(InsertAppointmentSql, InsertParameters(p, id, email, now), tx);
        var counter = await TakeCellsAsync(c, tx, p, id) ?? throw new InvalidOperationException("no free counter");
        await c.ExecuteAsync("UPDATE appointments SET counter = @Counter WHERE id = @Id", new { Counter = counter, Id = id }, tx);
        return true;
    });

    /// <summary>
    /// Bare booking with every statement BookAsync runs, in its order: before the write transaction, on a connection of its
    /// own, the checks that only read (resident, sharing, the slot's taken cells for the counter to start with; the office
    /// from the app's kept office data, not read); in the transaction the guarded INSERT of the hold and the INSERT of its cells (app SQL: Bookings.InsertHoldSql,
    /// Bookings.TakeCellsSql), on PostgreSQL after the office's share lock and the address's advisory lock.
    /// </summary>
    private static async Task<bool> BareAllAsync(Db db, Pick p, string email, long version)
    {
        var id = Guid.NewGuid().ToString("N");
        var now = DateTime.UtcNow;
        var ids = new[] { p.OfficeId };
        int first;
        await using (var c = await db.OpenAsync())
        {
            var district = (await c.QueryAsync<(string Ags, string? District)>(ResidentSql, new { Ags = p.Resident })).Single().District;
            // The office itself (its four loads) comes from the data the app keeps for a few seconds: not read per booking.
            await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM appointment_offices o WHERE o.id = @Id AND o.active = TRUE AND {OpenToSql("@Service")}",
                new { Id = p.OfficeId, Service, ResidentAgs = p.Resident, ResidentDistrict = district ?? p.Resident, Today = BerlinTime.Today(TimeProvider.System) });
            var taken = (await c.QueryAsync<(long OfficeId, long Counter, DateTime Cell)>(OccupiedSql(db),
                new { Ids = ids, Counters = Enumerable.Range(1, p.Counters).ToArray(), From = p.Start, To = p.Start.AddMinutes(AppointmentMinutes), Now = now })).Select(r => ((int)r.Counter, r.Cell)).ToHashSet();
            first = Enumerable.Range(1, p.Counters).First(k => p.Cells.All(cell => !taken.Contains((k, cell))));
        }
        return await db.InTransactionAsync(async (c, tx) =>
        {
            if (db.Kind == DatabaseKind.Postgres)
            {
                await c.ExecuteAsync("SELECT id FROM appointment_offices WHERE id = @Id FOR SHARE", new { Id = p.OfficeId }, tx);
                await c.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtext(@Key))", new { Key = "appointment-email:" + email }, tx);
            }
            var hold = new DynamicParameters(InsertParameters(p, id, email, now));
            hold.AddDynamicParams(new { Counter = first, MaxOpen = new AppointmentOptions().MaxOpenPerEmail, SlotMinutes = 10, Version = version, Day = BerlinTime.DateOf(p.Start) });
            if (await c.ExecuteAsync(Bookings.InsertHoldSql, hold, tx) != 1) throw new InvalidOperationException("the hold was refused");
            var cells = new DynamicParameters(new { Office = p.OfficeId, Counter = first, Id = id, Now = now });
            for (var i = 0; i < p.Cells.Count; i++) cells.Add("Cell" + i, p.Cells[i]);
            if (await c.ExecuteAsync(Bookings.TakeCellsSql(p.Cells.Count), cells, tx) != p.Cells.Count) throw new InvalidOperationException("no free counter");
            return true;
        });
    }

    // ------------------------------------------------------------------------------------------------------------ the run

    private sealed record Sample(string Level, double Ms);

    private sealed record BurstResult(string Level, int Size, int Ok, int Errors, double WallMs, double[] LatenciesMs, string? FirstError);

    private sealed record RushResult(string Level, double Rate, double Seconds, int Measured, int Ok, int Errors, int Timeouts, double AnsweredPerSecond,
        double P50, double P99, double Max, double LateP99, double LateMax, string? FirstError)
    {
        public double BusyAfterSeconds { get; init; } = double.NaN;
        public int Refused { get; init; }
        public double RefusedP99 { get; init; } = double.NaN;
        public int BusyCap { get; init; }
    }

    public static async Task RunAsync(BenchOptions o)
    {
        var started = DateTime.UtcNow;
        var total = Stopwatch.StartNew();
        using var db = Open(o);
        var clock = TimeProvider.System;
        // In-process the search keeps no answers: the service level measures the computation; the server keeps them (its
        // default). The office data is kept as in the server (OfficeCacheSeconds, default 5), on both servers.
        var appointmentOptions = Options.Create(new AppointmentOptions { SlotCacheSeconds = 0 });
        var cache = new SlotCache(appointmentOptions, clock);
        var offices = new Offices(db, clock, cache, appointmentOptions);
        var finder = new SlotFinder(db, offices, cache, appointmentOptions, clock);
        var mail = new SmtpMailSender(Options.Create(new SmtpOptions()), Options.Create(new OpenIkzOptions { DataDirectory = o.DataDirectory, Database = o.Database, Mode = "production" }));
        if (mail.IsConfigured) throw new InvalidOperationException("The benchmark's mail sender must not be configured (no e-mail is sent).");
        var bookings = new Bookings(db, offices, finder, mail, appointmentOptions, clock, NullLogger<Bookings>.Instance);

        var members = Enumerable.Range(0, OfficeCount).Select(Ags).ToArray();
        var all = await offices.ListAsync(Service, null);
        if (all.Count == 0) throw new InvalidOperationException("No offices: run `appt-seed` first.");
        var byId = all.ToDictionary(x => x.Id);
        var appointmentsAtStart = await db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointments");
        var today = BerlinTime.Today(clock);
        var to = today.AddDays(Days - 1);
        var counters = all.Sum(x => x.Hours.Max(h => h.Counters));
        // The fill of the searched range at the start (cells taken / cells of the grid on working days).
        long gridCells = 0;
        foreach (var office in all)
            for (var day = today; day <= to; day = day.AddDays(1))
                if (!SlotGrid.IsPublicHoliday("RP", day))
                    foreach (var h in office.Hours.Where(h => h.Weekday == (day.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)day.DayOfWeek)))
                        gridCells += (long)(TimeOnly.Parse(h.Closes, CultureInfo.InvariantCulture) - TimeOnly.Parse(h.Opens, CultureInfo.InvariantCulture)).TotalMinutes / office.SlotMinutes * h.Counters;
        var takenCells = (await finder.OccupiedAsync(all, BerlinTime.StartOfDayUtc(today), BerlinTime.StartOfDayUtc(to.AddDays(1)), default)).Sum(x => x.Value.Count);
        Console.Error.WriteLine($"{o.Database}: {all.Count} offices ({counters} counters), {appointmentsAtStart:N0} appointments, {takenCells:N0} of {gridCells:N0} cells taken ({100.0 * takenCells / gridCells:0.0} %) from {today:yyyy-MM-dd} to {to:yyyy-MM-dd}");

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 2048, UseCookies = false, UseProxy = false, AllowAutoRedirect = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        using var http = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{o.Port}"), Timeout = TimeSpan.FromSeconds(60) };
        var server = await BenchEnv.StartServerAsync(o, http);
        // A second server on the next port that keeps no answers: every search there is computed (and admitted or refused).
        using var uncachedHandler = new SocketsHttpHandler { MaxConnectionsPerServer = 2048, UseCookies = false, UseProxy = false, AllowAutoRedirect = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        using var uncached = new HttpClient(uncachedHandler) { BaseAddress = new Uri($"http://127.0.0.1:{o.Port + 1}"), Timeout = TimeSpan.FromSeconds(60) };
        Process uncachedServer;
        try { uncachedServer = await BenchEnv.StartServerAsync(o, uncached, o.Port + 1, new Dictionary<string, string> { ["OpenIkz__Appointments__SlotCacheSeconds"] = "0" }); }
        catch
        {
            await BenchEnv.StopAsync(server); // the first one would keep its port
            throw;
        }
        var samples = new List<Sample>();
        var bursts = new List<BurstResult>();
        var rushes = new List<RushResult>();
        var capacities = new List<(string Level, PhaseResult Result)>();
        int slotsReturned = 0, httpSlots = 0, bareCellRows = 0, joinRows = 0, overlaps = -1, mismatchedCells = -1;
        var lastSlotDay = to;
        var officeIds = all.Select(x => x.Id).ToArray();
        long benchBookings = 0;
        double hwm = double.NaN, rss = double.NaN;
        string SlotsUrl(string ags) => $"/api/v1/appointments/slots?service={Service}&municipality={ags}&from={today:yyyy-MM-dd}&to={to:yyyy-MM-dd}";
        try
        {
            Console.Error.WriteLine($"server pid {server.Id}, RSS after start {BenchEnv.ProcStatusMb(server.Id, "VmRSS"):0} MB");

            // ---- (a) slot search, sequential, levels interleaved request by request (their order rotating) --------------------
            if (Phase(o, "search"))
            {
                var t = Stopwatch.StartNew();
                await using var bare = await db.OpenAsync();
                var warmup = Math.Max(10, o.Requests / 10);
                var query = (string ags) => new SlotFinder.Query(Service, ags, null, today, to);
                // The days the answer really needs: its 500 earliest slots end on this day (for the diagnostic row below).
                var first = await finder.FindAsync(query(members[0]));
                lastSlotDay = first.Count == 0 ? to : BerlinTime.DateOf(first[^1].Start);
                var occupiedOnce = await finder.OccupiedAsync(all, BerlinTime.StartOfDayUtc(today), BerlinTime.StartOfDayUtc(to.AddDays(1)), default);
                var levels = new (string Name, Func<string, Task> Run)[]
                {
                    ("bare", async ags => bareCellRows = await BareSearchAsync(db, bare, ags, today, today, to)),
                    ("service", async ags => slotsReturned = (await finder.FindAsync(query(ags))).Count),
                    ("http", async ags =>
                    {
                        using var r = await http.GetAsync(SlotsUrl(ags));
                        var body = await r.Content.ReadAsByteArrayAsync();
                        if (r.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET slots: {(int)r.StatusCode} {Encoding.UTF8.GetString(body)}");
                        httpSlots = JsonDocument.Parse(body).RootElement.GetArrayLength();
                    }),
                    (HttpUncached, async ags =>
                    {
                        using var r = await uncached.GetAsync(SlotsUrl(ags));
                        var body = await r.Content.ReadAsByteArrayAsync();
                        if (r.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET slots (no kept answers): {(int)r.StatusCode} {Encoding.UTF8.GetString(body)}");
                    }),
                    (DiagOccupied, ags => bare.QueryAsync<(long OfficeId, long Counter, DateTime Cell)>(OccupiedSql(db),
                        SlotFinder.OccupiedParameters(all, BerlinTime.StartOfDayUtc(today), BerlinTime.StartOfDayUtc(to.AddDays(1)), DateTime.UtcNow))),
                    (DiagJoin, async ags => joinRows = (await bare.QueryAsync<(long OfficeId, long Counter, DateTime Cell)>(OccupiedJoinSql(db),
                        new { Ids = officeIds, From = BerlinTime.StartOfDayUtc(today), To = BerlinTime.StartOfDayUtc(to.AddDays(1)), Now = DateTime.UtcNow })).AsList().Count),
                    (DiagDays, ags => BareSearchAsync(db, bare, ags, today, today, lastSlotDay)),
                    (DiagGrid, ags => { GridOnly(all, occupiedOnce, today, to); return Task.CompletedTask; }),
                    (DiagHolidays, ags => { HolidaysOnly(all.Count, today, to); return Task.CompletedTask; }),
                };
                for (var i = 0; i < warmup + o.Requests; i++)
                {
                    var record = i >= warmup;
                    var ags = members[i % members.Length];
                    for (var k = 0; k < levels.Length; k++)
                    {
                        var (name, run) = levels[(i + k) % levels.Length];
                        var sw = Stopwatch.StartNew();
                        await run(ags);
                        if (record) samples.Add(new Sample(name, sw.Elapsed.TotalMilliseconds));
                    }
                }
                if (httpSlots != slotsReturned) Console.Error.WriteLine($"  note: the HTTP answer has {httpSlots} slots, the service's {slotsReturned}");
                if (joinRows != bareCellRows) Console.Error.WriteLine($"  note: the earlier query read {joinRows} cells, the app's query {bareCellRows}");
                foreach (var (name, _) in levels)
                {
                    var ms = samples.Where(s => s.Level == name).Select(s => s.Ms).Order().ToArray();
                    Console.Error.WriteLine($"  search {name,-60} p50 {Load.Percentile(ms, 0.5),7:0.0} ms  p99 {Load.Percentile(ms, 0.99),7:0.0} ms  max {ms[^1],7:0.0} ms");
                }
                Console.Error.WriteLine($"  search: {o.Requests} per level after {warmup} warm-up, {slotsReturned} slots per answer (the last on {lastSlotDay:yyyy-MM-dd}), {bareCellRows:N0} taken cells read per search, {t.Elapsed.TotalSeconds:0} s");
            }

            // ---- (b) bookings: bursts of N simultaneous bookings of N different free slots ---------------------------------
            if (Phase(o, "booking"))
            {
                var t = Stopwatch.StartNew();
                var levels = new[] { "bare (INSERTs only)", "bare (every statement of BookAsync)", "service", "http" };
                var warm = Math.Max(5, o.Concurrency / 10);
                var needed = levels.Length * (warm + o.Runs * o.Concurrency);
                var picks = await FreeSlotsAsync(finder, byId, members, today.AddDays(1), to, needed);
                if (picks.Count < needed) throw new InvalidOperationException($"Only {picks.Count} disjoint free slots found, {needed} needed: fewer --runs or --concurrency.");
                Console.Error.WriteLine($"  booking: {picks.Count:N0} disjoint free slots picked through the search in {t.Elapsed.TotalSeconds:0.0} s");
                // The office versions the app's kept office data carries (the server's no-show job may have raised them at its start).
                var versions = (await db.QueryAsync<(long Id, long Version)>("SELECT id, version FROM appointment_offices")).ToDictionary(x => x.Id, x => x.Version);
                var next = 0;
                List<Pick> Take(int count) { var list = picks.GetRange(next, count); next += count; return list; }
                Func<Pick, string, Task<bool>> Op(string level) => level switch
                {
                    "bare (INSERTs only)" => (p, email) => BareInsertsAsync(db, p, email),
                    "bare (every statement of BookAsync)" => (p, email) => BareAllAsync(db, p, email, versions[p.OfficeId]),
                    "service" => async (p, email) => (await bookings.BookAsync(new BookingRequest(Service, p.OfficeId, p.Start, 1, "Erika Mustermann", email, null, p.Resident))).Status == "reserved",
                    _ => async (p, email) =>
                    {
                        var json = JsonSerializer.Serialize(new { service = Service, officeId = p.OfficeId, start = p.Start.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), items = 1,
                            name = "Erika Mustermann", email, phone = (string?)null, municipality = p.Resident });
                        using var r = await http.PostAsync("/api/v1/appointments", new StringContent(json, Encoding.UTF8, "application/json"));
                        var body = await r.Content.ReadAsStringAsync();
                        return r.StatusCode == HttpStatusCode.Created ? true : throw new InvalidOperationException($"HTTP {(int)r.StatusCode}: {body[..Math.Min(body.Length, 200)]}");
                    },
                };
                var run = DateTime.UtcNow.Ticks % 1_000_000;
                foreach (var level in levels) // warm-up burst per level, not recorded
                {
                    var b = await BurstAsync(level, Take(warm), (p, i) => Op(level)(p, $"warm-{run}-{Array.IndexOf(levels, level)}-{i}@example.org"));
                    if (b.Ok != b.Size) Console.Error.WriteLine($"  warm-up {level}: {b.Errors} errors ({b.FirstError})");
                    if (level == "service") Npgsql.NpgsqlConnection.ClearAllPools();
                }
                for (var r = 0; r < o.Runs; r++)
                    for (var k = 0; k < levels.Length; k++)
                    {
                        var level = levels[(r + k) % levels.Length];
                        var rr = r;
                        var b = await BurstAsync(level, Take(o.Concurrency), (p, i) => Op(level)(p, $"bench-{run}-{rr}-{Array.IndexOf(levels, level)}-{i}@example.org"));
                        bursts.Add(b);
                        Console.Error.WriteLine($"  booking {level,-38} burst of {b.Size}: {b.Ok / (b.WallMs / 1000),7:0.0} bookings/s  p50 {Load.Percentile(b.LatenciesMs, 0.5),7:0.0} ms  p99 {Load.Percentile(b.LatenciesMs, 0.99),7:0.0} ms  errors {b.Errors}"
                            + (b.FirstError is null ? "" : $" ({b.FirstError})"));
                        if (level == "service" || level.StartsWith("bare", StringComparison.Ordinal)) Npgsql.NpgsqlConnection.ClearAllPools();
                    }
                var now = DateTime.UtcNow;
                overlaps = (int)await db.QuerySingleAsync<long>("""
                    SELECT COUNT(*) FROM appointments a JOIN appointments b
                      ON b.office_id = a.office_id AND b.counter = a.counter AND b.id > a.id AND a.start_at < b.end_at AND b.start_at < a.end_at
                    WHERE (a.status = 'confirmed' OR (a.status = 'reserved' AND a.expires_at > @Now))
                      AND (b.status = 'confirmed' OR (b.status = 'reserved' AND b.expires_at > @Now))
                    """, new { Now = now });
                mismatchedCells = (int)await db.QuerySingleAsync<long>("""
                    SELECT COUNT(*) FROM appointments a
                    WHERE (a.status = 'confirmed' OR (a.status = 'reserved' AND a.expires_at > @Now))
                      AND (SELECT COUNT(*) FROM appointment_cells c WHERE c.appointment_id = a.id AND c.office_id = a.office_id AND c.counter = a.counter) <> 2
                    """, new { Now = now });
                benchBookings = await db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointments WHERE email LIKE 'bench-%' OR email LIKE 'warm-%'");
                Console.Error.WriteLine($"  booking: {benchBookings:N0} bookings stored by the benchmark; overlapping open appointments on one office and counter: {overlaps}; open appointments without their 2 cells: {mismatchedCells}; {t.Elapsed.TotalSeconds:0} s");
            }

            // ---- (c) per server (answers kept, the default; and none kept): first its capacity (closed loop, 4 clients), then
            // the open-loop rush, rates in ascending order. A 503 (admission control: the search is full) counts as refused.
            if (Phase(o, "rush"))
                foreach (var (level, client, process) in new[] { ("http", http, server), (HttpUncachedShort, uncached, uncachedServer) })
                {
                    var cap = await Load.RunAsync($"search: GET /slots, closed loop ({level})", 4, o.Seconds, 2, async (w, n) =>
                    {
                        using var r = await client.GetAsync(SlotsUrl(members[(int)(n % members.Length)]));
                        await r.Content.ReadAsByteArrayAsync();
                        return r.StatusCode == HttpStatusCode.OK ? true : throw new InvalidOperationException($"HTTP {(int)r.StatusCode}");
                    });
                    capacities.Add((level, cap));
                    foreach (var rate in o.Rates.Order())
                    {
                        var t = Stopwatch.StartNew();
                        var rush = await OpenLoopAsync(level, rate, o.Seconds, o.Warmup, async (i, ct) =>
                        {
                            using var r = await client.GetAsync(SlotsUrl(members[i % members.Length]), ct);
                            await r.Content.ReadAsByteArrayAsync(ct);
                            return r.StatusCode switch
                            {
                                HttpStatusCode.OK => RushOutcome.Answered,
                                HttpStatusCode.ServiceUnavailable when r.Headers.RetryAfter is not null => RushOutcome.Refused,
                                _ => throw new InvalidOperationException($"HTTP {(int)r.StatusCode}"),
                            };
                        });
                        rushes.Add(rush);
                        Console.Error.WriteLine($"  rush {level} {rush.Rate:0}/s for {rush.Seconds:0} s: answered {rush.AnsweredPerSecond:0.0}/s, p50 {rush.P50:0.0} ms, p99 {rush.P99:0.0} ms, max {rush.Max:0} ms, refused {rush.Refused} (503, p99 {rush.RefusedP99:0.0} ms), errors {rush.Errors} (timeouts {rush.Timeouts}), start lag p99 {rush.LateP99:0.0} ms; {t.Elapsed.TotalSeconds:0} s");
                        if (rate == o.Rates.Max() && process == server) { hwm = BenchEnv.ProcStatusMb(server.Id, "VmHWM"); rss = BenchEnv.ProcStatusMb(server.Id, "VmRSS"); }
                        // How long the server stays busy after the last request was answered or given up: until a search is answered
                        // within 1 s again (probes 1 s apart, 5 s each). Before the next rate, so that it starts on an idle server;
                        // after the last one at most 30 s.
                        var busy = Stopwatch.StartNew();
                        var busyCap = rate == o.Rates.Max() ? 30 : 180;
                        var recovered = false;
                        while (busy.Elapsed.TotalSeconds < busyCap)
                        {
                            var probe = Stopwatch.StartNew();
                            try
                            {
                                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                                using var r = await client.GetAsync(SlotsUrl(members[0]), cts.Token);
                                await r.Content.ReadAsByteArrayAsync(cts.Token);
                                if (r.IsSuccessStatusCode && probe.ElapsedMilliseconds < 1000) { recovered = true; break; }
                            }
                            catch (OperationCanceledException) { }
                            catch (HttpRequestException) { }
                            await Task.Delay(1000);
                        }
                        rushes[^1] = rush with { BusyAfterSeconds = recovered ? busy.Elapsed.TotalSeconds : double.PositiveInfinity, BusyCap = busyCap };
                        Console.Error.WriteLine($"    server answered a search within 1 s again after {(recovered ? busy.Elapsed.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) : $"more than {busyCap}")} s");
                    }
                }
        }
        finally
        {
            await BenchEnv.StopAsync(server);
            await BenchEnv.StopAsync(uncachedServer);
        }

        var report = Report(o, started, total.Elapsed, all.Count, counters, appointmentsAtStart, takenCells, gridCells, today, to, slotsReturned, bareCellRows, lastSlotDay,
            samples, bursts, capacities, rushes, overlaps, mismatchedCells, benchBookings, hwm, rss);
        Console.WriteLine(report);
        if (o.Output is { } path) await File.WriteAllTextAsync(path, report);
    }

    /// <summary>
    /// Free slots for the bookings, found by the app's search office by office (up to 500 a query, later days in further
    /// queries), chosen at least one appointment apart on each office so that no two picks share a cell; returned in turn
    /// over the offices, so that every burst spreads over all of them. Each pick carries its cells and counters (SlotGrid).
    /// </summary>
    private static async Task<List<Pick>> FreeSlotsAsync(SlotFinder finder, Dictionary<long, Office> offices, string[] members, DateOnly from, DateOnly to, int needed)
    {
        var perOffice = (needed + offices.Count - 1) / offices.Count + 2;
        var lists = new List<List<Pick>>();
        var k = 0;
        foreach (var office in offices.Values.OrderBy(x => x.Id))
        {
            var list = new List<Pick>();
            var day = from;
            var last = DateTime.MinValue;
            while (list.Count < perOffice && day <= to)
            {
                var slots = await finder.FindAsync(new SlotFinder.Query(Service, members[0], office.Id, day, to));
                if (slots.Count == 0) break;
                foreach (var s in slots)
                {
                    if (s.Start < last.AddMinutes(AppointmentMinutes) || list.Count >= perOffice) continue;
                    var candidate = SlotGrid.Candidates(office, AppointmentMinutes, BerlinTime.DateOf(s.Start), false).First(x => x.StartUtc == s.Start);
                    list.Add(new Pick(office.Id, s.Start, candidate.CellsUtc, candidate.Counters, members[k++ % members.Length]));
                    last = s.Start;
                }
                if (slots.Count < SlotFinder.MaxSlots) break;
                day = BerlinTime.DateOf(slots[^1].Start).AddDays(1);
            }
            lists.Add(list);
        }
        var picks = new List<Pick>();
        for (var i = 0; i < perOffice; i++)
            foreach (var list in lists)
                if (i < list.Count) picks.Add(list[i]);
        return picks;
    }

    /// <summary>All bookings of the burst start at once (a gate); latency of each from the gate's opening to its answer.</summary>
    private static async Task<BurstResult> BurstAsync(string level, List<Pick> picks, Func<Pick, int, Task<bool>> op)
    {
        var latencies = new double[picks.Count];
        var ok = new bool[picks.Count];
        string? firstError = null;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long opened = 0;
        var tasks = picks.Select((p, i) => Task.Run(async () =>
        {
            await gate.Task;
            try { ok[i] = await op(p, i); }
            catch (Exception ex) { Interlocked.CompareExchange(ref firstError, ex.GetType().Name + ": " + ex.Message.Split('\n')[0], null); }
            latencies[i] = (Stopwatch.GetTimestamp() - Volatile.Read(ref opened)) * 1000.0 / Stopwatch.Frequency;
        })).ToArray();
        await Task.Delay(200); // every task waits at the gate
        Volatile.Write(ref opened, Stopwatch.GetTimestamp());
        gate.SetResult();
        await Task.WhenAll(tasks);
        var wall = (Stopwatch.GetTimestamp() - opened) * 1000.0 / Stopwatch.Frequency;
        var okLatencies = latencies.Where((_, i) => ok[i]).Order().ToArray();
        return new BurstResult(level, picks.Count, ok.Count(x => x), ok.Count(x => !x), wall, okLatencies, firstError);
    }

    /// <summary>
    /// Open loop: request i is due at i / rate seconds and started then (a scheduler thread wakes every millisecond and starts
    /// every request that is due), whether or not earlier ones were answered. Latency from the due time, so a late start
    /// counts against it. The first <paramref name="warmup"/> seconds are not recorded; a request has 10 s.
    /// </summary>
    private enum RushOutcome { Answered, Refused }

    /// <summary>The phases of appt-run that --phases names (search, booking, rush); all when it names none of them.</summary>
    private static bool Phase(BenchOptions o, string phase) => !o.Phases.Overlaps(["search", "booking", "rush"]) || o.Phases.Contains(phase);

    private static async Task<RushResult> OpenLoopAsync(string level, double rate, double seconds, double warmup, Func<int, CancellationToken, Task<RushOutcome>> op)
    {
        var count = (int)Math.Round(rate * (warmup + seconds));
        var first = (int)Math.Round(rate * warmup);
        var freq = (double)Stopwatch.Frequency;
        var latency = new double[count];
        var late = new double[count];
        var done = new long[count];
        var state = new byte[count]; // 1 ok, 2 error, 3 timeout, 4 refused (503 with Retry-After)
        string? firstError = null;
        var tasks = new Task[count];
        var t0 = Stopwatch.GetTimestamp() + (long)(0.05 * freq);
        long Due(int i) => t0 + (long)(i / rate * freq);
        var scheduler = new Thread(() =>
        {
            var i = 0;
            while (i < count)
            {
                var now = Stopwatch.GetTimestamp();
                for (; i < count && Due(i) <= now; i++)
                {
                    var k = i;
                    tasks[k] = Task.Run(async () =>
                    {
                        late[k] = (Stopwatch.GetTimestamp() - Due(k)) * 1000.0 / freq;
                        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                        try { state[k] = await op(k, cts.Token) == RushOutcome.Answered ? (byte)1 : (byte)4; }
                        catch (OperationCanceledException) when (cts.IsCancellationRequested) { state[k] = 3; }
                        catch (Exception ex)
                        {
                            state[k] = 2;
                            Interlocked.CompareExchange(ref firstError, ex.GetType().Name + ": " + ex.Message.Split('\n')[0], null);
                        }
                        done[k] = Stopwatch.GetTimestamp();
                        latency[k] = (done[k] - Due(k)) * 1000.0 / freq;
                    });
                }
                Thread.Sleep(1);
            }
        }) { IsBackground = true, Priority = ThreadPriority.AboveNormal, Name = "open-loop scheduler" };
        scheduler.Start();
        await Task.Run(scheduler.Join);
        await Task.WhenAll(tasks);
        var measured = Enumerable.Range(first, count - first).ToArray();
        var okMs = measured.Where(i => state[i] == 1).Select(i => latency[i]).Order().ToArray();
        var refusedMs = measured.Where(i => state[i] == 4).Select(i => latency[i]).Order().ToArray();
        var lateMs = measured.Select(i => late[i]).Order().ToArray();
        var lastDone = measured.Max(i => done[i]);
        var answered = okMs.Length / ((lastDone - Due(first)) / freq);
        return new RushResult(level, rate, seconds, measured.Length, okMs.Length, measured.Count(i => state[i] == 2), measured.Count(i => state[i] == 3), answered,
            Load.Percentile(okMs, 0.5), Load.Percentile(okMs, 0.99), okMs.Length == 0 ? double.NaN : okMs[^1], Load.Percentile(lateMs, 0.99), lateMs[^1], firstError)
        { Refused = refusedMs.Length, RefusedP99 = Load.Percentile(refusedMs, 0.99) };
    }

    // ------------------------------------------------------------------------------------------------------------ report

    private static string Report(BenchOptions o, DateTime started, TimeSpan elapsed, int officeCount, int counters, long appointments, long takenCells, long gridCells, DateOnly from, DateOnly to,
        int slotsReturned, int cellRows, DateOnly lastSlotDay, List<Sample> samples, List<BurstResult> bursts, List<(string Level, PhaseResult Result)> capacities, List<RushResult> rushes, int overlaps, int mismatched, long benchBookings, double hwm, double rss)
    {
        var inv = CultureInfo.InvariantCulture;
        string F(double v, string fmt) => double.IsNaN(v) ? "–" : v.ToString(fmt, inv);
        string Met(bool met) => met ? "yes" : "**no**";
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"## Appointments benchmark — {o.Database}, {started:yyyy-MM-dd HH:mm} UTC, {System.Environment.ProcessorCount} cores, run {elapsed.TotalSeconds:0} s");
        sb.AppendLine(inv, $"{officeCount} offices ({counters} counters) sharing {Service} under one agreement; {appointments:N0} appointments at the start, {takenCells:N0} of {gridCells:N0} cells taken ({100.0 * takenCells / gridCells:0.0} %) from {from:yyyy-MM-dd} to {to:yyyy-MM-dd}.");
        sb.AppendLine();
        sb.AppendLine(inv, $"### (a) Slot search, all {officeCount} offices, {from:yyyy-MM-dd} to {to:yyyy-MM-dd} ({Days} days)");
        sb.AppendLine(inv, $"{o.Requests} timed requests per level after {Math.Max(10, o.Requests / 10)} warm-up, one client, levels interleaved request by request; municipality rotating over the {officeCount} members; {slotsReturned} slots per answer (the cap is {SlotFinder.MaxSlots}; the last of them on {lastSlotDay:yyyy-MM-dd}), {cellRows:N0} taken cells read per search. Bare (the ratio base, as in earlier runs): the statements of FindAsync over all 56 days as it ran them before the week-at-a-time search (resident, office ids, the four office loads, the occupied cells) on one open connection, rows read into the app's types, no grid. Service: FindAsync in-process without kept answers; http: the server as configured (answers kept 5 s); the second server keeps none. The rows after the two http levels are diagnostics on the bare connection: the occupied-cells query alone, the same cells by the earlier query with a join per cell over every counter (not app code any more; same rows), the bare statements over only the days up to the last slot of the answer; then, in-process without I/O, the loop of FindAsync after its queries (SlotGrid over all offices and days, with the occupied set loaded once) and, of it, the holiday look-ups alone.");
        sb.AppendLine();
        sb.AppendLine("| level | p50 ms | p99 ms | max ms | p50 / bare p50 | p99 / bare p99 | goal p99 | met |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|");
        var bareSearch = samples.Where(s => s.Level == "bare").Select(s => s.Ms).Order().ToArray();
        foreach (var level in SearchLevels)
        {
            var ms = samples.Where(s => s.Level == level).Select(s => s.Ms).Order().ToArray();
            if (ms.Length == 0) continue;
            var p99 = Load.Percentile(ms, 0.99);
            sb.AppendLine(inv, $"| {level} | {F(Load.Percentile(ms, 0.5), "0.0")} | {F(p99, "0.0")} | {F(ms[^1], "0.0")} | {F(Load.Percentile(ms, 0.5) / Load.Percentile(bareSearch, 0.5), "0.00")} | {F(p99 / Load.Percentile(bareSearch, 0.99), "0.00")} | {(level is "http" or HttpUncached ? "50" : "")} | {(level is "http" or HttpUncached ? Met(p99 < 50) : "")} |");
        }
        sb.AppendLine();
        sb.AppendLine(inv, $"### (b) Booking: bursts of {o.Concurrency} simultaneous bookings of {o.Concurrency} different free slots");
        sb.AppendLine(inv, $"{o.Runs} bursts per level after a warm-up burst of {Math.Max(5, o.Concurrency / 10)}, levels interleaved burst by burst; slots picked through the search, one appointment apart per office, spread over all offices; bookings/s = bookings answered / time from the start of the burst to its last answer; latency from the start of the burst.");
        sb.AppendLine();
        sb.AppendLine("| level | bookings | errors | bookings/s | per burst | ratio to bare | p50 ms | p99 ms | max ms | goal | met |");
        sb.AppendLine("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|");
        var bareRate = double.NaN;
        foreach (var g in bursts.GroupBy(b => b.Level))
        {
            var okCount = g.Sum(b => b.Ok);
            var rate = okCount / (g.Sum(b => b.WallMs) / 1000);
            if (double.IsNaN(bareRate)) bareRate = rate;
            var lat = g.SelectMany(b => b.LatenciesMs).Order().ToArray();
            var per = string.Join(", ", g.Select(b => F(b.Ok / (b.WallMs / 1000), "0")));
            var goal = g.Key is "service" or "http" && !o.Postgres;
            sb.AppendLine(inv, $"| {g.Key} | {okCount} | {g.Sum(b => b.Errors)} | {F(rate, "0.0")} | {per} | {F(rate / bareRate, "0.00")} | {F(Load.Percentile(lat, 0.5), "0.0")} | {F(Load.Percentile(lat, 0.99), "0.0")} | {F(lat.Length == 0 ? double.NaN : lat[^1], "0.0")} | {(goal ? "≥ 500/s" : "")} | {(goal ? Met(rate >= 500) : "")} |");
        }
        var errors = bursts.Where(b => b.FirstError is not null).Select(b => $"{b.Level}: {b.FirstError}").Distinct().ToList();
        if (errors.Count > 0) { sb.AppendLine(); sb.AppendLine("First error per burst: " + string.Join("; ", errors)); }
        sb.AppendLine();
        sb.AppendLine(inv, $"After the bursts: {benchBookings:N0} bookings of the benchmark stored; **{overlaps} pairs of open appointments overlap on one office and counter** (must be 0: {(overlaps == 0 ? "met" : "**not met**")}); {mismatched} open appointments without exactly their 2 cells on their counter.");
        sb.AppendLine();
        sb.AppendLine("### (c) Open-loop rush: slot searches over HTTP at a fixed rate");
        sb.AppendLine(inv, $"Two servers on the same data: http keeps answers for the configured time (the default, 5 s), \"{HttpUncachedShort}\" keeps none, so that every search there is computed and admitted or refused (503 with Retry-After; counted as refused, not as an error; the goal counts it as a miss). Per server its capacity first, then the rates in ascending order, a pause until the server answers a search within 1 s between them. Requests started on schedule (a scheduler thread, 1 ms ticks) whether or not earlier ones were answered, municipality rotating; {F(o.Warmup, "0")} s at the same rate before the timed {F(o.Seconds, "0")} s are not recorded; latency from the scheduled start; a request has 10 s (then it counts as a timeout and the client closes it). \"Server busy after\": from the last answer or give-up until the server answers a search within 1 s again.");
        sb.AppendLine();
        foreach (var (level, cap) in capacities)
            sb.AppendLine(inv, $"Capacity, {level} (closed loop: 4 clients, each sends its next search when the last is answered, {F(cap.Seconds, "0")} s after 2 s): **{F(cap.PerSecond, "0.0")} searches/s**, p50 {F(cap.P50Ms, "0.0")} ms, p99 {F(cap.P99Ms, "0.0")} ms, {cap.Errors} errors.");
        if (capacities.Count > 0) sb.AppendLine();
        sb.AppendLine("| level | rate /s | s | requests | answered | refused (503) | errors | timeouts | answered /s | p50 ms | p99 ms | max ms | 503 p99 ms | start lag p99 / max ms | server busy after, s | goal p99 | met |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in rushes)
            sb.AppendLine(inv, $"| {r.Level} | {F(r.Rate, "0")} | {F(r.Seconds, "0")} | {r.Measured} | {r.Ok} | {r.Refused} | {r.Errors} | {r.Timeouts} | {F(r.AnsweredPerSecond, "0.0")} | {F(r.P50, "0.0")} | {F(r.P99, "0.0")} | {F(r.Max, "0")} | {F(r.RefusedP99, "0.0")} | {F(r.LateP99, "0.0")} / {F(r.LateMax, "0.0")} | {(double.IsPositiveInfinity(r.BusyAfterSeconds) ? $"> {r.BusyCap}" : F(r.BusyAfterSeconds, "0"))} | {(r.Rate >= 500 ? "100" : "")} | {(r.Rate >= 500 ? Met(r.P99 < 100 && r.Errors + r.Timeouts + r.Refused == 0 && r.AnsweredPerSecond >= 0.95 * r.Rate) : "")} |");
        var rushErrors = rushes.Where(r => r.FirstError is not null).Select(r => r.FirstError).ToList();
        if (rushErrors.Count > 0) { sb.AppendLine(); sb.AppendLine("First error: " + string.Join("; ", rushErrors)); }
        sb.AppendLine();
        sb.AppendLine(inv, $"Server peak memory (VmHWM): {hwm:0} MB; resident at the end (VmRSS): {rss:0} MB; MALLOC_ARENA_MAX={BenchEnv.MallocArenaMaxOf(o)}.");
        return sb.ToString();
    }
}
