using System.Collections.Concurrent;
using System.Globalization;
using Dapper;
using OpenIkz.Directory.Municipalities;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Registry.Statistics;

/// <summary>
/// Computes the register's statistics live: one round trip of grouped aggregates over the entries, their live partners
/// (entries linked to an agreement count with the agreement's status and members) and the directory. No query runs per
/// district or per entry; the grouped rows are put together here. docs/REGISTRY.md ("Statistics") defines every figure.
/// The benchmark calls <see cref="ComputeAsync"/> and, for the bare SQL, <see cref="Sql"/> with <see cref="Parameters"/>.
/// </summary>
public sealed class RegistryStatisticsQueries(Db db, TimeProvider clock, RegistryStatisticsCache? cache = null)
{
    private readonly RegistryStatisticsCache results = cache ?? new RegistryStatisticsCache();

    /// <summary>Statuses that count as planned for the task fields: not yet implemented, not rolled back.</summary>
    public static readonly IReadOnlyList<string> PlannedStatuses = [RegistryStatus.Planned, RegistryStatus.InProgress];

    /// <summary>Checks the filter against the directory: an unknown state, or a district that is not a Kreis (type
    /// Landkreis) of the directory or lies outside the chosen state, is a 400 naming the parameter.</summary>
    public async Task<StatisticsScope> ResolveAsync(StatisticsFilter filter, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        string? state = null;
        if (!string.IsNullOrWhiteSpace(filter.State))
        {
            if (States.TryParse(filter.State, out var code)) state = code;
            else errors.Add("state", "Unbekanntes Land. Angegeben werden kann das Kürzel (z. B. NW), der Name (z. B. Nordrhein-Westfalen) oder der zweistellige Landesschlüssel (z. B. 05).");
        }
        string? district = null, districtName = null;
        if (!string.IsNullOrWhiteSpace(filter.District))
        {
            var key = filter.District.Trim();
            var row = key.Length == 5 && key.All(char.IsAsciiDigit)
                ? await db.QuerySingleOrDefaultAsync<DistrictRow>("SELECT ags, name, type, state FROM municipalities WHERE ags = @Key", new { Key = key }, ct)
                : null;
            if (row is null || row.Type != "landkreis")
                errors.Add("district", "Kein Kreis des Verzeichnisses. Angegeben wird der fünfstellige Kreisschlüssel eines Landkreises oder Kreises (z. B. 05566 für den Kreis Steinfurt).");
            else if (state is not null && row.State != state)
                errors.Add("district", $"Der Kreis {row.Name} liegt nicht im gewählten Land {States.NameOf(state)}.");
            else
            {
                district = row.Ags;
                districtName = row.Name;
                state ??= row.State;
            }
        }
        if (errors.Count > 0) throw new ValidationException(errors);
        return new StatisticsScope(state, state is null ? null : States.NameOf(state), district, districtName);
    }

    /// <summary>Every Kreis of the directory (type Landkreis), for the filter: key, name, state; by state name, then name.</summary>
    public async Task<IReadOnlyList<DistrictOption>> DistrictsAsync(CancellationToken ct = default)
    {
        var german = StringComparer.Create(CultureInfo.GetCultureInfo("de-DE"), ignoreCase: false);
        var rows = await db.QueryAsync<DistrictOption>("SELECT ags AS Ags, name AS Name, state AS State FROM municipalities WHERE type = 'landkreis'", ct: ct);
        return rows.OrderBy(d => States.NameOf(d.State), german).ThenBy(d => d.Name, german).ThenBy(d => d.Ags, StringComparer.Ordinal).ToList();
    }

    /// <summary>The statistics of the filter's scope: kept per scope with the data version they were computed at, and
    /// computed anew after any write (<see cref="RegistryStatisticsCache"/>); <c>ComputedAt</c> says when.</summary>
    public async Task<RegistryStatistics> ComputeAsync(StatisticsFilter filter, CancellationToken ct = default)
    {
        var scope = await ResolveAsync(filter, ct);
        var (epoch, version) = await db.QuerySingleAsync<(string, long)>("SELECT epoch AS Item1, version AS Item2 FROM registry_data_version WHERE id = 1", ct: ct);
        // The computation is shared by every request that waits for it, so no single caller's cancellation stops it.
        return await results.GetAsync(scope, epoch, version, () => ComputeUncachedAsync(scope, CancellationToken.None)).WaitAsync(ct);
    }

    /// <summary>The statistics computed from the data now, without the cache (the benchmark's "service" level measures this too).</summary>
    public async Task<RegistryStatistics> ComputeUncachedAsync(StatisticsScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        await using var connection = await db.OpenAsync(ct);
        using var grid = await connection.QueryMultipleAsync(new CommandDefinition(Sql(scope), Parameters(scope), cancellationToken: ct));
        var segmentCounts = (await grid.ReadAsync<KeyCount>()).ToList();
        var districts = (await grid.ReadAsync<DistrictName>()).ToList();
        var entryAndFactorRows = (await grid.ReadAsync<EntryOrFactorRow>()).ToList();
        var participationRows = (await grid.ReadAsync<ParticipationRow>()).ToList();
        var entryRows = entryAndFactorRows.Where(r => r.Kind == "entry").Select(r => new EntryRow { TaskField = r.A ?? "", Status = r.B ?? "", Reason = r.C, Count = r.Count }).ToList();
        var factorRows = entryAndFactorRows.Where(r => r.Kind is "factor" or "named").Select(r => new FactorCount { Kind = r.A ?? "", Slug = r.Kind == "factor" ? r.B : null, Count = r.Count }).ToList();
        return Assemble(scope, segmentCounts, districts, entryRows, participationRows, factorRows, clock.GetUtcNow());
    }

    public static object Parameters(StatisticsScope scope) => new { scope.State, scope.District };

    private static readonly ConcurrentDictionary<(bool, bool), string> SqlCache = new();

    /// <summary>
    /// The four statements of one computation, for the scope's shape (state and/or district filtered). Entries that are not
    /// linked to an agreement are read from registry_cooperations and registry_partners, which is what the views return for
    /// them; entries linked to an agreement through registry_linked_agreements with the agreement's members (the second arm
    /// of registry_entry_partners) and the view registry_entries (live status and rollback). Joined as a whole, the union view
    /// registry_entry_partners was materialised in full by both planners, even for one Kreis (measured: about 1 s per pass at
    /// 300,000 partners); split like this, a small scope reads its rows through the indexes.
    /// </summary>
    public static string Sql(StatisticsScope scope) => SqlCache.GetOrAdd((scope.State is not null, scope.District is not null), key =>
    {
        var conditions = new List<string>();
        if (key.Item1) conditions.Add("m.state = @State");
        if (key.Item2) conditions.Add("(m.ags = @District OR m.district_ags = @District)");
        var filtered = conditions.Count > 0;
        var inScope = filtered ? string.Join(" AND ", conditions) : "1 = 1";
        var segment = Segments.Sql("m");
        // The partners of linked entries: the members of the agreement each follows (the second arm of registry_entry_partners).
        var linkedPartners = "registry_linked_agreements l JOIN agreement_members lm ON lm.agreement_id = l.agreement_id";
        // Entries with at least one partner in the scope (without a filter: every entry), as a set of ids that the entry and
        // factor statements join, so that a small scope reads only its own rows through the primary keys.
        var scoped = filtered
            ? $"""
              WITH scoped AS (
                  SELECT sp.cooperation_id AS id
                  FROM municipalities m JOIN registry_partners sp ON sp.ags = m.ags JOIN registry_cooperations sc ON sc.id = sp.cooperation_id
                  WHERE {inScope} AND sc.agreement_id IS NULL
                  UNION
                  SELECT l.cooperation_id FROM {linkedPartners} JOIN municipalities m ON m.ags = lm.municipality_ags WHERE {inScope}
              )
              """
            : "";
        string Scoped(string alias, string column) => filtered ? $" JOIN scoped ON scoped.id = {alias}.{column}" : "";
        var planned = string.Join(", ", PlannedStatuses.Select(s => $"'{s}'"));
        string Implemented(string condition) => $"SUM(CASE WHEN pa.status = '{RegistryStatus.Implemented}'{condition} THEN 1 ELSE 0 END)";
        var groups = Enumerable.Range(1, LegalFormGroups.All.Count).ToList();
        return $"""
            SELECT s.segment AS Slug, COUNT(*) AS Count
            FROM (SELECT {segment} AS segment FROM municipalities m WHERE {inScope}) s
            GROUP BY s.segment;

            SELECT m.ags AS Ags, m.name AS Name FROM municipalities m WHERE {inScope} AND m.type = 'landkreis';

            {scoped}
            SELECT 'entry' AS Kind, c.task_field AS A, c.status AS B, c.rollback_reason AS C, COUNT(*) AS Count
            FROM registry_cooperations c{Scoped("c", "id")}
            WHERE c.agreement_id IS NULL
            GROUP BY c.task_field, c.status, c.rollback_reason
            UNION ALL
            SELECT 'entry', e.task_field, e.status, e.rollback_reason, COUNT(*)
            FROM registry_linked_agreements le JOIN registry_entries e ON e.id = le.cooperation_id{Scoped("le", "cooperation_id")}
            GROUP BY e.task_field, e.status, e.rollback_reason
            UNION ALL
            SELECT 'factor', f.kind, f.slug, CAST(NULL AS TEXT), COUNT(*)
            FROM registry_factors f{Scoped("f", "cooperation_id")}
            GROUP BY f.kind, f.slug
            UNION ALL
            SELECT 'named', f.kind, CAST(NULL AS TEXT), CAST(NULL AS TEXT), COUNT(DISTINCT f.cooperation_id)
            FROM registry_factors f{Scoped("f", "cooperation_id")}
            GROUP BY f.kind;

            WITH pa AS (
                SELECT p.ags, c.task_field, c.status, {LegalFormGroups.Sql("c.legal_form")} AS legal_group
                FROM municipalities m JOIN registry_partners p ON p.ags = m.ags JOIN registry_cooperations c ON c.id = p.cooperation_id
                WHERE {inScope} AND c.agreement_id IS NULL
                UNION ALL
                SELECT lm.municipality_ags, e.task_field, e.status, {LegalFormGroups.Sql("e.legal_form")}
                FROM {linkedPartners} JOIN registry_entries e ON e.id = l.cooperation_id JOIN municipalities m ON m.ags = lm.municipality_ags
                WHERE {inScope}
            ),
            af AS MATERIALIZED (
                SELECT pa.ags, pa.task_field,
                       MAX(CASE WHEN pa.status = '{RegistryStatus.Implemented}' THEN 1 ELSE 0 END) AS implemented,
                       MAX(CASE WHEN pa.status IN ({planned}) THEN 1 ELSE 0 END) AS planned,
                       MAX(CASE WHEN pa.status = '{RegistryStatus.RolledBack}' THEN 1 ELSE 0 END) AS rolled_back,
                       {string.Join(", ", groups.Select(g => $"{Implemented($" AND pa.legal_group = {g}")} AS f{g}"))}
                FROM pa
                GROUP BY pa.ags, pa.task_field
            ),
            am AS MATERIALIZED (
                SELECT af.ags, {string.Join(" + ", groups.Select(g => $"SUM(af.f{g})"))} AS activities,
                       {string.Join(", ", groups.Select(g => $"SUM(af.f{g}) AS f{g}"))}, MAX(af.rolled_back) AS rolled_back
                FROM af GROUP BY af.ags
            )
            SELECT 'field' AS Kind, af.task_field AS Slug, SUM(af.implemented) AS A, SUM(af.planned) AS B, SUM(af.implemented * af.planned) AS C,
                   0 AS D, 0 AS E, 0 AS F
            FROM af GROUP BY af.task_field
            UNION ALL
            SELECT 'segment', s.segment, {string.Join(", ", groups.Select(g => $"SUM(s.f{g})"))}
            FROM (SELECT {segment} AS segment, am.* FROM am JOIN municipalities m ON m.ags = am.ags) s
            GROUP BY s.segment
            UNION ALL
            SELECT 'district', d.district, SUM(d.activities), 0, 0, 0, 0, 0
            FROM (SELECT CASE WHEN m.type = 'landkreis' THEN m.ags ELSE m.district_ags END AS district, am.activities
                  FROM am JOIN municipalities m ON m.ags = am.ags) d
            WHERE d.district IS NOT NULL
            GROUP BY d.district
            UNION ALL
            SELECT 'histogram', CAST(NULL AS TEXT), am.activities, COUNT(*), 0, 0, 0, 0
            FROM am WHERE am.activities > 0 GROUP BY am.activities
            UNION ALL
            SELECT 'rollback', CAST(NULL AS TEXT), COALESCE(SUM(am.rolled_back), 0), 0, 0, 0, 0, 0 FROM am;
            """;
    });

    private static RegistryStatistics Assemble(
        StatisticsScope scope, List<KeyCount> segmentCounts, List<DistrictName> districts, List<EntryRow> entryRows,
        List<ParticipationRow> participations, List<FactorCount> factorRows, DateTimeOffset now)
    {
        var municipalities = segmentCounts.Sum(s => s.Count);
        var entries = entryRows.Sum(r => r.Count);
        var implementedEntries = entryRows.Where(r => r.Status == RegistryStatus.Implemented).Sum(r => r.Count);
        var fieldRows = participations.Where(r => r.Kind == "field").ToList();
        var segmentRows = participations.Where(r => r.Kind == "segment").ToList();
        var activities = segmentRows.Sum(r => r.Total);

        var segments = Segments.All
            .Select(s => new SegmentFigures(s.Slug, s.Label, segmentCounts.Where(c => c.Slug == s.Slug).Sum(c => c.Count),
                CountShare.Of(segmentRows.Where(r => r.Slug == s.Slug).Sum(r => r.Total), activities)))
            .ToList();

        var fieldSlugs = TaskFields.All.Select(t => t.Slug)
            .Concat(entryRows.Select(r => r.TaskField).Concat(fieldRows.Select(r => r.Slug ?? "")).Where(s => TaskFields.Find(s) is null).Distinct().Order(StringComparer.Ordinal));
        var taskFields = fieldSlugs.Select(slug =>
        {
            var field = fieldRows.Where(r => r.Slug == slug).ToList();
            long implemented = field.Sum(r => r.A), planned = field.Sum(r => r.B), repeat = field.Sum(r => r.C);
            return new TaskFieldFigures(slug, TaskFields.Find(slug)?.Label ?? slug,
                new TaskFieldMeasure(implemented, CountShare.Percent(implemented, municipalities),
                    entryRows.Where(r => r.TaskField == slug && r.Status == RegistryStatus.Implemented).Sum(r => r.Count)),
                new TaskFieldPlanned(planned, CountShare.Percent(planned, municipalities),
                    entryRows.Where(r => r.TaskField == slug && PlannedStatuses.Contains(r.Status)).Sum(r => r.Count),
                    planned - repeat, repeat));
        }).ToList();

        LegalFormRow Row(string segment, string label, IReadOnlyList<ParticipationRow> rows)
        {
            var counts = new[] { rows.Sum(r => r.A), rows.Sum(r => r.B), rows.Sum(r => r.C), rows.Sum(r => r.D), rows.Sum(r => r.E), rows.Sum(r => r.F) };
            var total = counts.Sum();
            return new LegalFormRow(segment, label, total, counts.Select(c => CountShare.Of(c, total)).ToList());
        }
        var legalForms = new LegalFormTable(LegalFormGroups.All,
            Segments.All.Select(s => Row(s.Slug, s.Label, segmentRows.Where(r => r.Slug == s.Slug).ToList())).ToList(),
            Row("gesamt", "Alle Segmente", segmentRows));

        var districtActivities = participations.Where(r => r.Kind == "district").ToDictionary(r => r.Slug ?? "", r => r.A);
        var german = StringComparer.Create(CultureInfo.GetCultureInfo("de-DE"), ignoreCase: false);
        var districtItems = districts
            .Select(d => new DistrictFigures(d.Ags, d.Name, districtActivities.GetValueOrDefault(d.Ags)))
            .OrderBy(d => d.Name, german).ThenBy(d => d.Ags, StringComparer.Ordinal)
            .ToList();
        var districtStatistics = new DistrictStatistics(FiveNumberSummary.Of(districtItems.Select(d => d.Activities)), districtItems);

        // Every municipality of the scope counts, those without an implemented activity as 0.
        var histogram = participations.Where(r => r.Kind == "histogram").Select(r => (Value: r.A, Frequency: r.B)).ToList();
        var municipalityActivities = FiveNumberSummary.OfFrequencies(histogram.Append((0L, municipalities - histogram.Sum(h => h.Frequency))));

        var statuses = RegistryStatus.All.Select(s => s.Slug)
            .Concat(entryRows.Select(r => r.Status).Where(s => RegistryStatus.Label(s) is null).Distinct().Order(StringComparer.Ordinal))
            .Select(s =>
            {
                var count = entryRows.Where(r => r.Status == s).Sum(r => r.Count);
                return new CategoryCount(s, RegistryStatus.Label(s) ?? s, count, CountShare.Percent(count, entries));
            })
            .ToList();

        var rolledBack = entryRows.Where(r => r.Status == RegistryStatus.RolledBack).ToList();
        var rolledBackEntries = rolledBack.Sum(r => r.Count);
        var reasons = Categories(RollbackReasons.All, rolledBack.GroupBy(r => r.Reason ?? "").Select(g => (g.Key, g.Sum(r => r.Count))), rolledBackEntries);
        var rollbackMunicipalities = participations.Where(r => r.Kind == "rollback").Sum(r => r.A);
        var rollbacks = new RollbackStatistics(rolledBackEntries, rollbackMunicipalities, CountShare.Percent(rollbackMunicipalities, municipalities), reasons);

        CategoryStatistics FactorsOf(string kind)
        {
            var named = factorRows.Where(f => f.Kind == kind && f.Slug is null).Sum(f => f.Count);
            return new CategoryStatistics(named, Categories(Factors.Of(kind), factorRows.Where(f => f.Kind == kind && f.Slug is not null).Select(f => (f.Slug!, f.Count)), named));
        }

        return new RegistryStatistics(scope, municipalities, entries, implementedEntries, activities, segments, taskFields, legalForms,
            districtStatistics, municipalityActivities, statuses, rollbacks, FactorsOf(Factors.Goal), FactorsOf(Factors.SuccessFactor), FactorsOf(Factors.Obstacle),
            now, ReferenceBlock.Instance);
    }

    /// <summary>Every category of the catalogue (with zeros) in its order, then any slug the data holds beyond it ("" = not given).</summary>
    private static List<CategoryCount> Categories(IReadOnlyList<CatalogItem> catalogue, IEnumerable<(string Slug, long Count)> counts, long total)
    {
        var map = counts.GroupBy(c => c.Slug).ToDictionary(g => g.Key, g => g.Sum(c => c.Count));
        var result = catalogue.Select(c => new CategoryCount(c.Slug, c.Label, map.GetValueOrDefault(c.Slug), CountShare.Percent(map.GetValueOrDefault(c.Slug), total))).ToList();
        result.AddRange(map.Where(kv => catalogue.All(c => c.Slug != kv.Key) && kv.Value > 0).OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => new CategoryCount(kv.Key, kv.Key == "" ? "ohne Angabe" : kv.Key, kv.Value, CountShare.Percent(kv.Value, total))));
        return result;
    }

    private sealed class DistrictRow
    {
        public string Ags { get; init; } = "";
        public string Name { get; init; } = "";
        public string Type { get; init; } = "";
        public string State { get; init; } = "";
    }

    private sealed class KeyCount
    {
        public string Slug { get; init; } = "";
        public long Count { get; init; }
    }

    /// <summary>A row of the entries-and-factors statement: Kind "entry" (A task field, B status, C reason), "factor" (A kind,
    /// B slug) or "named" (A kind: entries naming at least one category of it).</summary>
    private sealed class EntryOrFactorRow
    {
        public string Kind { get; init; } = "";
        public string? A { get; init; }
        public string? B { get; init; }
        public string? C { get; init; }
        public long Count { get; init; }
    }

    private sealed class EntryRow
    {
        public string TaskField { get; init; } = "";
        public string Status { get; init; } = "";
        public string? Reason { get; init; }
        public long Count { get; init; }
    }

    /// <summary>A row of the participations statement: Kind says what A–F hold (see <see cref="Sql"/>).</summary>
    private sealed class ParticipationRow
    {
        public string Kind { get; init; } = "";
        public string? Slug { get; init; }
        public long A { get; init; }
        public long B { get; init; }
        public long C { get; init; }
        public long D { get; init; }
        public long E { get; init; }
        public long F { get; init; }
        public long Total => A + B + C + D + E + F;
    }

    private sealed class DistrictName
    {
        public string Ags { get; init; } = "";
        public string Name { get; init; } = "";
    }

    private sealed class FactorCount
    {
        public string Kind { get; init; } = "";
        public string? Slug { get; init; }
        public long Count { get; init; }
    }
}
