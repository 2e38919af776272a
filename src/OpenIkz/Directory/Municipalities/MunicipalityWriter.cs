using System.Data.Common;
using Dapper;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Directory.Municipalities;

/// <summary>What an import does with a key that is already in the directory.</summary>
public enum ExistingRows
{
    /// <summary>The existing row stays exactly as it is (the districts import: demo and hand-entered rows keep their figures).</summary>
    Keep,

    /// <summary>Name, type, state, district and figures are replaced by the official ones; the Leitweg-ID stays.
    /// A row typed "einheitsgemeinde" keeps that type when the source only says Gemeinde or Stadt (GV100AD has no such type).</summary>
    UpdateFigures,
}

/// <summary>
/// Writes many directory rows in one transaction (the GV100AD import writes ~11,600): on SQLite one prepared
/// statement executed per row, on PostgreSQL one statement per level over arrays (unnest), so that neither
/// pays a round trip or a parse per row.
/// </summary>
internal static class MunicipalityWriter
{
    private const string Columns = "ags, name, name_search, type, state, district_ags, population, area_ha, leitweg_id, created_at";

    private static string OnConflict(ExistingRows existing) => existing switch
    {
        ExistingRows.Keep => " ON CONFLICT (ags) DO NOTHING",
        _ => """
             ON CONFLICT (ags) DO UPDATE SET name = excluded.name, name_search = excluded.name_search,
                type = CASE WHEN municipalities.type = 'einheitsgemeinde' AND excluded.type IN ('gemeinde', 'stadt') THEN municipalities.type ELSE excluded.type END,
                state = excluded.state, district_ags = excluded.district_ags, population = excluded.population, area_ha = excluded.area_ha
            """,
    };

    /// <summary>Writes <paramref name="rows"/> parents first (districts before their members) and returns how many rows were inserted or changed.</summary>
    public static async Task<int> WriteAsync(DbConnection c, DbTransaction tx, DatabaseKind kind, IEnumerable<ImportRow> rows, ExistingRows existing)
    {
        var now = DateTime.UtcNow;
        var written = 0;
        // Level 0: rows without a parent (Kreise, kreisfreie Städte); level 1: their members. Each level is one statement on PostgreSQL.
        foreach (var level in rows.GroupBy(r => r.DistrictAgs is null ? 0 : 1).OrderBy(g => g.Key))
        {
            var list = level.OrderBy(r => r.Ags, StringComparer.Ordinal).ToList();
            if (kind == DatabaseKind.Postgres)
            {
                written += await c.ExecuteAsync($"""
                    INSERT INTO municipalities ({Columns})
                    SELECT a, n, s, t, st, d, p, h, l, @Now FROM unnest(@A, @N, @S, @T, @St, @D, @P, @H, @L) AS x (a, n, s, t, st, d, p, h, l)
                    {OnConflict(existing)}
                    """,
                    new
                    {
                        A = list.Select(r => r.Ags).ToArray(), N = list.Select(r => r.Name).ToArray(), S = list.Select(r => SearchText.Fold(r.Name)).ToArray(),
                        T = list.Select(r => r.Type.Slug()).ToArray(), St = list.Select(r => r.State).ToArray(), D = list.Select(r => r.DistrictAgs).ToArray(),
                        P = list.Select(r => r.Population).ToArray(), H = list.Select(r => r.AreaHa).ToArray(), L = list.Select(r => r.LeitwegId).ToArray(), Now = now,
                    }, tx);
            }
            else
            {
                // Dapper runs a statement once per element on the same command, which SQLite prepares once.
                written += await c.ExecuteAsync($"INSERT INTO municipalities ({Columns}) VALUES (@Ags, @Name, @NameSearch, @Type, @State, @DistrictAgs, @Population, @AreaHa, @LeitwegId, @Now){OnConflict(existing)}",
                    list.Select(r => new
                    {
                        r.Ags, r.Name, NameSearch = SearchText.Fold(r.Name), Type = r.Type.Slug(), r.State, r.DistrictAgs, r.Population, r.AreaHa, r.LeitwegId, Now = now,
                    }), tx);
            }
        }
        return written;
    }
}

/// <summary>How the official statistics spell names, and how the directory shows them.</summary>
public static class OfficialNames
{
    /// <summary>
    /// Destatis appends a municipality's designation after a comma ("Kiel, Landeshauptstadt", "Lage, Stadt",
    /// "Stuttgart, Stadtkreis"); the directory shows the name without it, as the demo rows do ("Speyer"). The
    /// type column says what the designation said.
    /// </summary>
    public static string WithoutDesignation(string name)
    {
        var comma = name.IndexOf(", ", StringComparison.Ordinal);
        return (comma > 0 ? name[..comma] : name).Trim();
    }

    /// <summary>
    /// A district's name as it is spoken: the statistics list "Lippe" with the kind "Kreis" and "Harz" with
    /// "Landkreis"; the directory shows "Kreis Lippe" and "Landkreis Harz". Names that already say what they
    /// are stay as they are ("Wartburgkreis", "Rhein-Kreis Neuss", "Landkreis Rostock", "Region Hannover",
    /// "Städteregion Aachen", "Regionalverband Saarbrücken").
    /// </summary>
    public static string District(string name, string kind)
    {
        var plain = WithoutDesignation(name);
        return plain.Contains("kreis", StringComparison.OrdinalIgnoreCase) || plain.Contains("region", StringComparison.OrdinalIgnoreCase) ? plain : $"{kind} {plain}";
    }
}
