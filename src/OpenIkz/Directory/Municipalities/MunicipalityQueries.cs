using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Directory.Municipalities;

public sealed record MunicipalityFilter(string? State = null, string? District = null, string? Query = null);

/// <summary>Reads the public directory of municipalities (public facts only, no personal data).</summary>
public sealed class MunicipalityQueries(Db db)
{
    private const string Select = "SELECT ags, name, type, state, district_ags AS DistrictAgs, population, area_ha AS AreaHa, leitweg_id AS LeitwegId FROM municipalities";

    private sealed class Row
    {
        public string Ags { get; init; } = "";
        public string Name { get; init; } = "";
        public string Type { get; init; } = "";
        public string State { get; init; } = "";
        public string? DistrictAgs { get; init; }
        public int Population { get; init; }
        public long AreaHa { get; init; }
        public string? LeitwegId { get; init; }

        public Municipality ToDomain()
        {
            MunicipalityTypes.TryParse(Type, out var type);
            return new Municipality(Ags, Name, type, State, DistrictAgs, Population, Area.ToKm2(AreaHa), LeitwegId);
        }
    }

    public async Task<IReadOnlyList<Municipality>> ListAsync(MunicipalityFilter filter, CancellationToken ct = default)
    {
        var where = new List<string>();
        string? state = null;
        if (!string.IsNullOrWhiteSpace(filter.State))
        {
            if (!States.TryParse(filter.State, out var code)) return [];
            state = code;
            where.Add("state = @State");
        }
        if (!string.IsNullOrWhiteSpace(filter.District)) where.Add("(district_ags = @District OR ags = @District)");
        if (!string.IsNullOrWhiteSpace(filter.Query)) where.Add("(name_search LIKE @Like ESCAPE '\\' OR ags LIKE @AgsPrefix)");
        var sql = Select + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY state, COALESCE(district_ags, ags), length(ags), name";
        var rows = await db.QueryAsync<Row>(sql, new
        {
            State = state,
            District = filter.District?.Trim(),
            Like = SearchText.LikeContains(filter.Query ?? ""),
            AgsPrefix = (filter.Query ?? "").Trim().All(char.IsAsciiDigit) ? (filter.Query ?? "").Trim() + "%" : "-",
        }, ct);
        return rows.Select(r => r.ToDomain()).ToList();
    }

    public async Task<Municipality?> FindAsync(string ags, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>(Select + " WHERE ags = @Ags", new { Ags = ags }, ct);
        return row?.ToDomain();
    }
}
