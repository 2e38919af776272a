using System.Globalization;
using Dapper;
using OpenIkz.Backoffice.Access;
using OpenIkz.Directory.Services;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backoffice.Cases;

/// <summary>A filter of the team lead's case list: service, partner (owner), status, only overdue, assigned clerk; sort; one page.</summary>
public sealed record PoolCaseFilter(string? Service = null, string? Owner = null, string? Status = null, bool OverdueOnly = false, long? Clerk = null,
    string Sort = PoolCases.SortDue, int Page = 1, int PageSize = PoolCases.PageSize);

/// <summary>One case of the list, without the applicant: the list is for distributing work, not for reading files.</summary>
public sealed record PoolCase(string Id, string Reference, string OwnerAgs, string OwnerName, string Service, string Status, string StatusLabel,
    DateTime ReceivedAt, DateOnly DueDate, bool Overdue, long? AssignedUserId, string? AssignedName);

public sealed record PoolCasePage(IReadOnlyList<PoolCase> Items, long Total, int Page, int PageSize);

/// <summary>
/// The open cases a team lead can distribute, under the same access rule as every case query (own municipality and the
/// partners an agreement in force lets it work for), filtered, sorted and paged on the server. It shows no applicant
/// data, so listing is not a read of the files and is not audited; opening a case is.
/// </summary>
public sealed class PoolCases(Db db, CaseQueries queries)
{
    public const int PageSize = 50;
    public const string SortDue = "frist", SortReceived = "eingang", SortReference = "aktenzeichen";
    public static readonly IReadOnlyList<(string Value, string Label)> Sorts = [(SortDue, "Frist, früheste zuerst"), (SortReceived, "Eingang, älteste zuerst"), (SortReference, "Aktenzeichen")];
    public static readonly IReadOnlyList<(string Value, string Label)> Statuses = [(CaseStatus.Open, "frei (nicht zugewiesen)"), (CaseStatus.Assigned, "in Bearbeitung"), (CaseStatus.Waiting, "wartet auf Unterlagen")];

    /// <summary>Checks the raw parameters and names a bad one (German message next to the field).</summary>
    public static PoolCaseFilter Parse(string? service, string? owner, string? status, string? overdue, string? clerk, string? sort, string? page)
    {
        var errors = new ValidationErrors();
        var s = FilterInput.Service(errors, service);
        var o = FilterInput.Owner(errors, owner);
        string? st = null;
        if (!string.IsNullOrWhiteSpace(status))
        {
            if (Statuses.Any(x => x.Value == status.Trim())) st = status.Trim();
            else errors.Add("status", "Diesen Stand gibt es nicht. Bitte wählen Sie einen aus der Liste.");
        }
        long? c = null;
        if (!string.IsNullOrWhiteSpace(clerk))
        {
            if (long.TryParse(clerk.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id)) c = id;
            else errors.Add("clerk", "Bitte wählen Sie eine Person aus der Liste.");
        }
        var so = string.IsNullOrWhiteSpace(sort) ? SortDue : sort.Trim();
        if (Sorts.All(x => x.Value != so)) { errors.Add("sort", "Bitte wählen Sie eine Sortierung aus der Liste."); so = SortDue; }
        var pg = FilterInput.Page(errors, page);
        if (errors.Count > 0) throw new ValidationException(errors);
        return new PoolCaseFilter(s, o, st, overdue is "true" or "ja" or "on", c, so, pg);
    }

    public async Task<PoolCasePage> HandleAsync(Actor teamLead, PoolCaseFilter f, CancellationToken ct = default)
    {
        if (!teamLead.IsUser || !teamLead.IsTeamLead) return new PoolCasePage([], 0, f.Page, f.PageSize);
        var today = queries.Today;
        var where = new List<string> { "c.status <> 'closed'" };
        var p = CaseQueries.Params(teamLead, today, null);
        if (f.Service is not null) { where.Add("c.service_slug = @Service"); p.Add("Service", f.Service); }
        if (f.Owner is not null) { where.Add("c.owner_ags = @Owner"); p.Add("Owner", f.Owner); }
        if (f.Status is not null) { where.Add("c.status = @Status"); p.Add("Status", f.Status); }
        if (f.OverdueOnly) where.Add("c.due_date < @Today");
        if (f.Clerk is not null) { where.Add("c.assigned_user_id = @Clerk"); p.Add("Clerk", f.Clerk); }
        p.Add("Limit", f.PageSize);
        p.Add("Offset", (long)(f.Page - 1) * f.PageSize);
        var order = f.Sort switch
        {
            SortReceived => "c.received_at, c.id",
            SortReference => "c.reference",
            _ => "c.due_date, c.received_at, c.id",
        };
        var filter = string.Join(" AND ", where);
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<long>(new CommandDefinition(CaseAccess.With + $"SELECT COUNT(*) FROM cases c {CaseAccess.JoinGrants} WHERE {filter}", p, cancellationToken: ct));
        var rows = await c.QueryAsync<Row>(new CommandDefinition(CaseAccess.With + $"""
            SELECT c.id, c.reference, c.owner_ags AS OwnerAgs, o.name AS OwnerName, c.service_slug AS Service, c.status, c.received_at AS ReceivedAt,
                   c.due_date AS DueDate, c.assigned_user_id AS AssignedUserId, u.display_name AS AssignedName
            FROM cases c {CaseAccess.JoinGrants} JOIN municipalities o ON o.ags = c.owner_ags LEFT JOIN users u ON u.id = c.assigned_user_id
            WHERE {filter}
            ORDER BY {order}
            LIMIT @Limit OFFSET @Offset
            """, p, cancellationToken: ct));
        return new PoolCasePage(rows.Select(r => new PoolCase(r.Id, r.Reference, r.OwnerAgs, r.OwnerName, r.Service, r.Status, CaseStatus.Label(r.Status),
            DateTime.SpecifyKind(r.ReceivedAt, DateTimeKind.Utc), r.DueDate, r.DueDate < today, r.AssignedUserId, r.AssignedName)).ToList(), total, f.Page, f.PageSize);
    }

    /// <summary>The references of the given cases that the team lead may see (one query, under the access rule); others are left out.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ReferencesAsync(Actor teamLead, IReadOnlyCollection<string> caseIds, CancellationToken ct = default)
    {
        var ids = caseIds.Where(id => id.Length is > 0 and <= 64).Distinct().ToArray();
        if (!teamLead.IsUser || ids.Length == 0) return new Dictionary<string, string>();
        var p = CaseQueries.Params(teamLead, queries.Today, null);
        p.Add("Ids", ids);
        var rows = await db.QueryAsync<(string Id, string Reference)>(CaseAccess.With + $"""
            SELECT c.id, c.reference FROM cases c {CaseAccess.JoinGrants} WHERE {db.InList("c.id", "Ids")}
            """, p, ct);
        return rows.ToDictionary(r => r.Id, r => r.Reference);
    }

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string Reference { get; set; } = "";
        public string OwnerAgs { get; set; } = "";
        public string OwnerName { get; set; } = "";
        public string Service { get; set; } = "";
        public string Status { get; set; } = "";
        public DateTime ReceivedAt { get; set; }
        public DateOnly DueDate { get; set; }
        public long? AssignedUserId { get; set; }
        public string? AssignedName { get; set; }
    }
}
