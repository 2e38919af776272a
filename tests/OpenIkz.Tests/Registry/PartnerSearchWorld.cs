using Dapper;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Registry;

/// <summary>
/// A constructed directory for the suggestion and coverage tests, in two test "states" (ZZ and ZY, key prefixes 99 and
/// 98) that no real municipality shares, so that demo data and imports cannot move the order:
/// <code>
///   ZZ  Testkreis Nord 99001 (Landkreis)          Testkreis Süd 99002 (Landkreis)     Teststadt 99003000 (kreisfrei, surrounded by 99001)
///       Suchdorf 99001001 (small, the searcher)   Südheim 99002001 (small)
///       Nachbardorf 99001002 (small)              Südstadt 99002002 (medium)
///       Archivdorf 99001003 (small, has Archiv with Südstadt)
///       Mittelstadt 99001004 (medium, only a planned Archiv cooperation with Südheim)
///   ZY  Fernsucher 98001001 (small, searches Archiv too)   Altpartner 98001002 (small, four cooperations with Suchdorf, one rolled back more)
/// </code>
/// Entries and searches are plain SQL, as the register and other municipalities would have made them.
/// </summary>
public static class PartnerSearchWorld
{
    public const string KreisNord = "99001", KreisSued = "99002", Teststadt = "99003000",
        Suchdorf = "99001001", Nachbardorf = "99001002", Archivdorf = "99001003", Mittelstadt = "99001004",
        Suedheim = "99002001", Suedstadt = "99002002", Fernsucher = "98001001", Altpartner = "98001002";

    public const string Password = "Welt-Passwort-2026!";

    public static readonly (string Ags, string Name, string Type, string State, string? District, int Population)[] Municipalities =
    [
        (KreisNord, "Testkreis Nord", "landkreis", "ZZ", null, 150_000),
        (KreisSued, "Testkreis Süd", "landkreis", "ZZ", null, 120_000),
        (Teststadt, "Teststadt", "kreisfreie-stadt", "ZZ", null, 90_000),
        (Suchdorf, "Suchdorf", "gemeinde", "ZZ", KreisNord, 5_000),
        (Nachbardorf, "Nachbardorf", "gemeinde", "ZZ", KreisNord, 6_000),
        (Archivdorf, "Archivdorf", "gemeinde", "ZZ", KreisNord, 7_000),
        (Mittelstadt, "Mittelstadt", "stadt", "ZZ", KreisNord, 30_000),
        (Suedheim, "Südheim", "gemeinde", "ZZ", KreisSued, 4_000),
        (Suedstadt, "Südstadt", "stadt", "ZZ", KreisSued, 40_000),
        (Fernsucher, "Fernsucher", "gemeinde", "ZY", null, 3_000),
        (Altpartner, "Altpartner", "gemeinde", "ZY", null, 8_000),
    ];

    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>Builds the world once per app (idempotent).</summary>
    public static async Task EnsureAsync(OpenIkzApp app)
    {
        await Gate.WaitAsync();
        try
        {
            var db = app.Db;
            if (await db.QuerySingleAsync<long>("SELECT COUNT(*) FROM municipalities WHERE ags = @A", new { A = KreisNord }) > 0) return;
            var now = DateTime.UtcNow;
            await db.InTransactionAsync(async (c, tx) =>
            {
                foreach (var m in Municipalities)
                    await c.ExecuteAsync("""
                        INSERT INTO municipalities (ags, name, name_search, type, state, district_ags, population, area_ha, created_at)
                        VALUES (@Ags, @Name, @Search, @Type, @State, @District, @Population, 1000, @Now)
                        """, new { m.Ags, m.Name, Search = SearchText.Fold(m.Name), m.Type, m.State, m.District, m.Population, Now = now }, tx);
                await c.ExecuteAsync("INSERT INTO registry_surrounding_districts (city_ags, district_ags) VALUES (@City, @District)", new { City = Teststadt, District = KreisNord }, tx);

                await EntryAsync(c, tx, "Gemeinsames Archiv Archivdorf/Südstadt", "archiv", "umgesetzt", [Archivdorf, Suedstadt], now);
                await EntryAsync(c, tx, "Geplantes Archiv Mittelstadt/Südheim", "archiv", "geplant", [Mittelstadt, Suedheim], now);
                await EntryAsync(c, tx, "Aa Kasse Suchdorf/Altpartner", "finanzen", "umgesetzt", [Suchdorf, Altpartner], now);
                await EntryAsync(c, tx, "Bauhof Suchdorf/Altpartner", "bauen-planen-umwelt", "umgesetzt", [Suchdorf, Altpartner], now);
                await EntryAsync(c, tx, "IT Suchdorf/Altpartner", "it-e-government", "in-umsetzung", [Suchdorf, Altpartner], now);
                await EntryAsync(c, tx, "Personal Suchdorf/Altpartner", "personal", "umgesetzt", [Suchdorf, Altpartner], now);
                await EntryAsync(c, tx, "Zurückgenommen Suchdorf/Altpartner", "soziales", "rueckabgewickelt", [Suchdorf, Altpartner], now);
            }, CancellationToken.None);
        }
        finally { Gate.Release(); }
    }

    public static async Task EntryAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string title, string taskField, string status, string[] partners, DateTime now)
    {
        var id = await c.ExecuteScalarAsync<long>("""
            INSERT INTO registry_cooperations (title, title_search, description, task_field, state_law, legal_form, status, created_at, updated_at)
            VALUES (@Title, @Search, 'Testeintrag', @TaskField, 'gkg-lsa', 'zweckvereinbarung', @Status, @Now, @Now) RETURNING id
            """, new { Title = title, Search = SearchText.Fold(title), TaskField = taskField, Status = status, Now = now }, tx);
        for (var i = 0; i < partners.Length; i++)
            await c.ExecuteAsync("INSERT INTO registry_partners (cooperation_id, ags, role) VALUES (@Id, @Ags, @Role)",
                new { Id = id, Ags = partners[i], Role = i == 0 ? "federfuehrend" : "partner" }, tx);
    }

    /// <summary>A search stored as a municipality's coordinator would have made it; returns its id.</summary>
    public static Task<long> SearchAsync(OpenIkzApp app, string ags, string taskField, string title, int days = 30) =>
        app.Db.QuerySingleAsync<long>("""
            INSERT INTO partner_searches (municipality_ags, task_field, title, description, until_date, created_at)
            VALUES (@Ags, @TaskField, @Title, 'Konstruierte Suche für die Tests.', @Until, @Now) RETURNING id
            """, new { Ags = ags, TaskField = taskField, Title = title, Until = BerlinTime.Today(app.Clock).AddDays(days), Now = DateTime.UtcNow });

    /// <summary>A coordinator account of a world municipality (created once), signed in through the API.</summary>
    public static async Task<HttpClient> CoordinatorAsync(OpenIkzApp app, string ags)
    {
        var username = $"welt{ags}.koordination";
        if (await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM users WHERE username = @U", new { U = username }) == 0)
            await app.Services.GetRequiredService<UserAccounts>().CreateAsync(new NewUser(ags, username, "Koordination " + ags, Password, [Roles.Koordination], []));
        return await app.ApiAsAsync(username, Password);
    }

    public static Db DbOf(OpenIkzApp app) => app.Db;
}
