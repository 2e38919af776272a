using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Appointments;
using OpenIkz.Tests.Infrastructure;
using OpenIkz.Tests.Ui;

namespace OpenIkz.Tests.Appointments;

/// <summary>
/// The office's day on SQLite and PostgreSQL: today's list, check-in by the code, the call to a counter that reaches the
/// waiting-room display as a server-sent event, the no-show (not before ten minutes past the start) and its rate; another
/// municipality's staff do not find the office.
/// </summary>
public abstract class OfficeDayTests(OpenIkzApp fixture)
{
    private readonly OpenIkzApp app = fixture.Require();

    private async Task<Actor> StaffAsync(string username)
    {
        var (id, ags) = await app.Db.QuerySingleAsync<(long, string)>("SELECT id, municipality_ags FROM users WHERE username = @U", new { U = username });
        return new Actor(id, null, username, username, ags, false, [], IsClerk: true);
    }

    /// <summary>A confirmed appointment today at the demo's Frankenthal office (or another municipality's), <paramref name="minutesAgo"/> before now.</summary>
    private async Task<(long Office, string Id, string Code)> TodayAppointmentAsync(int minutesAgo, DateTime? endedAt = null, string ags = "07311000")
    {
        var office = await app.Db.QuerySingleAsync<long>("SELECT id FROM appointment_offices WHERE municipality_ags = @Ags ORDER BY id LIMIT 1", new { Ags = ags });
        var id = Guid.NewGuid().ToString("N");
        var code = "T" + id[..3].ToUpperInvariant() + "-" + id[3..7].ToUpperInvariant();
        var start = DateTime.UtcNow.AddMinutes(-minutesAgo);
        await app.Db.ExecuteAsync("""
            INSERT INTO appointments (id, office_id, service_slug, resident_ags, start_at, end_at, items, counter, name, email, email_key, phone, status,
                                      manage_token_hash, confirm_token_hash, expires_at, sequence, created_at, confirmed_at, checkin_code)
            VALUES (@Id, @Office, 'kfz-zulassung', '07311000', @Start, @End, 1, 1, 'Erika Mustermann', 'e@example.org', 'e@example.org', NULL, 'confirmed',
                    @M, @C, NULL, 0, @Start, @Start, @Code)
            """, new { Id = id, Office = office, Start = start, End = endedAt ?? start.AddMinutes(20), M = "m" + id, C = "c" + id, Code = code });
        return (office, id, code);
    }

    [SkippableFact]
    public async Task CheckIn_Call_NoShow_AndTheRate()
    {
        var day = app.Services.GetRequiredService<OfficeDay>();
        var staff = await StaffAsync("frankenthal.sachbearbeitung");
        var (office, id, code) = await TodayAppointmentAsync(minutesAgo: 5);
        var (_, late, _) = await TodayAppointmentAsync(minutesAgo: 15);

        var today = await day.DayAsync(staff, office);
        Assert.Contains(today, a => a.Id == id && a.StateLabel == "erwartet");
        await Assert.ThrowsAsync<ValidationException>(() => day.CheckInAsync(staff, office, "XXXX-XXXX"));
        var checkedIn = await day.CheckInAsync(staff, office, code.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant()); // typed without the dash, in lower case
        Assert.Equal("eingecheckt", checkedIn.StateLabel);

        // The call reaches a listening display.
        var board = app.Services.GetRequiredService<CallBoard>();
        using var listening = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var heard = Task.Run(async () => { await foreach (var c in board.ListenAsync(office, listening.Token)) return c; return null; });
        await Task.Delay(100);
        var call = await day.CallAsync(staff, office, id, 2);
        Assert.Equal((code, 2), ((await heard)!.Code, (await heard)!.Counter));
        Assert.Equal("aufgerufen (Schalter 2)", (await day.DayAsync(staff, office)).Single(a => a.Id == id).StateLabel);
        Assert.Contains(board.Recent(office), c => c.Code == code);
        await Assert.ThrowsAsync<ValidationException>(() => day.CallAsync(staff, office, id, 99));

        // No-show: not for the one who came, not before ten minutes, yes for the late one.
        await Assert.ThrowsAsync<RuleException>(() => day.NoShowAsync(staff, office, id));
        var (_, early, _) = await TodayAppointmentAsync(minutesAgo: 2);
        var tooEarly = await Assert.ThrowsAsync<RuleException>(() => day.NoShowAsync(staff, office, early));
        Assert.Equal("TooEarly", tooEarly.Rule);
        await day.NoShowAsync(staff, office, late);
        Assert.Equal("nicht erschienen", (await day.DayAsync(staff, office)).Single(a => a.Id == late).StateLabel);

        // The rate counts confirmed appointments that have ended.
        var (_, endedNoShow, _) = await TodayAppointmentAsync(minutesAgo: 60, endedAt: DateTime.UtcNow.AddMinutes(-40));
        await app.Db.ExecuteAsync("UPDATE appointments SET no_show_at = @Now WHERE id = @Id", new { Now = DateTime.UtcNow, Id = endedNoShow });
        var rate = Assert.Single(await day.NoShowRatesAsync(staff), r => r.OfficeId == office && r.Service == "kfz-zulassung");
        Assert.True(rate.NoShows >= 1 && rate.Appointments >= rate.NoShows);

        // Another municipality's staff do not find the office.
        var other = await StaffAsync("speyer.sachbearbeitung");
        await Assert.ThrowsAsync<OfficeNotFoundException>(() => day.DayAsync(other, office));
        await Assert.ThrowsAsync<OfficeNotFoundException>(() => day.CheckInAsync(other, office, code));
    }

    [SkippableFact]
    public async Task StaffApi_TheDay_CheckIn_Call_NoShow_AsThePage()
    {
        var (office, id, code) = await TodayAppointmentAsync(minutesAgo: 5);
        var (_, late, _) = await TodayAppointmentAsync(minutesAgo: 15);
        var (_, waiting, _) = await TodayAppointmentAsync(minutesAgo: 1);
        var (ludwigshafen, foreign, _) = await TodayAppointmentAsync(minutesAgo: 15, ags: "07314000");
        var clerk = await app.ApiAsAsync("frankenthal.sachbearbeitung");
        var day = $"/api/v1/appointments/offices/{office}/day";

        // The day: the appointments by start with their state; the check-in code is not part of the list.
        var list = await (await clerk.GetAsync(day)).ReadJsonAsync();
        var mine = list.EnumerateArray().Single(a => a.GetProperty("id").GetString() == id);
        Assert.Equal(("kfz-zulassung", "Erika Mustermann", 1, "confirmed", "erwartet"),
            (mine.GetProperty("service").GetString(), mine.GetProperty("name").GetString(), mine.GetProperty("items").GetInt32(), mine.GetProperty("status").GetString(), mine.GetProperty("stateLabel").GetString()));
        Assert.False(string.IsNullOrEmpty(mine.GetProperty("serviceName").GetString()));
        Assert.Equal(JsonValueKind.Null, mine.GetProperty("checkedInAt").ValueKind);
        Assert.False(mine.TryGetProperty("checkinCode", out _));
        Assert.EndsWith("Z", mine.GetProperty("start").GetString());
        var starts = list.EnumerateArray().Select(a => a.GetProperty("start").GetDateTime()).ToList();
        Assert.Equal(starts.Order().ToList(), starts);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")));
        Assert.Equal(list.GetArrayLength(), (await (await clerk.GetAsync($"{day}?date={today:yyyy-MM-dd}")).ReadJsonAsync()).GetArrayLength());
        Assert.DoesNotContain((await (await clerk.GetAsync($"{day}?date={today.AddDays(1):yyyy-MM-dd}")).ReadJsonAsync()).EnumerateArray(), a => a.GetProperty("id").GetString() == id);

        // Bad input: 400 naming the field, nothing changed.
        Assert.True((await (await clerk.GetAsync($"{day}?date=morgen")).AssertProblemAsync(400)).GetProperty("errors").TryGetProperty("date", out _));
        Assert.True((await (await clerk.GetAsync($"{day}?date=9999-12-31")).AssertProblemAsync(400)).GetProperty("errors").TryGetProperty("date", out _));
        var wrong = await (await clerk.PostAsJsonAsync($"{day}/check-in", new { code = "XXXX-XXXX" })).AssertProblemAsync(400);
        Assert.Contains("keinen bestätigten Termin mit diesem Code", wrong.GetProperty("errors").GetProperty("code")[0].GetString());
        await (await clerk.PostAsJsonAsync($"{day}/check-in", new { code = 12 })).AssertProblemAsync(400);

        // Conflicts carry the page's German message.
        var notYet = await (await clerk.PostAsJsonAsync($"{day}/{id}/call", new { counter = 1 })).AssertProblemAsync(409);
        Assert.Equal(("NotCheckedIn", "Aufgerufen wird, wer eingecheckt ist."), (notYet.GetProperty("rule").GetString(), notYet.GetProperty("detail").GetString()));
        var early = await (await clerk.PostAsync($"{day}/{waiting}/no-show", null)).AssertProblemAsync(409);
        Assert.Equal(("TooEarly", "„Nicht erschienen“ lässt sich erst 10 Minuten nach Terminbeginn vermerken."), (early.GetProperty("rule").GetString(), early.GetProperty("detail").GetString()));
        Assert.Equal(2, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointments WHERE id IN (@A, @B) AND called_at IS NULL AND no_show_at IS NULL AND checked_in_at IS NULL", new { A = id, B = waiting }));

        // Check-in (without the dash, lower case), call, and the day shows it.
        var checkedIn = await clerk.PostAsJsonAsync($"{day}/check-in", new { code = code.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant() });
        var checkedInJson = await checkedIn.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, checkedIn.StatusCode);
        Assert.Equal((id, "eingecheckt"), (checkedInJson.GetProperty("id").GetString(), checkedInJson.GetProperty("stateLabel").GetString()));
        Assert.EndsWith("Z", checkedInJson.GetProperty("checkedInAt").GetString());
        var badCounter = await (await clerk.PostAsJsonAsync($"{day}/{id}/call", new { counter = 3 })).AssertProblemAsync(400);
        Assert.Equal("Der Schalter ist eine Zahl von 1 bis 2.", badCounter.GetProperty("errors").GetProperty("counter")[0].GetString());
        await (await clerk.PostAsJsonAsync($"{day}/{id}/call", new { counter = "2" })).AssertProblemAsync(400); // a number as JSON number
        var called = await (await clerk.PostAsJsonAsync($"{day}/{id}/call", new { counter = 2 })).ReadJsonAsync();
        Assert.Equal((code, 2), (called.GetProperty("code").GetString(), called.GetProperty("counter").GetInt32()));
        Assert.Contains(app.Services.GetRequiredService<CallBoard>().Recent(office), c => c.Code == code && c.Counter == 2);
        var afterCall = (await (await clerk.GetAsync(day)).ReadJsonAsync()).EnumerateArray().Single(a => a.GetProperty("id").GetString() == id);
        Assert.Equal(("aufgerufen (Schalter 2)", 2), (afterCall.GetProperty("stateLabel").GetString(), afterCall.GetProperty("calledCounter").GetInt32()));
        var came = await (await clerk.PostAsync($"{day}/{id}/no-show", null)).AssertProblemAsync(409);
        Assert.Equal("CheckedIn", came.GetProperty("rule").GetString());

        // No-show from ten minutes after the start (the Administration may too).
        var admin = await app.ApiAsAsync("frankenthal.admin");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"{day}/{late}/no-show", null)).StatusCode);
        var noShow = (await (await admin.GetAsync(day)).ReadJsonAsync()).EnumerateArray().Single(a => a.GetProperty("id").GetString() == late);
        Assert.Equal("nicht erschienen", noShow.GetProperty("stateLabel").GetString());
        Assert.NotEqual(JsonValueKind.Null, noShow.GetProperty("noShowAt").ValueKind);

        // Another municipality's office or appointment: 404; a role without the office's day: 403; no login: 401.
        var speyer = await app.ApiAsAsync("speyer.sachbearbeitung");
        await (await speyer.GetAsync(day)).AssertProblemAsync(404);
        await (await speyer.PostAsJsonAsync($"{day}/check-in", new { code })).AssertProblemAsync(404);
        await (await speyer.PostAsJsonAsync($"{day}/{id}/call", new { counter = 1 })).AssertProblemAsync(404);
        await (await speyer.PostAsync($"{day}/{late}/no-show", null)).AssertProblemAsync(404);
        await (await clerk.GetAsync($"/api/v1/appointments/offices/{ludwigshafen}/day")).AssertProblemAsync(404);
        await (await clerk.PostAsync($"{day}/{foreign}/no-show", null)).AssertProblemAsync(404);      // Ludwigshafen's appointment through the own office
        await (await clerk.PostAsJsonAsync($"{day}/unbekannt/call", new { counter = 1 })).AssertProblemAsync(404);
        Assert.Equal(0, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointments WHERE id = @Id AND no_show_at IS NOT NULL", new { Id = foreign }));
        var coordinator = await app.ApiAsAsync("frankenthal.koordination");
        await (await coordinator.GetAsync(day)).AssertProblemAsync(403);
        await (await coordinator.PostAsync($"{day}/{waiting}/no-show", null)).AssertProblemAsync(403);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Api().GetAsync(day)).StatusCode);
    }

    [SkippableFact]
    public async Task CallDisplay_StreamsCallsAsServerSentEvents()
    {
        var (office, id, code) = await TodayAppointmentAsync(minutesAgo: 3);
        var client = app.Api();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/appointments/offices/{office}/calls");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        Assert.StartsWith(":", await reader.ReadLineAsync(timeout.Token));

        var day = app.Services.GetRequiredService<OfficeDay>();
        var staff = await StaffAsync("frankenthal.sachbearbeitung");
        await day.CheckInAsync(staff, office, code);
        await day.CallAsync(staff, office, id, 1);
        string? line;
        while ((line = await reader.ReadLineAsync(timeout.Token)) is not null && !line.StartsWith("data:", StringComparison.Ordinal)) { }
        Assert.NotNull(line);
        Assert.Contains($"\"code\":\"{code}\"", line);
        Assert.Contains("\"counter\":1", line);
        await (await client.GetAsync("/api/v1/appointments/offices/999999/calls")).AssertProblemAsync(404);
    }
}

public sealed class OfficeDayTestsSqlite(SqliteApp app) : OfficeDayTests(app), IClassFixture<SqliteApp>;
public sealed class OfficeDayTestsPostgres(PostgresApp app) : OfficeDayTests(app), IClassFixture<PostgresApp>;

/// <summary>The staff pages and the display page as a browser uses them (SQLite).</summary>
public sealed class OfficeDayPagesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Staff_CheckInAndCall_OnTheDayPage_OtherMunicipalitiesGet404()
    {
        var office = await app.Db.QuerySingleAsync<long>("SELECT id FROM appointment_offices WHERE municipality_ags = '07311000' ORDER BY id LIMIT 1");
        var id = Guid.NewGuid().ToString("N");
        var start = DateTime.UtcNow.AddMinutes(-1);
        await app.Db.ExecuteAsync("""
            INSERT INTO appointments (id, office_id, service_slug, resident_ags, start_at, end_at, items, counter, name, email, email_key, status,
                                      manage_token_hash, confirm_token_hash, sequence, created_at, confirmed_at, checkin_code)
            VALUES (@Id, @Office, 'kfz-zulassung', '07311000', @Start, @End, 1, 1, 'Jörg Schulz', 'j@example.org', 'j@example.org', 'confirmed', @M, @C, 0, @Start, @Start, 'SEIT-E001')
            """, new { Id = id, Office = office, Start = start, End = start.AddMinutes(20), M = "m" + id, C = "c" + id });

        var browser = app.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(browser, "frankenthal.sachbearbeitung")).StatusCode);
        var list = await PagesTests.ParseAsync(await browser.GetAsync("/Dienststellen"));
        Assert.NotNull(list.QuerySelector($"a[href='/Dienststellen/{office}/Heute']"));
        var page = await PagesTests.ParseAsync(await browser.GetAsync($"/Dienststellen/{office}/Heute"));
        Assert.Contains("Jörg Schulz", page.QuerySelector("main table")!.TextContent);

        var wrong = await PagesTests.ParseAsync(await AgreementPagesTests.SubmitAsync(browser, page, "form[action*='handler=CheckIn']", new() { ["Code"] = "FALS-CH00" }));
        Assert.Contains("keinen bestätigten Termin", wrong.GetElementById("einchecken-code-fehler")!.TextContent);
        Assert.Equal(1, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointments WHERE id = @Id AND checked_in_at IS NULL", new { Id = id }));
        var done = await AgreementPagesTests.SubmitAsync(browser, page, "form[action*='handler=CheckIn']", new() { ["Code"] = "seit-e001" });
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        page = await PagesTests.ParseAsync(await browser.GetAsync($"/Dienststellen/{office}/Heute"));
        Assert.Contains("Jörg Schulz (SEIT-E001", page.QuerySelector("[role=status]")!.TextContent);
        var called = await AgreementPagesTests.SubmitAsync(browser, page, $"form[action*='handler=Call']:has(input[value='{id}'])", new() { ["Counter"] = "2" });
        Assert.Equal(HttpStatusCode.Redirect, called.StatusCode);
        Assert.Equal(2L, await app.Db.QuerySingleAsync<long>("SELECT called_counter FROM appointments WHERE id = @Id", new { Id = id }));

        var display = await PagesTests.ParseAsync(await app.Browser().GetAsync($"/Aufruf/{office}"));
        Assert.Contains("SEIT-E001", display.GetElementById("aufrufe")!.TextContent);
        Assert.DoesNotContain("Schulz", display.QuerySelector("main")!.TextContent); // the display shows codes, not names

        var outsider = app.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(outsider, "speyer.sachbearbeitung")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync($"/Dienststellen/{office}/Heute")).StatusCode);
    }
}

/// <summary>The Administration manages its offices on pages: German errors next to the fields, nothing stored; clerks may not.</summary>
public sealed class OfficeManagementPagesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Admin_CreatesAndChangesAnOffice_ErrorsAtTheirFields_ClerksAreDenied()
    {
        var admin = app.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(admin, "frankenthal.admin")).StatusCode);
        var form = await PagesTests.ParseAsync(await admin.GetAsync("/Dienststellen/Bearbeiten"));
        var before = await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointment_offices");
        var bad = await PagesTests.ParseAsync(await AgreementPagesTests.SubmitAsync(admin, form, "main form", new()
        {
            ["Name"] = "Bürgerbüro Nord", ["Street"] = "Nordring 1", ["PostalCode"] = "6722", ["City"] = "Frankenthal (Pfalz)", ["SlotMinutes"] = "10",
            ["Hours[1].Closes"] = "07:00",
        }));
        Assert.Contains("fünf Ziffern", bad.GetElementById("ds-plz-fehler")!.TextContent);
        Assert.Contains("nach der Öffnung", bad.GetElementById("zeit-1-ende-fehler")!.TextContent);
        Assert.Contains("mindestens eine Leistung", bad.QuerySelector("#fehlerliste")!.TextContent);
        Assert.Equal(before, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointment_offices"));

        var created = await AgreementPagesTests.SubmitAsync(admin, form, "main form", new()
        {
            ["Name"] = "Bürgerbüro Nord", ["Street"] = "Nordring 1", ["PostalCode"] = "67227", ["City"] = "Frankenthal (Pfalz)", ["SlotMinutes"] = "15",
            ["Services[0].Offered"] = "true", ["Services[0].Minutes"] = "30",
        });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var (id, slot) = await app.Db.QuerySingleAsync<(long, long)>("SELECT id, slot_minutes FROM appointment_offices WHERE name = 'Bürgerbüro Nord'");
        Assert.Equal(15, slot);
        Assert.Equal(5, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointment_opening_hours WHERE office_id = @Id", new { Id = id }));

        var edit = await PagesTests.ParseAsync(await admin.GetAsync($"/Dienststellen/Bearbeiten/{id}"));
        Assert.Equal("Bürgerbüro Nord", edit.QuerySelector("#ds-name")!.GetAttribute("value"));
        Assert.Equal(HttpStatusCode.Redirect, (await AgreementPagesTests.SubmitAsync(admin, edit, "main form", new() { ["Hours[4].Counters"] = "3" })).StatusCode);
        Assert.Equal(3, await app.Db.QuerySingleAsync<long>("SELECT MAX(counters) FROM appointment_opening_hours WHERE office_id = @Id", new { Id = id }));

        var speyer = app.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(speyer, "speyer.admin")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await speyer.GetAsync($"/Dienststellen/Bearbeiten/{id}")).StatusCode);
        var clerk = app.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(clerk, "frankenthal.sachbearbeitung")).StatusCode);
        var denied = await clerk.GetAsync("/Dienststellen/Bearbeiten");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.Contains("/Fehler/403", denied.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }
}
