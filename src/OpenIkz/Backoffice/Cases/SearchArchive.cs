using Dapper;
using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backoffice.Cases;

public sealed class SearchArchive(Db db, AuditLog audit, CaseQueries queries)
{
    /// <summary>
    /// Archive search over the closed cases of the whole cooperation area the caller may see: an exact
    /// reference, or the beginning of the applicant's family name ("Muster", "mustermann eri").
    /// Every hit of another municipality is audited.
    /// </summary>
    public async Task<IReadOnlyList<CaseSummary>> HandleAsync(Actor actor, string query, CancellationToken ct = default)
    {
        var q = (query ?? "").Trim();
        if (q.Length < 2 || q.Length > 100)
            throw ValidationException.For("q", "Bitte mindestens 2 und höchstens 100 Zeichen eingeben.");
        if (!actor.IsUser) return [];
        var today = queries.Today;
        var byReference = q.Count(ch => ch == '-') >= 3 && q.Any(char.IsAsciiDigit);
        var condition = byReference ? "c.reference = @Q" : "c.applicant_search LIKE @Prefix ESCAPE '\\'";
        var prefix = SearchText.LikePrefix(q.Replace(",", ""));
        await using var c = await db.OpenAsync(ct);
        {
            var rows = (await c.QueryAsync<CaseQueries.SummaryRow>(CaseAccess.With + $"""
                SELECT {CaseQueries.SummaryColumns}, g.agreement_id AS AgreementId FROM cases c {CaseAccess.JoinGrants} JOIN municipalities o ON o.ags = c.owner_ags
                WHERE c.status = 'closed' AND {condition}
                ORDER BY c.decided_at DESC
                LIMIT 50
                """, CaseQueries.Params(actor, today, new { Q = q.ToUpperInvariant(), Prefix = prefix }))).ToList();
            var foreign = rows.Where(r => r.OwnerAgs != actor.Ags).ToList();
            if (foreign.Count > 0)
                await db.InTransactionAsync(async (wc, tx) =>
                {
                    foreach (var row in foreign)
                        await audit.AppendAsync(wc, tx, actor, new AuditEntry("case.found", row.OwnerAgs, row.AgreementId, row.Id, "archive-search"));
                }, ct);
            return rows.Select(r => r.ToSummary(today)).ToList();
        }
    }

}
