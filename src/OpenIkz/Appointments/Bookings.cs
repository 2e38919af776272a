using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Options;
using MimeKit;
using OpenIkz.Directory.Services;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Infrastructure.Jobs;
using OpenIkz.Infrastructure.Mail;

namespace OpenIkz.Appointments;

/// <param name="Challenge">The solved proof-of-work challenge "token:nonce" (<see cref="BookingChallenge"/>), when required.</param>
public sealed record BookingRequest(string? Service, long? OfficeId, DateTime? Start, int? Items, string? Name, string? Email, string? Phone, string? Municipality, string? Challenge = null);

public sealed record MoveRequest(long? OfficeId, DateTime? Start);

public sealed record ConfirmRequest(string? Token);

/// <summary>The answer to a booking: the hold and the token that manages it (the only copy; OpenIKZ keeps its hash).</summary>
public sealed record BookingResult(string Id, string Status, string ManageToken, DateTime ExpiresAt);

/// <summary>An appointment as its holder sees it through the manage token.</summary>
public sealed record AppointmentView(string Id, string Status, string Service, string ServiceName, long OfficeId, string OfficeName, string OfficeAddress,
    string Municipality, DateTime Start, DateTime End, int Items, string Name, DateTime? ExpiresAt, int Sequence, string ResidentAgs)
{
    /// <summary>The address the e-mails go to (not repeated in the API's answer).</summary>
    [System.Text.Json.Serialization.JsonIgnore] public string? Email { get; init; }

    /// <summary>The code shown at the office to check in (in the confirmation e-mail, also as a QR code).</summary>
    public string? CheckinCode { get; init; }
}

public sealed class AppointmentNotFoundException() : NotFoundException("Termin nicht gefunden.");

/// <summary>
/// Booking, confirmation (double opt-in), move and cancellation. The capacity cells' primary key is the guarantee against
/// double bookings: a booking inserts its cells with ON CONFLICT DO NOTHING counter by counter and takes the first
/// counter where every cell went in; when none does, the transaction is rolled back and the answer is 409. A move takes
/// the new cells and frees the old ones in one transaction, or changes nothing.
/// </summary>
public sealed partial class Bookings(Db db, Offices offices, SlotFinder finder, IMailSender mail, IOptions<AppointmentOptions> options, TimeProvider clock, ILogger<Bookings> logger)
{
    private AppointmentOptions O => options.Value;
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private const string CodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I: read aloud and typed at the counter

    /// <summary>A check-in code "K7F3-QX9M": 40 random bits, unique (a unique index).</summary>
    private static string NewCheckinCode()
    {
        var chars = RandomNumberGenerator.GetItems<char>(CodeAlphabet, 8);
        return new string(chars, 0, 4) + "-" + new string(chars, 4, 4);
    }

    private static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The resident's part of a booking or a waiting-list entry: items, name and e-mail address, each checked with its German message.</summary>
    private static (int Items, string? Name, string Email) Resident(ValidationErrors errors, int? requestedItems, string? requestedName, string? requestedEmail)
    {
        var items = requestedItems ?? 1;
        if (items is < 1 or > 20) errors.Add("items", "Die Anzahl liegt zwischen 1 und 20.");
        var name = TextInput.Field(errors, "name", requestedName, TextKind.Line, "Der Name");
        if (!errors.ContainsKey("name") && (name is null || name.Length > 200)) errors.Add("name", "Bitte Ihren Namen angeben (höchstens 200 Zeichen).");
        var email = (requestedEmail ?? "").Trim();
        if (email.Length is 0 or > 254 || !MailboxAddress.TryParse(email, out var box) || box.Address != email || !email.Contains('@', StringComparison.Ordinal))
            errors.Add("email", "Bitte eine gültige E-Mail-Adresse angeben, z. B. name@example.org.");
        return (items, name, email);
    }

    public async Task<BookingResult> BookAsync(BookingRequest request, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        var service = string.IsNullOrWhiteSpace(request.Service) ? null : ServiceCatalog.Find(request.Service.Trim());
        if (service is null) errors.Add("service", string.IsNullOrWhiteSpace(request.Service) ? "Bitte die Leistung angeben." : $"Die Leistung '{request.Service}' gibt es nicht.");
        if (request.OfficeId is null) errors.Add("officeId", "Bitte die Dienststelle angeben.");
        if (request.Start is null) errors.Add("start", "Bitte den Beginn des Termins angeben.");
        else if (request.Start.Value.Kind == DateTimeKind.Unspecified) errors.Add("start", "Bitte den Beginn mit Zeitzone angeben, z. B. 2026-12-08T07:00:00Z oder 2026-12-08T08:00:00+01:00.");
        if (string.IsNullOrWhiteSpace(request.Municipality)) errors.Add("municipality", "Bitte Ihre Kommune (amtlicher Schlüssel) angeben.");
        var (items, name, email) = Resident(errors, request.Items, request.Name, request.Email);
        string? phone = null;
        if (!string.IsNullOrWhiteSpace(request.Phone))
        {
            phone = request.Phone.Trim();
            if (phone.Length > 30 || !phone.All(ch => char.IsAsciiDigit(ch) || ch is ' ' or '+' or '-' or '/' or '(' or ')'))
                errors.Add("phone", "Die Telefonnummer besteht aus Ziffern, Leerzeichen und + - / ( ), höchstens 30 Zeichen.");
        }
        if (errors.Count > 0) throw new ValidationException(errors);

        var start = DateTime.SpecifyKind(request.Start!.Value.ToUniversalTime(), DateTimeKind.Utc);
        var manage = NewToken();
        var confirm = NewToken();
        var id = Guid.NewGuid().ToString("N");
        var expires = Now.AddMinutes(O.HoldMinutes);
        var emailKey = email.ToLowerInvariant();

        // The checks that only read run before the write transaction (BookingHold.cs); inside it only the hold's row and cells.
        var (checkedSlot, firstCounter) = await CheckBeforeWriteAsync(request.OfficeId!.Value, service!.Slug, request.Municipality!.Trim(), start, items, ct);
        var hold = new NewHold(id, service.Slug, request.Municipality!.Trim(), items, name, email, emailKey, phone, Hash(manage), Hash(confirm), expires);
        var booked = await db.InTransactionAsync((c, tx) => PlaceHoldAsync(c, tx, checkedSlot, firstCounter, hold), ct);
        finder.Forget(booked.Office.Id); // the next search no longer offers the slot

        await SendAsync(email, $"Bitte bestätigen Sie Ihren Termin: {service!.Name} am {Local(booked.Candidate.StartUtc)}", ConfirmText(name!, service.Name, booked, confirm, manage, expires), null, ct);
        return new BookingResult(id, "reserved", manage, expires);
    }

    public async Task<AppointmentView> ConfirmAsync(string? token, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 100) throw ValidationException.For("token", "Bitte den Bestätigungscode aus der E-Mail angeben.");
        var id = await db.InTransactionAsync(async (c, tx) =>
        {
            var row = await c.QuerySingleOrDefaultAsync<(string Id, string Status, DateTime? ExpiresAt)>(
                "SELECT id, status, expires_at FROM appointments WHERE confirm_token_hash = @Hash" + db.ForUpdate("appointments"), new { Hash = Hash(token.Trim()) }, tx);
            if (row.Id is null) throw new AppointmentNotFoundException();
            if (row.Status == "confirmed") return row.Id; // a second click changes nothing
            if (row.Status != "reserved" || row.ExpiresAt <= Now)
                throw new RuleException("HoldExpired", "Die Reservierung ist abgelaufen oder wurde abgesagt; der Termin ist wieder frei. Bitte buchen Sie neu.");
            // Conditional: an expiry that got in first (the sweep or a booking's clean-up) has already freed the slot.
            if (await c.ExecuteAsync("UPDATE appointments SET status = 'confirmed', confirmed_at = @Now, expires_at = NULL WHERE id = @Id AND status = 'reserved' AND expires_at > @Now", new { Now, row.Id }, tx) == 0)
                throw new RuleException("HoldExpired", "Die Reservierung ist abgelaufen oder wurde abgesagt; der Termin ist wieder frei. Bitte buchen Sie neu.");
            return row.Id;
        }, ct);
        var view = await ViewByIdAsync(id, ct);
        await SendCalendarAsync(view, "Ihr Termin ist bestätigt", "REQUEST", ct);
        return view;
    }

    public async Task<AppointmentView> GetAsync(string manageToken, CancellationToken ct = default) =>
        await ViewByIdAsync(await IdOfAsync(manageToken, ct), ct);

    public async Task<string> CalendarAsync(string manageToken, CancellationToken ct = default)
    {
        var view = await GetAsync(manageToken, ct);
        return AppointmentCalendar.Write(view, view.Status == "cancelled" ? "CANCEL" : "PUBLISH", mail.AppUrl, OrganizerAddress(), Now);
    }

    public async Task<AppointmentView> MoveAsync(string manageToken, MoveRequest request, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        if (request.OfficeId is null) errors.Add("officeId", "Bitte die Dienststelle angeben.");
        if (request.Start is null) errors.Add("start", "Bitte den neuen Beginn angeben.");
        else if (request.Start.Value.Kind == DateTimeKind.Unspecified) errors.Add("start", "Bitte den Beginn mit Zeitzone angeben, z. B. 2026-12-08T07:00:00Z oder 2026-12-08T08:00:00+01:00.");
        if (errors.Count > 0) throw new ValidationException(errors);
        var id = await IdOfAsync(manageToken, ct);
        var start = DateTime.SpecifyKind(request.Start!.Value.ToUniversalTime(), DateTimeKind.Utc);
        await db.InTransactionAsync(async (c, tx) =>
        {
            var a = await c.QuerySingleAsync<(string Status, string Service, string Resident, long Items, DateTime? ExpiresAt)>(
                "SELECT status, service_slug, resident_ags, items, expires_at FROM appointments WHERE id = @Id" + db.ForUpdate("appointments"), new { Id = id }, tx);
            if (a.Status is "cancelled" or "expired" || (a.Status == "reserved" && a.ExpiresAt <= Now))
                throw new RuleException("NotMovable", "Dieser Termin ist abgesagt oder abgelaufen und kann nicht verschoben werden.");
            var slot = await ValidSlotAsync(c, tx, request.OfficeId!.Value, a.Service, a.Resident, start, (int)a.Items);
            // The old cells are freed first (so a move by one slot within the old time works), the new ones taken, and the
            // old ones not taken again are held back. A failed take rolls all of it back.
            var old = (await c.QueryAsync<(long Office, long Counter, DateTime Cell)>("SELECT office_id, counter, cell_start FROM appointment_cells WHERE appointment_id = @Id", new { Id = id }, tx)).ToList();
            await c.ExecuteAsync("UPDATE appointment_cells SET appointment_id = NULL, held_until = NULL WHERE appointment_id = @Id", new { Id = id }, tx);
            var counter = await TakeCellsAsync(c, tx, slot.Office.Id, slot.Candidate, id)
                ?? throw new RuleException("SlotTaken", "Der gewünschte neue Termin ist nicht mehr frei. Ihr bisheriger Termin bleibt bestehen.");
            if (O.HoldBackMinutes > 0)
                foreach (var cell in old)
                    await c.ExecuteAsync("UPDATE appointment_cells SET held_until = @Until WHERE office_id = @Office AND counter = @Counter AND cell_start = @Cell AND appointment_id IS NULL",
                        new { Until = Now.AddMinutes(O.HoldBackMinutes), cell.Office, cell.Counter, cell.Cell }, tx);
            else
                await c.ExecuteAsync("DELETE FROM appointment_cells WHERE office_id = @Office AND appointment_id IS NULL AND held_until IS NULL", new { Office = old.FirstOrDefault().Office }, tx);
            await c.ExecuteAsync("UPDATE appointments SET office_id = @Office, start_at = @Start, end_at = @End, counter = @Counter, sequence = sequence + 1 WHERE id = @Id",
                new { Office = slot.Office.Id, Start = slot.Candidate.StartUtc, End = slot.Candidate.EndUtc, Counter = counter, Id = id }, tx);
        }, ct);
        finder.Forget(request.OfficeId!.Value); // the new slot is taken: not offered by the next search (API and page alike)
        var view = await ViewByIdAsync(id, ct);
        if (view.Status == "confirmed") await SendCalendarAsync(view, "Ihr Termin wurde verschoben", "REQUEST", ct);
        return view;
    }

    public async Task<AppointmentView> CancelAsync(string manageToken, CancellationToken ct = default)
    {
        var id = await IdOfAsync(manageToken, ct);
        var wasConfirmed = await db.InTransactionAsync(async (c, tx) =>
        {
            var status = await c.QuerySingleAsync<string>("SELECT status FROM appointments WHERE id = @Id" + db.ForUpdate("appointments"), new { Id = id }, tx);
            if (status is "cancelled" or "expired") return false; // already free: nothing changes
            await FreeCellsAsync(c, tx, id, holdBack: true);
            await c.ExecuteAsync("UPDATE appointments SET status = 'cancelled', cancelled_at = @Now, expires_at = NULL, sequence = sequence + 1 WHERE id = @Id", new { Now, Id = id }, tx);
            return status == "confirmed";
        }, ct);
        var view = await ViewByIdAsync(id, ct);
        if (wasConfirmed) await SendCalendarAsync(view, "Ihr Termin ist abgesagt", "CANCEL", ct);
        if (view.Status == "cancelled") await OfferToWaitlistAsync(view.OfficeId, view.Service, view.Start, ct);
        return view;
    }

    /// <summary>
    /// Closes an office on a day (Administration). A day with open appointments is refused unless they are to be cancelled:
    /// then all of them are cancelled in the same transaction as the closure, and everyone affected gets an e-mail with the
    /// reason, the calendar cancellation (for a confirmed appointment) and the next free slots open to them.
    /// </summary>
    public async Task<int> CloseDayAsync(Actor admin, long officeId, ClosureInput input, CancellationToken ct = default)
    {
        var cancelled = new List<string>();
        await offices.AddClosureAsync(admin, officeId, input, ct, async (c, tx) =>
        {
            var day = input.Day!.Value;
            var open = (await c.QueryAsync<(string Id, string Status)>("""
                SELECT id, status FROM appointments
                WHERE office_id = @Office AND start_at >= @From AND start_at < @To AND (status = 'confirmed' OR (status = 'reserved' AND expires_at > @Now))
                """ + db.ForUpdate("appointments"), new { Office = officeId, From = BerlinTime.StartOfDayUtc(day), To = BerlinTime.StartOfDayUtc(day.AddDays(1)), Now }, tx)).ToList();
            if (open.Count > 0 && input.CancelAppointments != true)
                throw new RuleException("AppointmentsOnDay",
                    $"An diesem Tag {(open.Count == 1 ? "ist 1 Termin" : $"sind {open.Count} Termine")} gebucht. Schließen Sie den Tag mit „Termine absagen“ (cancelAppointments), dann werden alle Betroffenen benachrichtigt.");
            foreach (var (id, _) in open)
            {
                await FreeCellsAsync(c, tx, id, holdBack: false);
                await c.ExecuteAsync("UPDATE appointments SET status = 'cancelled', cancelled_at = @Now, expires_at = NULL, sequence = sequence + 1 WHERE id = @Id", new { Now, Id = id }, tx);
                cancelled.Add(id);
            }
        });
        foreach (var id in cancelled)
        {
            var view = await ViewByIdAsync(id, ct);
            var next = await NextSlotsTextAsync(view, ct);
            var body = $"""
                Guten Tag {view.Name},

                Ihr Termin {view.ServiceName} am {Local(view.Start)} bei {view.OfficeName} muss leider entfallen: Die Dienststelle ist an diesem Tag geschlossen ({input.Reason?.Trim()}).
                Bitte entschuldigen Sie die Unannehmlichkeiten.

                {next}

                {view.Municipality}
                """;
            var ics = AppointmentCalendar.Write(view, "CANCEL", mail.AppUrl, OrganizerAddress(), Now);
            await SendAsync(view.Email!, $"Ihr Termin am {Local(view.Start)} entfällt", body,
                [new MailAttachment("termin.ics", "text/calendar; method=CANCEL; charset=utf-8", Encoding.UTF8.GetBytes(ics))], ct);
        }
        return cancelled.Count;
    }

    /// <summary>The three earliest free slots open to the appointment's resident for its service, as lines of an e-mail.</summary>
    private async Task<string> NextSlotsTextAsync(AppointmentView view, CancellationToken ct)
    {
        try
        {
            var today = BerlinTime.Today(clock);
            var slots = await finder.FindAsync(new SlotFinder.Query(view.Service, view.ResidentAgs, null, today, today.AddDays(Math.Min(27, O.BookingHorizonDays)), view.Items), ct);
            if (slots.Count == 0) return "Zurzeit sind in den nächsten Wochen keine Termine frei; bitte schauen Sie später wieder.";
            var link = mail.AppUrl is { } url ? $"\nBuchen: {url.TrimEnd('/')}/Termine?leistung={view.Service}&wohnort={view.ResidentAgs}" : "";
            return "Die nächsten freien Termine:\n" + string.Join("\n", slots.Take(3).Select(s => $"- {Local(s.Start)}, {s.OfficeName}")) + link;
        }
        catch (ValidationException)
        {
            return "";
        }
    }

    /// <summary>Frees the cells of holds that were not confirmed in time (the sweep; searches already treat them as free).</summary>
    public Task<int> ExpireHoldsAsync(CancellationToken ct = default) =>
        db.InTransactionAsync(async (c, tx) => (await ExpireAsync(c, tx, null)).Count, ct);

    /// <summary>
    /// Expires the holds that ran out (of one office, or all) in one statement that re-checks its condition under the row
    /// lock, and frees only their cells: a confirmation that locked the row first wins, and its cells stay.
    /// </summary>
    private async Task<IReadOnlyList<string>> ExpireAsync(DbConnection c, DbTransaction tx, long? officeId)
    {
        var expired = (await c.QueryAsync<string>(
            "UPDATE appointments SET status = 'expired' WHERE status = 'reserved' AND expires_at <= @Now" + (officeId is null ? "" : " AND office_id = @Office") + " RETURNING id",
            new { Now, Office = officeId ?? 0 }, tx)).ToList();
        if (expired.Count == 0) return expired;
        // A lapsed waiting-list offer keeps its slot back for the next in line (the sweep passes it on over the hold-back);
        // every other expired hold is free at once.
        var offers = (await c.QueryAsync<string>($"SELECT offered_appointment_id FROM appointment_waitlist WHERE {db.InList("offered_appointment_id", "Ids")} AND passed_on_at IS NULL",
            new { Ids = expired.ToArray() }, tx)).ToHashSet(StringComparer.Ordinal);
        foreach (var id in expired)
            if (offers.Contains(id))
                await c.ExecuteAsync("UPDATE appointment_cells SET appointment_id = NULL, held_until = @Until WHERE appointment_id = @Id",
                    new { Id = id, Until = Now.AddMinutes(Math.Max(O.HoldBackMinutes, 5)) }, tx);
            else await FreeCellsAsync(c, tx, id, holdBack: false);
        return expired;
    }

    private sealed record ValidSlot(Office Office, SlotCandidate Candidate);

    /// <summary>The slot at <paramref name="start"/>, if the office offers the service then and is open to the resident; otherwise a 400 naming the field.</summary>
    /// <param name="kept">Read the office from the data kept for a few seconds (<see cref="Offices.FindActiveKeptAsync"/>):
    /// only before the booking's transaction, whose hold is placed only at the office's version checked here.</param>
    private async Task<ValidSlot> ValidSlotAsync(DbConnection c, DbTransaction tx, long officeId, string service, string resident, DateTime start, int items, bool kept = false)
    {
        // The resident's municipality and its district in one read (the district's offices are open to it).
        var residence = (await c.QueryAsync<(string Ags, string? District)>("SELECT ags, district_ags FROM municipalities WHERE ags = @Ags", new { Ags = resident }, tx)).ToList();
        if (residence.Count == 0)
            throw ValidationException.For("municipality", $"Die Kommune mit dem Schlüssel '{resident}' gibt es nicht.");
        // The slot length cannot change under a booking (Offices.UpdateAsync locks the row). Outside a transaction (the booking's
        // checks before it; its own transaction takes the lock again) the lock would end with the statement: not asked for.
        if (db.Kind == DatabaseKind.Postgres && tx is not null)
            await c.ExecuteAsync("SELECT id FROM appointment_offices WHERE id = @Id FOR SHARE", new { Id = officeId }, tx);
        var office = (kept && tx is null ? (await offices.FindActiveKeptAsync(c, officeId)).Office
                         : await offices.FindActiveAsync(c, tx, officeId)) // on the transaction's connection: no second connection per booking
            ?? throw ValidationException.For("officeId", "Diese Dienststelle gibt es nicht.");
        var offered = office.Services.FirstOrDefault(s => s.Service == service)
            ?? throw ValidationException.For("service", $"{ServiceCatalog.Find(service)?.Name} wird in {office.Name} nicht angeboten.");
        if (!await offices.IsOpenToAsync(c, tx, officeId, service, resident, residence[0].District))
            throw ValidationException.For("officeId", $"{office.Name} steht Einwohnerinnen und Einwohnern Ihrer Kommune für {ServiceCatalog.Find(service)?.Name} nicht offen.");
        if (items > offered.MaxItems) throw ValidationException.For("items", $"Höchstens {offered.MaxItems} je Termin.");
        if (start < Now.AddMinutes(O.MinimumLeadMinutes)) throw ValidationException.For("start", "Der Termin liegt in der Vergangenheit oder zu kurz bevor.");
        var day = BerlinTime.DateOf(start);
        if (day > BerlinTime.Today(clock).AddDays(O.BookingHorizonDays)) throw ValidationException.For("start", $"Termine gibt es höchstens {O.BookingHorizonDays} Tage im Voraus.");
        var closed = office.Closures.Any(x => x.Day == day) || SlotGrid.IsPublicHoliday(office.State, day);
        var candidate = SlotGrid.Candidates(office, offered.MinutesFor(items), day, closed).FirstOrDefault(x => x.StartUtc == start)
            ?? throw ValidationException.For("start", "Zu dieser Zeit gibt es keinen Termin: außerhalb der Öffnungszeiten, an einem Schließtag oder nicht im Takt der Dienststelle.");
        return new ValidSlot(office, candidate);
    }

    /// <summary>
    /// Takes the candidate's cells on the first counter where every one of them is free: expired holds and cells whose
    /// hold-back has ended are cleared first; then the insert with ON CONFLICT DO NOTHING either places every cell or the
    /// placed ones are taken back and the next counter is tried. Null: no counter is free.
    /// </summary>
    private async Task<int?> TakeCellsAsync(DbConnection c, DbTransaction tx, long officeId, SlotCandidate candidate, string appointmentId, bool overHoldBack = false)
    {
        var cells = candidate.CellsUtc.ToArray();
        await ExpireAsync(c, tx, officeId);
        // The waiting list takes a freed slot during its hold-back (overHoldBack): it is offered there first.
        await c.ExecuteAsync($"""
            DELETE FROM appointment_cells WHERE office_id = @Office AND cell_start >= @First AND cell_start <= @Last
              AND appointment_id IS NULL{(overHoldBack ? "" : " AND (held_until IS NULL OR held_until <= @Now)")}
            """, new { Office = officeId, First = cells[0], Last = cells[^1], Now }, tx); // a range, not a list: Dapper's list expansion would bypass the timestamp format
        for (var counter = 1; counter <= candidate.Counters; counter++)
        {
            var inserted = 0;
            foreach (var cell in cells)
                inserted += await c.ExecuteAsync("""
                    INSERT INTO appointment_cells (office_id, counter, cell_start, appointment_id, held_until) VALUES (@Office, @Counter, @Cell, @Id, NULL)
                    ON CONFLICT (office_id, counter, cell_start) DO NOTHING
                    """, new { Office = officeId, Counter = counter, Cell = cell, Id = appointmentId }, tx);
            if (inserted == cells.Length) return counter;
            await c.ExecuteAsync("DELETE FROM appointment_cells WHERE appointment_id = @Id AND office_id = @Office AND counter = @Counter",
                new { Id = appointmentId, Office = officeId, Counter = counter }, tx);
        }
        return null;
    }

    private async Task FreeCellsAsync(DbConnection c, DbTransaction tx, string appointmentId, bool holdBack)
    {
        if (holdBack && O.HoldBackMinutes > 0)
            await c.ExecuteAsync("UPDATE appointment_cells SET appointment_id = NULL, held_until = @Until WHERE appointment_id = @Id",
                new { Id = appointmentId, Until = Now.AddMinutes(O.HoldBackMinutes) }, tx);
        else
            await c.ExecuteAsync("DELETE FROM appointment_cells WHERE appointment_id = @Id", new { Id = appointmentId }, tx);
    }

    private async Task<string> IdOfAsync(string manageToken, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(manageToken) || manageToken.Length > 100) throw new AppointmentNotFoundException();
        return (await db.QueryAsync<string>("SELECT id FROM appointments WHERE manage_token_hash = @Hash", new { Hash = Hash(manageToken) }, ct)).FirstOrDefault()
            ?? throw new AppointmentNotFoundException();
    }

    private async Task<AppointmentView> ViewByIdAsync(string id, CancellationToken ct)
    {
        var r = await db.QuerySingleAsync<ViewRow>("""
            SELECT a.id, a.status, a.service_slug AS Service, a.office_id AS OfficeId, o.name AS OfficeName, o.street, o.postal_code AS PostalCode, o.city,
                   m.name AS Municipality, a.start_at AS StartAt, a.end_at AS EndAt, a.items, a.name, a.email, a.expires_at AS ExpiresAt, a.sequence, a.resident_ags AS ResidentAgs, a.checkin_code AS CheckinCode
            FROM appointments a JOIN appointment_offices o ON o.id = a.office_id JOIN municipalities m ON m.ags = o.municipality_ags WHERE a.id = @Id
            """, new { Id = id }, ct);
        var status = r.Status == "reserved" && r.ExpiresAt <= Now ? "expired" : r.Status;
        return new AppointmentView(r.Id, status, r.Service, ServiceCatalog.Find(r.Service)?.Name ?? r.Service, r.OfficeId, r.OfficeName, $"{r.Street}, {r.PostalCode} {r.City}",
            r.Municipality, DateTime.SpecifyKind(r.StartAt, DateTimeKind.Utc), DateTime.SpecifyKind(r.EndAt, DateTimeKind.Utc), (int)r.Items, r.Name,
            r.ExpiresAt is { } e ? DateTime.SpecifyKind(e, DateTimeKind.Utc) : null, (int)r.Sequence, r.ResidentAgs) { Email = r.Email, CheckinCode = r.CheckinCode };
    }

    private static string Local(DateTime utc) => BerlinTime.ToLocal(utc).ToString("dddd, dd.MM.yyyy 'um' HH:mm 'Uhr'", System.Globalization.CultureInfo.GetCultureInfo("de-DE"));

    private string ConfirmText(string name, string serviceName, ValidSlot slot, string confirmToken, string manageToken, DateTime expires)
    {
        var links = mail.AppUrl is { } url
            ? $"\n\nBestätigen: {url.TrimEnd('/')}/Termine/Bestaetigen?code={confirmToken}\nVerschieben oder absagen: {url.TrimEnd('/')}/Termine/Verwalten/{manageToken}"
            : $"\n\nIhr Verwaltungscode zum Verschieben oder Absagen (Seite „Termine“, „Termin verwalten“): {manageToken}";
        return $"""
            Guten Tag {name},

            Sie haben einen Termin reserviert:
            {serviceName}
            {Local(slot.Candidate.StartUtc)}
            {slot.Office.Name}, {slot.Office.Address}

            Bitte bestätigen Sie den Termin bis {BerlinTime.ToLocal(expires):HH:mm} Uhr mit diesem Code:
            {confirmToken}{links}

            Ohne Bestätigung wird der Termin wieder frei. Haben Sie nichts reserviert, können Sie diese E-Mail löschen.

            {slot.Office.MunicipalityName}
            """;
    }

    private async Task SendCalendarAsync(AppointmentView view, string subject, string method, CancellationToken ct)
    {
        var ics = AppointmentCalendar.Write(view, method, mail.AppUrl, OrganizerAddress(), Now);
        var body = $"""
            Guten Tag {view.Name},

            {subject}:
            {view.ServiceName}
            {Local(view.Start)}
            {view.OfficeName}, {view.OfficeAddress}

            Die Kalenderdatei im Anhang trägt den Termin in Ihren Kalender ein{(method == "CANCEL" ? " bzw. entfernt ihn" : "")}.{(method == "CANCEL" ? "" : $"\n\nIhr Code zum Einchecken vor Ort: {view.CheckinCode} (auch als QR-Code im Anhang).")}

            {view.Municipality}
            """;
        var attachments = new List<MailAttachment> { new("termin.ics", $"text/calendar; method={method}; charset=utf-8", Encoding.UTF8.GetBytes(ics)) };
        if (method != "CANCEL" && view.CheckinCode is { } code)
        {
            using var generator = new QRCoder.QRCodeGenerator();
            using var data = generator.CreateQrCode(code, QRCoder.QRCodeGenerator.ECCLevel.M);
            attachments.Add(new MailAttachment("einchecken.png", "image/png", new QRCoder.PngByteQRCode(data).GetGraphic(8)));
        }
        await SendAsync(view.Email!, $"{subject}: {view.ServiceName} am {Local(view.Start)}", body, attachments, ct);
    }

    private string OrganizerAddress() => mail.AppUrl is { } url && Uri.TryCreate(url, UriKind.Absolute, out var u) ? $"termine@{u.Host}" : "termine@openikz.invalid";

    /// <summary>Sends one e-mail; a refusing server does not undo the booking (the manage page shows the state).</summary>
    private async Task SendAsync(string to, string subject, string body, IReadOnlyList<MailAttachment>? attachments, CancellationToken ct)
    {
        if (!mail.IsConfigured) return;
        try { await mail.SendAsync(new MailMessage(to, subject, body, attachments), ct); }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The appointment stands; its manage page and calendar file are the record. No address in the log.
            logger.LogWarning("An appointment e-mail could not be sent: {ExceptionType}", ex.GetType().FullName);
        }
    }

    private sealed class ViewRow
    {
        public string Id { get; set; } = "";
        public string Status { get; set; } = "";
        public string Service { get; set; } = "";
        public long OfficeId { get; set; }
        public string OfficeName { get; set; } = "";
        public string Street { get; set; } = "";
        public string PostalCode { get; set; } = "";
        public string City { get; set; } = "";
        public string Municipality { get; set; } = "";
        public DateTime StartAt { get; set; }
        public DateTime EndAt { get; set; }
        public long Items { get; set; }
        public string Name { get; set; } = "";
        public string Email { get; set; } = "";
        public DateTime? ExpiresAt { get; set; }
        public long Sequence { get; set; }
        public string ResidentAgs { get; set; } = "";
        public string? CheckinCode { get; set; }
    }
}

/// <summary>Expires the holds that were not confirmed in time.</summary>
public sealed class HoldSweeper(Bookings bookings, BookingChallenge challenge) : IPeriodicJob
{
    public string Name => "appointment-holds";
    public TimeSpan Interval => TimeSpan.FromMinutes(1);
    public async Task<int> RunAsync(CancellationToken ct) =>
        await bookings.ExpireHoldsAsync(ct) + await bookings.PassOnLapsedOffersAsync(ct) + await challenge.SweepAsync(ct);
}
