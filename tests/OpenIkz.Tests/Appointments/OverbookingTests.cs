using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Appointments;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Appointments;

/// <summary>
/// The optional overbooking by the measured no-show rate (off by default), on SQLite and PostgreSQL: the hourly job
/// measures an office's rate; with overbooking off a slot of three counters takes three appointments; switched on at
/// a measured 25 % it takes one more (3 × 0.25 / 0.75), and never a fifth — the capacity cells still decide.
/// </summary>
public abstract class OverbookingTests(OpenIkzApp fixture)
{
    private OpenIkzApp app => fixture.Require();
    private const string Kfz = "kfz-zulassung";

    private static object OfficeBody(string name, bool? overbooking) => new
    {
        name, street = "Rathausplatz 2", postalCode = "67227", city = "Frankenthal (Pfalz)", slotMinutes = 10,
        hours = Enumerable.Range(1, 5).Select(d => new { weekday = d, opens = "08:00", closes = "12:00", counters = 3 }).ToArray(),
        services = new[] { new { service = Kfz, minutes = 20, minutesPerItem = 0, maxItems = 1 } },
        overbooking,
    };

    private async Task<HttpStatusCode> BookAsync(HttpClient client, long office, DateTime start) =>
        (await client.PostAsJsonAsync("/api/v1/appointments", new
        {
            service = Kfz, officeId = office, start, items = 1, name = "Erika Mustermann", email = $"ueberbuchung-{Guid.NewGuid():N}@example.org", municipality = BackofficeFixture.Frankenthal,
        })).StatusCode;

    [SkippableFact]
    public async Task AMeasuredNoShowRate_AddsCapacity_OnlyWhenTheOfficeSwitchesItOn()
    {
        var admin = await app.ApiAsAsync("frankenthal.admin");
        var name = "Überbuchung " + Guid.NewGuid().ToString("N")[..6];
        var created = await admin.PostAsJsonAsync("/api/v1/appointments/offices", OfficeBody(name, overbooking: null));
        var json = await created.ReadJsonAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, json.ToString());
        var office = json.GetProperty("id").GetInt64();
        Assert.False(json.GetProperty("overbooking").GetBoolean()); // off by default

        // 60 ended appointments of the last 90 days, 15 of them no-shows: 25 %.
        for (var i = 0; i < 60; i++)
        {
            var id = Guid.NewGuid().ToString("N");
            var start = DateTime.UtcNow.AddDays(-1 - i % 30).AddHours(-2);
            await app.Db.ExecuteAsync("""
                INSERT INTO appointments (id, office_id, service_slug, resident_ags, start_at, end_at, items, counter, name, email, email_key, phone, status,
                                          manage_token_hash, confirm_token_hash, expires_at, sequence, created_at, confirmed_at, no_show_at)
                VALUES (@Id, @Office, 'kfz-zulassung', '07311000', @Start, @End, 1, 1, 'Erika Mustermann', 'e@example.org', 'e@example.org', NULL, 'confirmed',
                        @M, @C, NULL, 0, @Start, @Start, @NoShow)
                """, new { Id = id, Office = office, Start = start, End = start.AddMinutes(20), M = "m" + id, C = "c" + id, NoShow = i % 4 == 0 ? start.AddMinutes(15) : (DateTime?)null });
        }
        Assert.True(await app.Services.GetRequiredService<OfficeDay>().RefreshNoShowRatesAsync() >= 1);
        var measured = await (await app.Api().GetAsync($"/api/v1/appointments/offices?service={Kfz}")).ReadJsonAsync();
        var row = measured.EnumerateArray().Single(o => o.GetProperty("id").GetInt64() == office);
        Assert.Equal(25.0m, row.GetProperty("noShowPercent").GetDecimal());
        Assert.Equal(60, row.GetProperty("noShowSamples").GetInt32());

        var client = app.Api();
        var slots = await (await client.GetAsync($"/api/v1/appointments/slots?service={Kfz}&office={office}&municipality={BackofficeFixture.Frankenthal}&from={OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(2):yyyy-MM-dd}")).ReadJsonAsync();
        var slot = slots[0].GetProperty("start").GetDateTime();
        // Off: three counters, three appointments.
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.Created, await BookAsync(client, office, slot));
        Assert.Equal(HttpStatusCode.Conflict, await BookAsync(client, office, slot));

        // On: one more at 25 %, and no more than that.
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/v1/appointments/offices/{office}", OfficeBody(name, overbooking: true))).StatusCode);
        Assert.Contains((await (await client.GetAsync($"/api/v1/appointments/slots?service={Kfz}&office={office}&municipality={BackofficeFixture.Frankenthal}&from={OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(2):yyyy-MM-dd}")).ReadJsonAsync())
            .EnumerateArray(), s => s.GetProperty("start").GetDateTime() == slot);
        Assert.Equal(HttpStatusCode.Created, await BookAsync(client, office, slot));
        Assert.Equal(HttpStatusCode.Conflict, await BookAsync(client, office, slot));
        Assert.Equal(4, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointments WHERE office_id = @O AND start_at = @S AND status = 'reserved'", new { O = office, S = slot.ToUniversalTime() }));

        // The office's page says what the measured rate means and switches it off again.
        var browser = app.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await OpenIkz.Tests.Ui.PagesTests.LoginAsync(browser, "frankenthal.admin")).StatusCode);
        var page = await OpenIkz.Tests.Ui.PagesTests.ParseAsync(await browser.GetAsync($"/Dienststellen/Bearbeiten/{office}"));
        Assert.True(page.GetElementById("ds-ueberbuchen")!.HasAttribute("checked"));
        Assert.Contains("Gemessen: 25,0 % aus 60 Terminen; bei 3 Schaltern nimmt ein Zeitfenster mit Überbuchung 4 Termine an.", page.GetElementById("ds-ueberbuchen-hinweis")!.TextContent);
        // Unticked: the browser sends no value for the box (here: false replaces the ticked one).
        Assert.Equal(HttpStatusCode.Redirect, (await OpenIkz.Tests.Ui.AgreementPagesTests.SubmitAsync(browser, page, "main form", new() { ["Overbooking"] = "false" })).StatusCode);
        Assert.False(await app.Db.QuerySingleAsync<bool>("SELECT overbooking FROM appointment_offices WHERE id = @Id", new { Id = office }));
    }
}

public sealed class OverbookingTestsSqlite(SqliteApp app) : OverbookingTests(app), IClassFixture<SqliteApp>;
public sealed class OverbookingTestsPostgres(PostgresApp app) : OverbookingTests(app), IClassFixture<PostgresApp>;
