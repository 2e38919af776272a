using Dapper;
using OpenIkz.Registry.Cooperations;
using OpenIkz.Registry.Statistics;
using static OpenIkz.Tests.Registry.StatisticsDatabase;

namespace OpenIkz.Tests.Registry;

/// <summary>
/// What migration 0009 adds for the register's speed stays true to the data, on SQLite and PostgreSQL: the word index
/// follows every write, partner rows exist only for unlinked entries, and the kept statistics are computed anew after
/// any write that changes them (entries, partners, agreements, the directory) and only then. The tests of one class
/// run in order on one database (the data set of <see cref="StatisticsDatabase"/>) and each assert changes they make.
/// </summary>
public abstract class RegistryDerivedDataTests(StatisticsDatabase data)
{
    private CooperationQueries Search => new(data.Db);

    private async Task<IReadOnlyList<string>> TitlesAsync(params string[] words) =>
        (await Search.SearchAsync(new CooperationFilter(words, PageSize: 100))).Items.Select(i => i.Title).ToList();

    [SkippableFact]
    public async Task WordIndex_FollowsInsertUpdateAndDelete()
    {
        var id = await StatisticsTestData.EntryAsync(data.Db, new("archiv", "geplant", "oeffentlich-rechtliche-vereinbarung", [Ahaus, Bstadt]), "Gemeinsames Magazinwesen");
        Assert.Equal(["Gemeinsames Magazinwesen"], await TitlesAsync("magazin"));
        Assert.Equal(["Gemeinsames Magazinwesen"], await TitlesAsync("gazinwe", "gemein"));   // infix, both words

        await data.Db.ExecuteAsync("UPDATE registry_cooperations SET title = 'Digitales Depot', title_search = 'digitales depot beschreibung' WHERE id = @Id", new { Id = id });
        Assert.Empty(await TitlesAsync("magazin"));
        Assert.Equal(["Digitales Depot"], await TitlesAsync("depot"));

        await data.Db.ExecuteAsync("DELETE FROM registry_cooperations WHERE id = @Id", new { Id = id });
        Assert.Empty(await TitlesAsync("depot"));
    }

    [SkippableFact]
    public async Task WordSearch_ShortWordsAndWildcardsMatchLiterally()
    {
        var id = await StatisticsTestData.EntryAsync(data.Db, new("archiv", "geplant", "oeffentlich-rechtliche-vereinbarung", [Ahaus, Bstadt]), "Quote 50% im IT_Verbund");
        Assert.Equal(["Quote 50% im IT_Verbund"], await TitlesAsync("50%"));      // '%' is a character, not a wildcard
        Assert.Equal(["Quote 50% im IT_Verbund"], await TitlesAsync("it_v"));
        Assert.Empty(await TitlesAsync("5%0"));
        Assert.Empty(await TitlesAsync("it%verbund"));
        Assert.Contains("Quote 50% im IT_Verbund", await TitlesAsync("im"));      // two characters: below the trigram, still found
        Assert.Equal(["Quote 50% im IT_Verbund"], await TitlesAsync("it_verbund", "quote", "50%"));   // several words: all must occur
        Assert.Empty(await TitlesAsync("it_verbund", "quote", "60%"));
        var quoted = await StatisticsTestData.EntryAsync(data.Db, new("archiv", "geplant", "oeffentlich-rechtliche-vereinbarung", [Ahaus, Bstadt]), "Das \"Depot\" im Kreis");
        Assert.Equal(["Das \"Depot\" im Kreis"], await TitlesAsync("\"depot\""));   // a double quote is a character, not FTS syntax
        Assert.Empty(await TitlesAsync("\"depot\"\""));
        Assert.Equal(["Das \"Depot\" im Kreis"], await TitlesAsync("\"depot\"", "im"));
        await data.Db.ExecuteAsync("DELETE FROM registry_cooperations WHERE id = @Id", new { Id = quoted });
        await data.Db.ExecuteAsync("DELETE FROM registry_cooperations WHERE id = @Id", new { Id = id });
    }

    [SkippableFact]
    public async Task PartnerRows_ExistOnlyForUnlinkedEntries()
    {
        var agreement = await StatisticsTestData.AgreementAsync(data.Db, "active", [Ahaus, Cstadt]);
        var id = await StatisticsTestData.EntryAsync(data.Db, new("tourismus-wirtschaft", "geplant", "oeffentlich-rechtliche-vereinbarung", [Dorf, Eheim]), "Verlinkt später");
        await data.Db.ExecuteAsync("UPDATE registry_cooperations SET agreement_id = @A WHERE id = @Id", new { A = agreement, Id = id });
        Assert.Equal(0, await data.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM registry_partners WHERE cooperation_id = @Id", new { Id = id }));
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() =>
            data.Db.ExecuteAsync("INSERT INTO registry_partners (cooperation_id, ags, role) VALUES (@Id, @Ags, 'partner')", new { Id = id, Ags = Dorf }));
        // The search follows the agreement's members: Cstadt finds it, Dorf (its partner before linking) does not.
        var byCstadt = await Search.SearchAsync(new CooperationFilter([], Municipality: Cstadt, PageSize: 100));
        var byDorf = await Search.SearchAsync(new CooperationFilter([], Municipality: Dorf, PageSize: 100));
        Assert.Contains(byCstadt.Items, i => i.Id == id);
        Assert.DoesNotContain(byDorf.Items, i => i.Id == id);
        Assert.Contains(byCstadt.Items.Single(i => i.Id == id).Partners, p => p.Ags == Ahaus);
        await data.Db.ExecuteAsync("DELETE FROM registry_cooperations WHERE id = @Id", new { Id = id });
    }

    [SkippableFact]
    public async Task SearchPaths_AgreeWithTheViewsOnTotalAndPage()
    {
        // A linked entry (partners from its agreement) and an unlinked one, both with the word, so that every branch counts.
        var agreement = await StatisticsTestData.AgreementAsync(data.Db, "active", [Ahaus, Cstadt]);
        var linked = await StatisticsTestData.EntryAsync(data.Db, new("archiv", "geplant", "oeffentlich-rechtliche-vereinbarung", [Dorf, Eheim]), "Pfadprobe verlinkt");
        await data.Db.ExecuteAsync("UPDATE registry_cooperations SET agreement_id = @A WHERE id = @Id", new { A = agreement, Id = linked });
        var own = await StatisticsTestData.EntryAsync(data.Db, new("archiv", "geplant", "oeffentlich-rechtliche-vereinbarung", [Dorf, Eheim]), "Pfadprobe eigen");
        var filters = new[]
        {
            new CooperationFilter([], State: "NW", PageSize: 3),
            new CooperationFilter([], State: "NW", PageSize: 3, Page: 2),
            new CooperationFilter(["pfadprobe"], State: "NW", PageSize: 1),
            new CooperationFilter(["pfadprobe"], State: "NW", PageSize: 1, Page: 2),
            new CooperationFilter(["pfadprobe"], State: "RP"),
            new CooperationFilter(["pfadprobe", "eigen"], State: "NW"),
            new CooperationFilter(["pfadprobe"]),
            new CooperationFilter(["pfadprobe"], PageSize: 1, Page: 2),
            new CooperationFilter(["pfadprobe", "ei"]),
            new CooperationFilter([], State: "NW", District: Beta),
            new CooperationFilter([], Municipality: Cstadt, Status: "geplant"),
        };
        await using var c = await data.Db.OpenAsync();
        foreach (var f in filters)
        {
            var s = CooperationSearch.Build(f, data.Db.Kind);
            var total = await c.ExecuteScalarAsync<long>(s.CountSql, s.Parameters);
            var page = (await c.QueryAsync<long>("SELECT id FROM (" + s.PageSql + ") x", s.Parameters)).ToList();
            var result = await Search.SearchAsync(f);
            Assert.Equal(total, result.Total);
            Assert.Equal(page, result.Items.Select(i => i.Id).ToList());
            if (s.IdsSql is not null)
            {
                var all = (await c.QueryAsync<long>(s.IdsSql, s.Parameters)).ToList();
                Assert.Equal(total, all.Count);
                Assert.Equal(page, all.Skip((f.Page - 1) * f.PageSize).Take(f.PageSize).ToList());
            }
            if (f.State is { } state && f.Words.Count == 0 && f.District is null)
                Assert.Equal(await c.ExecuteScalarAsync<long>(
                    "SELECT COUNT(DISTINCT p.cooperation_id) FROM registry_entry_partners p JOIN municipalities m ON m.ags = p.ags WHERE m.state = @State", new { State = state }), total);
        }
        Assert.Equal([own, linked], (await Search.SearchAsync(new CooperationFilter(["pfadprobe"], State: "NW"))).Items.Select(i => i.Id).ToList());
        Assert.Empty((await Search.SearchAsync(new CooperationFilter(["pfadprobe"], State: "RP"))).Items);
        await data.Db.ExecuteAsync("DELETE FROM registry_cooperations WHERE id IN (@A, @B)", new { A = linked, B = own });
    }

    [SkippableFact]
    public async Task PartnerFilters_FollowTheDirectory()
    {
        var id = await StatisticsTestData.EntryAsync(data.Db, new("archiv", "geplant", "oeffentlich-rechtliche-vereinbarung", [Dorf, Eheim]), "Umzug");
        async Task<bool> FoundAsync(string? state = null, string? district = null) =>
            (await Search.SearchAsync(new CooperationFilter([], State: state, District: district, PageSize: 100))).Items.Any(i => i.Id == id);
        Assert.True(await FoundAsync(district: Beta));
        Assert.False(await FoundAsync(district: Gamma));
        // Eheim moves to Kreis Gamma (a GV100 import after a territorial reform): the partner rows follow.
        await data.Db.ExecuteAsync("UPDATE municipalities SET district_ags = @Gamma WHERE ags = @Eheim", new { Gamma, Eheim });
        Assert.True(await FoundAsync(district: Gamma));
        Assert.True(await FoundAsync(district: Beta));              // Dorf is still in Beta
        Assert.True(await FoundAsync(state: "NW"));
        Assert.False(await FoundAsync(state: "RP"));
        await data.Db.ExecuteAsync("UPDATE municipalities SET district_ags = @Beta WHERE ags = @Eheim", new { Beta, Eheim });
        Assert.False(await FoundAsync(district: Gamma));
        await data.Db.ExecuteAsync("DELETE FROM registry_cooperations WHERE id = @Id", new { Id = id });
    }

    [SkippableFact]
    public async Task Statistics_AreKeptUntilAWriteChangesThem()
    {
        var cache = new RegistryStatisticsCache();
        var statistics = new RegistryStatisticsQueries(data.Db, TimeProvider.System, cache);
        var filter = new StatisticsFilter("NW");
        var first = await statistics.ComputeAsync(filter);
        var again = await statistics.ComputeAsync(filter);
        Assert.Same(first, again);
        Assert.Equal(1, cache.Computations);
        await statistics.ComputeAsync(new StatisticsFilter("RP"));
        Assert.Equal(2, cache.Computations);                       // one entry per scope

        // A new entry: computed anew, and counted.
        var id = await StatisticsTestData.EntryAsync(data.Db, new("soziales", "umgesetzt", "zweckvereinbarung", [Ahaus, Dorf]), "Neu im Register");
        var afterInsert = await statistics.ComputeAsync(filter);
        Assert.Equal(3, cache.Computations);
        Assert.Equal(first.Entries + 1, afterInsert.Entries);

        // An agreement's status (a linked entry takes it live): terminating it turns the entry into a rollback.
        var agreement = await StatisticsTestData.AgreementAsync(data.Db, "active", [Bstadt, Gstadt]);
        var linked = await StatisticsTestData.EntryAsync(data.Db, new("recht", "geplant", "oeffentlich-rechtliche-vereinbarung", [], AgreementId: agreement), "Verknüpft");
        var beforeTermination = await statistics.ComputeAsync(filter);
        await data.Db.ExecuteAsync("UPDATE agreements SET status = 'terminated', termination_reason = 'wirtschaftlichkeit', valid_to = @To WHERE id = @Id",
            new { Id = agreement, To = new DateOnly(2026, 6, 30) });
        var afterTermination = await statistics.ComputeAsync(filter);
        Assert.Equal(beforeTermination.Rollbacks.Entries + 1, afterTermination.Rollbacks.Entries);

        // The directory: a new municipality in NW counts.
        await StatisticsTestData.MunicipalityAsync(data.Db, "05903002", "Jdorf", "gemeinde", "NW", Gamma, 4_000);
        Assert.Equal(afterTermination.Municipalities + 1, (await statistics.ComputeAsync(filter)).Municipalities);

        // A statement that changes nothing counts nothing: the kept result stays.
        var computations = cache.Computations;
        await data.Db.ExecuteAsync("UPDATE agreements SET status = 'active' WHERE id = -1");
        await statistics.ComputeAsync(filter);
        Assert.Equal(computations, cache.Computations);

        await data.Db.ExecuteAsync("DELETE FROM registry_cooperations WHERE id IN (@A, @B)", new { A = id, B = linked });
        await data.Db.ExecuteAsync("DELETE FROM municipalities WHERE ags = '05903002'");
        Assert.Equal(first.Entries, (await statistics.ComputeAsync(filter)).Entries);
    }
}

public sealed class RegistryDerivedDataTestsSqlite(SqliteStatisticsDatabase data) : RegistryDerivedDataTests(data), IClassFixture<SqliteStatisticsDatabase>;
public sealed class RegistryDerivedDataTestsPostgres(PostgresStatisticsDatabase data) : RegistryDerivedDataTests(data), IClassFixture<PostgresStatisticsDatabase>;
