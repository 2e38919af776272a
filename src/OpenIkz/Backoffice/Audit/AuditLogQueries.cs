using System.Globalization;
using Dapper;
using OpenIkz.Backoffice.Access;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backoffice.Audit;

/// <summary>A filter of the audit log page. <c>Municipality</c>: the other side (who acted, or whose case it was); dates are Berlin days, both inclusive.</summary>
public sealed record AuditFilter(string? Person = null, string? Action = null, string? Municipality = null, DateOnly? From = null, DateOnly? To = null, int Page = 1, int PageSize = AuditLogQueries.DefaultPageSize);

public sealed record AuditRow(long Seq, DateTime At, string ActorName, string ActorAgs, string? OwnerAgs, long? AgreementId, string? CaseId, string? CaseReference, string Action, string? Detail);

public sealed record AuditPage(IReadOnlyList<AuditRow> Items, long Total, int Page, int PageSize);

/// <summary>
/// What an administration may read of the audit log: the entries its own people made (actor_ags) and every entry about a
/// case it owns (owner_ags) — so it sees which partner read or changed its cases, and never a third municipality's
/// dealings with a fourth. Newest first, paged on the server; the filters are bound parameters.
/// </summary>
public sealed class AuditLogQueries(Db db)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    /// <summary>The actions with their German names (the page's filter and its column).</summary>
    public static readonly IReadOnlyList<(string Action, string Label)> Actions =
    [
        ("case.received", "Antrag eingegangen"),
        ("case.read", "Vorgang gelesen"),
        ("case.found", "Vorgang im Archiv gefunden"),
        ("case.claimed", "Vorgang geholt"),
        ("case.released", "Vorgang in den Pool zurückgegeben"),
        ("case.reassigned", "Vorgang zugewiesen"),
        ("case.returned-absence", "Vorgang wegen Abwesenheit zurückgegeben"),
        ("case.documents-requested", "Unterlagen angefordert"),
        ("case.resumed", "Bearbeitung wieder aufgenommen"),
        ("case.note-added", "Vermerk hinzugefügt"),
        ("case.document-added", "Dokument hinzugefügt"),
        ("document.read", "Dokument geöffnet"),
        ("case.decided", "Vorgang entschieden"),
        ("agreement.evaluated", "Vereinbarung ausgewertet"),
        ("backup.received", "Sicherung eines Partners empfangen"),
    ];

    public static string Label(string action) => Actions.FirstOrDefault(a => a.Action == action).Label ?? action;

    /// <summary>The entry in words: the action, and for a decision its outcome („Vorgang entschieden: abgelehnt“). Other details are not shown.</summary>
    public static string Describe(AuditRow row) =>
        row.Action == "case.decided" && Cases.Outcomes.Label(row.Detail) is { Length: > 0 } outcome ? $"{Label(row.Action)}: {outcome}" : Label(row.Action);

    /// <summary>Checks the raw query parameters and names a bad one (400 problem / German message next to the field).</summary>
    public static AuditFilter Parse(string? person, string? action, string? municipality, string? from, string? to, string? page, string? pageSize)
    {
        var errors = new ValidationErrors();
        string? p = null;
        if (!string.IsNullOrWhiteSpace(person))
        {
            if (TextInput.Problem(person, TextKind.Line) is { } problem) errors.Add("person", "Der Name " + problem);
            else if (person.Trim().Length > 100) errors.Add("person", "Der Name hat höchstens 100 Zeichen.");
            else p = person.Trim();
        }
        string? a = null;
        if (!string.IsNullOrWhiteSpace(action))
        {
            if (Actions.Any(x => x.Action == action.Trim())) a = action.Trim();
            else errors.Add("action", "Diese Aktion gibt es nicht. Bitte wählen Sie eine aus der Liste.");
        }
        string? m = null;
        if (!string.IsNullOrWhiteSpace(municipality))
        {
            var v = municipality.Trim();
            if (v.Length is 5 or 8 or 9 && v.All(char.IsAsciiDigit)) m = v;
            else errors.Add("municipality", "Der amtliche Schlüssel hat 5, 8 oder 9 Ziffern.");
        }
        var f = InputDates.ParseDay(errors, "from", from, "den ersten Tag");
        var t = InputDates.ParseDay(errors, "to", to, "den letzten Tag");
        if (f is { } ff && t is { } tt && tt < ff) errors.Add("to", "Der letzte Tag liegt vor dem ersten.");
        int Number(string name, string? text, int fallback, int max, string message)
        {
            if (string.IsNullOrWhiteSpace(text)) return fallback;
            if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max) return n;
            errors.Add(name, message);
            return fallback;
        }
        var pg = Number("page", page, 1, 1_000_000, "Die Seite ist eine ganze Zahl ab 1.");
        var size = Number("pageSize", pageSize, DefaultPageSize, MaxPageSize, $"Die Seitengröße liegt zwischen 1 und {MaxPageSize}.");
        if (errors.Count > 0) throw new ValidationException(errors);
        return new AuditFilter(p, a, m, f, t, pg, size);
    }

    public async Task<AuditPage> SearchAsync(string viewerAgs, AuditFilter f, CancellationToken ct = default)
    {
        var where = new List<string> { "(l.actor_ags = @Viewer OR l.owner_ags = @Viewer)" };
        var p = new DynamicParameters(new { Viewer = viewerAgs });
        if (f.Action is not null) { where.Add("l.action = @Action"); p.Add("Action", f.Action); }
        if (f.Municipality is not null) { where.Add("(l.actor_ags = @Other OR l.owner_ags = @Other)"); p.Add("Other", f.Municipality); }
        // A part of the name, case-insensitive: PostgreSQL's ILIKE for every letter, SQLite's LIKE for ASCII letters (not Ä/ä).
        if (f.Person is not null) { where.Add($"l.actor_name {(db.Kind == DatabaseKind.Postgres ? "ILIKE" : "LIKE")} @Person ESCAPE '\\'"); p.Add("Person", "%" + SearchText.EscapeLike(f.Person) + "%"); }
        if (f.From is { } from) { where.Add("l.at >= @FromUtc"); p.Add("FromUtc", BerlinTime.StartOfDayUtc(from)); }
        if (f.To is { } to) { where.Add("l.at < @ToUtc"); p.Add("ToUtc", BerlinTime.StartOfDayUtc(to.AddDays(1))); }
        var filter = " WHERE " + string.Join(" AND ", where);
        p.Add("Limit", f.PageSize);
        p.Add("Offset", (long)(f.Page - 1) * f.PageSize);
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM audit_log l" + filter, p, cancellationToken: ct));
        var items = (await c.QueryAsync<AuditRow>(new CommandDefinition($"""
            SELECT l.seq, l.at, l.actor_name AS ActorName, l.actor_ags AS ActorAgs, l.owner_ags AS OwnerAgs, l.agreement_id AS AgreementId,
                   l.case_id AS CaseId, cs.reference AS CaseReference, l.action, l.detail
            FROM audit_log l LEFT JOIN cases cs ON cs.id = l.case_id
            {filter}
            ORDER BY l.seq DESC LIMIT @Limit OFFSET @Offset
            """, p, cancellationToken: ct))).ToList();
        return new AuditPage(items, total, f.Page, f.PageSize);
    }
}
