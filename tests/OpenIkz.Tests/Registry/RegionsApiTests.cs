using Dapper;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;
using static OpenIkz.Tests.Backoffice.Agreements;

namespace OpenIkz.Tests.Registry;

/// <summary>
/// The Kooperationsraum over HTTP: members and roles, Handlungsfelder, goals and options, links, the learning cycle and its
/// overdue reviews, and bad input (a problem naming the field, nothing saved). Runs on SQLite and on PostgreSQL.
/// </summary>
public abstract class RegionsApiTests(OpenIkzApp fixture)
{
    private OpenIkzApp app => fixture.Require();

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private DateOnly BerlinToday => OpenIkz.Common.BerlinTime.Today(app.Clock);

    /// <summary>Asserts a 400 naming <paramref name="field"/> and that no table changed its row count.</summary>
    private async Task<JsonElement> AssertRefusedAsync(Func<Task<HttpResponseMessage>> send, string field, int status = 400)
    {
        var before = await InputSnapshot.TakeAsync(app);
        var problem = await (await send()).AssertProblemAsync(status);
        Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _), $"no error for '{field}': {problem}");
        Assert.Empty(before.Diff(await InputSnapshot.TakeAsync(app)));
        return problem;
    }

    private static string Error(JsonElement problem, string field) => problem.GetProperty("errors").GetProperty(field)[0].GetString()!;

    [SkippableFact]
    public async Task Create_MakesTheOwnMunicipalityCoordinating_AndOnlyMembersSeeIt()
    {
        var thale = await app.CoordinatorAsync("thale");
        var id = await thale.CreateRegionAsync("Harzer Kooperationsraum Test", "Wasser, Wohnen, Nahraum im Harz");
        var region = await thale.GetAsync($"/api/v1/regions/{id}").OkAsync();
        Assert.Equal("Harzer Kooperationsraum Test", region.GetProperty("name").GetString());
        Assert.Equal("koordinierend", region.GetProperty("ownRole").GetString());
        var member = Assert.Single(region.GetProperty("members").EnumerateArray());
        Assert.Equal(Thale, member.GetProperty("ags").GetString());
        Assert.Equal("koordinierend", member.GetProperty("role").GetString());
        Assert.Equal(1, region.GetProperty("version").GetInt32());

        var list = await thale.GetAsync("/api/v1/regions").OkAsync();
        Assert.Contains(list.EnumerateArray(), r => r.GetProperty("id").GetInt64() == id && r.GetProperty("roleLabel").GetString() == "koordinierend");

        // Another municipality, whatever its roles: not found, and not listed.
        foreach (var other in new[] { "wernigerode.koordination", "wernigerode.sachbearbeitung" })
        {
            var client = await app.ApiAsAsync(other);
            await (await client.GetAsync($"/api/v1/regions/{id}")).AssertProblemAsync(404);
            Assert.DoesNotContain((await client.GetAsync("/api/v1/regions").OkAsync()).EnumerateArray(), r => r.GetProperty("id").GetInt64() == id);
        }
        // Every person of a member reads it; only the Koordination creates.
        var clerk = await app.ApiAsAsync("thale.sachbearbeitung");
        Assert.Equal(id, (await clerk.GetAsync($"/api/v1/regions/{id}").OkAsync()).GetProperty("id").GetInt64());
        await (await clerk.PostAsJsonAsync("/api/v1/regions", new { name = "Nicht erlaubt" })).AssertProblemAsync(403);
        await (await clerk.PostAsJsonAsync($"/api/v1/regions/{id}/fields", new { name = "Nicht erlaubt" })).AssertProblemAsync(403);
        await (await (await app.ApiAsAsync("thale.admin")).PutAsJsonAsync($"/api/v1/regions/{id}", new { name = "x" })).AssertProblemAsync(403);
    }

    [SkippableFact]
    public async Task NonMemberCoordinator_GetsNotFound_OnEveryRegionEndpoint_AndChangesNothing()
    {
        var thale = await app.CoordinatorAsync("thale");
        var id = await thale.CreateRegionAsync("Geschlossener Raum");
        var field = await thale.AddFieldAsync(id, "Wasser");
        var entry = await RegionFixture.InsertRegisterEntryAsync(app, "Kreisarchiv Test");
        await thale.PostAsJsonAsync($"/api/v1/regions/{id}/fields/{field}/cooperations", new { cooperationId = entry }).OkAsync();
        var stranger = await app.CoordinatorAsync("halberstadt");
        var before = await InputSnapshot.TakeAsync(app);
        var calls = new Func<Task<HttpResponseMessage>>[]
        {
            () => stranger.GetAsync($"/api/v1/regions/{id}"),
            () => stranger.PutAsJsonAsync($"/api/v1/regions/{id}", new { name = "Übernommen" }),
            () => stranger.PostAsJsonAsync($"/api/v1/regions/{id}/members", new { ags = Halberstadt, role = "koordinierend" }),
            () => stranger.DeleteAsync($"/api/v1/regions/{id}/members/{Thale}"),
            () => stranger.PostAsJsonAsync($"/api/v1/regions/{id}/fields", new { name = "Wohnen" }),
            () => stranger.GetAsync($"/api/v1/regions/{id}/fields/{field}"),
            () => stranger.PutAsJsonAsync($"/api/v1/regions/{id}/fields/{field}", new { name = "Übernommen" }),
            () => stranger.DeleteAsync($"/api/v1/regions/{id}/fields/{field}"),
            () => stranger.PutAsJsonAsync($"/api/v1/regions/{id}/fields/{field}/goals", new { items = Array.Empty<object>() }),
            () => stranger.PutAsJsonAsync($"/api/v1/regions/{id}/fields/{field}/options", new { items = Array.Empty<object>() }),
            () => stranger.PostAsJsonAsync($"/api/v1/regions/{id}/fields/{field}/cooperations", new { cooperationId = entry }),
            () => stranger.DeleteAsync($"/api/v1/regions/{id}/fields/{field}/cooperations/{entry}"),
            () => stranger.PostAsJsonAsync($"/api/v1/regions/{id}/fields/{field}/agreements", new { agreementId = 1 }),
            () => stranger.DeleteAsync($"/api/v1/regions/{id}/fields/{field}/agreements/1"),
            () => stranger.PutAsJsonAsync($"/api/v1/regions/{id}/fields/{field}/learning-cycle/analyse", new { status = "abgeschlossen" }),
        };
        foreach (var call in calls) await (await call()).AssertProblemAsync(404);
        Assert.Empty(before.Diff(await InputSnapshot.TakeAsync(app)));
        var region = await thale.GetAsync($"/api/v1/regions/{id}").OkAsync();
        Assert.Equal("Geschlossener Raum", region.GetProperty("name").GetString());
        Assert.Equal("Wasser", region.GetProperty("fields")[0].GetProperty("name").GetString());
        Assert.Equal("offen", region.GetProperty("fields")[0].Step("analyse").GetProperty("status").GetString());
        // An unknown region is the same 404.
        await (await thale.GetAsync("/api/v1/regions/987654321")).AssertProblemAsync(404);
    }

    [SkippableFact]
    public async Task Delete_ByACoordinatingMembersKoordination_RemovesTheRegionAndItsParts_ButNotTheLinkedEntriesOrAgreements()
    {
        var thale = await app.CoordinatorAsync("thale");
        var id = await thale.CreateRegionAsync("Zu löschender Kooperationsraum Test");
        await thale.AddMemberAsync(id, Wernigerode);
        var field = await thale.AddFieldAsync(id, "Archiv");
        var entry = await RegionFixture.InsertRegisterEntryAsync(app, "Kreisarchiv (Löschtest)");
        await thale.PostAsJsonAsync($"/api/v1/regions/{id}/fields/{field}/cooperations", new { cooperationId = entry }).OkAsync();
        var agreement = await app.CreateAgreementAsync(["wohngeld"], [(Thale, true, true), (Quedlinburg, true, true)], status: "draft");
        await thale.PostAsJsonAsync($"/api/v1/regions/{id}/fields/{field}/agreements", new { agreementId = agreement }).OkAsync();

        await (await (await app.CoordinatorAsync("wernigerode")).DeleteAsync($"/api/v1/regions/{id}")).AssertProblemAsync(403); // a member, not coordinating
        await (await (await app.ApiAsAsync("thale.sachbearbeitung")).DeleteAsync($"/api/v1/regions/{id}")).AssertProblemAsync(403);
        await (await (await app.CoordinatorAsync("halberstadt")).DeleteAsync($"/api/v1/regions/{id}")).AssertProblemAsync(404); // not a member
        Assert.Equal(1, await app.CountAsync("regions", "id = @Id", new { Id = id }));

        await thale.DeleteAsync($"/api/v1/regions/{id}").OkAsync(HttpStatusCode.NoContent);
        await (await thale.GetAsync($"/api/v1/regions/{id}")).AssertProblemAsync(404);
        await (await thale.DeleteAsync($"/api/v1/regions/{id}")).AssertProblemAsync(404);
        Assert.Equal(0, await app.CountAsync("region_members", "region_id = @Id", new { Id = id }));
        Assert.Equal(0, await app.CountAsync("fields_of_action", "region_id = @Id", new { Id = id }));
        Assert.Equal(0, await app.CountAsync("field_of_action_agreements", "field_id = @Id", new { Id = field }));
        Assert.Equal(0, await app.CountAsync("learning_cycle_steps", "field_id = @Id", new { Id = field }));
        Assert.Equal(1, await app.CountAsync("agreements", "id = @Id", new { Id = agreement }));
        Assert.Equal(1, await app.CountAsync("registry_cooperations", "id = @Id", new { Id = entry }));
    }

    [SkippableFact]
    public async Task Members_OnlyFromTheDirectory_CoordinatingMembersManageThem_AndOneStaysCoordinating()
    {
        var thale = await app.CoordinatorAsync("thale");
        var id = await thale.CreateRegionAsync("Mitglieder Test");
        var unknown = await AssertRefusedAsync(() => thale.PostAsJsonAsync($"/api/v1/regions/{id}/members", new { ags = "12345678" }), "ags");
        Assert.Contains("12345678", Error(unknown, "ags"));
        await AssertRefusedAsync(() => thale.PostAsJsonAsync($"/api/v1/regions/{id}/members", new { ags = "" }), "ags");
        await AssertRefusedAsync(() => thale.PostAsJsonAsync($"/api/v1/regions/{id}/members", new { ags = Wernigerode, role = "chef" }), "role");
        await AssertRefusedAsync(() => thale.PostAsJsonAsync($"/api/v1/regions/{id}/members", new { ags = "1508537\u202E0" }), "ags");

        var details = await thale.PostAsJsonAsync($"/api/v1/regions/{id}/members", new { ags = Wernigerode }).OkAsync();
        Assert.Contains(details.GetProperty("members").EnumerateArray(), m => m.GetProperty("ags").GetString() == Wernigerode && m.GetProperty("role").GetString() == "mitglied");

        // A plain member's coordinator works on fields but does not manage members, name or description.
        var wernigerode = await app.CoordinatorAsync("wernigerode");
        Assert.Equal("mitglied", (await wernigerode.GetAsync($"/api/v1/regions/{id}").OkAsync()).GetProperty("ownRole").GetString());
        await wernigerode.AddFieldAsync(id, "Nahraum");
        await (await wernigerode.PostAsJsonAsync($"/api/v1/regions/{id}/members", new { ags = Halberstadt })).AssertProblemAsync(403);
        await (await wernigerode.DeleteAsync($"/api/v1/regions/{id}/members/{Thale}")).AssertProblemAsync(403);
        await (await wernigerode.PutAsJsonAsync($"/api/v1/regions/{id}", new { name = "Umbenannt" })).AssertProblemAsync(403);

        // The last coordinating member can neither step down nor leave.
        var demote = await (await thale.PostAsJsonAsync($"/api/v1/regions/{id}/members", new { ags = Thale, role = "mitglied" })).AssertProblemAsync(409);
        Assert.Equal("CoordinatingMemberRequired", demote.GetProperty("rule").GetString());
        Assert.Equal("CoordinatingMemberRequired", (await (await thale.DeleteAsync($"/api/v1/regions/{id}/members/{Thale}")).AssertProblemAsync(409)).GetProperty("rule").GetString());

        // Hand the coordination over, then Thale may step down and Wernigerode removes Thale.
        await thale.AddMemberAsync(id, Wernigerode, "koordinierend");
        await thale.AddMemberAsync(id, Thale, "mitglied");
        await wernigerode.DeleteAsync($"/api/v1/regions/{id}/members/{Thale}").OkAsync(HttpStatusCode.NoContent);
        await (await thale.GetAsync($"/api/v1/regions/{id}")).AssertProblemAsync(404);
        await (await wernigerode.DeleteAsync($"/api/v1/regions/{id}/members/{Thale}")).AssertProblemAsync(404);
        var after = await wernigerode.GetAsync($"/api/v1/regions/{id}").OkAsync();
        var only = Assert.Single(after.GetProperty("members").EnumerateArray());
        Assert.Equal(Wernigerode, only.GetProperty("ags").GetString());
        Assert.Equal("koordinierend", only.GetProperty("role").GetString());
    }

    [SkippableFact]
    public async Task Update_RaisesTheVersion_AndAStaleVersionIsAConflict()
    {
        var thale = await app.CoordinatorAsync("thale");
        var id = await thale.CreateRegionAsync("Version Test");
        var updated = await thale.PutAsJsonAsync($"/api/v1/regions/{id}", new { name = "Version Test (neu)", description = "Beschreibung", version = 1 }).OkAsync();
        Assert.Equal(2, updated.GetProperty("version").GetInt32());
        Assert.Equal("Beschreibung", updated.GetProperty("description").GetString());
        var stale = await (await thale.PutAsJsonAsync($"/api/v1/regions/{id}", new { name = "Überschrieben", version = 1 })).AssertProblemAsync(409);
        Assert.Equal("VersionConflict", stale.GetProperty("rule").GetString());
        Assert.Equal("Version Test (neu)", (await thale.GetAsync($"/api/v1/regions/{id}").OkAsync()).GetProperty("name").GetString());
        await AssertRefusedAsync(() => thale.PutAsJsonAsync($"/api/v1/regions/{id}", new { name = "" }), "name");
        await AssertRefusedAsync(() => thale.PutAsJsonAsync($"/api/v1/regions/{id}", new { name = new string('x', 201) }), "name");
        Assert.Equal("Version Test (neu)", (await thale.GetAsync($"/api/v1/regions/{id}").OkAsync()).GetProperty("name").GetString());
    }

    [SkippableFact]
    public async Task Fields_CreateWithFiveOpenSteps_RenameReorderDelete()
    {
        var thale = await app.CoordinatorAsync("thale");
        var id = await thale.CreateRegionAsync("Felder Test");
        var created = await thale.PostAsJsonAsync($"/api/v1/regions/{id}/fields", new { name = "Wasser", description = "Strategisches Forum Wasser" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var wasser = await created.ReadJsonAsync();
        Assert.Equal($"/api/v1/regions/{id}/fields/{wasser.GetProperty("id").GetInt64()}", created.Headers.Location!.OriginalString);
        Assert.Equal(["analyse", "ideen", "planung", "umsetzung", "reflexion"], wasser.GetProperty("learningCycle").EnumerateArray().Select(s => s.GetProperty("step").GetString()));
        Assert.All(wasser.GetProperty("learningCycle").EnumerateArray(), s => Assert.Equal("offen", s.GetProperty("status").GetString()));
        Assert.Equal(1, wasser.GetProperty("position").GetInt32());
        var wohnen = await thale.AddFieldAsync(id, "Wohnen");
        var nahraum = await thale.AddFieldAsync(id, "Nahraum");

        // A name once per region (case and umlauts folded); a position 1 to 1000.
        await AssertRefusedAsync(() => thale.PostAsJsonAsync($"/api/v1/regions/{id}/fields", new { name = "wasser" }), "name");
        await AssertRefusedAsync(() => thale.PostAsJsonAsync($"/api/v1/regions/{id}/fields", new { name = "Mobilität", position = 0 }), "position");
        await AssertRefusedAsync(() => thale.PostAsJsonAsync($"/api/v1/regions/{id}/fields", new { name = "" }), "name");
        await AssertRefusedAsync(() => thale.PostAsJsonAsync($"/api/v1/regions/{id}/fields", new { name = "Mobilität", description = new string('x', 5001) }), "description");

        var moved = await thale.PutAsJsonAsync($"/api/v1/regions/{id}/fields/{nahraum}", new { name = "Nahraum und Versorgung", position = 1 }).OkAsync();
        Assert.Equal("Nahraum und Versorgung", moved.GetProperty("name").GetString());
        var order = (await thale.GetAsync($"/api/v1/regions/{id}").OkAsync()).GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList();
        Assert.Equal(["Wasser", "Nahraum und Versorgung", "Wohnen"], order); // equal positions: the older first
        await AssertRefusedAsync(() => thale.PutAsJsonAsync($"/api/v1/regions/{id}/fields/{wohnen}", new { name = "Wasser" }), "name");

        await thale.DeleteAsync($"/api/v1/regions/{id}/fields/{wohnen}").OkAsync(HttpStatusCode.NoContent);
        await (await thale.GetAsync($"/api/v1/regions/{id}/fields/{wohnen}")).AssertProblemAsync(404);
        Assert.Equal(0, await app.CountAsync("learning_cycle_steps", "field_id = @Id", new { Id = wohnen }));

        // A field of another region is not found under this one.
        var other = await thale.CreateRegionAsync("Anderer Raum");
        await (await thale.GetAsync($"/api/v1/regions/{other}/fields/{nahraum}")).AssertProblemAsync(404);
        await (await thale.PutAsJsonAsync($"/api/v1/regions/{other}/fields/{nahraum}", new { name = "x" })).AssertProblemAsync(404);
    }

    [SkippableFact]
    public async Task GoalsAndOptions_AreOrderedLists_WithOptionalStatus_AndABadItemSavesNothing()
    {
        var thale = await app.CoordinatorAsync("thale");
        var id = await thale.CreateRegionAsync("Ziele Test");
        var field = await thale.AddFieldAsync(id, "Wohnen");
        var goals = await thale.PutAsJsonAsync($"/api/v1/regions/{id}/fields/{field}/goals", new
        {
            items = new object[] { new { text = "Über Bedarfe am Wohnungsmarkt reflektieren", status = "in-arbeit" }, new { text = "Leerstand erfassen" } },
        }).OkAsync();
        var saved = goals.GetProperty("goals").EnumerateArray().ToList();
        Assert.Equal(["Über Bedarfe am Wohnungsmarkt reflektieren", "Leerstand erfassen"], saved.Select(g => g.GetProperty("text").GetString()));
        Assert.Equal("in Arbeit", saved[0].GetProperty("statusLabel").GetString());
        Assert.Equal(JsonValueKind.Null, saved[1].GetProperty("status").ValueKind);

        var options = await thale.PutAsJsonAsync($"/api/v1/regions/{id}/fields/{field}/options", new
        {
            items = new object[] { new { text = "Team aus Sanierungs-, Energie- und Klimaschutzmanager*innen", status = "idee" } },
        }).OkAsync();
        Assert.Equal("Idee", options.GetProperty("options")[0].GetProperty("statusLabel").GetString());

        var path = $"/api/v1/regions/{id}/fields/{field}/goals";
        await AssertRefusedAsync(() => thale.PutAsJsonAsync(path, new { items = new object[] { new { text = "gut" }, new { text = "schlecht", status = "idee" } } }), "items[1].status");
        await AssertRefusedAsync(() => thale.PutAsJsonAsync($"/api/v1/regions/{id}/fields/{field}/options", new { items = new object[] { new { text = "x", status = "erreicht" } } }), "items[0].status");
        await AssertRefusedAsync(() => thale.PutAsJsonAsync(path, new { items = new object[] { new { text = "  " } } }), "items[0].text");
        await AssertRefusedAsync(() => thale.PutAsJsonAsync(path, new { items = new object[] { new { text = new string('x', 501) } } }), "items[0].text");
        await AssertRefusedAsync(() => thale.PutAsJsonAsync(path, new { items = Enumerable.Range(1, 51).Select(i => new { text = $"Ziel {i}" }).ToArray() }), "items");
        await AssertRefusedAsync(() => thale.PutAsJsonAsync(path, new { }), "items");
        // Nothing of a refused list was saved: the first list stands.
        var stands = await thale.FieldAsync(id, field);
        Assert.Equal(["Über Bedarfe am Wohnungsmarkt reflektieren", "Leerstand erfassen"], stands.GetProperty("goals").EnumerateArray().Select(g => g.GetProperty("text").GetString()));

        // An empty list clears it.
        Assert.Empty((await thale.PutAsJsonAsync(path, new { items = Array.Empty<object>() }).OkAsync()).GetProperty("goals").EnumerateArray());
    }

    [SkippableFact]
    public async Task Links_RegisterEntriesMustExist_AgreementsMustBeTheLinkingMunicipalitys_AndMembersSeeTitleAndStatusOnly()
    {
        var thale = await app.CoordinatorAsync("thale");
        var id = await thale.CreateRegionAsync("Verknüpfungen Test");
        await thale.AddMemberAsync(id, Wernigerode);
        var field = await thale.AddFieldAsync(id, "Archiv");
        var path = $"/api/v1/regions/{id}/fields/{field}";

        var missing = await AssertRefusedAsync(() => thale.PostAsJsonAsync(path + "/cooperations", new { cooperationId = 987654321 }), "cooperationId");
        Assert.Contains("987654321", Error(missing, "cooperationId"));
        await AssertRefusedAsync(() => thale.PostAsJsonAsync(path + "/cooperations", new { }), "cooperationId");
        var entry = await RegionFixture.InsertRegisterEntryAsync(app, "Kreisarchiv Viersen (Test)");
        var linked = await thale.PostAsJsonAsync(path + "/cooperations", new { cooperationId = entry }).OkAsync();
        var cooperation = Assert.Single(linked.GetProperty("cooperations").EnumerateArray());
        Assert.Equal("Kreisarchiv Viersen (Test)", cooperation.GetProperty("title").GetString());
        Assert.Equal("umgesetzt", cooperation.GetProperty("statusLabel").GetString());
        await thale.PostAsJsonAsync(path + "/cooperations", new { cooperationId = entry }).OkAsync(); // again: still one link
        Assert.Equal(1, await app.CountAsync("field_of_action_cooperations", "field_id = @Id", new { Id = field }));

        // Agreements: the linking coordinator's municipality must be a member. Another's agreement and none at all read the same.
        var own = await app.CreateAgreementAsync(["wohngeld"], [(Thale, true, true), (Quedlinburg, true, true)], status: "draft");
        var others = await app.CreateAgreementAsync(["wohngeld"], [(Halberstadt, true, true), (Quedlinburg, true, true)], status: "draft");
        var foreign = await AssertRefusedAsync(() => thale.PostAsJsonAsync(path + "/agreements", new { agreementId = others }), "agreementId");
        var none = await AssertRefusedAsync(() => thale.PostAsJsonAsync(path + "/agreements", new { agreementId = 987654321 }), "agreementId");
        Assert.Equal(Error(none, "agreementId").Replace("987654321", "N"), Error(foreign, "agreementId").Replace(others.ToString(System.Globalization.CultureInfo.InvariantCulture), "N"));
        await thale.PostAsJsonAsync(path + "/agreements", new { agreementId = own }).OkAsync();

        // Wernigerode is in the region but not in the agreement: its clerk sees id, title and status, nothing more.
        var wernigerodeClerk = await app.ApiAsAsync("wernigerode.sachbearbeitung");
        var seen = Assert.Single((await wernigerodeClerk.FieldAsync(id, field)).GetProperty("agreements").EnumerateArray());
        Assert.Equal(["id", "title", "status", "statusLabel"], seen.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Entwurf", seen.GetProperty("statusLabel").GetString());
        // … and the agreement itself stays private to its members.
        await (await (await app.CoordinatorAsync("wernigerode")).GetAsync($"/api/v1/agreements/{own}")).AssertProblemAsync(404);

        // An amendment supersedes the linked version: the field shows the current one, and removing it by its id removes the link.
        var amended = await app.CreateAgreementAsync(["wohngeld"], [(Thale, true, true), (Quedlinburg, true, true)], status: "draft");
        await app.Db.ExecuteAsync("UPDATE agreements SET title = 'Geänderte Fassung (Test)', supersedes_id = @Old WHERE id = @New", new { Old = own, New = amended });
        await app.Db.ExecuteAsync("UPDATE agreements SET superseded_by_id = @New WHERE id = @Old", new { Old = own, New = amended });
        var current = Assert.Single((await wernigerodeClerk.FieldAsync(id, field)).GetProperty("agreements").EnumerateArray());
        Assert.Equal(amended, current.GetProperty("id").GetInt64());
        Assert.Equal("Geänderte Fassung (Test)", current.GetProperty("title").GetString());

        // Any member's coordinator may remove a link; removing what is not linked is 404.
        var wernigerode = await app.CoordinatorAsync("wernigerode");
        await wernigerode.DeleteAsync($"{path}/agreements/{amended}").OkAsync(HttpStatusCode.NoContent);
        await (await wernigerode.DeleteAsync($"{path}/agreements/{own}")).AssertProblemAsync(404);
        await thale.DeleteAsync($"{path}/cooperations/{entry}").OkAsync(HttpStatusCode.NoContent);
        await (await thale.DeleteAsync($"{path}/cooperations/{entry}")).AssertProblemAsync(404);
        var empty = await thale.FieldAsync(id, field);
        Assert.Empty(empty.GetProperty("cooperations").EnumerateArray());
        Assert.Empty(empty.GetProperty("agreements").EnumerateArray());
    }

    [SkippableFact]
    public async Task LearningCycle_StepUpdates_AndOverdueIsBeforeTodayAndNotDone()
    {
        var thale = await app.CoordinatorAsync("thale");
        var id = await thale.CreateRegionAsync("Lernzyklus Test");
        var field = await thale.AddFieldAsync(id, "Wasser");
        var path = $"/api/v1/regions/{id}/fields/{field}/learning-cycle";
        var today = BerlinToday;

        var yesterday = await thale.PutAsJsonAsync($"{path}/planung", new { status = "in-arbeit", reviewOn = Iso(today.AddDays(-1)), note = "Zeitplan prüfen" }).OkAsync();
        var planung = yesterday.Step("planung");
        Assert.True(planung.GetProperty("overdue").GetBoolean());
        Assert.Equal("Zeitplan prüfen", planung.GetProperty("note").GetString());
        Assert.Equal(Iso(today.AddDays(-1)), planung.GetProperty("reviewOn").GetString());

        var onTheDay = await thale.PutAsJsonAsync($"{path}/umsetzung", new { status = "offen", reviewOn = Iso(today) }).OkAsync();
        Assert.False(onTheDay.Step("umsetzung").GetProperty("overdue").GetBoolean()); // due today, not overdue
        var done = await thale.PutAsJsonAsync($"{path}/analyse", new { status = "abgeschlossen", reviewOn = Iso(today.AddDays(-30)) }).OkAsync();
        Assert.False(done.Step("analyse").GetProperty("overdue").GetBoolean());
        var open = await thale.PutAsJsonAsync($"{path}/ideen", new { status = "offen", reviewOn = Iso(today.AddDays(-3)) }).OkAsync();
        Assert.True(open.Step("ideen").GetProperty("overdue").GetBoolean());

        // The coordinator's list of overdue reviews: exactly the two, the longest overdue first; the region list counts them.
        var overdue = (await thale.GetAsync("/api/v1/regions/overdue-reviews").OkAsync()).EnumerateArray().Where(o => o.GetProperty("regionId").GetInt64() == id).ToList();
        Assert.Equal(["ideen", "planung"], overdue.Select(o => o.GetProperty("step").GetString()));
        Assert.Equal([3, 1], overdue.Select(o => o.GetProperty("daysOverdue").GetInt32()));
        Assert.Equal("Wasser", overdue[0].GetProperty("fieldName").GetString());
        Assert.Equal(2, (await thale.GetAsync("/api/v1/regions").OkAsync()).EnumerateArray().Single(r => r.GetProperty("id").GetInt64() == id).GetProperty("overdueReviews").GetInt32());
        // Not for coordinators of other municipalities, and not for the region's clerks (the endpoint is the Koordination's).
        Assert.DoesNotContain((await (await app.CoordinatorAsync("wernigerode")).GetAsync("/api/v1/regions/overdue-reviews").OkAsync()).EnumerateArray(),
            o => o.GetProperty("regionId").GetInt64() == id);
        await (await (await app.ApiAsAsync("thale.sachbearbeitung")).GetAsync("/api/v1/regions/overdue-reviews")).AssertProblemAsync(403);

        // Done, or without a date: no longer overdue.
        await thale.PutAsJsonAsync($"{path}/planung", new { status = "abgeschlossen", reviewOn = Iso(today.AddDays(-1)) }).OkAsync();
        var cleared = await thale.PutAsJsonAsync($"{path}/ideen", new { status = "offen", reviewOn = (string?)null }).OkAsync();
        Assert.Equal(JsonValueKind.Null, cleared.Step("ideen").GetProperty("reviewOn").ValueKind);
        Assert.Equal("", cleared.Step("ideen").GetProperty("note").GetString());
        Assert.DoesNotContain((await thale.GetAsync("/api/v1/regions/overdue-reviews").OkAsync()).EnumerateArray(), o => o.GetProperty("regionId").GetInt64() == id);

        await (await thale.PutAsJsonAsync($"{path}/pruefung", new { status = "offen" })).AssertProblemAsync(404);
    }

    [SkippableFact]
    public async Task Overdue_CountsTheDayInBerlin_NotInUtc()
    {
        var thale = await app.CoordinatorAsync("thale");
        var id = await thale.CreateRegionAsync("Mitternacht Test");
        var field = await thale.AddFieldAsync(id, "Nahraum");
        // 23:30 UTC is already the next day in Berlin (00:30 in winter, 01:30 in summer).
        var now = app.Clock.GetUtcNow();
        var lateEvening = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1).AddHours(23).AddMinutes(30), TimeSpan.Zero);
        var utcDate = DateOnly.FromDateTime(lateEvening.UtcDateTime);
        var shift = lateEvening - now;
        app.Clock.Advance(shift);
        try
        {
            Assert.Equal(utcDate.AddDays(1), BerlinToday);
            var shifted = await app.CoordinatorAsync("thale"); // a token of the shifted time (the earlier one would have expired)
            var step = (await shifted.PutAsJsonAsync($"/api/v1/regions/{id}/fields/{field}/learning-cycle/analyse", new { status = "in-arbeit", reviewOn = Iso(utcDate) }).OkAsync()).Step("analyse");
            Assert.True(step.GetProperty("overdue").GetBoolean()); // the UTC date is today; in Berlin it was yesterday
            var overdue = (await shifted.GetAsync("/api/v1/regions/overdue-reviews").OkAsync()).EnumerateArray().Single(o => o.GetProperty("regionId").GetInt64() == id);
            Assert.Equal(1, overdue.GetProperty("daysOverdue").GetInt32());
        }
        finally { app.Clock.Advance(-shift); }
        // At the real time the same date is not overdue yet (it lies after today).
        Assert.False((await (await app.CoordinatorAsync("thale")).FieldAsync(id, field)).Step("analyse").GetProperty("overdue").GetBoolean());
    }

    [SkippableFact]
    public async Task LearningCycle_BadInput_NamesTheField_AndSavesNothing()
    {
        var thale = await app.CoordinatorAsync("thale");
        var id = await thale.CreateRegionAsync("Eingaben Test");
        var field = await thale.AddFieldAsync(id, "Wasser");
        var path = $"/api/v1/regions/{id}/fields/{field}/learning-cycle/analyse";
        await thale.PutAsJsonAsync(path, new { status = "in-arbeit", reviewOn = "2030-01-01", note = "Bestand" }).OkAsync();

        await AssertRefusedAsync(() => thale.PutAsJsonAsync(path, new { status = "fertig" }), "status");
        await AssertRefusedAsync(() => thale.PutAsJsonAsync(path, new { reviewOn = "2030-01-01" }), "status");
        await AssertRefusedAsync(() => thale.PutAsJsonAsync(path, new { status = "offen", reviewOn = "9999-12-31" }), "reviewOn");
        await AssertRefusedAsync(() => thale.PutAsJsonAsync(path, new { status = "offen", reviewOn = "1999-12-31" }), "reviewOn");
        await AssertRefusedAsync(() => Raw(thale, HttpMethod.Put, path, """{"status":"offen","reviewOn":"2026-02-30"}"""), "reviewOn");
        await AssertRefusedAsync(() => Raw(thale, HttpMethod.Put, path, """{"status":"offen","reviewOn":"31.12.2026"}"""), "reviewOn");
        await AssertRefusedAsync(() => thale.PutAsJsonAsync(path, new { status = "offen", note = new string('x', 4001) }), "note");
        await AssertRefusedAsync(() => thale.PutAsJsonAsync(path, new { status = "offen", note = "a\u0000b" }), "note");
        await AssertRefusedAsync(() => Raw(thale, HttpMethod.Put, path, """{"status":"offen","faellig":"2030-01-01"}"""), "faellig");
        await AssertRefusedAsync(() => Raw(thale, HttpMethod.Put, path, """{"status":"offen","status":"abgeschlossen"}"""), "status");

        var step = (await thale.FieldAsync(id, field)).Step("analyse");
        Assert.Equal("in-arbeit", step.GetProperty("status").GetString());
        Assert.Equal("2030-01-01", step.GetProperty("reviewOn").GetString());
        Assert.Equal("Bestand", step.GetProperty("note").GetString());
    }

    [SkippableFact]
    public async Task Create_BadInput_NamesTheField_AndSavesNothing()
    {
        var thale = await app.CoordinatorAsync("thale");
        await AssertRefusedAsync(() => thale.PostAsJsonAsync("/api/v1/regions", new { }), "name");
        await AssertRefusedAsync(() => thale.PostAsJsonAsync("/api/v1/regions", new { name = "Raum\u202Egnuhcer" }), "name");
        await AssertRefusedAsync(() => thale.PostAsJsonAsync("/api/v1/regions", new { name = "Raum", description = new string('x', 5001) }), "description");
        await AssertRefusedAsync(() => Raw(thale, HttpMethod.Post, "/api/v1/regions", """{"name":"Raum","kreis":"Harz"}"""), "kreis");
        await AssertRefusedAsync(() => Raw(thale, HttpMethod.Post, "/api/v1/regions", """{"name":5}"""), "name");
        await AssertRefusedAsync(() => Raw(thale, HttpMethod.Post, "/api/v1/regions/1/fields/1/cooperations", """{"cooperationId":"12"}"""), "cooperationId");
    }

    [SkippableFact]
    public async Task DemoRegion_HasTheVorderpfalzPartners_SpeyerCoordinating_AndOneOverdueReview()
    {
        var regionId = await app.DemoRegionIdAsync();
        var speyer = await app.CoordinatorAsync("speyer");
        var region = await speyer.GetAsync($"/api/v1/regions/{regionId}").OkAsync();
        Assert.Equal([BackofficeFixture.Speyer], region.GetProperty("members").EnumerateArray().Where(m => m.GetProperty("role").GetString() == "koordinierend").Select(m => m.GetProperty("ags").GetString()));
        Assert.Equal(4, region.GetProperty("members").GetArrayLength());
        var fields = region.GetProperty("fields").EnumerateArray().ToList();
        Assert.Equal(["Fachkräfte und Personaleinsatz", "Digitalisierung der Antragsverfahren", "Wasser", "Wohnen", "Nahraum"], fields.Select(f => f.GetProperty("name").GetString()));
        Assert.Contains(fields[1].GetProperty("agreements").EnumerateArray(), a => a.GetProperty("title").GetString() == "Zweckvereinbarung gemeinsame Kfz-Zulassung Vorderpfalz");
        Assert.Equal(2, fields[0].GetProperty("agreements").GetArrayLength());
        var overdue = (await speyer.GetAsync("/api/v1/regions/overdue-reviews").OkAsync()).EnumerateArray().Where(o => o.GetProperty("regionId").GetInt64() == regionId).ToList();
        var planung = Assert.Single(overdue);
        Assert.Equal("planung", planung.GetProperty("step").GetString());
        Assert.Equal(14, planung.GetProperty("daysOverdue").GetInt32());
    }

    private static Task<HttpResponseMessage> Raw(HttpClient client, HttpMethod method, string path, string json) =>
        client.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
}

public sealed class RegionsApiTestsSqlite(SqliteApp app) : RegionsApiTests(app), IClassFixture<SqliteApp>;
public sealed class RegionsApiTestsPostgres(PostgresApp app) : RegionsApiTests(app), IClassFixture<PostgresApp>;
