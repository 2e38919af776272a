using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backoffice.Cases;

/// <summary>The case with its file. A read by a user of another municipality is audited before the file is returned.</summary>
public sealed class GetCase(Db db, CaseQueries queries)
{
    public async Task<CaseDetails> HandleAsync(Actor actor, string caseId, CancellationToken ct = default)
    {
        // Reading needs no write transaction; only a cross-municipality read appends (briefly) to the audit log.
        await using var c = await db.OpenAsync(ct);
        var row = await queries.LoadAsync(c, null, actor, caseId, forUpdate: false) ?? throw new CaseNotFoundException();
        await queries.AuditForeignReadAsync(c, actor, row, "case.read", null, ct);
        return await queries.DetailsAsync(c, null, row);
    }
}

/// <summary>The history of a case, without building the rest of its file.</summary>
public sealed class GetCaseHistory(Db db, CaseQueries queries)
{
    public async Task<IReadOnlyList<HistoryDto>> HandleAsync(Actor actor, string caseId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await queries.LoadAsync(c, null, actor, caseId, forUpdate: false) ?? throw new CaseNotFoundException();
        await queries.AuditForeignReadAsync(c, actor, row, "case.read", "history", ct);
        return await CaseQueries.HistoryAsync(c, null, row.Id);
    }
}
