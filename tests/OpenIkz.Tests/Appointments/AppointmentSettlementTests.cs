using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Appointments;
using OpenIkz.Tests.Agreements;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Appointments;

/// <summary>
/// Appointments in the settlement (issue 11), on SQLite and PostgreSQL: an agreement with an amount per appointment,
/// made and consented through the API; appointments its members' offices served for each other's residents are
/// settled (count × amount), not those of the own residents, of non-members, no-shows or cancelled ones; the stored
/// settlement has its appointment lines, reruns unchanged, and its exports name the appointments; a check-in at the
/// office's day counts in the current period's preview at once.
/// </summary>
public abstract class AppointmentSettlementTests(OpenIkzApp fixture)
{
    private const string A = Backoffice.Agreements.Halberstadt, B = Backoffice.Agreements.Quedlinburg, C = Backoffice.Agreements.Wernigerode, Thale = Backoffice.Agreements.Thale;
    private const string Harz = "15085"; // the Landkreis, district of all four
    private const string Kfz = "kfz-zulassung";
    private static readonly int Year = DateTime.UtcNow.Year - 1;
    private OpenIkzApp app => fixture.Require();

    private async Task<long> AgreementAsync(HttpClient a)
    {
        foreach (var (ags, street, postal, city) in new[] { (A, "Teststraße 1", "38820", "Halberstadt"), (B, "Teststraße 2", "06484", "Quedlinburg"), (C, "Teststraße 3", "38855", "Wernigerode") })
            await app.Db.ExecuteAsync("UPDATE municipalities SET address_street = @Street, address_postal_code = @Postal, address_city = @City WHERE ags = @Ags", new { Street = street, Postal = postal, City = city, Ags = ags });
        var created = await a.PostAsJsonAsync("/api/v1/agreements", new Dictionary<string, object?>
        {
            ["title"] = "Zweckvereinbarung Termine Harz " + Guid.NewGuid().ToString("N")[..4],
            ["services"] = new[] { Kfz },
            ["members"] = new[] { A, B, C, Harz }.Select(m => new { ags = m, contributesCases = true, contributesStaff = true }).ToArray(),
            ["stateLaw"] = "gkg-lsa", ["legalForm"] = "zweckvereinbarung", ["transfersTask"] = false,
            ["validFrom"] = $"{Year}-01-01", ["noticeMonths"] = 6,
            ["dataProtection"] = "Auftragsverarbeitung nach Art. 28 DSGVO.",
            // Only an amount per appointment: the cases of the service are not compensated by this agreement.
            ["rates"] = new object[] { new { service = Kfz, caseGroup = "", perAppointment = "8,25" } },
        });
        var json = await created.ReadJsonAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, json.ToString());
        var id = json.GetProperty("id").GetInt64();
        var rate = json.GetProperty("rates").EnumerateArray().Single();
        Assert.Equal(8.25m, rate.GetProperty("perAppointment").GetDecimal());
        foreach (var coordinator in new[] { a, await app.ApiAsAsync("quedlinburg.koordination"), await app.ApiAsAsync("wernigerode.koordination"), await app.ApiAsAsync("lk-harz.koordination") })
            (await coordinator.PostAsJsonAsync($"/api/v1/agreements/{id}/consent", new { })).EnsureSuccessStatusCode();
        return id;
    }

    private async Task<long> OfficeAsync(string admin, string city, string postalCode)
    {
        var response = await (await app.ApiAsAsync(admin)).PostAsJsonAsync("/api/v1/appointments/offices", new
        {
            name = "Bürgerbüro " + city + " " + Guid.NewGuid().ToString("N")[..4], street = "Markt 1", postalCode, city, slotMinutes = 10,
            hours = Enumerable.Range(1, 5).Select(d => new { weekday = d, opens = "08:00", closes = "18:00", counters = 2 }).ToArray(),
            services = new[] { new { service = Kfz, minutes = 20, minutesPerItem = 0, maxItems = 1 } },
        });
        var json = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, json.ToString());
        return json.GetProperty("id").GetInt64();
    }

    /// <summary>An appointment as the booking leaves it (confirmed, with its check-in code), in the past or today.</summary>
    private async Task<(string Id, string Code)> AppointmentAsync(long office, string resident, DateTime start, bool served, string status = "confirmed")
    {
        var id = Guid.NewGuid().ToString("N");
        var code = "S" + id[..3].ToUpperInvariant() + "-" + id[3..7].ToUpperInvariant();
        await app.Db.ExecuteAsync("""
            INSERT INTO appointments (id, office_id, service_slug, resident_ags, start_at, end_at, items, counter, name, email, email_key, phone, status,
                                      manage_token_hash, confirm_token_hash, expires_at, sequence, created_at, confirmed_at, checkin_code, checked_in_at, no_show_at)
            VALUES (@Id, @Office, 'kfz-zulassung', @Resident, @Start, @End, 1, 1, 'Erika Mustermann', 'e@example.org', 'e@example.org', NULL, @Status,
                    @M, @C, NULL, 0, @Created, @Created, @Code, @CheckedIn, @NoShow)
            """, new { Id = id, Office = office, Resident = resident, Start = start, End = start.AddMinutes(20), Status = status, M = "m" + id, C = "c" + id,
                Created = start.AddDays(-3), Code = code, CheckedIn = served ? start.AddMinutes(-2) : (DateTime?)null, NoShow = served ? (DateTime?)null : start.AddMinutes(15) });
        return (id, code);
    }

    private static DateTime Utc(int year, int month, int day, int hour) => new(year, month, day, hour, 0, 0, DateTimeKind.Utc);

    [SkippableFact]
    public async Task ServedAppointments_OfOtherMembersResidents_AreSettledPerAppointment_StoredRerunAndExported()
    {
        var coordinator = await app.ApiAsAsync("halberstadt.koordination");
        var id = await AgreementAsync(coordinator);
        var halberstadt = await OfficeAsync("halberstadt.admin", "Halberstadt", "38820");
        var quedlinburg = await OfficeAsync("quedlinburg.admin", "Quedlinburg", "06484");
        var district = await OfficeAsync("lk-harz.admin", "Halberstadt", "38820");

        // March of last year: Halberstadt's office served three Quedlinburg residents and one of Wernigerode; Quedlinburg's one of Halberstadt.
        for (var i = 0; i < 3; i++) await AppointmentAsync(halberstadt, B, Utc(Year, 3, 10 + i, 9), served: true);
        await AppointmentAsync(halberstadt, C, Utc(Year, 3, 16, 9), served: true);
        await AppointmentAsync(quedlinburg, A, Utc(Year, 3, 17, 9), served: true);
        // Thale is no member, but its Landkreis is: the Landkreis pays for its resident.
        await AppointmentAsync(halberstadt, Thale, Utc(Year, 3, 18, 10), served: true);
        // Not settled: own residents, a no-show, a cancelled one, another month.
        await AppointmentAsync(halberstadt, A, Utc(Year, 3, 18, 9), served: true);
        await AppointmentAsync(halberstadt, B, Utc(Year, 3, 19, 9), served: false);
        await AppointmentAsync(halberstadt, B, Utc(Year, 3, 19, 10), served: true, status: "cancelled");
        await AppointmentAsync(halberstadt, B, Utc(Year, 4, 1, 9), served: true);
        // Berlin days: 28 February 23:30 UTC is 1 March in Berlin (counted), 31 March 22:30 UTC is 1 April (not).
        await AppointmentAsync(halberstadt, B, Utc(Year, 2, 28, 23).AddMinutes(30), served: true);
        await AppointmentAsync(halberstadt, B, Utc(Year, 3, 31, 22).AddMinutes(30), served: true);
        // The Landkreis's Zulassungsstelle serves the residents of its Gemeinden without any agreement: not settled.
        await AppointmentAsync(district, A, Utc(Year, 3, 20, 9), served: true);
        await AppointmentAsync(district, Thale, Utc(Year, 3, 20, 10), served: true);

        // Only an agreement that shares the service for appointments settles them.
        var source = app.Services.GetServices<OpenIkz.Agreements.Settlement.ISettlementCountSource>().Single();
        async Task<long> Counted()
        {
            await using var c = await app.Db.OpenAsync();
            return (await source.CountAsync(c, id, Utc(Year, 2, 28, 23), Utc(Year, 3, 31, 22), default)).Sum(x => x.OwnerAgs == x.ProcessorAgs ? 0 : x.Count);
        }
        Assert.Equal(0, await Counted());
        Assert.Equal(HttpStatusCode.NoContent, (await coordinator.PutAsJsonAsync($"/api/v1/agreements/{id}/appointment-services", new { services = new[] { Kfz } })).StatusCode);
        Assert.Equal(7, await Counted());

        var run = await coordinator.PostAsJsonAsync($"/api/v1/agreements/{id}/settlements", new { period = $"{Year}-03" });
        var json = await run.ReadJsonAsync();
        Assert.True(run.StatusCode == HttpStatusCode.Created, json.ToString());
        var balances = json.GetProperty("statements").EnumerateArray().ToDictionary(s => s.GetProperty("municipality").GetString()!, s => s.GetProperty("balance").GetDecimal());
        // Halberstadt receives 4 × 8.25 from Quedlinburg, 8.25 from Wernigerode and 8.25 from the Landkreis, and pays 8.25 to Quedlinburg.
        Assert.Equal(4 * 8.25m + 8.25m + 8.25m - 8.25m, balances[A]);
        Assert.Equal(-4 * 8.25m + 8.25m, balances[B]);
        Assert.Equal(-8.25m, balances[C]);
        Assert.Equal(-8.25m, balances[Harz]);
        var settlementId = json.GetProperty("settlementId").GetString()!;
        var lines = (await app.Db.QueryAsync<(string Unit, string Owner, string Processor, long Count, long Amount)>(
            "SELECT unit, owner_ags, processor_ags, case_count, amount_cents FROM settlement_lines WHERE settlement_id = @Id ORDER BY owner_ags, processor_ags", new { Id = settlementId })).ToList();
        Assert.Equal([("appointment", Harz, A, 1L, 825L), ("appointment", A, B, 1L, 825L), ("appointment", B, A, 4L, 3300L), ("appointment", C, A, 1L, 825L)],
            lines.Where(l => l.Unit == "appointment").OrderBy(l => l.Owner, StringComparer.Ordinal).ToList());

        // Run again: nothing changed, the same settlement.
        var again = await coordinator.PostAsJsonAsync($"/api/v1/agreements/{id}/settlements", new { period = $"{Year}-03" });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(settlementId, (await again.ReadJsonAsync()).GetProperty("settlementId").GetString());

        // The exports say appointments, and the payer's e-invoice passes the checks.
        var csv = Encoding.UTF8.GetString(await (await coordinator.GetAsync($"/api/v1/settlements/{settlementId}/statements/{B}.csv")).Content.ReadAsByteArrayAsync());
        Assert.Contains("Termine", csv);
        Assert.Contains("33,00", csv);
        var xml = await (await coordinator.GetAsync($"/api/v1/settlements/{settlementId}/statements/{B}.xml")).Content.ReadAsStringAsync();
        Assert.Empty(XRechnungChecker.Check(xml));
        Assert.Contains("4 Termine, wahrgenommen von", xml);

        // The statement page lists the appointments as their own lines.
        var browser = app.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await OpenIkz.Tests.Ui.PagesTests.LoginAsync(browser, "quedlinburg.koordination")).StatusCode);
        var page = await OpenIkz.Tests.Ui.PagesTests.ParseAsync(await browser.GetAsync($"/Abrechnungen/{settlementId}"));
        Assert.Contains("wahrgenommene Termine", page.GetElementById("positionen-titel")!.TextContent);
        Assert.Contains("Vorgänge, 7 Termine)", page.GetElementById("positionen-titel")!.TextContent);
        Assert.Equal(4, page.GetElementById("positionen-titel")!.ParentElement!.QuerySelectorAll("tbody tr").Count(r => r.TextContent.Contains("Termine", StringComparison.Ordinal)));

        // The agreement's document states the amount per appointment.
        var agreement = await (await coordinator.GetAsync($"/api/v1/agreements/{id}")).ReadJsonAsync();
        Assert.Equal(8.25m, agreement.GetProperty("rates")[0].GetProperty("perAppointment").GetDecimal());
    }

    [SkippableFact]
    public async Task ACaseOnlySettlement_KeepsTheLinesHashOfBeforeAppointmentsWereSettled()
    {
        // The demo's stored Kfz settlement (cases only): its hash is the formula of before this change, computed here by hand,
        // so a period settled before reruns unchanged instead of issuing a correction.
        var (id, stored) = await app.Db.QuerySingleAsync<(string, string)>("SELECT id, lines_hash FROM settlements ORDER BY created_at LIMIT 1");
        var lines = (await app.Db.QueryAsync<(string Owner, string Processor, string Service, string Group, long Count, long Amount)>(
            "SELECT owner_ags, processor_ags, service_slug, case_group, case_count, amount_cents FROM settlement_lines WHERE settlement_id = @Id", new { Id = id }))
            .OrderBy(l => l.Owner, StringComparer.Ordinal).ThenBy(l => l.Processor, StringComparer.Ordinal).ThenBy(l => l.Service, StringComparer.Ordinal).ThenBy(l => l.Group, StringComparer.Ordinal);
        var balances = (await app.Db.QueryAsync<(string Ags, long Balance)>("SELECT municipality_ags, balance_cents FROM settlement_statements WHERE settlement_id = @Id", new { Id = id }))
            .OrderBy(b => b.Ags, StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var l in lines) text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{l.Owner}|{l.Processor}|{l.Service}|{l.Group}|{l.Count}|{l.Amount}\n");
        foreach (var b in balances) text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{b.Ags}={b.Balance}\n");
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))), stored);
        Assert.All(await app.Db.QueryAsync<string>("SELECT unit FROM settlement_lines WHERE settlement_id = @Id", new { Id = id }), u => Assert.Equal("case", u));
    }

    [SkippableFact]
    public async Task CheckInAtTheOfficesDay_CountsInThePreviewOfTheCurrentPeriod()
    {
        var coordinator = await app.ApiAsAsync("ludwigshafen.koordination");
        var kfz = await app.Db.QuerySingleAsync<long>("SELECT id FROM agreements WHERE title LIKE 'Zweckvereinbarung gemeinsame Kfz%'");
        var frankenthal = await app.Db.QuerySingleAsync<long>("SELECT id FROM appointment_offices WHERE municipality_ags = @A ORDER BY id LIMIT 1", new { A = BackofficeFixture.Frankenthal });
        var today = BerlinTime.Today(app.Clock);
        var period = today.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

        async Task<decimal> LudwigshafensBalance()
        {
            var response = await coordinator.PostAsJsonAsync($"/api/v1/agreements/{kfz}/settlements", new { period });
            var json = await response.ReadJsonAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, json.ToString());
            Assert.True(json.GetProperty("provisional").GetBoolean());
            return json.GetProperty("statements").EnumerateArray().Single(s => s.GetProperty("municipality").GetString() == BackofficeFixture.Ludwigshafen).GetProperty("balance").GetDecimal();
        }

        // A Ludwigshafen resident at Frankenthal's office, today; checked in through the office's day.
        // Five minutes ago, but never yesterday: in the first minutes after midnight in Berlin the appointment is at midnight.
        var start = app.Clock.GetUtcNow().UtcDateTime.AddMinutes(-5);
        if (BerlinTime.DateOf(start) != today) start = BerlinTime.StartOfDayUtc(today);
        var (id, code) = await AppointmentAsync(frankenthal, BackofficeFixture.Ludwigshafen, start, served: false);
        await app.Db.ExecuteAsync("UPDATE appointments SET no_show_at = NULL WHERE id = @Id", new { Id = id });
        var before = await LudwigshafensBalance();
        var (staffId, staffAgs) = await app.Db.QuerySingleAsync<(long, string)>("SELECT id, municipality_ags FROM users WHERE username = 'frankenthal.sachbearbeitung'");
        await app.Services.GetRequiredService<OfficeDay>().CheckInAsync(new Actor(staffId, null, "frankenthal.sachbearbeitung", "Sachbearbeitung", staffAgs, false, [], IsClerk: true), frankenthal, code);
        // Ludwigshafen owes Frankenthal the demo's 8,00 EUR per appointment more than before.
        Assert.Equal(before - 8.00m, await LudwigshafensBalance());
    }
}

public sealed class AppointmentSettlementTestsSqlite(SqliteApp app) : AppointmentSettlementTests(app), IClassFixture<SqliteApp>;
public sealed class AppointmentSettlementTestsPostgres(PostgresApp app) : AppointmentSettlementTests(app), IClassFixture<PostgresApp>;
