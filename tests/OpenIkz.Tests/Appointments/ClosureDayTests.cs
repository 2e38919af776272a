using System.Net;
using System.Net.Http.Json;
using MimeKit;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;
using OpenIkz.Tests.Ui;

namespace OpenIkz.Tests.Appointments;

/// <summary>
/// Closure days on the page /Dienststellen/{id}/Schliessen and reopening through the API, on SQLite and PostgreSQL with
/// a real SMTP server (smtp4dev): German errors next to the fields and nothing stored, the question with the number of
/// appointments before any is cancelled, the cancellation with an e-mail to everyone affected, the list of closure
/// days, reopening (the day's slots are offered again); another municipality's Administration gets 404, clerks 403.
/// </summary>
public abstract class ClosureDayTests(OpenIkzApp app, Smtp4dev smtp) : MailAppTests(app, smtp)
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static DateOnly DayOf(DateTime utc) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(utc, Berlin));
    private static DateOnly Today => DayOf(DateTime.UtcNow);
    private static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<HttpClient> SignedInAsync(string username)
    {
        var browser = App.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await PagesTests.LoginAsync(browser, username)).StatusCode);
        return browser;
    }

    private Task<long> ClosuresAsync(long office) => App.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointment_closures WHERE office_id = @O", new { O = office });

    private string SlotQuery(long office) =>
        $"service={AppointmentApiTests.Kfz}&office={office}&municipality={BackofficeFixture.Frankenthal}&from={Iso(Today.AddDays(2))}";

    [SkippableFact]
    public async Task ThePage_AsksBeforeCancelling_ThenClosesCancelsAndMails_AndReopens()
    {
        var office = await AppointmentApiTests.OneCounterOfficeAsync(App, "Schließseite " + Guid.NewGuid().ToString("N")[..6]);
        var client = App.Api();
        var slots = await AppointmentApiTests.SlotsAsync(client, SlotQuery(office));
        var first = slots[0].GetProperty("start").GetDateTime();
        var day = DayOf(first);
        var emails = new[] { AppointmentApiTests.Email("seite-a"), AppointmentApiTests.Email("seite-b") };
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/appointments", AppointmentApiTests.Booking(office, first, emails[0]))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/appointments", AppointmentApiTests.Booking(office, slots[2].GetProperty("start").GetDateTime(), emails[1]))).StatusCode);

        var admin = await SignedInAsync("frankenthal.admin");
        var list = await PagesTests.ParseAsync(await admin.GetAsync("/Dienststellen"));
        Assert.NotNull(list.QuerySelector($"a[href='/Dienststellen/{office}/Schliessen']"));
        Assert.NotNull((await PagesTests.ParseAsync(await admin.GetAsync($"/Dienststellen/Bearbeiten/{office}"))).QuerySelector($"a[href='/Dienststellen/{office}/Schliessen']"));
        var page = await PagesTests.ParseAsync(await admin.GetAsync($"/Dienststellen/{office}/Schliessen"));
        Assert.Equal("Schließtage", page.QuerySelector("h1")!.TextContent.Trim());
        Assert.Equal("date", page.GetElementById("schliessen-tag")!.GetAttribute("type"));
        Assert.Contains("keine Schließtage", page.GetElementById("schliesstage-titel")!.ParentElement!.TextContent);

        // Errors next to their fields, in German, from the service; nothing stored.
        var empty = await PagesTests.ParseAsync(await AgreementPagesTests.SubmitAsync(admin, page, "main form", new() { ["Day"] = "", ["Reason"] = "" }));
        Assert.Contains("Bitte den Tag angeben", empty.GetElementById("schliessen-tag-fehler")!.TextContent);
        Assert.Contains("Bitte den Grund angeben", empty.GetElementById("schliessen-grund-fehler")!.TextContent);
        Assert.Equal("true", empty.GetElementById("schliessen-grund")!.GetAttribute("aria-invalid"));
        Assert.NotNull(empty.QuerySelector("#fehlerliste a[href='#schliessen-tag']"));
        var typo = await PagesTests.ParseAsync(await AgreementPagesTests.SubmitAsync(admin, page, "main form", new() { ["Day"] = "31.02.2027", ["Reason"] = "Personalversammlung" }));
        Assert.Contains("als Datum angeben", typo.GetElementById("schliessen-tag-fehler")!.TextContent);
        var past = await PagesTests.ParseAsync(await AgreementPagesTests.SubmitAsync(admin, page, "main form", new() { ["Day"] = Iso(Today.AddDays(-1)), ["Reason"] = "Personalversammlung" }));
        Assert.Contains("Vergangenheit", past.GetElementById("schliessen-tag-fehler")!.TextContent);
        Assert.Equal(0, await ClosuresAsync(office));

        // A day with appointments: the question first, with their number; nothing changes before the confirmation.
        var question = await PagesTests.ParseAsync(await AgreementPagesTests.SubmitAsync(admin, page, "main form", new() { ["Day"] = Iso(day), ["Reason"] = "Personalversammlung" }));
        Assert.Contains("Termine absagen?", question.GetElementById("bestaetigung-titel")!.TextContent);
        var consequences = question.GetElementById("bestaetigung")!.TextContent;
        Assert.Contains("sind 2 Termine gebucht", consequences);
        Assert.Contains("E-Mail mit dem Grund und den nächsten freien Terminen", consequences);
        Assert.Equal(0, await ClosuresAsync(office));
        Assert.Equal(2, await App.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointments WHERE office_id = @O AND status = 'reserved'", new { O = office }));

        var done = await AgreementPagesTests.SubmitAsync(admin, question, "#bestaetigung form");
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal($"/Dienststellen/{office}/Schliessen", done.Headers.Location!.OriginalString);
        Assert.Equal(1, await ClosuresAsync(office));
        foreach (var email in emails)
        {
            Assert.Equal("cancelled", await App.Db.QuerySingleAsync<string>("SELECT status FROM appointments WHERE email_key = @E", new { E = email }));
            var notice = await NoticeAsync(email);
            Assert.Contains("Personalversammlung", notice);
            Assert.Contains("Die nächsten freien Termine:", notice);
        }
        Assert.DoesNotContain(await AppointmentApiTests.SlotsAsync(client, SlotQuery(office)), s => DayOf(s.GetProperty("start").GetDateTime()) == day);
        var closed = await PagesTests.ParseAsync(await admin.GetAsync($"/Dienststellen/{office}/Schliessen"));
        Assert.Contains("2 Termine sind abgesagt", closed.QuerySelector("[role=status]")!.TextContent);
        var row = closed.QuerySelector("main table tbody tr")!;
        Assert.Contains(day.ToString("dd.MM.yyyy", System.Globalization.CultureInfo.InvariantCulture), row.TextContent);
        Assert.Contains("Personalversammlung", row.TextContent);

        // A day without appointments closes at once, without a question.
        var quiet = Today.AddDays(120);
        var direct = await AgreementPagesTests.SubmitAsync(admin, closed, "main form", new() { ["Day"] = Iso(quiet), ["Reason"] = "Umzug" });
        Assert.Equal(HttpStatusCode.Redirect, direct.StatusCode);
        Assert.Equal(2, await ClosuresAsync(office));

        // Reopening: the day's free slots are offered again; the cancelled appointments stay cancelled.
        closed = await PagesTests.ParseAsync(await admin.GetAsync($"/Dienststellen/{office}/Schliessen"));
        Assert.Equal(2, closed.QuerySelectorAll("main table tbody tr").Length);
        var reopened = await AgreementPagesTests.SubmitAsync(admin, closed, $"form[action*='handler=Reopen']:has(input[value='{Iso(day)}'])");
        Assert.Equal(HttpStatusCode.Redirect, reopened.StatusCode);
        Assert.Equal(1, await ClosuresAsync(office));
        Assert.Contains(await AppointmentApiTests.SlotsAsync(client, SlotQuery(office)), s => DayOf(s.GetProperty("start").GetDateTime()) == day);
        Assert.Equal(2, await App.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointments WHERE office_id = @O AND status = 'cancelled'", new { O = office }));
        var after = await PagesTests.ParseAsync(await admin.GetAsync($"/Dienststellen/{office}/Schliessen"));
        Assert.Contains("wieder geöffnet", after.QuerySelector("[role=status]")!.TextContent);
        // Reopening it again (a second click) is refused in words, nothing else changes.
        var again = await PagesTests.ParseAsync(await AgreementPagesTests.SubmitAsync(admin, closed, $"form[action*='handler=Reopen']:has(input[value='{Iso(day)}'])"));
        Assert.Contains("nicht geschlossen", again.QuerySelector("[role=alert]")!.TextContent);
        Assert.Equal(1, await ClosuresAsync(office));

        // Another municipality's Administration does not find the office; clerks may not close days.
        var speyer = await SignedInAsync("speyer.admin");
        Assert.Equal(HttpStatusCode.NotFound, (await speyer.GetAsync($"/Dienststellen/{office}/Schliessen")).StatusCode);
        var clerk = await SignedInAsync("frankenthal.sachbearbeitung");
        var denied = await clerk.GetAsync($"/Dienststellen/{office}/Schliessen");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.Contains("/Fehler/403", denied.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Null((await PagesTests.ParseAsync(await clerk.GetAsync("/Dienststellen"))).QuerySelector($"a[href='/Dienststellen/{office}/Schliessen']"));
    }

    /// <summary>The plain-text body of the closure e-mail to <paramref name="to"/>.</summary>
    private async Task<string> NoticeAsync(string to)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var id in await Smtp.IdsForAsync(to))
            {
                var message = MimeMessage.Load(new MemoryStream(await Smtp.DownloadAsync(id)));
                if ((message.Subject ?? "").Contains("entfällt", StringComparison.Ordinal)) return message.TextBody ?? "";
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"No closure e-mail to {to}.");
    }

    [SkippableFact]
    public async Task TheApi_ReopensADay_BadOrUnknownDays_AnotherMunicipality_AndClerks()
    {
        var office = await AppointmentApiTests.OneCounterOfficeAsync(App, "Wieder offen " + Guid.NewGuid().ToString("N")[..6]);
        var client = App.Api();
        var day = DayOf((await AppointmentApiTests.SlotsAsync(client, SlotQuery(office)))[0].GetProperty("start").GetDateTime());
        var admin = await App.ApiAsAsync("frankenthal.admin");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/v1/appointments/offices/{office}/closures", new { day = Iso(day), reason = "Betriebsausflug" })).StatusCode);
        Assert.DoesNotContain(await AppointmentApiTests.SlotsAsync(client, SlotQuery(office)), s => DayOf(s.GetProperty("start").GetDateTime()) == day);

        var closure = $"/api/v1/appointments/offices/{office}/closures/{Iso(day)}";
        Assert.True((await (await admin.DeleteAsync($"/api/v1/appointments/offices/{office}/closures/morgen")).AssertProblemAsync(400)).GetProperty("errors").TryGetProperty("day", out _));
        Assert.True((await (await admin.DeleteAsync($"/api/v1/appointments/offices/{office}/closures/{Iso(Today.AddDays(-1))}")).AssertProblemAsync(400)).GetProperty("errors").TryGetProperty("day", out _));
        await (await (await App.ApiAsAsync("speyer.admin")).DeleteAsync(closure)).AssertProblemAsync(404);
        await (await (await App.ApiAsAsync("frankenthal.sachbearbeitung")).DeleteAsync(closure)).AssertProblemAsync(403);
        Assert.Equal(1, await ClosuresAsync(office));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(closure)).StatusCode);
        Assert.Equal(0, await ClosuresAsync(office));
        Assert.Contains(await AppointmentApiTests.SlotsAsync(client, SlotQuery(office)), s => DayOf(s.GetProperty("start").GetDateTime()) == day);
        var gone = await (await admin.DeleteAsync(closure)).AssertProblemAsync(404);
        Assert.Contains("nicht geschlossen", gone.GetProperty("detail").GetString());
    }
}

public sealed class ClosureDayTestsSqlite(SqliteApp app, Smtp4dev smtp) : ClosureDayTests(app, smtp), IClassFixture<SqliteApp>, IClassFixture<Smtp4dev>;
public sealed class ClosureDayTestsPostgres(PostgresApp app, Smtp4dev smtp) : ClosureDayTests(app, smtp), IClassFixture<PostgresApp>, IClassFixture<Smtp4dev>;
