using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using OpenIkz.Tests.Infrastructure;
using static OpenIkz.Tests.Registry.PartnerSearchWorld;

namespace OpenIkz.Tests.Registry;

/// <summary>Partner searches, interest, closure and coverage over HTTP, with refusals that store nothing. Runs on SQLite and on PostgreSQL.</summary>
public abstract class PartnerSearchesApiTests(OpenIkzApp fixture)
{
    private OpenIkzApp app => fixture.Require();

    public const string Thale = "15085330", Wernigerode = "15085370", Falkenstein = "15085110", Ballenstedt = "15085040";
    private const string Base = "/api/v1/registry/partner-searches";

    private DateOnly Today => BerlinTime.Today(app.Clock);

    private Dictionary<string, object?> Search(string title = "Gemeinsame Vergabestelle", string taskField = "beschaffung-vergabe", int days = 60) => new()
    {
        ["taskField"] = taskField,
        ["title"] = title,
        ["description"] = "Wir suchen Partner für eine gemeinsame Vergabestelle mit gemeinsamer Vertretung.",
        ["until"] = Today.AddDays(days).ToString("yyyy-MM-dd"),
    };

    private static async Task<long> CreateAsync(HttpClient coordinator, object body)
    {
        var response = await coordinator.PostAsJsonAsync(Base, body);
        var json = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, json.ToString());
        Assert.Equal($"{Base}/{json.GetProperty("id").GetInt64()}", response.Headers.Location?.OriginalString);
        Assert.Single(json.EnumerateObject());
        return json.GetProperty("id").GetInt64();
    }

    private async Task<JsonElement> RefusedAsync(Func<Task<HttpResponseMessage>> send, int status, string? field = null)
    {
        var before = await InputSnapshot.TakeAsync(app);
        var problem = await (await send()).AssertProblemAsync(status);
        if (field is not null)
            Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _), $"no error for '{field}': {problem}");
        Assert.Empty(before.Diff(await InputSnapshot.TakeAsync(app)));
        return problem;
    }

    [SkippableFact]
    public async Task Create_ThenListedPublicly_WithoutPersonalData_AndReadable()
    {
        var thale = await app.ApiAsAsync("thale.koordination");
        var id = await CreateAsync(thale, Search("Vergabestelle Thale sucht Partner"));

        var list = await (await app.Api().GetAsync(Base + "?taskField=beschaffung-vergabe&state=ST&pageSize=100")).ReadJsonAsync();
        var item = list.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetInt64() == id);
        Assert.True(list.GetProperty("total").GetInt32() >= 1);
        Assert.Equal("Beschaffung und Vergabe", item.GetProperty("taskFieldLabel").GetString());
        Assert.Equal(Thale, item.GetProperty("municipality").GetProperty("ags").GetString());
        Assert.Equal("Thale", item.GetProperty("municipality").GetProperty("name").GetString());
        Assert.True(item.GetProperty("open").GetBoolean());
        var text = list.ToString();
        Assert.DoesNotContain("Koordination Thale", text); // the demo coordinator's display name
        Assert.DoesNotContain("thale.koordination", text);
        Assert.DoesNotContain("createdBy", text);

        var one = await (await app.Api().GetAsync($"{Base}/{id}")).ReadJsonAsync();
        Assert.Equal("Vergabestelle Thale sucht Partner", one.GetProperty("title").GetString());
        Assert.False(one.GetProperty("own").GetBoolean());
        Assert.Equal(JsonValueKind.Null, one.GetProperty("interests").ValueKind);
        var own = await (await thale.GetAsync($"{Base}/{id}")).ReadJsonAsync();
        Assert.True(own.GetProperty("own").GetBoolean());
        Assert.Empty(own.GetProperty("interests").EnumerateArray());

        // Another state's filter does not list it; the demo searches are there.
        var rp = await (await app.Api().GetAsync(Base + "?state=RP")).ReadJsonAsync();
        Assert.DoesNotContain(rp.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetInt64() == id);
        Assert.Contains(rp.GetProperty("items").EnumerateArray(), i => i.GetProperty("municipality").GetProperty("ags").GetString() == "07318000");
    }

    [SkippableFact]
    public async Task Create_WithBadInput_Is400NamingTheField_AndStoresNothing()
    {
        var thale = await app.ApiAsAsync("thale.koordination");
        async Task Bad(Action<Dictionary<string, object?>> change, string field)
        {
            var body = Search();
            change(body);
            await RefusedAsync(() => thale.PostAsJsonAsync(Base, body), 400, field);
        }
        await Bad(b => b["taskField"] = "gibt-es-nicht", "taskField");
        await Bad(b => b.Remove("taskField"), "taskField");
        await Bad(b => b["until"] = Today.AddDays(-1).ToString("yyyy-MM-dd"), "until");
        await Bad(b => b["until"] = Today.ToString("yyyy-MM-dd"), "until");
        await Bad(b => b["until"] = Today.AddDays(731).ToString("yyyy-MM-dd"), "until");
        await Bad(b => b["until"] = "31.12.2027", "until");
        await Bad(b => b["until"] = "9999-12-31", "until");
        await Bad(b => b.Remove("until"), "until");
        await Bad(b => b["title"] = new string('T', 201), "title");
        await Bad(b => b["title"] = "ab", "title");
        await Bad(b => b["title"] = "Vergabe\u202Egnuhcs", "title");
        await Bad(b => b["description"] = new string('B', 4001), "description");
        await Bad(b => b["description"] = "kurz", "description");
        await Bad(b => b["description"] = "Text mit\u0000Null", "description");
        await Bad(b => b["unknown"] = 1, "unknown");
        // The longest accepted values pass.
        var ok = Search(new string('T', 200));
        ok["description"] = new string('B', 4000);
        ok["until"] = Today.AddDays(730).ToString("yyyy-MM-dd");
        await CreateAsync(thale, ok);
    }

    [SkippableFact]
    public async Task Create_IsForCoordinators_Only()
    {
        await RefusedAsync(() => app.Api().PostAsJsonAsync(Base, Search()), 401);
        var clerk = await app.ApiAsAsync("thale.sachbearbeitung");
        var admin = await app.ApiAsAsync("thale.admin");
        await RefusedAsync(() => clerk.PostAsJsonAsync(Base, Search()), 403);
        await RefusedAsync(() => admin.PostAsJsonAsync(Base, Search()), 403);
    }

    [SkippableFact]
    public async Task Interest_ByAnotherMunicipality_IsRecordedOnce_AndNotifiesTheSearchingCoordinators()
    {
        var thale = await app.ApiAsAsync("thale.koordination");
        var wernigerode = await app.ApiAsAsync("wernigerode.koordination");
        var id = await CreateAsync(thale, Search("Interesse-Test"));

        var first = await wernigerode.PostAsJsonAsync($"{Base}/{id}/interest", new { message = "Wir hätten Interesse, bitte melden Sie sich." });
        var json = await first.ReadJsonAsync();
        Assert.True(first.StatusCode == HttpStatusCode.Created, json.ToString());
        Assert.False(json.GetProperty("alreadyRecorded").GetBoolean());
        // No SMTP server here, but demo mode: the copy goes to the mail folder when Thale has an address in the directory.
        var thaleEmail = await app.Db.QuerySingleAsync<string?>("SELECT email FROM municipalities WHERE ags = (SELECT municipality_ags FROM users WHERE username = 'thale.koordination')");
        Assert.Equal(!string.IsNullOrWhiteSpace(thaleEmail), json.GetProperty("mailed").GetBoolean());
        if (!string.IsNullOrWhiteSpace(thaleEmail))
            Assert.Contains(System.IO.Directory.GetFiles(Path.Combine(app.DataDirectory, "mail"), "*.eml"),
                f => MimeKit.MimeMessage.Load(f).Subject == "Interesse an Ihrer Partnersuche „Interesse-Test“");

        var before = await InputSnapshot.TakeAsync(app);
        var again = await wernigerode.PostAsJsonAsync($"{Base}/{id}/interest", new { });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True((await again.ReadJsonAsync()).GetProperty("alreadyRecorded").GetBoolean());
        Assert.Empty(before.Diff(await InputSnapshot.TakeAsync(app)));

        // An empty body is an interest without a message.
        var halberstadt = await app.ApiAsAsync("halberstadt.koordination");
        var bare = await halberstadt.PostAsync($"{Base}/{id}/interest", new StringContent("", Encoding.UTF8, "application/json"));
        Assert.True(bare.StatusCode == HttpStatusCode.Created, await bare.Content.ReadAsStringAsync());

        var notices = (await app.Db.QueryAsync<(string Ags, string Role, string Text, string Link)>(
            "SELECT recipient_ags, recipient_role, text, link FROM notifications WHERE link = @Link ORDER BY id", new { Link = $"/Partnersuche/{id}" })).ToList();
        Assert.Equal(2, notices.Count);
        Assert.All(notices, n => Assert.Equal((Thale, "Koordination"), (n.Ags, n.Role)));
        Assert.Equal("Wernigerode hat Interesse an Ihrer Partnersuche „Interesse-Test“ bekundet.", notices[0].Text);

        var own = await (await thale.GetAsync($"{Base}/{id}")).ReadJsonAsync();
        Assert.Equal(2, own.GetProperty("interestCount").GetInt32());
        var interests = own.GetProperty("interests").EnumerateArray().ToList();
        Assert.Equal(["Wernigerode", "Halberstadt"], interests.Select(i => i.GetProperty("name").GetString()));
        Assert.Equal("Wir hätten Interesse, bitte melden Sie sich.", interests[0].GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.Null, interests[1].GetProperty("message").ValueKind);
        Assert.True((await (await wernigerode.GetAsync($"{Base}/{id}")).ReadJsonAsync()).GetProperty("interested").GetBoolean());
        // The searching municipality's clerk sees it is theirs, but not who answered.
        var clerk = await (await (await app.ApiAsAsync("thale.sachbearbeitung")).GetAsync($"{Base}/{id}")).ReadJsonAsync();
        Assert.True(clerk.GetProperty("own").GetBoolean());
        Assert.Equal(JsonValueKind.Null, clerk.GetProperty("interests").ValueKind);
    }

    [SkippableFact]
    public async Task Interest_InTheOwnSearch_Is409_WithBadMessage400_AndStoresNothing()
    {
        var thale = await app.ApiAsAsync("thale.koordination");
        var id = await CreateAsync(thale, Search("Eigene Suche"));
        var own = await RefusedAsync(() => thale.PostAsJsonAsync($"{Base}/{id}/interest", new { }), 409);
        Assert.Equal("OwnSearch", own.GetProperty("rule").GetString());
        var wernigerode = await app.ApiAsAsync("wernigerode.koordination");
        await RefusedAsync(() => wernigerode.PostAsJsonAsync($"{Base}/{id}/interest", new { message = new string('x', 2001) }), 400, "message");
        await RefusedAsync(() => wernigerode.PostAsJsonAsync($"{Base}/{id}/interest", new { message = "a\u202Eb" }), 400, "message");
        await RefusedAsync(() => wernigerode.PostAsJsonAsync($"{Base}/{id}/interest", new { message = 5 }), 400, "message");
        await RefusedAsync(() => wernigerode.PostAsJsonAsync($"{Base}/{id}/interest", new { note = "x" }), 400, "note");
        await RefusedAsync(() => wernigerode.PostAsJsonAsync($"{Base}/987654321/interest", new { }), 404);
        var lead = await app.ApiAsAsync("wernigerode.teamleitung");
        await RefusedAsync(() => lead.PostAsJsonAsync($"{Base}/{id}/interest", new { }), 403);
        await RefusedAsync(() => app.Api().PostAsJsonAsync($"{Base}/{id}/interest", new { }), 401);
    }

    [SkippableFact]
    public async Task Closure_ByTheOwnMunicipality_HidesTheSearch_FromEveryoneElse()
    {
        var thale = await app.ApiAsAsync("thale.koordination");
        var wernigerode = await app.ApiAsAsync("wernigerode.koordination");
        var id = await CreateAsync(thale, Search("Bald beendet"));
        await RefusedAsync(() => wernigerode.PostAsJsonAsync($"{Base}/{id}/closure", new { }), 403);

        var closed = await (await thale.PostAsJsonAsync($"{Base}/{id}/closure", new { })).ReadJsonAsync();
        Assert.False(closed.GetProperty("open").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, closed.GetProperty("closedAt").ValueKind);
        Assert.Equal(HttpStatusCode.OK, (await thale.PostAsJsonAsync($"{Base}/{id}/closure", new { })).StatusCode); // again: nothing changes

        await (await app.Api().GetAsync($"{Base}/{id}")).AssertProblemAsync(404);
        await (await app.Api().GetAsync($"{Base}/{id}/suggestions")).AssertProblemAsync(404);
        await RefusedAsync(() => wernigerode.PostAsJsonAsync($"{Base}/{id}/interest", new { }), 404);
        Assert.Equal(HttpStatusCode.OK, (await thale.GetAsync($"{Base}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await thale.GetAsync($"{Base}/{id}/suggestions")).StatusCode);
        var list = await (await app.Api().GetAsync(Base + "?pageSize=100")).ReadJsonAsync();
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetInt64() == id);
    }

    [SkippableFact]
    public async Task Search_AfterItsEndDate_IsNoLongerOpen()
    {
        var thale = await app.ApiAsAsync("thale.koordination");
        var id = await CreateAsync(thale, Search("Kurze Suche", days: 1));
        Assert.Equal(HttpStatusCode.OK, (await app.Api().GetAsync($"{Base}/{id}")).StatusCode);
        app.Clock.Advance(TimeSpan.FromDays(2));
        try
        {
            await (await app.Api().GetAsync($"{Base}/{id}")).AssertProblemAsync(404);
            var list = await (await app.Api().GetAsync(Base + "?pageSize=100")).ReadJsonAsync();
            Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetInt64() == id);
            var own = await (await (await app.ApiAsAsync("thale.koordination")).GetAsync($"{Base}/{id}")).ReadJsonAsync();
            Assert.False(own.GetProperty("open").GetBoolean());
        }
        finally { app.Clock.Advance(TimeSpan.FromDays(-2)); }
    }

    [SkippableFact]
    public async Task List_WithBadFilters_Is400NamingThem()
    {
        await (await app.Api().GetAsync(Base + "?taskField=nix")).AssertProblemAsync(400);
        foreach (var (query, field) in new[] { ("taskField=nix", "taskField"), ("state=XX", "state"), ("page=0", "page"), ("pageSize=101", "pageSize"), ("pageSize=abc", "pageSize") })
        {
            var problem = await (await app.Api().GetAsync($"{Base}?{query}")).AssertProblemAsync(400);
            if (field != "pageSize" || query != "pageSize=abc")
                Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
    }

    [SkippableFact]
    public async Task Coverage_ListsTheMunicipalitiesWithoutALiveCooperation_ByDistrict()
    {
        await EnsureAsync(app);
        var report = await (await app.Api().GetAsync("/api/v1/registry/coverage?taskField=archiv")).ReadJsonAsync();
        Assert.Equal("Archiv", report.GetProperty("taskFieldLabel").GetString());
        var districts = report.GetProperty("districts").EnumerateArray().ToList();
        var nord = districts.Single(d => d.GetProperty("ags").GetString() == KreisNord);
        Assert.Equal("Testkreis Nord", nord.GetProperty("name").GetString());
        Assert.Equal(5, nord.GetProperty("total").GetInt32());
        Assert.Equal(4, nord.GetProperty("uncovered").GetInt32());
        // The Landkreis first, then its municipalities by name; Archivdorf (implemented Archiv) is covered, Mittelstadt (only planned) is not.
        Assert.Equal([KreisNord, Mittelstadt, Nachbardorf, Suchdorf], nord.GetProperty("municipalities").EnumerateArray().Select(m => m.GetProperty("ags").GetString()));
        var sued = districts.Single(d => d.GetProperty("ags").GetString() == KreisSued);
        Assert.Equal((3, 2), (sued.GetProperty("total").GetInt32(), sued.GetProperty("uncovered").GetInt32()));
        var stadt = districts.Single(d => d.GetProperty("ags").GetString() == Teststadt);
        Assert.Equal((1, 1), (stadt.GetProperty("total").GetInt32(), stadt.GetProperty("uncovered").GetInt32()));
        Assert.Equal(await app.Db.QuerySingleAsync<int>("SELECT COUNT(*) FROM municipalities"), report.GetProperty("total").GetInt32());
        Assert.Equal(districts.Sum(d => d.GetProperty("uncovered").GetInt32()), report.GetProperty("uncovered").GetInt32());

        // One state: only its districts; the demo's open Archiv searches are marked.
        var st = await (await app.Api().GetAsync("/api/v1/registry/coverage?taskField=archiv&state=Sachsen-Anhalt")).ReadJsonAsync();
        Assert.Equal("ST", st.GetProperty("state").GetString());
        Assert.Equal(await app.Db.QuerySingleAsync<int>("SELECT COUNT(*) FROM municipalities WHERE state = 'ST'"), st.GetProperty("total").GetInt32());
        var all = st.GetProperty("districts").EnumerateArray().SelectMany(d => d.GetProperty("municipalities").EnumerateArray()).ToList();
        Assert.All(st.GetProperty("districts").EnumerateArray(), d => Assert.Equal("ST", d.GetProperty("state").GetString()));
        Assert.True(all.Single(m => m.GetProperty("ags").GetString() == Falkenstein).GetProperty("searching").GetBoolean());
        Assert.DoesNotContain(all, m => m.GetProperty("ags").GetString() == Suchdorf);
    }

    [SkippableFact]
    public async Task Coverage_WithoutOrWithABadTaskField_OrABadState_Is400NamingIt()
    {
        foreach (var (query, field) in new[] { ("", "taskField"), ("?taskField=", "taskField"), ("?taskField=nix", "taskField"), ("?taskField=archiv&state=Atlantis", "state") })
        {
            var problem = await (await app.Api().GetAsync("/api/v1/registry/coverage" + query)).AssertProblemAsync(400);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
    }

    [SkippableFact]
    public async Task DemoSearches_AreOpen_AndOnlyOfDemoMunicipalities()
    {
        var list = await (await app.Api().GetAsync(Base + "?pageSize=100")).ReadJsonAsync();
        var demo = list.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("title").GetString() is "Gemeinsame Betreuung des Verwaltungsarchivs" or "Partner für eine gemeinsame Vergabestelle").ToList();
        Assert.Equal(2, demo.Count);
        Assert.All(demo, d => Assert.StartsWith("15085", d.GetProperty("municipality").GetProperty("ags").GetString()));
        // Falkenstein's Archiv search suggests Ballenstedt, which searches in Archiv too.
        var falkenstein = demo.Single(d => d.GetProperty("taskField").GetString() == "archiv").GetProperty("id").GetInt64();
        var suggestions = await (await app.Api().GetAsync($"{Base}/{falkenstein}/suggestions")).ReadJsonAsync();
        var ballenstedt = suggestions.EnumerateArray().Single(s => s.GetProperty("ags").GetString() == Ballenstedt);
        Assert.Contains(ballenstedt.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.StartsWith("Sucht ebenfalls", StringComparison.Ordinal));
        Assert.DoesNotContain(suggestions.EnumerateArray(), s => s.GetProperty("ags").GetString() == Falkenstein);
        Assert.True(suggestions.GetArrayLength() <= 20);
    }
}

public sealed class PartnerSearchesApiTestsSqlite(SqliteApp app) : PartnerSearchesApiTests(app), IClassFixture<SqliteApp>;
public sealed class PartnerSearchesApiTestsPostgres(PostgresApp app) : PartnerSearchesApiTests(app), IClassFixture<PostgresApp>;
