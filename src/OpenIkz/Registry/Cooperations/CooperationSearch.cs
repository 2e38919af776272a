using System.Globalization;
using Dapper;
using OpenIkz.Agreements;
using OpenIkz.Directory.Municipalities;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Registry.Cooperations;

/// <summary>
/// A register search: folded words (each must occur in title or description), catalogue filters, partner filters
/// (<c>State</c>: a partner lies in that state; <c>District</c>: a partner lies in that district or is the district;
/// <c>Municipality</c>: the municipality is a partner), one page of <c>PageSize</c> entries, newest first.
/// </summary>
public sealed record CooperationFilter(
    IReadOnlyList<string> Words,
    string? TaskField = null,
    string? State = null,
    string? District = null,
    string? Municipality = null,
    string? LegalForm = null,
    string? Status = null,
    int Page = 1,
    int PageSize = CooperationSearch.DefaultPageSize)
{
    public static CooperationFilter All { get; } = new([]);
}

/// <summary>
/// The register search as SQL, in one place: the API, the pages and the benchmark run exactly this. Entries and
/// partners are read through the views <c>registry_entries</c> and <c>registry_entry_partners</c> (the partner filters
/// through the same two branches, see <see cref="PartnerIn"/>), so entries linked to an agreement are filtered by their live
/// partners and status. The partner filters are id sets driven by the municipalities (index on municipalities.state /
/// district_ags, then registry_partners (ags, cooperation_id)); the
/// order is by id, newest first, which the primary key serves without a sort. The same SQL runs on SQLite and PostgreSQL.
/// </summary>
public static class CooperationSearch
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;
    public const int MaxQueryLength = 200;
    public const int MaxWords = 6;

    /// <summary>
    /// At most this many ids are read in one pass by a selective search (<see cref="Statement.IdsSql"/>): when fewer
    /// match, their number is the total and the page is a slice of them, so the filter runs once instead of twice.
    /// </summary>
    public const int SinglePassCap = 2000;

    /// <summary>
    /// The statements of one search: the total count and the page of entries (each running the filter), and for a
    /// selective search (words, a district or a municipality) <see cref="IdsSql"/>, the matching ids newest first up
    /// to @Cap (<see cref="SinglePassCap"/> + 1). A search runs <see cref="IdsSql"/> when it is there; only if it returns
    /// more than the cap does it fall back to <see cref="CountSql"/> and <see cref="PageSql"/>. The page's entries then
    /// come from <see cref="RowsSql"/> by id.
    /// </summary>
    public sealed record Statement(string CountSql, string PageSql, DynamicParameters Parameters, string? IdsSql);

    /// <summary>The page's entries by id (parameter @Ids), newest first: the same columns as <see cref="Statement.PageSql"/>.</summary>
    public static string RowsSql(Infrastructure.Database.Db db) => EntryColumns + $" FROM registry_entries e WHERE {db.InList("e.id", "Ids")} ORDER BY e.id DESC";

    private const string EntryColumns =
        "SELECT e.id, e.title, e.task_field AS TaskField, e.state_law AS StateLaw, e.legal_form AS LegalForm, e.status, e.since_year AS Since, e.agreement_id AS AgreementId";

    /// <summary>Checks the raw query parameters (syntax and catalogues) and names a bad one: a 400 problem on that parameter.</summary>
    public static CooperationFilter Parse(string? q, string? taskField, string? state, string? district, string? municipality, string? legalForm, string? status,
        string? page, string? pageSize)
    {
        var errors = new ValidationErrors();
        var words = new List<string>();
        if (!string.IsNullOrWhiteSpace(q))
        {
            if (TextInput.Problem(q, TextKind.Line) is { } problem) errors.Add("q", "Der Suchbegriff " + problem);
            else if (q.Length > MaxQueryLength) errors.Add("q", $"Der Suchbegriff hat höchstens {MaxQueryLength} Zeichen.");
            else words = SearchText.Fold(TextInput.Normalise(q)).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().Take(MaxWords).ToList();
        }
        string? Catalogue(string name, string? value, Func<string, bool> known, string message)
        {
            if (string.IsNullOrWhiteSpace(value)) return null;
            var v = value.Trim();
            if (!known(v)) { errors.Add(name, message.Replace("{0}", v.Length > 40 ? v[..40] + "…" : v, StringComparison.Ordinal)); return null; }
            return v;
        }
        var field = Catalogue("taskField", taskField, v => TaskFields.Find(v) is not null, "Das Aufgabenfeld '{0}' gibt es nicht.");
        var form = Catalogue("legalForm", legalForm, v => LegalForms.Laws.Any(l => RegistryLegalForms.IsValid(l.Slug, v)), "Die Rechtsform '{0}' gibt es nicht.");
        var stat = Catalogue("status", status, v => RegistryStatus.Label(v) is not null, "Den Status '{0}' gibt es nicht (möglich: geplant, in-umsetzung, umgesetzt, rueckabgewickelt).");
        string? stateCode = null;
        if (!string.IsNullOrWhiteSpace(state))
        {
            if (States.TryParse(state, out var code)) stateCode = code;
            else errors.Add("state", $"Das Land '{(state.Length > 40 ? state[..40] + "…" : state.Trim())}' gibt es nicht (z. B. NW, Nordrhein-Westfalen oder 05).");
        }
        var districtKey = Key("district", district, [5], "Der Kreisschlüssel hat fünf Ziffern, z. B. 05766 für den Kreis Lippe.", errors);
        var municipalityKey = Key("municipality", municipality, [5, 8, 9], "Der amtliche Schlüssel hat 5, 8 oder 9 Ziffern.", errors);
        var pageNumber = Number("page", page, 1, 1, 100_000, "Die Seite ist eine ganze Zahl ab 1.", errors);
        var size = Number("pageSize", pageSize, DefaultPageSize, 1, MaxPageSize, $"Die Seitengröße liegt zwischen 1 und {MaxPageSize}.", errors);
        if (errors.Count > 0) throw new ValidationException(errors);
        return new CooperationFilter(words, field, stateCode, districtKey, municipalityKey, form, stat, pageNumber, size);
    }

    private static string? Key(string name, string? value, int[] lengths, string message, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var v = value.Trim();
        if (!lengths.Contains(v.Length) || !v.All(char.IsAsciiDigit)) { errors.Add(name, message); return null; }
        return v;
    }

    private static int Number(string name, string? value, int fallback, int min, int max, string message, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(value)) return fallback;
        if (!int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
        {
            errors.Add(name, message);
            return fallback;
        }
        return n;
    }

    /// <summary>
    /// The count and page statements for <paramref name="f"/> in the dialect <paramref name="kind"/>; parameters are
    /// bound, no value is ever spliced into the SQL. Both filter registry_cooperations itself (title_search, task field
    /// and legal form are its own columns; the live status and partners of a linked entry come from
    /// registry_linked_entries and its agreement), and only the page's ids are read through the registry_entries view:
    /// through the view, every count joined the recursive view of linked agreements for each of the 100,000 entries.
    /// </summary>
    public static Statement Build(CooperationFilter f, DatabaseKind kind)
    {
        ArgumentNullException.ThrowIfNull(f);
        var where = new List<string>();
        var p = new DynamicParameters();
        // SQLite: the words of three characters or more go through the FTS5 trigram index as one MATCH of quoted
        // phrases (a phrase of trigrams is a literal substring: '%' and '_' are characters there, no escaping); the
        // index answers a MATCH from its own lists, where a LIKE on the virtual table reads every candidate row of the
        // wide registry_cooperations back to check it (measured 7 ms against 14-37 ms for one word at 100,000 entries).
        // Shorter words, which no trigram holds, and every word on PostgreSQL (whose pg_trgm GIN index serves the LIKE
        // on the column) are an escaped LIKE on title_search.
        var indexed = kind == DatabaseKind.Sqlite ? f.Words.Where(w => w.EnumerateRunes().Count() >= 3).ToList() : [];
        if (indexed.Count > 0)
        {
            where.Add("c.id IN (SELECT rowid FROM registry_search WHERE registry_search MATCH @Phrases)");
            p.Add("Phrases", string.Join(" ", indexed.Select(w => "\"" + w.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"")));
        }
        var scanned = f.Words.Except(indexed).ToList();
        for (var i = 0; i < scanned.Count; i++)
        {
            where.Add($"c.title_search LIKE @Word{i} ESCAPE '\\'");
            p.Add($"Word{i}", "%" + SearchText.EscapeLike(scanned[i]) + "%");
        }
        if (f.TaskField is not null) { where.Add("c.task_field = @TaskField"); p.Add("TaskField", f.TaskField); }
        if (f.LegalForm is not null) { where.Add("c.legal_form = @LegalForm"); p.Add("LegalForm", f.LegalForm); }
        if (f.Status is not null)
        {
            where.Add("(c.agreement_id IS NULL AND c.status = @Status OR c.agreement_id IS NOT NULL AND c.id IN (SELECT le.cooperation_id FROM registry_linked_entries le WHERE le.status = @Status))");
            p.Add("Status", f.Status);
        }
        // A selective search (words, a district or a municipality) drives from its own small id set; a state's partner
        // rows are then probed per candidate entry (EXISTS through (state, cooperation_id)) instead of being collected
        // into a list first — for Nordrhein-Westfalen 59,000 partner rows for a few hundred candidates.
        var selective = f.Words.Count > 0 || f.District is not null || f.Municipality is not null;
        var onEntry = f.Words.Count > 0 || f.TaskField is not null || f.LegalForm is not null || f.Status is not null;
        if (f.State is not null)
        {
            where.Add(selective ? PartnerExists("rp.state = @State", "m.state = @State", kind) : PartnerIn("rp.state = @State", "m.state = @State"));
            p.Add("State", f.State);
        }
        if (f.District is not null) { where.Add(PartnerIn("rp.district_key = @District", "(m.district_ags = @District OR m.ags = @District)")); p.Add("District", f.District); }
        if (f.Municipality is not null) { where.Add(PartnerIn("rp.ags = @Municipality", "m.ags = @Municipality")); p.Add("Municipality", f.Municipality); }
        var filter = where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where);
        p.Add("Limit", f.PageSize);
        p.Add("Offset", (long)(f.Page - 1) * f.PageSize);
        p.Add("Cap", SinglePassCap + 1);
        // Words alone (SQLite, each of three characters or more): the word index holds exactly the entries' ids, so it
        // counts and pages by itself, newest first, without reading an entry.
        if (indexed.Count == f.Words.Count && where.Count == 1 && f.Words.Count > 0)
            return new Statement(
                "SELECT COUNT(*) FROM registry_search WHERE registry_search MATCH @Phrases",
                EntryColumns + " FROM registry_entries e WHERE e.id IN (SELECT rowid FROM registry_search WHERE registry_search MATCH @Phrases ORDER BY rowid DESC LIMIT @Limit OFFSET @Offset) ORDER BY e.id DESC",
                p, null);
        // A state alone counts its distinct entries straight from the partner rows, without reading each entry: own
        // partner rows belong only to unlinked entries (the trigger registry_partners_only_unlinked of migration 0009),
        // so the two branches never share an entry and their distinct counts add up. Counted apart, each is an ordered
        // walk of its index; as one UNION, PostgreSQL hashed all 59,000 rows of Nordrhein-Westfalen (22 ms against 9 ms).
        var count = f.State is not null && !onEntry && !selective
            ? "SELECT (SELECT COUNT(DISTINCT rp.cooperation_id) FROM registry_partners rp WHERE rp.state = @State)"
              + " + (SELECT COUNT(DISTINCT la.cooperation_id) FROM registry_linked_agreements la JOIN agreement_members am ON am.agreement_id = la.agreement_id"
              + " JOIN municipalities m ON m.ags = am.municipality_ags WHERE m.state = @State)"
            : "SELECT COUNT(*) FROM registry_cooperations c" + filter;
        return new Statement(
            count,
            EntryColumns + " FROM registry_entries e WHERE e.id IN (SELECT c.id FROM registry_cooperations c" + filter + " ORDER BY c.id DESC LIMIT @Limit OFFSET @Offset) ORDER BY e.id DESC",
            p,
            selective ? SinglePassSql(filter, kind) : null);
    }

    /// <summary>
    /// The single pass of a selective search: its matching ids (at most <see cref="SinglePassCap"/> + 1), newest first,
    /// for both total and page. On PostgreSQL ordered by <c>c.id + 0</c>: ordered by the key itself, its planner read the
    /// ids backwards along the primary key and filtered each entry, so a word found in 4,000 entries walked 49,000 rows
    /// (70 ms, measured) where the trigram index finds them in 10 ms; the sort of a few thousand ids is cheap.
    /// </summary>
    private static string SinglePassSql(string filter, DatabaseKind kind) =>
        "SELECT c.id FROM registry_cooperations c" + filter + (kind == DatabaseKind.Postgres ? " ORDER BY c.id + 0 DESC" : " ORDER BY c.id DESC") + " LIMIT @Cap";

    /// <summary>
    /// The ids of the entries with a partner of the condition, the two branches of the view registry_entry_partners:
    /// own partner rows (<paramref name="ownRows"/>) and the members of a linked entry's live agreement
    /// (<paramref name="members"/> on municipalities m).
    /// </summary>
    private static string PartnerIds(string ownRows, string members) => $"""
        SELECT rp.cooperation_id FROM registry_partners rp WHERE {ownRows}
                 UNION ALL
                 SELECT la.cooperation_id FROM registry_linked_agreements la JOIN agreement_members am ON am.agreement_id = la.agreement_id
                   JOIN municipalities m ON m.ags = am.municipality_ags WHERE {members}
        """;

    /// <summary>
    /// The same condition as <see cref="PartnerIn"/>, with the own partner rows probed for the entry c at hand. On
    /// PostgreSQL the probe carries <c>OFFSET 0</c>: without it the planner turns the EXISTS into a hashed subplan and
    /// hashes every partner row of the state first (105,000 for Bayern: 43 ms for words + state + status, 22 ms probed).
    /// </summary>
    private static string PartnerExists(string ownRows, string members, DatabaseKind kind) => $"""
        (EXISTS (SELECT 1 FROM registry_partners rp WHERE rp.cooperation_id = c.id AND {ownRows}{(kind == DatabaseKind.Postgres ? " OFFSET 0" : "")})
         OR c.id IN (SELECT la.cooperation_id FROM registry_linked_agreements la JOIN agreement_members am ON am.agreement_id = la.agreement_id
                       JOIN municipalities m ON m.ags = am.municipality_ags WHERE {members}))
        """;

    /// <summary>
    /// "The entry has a partner with the condition": the two branches of the view registry_entry_partners, written out.
    /// Own partner rows (which only an unlinked entry has — migration 0009 keeps it so) are filtered on their own columns
    /// (<paramref name="ownRows"/>: the partner's key, and the state and Kreis the rows carry from the directory) through
    /// the indexes (state, cooperation_id), (district_key, cooperation_id) and (ags, cooperation_id); the members of a
    /// linked entry's live agreement through the directory (<paramref name="members"/> on municipalities m). Through the
    /// view itself, neither SQLite nor PostgreSQL pushes the condition into the UNION ALL (the recursive view of linked
    /// agreements stops it): SQLite then built all partner rows for every search (2.5 s on 100,000 entries). Same rows
    /// as the view; the tests check both branches.
    /// </summary>
    private static string PartnerIn(string ownRows, string members) => $"c.id IN ({PartnerIds(ownRows, members)})";

    /// <summary>The partners of the given entries (live, through the view), lead first, then by name.</summary>
    public static string PartnersSql(Infrastructure.Database.Db db) => $"""
        SELECT p.cooperation_id AS CooperationId, p.ags, p.role, m.name, m.state, m.district_ags AS DistrictAgs
        FROM registry_entry_partners p JOIN municipalities m ON m.ags = p.ags
        WHERE {db.InList("p.cooperation_id", "Ids")}
        ORDER BY p.cooperation_id, CASE WHEN p.role = 'federfuehrend' THEN 0 ELSE 1 END, m.name
        """;
}
