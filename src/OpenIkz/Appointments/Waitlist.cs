using Dapper;
using MimeKit;
using OpenIkz.Directory.Services;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Appointments;

public sealed record WaitlistRequest(string? Service, string? Municipality, int? Items, string? Name, string? Email, DateOnly? Until, string? Challenge = null);

public sealed record WaitlistResult(string Id, string Status, string ManageToken);

/// <summary>
/// The waiting list per service and place of residence: whoever found nothing suitable leaves an address and a last
/// acceptable day. When an appointment is cancelled, its slot goes to the first waiting resident the office is open to
/// (first come, first served), during the hold-back that keeps it from everyone else: a hold of
/// <see cref="AppointmentOptions.WaitlistOfferMinutes"/> and an e-mail with its own confirmation code. An offer not
/// confirmed in time expires like any hold, and the sweep passes the slot on to the next in line (once per offer); the
/// entry whose offer lapsed is done.
/// </summary>
public sealed partial class Bookings
{
    public async Task<WaitlistResult> JoinWaitlistAsync(WaitlistRequest request, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        var service = string.IsNullOrWhiteSpace(request.Service) ? null : ServiceCatalog.Find(request.Service.Trim());
        if (service is null) errors.Add("service", string.IsNullOrWhiteSpace(request.Service) ? "Bitte die Leistung angeben." : $"Die Leistung '{request.Service}' gibt es nicht.");
        var resident = request.Municipality?.Trim() ?? "";
        if (resident.Length == 0) errors.Add("municipality", "Bitte Ihre Kommune (amtlicher Schlüssel) angeben.");
        else if (await db.QuerySingleAsync<long>("SELECT COUNT(*) FROM municipalities WHERE ags = @Ags", new { Ags = resident }, ct) == 0)
            errors.Add("municipality", $"Die Kommune mit dem Schlüssel '{resident}' gibt es nicht.");
        var (items, name, email) = Resident(errors, request.Items, request.Name, request.Email);
        var today = BerlinTime.Today(clock);
        if (request.Until is not { } until) errors.Add("until", "Bitte den letzten Tag angeben, an dem ein Termin noch passt.");
        else if (until < today || until > today.AddDays(O.BookingHorizonDays)) errors.Add("until", $"Der Tag liegt zwischen heute und {BackofficeDate(today.AddDays(O.BookingHorizonDays))}.");
        if (errors.Count > 0) throw new ValidationException(errors);

        var id = Guid.NewGuid().ToString("N");
        var manage = NewToken();
        await db.ExecuteAsync("""
            INSERT INTO appointment_waitlist (id, service_slug, resident_ags, items, name, email, email_key, not_after, status, manage_token_hash, created_at)
            VALUES (@Id, @Service, @Resident, @Items, @Name, @Email, @Key, @Until, 'waiting', @Hash, @Now)
            """, new { Id = id, Service = service!.Slug, Resident = resident, Items = items, Name = name, Email = email, Key = email.ToLowerInvariant(), Until = request.Until!.Value, Hash = Hash(manage), Now }, ct);
        await SendAsync(email, $"Sie stehen auf der Warteliste: {service.Name}", $"""
            Guten Tag {name},

            Sie stehen auf der Warteliste für {service.Name} (Termine bis {BackofficeDate(request.Until!.Value)}). Wird ein Termin frei, schicken wir
            Ihnen eine E-Mail; Sie haben dann {O.WaitlistOfferMinutes} Minuten Zeit, ihn zu bestätigen.

            Von der Warteliste abmelden: mit diesem Code auf der Seite „Warteliste“ der Terminbuchung
            {manage}{(mail.AppUrl is { } url ? $"\n{url.TrimEnd('/')}/Termine/Warteliste?code={manage}" : "")}
            """, null, ct);
        return new WaitlistResult(id, "waiting", manage);
    }

    public async Task LeaveWaitlistAsync(string token, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 100) throw new AppointmentNotFoundException();
        if (await db.ExecuteAsync("UPDATE appointment_waitlist SET status = 'withdrawn' WHERE manage_token_hash = @Hash AND status = 'waiting'", new { Hash = Hash(token) }, ct) == 0)
            throw new AppointmentNotFoundException();
    }

    /// <summary>Offers a freed slot to the first waiting resident it suits; nothing when nobody waits or it was taken meanwhile.</summary>
    private async Task OfferToWaitlistAsync(long officeId, string service, DateTime start, CancellationToken ct)
    {
        var day = BerlinTime.DateOf(start);
        var waiting = await db.QueryAsync<(string Id, string Resident, long Items, string Name, string Email, string Key)>("""
            SELECT id, resident_ags, items, name, email, email_key FROM appointment_waitlist
            WHERE service_slug = @Service AND status = 'waiting' AND not_after >= @Day
            ORDER BY created_at, id
            """, new { Service = service, Day = day }, ct);
        foreach (var w in waiting)
        {
            var manage = NewToken();
            var confirm = NewToken();
            var id = Guid.NewGuid().ToString("N");
            var expires = Now.AddMinutes(O.WaitlistOfferMinutes);
            ValidSlot? slot;
            try
            {
                slot = await db.InTransactionAsync(async (c, tx) =>
                {
                    // First come, first served: the entry is taken by one offer only.
                    if (await c.ExecuteAsync("UPDATE appointment_waitlist SET status = 'offered', offered_appointment_id = NULL WHERE id = @Id AND status = 'waiting'", new { w.Id }, tx) == 0)
                        return null;
                    ValidSlot s;
                    try { s = await ValidSlotAsync(c, tx, officeId, service, w.Resident, start, (int)w.Items); }
                    catch (ValidationException) { throw new WaitlistSkip(); } // not open to this resident, too many items, too soon
                    await c.ExecuteAsync("""
                        INSERT INTO appointments (id, office_id, service_slug, resident_ags, start_at, end_at, items, counter, name, email, email_key, phone, status,
                                                  manage_token_hash, confirm_token_hash, expires_at, sequence, created_at, checkin_code)
                        VALUES (@Id, @Office, @Service, @Resident, @Start, @End, @Items, 0, @Name, @Email, @Key, NULL, 'reserved', @Manage, @Confirm, @Expires, 0, @Now, @Code)
                        """, new { Id = id, Office = officeId, Service = service, w.Resident, Start = s.Candidate.StartUtc, End = s.Candidate.EndUtc, w.Items, w.Name, w.Email, w.Key,
                            Manage = Hash(manage), Confirm = Hash(confirm), Expires = expires, Now, Code = NewCheckinCode() }, tx);
                    var counter = await TakeCellsAsync(c, tx, officeId, s.Candidate, id, overHoldBack: true) ?? throw new WaitlistSkip();
                    await c.ExecuteAsync("UPDATE appointments SET counter = @Counter WHERE id = @Id", new { Counter = counter, Id = id }, tx);
                    await c.ExecuteAsync("UPDATE appointment_waitlist SET offered_appointment_id = @A WHERE id = @Id", new { A = id, w.Id }, tx);
                    return s;
                }, ct);
            }
            catch (WaitlistSkip)
            {
                continue; // rolled back: the entry waits on
            }
            if (slot is null) continue;
            var serviceName = ServiceCatalog.Find(service)?.Name ?? service;
            await SendAsync(w.Email, $"Ein Termin ist frei geworden: {serviceName} am {Local(slot.Candidate.StartUtc)}",
                ConfirmText(w.Name, serviceName, slot, confirm, manage, expires), null, ct);
            return;
        }
    }

    /// <summary>
    /// The sweep: every waiting-list offer whose hold expired unconfirmed is passed on to the next waiting resident it
    /// suits, once (a conditional update claims it, so two sweeps never both pass it on). Its slot was kept back at the
    /// expiry (<see cref="ExpireAsync"/>), so nobody else takes it meanwhile; a slot that starts too soon goes to nobody
    /// and is free again after the hold-back.
    /// </summary>
    public async Task<int> PassOnLapsedOffersAsync(CancellationToken ct = default)
    {
        var lapsed = await db.QueryAsync<LapsedOffer>("""
            SELECT w.id AS EntryId, a.office_id AS OfficeId, a.service_slug AS Service, a.start_at AS Start
            FROM appointment_waitlist w JOIN appointments a ON a.id = w.offered_appointment_id
            WHERE w.status = 'offered' AND w.passed_on_at IS NULL AND a.status = 'expired'
            """, new { }, ct);
        var passed = 0;
        foreach (var offer in lapsed)
        {
            if (await db.ExecuteAsync("UPDATE appointment_waitlist SET passed_on_at = @Now WHERE id = @Id AND passed_on_at IS NULL", new { Now, Id = offer.EntryId }, ct) == 0) continue;
            if (offer.Start <= Now.AddMinutes(O.MinimumLeadMinutes)) continue;
            try
            {
                await OfferToWaitlistAsync(offer.OfficeId, offer.Service, offer.Start, ct);
            }
            catch
            {
                // Not passed on after all (shutdown, database error): the next sweep tries again.
                await db.ExecuteAsync("UPDATE appointment_waitlist SET passed_on_at = NULL WHERE id = @Id", new { Id = offer.EntryId }, CancellationToken.None);
                throw;
            }
            passed++;
        }
        return passed;
    }

    private sealed class LapsedOffer
    {
        public string EntryId { get; set; } = "";
        public long OfficeId { get; set; }
        public string Service { get; set; } = "";
        public DateTime Start { get; set; }
    }

    private sealed class WaitlistSkip : Exception;

    private static string BackofficeDate(DateOnly d) => d.ToString("dd.MM.yyyy", System.Globalization.CultureInfo.InvariantCulture);
}
