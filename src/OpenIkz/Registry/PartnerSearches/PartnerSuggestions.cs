using System.Data.Common;
using System.Globalization;
using Dapper;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Registry.PartnerSearches;

/// <summary>A suggested partner: the municipality, its score and the German reasons that make it up (strongest first).</summary>
public sealed record Suggestion(string Ags, string Name, int Score, IReadOnlyList<string> Reasons);

/// <summary>
/// The points each finding of the reports gives a candidate (docs/REGISTRY.md, "Scoring"). A candidate needs at least
/// one finding other than <see cref="Uncovered"/> to be suggested: that one says it is free, not that it fits.
/// </summary>
public static class SuggestionWeights
{
    /// <summary>An open search of the candidate in the same task field: the same pressure to act (gpaNRW 2025, 1.2.7, rank three).</summary>
    public const int Pressure = 30;

    /// <summary>The candidate is the searcher's Kreis (its own, or the one around a kreisfreie Stadt): Kreise take part in more than three quarters of all cooperations (1.2.5).</summary>
    public const int District = 25;

    /// <summary>Cooperating already (implemented or in progress): the first shared entry, each further one, and the cap (seeds/001: who cooperates once finds further fields).</summary>
    public const int Shared = 20, SharedEach = 5, SharedCap = 30;

    /// <summary>The same Kreis area: the same Landkreis, or a kreisfreie Stadt and the Landkreis around it (seeds/002, 8).</summary>
    public const int Area = 20;

    /// <summary>The same size segment: nine in ten cooperate within their segment (gpaNRW 2025, 1.2.5).</summary>
    public const int Segment = 20;

    /// <summary>No implemented or running cooperation of the candidate in this task field yet.</summary>
    public const int Uncovered = 10;

    /// <summary>Points for <paramref name="count"/> shared cooperations: 20, 25, 30, 30, …</summary>
    public static int SharedPoints(long count) => count <= 0 ? 0 : (int)Math.Min(SharedCap, Shared + SharedEach * (count - 1));

    /// <summary>The number of shared cooperations from which <see cref="SharedPoints"/> stays at the cap.</summary>
    public const int SharedCapFrom = 1 + (SharedCap - Shared) / SharedEach;
}

/// <summary>
/// Ranked partner suggestions for a municipality and a task field, as one set-based query: the candidates (the same
/// state, plus anyone, in any state, who already cooperates with the searcher or searches in the same field) with every
/// feature and the score computed by the database, best 20 first, ties broken by the official key. The reasons are
/// worded from the returned features. The SQL lives here alone, so that the benchmark measures exactly this query
/// (<see cref="Sql"/>) against the whole call (<see cref="ForAsync"/>).
/// </summary>
public sealed class PartnerSuggestions(Db db)
{
    public const int DefaultLimit = 20;

    /// <summary>Live statuses that count as "cooperating": implemented or being implemented. Planned and rolled-back entries do not.</summary>
    public const string LiveStatuses = "('umgesetzt', 'in-umsetzung')";

    /// <summary>The Kreis area of a municipality: a Landkreis is its own, a kreisfreie Stadt has the Landkreis around it (when listed), every other its district.</summary>
    private static string Area(string m, string surrounding) =>
        $"CASE WHEN {m}.type = 'landkreis' THEN {m}.ags WHEN {m}.type = 'kreisfreie-stadt' THEN {surrounding}.district_ags ELSE {m}.district_ags END";

    /// <summary>
    /// The live partners (cooperation_id, ags) of the entries listed in CTE <paramref name="ids"/> (column id): the two
    /// branches of the view registry_entry_partners (own partner rows of an unlinked entry; the members of a linked
    /// entry's agreement), restricted to those entries before the union. SQLite does not push a join into a compound
    /// view, so the view itself would produce every partner of the register first (0.4 s at 100,000 entries);
    /// a test holds this equal to the view (PartnerSuggestionsTests).
    /// </summary>
    public static string PartnersOf(string ids) => $"""
        SELECT p.cooperation_id, p.ags FROM {ids} x JOIN registry_cooperations c ON c.id = x.id AND c.agreement_id IS NULL JOIN registry_partners p ON p.cooperation_id = c.id
            UNION ALL
            SELECT l.cooperation_id, am.municipality_ags AS ags FROM {ids} x JOIN registry_linked_agreements l ON l.cooperation_id = x.id JOIN agreement_members am ON am.agreement_id = l.agreement_id
        """;

    /// <summary>The CTEs <c>field_entries</c> (live entries of @TaskField) and <c>covered</c> (the municipalities taking part in one), shared with <see cref="Coverage"/>.</summary>
    public static readonly string CoveredCtes = $"""
        field_entries AS (
                SELECT e.id FROM registry_entries e WHERE e.task_field = @TaskField AND e.status IN {LiveStatuses}
            ),
            covered AS (
                SELECT DISTINCT fp.ags FROM ({PartnersOf("field_entries")}) fp
            ),
        """;

    private static readonly string Base =
        $"{SuggestionWeights.Segment} * same_segment + {SuggestionWeights.District} * district + {SuggestionWeights.Area} * same_area + {SuggestionWeights.Pressure} * pressure" +
        $" + CASE WHEN shared_count = 0 THEN 0 WHEN shared_count >= {SuggestionWeights.SharedCapFrom} THEN {SuggestionWeights.SharedCap}" +
        $" ELSE {SuggestionWeights.Shared} + {SuggestionWeights.SharedEach} * (shared_count - 1) END";

    /// <summary>
    /// The query (parameters @Ags, @TaskField, @Today, @Limit); the same text on SQLite and PostgreSQL. In <c>covered</c>
    /// the entries are probed with EXISTS, not joined: joined, SQLite's plan puts a Bloom filter on registry_cooperations
    /// for the task-field condition, and the whole query took about a fifth longer (sqlite3 shell on the benchmark's
    /// 100,000 entries, 40 against 51 ms; same rows).
    /// </summary>
    public static readonly string Sql = $"""
        WITH me AS (
            SELECT m.ags, m.name, m.state, m.type, {Segments.Sql("m")} AS segment, {Area("m", "sd")} AS area
            FROM municipalities m LEFT JOIN registry_surrounding_districts sd ON sd.city_ags = m.ags
            WHERE m.ags = @Ags
        ),
        mine AS (
            SELECT DISTINCT p.cooperation_id AS id FROM registry_entry_partners p JOIN registry_entries e ON e.id = p.cooperation_id
            WHERE p.ags = @Ags AND e.status IN {LiveStatuses}
        ),
        mine_partners AS (
            {PartnersOf("mine")}
        ),
        shared AS (
            SELECT p.ags, COUNT(DISTINCT p.cooperation_id) AS n, MIN(e.title) AS example
            FROM mine_partners p JOIN registry_entries e ON e.id = p.cooperation_id
            WHERE p.ags <> @Ags
            GROUP BY p.ags
        ),
        searching AS (
            SELECT s.municipality_ags AS ags, MIN(s.title) AS example, MIN(s.until_date) AS until_date
            FROM partner_searches s
            WHERE s.task_field = @TaskField AND s.closed_at IS NULL AND s.until_date >= @Today AND s.municipality_ags <> @Ags
            GROUP BY s.municipality_ags
        ),
        candidates AS (
            SELECT m.ags FROM municipalities m JOIN me ON m.state = me.state WHERE m.ags <> @Ags
            UNION SELECT ags FROM shared
            UNION SELECT ags FROM searching
        ),
        features AS (
            SELECT m.ags, m.name, m.type, {Segments.Sql("m")} AS segment, {Area("m", "sd")} AS area,
                   COALESCE(sh.n, 0) AS shared_count, sh.example AS shared_example,
                   CASE WHEN pr.ags IS NULL THEN 0 ELSE 1 END AS pressure, pr.example AS pressure_title, pr.until_date AS pressure_until
            FROM candidates k
            JOIN municipalities m ON m.ags = k.ags
            LEFT JOIN registry_surrounding_districts sd ON sd.city_ags = m.ags
            LEFT JOIN shared sh ON sh.ags = m.ags
            LEFT JOIN searching pr ON pr.ags = m.ags
        ),
        flagged AS (
            SELECT f.*,
                   CASE WHEN f.segment = me.segment THEN 1 ELSE 0 END AS same_segment,
                   CASE WHEN f.type = 'landkreis' AND f.ags = me.area THEN 1 ELSE 0 END AS district,
                   CASE WHEN f.area = me.area THEN 1 ELSE 0 END AS same_area,
                   me.name AS my_name, me.type AS my_type, me.segment AS my_segment, me.area AS my_area
            FROM features f CROSS JOIN me
        ),
        scored AS MATERIALIZED (
            SELECT flagged.*, {Base} AS base_score FROM flagged
        ),
        cutoff AS (
            SELECT MIN(base_score) AS v FROM (SELECT base_score FROM scored WHERE base_score > 0 ORDER BY base_score DESC LIMIT @Limit) best
        ),
        near AS MATERIALIZED (
            SELECT s.ags FROM scored s CROSS JOIN cutoff WHERE s.base_score > 0 AND s.base_score + {SuggestionWeights.Uncovered} >= cutoff.v
        ),
        covered AS (
            SELECT p.ags FROM near n CROSS JOIN registry_partners p
            WHERE p.ags = n.ags AND EXISTS (SELECT 1 FROM registry_cooperations c
                WHERE c.id = p.cooperation_id AND c.agreement_id IS NULL AND c.task_field = @TaskField AND c.status IN {LiveStatuses})
            UNION
            SELECT am.municipality_ags FROM near n JOIN agreement_members am ON am.municipality_ags = n.ags
            JOIN agreements a ON a.id = am.agreement_id AND a.status IN ('active', 'approved')
            JOIN registry_linked_agreements l ON l.agreement_id = a.id
            WHERE EXISTS (SELECT 1 FROM registry_cooperations c WHERE c.id = l.cooperation_id AND c.task_field = @TaskField)
        )
        SELECT s.ags, s.name, s.type, s.segment, s.area, s.shared_count AS SharedCount, s.shared_example AS SharedExample,
               s.pressure, s.pressure_title AS PressureTitle, s.pressure_until AS PressureUntil,
               s.same_segment AS SameSegment, s.district, s.same_area AS SameArea,
               s.my_name AS MyName, s.my_type AS MyType, s.my_segment AS MySegment, a.name AS AreaName,
               s.base_score + CASE WHEN cv.ags IS NULL THEN {SuggestionWeights.Uncovered} ELSE 0 END AS score,
               CASE WHEN cv.ags IS NULL THEN 1 ELSE 0 END AS uncovered
        FROM scored s JOIN near nr ON nr.ags = s.ags LEFT JOIN covered cv ON cv.ags = s.ags LEFT JOIN municipalities a ON a.ags = s.my_area
        ORDER BY score DESC, s.ags
        LIMIT @Limit
        """;

    /// <summary>The suggestions for <paramref name="ags"/> searching in <paramref name="taskField"/>, never <paramref name="ags"/> itself.</summary>
    public async Task<IReadOnlyList<Suggestion>> ForAsync(string ags, string taskField, DateOnly today, int limit = DefaultLimit, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await ForAsync(c, ags, taskField, today, limit, ct);
    }

    public static async Task<IReadOnlyList<Suggestion>> ForAsync(DbConnection c, string ags, string taskField, DateOnly today, int limit = DefaultLimit, CancellationToken ct = default)
    {
        var rows = await c.QueryAsync<FeatureRow>(new CommandDefinition(Sql, new { Ags = ags, TaskField = taskField, Today = today, Limit = limit }, cancellationToken: ct));
        var label = TaskFields.Find(taskField)?.Label ?? taskField;
        return rows.Select(r => new Suggestion(r.Ags, r.Name, (int)r.Score, Reasons(r, label))).ToList();
    }

    /// <summary>The features of one candidate as the query returns them (flags are 0 or 1).</summary>
    public sealed class FeatureRow
    {
        public string Ags { get; init; } = "";
        public string Name { get; init; } = "";
        public string Type { get; init; } = "";
        public string Segment { get; init; } = "";
        public string? Area { get; init; }
        public long SharedCount { get; init; }
        public string? SharedExample { get; init; }
        public long Pressure { get; init; }
        public string? PressureTitle { get; init; }
        public DateOnly? PressureUntil { get; init; }
        public long Uncovered { get; init; }
        public long SameSegment { get; init; }
        public long District { get; init; }
        public long SameArea { get; init; }
        public string MyName { get; init; } = "";
        public string MyType { get; init; } = "";
        public string MySegment { get; init; } = "";
        public string? AreaName { get; init; }
        public long Score { get; init; }
    }

    /// <summary>The score the weights give these features; the query computes the same sum (a test holds them together).</summary>
    public static int ScoreOf(FeatureRow r) =>
        (r.Pressure == 1 ? SuggestionWeights.Pressure : 0) + (r.District == 1 ? SuggestionWeights.District : 0) + SuggestionWeights.SharedPoints(r.SharedCount)
        + (r.SameArea == 1 ? SuggestionWeights.Area : 0) + (r.SameSegment == 1 ? SuggestionWeights.Segment : 0) + (r.Uncovered == 1 ? SuggestionWeights.Uncovered : 0);

    private const string Landkreis = "landkreis", KreisfreieStadt = "kreisfreie-stadt";

    /// <summary>The German reasons, strongest first, each naming the finding it rests on.</summary>
    public static IReadOnlyList<string> Reasons(FeatureRow r, string taskFieldLabel)
    {
        var reasons = new List<string>();
        if (r.Pressure == 1)
            reasons.Add($"Sucht ebenfalls einen Partner im Aufgabenfeld „{taskFieldLabel}“: „{r.PressureTitle}“" +
                        (r.PressureUntil is { } until ? $" (bis {until.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture)})" : "") +
                        ". Gleicher oder ähnlicher Handlungsdruck gehört zu den wichtigsten Erfolgsfaktoren (gpaNRW 2025, 1.2.7).");
        if (r.District == 1)
            reasons.Add((r.MyType == KreisfreieStadt ? $"Der Kreis als Partner: {r.Name} umgibt Ihre Stadt. " : $"Der Kreis als Partner: {r.Name} ist Ihr Kreis. ")
                        + "Kreise sind an mehr als drei Vierteln aller interkommunalen Kooperationen beteiligt (gpaNRW 2025, 1.2.5).");
        if (r.SharedCount > 0)
            reasons.Add((r.SharedCount == 1 ? $"Sie kooperieren bereits: „{r.SharedExample}“. "
                                            : $"Sie kooperieren bereits in {r.SharedCount} Vorhaben, z. B. „{r.SharedExample}“. ")
                        + "Wer in einem Bereich erfolgreich kooperiert, findet oft weitere (IKZ-Modellvorhaben Rheinland-Pfalz: Herxheim und Offenbach an der Queich).");
        if (r.SameArea == 1) reasons.Add(AreaReason(r));
        if (r.SameSegment == 1)
            reasons.Add($"Gleiches Größensegment ({Segments.Label(r.Segment)}): neun von zehn Kommunen und Kreisen kooperieren mit Partnern des gleichen Segments (gpaNRW 2025, 1.2.5).");
        if (r.Uncovered == 1)
            reasons.Add($"Hat im Register noch keine umgesetzte oder laufende Kooperation im Aufgabenfeld „{taskFieldLabel}“.");
        return reasons;
    }

    private static string AreaReason(FeatureRow r)
    {
        var area = r.AreaName ?? r.Area;
        var cityAndDistrict = (r.MyType == KreisfreieStadt && r.Type == Landkreis) || (r.MyType == Landkreis && r.Type == KreisfreieStadt);
        if (cityAndDistrict)
            return "Kreisfreie Stadt und umgebender Landkreis: zwischen benachbarten Landkreisen und kreisfreien Städten entstehen am ehesten feste IKZ-Verbünde (Modellprojekt Vorderpfalz 2023, 8).";
        if (r.MyType == KreisfreieStadt || r.Type == KreisfreieStadt)
            return $"Nachbarschaft im Raum {area}: benachbarte Landkreise und kreisfreie Städte kooperieren oft schon lange, zumindest informell (Modellprojekt Vorderpfalz 2023, 8).";
        return $"Gleicher Kreis ({area}): innerhalb eines geschlossenen Kreises lassen sich Ausgleichsleistungen besser und stabiler organisieren (Modellprojekt Vorderpfalz 2023, 8).";
    }
}
