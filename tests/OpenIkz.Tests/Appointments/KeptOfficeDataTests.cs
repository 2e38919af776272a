using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Appointments;

/// <summary>
/// The office data kept for a few seconds (<c>OfficeCacheSeconds</c>), on SQLite and PostgreSQL. A change this process
/// does not see (another instance's, here written straight into the database) must never let a booking through that
/// the office's current data refuses, and must never refuse one that it allows: the hold is placed only at the office
/// version it was checked against, and a refusal is checked again on fresh data.
/// </summary>
public abstract class KeptOfficeDataTests(OpenIkzApp fixture)
{
    private OpenIkzApp app => fixture.Require();
    private const string Kfz = "kfz-zulassung";
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static object OfficeBody(string name) => new
    {
        name, street = "Rathausplatz 2", postalCode = "67227", city = "Frankenthal (Pfalz)", slotMinutes = 10,
        hours = Enumerable.Range(1, 5).Select(d => new { weekday = d, opens = "08:00", closes = "12:00", counters = 1 }).ToArray(),
        services = new[] { new { service = Kfz, minutes = 20, minutesPerItem = 0, maxItems = 1 } },
    };

    private Task<HttpResponseMessage> BookAsync(long office, DateTime start) =>
        app.Api().PostAsJsonAsync("/api/v1/appointments", new
        {
            service = Kfz, officeId = office, start, items = 1, name = "Erika Mustermann", email = $"kept-{Guid.NewGuid():N}@example.org", municipality = BackofficeFixture.Frankenthal,
        });

    private async Task<List<DateTime>> SlotsAsync(long office, DateOnly from, DateOnly to) =>
        (await (await app.Api().GetAsync($"/api/v1/appointments/slots?service={Kfz}&office={office}&municipality={BackofficeFixture.Frankenthal}&from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}")).ReadJsonAsync())
        .EnumerateArray().Select(s => s.GetProperty("start").GetDateTime().ToUniversalTime()).ToList();

    private static TimeOnly LocalTime(DateTime utc) => TimeOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(utc, Berlin));
    private static DateOnly LocalDay(DateTime utc) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(utc, Berlin));

    private async Task<long> CreateOfficeAsync()
    {
        var admin = await app.ApiAsAsync("frankenthal.admin");
        var created = await admin.PostAsJsonAsync("/api/v1/appointments/offices", OfficeBody("Kept " + Guid.NewGuid().ToString("N")[..6]));
        var json = await created.ReadJsonAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, json.ToString());
        return json.GetProperty("id").GetInt64();
    }

    private Task<long> AppointmentsAsync(long office) =>
        app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointments WHERE office_id = @Office", new { Office = office });

    [SkippableFact]
    public async Task HoursShortenedElsewhere_RefuseTheBookingTheKeptDataWouldAllow()
    {
        var office = await CreateOfficeAsync();
        var from = OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(2);
        var slots = await SlotsAsync(office, from, from.AddDays(6)); // reads the office: now kept
        var late = slots.First(s => LocalTime(s) >= new TimeOnly(10, 0));
        var early = slots.First(s => LocalDay(s) == LocalDay(late) && LocalTime(s) == new TimeOnly(8, 0));

        // Another instance shortens the hours to 08:00–09:00: this process keeps the old ones.
        await app.Db.ExecuteAsync("UPDATE appointment_opening_hours SET closes = '09:00' WHERE office_id = @Office", new { Office = office });
        await app.Db.ExecuteAsync("UPDATE appointment_offices SET version = version + 1 WHERE id = @Office", new { Office = office });

        var refused = await BookAsync(office, late);
        var problem = await refused.ReadJsonAsync();
        Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, problem.ToString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("start", out _), problem.ToString());
        Assert.Equal(0, await AppointmentsAsync(office)); // nothing stored

        // A slot both the kept and the current hours allow is booked (its hold checked again on the current version).
        var booked = await BookAsync(office, early);
        Assert.True(booked.StatusCode == HttpStatusCode.Created, (await booked.ReadJsonAsync()).ToString());
        Assert.Equal(1, await AppointmentsAsync(office));
        Assert.Equal(1, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointment_cells WHERE office_id = @Office AND appointment_id IS NOT NULL", new { Office = office }) / 2);
    }

    [SkippableFact]
    public async Task AClosureRemovedElsewhere_DoesNotRefuseTheBooking_AndOneOfThisProcessShowsAtOnce()
    {
        var office = await CreateOfficeAsync();
        var from = OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(2);
        var first = (await SlotsAsync(office, from, from.AddDays(6))).First(s => LocalTime(s) == new TimeOnly(8, 0));
        var day = LocalDay(first);

        // A closure through this process: the kept data is forgotten, the booking refused at once.
        var admin = await app.ApiAsAsync("frankenthal.admin");
        var closed = await admin.PostAsJsonAsync($"/api/v1/appointments/offices/{office}/closures", new { day = day.ToString("yyyy-MM-dd"), reason = "Betriebsausflug" });
        Assert.True(closed.IsSuccessStatusCode, (await closed.ReadJsonAsync()).ToString());
        Assert.DoesNotContain(await SlotsAsync(office, day, day), s => true); // and the office is kept again, closed on that day
        var refused = await BookAsync(office, first);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        // Another instance opens the day again: this process still keeps it closed, but does not refuse on kept data.
        await app.Db.ExecuteAsync("DELETE FROM appointment_closures WHERE office_id = @Office", new { Office = office });
        await app.Db.ExecuteAsync("UPDATE appointment_offices SET version = version + 1 WHERE id = @Office", new { Office = office });
        var booked = await BookAsync(office, first);
        Assert.True(booked.StatusCode == HttpStatusCode.Created, (await booked.ReadJsonAsync()).ToString());
        Assert.Equal(1, await AppointmentsAsync(office));
    }
}

public sealed class KeptOfficeDataTestsSqlite(SqliteApp app) : KeptOfficeDataTests(app), IClassFixture<SqliteApp>;
public sealed class KeptOfficeDataTestsPostgres(PostgresApp app) : KeptOfficeDataTests(app), IClassFixture<PostgresApp>;
