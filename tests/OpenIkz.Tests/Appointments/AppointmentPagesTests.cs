using System.Net;
using AngleSharp.Dom;
using MimeKit;
using OpenIkz.Tests.Infrastructure;
using OpenIkz.Tests.Ui;

namespace OpenIkz.Tests.Appointments;

/// <summary>
/// The public booking pages as a resident's browser uses them, without JavaScript and without a login: service and place
/// of residence, the earliest slots, the form (German errors next to the fields, nothing stored), the manage page, the
/// confirmation link (opening it confirms nothing) and the cancellation after a question. Demo mode writes the e-mails to
/// the data folder, where the test reads the code.
/// </summary>
public sealed class AppointmentPagesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private static Task<IDocument> ParseAsync(HttpResponseMessage response) => PagesTests.ParseAsync(response);

    [Fact]
    public async Task Resident_FindsASlot_Books_Confirms_AndCancels_AllWithoutJavaScript()
    {
        var browser = app.Browser();
        var start = await ParseAsync(await browser.GetAsync("/Termine"));
        Assert.Equal("Termin buchen", start.QuerySelector("h1")!.TextContent.Trim());
        Assert.Contains(start.QuerySelectorAll("#termin-leistung option"), o => o.GetAttribute("value") == "kfz-zulassung");
        Assert.Contains(start.QuerySelectorAll("#termin-wohnort option"), o => o.GetAttribute("value") == "07311000");
        Assert.Equal("/Termine", start.QuerySelector("nav a[aria-current=page]")!.GetAttribute("href"));

        var missing = await ParseAsync(await browser.GetAsync("/Termine?leistung=kfz-zulassung&wohnort="));
        Assert.Contains("Bitte wählen Sie Ihren Wohnort.", missing.GetElementById("termin-wohnort-fehler")!.TextContent);

        var list = await ParseAsync(await browser.GetAsync("/Termine?leistung=kfz-zulassung&wohnort=07311000&anzahl=1"));
        var slots = list.QuerySelectorAll("ul.oikz-slot-list a").ToList();
        Assert.NotEmpty(slots);
        var offices = list.QuerySelectorAll("#termin-dienststelle option").Select(o => o.TextContent).ToList();
        Assert.Contains(offices, o => o.Contains("Ludwigshafen", StringComparison.Ordinal));
        Assert.DoesNotContain(offices, o => o.Contains("Speyer", StringComparison.Ordinal)); // outside the Kfz pool

        var form = await ParseAsync(await browser.GetAsync(slots[0].GetAttribute("href")!));
        Assert.Equal("Termin buchen", form.QuerySelector("h1")!.TextContent.Trim());
        var email = $"seite-{Guid.NewGuid():N}@example.org";
        var before = await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointments");
        var bad = await ParseAsync(await AgreementPagesTests.SubmitAsync(browser, form, "main form", new() { ["Name"] = "Erika Mustermann", ["Email"] = "erika.example.org" }));
        Assert.Contains("gültige E-Mail-Adresse", bad.GetElementById("buchen-email-fehler")!.TextContent);
        Assert.Equal("true", bad.GetElementById("buchen-email")!.GetAttribute("aria-invalid"));
        Assert.NotNull(bad.QuerySelector("#fehlerliste a[href='#buchen-email']"));
        Assert.Equal(before, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointments"));

        var booked = await AgreementPagesTests.SubmitAsync(browser, form, "main form", new() { ["Name"] = "Erika Mustermann", ["Email"] = email });
        Assert.Equal(HttpStatusCode.Redirect, booked.StatusCode);
        var manage = booked.Headers.Location!.OriginalString;
        Assert.StartsWith("/Termine/Verwalten/", manage);
        var page = await ParseAsync(await browser.GetAsync(manage));
        Assert.Contains("reserviert", page.QuerySelector("main dl")!.TextContent);
        Assert.Contains("Bitte bestätigen Sie ihn", page.QuerySelector("[role=status]")!.TextContent);

        // The code from the e-mail (demo mode: the mail folder); opening the link confirms nothing, the button does.
        var mail = System.IO.Directory.GetFiles(Path.Combine(app.DataDirectory, "mail"), "*.eml").Select(f => MimeMessage.Load(f)).Single(m => m.To.Mailboxes.Any(b => b.Address == email));
        var code = AppointmentApiTests.ConfirmationCode((mail.TextBody ?? ""));
        var confirmPage = await ParseAsync(await browser.GetAsync("/Termine/Bestaetigen?code=" + Uri.EscapeDataString(code)));
        Assert.Equal("reserved", await app.Db.QuerySingleAsync<string>("SELECT status FROM appointments WHERE email_key = @E", new { E = email }));
        var confirmed = await ParseAsync(await AgreementPagesTests.SubmitAsync(browser, confirmPage, "main form"));
        Assert.Contains("Ihr Termin ist bestätigt", confirmed.QuerySelector("[role=status]")!.TextContent);
        Assert.Equal("confirmed", await app.Db.QuerySingleAsync<string>("SELECT status FROM appointments WHERE email_key = @E", new { E = email }));
        var wrongCode = await ParseAsync(await AgreementPagesTests.SubmitAsync(browser, confirmPage, "main form", new() { ["code"] = "falsch" }));
        Assert.Contains("keinen Termin", wrongCode.GetElementById("bestaetigen-code-fehler")!.TextContent);

        // Cancelling asks first; only "Ja, absagen" cancels.
        page = await ParseAsync(await browser.GetAsync(manage));
        Assert.NotNull(page.QuerySelector($"a[href$='.ics']"));
        var question = await ParseAsync(await AgreementPagesTests.SubmitAsync(browser, page, "form[action*='handler=Cancel']"));
        Assert.Contains("Termin absagen?", question.GetElementById("bestaetigung-titel")!.TextContent);
        Assert.Equal("confirmed", await app.Db.QuerySingleAsync<string>("SELECT status FROM appointments WHERE email_key = @E", new { E = email }));
        var done = await AgreementPagesTests.SubmitAsync(browser, question, "#bestaetigung form");
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal("cancelled", await app.Db.QuerySingleAsync<string>("SELECT status FROM appointments WHERE email_key = @E", new { E = email }));
        var after = await ParseAsync(await browser.GetAsync(manage));
        Assert.Contains("Ihr Termin ist abgesagt", after.QuerySelector("[role=status]")!.TextContent);
        Assert.Null(after.QuerySelector("form[action*='handler=Cancel']"));

        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/Termine/Verwalten/unbekannt")).StatusCode);
    }

    [Fact]
    public async Task Waitlist_FromTheSlotList_JoinsWithGermanErrorsAtTheFields_AndLeavesWithTheCodeFromTheEmail()
    {
        var browser = app.Browser();
        var list = await ParseAsync(await browser.GetAsync("/Termine?leistung=kfz-zulassung&wohnort=07311000&anzahl=1"));
        var href = list.QuerySelectorAll("a").Select(a => a.GetAttribute("href")).First(h => h is not null && h.StartsWith("/Termine/Warteliste", StringComparison.Ordinal))!;
        var form = await ParseAsync(await browser.GetAsync(href));
        Assert.Equal("Warteliste", form.QuerySelector("h1")!.TextContent.Trim());
        Assert.Equal("kfz-zulassung", form.QuerySelector("#warteliste-leistung option[selected]")!.GetAttribute("value"));
        Assert.Equal("07311000", form.QuerySelector("#warteliste-wohnort option[selected]")!.GetAttribute("value"));
        long Waiting() => app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointment_waitlist").GetAwaiter().GetResult();
        var before = Waiting();
        var email = $"warteseite-{Guid.NewGuid():N}@example.org";
        var until = DateTime.UtcNow.AddDays(10).ToString("yyyy-MM-dd");

        var bad = await ParseAsync(await AgreementPagesTests.SubmitAsync(browser, form, "form[aria-labelledby=warteliste-titel]",
            new() { ["Name"] = "Ayşe Özdemir", ["Email"] = "ayse.example.org", ["Until"] = "" }));
        Assert.Contains("gültige E-Mail-Adresse", bad.GetElementById("warteliste-email-fehler")!.TextContent);
        Assert.Contains("letzten Tag", bad.GetElementById("warteliste-bis-fehler")!.TextContent);
        Assert.NotNull(bad.QuerySelector("#fehlerliste a[href='#warteliste-bis']"));
        Assert.Equal(before, Waiting());
        var badDate = await ParseAsync(await AgreementPagesTests.SubmitAsync(browser, form, "form[aria-labelledby=warteliste-titel]",
            new() { ["Name"] = "Ayşe Özdemir", ["Email"] = email, ["Until"] = "nächste Woche" }));
        Assert.Contains("Das Datum hat die Form TT.MM.JJJJ.", badDate.GetElementById("warteliste-bis-fehler")!.TextContent);
        var noPlace = await ParseAsync(await AgreementPagesTests.SubmitAsync(browser, form, "form[aria-labelledby=warteliste-titel]",
            new() { ["wohnort"] = "", ["Name"] = "Ayşe Özdemir", ["Email"] = email, ["Until"] = until }));
        Assert.Equal("Bitte wählen Sie Ihren Wohnort aus der Liste.", noPlace.GetElementById("warteliste-wohnort-fehler")!.TextContent.Trim());
        Assert.Equal(before, Waiting());
        Assert.Equal(before, Waiting());

        var joined = await ParseAsync(await AgreementPagesTests.SubmitAsync(browser, form, "form[aria-labelledby=warteliste-titel]",
            new() { ["Name"] = "Ayşe Özdemir", ["Email"] = email, ["Until"] = until }));
        Assert.Contains("Sie stehen auf der Warteliste.", joined.QuerySelector("[role=status]")!.TextContent);
        Assert.Equal(before + 1, Waiting());

        // Leaving with the code from the e-mail; a second time the code finds nothing.
        var mail = System.IO.Directory.GetFiles(Path.Combine(app.DataDirectory, "mail"), "*.eml").Select(f => MimeMessage.Load(f)).Single(m => m.To.Mailboxes.Any(b => b.Address == email));
        var code = AppointmentApiTests.ConfirmationCode(mail.TextBody ?? "");
        var leave = await ParseAsync(await browser.GetAsync("/Termine/Warteliste?code=" + Uri.EscapeDataString(code)));
        var left = await ParseAsync(await AgreementPagesTests.SubmitAsync(browser, leave, "form[action*='handler=Leave']"));
        Assert.Contains("nicht mehr auf der Warteliste", left.QuerySelector("[role=status]")!.TextContent);
        Assert.Equal("withdrawn", await app.Db.QuerySingleAsync<string>("SELECT status FROM appointment_waitlist WHERE email_key = @E", new { E = email }));
        var again = await ParseAsync(await AgreementPagesTests.SubmitAsync(browser, leave, "form[action*='handler=Leave']"));
        Assert.Contains("keinen Platz auf der Warteliste", again.GetElementById("warteliste-code-fehler")!.TextContent);
    }
}
