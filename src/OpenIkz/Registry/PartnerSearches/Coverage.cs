using System.Globalization;
using OpenIkz.Directory.Municipalities;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Registry.PartnerSearches;

public sealed record CoverageMunicipality(string Ags, string Name, string Type, bool Searching);

/// <summary>A district-level unit (a Landkreis with its municipalities, or a kreisfreie Stadt) and its municipalities without a cooperation.</summary>
public sealed record CoverageDistrict(string? Ags, string Name, string State, int Total, int Uncovered, IReadOnlyList<CoverageMunicipality> Municipalities);

public sealed record CoverageReport(string TaskField, string TaskFieldLabel, string? State, int Total, int Uncovered, IReadOnlyList<CoverageDistrict> Districts);

/// <summary>
/// "Keine Kommune ohne Kooperationspartner" (seeds/002, 8): the municipalities of the directory that take part in no
/// implemented or running cooperation (status umgesetzt or in Umsetzung; planned and rolled-back ones do not count)
/// of a task field, grouped by district: a Landkreis with the municipalities of its district, a kreisfreie Stadt on
/// its own. <c>searching</c> marks those with an open partner search in the field.
/// </summary>
public sealed class Coverage(Db db, TimeProvider clock)
{
    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    public static readonly string Sql = $"""
        WITH {PartnerSuggestions.CoveredCtes}
        searching AS (
            SELECT DISTINCT municipality_ags AS ags FROM partner_searches
            WHERE task_field = @TaskField AND closed_at IS NULL AND until_date >= @Today
        ),
        scope AS (
            SELECT m.ags, m.name, m.type, m.state,
                   CASE WHEN m.type IN ('landkreis', 'kreisfreie-stadt') THEN m.ags ELSE m.district_ags END AS group_ags,
                   CASE WHEN cv.ags IS NULL THEN 0 ELSE 1 END AS covered,
                   CASE WHEN sr.ags IS NULL THEN 0 ELSE 1 END AS searching
            FROM municipalities m
            LEFT JOIN covered cv ON cv.ags = m.ags
            LEFT JOIN searching sr ON sr.ags = m.ags
            WHERE (@State = '' OR m.state = @State)
        ),
        counted AS (
            SELECT scope.*, COUNT(*) OVER (PARTITION BY group_ags) AS group_total, COUNT(*) OVER () AS total FROM scope
        )
        SELECT c.ags, c.name, c.type, c.state, c.group_ags AS GroupAgs, g.name AS GroupName, c.searching, c.group_total AS GroupTotal, c.total
        FROM counted c LEFT JOIN municipalities g ON g.ags = c.group_ags
        WHERE c.covered = 0
        """;

    /// <summary>Checks the query: the task field is required and known, the state optional (ST, Sachsen-Anhalt or 15).</summary>
    public static (string TaskField, string? State) Validate(string? taskField, string? state)
    {
        var errors = new ValidationErrors();
        var field = TaskFields.Find(taskField?.Trim());
        if (string.IsNullOrWhiteSpace(taskField)) errors.Add("taskField", "Bitte wählen Sie das Aufgabenfeld (Parameter taskField).");
        else if (field is null) errors.Add("taskField", $"Das Aufgabenfeld '{taskField}' gibt es nicht (möglich: {string.Join(", ", TaskFields.All.Select(t => t.Slug))}).");
        string? code = null;
        if (!string.IsNullOrWhiteSpace(state))
        {
            if (States.TryParse(state, out var parsed)) code = parsed;
            else errors.Add("state", $"Das Land '{state}' gibt es nicht (z. B. ST, Sachsen-Anhalt oder 15).");
        }
        if (errors.Count > 0) throw new ValidationException(errors);
        return (field!.Slug, code);
    }

    public async Task<CoverageReport> ForAsync(string? taskField, string? state, CancellationToken ct = default)
    {
        var (field, code) = Validate(taskField, state);
        var rows = await db.QueryAsync<Row>(Sql, new { TaskField = field, State = code ?? "", Today = BerlinTime.Today(clock) }, ct);
        var total = rows.Count > 0 ? (int)rows[0].Total
            : await db.QuerySingleAsync<int>("SELECT COUNT(*) FROM municipalities WHERE (@State = '' OR state = @State)", new { State = code ?? "" }, ct);
        var districts = rows
            .GroupBy(r => r.GroupAgs)
            .Select(g => new CoverageDistrict(g.Key, g.First().GroupName ?? "ohne Kreis", g.First().State, (int)g.First().GroupTotal, g.Count(),
                g.OrderBy(r => r.Type is "landkreis" or "kreisfreie-stadt" ? 0 : 1).ThenBy(r => r.Name, StringComparer.Create(German, false))
                 .Select(r => new CoverageMunicipality(r.Ags, r.Name, r.Type, r.Searching == 1)).ToList()))
            .OrderBy(d => d.Name, StringComparer.Create(German, false)).ThenBy(d => d.Ags, StringComparer.Ordinal)
            .ToList();
        return new CoverageReport(field, TaskFields.Find(field)!.Label, code, total, rows.Count, districts);
    }

    private sealed class Row
    {
        public string Ags { get; init; } = "";
        public string Name { get; init; } = "";
        public string Type { get; init; } = "";
        public string State { get; init; } = "";
        public string? GroupAgs { get; init; }
        public string? GroupName { get; init; }
        public long Searching { get; init; }
        public long GroupTotal { get; init; }
        public long Total { get; init; }
    }
}
