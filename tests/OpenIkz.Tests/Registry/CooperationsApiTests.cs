using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenIkz.Tests.Infrastructure;
using static OpenIkz.Tests.Backoffice.Agreements;

namespace OpenIkz.Tests.Registry;

/// <summary>The register over HTTP: entries, search, linked entries, open data, and every refusal. Runs on SQLite and on PostgreSQL.</summary>
public abstract class CooperationsApiTests(OpenIkzApp fixture)
{
    private OpenIkzApp app => fixture.Require();

    public const string LandkreisHarz = "15085", Ballenstedt = "15085040", Falkenstein = "15085110", Osterwieck = "15085230";

    /// <summary>A valid entry of Harz municipalities under GKG-LSA; <paramref name="change"/> alters it for a case.</summary>
    public static Dictionary<string, object?> Entry(string title, string[] partners, Action<Dictionary<string, object?>>? change = null)
    {
        var entry = new Dictionary<string, object?>
        {
            ["title"] = title,
            ["description"] = "Gemeinsame Bearbeitung in einem Team; die Verantwortung bleibt bei jeder Kommune.",
            ["taskField"] = "personal",
            ["stateLaw"] = "gkg-lsa",
            ["legalForm"] = "zweckvereinbarung",
            ["partners"] = partners.Select((ags, i) => new Dictionary<string, object?> { ["ags"] = ags, ["role"] = i == 0 ? "federfuehrend" : "partner" }).ToArray(),
            ["since"] = 2021,
            ["status"] = "umgesetzt",
            ["goals"] = new[] { "wirtschaftlichkeit", "fachkraeftemangel" },
            ["successFactors"] = new[] { "vertrauen" },
            ["obstacles"] = Array.Empty<string>(),
            ["oneOffCost"] = "12.500,00",
            ["yearlyCostBefore"] = 80000.5m,
            ["yearlyCostAfter"] = "61000.00",
            ["fteBefore"] = 2.5m,
            ["fteAfter"] = "1,75",
            ["contactMailbox"] = "ikz@thale.example",
            ["sources"] = new[] { "Ratsbeschluss vom 12.03.2021" },
        };
        change?.Invoke(entry);
        return entry;
    }

    private Task<HttpClient> CoordinatorAsync(string prefix) => app.ApiAsAsync(prefix + ".koordination");

    private static async Task<long> CreateAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/api/v1/registry/cooperations", body);
        var json = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, json.ToString());
        var id = json.GetProperty("id").GetInt64();
        Assert.Equal($"/api/v1/registry/cooperations/{id}", response.Headers.Location?.OriginalString);
        return id;
    }

    private Task<long> CountAsync() => app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM registry_cooperations");

    private async Task<JsonElement> SearchAsync(string query)
    {
        var response = await app.Api().GetAsync("/api/v1/registry/cooperations?" + query);
        var json = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, json.ToString());
        return json;
    }

    private static string Unique(string word) => word + Guid.NewGuid().ToString("N")[..10];

    [SkippableFact]
    public async Task Demo_HoldsTheSeedEntries_WithTheirPartnersAndSources()
    {
        var all = await SearchAsync("pageSize=100");
        Assert.True(all.GetProperty("total").GetInt32() >= 29, all.ToString());
        var lippe = await SearchAsync("q=" + Uri.EscapeDataString("Rechtsagentur Lippe"));
        var item = Assert.Single(lippe.GetProperty("items").EnumerateArray());
        Assert.Equal("recht", item.GetProperty("taskField").GetString());
        Assert.Equal("gkg-nrw", item.GetProperty("stateLaw").GetString());
        Assert.Equal("oeffentlich-rechtliche-vereinbarung", item.GetProperty("legalForm").GetString());
        Assert.Equal(2012, item.GetProperty("since").GetInt32());
        Assert.Equal(11, item.GetProperty("partners").GetArrayLength());
        Assert.Contains(item.GetProperty("partners").EnumerateArray(), p => p.GetProperty("ags").GetString() == "05766" && p.GetProperty("name").GetString() == "Kreis Lippe");

        var details = await (await app.Api().GetAsync($"/api/v1/registry/cooperations/{item.GetProperty("id").GetInt64()}")).ReadJsonAsync();
        Assert.Contains("1.3.3.2", details.GetProperty("sources")[0].GetString());
        Assert.Equal("Wirtschaftlichkeit", details.GetProperty("goals")[0].GetProperty("label").GetString());

        // The Vorderpfalz pilot whose demo agreement was terminated is rolled back, live, with the agreement's reason.
        var basic = Assert.Single((await SearchAsync("q=Grundsicherung+Vorderpfalz")).GetProperty("items").EnumerateArray());
        var linked = await (await app.Api().GetAsync($"/api/v1/registry/cooperations/{basic.GetProperty("id").GetInt64()}")).ReadJsonAsync();
        Assert.True(linked.GetProperty("linked").GetBoolean());
        Assert.Equal("rueckabgewickelt", linked.GetProperty("status").GetString());
        Assert.Equal("personalmangel", linked.GetProperty("rollbackReason").GetString());
        Assert.Equal(2, linked.GetProperty("partners").GetArrayLength());

        // Herxheim and Offenbach an der Queich (Verbandsgemeinden, 9-digit keys): one entry per field the source names.
        var herxheim = await SearchAsync("municipality=073375004&pageSize=10");
        Assert.Equal(5, herxheim.GetProperty("total").GetInt32());
    }

    [SkippableFact]
    public async Task TaskFields_ListTheGpaNrwFieldsFirst()
    {
        var fields = await (await app.Api().GetAsync("/api/v1/registry/task-fields")).ReadJsonAsync();
        var labels = fields.EnumerateArray().Select(f => f.GetProperty("label").GetString()).ToList();
        Assert.Equal(["IT, E-Government", "Kultur und Wissenschaft", "Ver- und Entsorgung", "Personal", "Tourismus, Wirtschaftsförderung, Gewerbe",
            "Beschaffung und Vergabe", "Soziales", "Archiv"], labels.Take(8));
        Assert.Contains("Sonstiges", labels);
    }

    [SkippableFact]
    public async Task Create_Get_Update_WithVersion_AndTheRolesThatMayNot()
    {
        var thale = await CoordinatorAsync("thale");
        var title = Unique("Lohnbuchhaltung Harz ");
        var id = await CreateAsync(thale, Entry(title, [Thale, Wernigerode]));
        var entry = await (await app.Api().GetAsync($"/api/v1/registry/cooperations/{id}")).ReadJsonAsync();
        Assert.Equal(title, entry.GetProperty("title").GetString());
        Assert.Equal("Personal", entry.GetProperty("taskFieldLabel").GetString());
        Assert.Equal("federfuehrend", entry.GetProperty("partners")[0].GetProperty("role").GetString());
        Assert.Equal(Thale, entry.GetProperty("partners")[0].GetProperty("ags").GetString());
        Assert.Equal(12500.00m, entry.GetProperty("oneOffCost").GetDecimal());
        Assert.Equal("12500.00", entry.GetProperty("oneOffCost").GetRawText());
        Assert.Equal("80000.50", entry.GetProperty("yearlyCostBefore").GetRawText());
        Assert.Equal("1.75", entry.GetProperty("fteAfter").GetRawText());
        Assert.Equal("ikz@thale.example", entry.GetProperty("contactMailbox").GetString());
        Assert.Equal(1, entry.GetProperty("version").GetInt32());
        Assert.Equal(Thale, entry.GetProperty("createdByAgs").GetString());

        // A partner's coordinator changes it; the version read is sent back.
        var wernigerode = await CoordinatorAsync("wernigerode");
        var changed = await wernigerode.PutAsJsonAsync($"/api/v1/registry/cooperations/{id}", Entry(title + " (erweitert)", [Thale, Wernigerode, Halberstadt], e =>
        {
            e["version"] = 1;
            e["status"] = "rueckabgewickelt";
            e["rollbackReason"] = "wirtschaftlichkeit";
            e["rollbackYear"] = 2024;
        }));
        var after = await changed.ReadJsonAsync();
        Assert.True(changed.StatusCode == HttpStatusCode.OK, after.ToString());
        Assert.Equal(2, after.GetProperty("version").GetInt32());
        Assert.Equal(3, after.GetProperty("partners").GetArrayLength());
        Assert.Equal("Wirtschaftlichkeit", after.GetProperty("rollbackReasonLabel").GetString());

        // The same stale version again: someone else changed it in between.
        var stale = await (await thale.PutAsJsonAsync($"/api/v1/registry/cooperations/{id}", Entry(title, [Thale, Wernigerode], e => e["version"] = 1))).AssertProblemAsync(409);
        Assert.Equal("VersionConflict", stale.GetProperty("rule").GetString());

        // Not a partner: 403 (the entry is public, so it is not hidden); not a coordinator: 403; not signed in: 401; unknown: 404.
        var osterwieck = await CoordinatorAsync("osterwieck");
        await (await osterwieck.PutAsJsonAsync($"/api/v1/registry/cooperations/{id}", Entry(title, [Osterwieck, Thale]))).AssertProblemAsync(403);
        var clerk = await app.ApiAsAsync("thale.sachbearbeitung");
        await (await clerk.PutAsJsonAsync($"/api/v1/registry/cooperations/{id}", Entry(title, [Thale, Wernigerode]))).AssertProblemAsync(403);
        await (await clerk.PostAsJsonAsync("/api/v1/registry/cooperations", Entry(title, [Thale, Wernigerode]))).AssertProblemAsync(403);
        await (await app.Api().PostAsJsonAsync("/api/v1/registry/cooperations", Entry(title, [Thale, Wernigerode]))).AssertProblemAsync(401);
        await (await thale.PutAsJsonAsync("/api/v1/registry/cooperations/987654321", Entry(title, [Thale, Wernigerode]))).AssertProblemAsync(404);
        await (await app.Api().GetAsync("/api/v1/registry/cooperations/987654321")).AssertProblemAsync(404);
        Assert.Equal(title + " (erweitert)", (await (await app.Api().GetAsync($"/api/v1/registry/cooperations/{id}")).ReadJsonAsync()).GetProperty("title").GetString());
    }

    [SkippableFact]
    public async Task AMunicipalityAndItsOwnDistrict_AreEnoughPartners()
    {
        var thale = await CoordinatorAsync("thale");
        var id = await CreateAsync(thale, Entry(Unique("Kreisarchiv Harz "), [LandkreisHarz, Thale], e => e["taskField"] = "archiv"));
        var entry = await (await app.Api().GetAsync($"/api/v1/registry/cooperations/{id}")).ReadJsonAsync();
        Assert.Equal(2, entry.GetProperty("partners").GetArrayLength());
    }

    [SkippableFact]
    public async Task Search_FoldsTheQuery_Filters_AndPages_InAStableOrder()
    {
        var thale = await CoordinatorAsync("thale");
        var tag = Unique("suchtest");
        var ids = new List<long>
        {
            await CreateAsync(thale, Entry($"Überörtliche Prüfung {tag} A", [Thale, Wernigerode], e => e["taskField"] = "rechnungspruefung")),
            await CreateAsync(thale, Entry($"Straßenreinigung {tag} B", [Thale, LandkreisHarz], e => { e["taskField"] = "ver-entsorgung"; e["status"] = "geplant"; })),
            await CreateAsync(thale, Entry($"Bauhof {tag} C", [Thale, Halberstadt], e => { e["taskField"] = "ver-entsorgung"; e["legalForm"] = "arbeitsgemeinschaft"; })),
            await CreateAsync(thale, Entry($"100% Digital {tag} D", [Thale, Quedlinburg], e => e["description"] = "Ein Rabatt von 50_ Prozent auf alles.")),
        };

        async Task<List<long>> Ids(string query) =>
            (await SearchAsync((query.StartsWith("q=", StringComparison.Ordinal) ? "" : $"q={tag}&") + $"pageSize=100&{query}")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ToList();

        // Folded: "ueberoertlich" finds "Überörtliche"; words may come in any order and case.
        Assert.Equal([ids[0]], await Ids("q=" + Uri.EscapeDataString($"UEBERÖRTLICHE {tag}")));
        Assert.Equal([ids[1]], await Ids("q=" + Uri.EscapeDataString($"{tag} strassenreinigung")));
        // LIKE wildcards in the query match literally.
        Assert.Equal([ids[3]], await Ids("q=" + Uri.EscapeDataString($"{tag} 100%")));
        Assert.Equal([ids[3]], await Ids("q=" + Uri.EscapeDataString($"{tag} 50_")));
        Assert.Empty(await Ids("q=" + Uri.EscapeDataString($"{tag} 1_0")));
        // Newest first.
        Assert.Equal(ids.AsEnumerable().Reverse(), await Ids(""));

        Assert.Equal([ids[2], ids[1]], await Ids("taskField=ver-entsorgung"));
        Assert.Equal([ids[1]], await Ids("status=geplant"));
        Assert.Equal([ids[2]], await Ids("legalForm=arbeitsgemeinschaft"));
        Assert.Equal([ids[2]], await Ids($"municipality={Halberstadt}"));
        Assert.Equal([ids[1]], await Ids($"municipality={LandkreisHarz}"));
        // district: a partner in the district, or the district itself; state: a partner in the state.
        Assert.Equal(ids.AsEnumerable().Reverse(), await Ids($"district={LandkreisHarz}"));
        Assert.Equal(ids.AsEnumerable().Reverse(), await Ids("state=ST"));
        Assert.Equal(ids.AsEnumerable().Reverse(), await Ids("state=Sachsen-Anhalt"));
        Assert.Empty(await Ids("state=NW"));
        Assert.Empty(await Ids("district=05766"));

        // Pages of two: disjoint, in order, the same total on every page.
        var first = await SearchAsync($"q={tag}&pageSize=2&page=1");
        var second = await SearchAsync($"q={tag}&pageSize=2&page=2");
        var third = await SearchAsync($"q={tag}&pageSize=2&page=3");
        Assert.All(new[] { first, second, third }, p => Assert.Equal(4, p.GetProperty("total").GetInt32()));
        var paged = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).Select(i => i.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(ids.AsEnumerable().Reverse(), paged);
        Assert.Equal(0, third.GetProperty("items").GetArrayLength());

        // Items carry what the issue lists.
        var item = first.GetProperty("items")[0];
        foreach (var property in new[] { "id", "title", "taskField", "stateLaw", "legalForm", "status", "since", "partners" }) Assert.True(item.TryGetProperty(property, out _), property);
        foreach (var property in new[] { "ags", "name", "role" }) Assert.True(item.GetProperty("partners")[0].TryGetProperty(property, out _), property);
    }

    [SkippableTheory]
    [InlineData("taskField=kochen", "taskField")]
    [InlineData("legalForm=gmbh", "legalForm")]
    [InlineData("status=fertig", "status")]
    [InlineData("state=XX", "state")]
    [InlineData("district=123", "district")]
    [InlineData("district=99999", "district")]
    [InlineData("district=15085330", "district")]
    [InlineData("municipality=abc", "municipality")]
    [InlineData("municipality=15099999", "municipality")]
    [InlineData("page=0", "page")]
    [InlineData("page=abc", "page")]
    [InlineData("pageSize=101", "pageSize")]
    [InlineData("q=%E2%80%AEfdp", "q")]
    public async Task Search_RefusesABadFilterValue_NamingTheParameter(string query, string parameter)
    {
        var problem = await (await app.Api().GetAsync("/api/v1/registry/cooperations?" + query)).AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out var messages), problem.ToString());
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
    }

    public static TheoryData<string, string> BadEntries => new()
    {
        { "taskField", """{"taskField":"kochen"}""" },
        { "taskField", """{"taskField":null}""" },
        { "legalForm", """{"legalForm":"gmbh"}""" },
        { "legalForm", """{"legalForm":"gemeinsames-kommunalunternehmen"}""" }, // an NRW form, not under GKG-LSA
        { "stateLaw", """{"stateLaw":"bay-kommzg"}""" },
        { "status", """{"status":"fertig"}""" },
        { "goals", """{"goals":["glueck"]}""" },
        { "successFactors", """{"successFactors":["zufall"]}""" },
        { "obstacles", """{"obstacles":["wetter"]}""" },
        { "rollbackReason", """{"status":"rueckabgewickelt","rollbackReason":"langeweile","rollbackYear":2024}""" },
        { "rollbackReason", """{"status":"rueckabgewickelt","rollbackYear":2024}""" },
        { "rollbackYear", """{"status":"rueckabgewickelt","rollbackReason":"personalmangel"}""" },
        { "rollbackYear", """{"status":"rueckabgewickelt","rollbackReason":"personalmangel","rollbackYear":2019}""" }, // before the start (2021)
        { "rollbackReason", """{"rollbackReason":"personalmangel"}""" }, // not rolled back
        { "rollbackYear", """{"rollbackYear":2024}""" },
        { "since", """{"since":1850}""" },
        { "partners[1].ags", """{"partners":[{"ags":"15085330"},{"ags":"15099999"}]}""" },
        { "partners[1].ags", """{"partners":[{"ags":"15085330"},{"ags":"15085330"}]}""" },
        { "partners[1].ags", """{"partners":[{"ags":"15085330"},{"ags":"05766"}]}""" }, // Kreis Lippe is not under GKG-LSA
        { "partners[1].role", """{"partners":[{"ags":"15085330"},{"ags":"15085370","role":"chef"}]}""" },
        { "partners", """{"partners":[{"ags":"15085330"}]}""" },
        { "partners", """{"partners":[{"ags":"15085370"},{"ags":"15085135"}]}""" }, // the writer's own municipality is not a partner
        { "title", """{"title":""}""" },
        { "title", "{\"title\":\"" + new string('T', 201) + "\"}" },
        { "title", """{"title":"Rechnung\u202Efdp.exe"}""" },
        { "description", "{\"description\":\"" + new string('d', 5001) + "\"}" },
        { "contactMailbox", """{"contactMailbox":"Max Mustermann <max@thale.example>"}""" },
        { "contactMailbox", """{"contactMailbox":"ikz@thale"}""" },
        { "sources", """{"sources":[]}""" },
        { "sources[0]", "{\"sources\":[\"" + new string('q', 501) + "\"]}" },
        { "oneOffCost", """{"oneOffCost":-1}""" },
        { "oneOffCost", """{"oneOffCost":"12,345"}""" },
        { "yearlyCostBefore", """{"yearlyCostBefore":"viel"}""" },
        { "yearlyCostAfter", """{"yearlyCostAfter":2000000000}""" },
        { "fteBefore", """{"fteBefore":"-0,5"}""" },
        { "fteAfter", """{"fteAfter":1.005}""" },
        { "agreementId", """{"agreementId":987654321,"partners":null,"status":null,"since":null}""" },
    };

    [SkippableTheory]
    [MemberData(nameof(BadEntries))]
    public async Task Create_RefusesBadInput_NamingTheField_AndStoresNothing(string field, string patch)
    {
        var thale = await CoordinatorAsync("thale");
        var body = Entry("Fehlerfall", [Thale, Wernigerode]);
        foreach (var property in JsonDocument.Parse(patch).RootElement.EnumerateObject()) body[property.Name] = property.Value.Clone();
        var before = await CountAsync();
        var response = await thale.PostAsync("/api/v1/registry/cooperations", new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
        var problem = await response.AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), $"{patch}: {problem}");
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
        Assert.Equal(before, await CountAsync());
    }

    [SkippableFact]
    public async Task LinkedEntry_FollowsItsAgreementLive_AndRefusesItsFields()
    {
        var thale = await CoordinatorAsync("thale");
        var wernigerode = await CoordinatorAsync("wernigerode");
        var draft = await thale.PostAsJsonAsync("/api/v1/agreements", OpenIkz.Tests.Agreements.AgreementsApiTests.Draft([Thale, Wernigerode], service: "elterngeld", legalForm: "arbeitsgemeinschaft", transfers: false,
            validFrom: "2025-03-01", title: Unique("Elterngeld Thale Wernigerode ")));
        var agreementId = (await draft.ReadJsonAsync()).GetProperty("id").GetInt64();

        var title = Unique("Elterngeld im Verbund ");
        var body = Entry(title, [], e =>
        {
            e.Remove("partners");
            e.Remove("status");
            e.Remove("since");
            e.Remove("stateLaw");
            e.Remove("legalForm");
            e["taskField"] = "jugend-familie";
            e["agreementId"] = agreementId;
        });
        // Halberstadt is not a member of that agreement: the same answer as for one that does not exist.
        var outsider = await (await (await CoordinatorAsync("halberstadt")).PostAsJsonAsync("/api/v1/registry/cooperations", body)).AssertProblemAsync(400);
        Assert.True(outsider.GetProperty("errors").TryGetProperty("agreementId", out _));

        var id = await CreateAsync(thale, body);
        async Task<JsonElement> Get() => await (await app.Api().GetAsync($"/api/v1/registry/cooperations/{id}")).ReadJsonAsync();
        var draftEntry = await Get();
        Assert.True(draftEntry.GetProperty("linked").GetBoolean());
        Assert.Equal("geplant", draftEntry.GetProperty("status").GetString()); // the agreement is a draft
        Assert.Equal("gkg-lsa", draftEntry.GetProperty("stateLaw").GetString()); // taken from the agreement
        Assert.Equal("arbeitsgemeinschaft", draftEntry.GetProperty("legalForm").GetString());
        Assert.Equal([Thale, Wernigerode], draftEntry.GetProperty("partners").EnumerateArray().Select(p => p.GetProperty("ags").GetString()).Order().ToList());
        Assert.Equal("federfuehrend", draftEntry.GetProperty("partners").EnumerateArray().Single(p => p.GetProperty("ags").GetString() == Thale).GetProperty("role").GetString());

        // Both consent: an Arbeitsgemeinschaft needs no approval and is active from its start.
        Assert.True((await thale.PostAsJsonAsync($"/api/v1/agreements/{agreementId}/consent", new { })).IsSuccessStatusCode);
        Assert.True((await wernigerode.PostAsJsonAsync($"/api/v1/agreements/{agreementId}/consent", new { })).IsSuccessStatusCode);
        var active = await Get();
        Assert.Equal("umgesetzt", active.GetProperty("status").GetString());
        Assert.Equal(2025, active.GetProperty("since").GetInt32());
        Assert.Equal(1, (await SearchAsync($"q={Uri.EscapeDataString(title)}&status=umgesetzt&municipality={Wernigerode}")).GetProperty("total").GetInt32());

        // Terminated: the entry is rolled back, with the agreement's reason and end year.
        var end = BerlinTime.Today(app.Clock);
        var terminated = await thale.PostAsJsonAsync($"/api/v1/agreements/{agreementId}/termination", new { endDate = end.ToString("yyyy-MM-dd"), reason = "qualitaet" });
        Assert.True(terminated.IsSuccessStatusCode, await terminated.Content.ReadAsStringAsync());
        var rolledBack = await Get();
        Assert.Equal("rueckabgewickelt", rolledBack.GetProperty("status").GetString());
        Assert.Equal("qualitaet", rolledBack.GetProperty("rollbackReason").GetString());
        Assert.Equal(end.Year, rolledBack.GetProperty("rollbackYear").GetInt32());
        Assert.Equal(1, (await SearchAsync($"q={Uri.EscapeDataString(title)}&status=rueckabgewickelt")).GetProperty("total").GetInt32());

        // A linked entry's partners, status and years cannot be written: each refused by name, nothing changed.
        foreach (var (field, value) in new (string, object)[]
                 {
                     ("partners", new[] { new { ags = Thale }, new { ags = Halberstadt } }), ("status", "umgesetzt"), ("since", 2020),
                     ("rollbackReason", "personalmangel"), ("rollbackYear", 2026),
                 })
        {
            var put = Entry(title, [], e =>
            {
                e.Remove("partners");
                e.Remove("status");
                e.Remove("since");
                e["agreementId"] = agreementId;
                e[field] = value;
            });
            var problem = await (await wernigerode.PutAsJsonAsync($"/api/v1/registry/cooperations/{id}", put)).AssertProblemAsync(400);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{field}: {problem}");
        }
        Assert.Equal(1, (await Get()).GetProperty("version").GetInt32());
    }

    [SkippableFact]
    public async Task OpenData_CsvAndJson_OneRowPerEntry_WithLicenceAndAttribution()
    {
        var total = (await SearchAsync("pageSize=1")).GetProperty("total").GetInt32();
        var csv = await app.Api().GetAsync("/api/v1/registry/cooperations.csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Contains("rel=\"license\"", string.Join(",", csv.Headers.GetValues("Link")));
        var bytes = await csv.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var rows = ParseCsv(Encoding.UTF8.GetString(bytes[3..]));
        Assert.Equal("id", rows[0][0]);
        Assert.Equal(total, rows.Count - 1);
        var licence = Array.IndexOf(rows[0], "lizenz");
        var attribution = Array.IndexOf(rows[0], "namensnennung");
        var partners = Array.IndexOf(rows[0], "partner");
        Assert.All(rows.Skip(1), r =>
        {
            Assert.Equal(rows[0].Length, r.Length);
            Assert.StartsWith("CC BY 4.0", r[licence]);
            Assert.StartsWith("IKZ-Register OpenIKZ", r[attribution]);
        });
        var lippe = rows.Single(r => r[1] == "Interkommunale Rechtsagentur Lippe");
        Assert.Contains("Kreis Lippe (05766)", lippe[partners]);
        Assert.Contains(" | ", lippe[partners]);

        var json = await app.Api().GetAsync("/api/v1/registry/cooperations.json");
        Assert.Contains("rel=\"license\"", string.Join(",", json.Headers.GetValues("Link")));
        var doc = await json.ReadJsonAsync();
        Assert.Equal("CC BY 4.0", doc.GetProperty("licence").GetProperty("name").GetString());
        Assert.StartsWith("https://creativecommons.org/licenses/by/4.0", doc.GetProperty("licence").GetProperty("url").GetString());
        Assert.StartsWith("IKZ-Register OpenIKZ", doc.GetProperty("attribution").GetString());
        Assert.Equal(total, doc.GetProperty("count").GetInt32());
        Assert.Equal(total, doc.GetProperty("items").GetArrayLength());
        Assert.All(doc.GetProperty("items").EnumerateArray(), i => Assert.True(i.GetProperty("sources").GetArrayLength() > 0));
    }

    /// <summary>RFC 4180 with ';': quoted fields may hold ';', quotes (doubled) and line breaks.</summary>
    internal static List<string[]> ParseCsv(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else field.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ';') { row.Add(field.ToString()); field.Clear(); }
            else if (ch == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add([.. row]);
                row.Clear();
                i++;
            }
            else field.Append(ch);
        }
        if (field.Length > 0 || row.Count > 0) { row.Add(field.ToString()); rows.Add([.. row]); }
        return rows;
    }
}

public sealed class CooperationsApiTestsSqlite(SqliteApp app) : CooperationsApiTests(app), IClassFixture<SqliteApp>;
public sealed class CooperationsApiTestsPostgres(PostgresApp app) : CooperationsApiTests(app), IClassFixture<PostgresApp>;
