using System.Data.Common;
using Dapper;
using OpenIkz.Directory.Services;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Appointments;

/// <summary>
/// How <see cref="Bookings.BookAsync"/> places a hold with as little as possible inside the write transaction (on SQLite
/// the single writer: bench appt measured the booking's throughput falling with every statement in it). Before the
/// transaction, on a connection of their own, the checks that only read: the resident, the office with its hours,
/// services and closures, the sharing, the grid, and which counter is free now. In the transaction: the hold's row,
/// inserted only if the address has fewer than <see cref="AppointmentOptions.MaxOpenPerEmail"/> open appointments and the
/// office still has the checked slot length and the day is still open (one INSERT … SELECT … WHERE); then its cells.
/// The capacity guarantee stays the primary key of appointment_cells: the cells are inserted with ON CONFLICT, which
/// takes a conflicting cell over only if it is free (no appointment, hold-back over), and the counter is taken only
/// when every cell went in. The counter read before the transaction is only where the attempts start.
/// </summary>
public sealed partial class Bookings
{
    /// <summary>The new hold's row (BookAsync's values).</summary>
    private sealed record NewHold(string Id, string Service, string Resident, int Items, string? Name, string Email, string EmailKey, string? Phone,
        string ManageHash, string ConfirmHash, DateTime Expires);

    private static RuleException SlotTaken() => new("SlotTaken", "Dieser Termin ist gerade vergeben worden. Bitte wählen Sie einen anderen.");

    /// <summary>
    /// The checks before the write transaction: the slot (400 naming the field, as before) and the lowest counter whose
    /// cells are free now. None free: 409 at once, without waiting for the writer. A slot that became free since (a
    /// hold running out in this millisecond) is refused as taken; a slot taken since is found by the insert.
    /// </summary>
    private async Task<(ValidSlot Slot, int Counter)> CheckBeforeWriteAsync(long officeId, string service, string resident, DateTime start, int items, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        ValidSlot slot;
        // No transaction: it only reads. The office's hours, services and closures come from the data kept for a few
        // seconds; the hold is placed only if the office is still at that version. A refusal is never given on kept data.
        try { slot = await ValidSlotAsync(c, null!, officeId, service, resident, start, items, kept: true); }
        catch (ValidationException) { slot = await ValidSlotAsync(c, null!, officeId, service, resident, start, items); }
        var taken = await finder.OccupiedAsync(c, [slot.Office], slot.Candidate.StartUtc, slot.Candidate.EndUtc, ct);
        var counter = SlotGrid.FreeCounter(slot.Candidate, taken.GetValueOrDefault(slot.Office.Id) ?? []) ?? throw SlotTaken();
        return (slot, counter);
    }

    /// <summary>Places the hold in the booking's transaction: its row, then its cells from <paramref name="firstCounter"/> on; the slot it holds.</summary>
    private async Task<ValidSlot> PlaceHoldAsync(DbConnection c, DbTransaction tx, ValidSlot slot, int firstCounter, NewHold hold)
    {
        if (db.Kind == DatabaseKind.Postgres)
        {
            // The slot length cannot change under a booking (Offices.UpdateAsync locks the row); the address's bookings queue
            // here one after the other, so that each counts the ones before it (read committed sees only committed rows).
            await c.ExecuteAsync("SELECT id FROM appointment_offices WHERE id = @Id FOR SHARE", new { Id = slot.Office.Id }, tx);
            await c.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtext(@Key))", new { Key = "appointment-email:" + hold.EmailKey }, tx);
        }
        for (var attempt = 0; !await InsertHoldAsync(c, tx, slot, firstCounter, hold); attempt++)
        {
            // Refused: too many open appointments for the address, or the office changed since the check. The check again,
            // inside the transaction, names the field (400); if it passes, the slot of the changed office is tried once more.
            var open = await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM appointments WHERE {OpenForAddress}", new { Key = hold.EmailKey, hold.Service, Now }, tx);
            if (open >= O.MaxOpenPerEmail)
                throw new RuleException("TooManyOpenAppointments",
                    $"Für diese E-Mail-Adresse sind schon {open} offene Termine für {ServiceCatalog.Find(hold.Service)?.Name} gebucht. Mehr als {O.MaxOpenPerEmail} sind nicht möglich; sagen Sie einen ab, wenn Sie einen neuen brauchen.");
            if (attempt > 0) throw new RuleException("OfficeChanged", "Die Dienststelle hat ihre Termine eben geändert. Bitte suchen Sie den Termin noch einmal.");
            slot = await ValidSlotAsync(c, tx, slot.Office.Id, hold.Service, hold.Resident, slot.Candidate.StartUtc, hold.Items);
            firstCounter = 1;
        }
        // A conflict may be an expired hold the sweep has not freed yet: expire the office's, then try again once.
        var counter = await TakeFreeCellsAsync(c, tx, slot, firstCounter, hold.Id)
            ?? ((await ExpireAsync(c, tx, slot.Office.Id)).Count > 0 ? await TakeFreeCellsAsync(c, tx, slot, firstCounter, hold.Id) : null)
            ?? throw SlotTaken();
        if (counter != firstCounter)
            await c.ExecuteAsync("UPDATE appointments SET counter = @Counter WHERE id = @Id", new { Counter = counter, hold.Id }, tx);
        return slot;
    }

    /// <summary>An appointment of the address @Key for @Service that is still open at @Now (SQL condition).</summary>
    internal const string OpenForAddress = "email_key = @Key AND service_slug = @Service AND end_at > @Now AND (status = 'confirmed' OR (status = 'reserved' AND expires_at > @Now))";

    /// <summary>
    /// The hold's row, inserted only if the address has fewer than @MaxOpen open appointments for the service, the office is
    /// active with @SlotMinutes at the @Version the slot was checked on (kept office data may be a few seconds old) and @Day
    /// is no closure day; one row or none. The benchmark runs it bare.
    /// </summary>
    internal const string InsertHoldSql = $"""
        INSERT INTO appointments (id, office_id, service_slug, resident_ags, start_at, end_at, items, counter, name, email, email_key, phone, status,
                                  manage_token_hash, confirm_token_hash, expires_at, sequence, created_at, checkin_code)
        SELECT @Id, @Office, @Service, @Resident, @Start, @End, @Items, @Counter, @Name, @Email, @Key, @Phone, 'reserved', @Manage, @Confirm, @Expires, 0, @Now, @Code
        WHERE (SELECT COUNT(*) FROM appointments WHERE {OpenForAddress}) < @MaxOpen
          AND EXISTS (SELECT 1 FROM appointment_offices WHERE id = @Office AND active = TRUE AND slot_minutes = @SlotMinutes AND version = @Version)
          AND NOT EXISTS (SELECT 1 FROM appointment_closures WHERE office_id = @Office AND day = @Day)
        """;

    /// <summary>The hold's row with <paramref name="counter"/>, if the address may book and the office and the day are as checked; false otherwise.</summary>
    private async Task<bool> InsertHoldAsync(DbConnection c, DbTransaction tx, ValidSlot slot, int counter, NewHold hold) =>
        await c.ExecuteAsync(InsertHoldSql, new
        {
            hold.Id, Office = slot.Office.Id, hold.Service, hold.Resident, Start = slot.Candidate.StartUtc, End = slot.Candidate.EndUtc, hold.Items, Counter = counter,
            hold.Name, hold.Email, Key = hold.EmailKey, hold.Phone, Manage = hold.ManageHash, Confirm = hold.ConfirmHash, hold.Expires, Now, Code = NewCheckinCode(),
            MaxOpen = O.MaxOpenPerEmail, slot.Office.SlotMinutes, slot.Office.Version, Day = BerlinTime.DateOf(slot.Candidate.StartUtc),
        }, tx) == 1;

    /// <summary>
    /// The cells @Cell0 … of one appointment @Id on @Office and @Counter in one INSERT: a conflicting cell is taken over only
    /// if it is free at @Now (no appointment, hold-back over); the count of rows is the count of cells placed. The
    /// benchmark runs it bare.
    /// </summary>
    internal static string TakeCellsSql(int cells) => $"""
        INSERT INTO appointment_cells (office_id, counter, cell_start, appointment_id, held_until) VALUES {string.Join(", ", Enumerable.Range(0, cells).Select(i => $"(@Office, @Counter, @Cell{i}, @Id, NULL)"))}
        ON CONFLICT (office_id, counter, cell_start) DO UPDATE SET appointment_id = excluded.appointment_id, held_until = NULL
        WHERE appointment_cells.appointment_id IS NULL AND (appointment_cells.held_until IS NULL OR appointment_cells.held_until <= @Now)
        """;

    /// <summary>
    /// The slot's cells on the first counter from <paramref name="first"/> up where every one goes in: one INSERT per
    /// counter, whose ON CONFLICT takes over a cell only if it is free (no appointment, hold-back over); the cells of a
    /// counter where not all went in are taken back. Counters only rise, in every booking, so that two bookings on
    /// PostgreSQL never wait for each other's cells in opposite orders. Null: no counter.
    /// </summary>
    private async Task<int?> TakeFreeCellsAsync(DbConnection c, DbTransaction tx, ValidSlot slot, int first, string appointmentId)
    {
        var cells = slot.Candidate.CellsUtc;
        var sql = TakeCellsSql(cells.Count);
        for (var counter = first; counter <= slot.Candidate.Counters; counter++)
        {
            var p = new DynamicParameters(new { Office = slot.Office.Id, Counter = counter, Id = appointmentId, Now });
            for (var i = 0; i < cells.Count; i++) p.Add("Cell" + i, cells[i]);
            var placed = await c.ExecuteAsync(sql, p, tx);
            if (placed == cells.Count) return counter;
            if (placed > 0)
                await c.ExecuteAsync("DELETE FROM appointment_cells WHERE appointment_id = @Id AND office_id = @Office AND counter = @Counter",
                    new { Id = appointmentId, Office = slot.Office.Id, Counter = counter }, tx);
        }
        return null;
    }
}
