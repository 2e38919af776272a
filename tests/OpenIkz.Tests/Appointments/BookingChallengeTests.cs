using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Dom;
using OpenIkz.Appointments;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;
using OpenIkz.Tests.Ui;

namespace OpenIkz.Tests.Appointments;

/// <summary>
/// The self-hosted proof-of-work challenge of the public booking (OpenIkz:Appointments:RequireChallenge, on by default,
/// off in the other tests): a booking or a waiting-list entry without a solved challenge, with a wrong nonce, a changed
/// token, an expired one or one spent before is a 400 naming the field "challenge" and stores nothing; a solved one
/// books. The page carries a challenge and refuses its form without the solution. SQLite and PostgreSQL.
/// </summary>
public abstract class BookingChallengeTests
{
    private readonly OpenIkzApp _app;
    private const string Kfz = "kfz-zulassung";

    protected BookingChallengeTests(OpenIkzApp app)
    {
        _app = app;
        app.Settings["OpenIkz:Appointments:RequireChallenge"] = "true";
        app.Settings["OpenIkz:Appointments:ChallengeDifficulty"] = "12"; // 4,096 hashes on average: quick for the test's own solver
        app.Settings["OpenIkz:Appointments:ChallengeMinutes"] = "30";
    }

    private OpenIkzApp app => _app.Require();

    private async Task<(long Office, DateTime Start)> FirstSlotAsync(HttpClient client)
    {
        var slots = await (await client.GetAsync($"/api/v1/appointments/slots?service={Kfz}&municipality={BackofficeFixture.Frankenthal}")).ReadJsonAsync();
        var slot = slots.EnumerateArray().First();
        return (slot.GetProperty("officeId").GetInt64(), slot.GetProperty("start").GetDateTime());
    }

    private static async Task<JsonElement> ChallengeAsync(HttpClient client)
    {
        var response = await client.GetAsync("/api/v1/appointments/challenge");
        var json = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, json.ToString());
        return json;
    }

    private static object Booking(long office, DateTime start, string email, string? challenge) =>
        new { service = Kfz, officeId = office, start, items = 1, name = "Erika Mustermann", email, municipality = BackofficeFixture.Frankenthal, challenge };

    private Task<long> AppointmentsAsync() => app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointments");

    private async Task RefusedAsync(HttpResponseMessage response, string expected, long before)
    {
        var problem = await response.AssertProblemAsync(400);
        Assert.Contains(expected, problem.GetProperty("errors").GetProperty("challenge")[0].GetString());
        Assert.Equal(before, await AppointmentsAsync());
    }

    [SkippableFact]
    public async Task Booking_NeedsASolvedChallenge_EachSpentOnce_TamperedWrongOrExpiredRefused()
    {
        var client = app.Api();
        var (office, start) = await FirstSlotAsync(client);
        var challenge = await ChallengeAsync(client);
        Assert.Equal("SHA-256", challenge.GetProperty("algorithm").GetString());
        Assert.Equal(12, challenge.GetProperty("difficulty").GetInt32());
        Assert.True(challenge.GetProperty("required").GetBoolean());
        var token = challenge.GetProperty("challenge").GetString()!;
        var before = await AppointmentsAsync();
        var email = $"pow-{Guid.NewGuid():N}@example.org";

        await RefusedAsync(await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, start, email, null)), "Die Sicherheitsprüfung fehlt", before);

        // A nonce that does not give the zero bits; a solution for a token changed by one character; a forged token.
        var solution = BookingChallenge.Solve(token, 12);
        var wrong = Enumerable.Range(0, 1000).Select(n => $"{token}:{n}").First(s => !BookingChallenge.Solves(s, 12));
        await RefusedAsync(await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, start, email, wrong)), "nicht gelöst", before);
        var changed = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];
        await RefusedAsync(await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, start, email, BookingChallenge.Solve(changed, 12))), "nicht gelöst", before);
        await RefusedAsync(await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, start, email, BookingChallenge.Solve("12|9999999999|00", 1))), "nicht gelöst", before);
        await RefusedAsync(await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, start, email, "kein Doppelpunkt")), "nicht gelöst", before);

        var booked = await client.PostAsJsonAsync("/api/v1/appointments", Booking(office, start, email, solution));
        Assert.True(booked.StatusCode == HttpStatusCode.Created, await booked.Content.ReadAsStringAsync());
        Assert.Equal(before + 1, await AppointmentsAsync());

        // The same solution again: spent (another slot, so that only the challenge can refuse it).
        var (office2, start2) = await FirstSlotAsync(client);
        await RefusedAsync(await client.PostAsJsonAsync("/api/v1/appointments", Booking(office2, start2, $"pow-{Guid.NewGuid():N}@example.org", solution)), "schon verwendet", before + 1);

        // Expired: solved, but sent after ChallengeMinutes.
        var late = BookingChallenge.Solve((await ChallengeAsync(client)).GetProperty("challenge").GetString()!, 12);
        app.Clock.Advance(TimeSpan.FromMinutes(31));
        try
        {
            await RefusedAsync(await client.PostAsJsonAsync("/api/v1/appointments", Booking(office2, start2, $"pow-{Guid.NewGuid():N}@example.org", late)), "abgelaufen", before + 1);
        }
        finally
        {
            app.Clock.Advance(TimeSpan.FromMinutes(-31));
        }
    }

    [SkippableFact]
    public async Task Waitlist_NeedsASolvedChallenge()
    {
        var client = app.Api();
        var entry = new { service = Kfz, municipality = BackofficeFixture.Frankenthal, items = 1, name = "Max Mustermann", email = $"wl-{Guid.NewGuid():N}@example.org",
            until = OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(10).ToString("yyyy-MM-dd") };
        long Waiting() => app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointment_waitlist").GetAwaiter().GetResult();
        var before = Waiting();
        var refused = await (await client.PostAsJsonAsync("/api/v1/appointments/waitlist", entry)).AssertProblemAsync(400);
        Assert.True(refused.GetProperty("errors").TryGetProperty("challenge", out _), refused.ToString());
        Assert.Equal(before, Waiting());

        var solution = BookingChallenge.Solve((await ChallengeAsync(client)).GetProperty("challenge").GetString()!, 12);
        var joined = await client.PostAsJsonAsync("/api/v1/appointments/waitlist", new { entry.service, entry.municipality, entry.items, entry.name, entry.email, entry.until, challenge = solution });
        Assert.True(joined.StatusCode == HttpStatusCode.Created, await joined.Content.ReadAsStringAsync());
        Assert.Equal(before + 1, Waiting());
    }

    [SkippableFact]
    public async Task BookingPage_CarriesAChallenge_RefusesTheFormWithoutItsSolution_BooksWithIt()
    {
        var browser = app.Browser();
        var list = await PagesTests.ParseAsync(await browser.GetAsync($"/Termine?leistung={Kfz}&wohnort={BackofficeFixture.Frankenthal}&anzahl=1"));
        var href = list.QuerySelectorAll("ul.oikz-slot-list a").First().GetAttribute("href")!;
        var form = await PagesTests.ParseAsync(await browser.GetAsync(href));
        var token = form.QuerySelector("main form")!.GetAttribute("data-challenge");
        Assert.False(string.IsNullOrEmpty(token));
        Assert.Equal("12", form.QuerySelector("main form")!.GetAttribute("data-difficulty"));
        Assert.NotNull(form.QuerySelector("script[src^='/js/pruefung.js']"));
        Assert.NotNull(form.QuerySelector("noscript"));
        var before = await AppointmentsAsync();
        var email = $"seite-pow-{Guid.NewGuid():N}@example.org";

        var refused = await PagesTests.ParseAsync(await AgreementPagesTests.SubmitAsync(browser, form, "main form", new() { ["Name"] = "Erika Mustermann", ["Email"] = email }));
        Assert.Contains("Sicherheitsprüfung fehlt", refused.QuerySelector("[role=alert]")!.TextContent);
        Assert.Equal(before, await AppointmentsAsync());
        var fresh = refused.QuerySelector("main form")!.GetAttribute("data-challenge");
        Assert.False(string.IsNullOrEmpty(fresh));
        Assert.NotEqual(token, fresh); // a new challenge with every display

        var booked = await AgreementPagesTests.SubmitAsync(browser, refused, "main form",
            new() { ["Name"] = "Erika Mustermann", ["Email"] = email, ["challenge"] = BookingChallenge.Solve(fresh!, 12) });
        Assert.Equal(HttpStatusCode.Redirect, booked.StatusCode);
        Assert.StartsWith("/Termine/Verwalten/", booked.Headers.Location!.OriginalString);
        Assert.Equal(before + 1, await AppointmentsAsync());
    }

    [Fact]
    public void LeadingZeroBits_CountsAcrossWords()
    {
        Assert.Equal(256, BookingChallenge.LeadingZeroBits(new byte[32]));
        var hash = new byte[32];
        hash[4] = 0x10; // 32 zero bits of the first word, then 0001…
        Assert.Equal(35, BookingChallenge.LeadingZeroBits(hash));
        hash[0] = 0x80;
        Assert.Equal(0, BookingChallenge.LeadingZeroBits(hash));
    }
}

public sealed class BookingChallengeTestsSqlite(SqliteApp app) : BookingChallengeTests(app), IClassFixture<SqliteApp>;
public sealed class BookingChallengeTestsPostgres(PostgresApp app) : BookingChallengeTests(app), IClassFixture<PostgresApp>;
