using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ical.Net;
using MimeKit;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Appointments;

/// <summary>
/// Shared appointments through the API, on SQLite and PostgreSQL, with a real SMTP server (smtp4dev): the sharing rule of
/// the demo (Kfz pool of Ludwigshafen, Frankenthal and the Rhein-Pfalz-Kreis, Speyer outside), the slot search, the
/// lifecycle (hold, confirm by the e-mail's code, move, cancel, hold-back, expiry), the calendar files parsed back, the
/// limits, bad input, and the capacity guarantee under 200 concurrent bookings of one slot.
/// </summary>
public abstract class AppointmentApiTests
{
    private readonly OpenIkzApp _app;
    private readonly Smtp4dev _smtp;

    protected AppointmentApiTests(OpenIkzApp app, Smtp4dev smtp)
    {
        _app = app;
        _smtp = smtp;
        smtp.ConfigureFor(app);
        app.Settings["OpenIkz:Appointments:HoldMinutes"] = "15";
        app.Settings["OpenIkz:Appointments:HoldBackMinutes"] = "30";
    }

    private OpenIkzApp app
    {
        get
        {
            _smtp.Require();
            return _app.Require();
        }
    }

    internal const string Kfz = "kfz-zulassung";

    private Task<long> OneCounterOfficeAsync(string name) => OneCounterOfficeAsync(app, name);

    /// <summary>A one-counter office of Frankenthal (the test's own, so that the demo's offices keep their slots), Monday to Friday 08:00–12:00.</summary>
    internal static async Task<long> OneCounterOfficeAsync(OpenIkzApp app, string name)
    {
        var admin = await app.ApiAsAsync("frankenthal.admin");
        var response = await admin.PostAsJsonAsync("/api/v1/appointments/offices", new
        {
            name, street = "Rathausplatz 2", postalCode = "67227", city = "Frankenthal (Pfalz)", accessibility = "Stufenloser Zugang", slotMinutes = 10,
            hours = Enumerable.Range(1, 5).Select(d => new { weekday = d, opens = "08:00", closes = "12:00", counters = 1 }).ToArray(),
            services = new[] { new { service = Kfz, minutes = 20, minutesPerItem = 10, maxItems = 3 } },
        });
        var json = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, json.ToString());
        return json.GetProperty("id").GetInt64();
    }

    internal static async Task<List<JsonElement>> SlotsAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync("/api/v1/appointments/slots?" + query);
        var json = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, json.ToString());
        return json.EnumerateArray().ToList();
    }

    internal static object Booking(long office, DateTime start, string email, string municipality = BackofficeFixture.Frankenthal, int items = 1) =>
        new { service = Kfz, officeId = office, start, items, name = "Erika Mustermann", email, phone = "06233 89-0", municipality };

    /// <summary>The confirmation code of a booking e-mail: the line that is one long word (a 256-bit token).</summary>
    internal static string ConfirmationCode(string body) =>
        body.Split('\n').Select(l => l.Trim()).First(l => l.Length >= 40 && !l.Contains(' ', StringComparison.Ordinal));

    internal static string Email(string tag) => $"{tag}-{Guid.NewGuid():N}@example.org";

    private Task<long> CountAsync(string email) => app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointments WHERE email_key = @E", new { E = email.ToLowerInvariant() });

    [SkippableFact]
    public async Task Offices_OpenToAResident_FollowTheAgreement_SpeyerStaysOutsideTheKfzPool()
    {
        var client = app.Api();
        async Task<List<string>> OfficesFor(string ags) =>
            (await (await client.GetAsync($"/api/v1/appointments/offices?service={Kfz}&municipality={ags}")).ReadJsonAsync()).EnumerateArray()
                .Select(o => o.GetProperty("municipalityAgs").GetString()!).Distinct().Order().ToList();

        var frankenthal = await OfficesFor(BackofficeFixture.Frankenthal);
        Assert.Contains(BackofficeFixture.Ludwigshafen, frankenthal);
        Assert.Contains(BackofficeFixture.RheinPfalzKreis, frankenthal);
        Assert.Contains(BackofficeFixture.Frankenthal, frankenthal);
        Assert.DoesNotContain(BackofficeFixture.Speyer, frankenthal);
        Assert.Equal([BackofficeFixture.Speyer], await OfficesFor(BackofficeFixture.Speyer));
        // Without the agreement's marking for appointments, the pool shrinks to the own office.
        var kfz = await app.Db.QuerySingleAsync<long>("SELECT id FROM agreements WHERE title LIKE 'Zweckvereinbarung gemeinsame Kfz%'");
        var coordinator = await app.ApiAsAsync("ludwigshafen.koordination");
        Assert.Equal(HttpStatusCode.NoContent, (await coordinator.PutAsJsonAsync($"/api/v1/agreements/{kfz}/appointment-services", new { services = Array.Empty<string>() })).StatusCode);
        try
        {
            Assert.DoesNotContain(BackofficeFixture.Ludwigshafen, await OfficesFor(BackofficeFixture.Frankenthal));
            var wrong = await (await coordinator.PutAsJsonAsync($"/api/v1/agreements/{kfz}/appointment-services", new { services = new[] { "wohngeld" } })).AssertProblemAsync(400);
            Assert.Contains("Wohngeld gehört nicht zu dieser Vereinbarung", wrong.GetProperty("errors").GetProperty("services")[0].GetString());
            await (await (await app.ApiAsAsync("speyer.koordination")).PutAsJsonAsync($"/api/v1/agreements/{kfz}/appointment-services", new { services = new[] { Kfz } })).AssertProblemAsync(404);
        }
        finally
        {
            Assert.Equal(HttpStatusCode.NoContent, (await coordinator.PutAsJsonAsync($"/api/v1/agreements/{kfz}/appointment-services", new { services = new[] { Kfz } })).StatusCode);
        }
        Assert.Contains(BackofficeFixture.Ludwigshafen, await OfficesFor(BackofficeFixture.Frankenthal));

        // The slot search over every office open to a Frankenthal resident: earliest first, from several municipalities.
        var slots = await SlotsAsync(client, $"service={Kfz}&municipality={BackofficeFixture.Frankenthal}&to={OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(13):yyyy-MM-dd}");
        Assert.NotEmpty(slots);
        var starts = slots.Select(s => s.GetProperty("start").GetDateTime()).ToList();
        Assert.Equal(starts.Order().ToList(), starts);
        Assert.True(slots.Select(s => s.GetProperty("municipality").GetString()).Distinct().Count() >= 2);
        Assert.DoesNotContain(slots, s => s.GetProperty("municipality").GetString() == "Speyer");
    }

    [SkippableFact]
    public async Task Lifecycle_HoldConfirmMoveCancel_WithCalendarFiles_SameUidRisingSequence()
    {
        var office = await OneCounterOfficeAsync("Lebenszyklus " + Guid.NewGuid().ToString("N")[..6]);
        var client = app.Api();
        var slots = await SlotsAsync(client, $"service={Kfz}&office={office}&municipality={BackofficeFixture.Frankenthal}&from={OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(2):yyyy-MM-dd}");
        var first = slots[0].GetProperty("start").GetDateTime();
        var email = Email("lebenszyklus");

        var booked = await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, first, email));
        var hold = await booked.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        Assert.Equal("reserved", hold.GetProperty("status").GetString());
        var manage = hold.GetProperty("manageToken").GetString()!;
        Assert.True(manage.Length >= 40);
        Assert.DoesNotContain(manage, await app.Db.QuerySingleAsync<string>("SELECT manage_token_hash FROM appointments WHERE email_key = @E", new { E = email })); // only its hash is stored
        // Held: not offered to anyone else.
        Assert.DoesNotContain(await SlotsAsync(client, $"service={Kfz}&office={office}&municipality={BackofficeFixture.Frankenthal}&from={OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(2):yyyy-MM-dd}"),
            s => s.GetProperty("start").GetDateTime() == first);

        // The e-mail asks to confirm with a code; the booking's answer does not contain it (double opt-in).
        var request = await _smtp.WaitForAsync(email);
        Assert.Contains("Bitte bestätigen Sie", request.Subject);
        var code = AppointmentApiTests.ConfirmationCode(request.Body);
        Assert.NotEqual(manage, code);
        await (await client.PostAsJsonAsync("/api/v1/appointments/confirm", new { token = manage })).AssertProblemAsync(404);
        var confirmed = await (await client.PostAsJsonAsync("/api/v1/appointments/confirm", new { token = code })).ReadJsonAsync();
        Assert.Equal("confirmed", confirmed.GetProperty("status").GetString());

        var invitation = await CalendarOfMailAsync(email, "bestätigt");
        Assert.Equal("REQUEST", invitation.Method);
        var e = invitation.Events.Single();
        Assert.Equal(0, e.Sequence);
        Assert.Equal("CONFIRMED", e.Status);
        Assert.Equal("Europe/Berlin", e.DtStart!.TzId);
        Assert.Equal(first, e.DtStart.AsUtc);
        Assert.Contains("Rathausplatz 2, 67227 Frankenthal (Pfalz)", e.Location);
        Assert.True(e.DtStamp!.IsUtc);
        Assert.Contains(invitation.TimeZones, tz => tz.TzId == "Europe/Berlin");
        var raw = await RawCalendarOfMailAsync(email, "bestätigt");
        Assert.Contains("BEGIN:STANDARD", raw); // the zone's rules, not only its name (RFC 5545 § 3.6.5)
        Assert.Contains("BEGIN:DAYLIGHT", raw);
        Assert.Contains(e.Attendees, at => at.Value!.ToString().Equals("mailto:" + email, StringComparison.OrdinalIgnoreCase)); // iTIP REQUEST names its invitee
        Assert.NotNull(e.Organizer);
        var uid = e.Uid;
        Assert.DoesNotContain(first.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture), uid); // not a date

        // Move: same UID, SEQUENCE 1, the old slot held back, the new one taken; then cancel: METHOD CANCEL, SEQUENCE 2.
        var second = slots[3].GetProperty("start").GetDateTime();
        var moved = await (await client.PostAsJsonAsync($"/api/v1/appointments/{manage}/move", new { officeId = office, start = second })).ReadJsonAsync();
        Assert.Equal(second, moved.GetProperty("start").GetDateTime());
        var update = await CalendarOfMailAsync(email, "verschoben");
        Assert.Equal((uid, 1, "REQUEST"), (update.Events.Single().Uid, update.Events.Single().Sequence, update.Method));
        var download = Calendar.Load(await client.GetStringAsync($"/api/v1/appointments/{manage}.ics"))!;
        Assert.Equal((uid, 1), (download.Events.Single().Uid, download.Events.Single().Sequence));
        var now = await SlotsAsync(client, $"service={Kfz}&office={office}&municipality={BackofficeFixture.Frankenthal}&from={OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(2):yyyy-MM-dd}");
        Assert.DoesNotContain(now, s => s.GetProperty("start").GetDateTime() == first); // held back against slot trading
        Assert.DoesNotContain(now, s => s.GetProperty("start").GetDateTime() == second);

        var cancelled = await (await client.PostAsync($"/api/v1/appointments/{manage}/cancel", null)).ReadJsonAsync();
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        var cancel = await CalendarOfMailAsync(email, "abgesagt");
        Assert.Equal((uid, 2, "CANCEL", "CANCELLED"), (cancel.Events.Single().Uid, cancel.Events.Single().Sequence, cancel.Method, cancel.Events.Single().Status));

        // After the hold-back the freed slots are offered again.
        app.Clock.Advance(TimeSpan.FromMinutes(31));
        try
        {
            var later = await SlotsAsync(client, $"service={Kfz}&office={office}&municipality={BackofficeFixture.Frankenthal}&from={OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(2):yyyy-MM-dd}");
            Assert.Contains(later, s => s.GetProperty("start").GetDateTime() == first);
            Assert.Contains(later, s => s.GetProperty("start").GetDateTime() == second);
        }
        finally
        {
            app.Clock.Advance(TimeSpan.FromMinutes(-31));
        }
    }

    private async Task<Calendar> CalendarOfMailAsync(string to, string subjectPart) => Calendar.Load(await RawCalendarOfMailAsync(to, subjectPart))!;

    private async Task<string> RawCalendarOfMailAsync(string to, string subjectPart)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var id in await _smtp.IdsForAsync(to))
            {
                var message = MimeMessage.Load(new MemoryStream(await _smtp.DownloadAsync(id)));
                if (!(message.Subject ?? "").Contains(subjectPart, StringComparison.Ordinal)) continue;
                var part = message.Attachments.OfType<MimePart>().Single(a => a.ContentType.MimeType == "text/calendar");
                using var stream = new MemoryStream();
                await part.Content!.DecodeToAsync(stream);
                return System.Text.Encoding.UTF8.GetString(stream.ToArray());
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"No e-mail '{subjectPart}' to {to}.");
    }

    [SkippableFact]
    public async Task AnUnconfirmedHold_Expires_AndFreesTheSlot_ConfirmingLateIsRefused()
    {
        var office = await OneCounterOfficeAsync("Ablauf " + Guid.NewGuid().ToString("N")[..6]);
        var client = app.Api();
        var query = $"service={Kfz}&office={office}&municipality={BackofficeFixture.Frankenthal}&from={OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(2):yyyy-MM-dd}";
        var start = (await SlotsAsync(client, query))[0].GetProperty("start").GetDateTime();
        var email = Email("ablauf");
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, start, email))).StatusCode);
        var code = AppointmentApiTests.ConfirmationCode((await _smtp.WaitForAsync(email)).Body);
        app.Clock.Advance(TimeSpan.FromMinutes(16));
        try
        {
            Assert.Contains(await SlotsAsync(client, query), s => s.GetProperty("start").GetDateTime() == start);
            var late = await (await client.PostAsJsonAsync("/api/v1/appointments/confirm", new { token = code })).AssertProblemAsync(409);
            Assert.Equal("HoldExpired", late.GetProperty("rule").GetString());
            // Someone else takes it (the expired hold's cells are cleared in the same transaction).
            var next = await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, start, Email("nachfolge")));
            Assert.True(next.StatusCode == HttpStatusCode.Created, await next.Content.ReadAsStringAsync());
        }
        finally
        {
            app.Clock.Advance(TimeSpan.FromMinutes(-16));
        }
    }

    [SkippableFact]
    public async Task TwoHundredConcurrentBookings_OfOneSlotWithOneCounter_ExactlyOneWins()
    {
        var office = await OneCounterOfficeAsync("Ansturm " + Guid.NewGuid().ToString("N")[..6]);
        var client = app.Api();
        var start = (await SlotsAsync(client, $"service={Kfz}&office={office}&municipality={BackofficeFixture.Frankenthal}&from={OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(3):yyyy-MM-dd}"))[0]
            .GetProperty("start").GetDateTime();
        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => client.PostAsJsonAsync("/api/v1/appointments", Booking(office, start, Email("ansturm" + i)))));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(199, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        foreach (var r in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict).Take(3))
            Assert.Equal("SlotTaken", (await r.ReadJsonAsync()).GetProperty("rule").GetString());
        Assert.Equal(1, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointments WHERE office_id = @O AND start_at = @S", new { O = office, S = start }));
        Assert.Equal(2, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointment_cells WHERE office_id = @O AND appointment_id IS NOT NULL", new { O = office }));
    }

    [SkippableFact]
    public async Task MovesRacingBookings_NeverShareASlot_AndAFailedMoveKeepsTheOldOne()
    {
        var office = await OneCounterOfficeAsync("Wettlauf " + Guid.NewGuid().ToString("N")[..6]);
        var client = app.Api();
        var slots = await SlotsAsync(client, $"service={Kfz}&office={office}&municipality={BackofficeFixture.Frankenthal}&from={OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(3):yyyy-MM-dd}");
        var movers = new List<(string Token, DateTime From)>();
        for (var i = 0; i < 10; i++)
        {
            var start = slots[i * 2].GetProperty("start").GetDateTime(); // every other start: 20-minute appointments in 10-minute cells do not overlap
            var booked = await (await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, start, Email("mover" + i)))).ReadJsonAsync();
            movers.Add((booked.GetProperty("manageToken").GetString()!, start));
        }
        var target = slots[40].GetProperty("start").GetDateTime();
        var moves = movers.Select(m => client.PostAsJsonAsync($"/api/v1/appointments/{m.Token}/move", new { officeId = office, start = target }));
        var bookings = Enumerable.Range(0, 40).Select(i => client.PostAsJsonAsync("/api/v1/appointments", Booking(office, target, Email("racer" + i))));
        var all = await Task.WhenAll(moves.Concat(bookings));
        Assert.Equal(1, all.Count(r => r.IsSuccessStatusCode));
        Assert.All(all.Where(r => !r.IsSuccessStatusCode), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal(1, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointments WHERE office_id = @O AND start_at = @S AND status IN ('reserved', 'confirmed')", new { O = office, S = target }));
        // Every mover that lost still has its old appointment and its cells.
        foreach (var (token, from) in movers)
        {
            var view = await (await client.GetAsync($"/api/v1/appointments/{token}")).ReadJsonAsync();
            var at = view.GetProperty("start").GetDateTime();
            Assert.True(at == from || at == target);
        }
        // No two open appointments of one counter overlap in time, and each holds exactly its two cells.
        var open = (await app.Db.QueryAsync<(string Id, long Counter, DateTime Start, DateTime End)>(
            "SELECT id, counter, start_at, end_at FROM appointments WHERE office_id = @O AND status IN ('reserved', 'confirmed') ORDER BY counter, start_at", new { O = office })).ToList();
        foreach (var pair in open.Zip(open.Skip(1)).Where(p => p.First.Counter == p.Second.Counter))
            Assert.True(pair.First.End <= pair.Second.Start, $"{pair.First.Id} and {pair.Second.Id} overlap");
        foreach (var a in open)
            Assert.Equal(2, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointment_cells WHERE appointment_id = @Id", new { a.Id }));
    }

    [SkippableFact]
    public async Task PerEmailLimit_TwoOpenAppointmentsPerService_TheThirdIs409InGerman()
    {
        var office = await OneCounterOfficeAsync("Grenze " + Guid.NewGuid().ToString("N")[..6]);
        var client = app.Api();
        var slots = await SlotsAsync(client, $"service={Kfz}&office={office}&municipality={BackofficeFixture.Frankenthal}&from={OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(4):yyyy-MM-dd}");
        var email = Email("grenze");
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, slots[0].GetProperty("start").GetDateTime(), email))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, slots[2].GetProperty("start").GetDateTime(), email.ToUpperInvariant()))).StatusCode);
        var third = await (await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, slots[4].GetProperty("start").GetDateTime(), email))).AssertProblemAsync(409);
        Assert.Equal("TooManyOpenAppointments", third.GetProperty("rule").GetString());
        Assert.Contains("Mehr als 2 sind nicht möglich", third.GetProperty("detail").GetString());
        Assert.Equal(2, await CountAsync(email));
    }

    [SkippableFact]
    public async Task BadInput_IsA400NamingTheField_AndStoresNothing()
    {
        var office = await OneCounterOfficeAsync("Eingaben " + Guid.NewGuid().ToString("N")[..6]);
        var client = app.Api();
        var start = (await SlotsAsync(client, $"service={Kfz}&office={office}&municipality={BackofficeFixture.Frankenthal}&from={OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(2):yyyy-MM-dd}"))[0]
            .GetProperty("start").GetDateTime();
        var evening = TimeZoneInfo.ConvertTimeToUtc(DateOnly.FromDateTime(start).ToDateTime(new TimeOnly(19, 0)), TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        var email = Email("eingabe");
        async Task Refused(object body, string field)
        {
            var problem = await (await client.PostAsJsonAsync("/api/v1/appointments", body)).AssertProblemAsync(400);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error on {field}: {problem}");
        }
        await Refused(Booking(office, evening, email), "start");                                   // outside the opening hours
        await Refused(Booking(office, DateTime.UtcNow.AddDays(-1), email), "start");                // in the past
        await Refused(Booking(office, start.AddMinutes(3), email), "start");                        // not on the office's grid
        await Refused(Booking(office, start, email, municipality: BackofficeFixture.Speyer), "officeId"); // not open to a Speyer resident
        await Refused(Booking(office, start, "kein-at-zeichen.example.org"), "email");
        await Refused(Booking(office, start, email, items: 4), "items");                            // more vehicles than the office takes
        await Refused(new { service = "personalausweis", officeId = office, start, name = "X", email, municipality = BackofficeFixture.Frankenthal }, "service");
        await Refused(new { service = Kfz, officeId = office, start, name = "X", email }, "municipality");
        Assert.Equal(0, await CountAsync(email));
        Assert.Equal(0, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointment_cells WHERE office_id = @O", new { O = office }));

        var badSearch = await (await client.GetAsync($"/api/v1/appointments/slots?service=xyz&municipality=1&from=gestern")).AssertProblemAsync(400);
        Assert.True(badSearch.GetProperty("errors").TryGetProperty("from", out _));
        await (await client.GetAsync("/api/v1/appointments/nichtvorhanden")).AssertProblemAsync(404);
        await (await client.PostAsync("/api/v1/appointments/nichtvorhanden/cancel", null)).AssertProblemAsync(404);
        // Another municipality's administrator does not find the office.
        await (await (await app.ApiAsAsync("speyer.admin")).PostAsJsonAsync($"/api/v1/appointments/offices/{office}/closures", new { day = OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(5), reason = "Betriebsausflug" })).AssertProblemAsync(404);
    }

    [SkippableFact]
    public async Task TheSweep_ExpiresUnconfirmedHolds_AndAConfirmAfterItIsRefused_AMoveByOneSlotWithinTheOldTimeWorks()
    {
        var office = await OneCounterOfficeAsync("Sweep " + Guid.NewGuid().ToString("N")[..6]);
        var client = app.Api();
        var query = $"service={Kfz}&office={office}&municipality={BackofficeFixture.Frankenthal}&from={OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(2):yyyy-MM-dd}";
        var slots = await SlotsAsync(client, query);
        var email = Email("sweep");
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, slots[0].GetProperty("start").GetDateTime(), email))).StatusCode);
        var code = AppointmentApiTests.ConfirmationCode((await _smtp.WaitForAsync(email)).Body);
        app.Clock.Advance(TimeSpan.FromMinutes(16));
        try
        {
            var bookings = app.Services.GetRequiredService<OpenIkz.Appointments.Bookings>();
            Assert.True(await bookings.ExpireHoldsAsync() >= 1);
            Assert.Equal("expired", await app.Db.QuerySingleAsync<string>("SELECT status FROM appointments WHERE email_key = @E", new { E = email }));
            Assert.Equal(0, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointment_cells c JOIN appointments a ON a.id = c.appointment_id WHERE a.email_key = @E", new { E = email }));
            Assert.Equal("HoldExpired", (await (await client.PostAsJsonAsync("/api/v1/appointments/confirm", new { token = code })).AssertProblemAsync(409)).GetProperty("rule").GetString());
        }
        finally
        {
            app.Clock.Advance(TimeSpan.FromMinutes(-16));
        }

        // 20 minutes at 08:00 to 08:10: the new time overlaps the old one on the only counter.
        var first = slots[2].GetProperty("start").GetDateTime();
        var booked = await (await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, first, Email("einen-takt")))).ReadJsonAsync();
        var moved = await client.PostAsJsonAsync($"/api/v1/appointments/{booked.GetProperty("manageToken").GetString()}/move", new { officeId = office, start = first.AddMinutes(10) });
        Assert.True(moved.StatusCode == HttpStatusCode.OK, await moved.Content.ReadAsStringAsync());
    }

    [SkippableFact]
    public async Task MoreBadInput_StartWithoutZone_FarDates_NullElements_SlotLengthWhileBooked()
    {
        var office = await OneCounterOfficeAsync("Grenzfälle " + Guid.NewGuid().ToString("N")[..6]);
        var client = app.Api();
        var start = (await SlotsAsync(client, $"service={Kfz}&office={office}&municipality={BackofficeFixture.Frankenthal}&from={OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(2):yyyy-MM-dd}"))[0]
            .GetProperty("start").GetDateTime();
        var noZone = new { service = Kfz, officeId = office, start = start.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), name = "X", email = Email("zone"), municipality = BackofficeFixture.Frankenthal };
        var problem = await (await client.PostAsJsonAsync("/api/v1/appointments", noZone)).AssertProblemAsync(400);
        Assert.Contains("Zeitzone", problem.GetProperty("errors").GetProperty("start")[0].GetString());
        await (await client.GetAsync($"/api/v1/appointments/slots?service={Kfz}&municipality={BackofficeFixture.Frankenthal}&from=9999-12-31")).AssertProblemAsync(400);
        Assert.Equal(HttpStatusCode.OK, (await app.Browser().GetAsync($"/Termine?leistung={Kfz}&wohnort={BackofficeFixture.Frankenthal}&ab=31.12.9999")).StatusCode);

        var admin = await app.ApiAsAsync("frankenthal.admin");
        await (await admin.PutAsJsonAsync($"/api/v1/appointments/offices/{office}", new { name = "X", street = "Y 1", postalCode = "67227", city = "Z", hours = new object?[] { null }, services = new object?[] { null } })).AssertProblemAsync(400);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, start, Email("takt")))).StatusCode);
        var locked = await (await admin.PutAsJsonAsync($"/api/v1/appointments/offices/{office}", new
        {
            name = "Grenzfälle", street = "Rathausplatz 2", postalCode = "67227", city = "Frankenthal (Pfalz)", slotMinutes = 15,
            hours = new[] { new { weekday = 1, opens = "08:00", closes = "12:00", counters = 1 } },
            services = new[] { new { service = Kfz, minutes = 20, minutesPerItem = 10, maxItems = 3 } },
        })).AssertProblemAsync(409);
        Assert.Equal("SlotLengthLocked", locked.GetProperty("rule").GetString());
        Assert.Equal(10, await app.Db.QuerySingleAsync<long>("SELECT slot_minutes FROM appointment_offices WHERE id = @Id", new { Id = office }));
    }

    [SkippableFact]
    public async Task Waitlist_ACancelledSlotGoesToTheFirstWaiting_WhoConfirmsWithTheirOwnCode()
    {
        var office = await OneCounterOfficeAsync("Warteliste " + Guid.NewGuid().ToString("N")[..6]);
        var client = app.Api();
        var query = $"service={Kfz}&office={office}&municipality={BackofficeFixture.Frankenthal}&from={OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(2):yyyy-MM-dd}";
        var start = (await SlotsAsync(client, query))[0].GetProperty("start").GetDateTime();
        var holder = await (await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, start, Email("vorher")))).ReadJsonAsync();

        var until = DateOnly.FromDateTime(start).AddDays(1).ToString("yyyy-MM-dd");
        var bad = await (await client.PostAsJsonAsync("/api/v1/appointments/waitlist", new { service = Kfz, municipality = BackofficeFixture.Frankenthal, name = "Ayşe", email = "x", until })).AssertProblemAsync(400);
        Assert.True(bad.GetProperty("errors").TryGetProperty("email", out _));
        var first = Email("warte-erste");
        var second = Email("warte-zweite");
        var joined = await client.PostAsJsonAsync("/api/v1/appointments/waitlist", new { service = Kfz, municipality = BackofficeFixture.Frankenthal, name = "Ayşe Özdemir", email = first, until });
        Assert.Equal(HttpStatusCode.Created, joined.StatusCode);
        var secondToken = (await (await client.PostAsJsonAsync("/api/v1/appointments/waitlist", new { service = Kfz, municipality = BackofficeFixture.Frankenthal, name = "Jörg Schulz", email = second, until })).ReadJsonAsync())
            .GetProperty("manageToken").GetString()!;

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/appointments/{holder.GetProperty("manageToken").GetString()}/cancel", null)).StatusCode);
        // The first on the list holds the slot now; nobody else is offered it.
        Assert.Equal("reserved", await app.Db.QuerySingleAsync<string>("SELECT status FROM appointments WHERE email_key = @E", new { E = first }));
        Assert.Equal(0, await CountAsync(second));
        Assert.DoesNotContain(await SlotsAsync(client, query), s => s.GetProperty("start").GetDateTime() == start);
        var offer = await _smtp.WaitForAsync(first);
        Assert.Contains("Ein Termin ist frei geworden", offer.Subject);
        var code = AppointmentApiTests.ConfirmationCode(offer.Body);
        Assert.Equal("confirmed", (await (await client.PostAsJsonAsync("/api/v1/appointments/confirm", new { token = code })).ReadJsonAsync()).GetProperty("status").GetString());

        // The second leaves the list; a second withdrawal finds nothing.
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/appointments/waitlist/{secondToken}")).StatusCode);
        await (await client.DeleteAsync($"/api/v1/appointments/waitlist/{secondToken}")).AssertProblemAsync(404);
    }

    [SkippableFact]
    public async Task Waitlist_AnOfferNotConfirmedInTime_IsPassedOnToTheNextInLine_Once()
    {
        var office = await OneCounterOfficeAsync("Weitergabe " + Guid.NewGuid().ToString("N")[..6]);
        var client = app.Api();
        var query = $"service={Kfz}&office={office}&municipality={BackofficeFixture.Frankenthal}&from={OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(2):yyyy-MM-dd}";
        var start = (await SlotsAsync(client, query))[0].GetProperty("start").GetDateTime();
        var holder = await (await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, start, Email("inhaber")))).ReadJsonAsync();
        var until = DateOnly.FromDateTime(start).AddDays(1).ToString("yyyy-MM-dd");
        var first = Email("warte-verpasst");
        var second = Email("warte-naechste");
        foreach (var (name, email) in new[] { ("Ayşe Özdemir", first), ("Jörg Schulz", second) })
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/appointments/waitlist", new { service = Kfz, municipality = BackofficeFixture.Frankenthal, name, email, until })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/appointments/{holder.GetProperty("manageToken").GetString()}/cancel", null)).StatusCode);
        await _smtp.WaitForAsync(first);
        Assert.Equal(0, await CountAsync(second));

        // The first lets the offer lapse (WaitlistOfferMinutes, 60): the sweep expires it and offers the slot to the second.
        app.Clock.Advance(TimeSpan.FromMinutes(61));
        try
        {
            var bookings = app.Services.GetRequiredService<OpenIkz.Appointments.Bookings>();
            Assert.True(await bookings.ExpireHoldsAsync() >= 1);
            // Kept back for the next in line: nobody else is offered the slot meanwhile.
            Assert.DoesNotContain(await SlotsAsync(client, query), s => s.GetProperty("start").GetDateTime() == start);
            Assert.True(await bookings.PassOnLapsedOffersAsync() >= 1);
            Assert.Equal("expired", await app.Db.QuerySingleAsync<string>("SELECT status FROM appointments WHERE email_key = @E", new { E = first }));
            var (status, offered) = await app.Db.QuerySingleAsync<(string, DateTime)>("SELECT status, start_at FROM appointments WHERE email_key = @E", new { E = second });
            Assert.Equal(("reserved", start.ToUniversalTime()), (status, offered.ToUniversalTime()));
            var mail = await _smtp.WaitForAsync(second);
            Assert.Contains("Ein Termin ist frei geworden", mail.Subject);
            // Once: a second sweep passes nothing on, and nobody else holds the slot.
            Assert.Equal(0, await bookings.PassOnLapsedOffersAsync());
            Assert.Equal(1, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointments WHERE office_id = @O AND start_at = @S AND status = 'reserved'", new { O = office, S = start.ToUniversalTime() }));
            var code = AppointmentApiTests.ConfirmationCode(mail.Body);
            Assert.Equal("confirmed", (await (await client.PostAsJsonAsync("/api/v1/appointments/confirm", new { token = code })).ReadJsonAsync()).GetProperty("status").GetString());
        }
        finally
        {
            app.Clock.Advance(TimeSpan.FromMinutes(-61));
        }
    }

    [SkippableFact]
    public async Task Closure_RemovesTheDaysSlots_ADayWithAppointmentsNeedsTheirCancellation_AndEveryoneIsTold()
    {
        var office = await OneCounterOfficeAsync("Schließtag " + Guid.NewGuid().ToString("N")[..6]);
        var client = app.Api();
        var query = $"service={Kfz}&office={office}&municipality={BackofficeFixture.Frankenthal}&from={OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(2):yyyy-MM-dd}";
        var slots = await SlotsAsync(client, query);
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        DateOnly DayOf(DateTime utc) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(utc, berlin));
        var first = slots[0].GetProperty("start").GetDateTime();
        var day = DayOf(first);
        var emails = new[] { Email("schliesstag-a"), Email("schliesstag-b") };
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, first, emails[0]))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, slots[2].GetProperty("start").GetDateTime(), emails[1]))).StatusCode);

        var admin = await app.ApiAsAsync("frankenthal.admin");
        var refused = await (await admin.PostAsJsonAsync($"/api/v1/appointments/offices/{office}/closures", new { day = day.ToString("yyyy-MM-dd"), reason = "Personalversammlung" })).AssertProblemAsync(409);
        Assert.Equal("AppointmentsOnDay", refused.GetProperty("rule").GetString());
        Assert.Contains("sind 2 Termine gebucht", refused.GetProperty("detail").GetString());
        Assert.Contains(await SlotsAsync(client, query), s => DayOf(s.GetProperty("start").GetDateTime()) == day); // nothing changed

        var closed = await (await admin.PostAsJsonAsync($"/api/v1/appointments/offices/{office}/closures", new { day = day.ToString("yyyy-MM-dd"), reason = "Personalversammlung", cancelAppointments = true })).ReadJsonAsync();
        Assert.Equal(2, closed.GetProperty("cancelled").GetInt32());
        Assert.DoesNotContain(await SlotsAsync(client, query), s => DayOf(s.GetProperty("start").GetDateTime()) == day);
        foreach (var email in emails)
        {
            Assert.Equal("cancelled", await app.Db.QuerySingleAsync<string>("SELECT status FROM appointments WHERE email_key = @E", new { E = email }));
            var cancel = await CalendarOfMailAsync(email, "entfällt");
            Assert.Equal("CANCEL", cancel.Method);
        }
        var ids = await _smtp.IdsForAsync(emails[0]);
        var bodies = new List<string>();
        foreach (var id in ids) bodies.Add(MimeMessage.Load(new MemoryStream(await _smtp.DownloadAsync(id))).TextBody ?? "");
        var notice = bodies.Single(b => b.Contains("muss leider entfallen", StringComparison.Ordinal));
        Assert.Contains("Personalversammlung", notice);
        Assert.Contains("Die nächsten freien Termine:", notice);
    }

    [SkippableFact]
    public async Task ASearchAnswer_IsKeptForSeconds_ABookingRemovesItsSlotFromTheNextSearchAtOnce()
    {
        var office = await OneCounterOfficeAsync("Gemerkt " + Guid.NewGuid().ToString("N")[..6]);
        var client = app.Api();
        var query = $"service={Kfz}&office={office}&municipality={BackofficeFixture.Frankenthal}&from={OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(2):yyyy-MM-dd}";
        var starts = (await SlotsAsync(client, query)).Select(s => s.GetProperty("start").GetDateTime()).ToList();
        // Taken behind the app's back (as another instance would): the kept answer still offers it…
        async Task TakeBehindTheBackAsync(DateTime start)
        {
            foreach (var cell in new[] { start, start.AddMinutes(10) })
                await app.Db.ExecuteAsync("INSERT INTO appointment_cells (office_id, counter, cell_start, appointment_id, held_until) VALUES (@O, 1, @Cell, NULL, @Until)",
                    new { O = office, Cell = cell, Until = DateTime.UtcNow.AddDays(30) });
        }
        await TakeBehindTheBackAsync(starts[2]);
        Assert.Contains(await SlotsAsync(client, query), s => s.GetProperty("start").GetDateTime() == starts[2]);
        // …and a booking through it gets the 409 of the primary key, never a second appointment.
        var late = await (await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, starts[2], Email("zu-spaet")))).AssertProblemAsync(409);
        Assert.Equal("SlotTaken", late.GetProperty("rule").GetString());

        // A booking through the app forgets the office's answers: the next search shows neither slot.
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, starts[0], Email("gemerkt")))).StatusCode);
        var after = (await SlotsAsync(client, query)).Select(s => s.GetProperty("start").GetDateTime()).ToList();
        Assert.DoesNotContain(starts[0], after);
        Assert.DoesNotContain(starts[2], after);

        // What the app does not see shows after the cache time (5 s).
        await TakeBehindTheBackAsync(starts[6]);
        Assert.Contains(await SlotsAsync(client, query), s => s.GetProperty("start").GetDateTime() == starts[6]);
        app.Clock.Advance(TimeSpan.FromSeconds(6));
        try
        {
            Assert.DoesNotContain(await SlotsAsync(client, query), s => s.GetProperty("start").GetDateTime() == starts[6]);
        }
        finally
        {
            app.Clock.Advance(TimeSpan.FromSeconds(-6));
        }
    }

    [SkippableFact]
    public async Task PerEmailLimit_UnderTwentyConcurrentBookingsOfOneAddress_ExactlyTheLimitIsHeld()
    {
        var office = await OneCounterOfficeAsync("Adressgrenze " + Guid.NewGuid().ToString("N")[..6]);
        var client = app.Api();
        var slots = await SlotsAsync(client, $"service={Kfz}&office={office}&municipality={BackofficeFixture.Frankenthal}&from={OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(3):yyyy-MM-dd}");
        var email = Email("gleichzeitig");
        // Twenty different slots, one address: the count and the insert are one statement in the write (SQLite: the
        // single writer; PostgreSQL: the address's advisory lock), so no two bookings both see one open appointment.
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            client.PostAsJsonAsync("/api/v1/appointments", Booking(office, slots[i * 2].GetProperty("start").GetDateTime(), i % 2 == 0 ? email : email.ToUpperInvariant()))));
        Assert.Equal(2, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(18, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal("TooManyOpenAppointments", (await responses.First(r => r.StatusCode == HttpStatusCode.Conflict).ReadJsonAsync()).GetProperty("rule").GetString());
        Assert.Equal(2, await CountAsync(email));
        Assert.Equal(4, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointment_cells WHERE office_id = @O AND appointment_id IS NOT NULL", new { O = office }));
    }

    [SkippableFact]
    public async Task ACancelledSlot_AfterItsHoldBack_IsBookedAgain_OverTheFreedCells()
    {
        var office = await OneCounterOfficeAsync("Wiederfrei " + Guid.NewGuid().ToString("N")[..6]);
        var client = app.Api();
        var query = $"service={Kfz}&office={office}&municipality={BackofficeFixture.Frankenthal}&from={OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(2):yyyy-MM-dd}";
        var start = (await SlotsAsync(client, query))[0].GetProperty("start").GetDateTime();
        var first = await (await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, start, Email("zuerst")))).ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/appointments/{first.GetProperty("manageToken").GetString()}/cancel", null)).StatusCode);
        // Held back: refused at once, and nothing stored for the second booking.
        var early = Email("zu-frueh");
        Assert.Equal("SlotTaken", (await (await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, start, early))).AssertProblemAsync(409)).GetProperty("rule").GetString());
        Assert.Equal(0, await CountAsync(early));
        app.Clock.Advance(TimeSpan.FromMinutes(31));
        try
        {
            // The freed cells still stand (appointment NULL, hold-back over): the booking's insert takes them over.
            Assert.Equal(2, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointment_cells WHERE office_id = @O AND appointment_id IS NULL", new { O = office }));
            var again = await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, start, Email("danach")));
            Assert.True(again.StatusCode == HttpStatusCode.Created, await again.Content.ReadAsStringAsync());
            Assert.Equal(2, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointment_cells WHERE office_id = @O AND appointment_id IS NOT NULL", new { O = office }));
            Assert.DoesNotContain(await SlotsAsync(client, query), s => s.GetProperty("start").GetDateTime() == start);
        }
        finally
        {
            app.Clock.Advance(TimeSpan.FromMinutes(-31));
        }
    }

}

public sealed class AppointmentApiTestsSqlite(SqliteApp app, Smtp4dev smtp) : AppointmentApiTests(app, smtp), IClassFixture<SqliteApp>, IClassFixture<Smtp4dev>;
public sealed class AppointmentApiTestsPostgres(PostgresApp app, Smtp4dev smtp) : AppointmentApiTests(app, smtp), IClassFixture<PostgresApp>, IClassFixture<Smtp4dev>;
