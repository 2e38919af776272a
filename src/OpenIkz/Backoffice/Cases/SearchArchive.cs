using System.Globalization;
using Dapper;
using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Directory.Services;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backoffice.Cases;

/// <summary>
/// A search of the archive: words (an exact reference, or the beginning of the family name), and filters by service,
/// partner (the owning municipality), outcome and decision date (Berlin days, both inclusive); one page, newest decision first.
/// </summary>
public sealed record ArchiveFilter(string? Query = null, string? Service = null, string? Owner = null, string? Outcome = null,
    DateOnly? DecidedFrom = null, DateOnly? DecidedTo = null, int Page = 1, int PageSize = SearchArchive.PageSize)
{
    public bool IsEmpty => Query is null && Service is null && Owner is null && Outcome is null && DecidedFrom is null && DecidedTo is null;
}

public sealed record ArchivePage(IReadOnlyList<CaseSummary> Items, long Total, int Page, int PageSize);

public sealed class SearchArchive(Db db, AuditLog audit, CaseQueries queries)
{
    public const int PageSize = 50;

    /// <summary>
    /// Archive search over the closed cases of the whole cooperation area the caller may see: an exact
    /// reference, or the beginning of the applicant's family name ("Muster", "mustermann eri").
    /// Every hit of another municipality is audited. (The API's form: the first 50 hits.)
    /// </summary>
    public async Task<IReadOnlyList<CaseSummary>> HandleAsync(Actor actor, string query, CancellationToken ct = default)
    {
        var q = (query ?? "").Trim();
        if (q.Length < 2 || q.Length > 100)
            throw ValidationException.For("q", "Bitte mindestens 2 und höchstens 100 Zeichen eingeben.");
        return (await SearchAsync(actor, new ArchiveFilter(q), ct)).Items;
    }

    /// <summary>The municipalities whose cases the caller may see (own first, then by name): the partner filter's choices.</summary>
    public async Task<IReadOnlyList<(string Ags, string Name)>> OwnersAsync(Actor actor, CancellationToken ct = default)
    {
        if (!actor.IsUser) return [];
        var rows = await db.QueryAsync<(string Ags, string Name)>(CaseAccess.With + """
            SELECT DISTINCT g.owner_ags AS Ags, m.name AS Name FROM grants g JOIN municipalities m ON m.ags = g.owner_ags
            """, CaseQueries.Params(actor, queries.Today), ct);
        return rows.OrderBy(r => r.Ags == actor.Ags ? 0 : 1).ThenBy(r => r.Name, StringComparer.Create(CultureInfo.GetCultureInfo("de-DE"), CompareOptions.None)).ToList();
    }

    /// <summary>Checks the page's raw parameters and names a bad one (German message next to the field).</summary>
    public static ArchiveFilter Parse(string? q, string? service, string? owner, string? outcome, string? from, string? to, string? page)
    {
        var errors = new ValidationErrors();
        string? query = null;
        if (!string.IsNullOrWhiteSpace(q))
        {
            var t = q.Trim();
            if (t.Length is < 2 or > 100) errors.Add("q", "Bitte mindestens 2 und höchstens 100 Zeichen eingeben.");
            else query = t;
        }
        var s = FilterInput.Service(errors, service);
        var o = FilterInput.Owner(errors, owner);
        string? r = null;
        if (!string.IsNullOrWhiteSpace(outcome))
        {
            if (outcome.Trim() is Outcomes.Granted or Outcomes.Rejected) r = outcome.Trim();
            else errors.Add("outcome", "Die Entscheidung ist „bewilligt“ oder „abgelehnt“.");
        }
        var f = InputDates.ParseDay(errors, "from", from, "den ersten Entscheidungstag");
        var tt = InputDates.ParseDay(errors, "to", to, "den letzten Entscheidungstag");
        if (f is { } a && tt is { } b && b < a) errors.Add("to", "Der letzte Tag liegt vor dem ersten.");
        var pg = FilterInput.Page(errors, page);
        if (errors.Count > 0) throw new ValidationException(errors);
        return new ArchiveFilter(query, s, o, r, f, tt, pg);
    }

    /// <summary>One page of the closed cases matching <paramref name="f"/> that the caller may see, with their total; the page's hits of other municipalities are audited.</summary>
    public async Task<ArchivePage> SearchAsync(Actor actor, ArchiveFilter f, CancellationToken ct = default)
    {
        if (!actor.IsUser || f.IsEmpty) return new ArchivePage([], 0, f.Page, f.PageSize);
        var today = queries.Today;
        var where = new List<string> { "c.status = 'closed'" };
        var more = new DynamicParameters();
        if (f.Query is { } q)
        {
            var byReference = q.Count(ch => ch == '-') >= 3 && q.Any(char.IsAsciiDigit);
            where.Add(byReference ? "c.reference = @Q" : "c.applicant_search LIKE @Prefix ESCAPE '\\'");
            more.Add("Q", q.ToUpperInvariant());
            more.Add("Prefix", SearchText.LikePrefix(q.Replace(",", "")));
        }
        if (f.Service is not null) { where.Add("c.service_slug = @Service"); more.Add("Service", f.Service); }
        if (f.Owner is not null) { where.Add("c.owner_ags = @Owner"); more.Add("Owner", f.Owner); }
        if (f.Outcome is not null) { where.Add("c.outcome = @Outcome"); more.Add("Outcome", f.Outcome); }
        if (f.DecidedFrom is { } from) { where.Add("c.decided_at >= @FromUtc"); more.Add("FromUtc", BerlinTime.StartOfDayUtc(from)); }
        if (f.DecidedTo is { } to) { where.Add("c.decided_at < @ToUtc"); more.Add("ToUtc", BerlinTime.StartOfDayUtc(to.AddDays(1))); }
        more.Add("Limit", f.PageSize);
        more.Add("Offset", (long)(f.Page - 1) * f.PageSize);
        var parameters = CaseQueries.Params(actor, today, null);
        parameters.AddDynamicParams(more);
        var filter = string.Join(" AND ", where);
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<long>(new CommandDefinition(CaseAccess.With + $"""
            SELECT COUNT(*) FROM cases c {CaseAccess.JoinGrants} WHERE {filter}
            """, parameters, cancellationToken: ct));
        var rows = (await c.QueryAsync<CaseQueries.SummaryRow>(new CommandDefinition(CaseAccess.With + $"""
            SELECT {CaseQueries.SummaryColumns}, g.agreement_id AS AgreementId FROM cases c {CaseAccess.JoinGrants} JOIN municipalities o ON o.ags = c.owner_ags
            WHERE {filter}
            ORDER BY c.decided_at DESC, c.id DESC
            LIMIT @Limit OFFSET @Offset
            """, parameters, cancellationToken: ct))).ToList();
        var foreign = rows.Where(r => r.OwnerAgs != actor.Ags).ToList();
        if (foreign.Count > 0)
            await db.InTransactionOnAsync(c, async (wc, tx) =>
            {
                foreach (var row in foreign)
                    await audit.AppendAsync(wc, tx, actor, new AuditEntry("case.found", row.OwnerAgs, row.AgreementId, row.Id, "archive-search"));
            }, ct);
        return new ArchivePage(rows.Select(r => r.ToSummary(today)).ToList(), total, f.Page, f.PageSize);
    }
}
