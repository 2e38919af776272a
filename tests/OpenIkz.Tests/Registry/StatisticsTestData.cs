using Dapper;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Registry;

/// <summary>
/// Writes directory rows, register entries (with partners and factors) and agreements with plain SQL, so that the
/// statistics tests do not depend on the register's write API. Keys are fictitious but well-formed.
/// </summary>
public static class StatisticsTestData
{
    public static Task MunicipalityAsync(Db db, string ags, string name, string type, string state, string? district, int population) =>
        db.ExecuteAsync("""
            INSERT INTO municipalities (ags, name, name_search, type, state, district_ags, population, area_ha, created_at)
            VALUES (@Ags, @Name, @Search, @Type, @State, @District, @Population, 1000, @Now)
            """, new { Ags = ags, Name = name, Search = SearchText.Fold(name), Type = type, State = state, District = district, Population = population, Now = DateTime.UtcNow });

    public sealed record Entry(string TaskField, string Status, string LegalForm, string[] Partners, string StateLaw = "gkg-nrw",
        string? RollbackReason = null, (string Kind, string Slug)[]? Factors = null, long? AgreementId = null);

    /// <summary>Inserts an entry, its own partner rows (the first leads) and its factors; returns its id.</summary>
    public static async Task<long> EntryAsync(Db db, Entry e, string title = "Testkooperation")
    {
        await using var connection = await db.OpenAsync();
        var id = await connection.ExecuteScalarAsync<long>("""
            INSERT INTO registry_cooperations (title, title_search, description, task_field, state_law, legal_form, status, rollback_reason, agreement_id, created_at, updated_at)
            VALUES (@Title, @Search, 'Beschreibung', @TaskField, @StateLaw, @LegalForm, @Status, @RollbackReason, @AgreementId, @Now, @Now)
            RETURNING id
            """, new { Title = title, Search = SearchText.Fold(title), e.TaskField, e.StateLaw, e.LegalForm, e.Status, e.RollbackReason, e.AgreementId, Now = DateTime.UtcNow });
        for (var i = 0; i < e.Partners.Length; i++)
            await connection.ExecuteAsync("INSERT INTO registry_partners (cooperation_id, ags, role) VALUES (@Id, @Ags, @Role)",
                new { Id = id, Ags = e.Partners[i], Role = i == 0 ? "federfuehrend" : "partner" });
        foreach (var (kind, slug) in e.Factors ?? [])
            await connection.ExecuteAsync("INSERT INTO registry_factors (cooperation_id, kind, slug) VALUES (@Id, @Kind, @Slug)", new { Id = id, Kind = kind, Slug = slug });
        return id;
    }

    /// <summary>An agreement with its members, in the given status; returns its id.</summary>
    public static async Task<long> AgreementAsync(Db db, string status, string[] members, string validFrom = "2020-01-01", string? validTo = null, string? terminationReason = null)
    {
        await using var connection = await db.OpenAsync();
        var id = await connection.ExecuteScalarAsync<long>("""
            INSERT INTO agreements (title, status, valid_from, valid_to, created_at, termination_reason, created_by_ags)
            VALUES ('Testvereinbarung', @Status, @From, @To, @Now, @Reason, @Creator)
            RETURNING id
            """, new
        {
            Status = status, From = DateOnly.Parse(validFrom, System.Globalization.CultureInfo.InvariantCulture),
            To = validTo is null ? (DateOnly?)null : DateOnly.Parse(validTo, System.Globalization.CultureInfo.InvariantCulture),
            Now = DateTime.UtcNow, Reason = terminationReason, Creator = members[0],
        });
        foreach (var ags in members)
            await connection.ExecuteAsync("INSERT INTO agreement_members (agreement_id, municipality_ags, contributes_cases, contributes_staff) VALUES (@Id, @Ags, @Yes, @Yes)",
                new { Id = id, Ags = ags, Yes = true });
        return id;
    }

    /// <summary>Marks <paramref name="old"/> as superseded by <paramref name="replacement"/> (an amendment that took effect).</summary>
    public static Task SupersedeAsync(Db db, long old, long replacement) =>
        db.ExecuteAsync("UPDATE agreements SET superseded_by_id = @New WHERE id = @Old", new { Old = old, New = replacement });
}

/// <summary>
/// A fresh, migrated database without demo data (SQLite file or PostgreSQL database) holding the constructed data set of
/// <see cref="RegistryStatisticsQueriesTests"/>, written once per test class.
/// </summary>
public abstract class StatisticsDatabase(TestDatabase kind) : IAsyncLifetime
{
    public const string Alpha = "05901", Ahaus = "05901001", Bstadt = "05901002", Cstadt = "05901003";
    public const string Beta = "05902", Dorf = "05902001", Eheim = "05902002";
    public const string Gamma = "05903", Gstadt = "05903001";
    public const string Hstadt = "05911000";
    public const string Delta = "07901", Idorf = "07901001";

    private readonly string _directory = TestEnvironment.NewTempDirectory("statistics");
    private string? _postgres;
    private Db? _db;

    public TestDatabase Kind { get; } = kind;

    /// <summary>The database; on PostgreSQL without a configured server this skips (or fails under OPENIKZ_REQUIRE_ALL_TESTS).</summary>
    public Db Db
    {
        get
        {
            if (Kind == TestDatabase.Postgres) TestEnvironment.RequirePostgres();
            return _db!;
        }
    }

    public async Task InitializeAsync()
    {
        if (Kind == TestDatabase.Postgres)
        {
            if (TestEnvironment.PostgresAdmin is null) return;
            _postgres = await TestEnvironment.CreatePostgresDatabaseAsync();
            _db = Db.ForPostgres(_postgres);
        }
        else _db = Db.ForSqlite(Path.Combine(_directory, "statistics.db"));
        await new MigrationRunner(_db).MigrateAsync();
        await SeedAsync(_db);
    }

    /// <summary>The data set whose statistics docs/REGISTRY.md and the tests compute by hand.</summary>
    private static async Task SeedAsync(Db db)
    {
        async Task M(string ags, string name, string type, string state, string? district, int population) =>
            await StatisticsTestData.MunicipalityAsync(db, ags, name, type, state, district, population);
        await M(Alpha, "Kreis Alpha", "landkreis", "NW", null, 300_000);
        await M(Ahaus, "Ahaus-Test", "gemeinde", "NW", Alpha, 10_000);
        await M(Bstadt, "Bstadt", "stadt", "NW", Alpha, 30_000);
        await M(Cstadt, "Cstadt", "stadt", "NW", Alpha, 70_000);
        await M(Beta, "Kreis Beta", "landkreis", "NW", null, 200_000);
        await M(Dorf, "Dorf", "gemeinde", "NW", Beta, 5_000);
        await M(Eheim, "Eheim", "gemeinde", "NW", Beta, 25_000);      // 25,000: still klein (mittel from 25,001)
        await M(Gamma, "Kreis Gamma", "landkreis", "NW", null, 250_000);
        await M(Gstadt, "Gstadt", "stadt", "NW", Gamma, 60_001);      // 60,001: groß
        await M(Hstadt, "Hstadt", "kreisfreie-stadt", "NW", null, 600_000);
        await M(Delta, "Kreis Delta", "landkreis", "RP", null, 120_000);
        await M(Idorf, "Idorf", "gemeinde", "RP", Delta, 8_000);

        static StatisticsTestData.Entry E(string field, string status, string form, string[] partners, string law = "gkg-nrw", string? reason = null, params (string, string)[] factors) =>
            new(field, status, form, partners, law, reason, factors);
        await StatisticsTestData.EntryAsync(db, E("it-e-government", "umgesetzt", "oeffentlich-rechtliche-vereinbarung", [Alpha, Ahaus, Bstadt], factors: [("ziel", "wirtschaftlichkeit"), ("ziel", "qualitaet"), ("erfolgsfaktor", "vertrauen")]));   // 1
        await StatisticsTestData.EntryAsync(db, E("it-e-government", "umgesetzt", "zweckverband", [Ahaus, Dorf], factors: [("ziel", "wirtschaftlichkeit")]));                                                                     // 2
        await StatisticsTestData.EntryAsync(db, E("it-e-government", "geplant", "kommunale-arbeitsgemeinschaft", [Ahaus, Cstadt]));                                                                                               // 3
        await StatisticsTestData.EntryAsync(db, E("kultur-wissenschaft", "umgesetzt", "informelle-kooperation", [Cstadt, Gstadt]));                                                                                              // 4
        await StatisticsTestData.EntryAsync(db, E("archiv", "in-umsetzung", "oeffentlich-rechtliche-vereinbarung", [Beta, Dorf, Eheim], factors: [("hindernis", "organisatorische-probleme")]));                                   // 5
        await StatisticsTestData.EntryAsync(db, E("personal", "rueckabgewickelt", "rechtsform-des-privatrechts", [Bstadt, Hstadt], reason: "personalmangel",
            factors: [("hindernis", "mangelnde-wirtschaftlichkeit"), ("hindernis", "interne-widerstaende")]));                                                                                                                     // 6
        await StatisticsTestData.EntryAsync(db, E("personal", "rueckabgewickelt", "gemeinsames-kommunalunternehmen", [Hstadt, Alpha], reason: "ziele-nicht-erreicht"));                                                           // 7
        await StatisticsTestData.EntryAsync(db, E("soziales", "umgesetzt", "zweckvereinbarung", [Delta, Idorf], law: "komzg-rp", factors: [("ziel", "fachkraeftemangel")]));                                                     // 8 (RP only)
        await StatisticsTestData.EntryAsync(db, E("beschaffung-vergabe", "umgesetzt", "oeffentlich-rechtliche-vereinbarung", [Gstadt, Idorf]));                                                                                   // 9 (NW and RP)

        // 10: linked to an agreement that an amendment superseded; the amendment is active with Eheim and Gstadt. The entry's own
        // (stale) status and the partner it had before it was linked (Dorf; linking removes the row, migration 0009) must not
        // count: live it is umgesetzt with Eheim and Gstadt.
        var original = await StatisticsTestData.AgreementAsync(db, "active", [Dorf, Eheim]);
        var amendment = await StatisticsTestData.AgreementAsync(db, "active", [Eheim, Gstadt]);
        await StatisticsTestData.SupersedeAsync(db, original, amendment);
        var linked = await StatisticsTestData.EntryAsync(db, new("finanzen", "geplant", "oeffentlich-rechtliche-vereinbarung", [Dorf]));
        await db.ExecuteAsync("UPDATE registry_cooperations SET agreement_id = @Agreement WHERE id = @Id", new { Agreement = original, Id = linked });
        // 11: linked to a terminated agreement of Bstadt and Cstadt: live rückabgewickelt for "wirtschaftlichkeit".
        var terminated = await StatisticsTestData.AgreementAsync(db, "terminated", [Bstadt, Cstadt], validTo: "2024-12-31", terminationReason: "wirtschaftlichkeit");
        await StatisticsTestData.EntryAsync(db, new("recht", "umgesetzt", "oeffentlich-rechtliche-vereinbarung", [], AgreementId: terminated));
    }

    public async Task DisposeAsync()
    {
        _db?.Dispose();
        if (_postgres is not null) await TestEnvironment.DropPostgresDatabaseAsync(_postgres);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}

public sealed class SqliteStatisticsDatabase() : StatisticsDatabase(TestDatabase.Sqlite);
public sealed class PostgresStatisticsDatabase() : StatisticsDatabase(TestDatabase.Postgres);
