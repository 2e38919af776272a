using System.Data.Common;
using System.Text.Json;
using Dapper;
using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Backoffice.Intake;
using OpenIkz.Directory.Services;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backoffice.Cases;

/// <summary>
/// What the case use cases share: the case row and its columns, loading a case under the access rule
/// (<see cref="CaseAccess"/>: a case the caller may not see is simply not found), building the case file, and the
/// change pipeline that records history and audit in the same transaction.
/// </summary>
public sealed class CaseQueries(Db db, AuditLog audit, TimeProvider clock)
{
    internal sealed class Row
    {
        public string Id { get; set; } = "";
        public string Reference { get; set; } = "";
        public string OwnerAgs { get; set; } = "";
        public string OwnerName { get; set; } = "";
        public string ServiceSlug { get; set; } = "";
        public string? CaseGroup { get; set; }
        public string Status { get; set; } = "";
        public long? AssignedUserId { get; set; }
        public string? AssignedName { get; set; }
        public string? AssignedAgs { get; set; }
        public bool Complete { get; set; }
        public string ApplicantGivenName { get; set; } = "";
        public string ApplicantFamilyName { get; set; } = "";
        public DateOnly ApplicantBirthDate { get; set; }
        public string? ApplicantEmail { get; set; }
        public string ApplicantStreet { get; set; } = "";
        public string ApplicantPostalCode { get; set; } = "";
        public string ApplicantCity { get; set; } = "";
        public string FormJson { get; set; } = "{}";
        public DateTime ReceivedAt { get; set; }
        public DateOnly DueDate { get; set; }
        public DateOnly? WaitingUntil { get; set; }
        public DateTime? DecidedAt { get; set; }
        public string? Outcome { get; set; }
        public string? DecisionReason { get; set; }
        public long? DecidedByUserId { get; set; }
        public string? DecidedByName { get; set; }
        public string? ProcessorAgs { get; set; }
        public DateOnly? RetentionUntil { get; set; }
        public long? AgreementId { get; set; }

        public CaseState State => new(Id, Status, AssignedUserId, Complete, ServiceSlug, OwnerAgs);
    }

    private const string RowColumns = """
        c.id, c.reference, c.owner_ags AS OwnerAgs, o.name AS OwnerName, c.service_slug AS ServiceSlug, c.case_group AS CaseGroup, c.status,
        c.assigned_user_id AS AssignedUserId, au.display_name AS AssignedName, au.municipality_ags AS AssignedAgs, c.complete,
        c.applicant_given_name AS ApplicantGivenName, c.applicant_family_name AS ApplicantFamilyName, c.applicant_birth_date AS ApplicantBirthDate,
        c.applicant_email AS ApplicantEmail, c.applicant_street AS ApplicantStreet, c.applicant_postal_code AS ApplicantPostalCode,
        c.applicant_city AS ApplicantCity, c.form_json AS FormJson, c.received_at AS ReceivedAt, c.due_date AS DueDate, c.waiting_until AS WaitingUntil,
        c.decided_at AS DecidedAt, c.outcome, c.decision_reason AS DecisionReason, c.decided_by_user_id AS DecidedByUserId, du.display_name AS DecidedByName,
        c.processor_ags AS ProcessorAgs, c.retention_until AS RetentionUntil
        """;

    private const string RowJoins = """
        JOIN municipalities o ON o.ags = c.owner_ags
        LEFT JOIN users au ON au.id = c.assigned_user_id
        LEFT JOIN users du ON du.id = c.decided_by_user_id
        """;

    /// <summary>The row's columns with the granting agreement; use with <see cref="CaseFrom"/> after <see cref="CaseAccess.With"/>.</summary>
    internal const string CaseColumns = RowColumns + ", g.agreement_id AS AgreementId";

    internal const string CaseFrom = "FROM cases c\n" + CaseAccess.JoinGrants + "\n" + RowJoins;

    /// <summary>The German name of a document OpenIKZ itself writes into the e-file (Bescheid, request letter); else the type itself.</summary>
    public static string GeneratedDocumentLabel(string type) => type switch
    {
        "bescheid" => "Bescheid",
        Decisions.DocumentRequestLetter.DocumentType => Decisions.DocumentRequestLetter.Label,
        _ => type,
    };

    internal DateOnly Today => BerlinTime.Today(clock);
    internal DateTime Now => clock.GetUtcNow().UtcDateTime;

    internal static DynamicParameters Params(Actor actor, DateOnly today, object? more = null)
    {
        var p = new DynamicParameters(CaseAccess.Parameters(actor, today));
        if (more is not null) p.AddDynamicParams(more);
        return p;
    }

    /// <summary>The case under the access rule, or null (also for API clients and overlong ids).</summary>
    internal async Task<Row?> LoadAsync(DbConnection c, DbTransaction? tx, Actor actor, string caseId, bool forUpdate)
    {
        if (!actor.IsUser || caseId.Length > 64) return null;
        return await c.QuerySingleOrDefaultAsync<Row>(
            CaseAccess.With + $"SELECT {CaseColumns} {CaseFrom} WHERE c.id = @CaseId" + (forUpdate ? db.ForUpdate("c") : ""),
            Params(actor, Today, new { CaseId = caseId }), tx);
    }

    /// <summary>
    /// A case this transaction has just given to the caller under the access rule (<paramref name="agreementId"/> is the
    /// grant it was picked by): loaded by id without evaluating the rule a second time.
    /// </summary>
    internal async Task<Row?> LoadOwnAsync(DbConnection c, string caseId, long? agreementId) =>
        await c.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {RowColumns}, @AgreementId AS AgreementId FROM cases c {RowJoins} WHERE c.id = @CaseId",
            new { CaseId = caseId, AgreementId = agreementId });

    private const string HistorySql = "SELECT at, actor_user_id AS UserId, actor_name AS Name, actor_ags AS Ags, action, details FROM case_history WHERE case_id = @Id ORDER BY at, id";

    private static HistoryDto ToHistory(HistoryRow h) => new(h.At, new PersonRef(h.UserId, h.Name, h.Ags), h.Action, h.Details);

    internal static async Task<IReadOnlyList<HistoryDto>> HistoryAsync(DbConnection c, DbTransaction? tx, string caseId) =>
        (await c.QueryAsync<HistoryRow>(HistorySql, new { Id = caseId }, tx)).Select(ToHistory).ToList();

    internal static bool IsForeign(Actor actor, Row row) => row.OwnerAgs != actor.Ags;

    /// <summary>
    /// Audits a read by another municipality's user before the content is handed out. PostgreSQL: one INSERT (its own
    /// transaction) on the reader's connection <paramref name="c"/>, so that a read never holds one pooled connection
    /// while it waits for a second (at as many concurrent reads as the pool has connections, that waited for the pool's
    /// time-out). SQLite: through the one writer (group commit).
    /// </summary>
    internal Task AuditForeignReadAsync(DbConnection c, Actor actor, Row row, string action, string? details, CancellationToken ct)
    {
        if (!IsForeign(actor, row)) return Task.CompletedTask;
        var entry = new AuditEntry(action, row.OwnerAgs, row.AgreementId, row.Id, details);
        return db.Kind == DatabaseKind.Postgres
            ? audit.AppendAsync(c, null, actor, entry)
            : db.InTransactionAsync((wc, tx) => audit.AppendAsync(wc, tx, actor, entry), ct);
    }

    /// <summary>The case file's documents, notes and history (@Id), in one command.</summary>
    internal const string FileSql = """
        SELECT id, document_type AS DocumentType, document_type AS DocumentLabel, file_name AS FileName, content_type AS ContentType,
               size_bytes AS SizeBytes, sha256, source, added_at AS AddedAt
        FROM case_documents WHERE case_id = @Id ORDER BY added_at, id;
        SELECT n.id, n.created_at AS CreatedAt, n.author_user_id AS UserId, u.display_name AS Name, u.municipality_ags AS Ags, n.text
        FROM case_notes n JOIN users u ON u.id = n.author_user_id WHERE n.case_id = @Id ORDER BY n.created_at, n.id;
        """ + HistorySql;

    internal async Task<CaseDetails> DetailsAsync(DbConnection c, DbTransaction? tx, Row row)
    {
        var service = ServiceCatalog.Get(row.ServiceSlug);
        // Documents, notes and history in one command (one round trip on PostgreSQL instead of three).
        await using var results = await c.QueryMultipleAsync(FileSql, new { row.Id }, tx);
        var docs = (await results.ReadAsync<DocumentRow>()).Select(d => d.ToDto() with { DocumentLabel = service.Document(d.DocumentType)?.Label ?? GeneratedDocumentLabel(d.DocumentType) }).ToList();
        var notes = (await results.ReadAsync<NoteRow>()).Select(n => new NoteDto(n.Id, n.CreatedAt, new PersonRef(n.UserId, n.Name, n.Ags), n.Text)).ToList();
        var history = (await results.ReadAsync<HistoryRow>()).Select(ToHistory).ToList();
        var present = docs.Select(d => d.DocumentType).ToHashSet();
        var form = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(row.FormJson)!
            .ToDictionary(kv => kv.Key, kv => (object?)(kv.Value.ValueKind == JsonValueKind.Number ? kv.Value.GetDecimal() : kv.Value.ToString()));
        return new CaseDetails(row.Id, row.Reference, row.OwnerAgs, row.OwnerName, row.ServiceSlug, service.Name, row.CaseGroup, row.Status,
            CaseStatus.Label(row.Status), row.AssignedUserId is null ? null : new PersonRef(row.AssignedUserId, row.AssignedName ?? "", row.AssignedAgs),
            row.Complete, service.RequiredDocumentsFor(row.CaseGroup).Where(d => !present.Contains(d)).ToList(),
            new ApplicantDto(row.ApplicantGivenName, row.ApplicantFamilyName, row.ApplicantBirthDate, row.ApplicantEmail, row.ApplicantStreet, row.ApplicantPostalCode, row.ApplicantCity),
            form, row.ReceivedAt, row.DueDate, row.Status != CaseStatus.Closed && row.DueDate < BerlinTime.Today(clock), row.WaitingUntil,
            row.Outcome is null ? null : new DecisionDto(row.Outcome, Outcomes.Label(row.Outcome), row.DecisionReason, row.DecidedAt!.Value,
                new PersonRef(row.DecidedByUserId, row.DecidedByName ?? "", row.ProcessorAgs), row.ProcessorAgs!),
            row.RetentionUntil, row.AgreementId, docs, notes, history);
    }

    /// <summary>Loads the case for change under the access rule, applies <paramref name="change"/>, records history and audit.</summary>
    internal Task<T> ChangeAsync<T>(Actor actor, string caseId, string auditAction, Func<DbConnection, DbTransaction, Row, Task<(T Result, string History, string? Details)>> change, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var row = await LoadAsync(c, tx, actor, caseId, forUpdate: true) ?? throw new CaseNotFoundException();
            var (result, history, details) = await change(c, tx, row);
            await c.ExecuteAsync("UPDATE cases SET version = version + 1 WHERE id = @Id", new { row.Id }, tx);
            await CaseHistory.AddAsync(c, tx, row.Id, Now, actor, history, details);
            await audit.AppendAsync(c, tx, actor, new AuditEntry(auditAction, row.OwnerAgs, row.AgreementId, row.Id));
            return result;
        }, ct);

    internal const string SummaryColumns = """
        c.id, c.reference, c.owner_ags AS OwnerAgs, o.name AS OwnerName, c.service_slug AS Service, c.case_group AS CaseGroup, c.status, c.status AS StatusLabel,
        c.applicant_family_name AS ApplicantName, c.received_at AS ReceivedAt, c.due_date AS DueDate, c.complete, c.waiting_until AS WaitingUntil, c.outcome,
        c.applicant_given_name AS GivenName, c.decided_at AS DecidedAt
        """;

    internal sealed class SummaryRow
    {
        public string Id { get; set; } = "";
        public string Reference { get; set; } = "";
        public string OwnerAgs { get; set; } = "";
        public string OwnerName { get; set; } = "";
        public string Service { get; set; } = "";
        public string? CaseGroup { get; set; }
        public string Status { get; set; } = "";
        public string ApplicantName { get; set; } = "";
        public string GivenName { get; set; } = "";
        public DateTime ReceivedAt { get; set; }
        public DateOnly DueDate { get; set; }
        public bool Complete { get; set; }
        public DateOnly? WaitingUntil { get; set; }
        public string? Outcome { get; set; }
        public DateTime? DecidedAt { get; set; }
        public long? AgreementId { get; set; }

        public CaseSummary ToSummary(DateOnly today) => new(Id, Reference, OwnerAgs, OwnerName, Service, CaseGroup, Status, CaseStatus.Label(Status),
            $"{ApplicantName}, {GivenName}", ReceivedAt, DueDate, Status != CaseStatus.Closed && DueDate < today, Complete, WaitingUntil, Outcome,
            DecidedAt is { } d ? DateTime.SpecifyKind(d, DateTimeKind.Utc) : null);
    }

    internal sealed class UserRow
    {
        public long Id { get; set; }
        public string Name { get; set; } = "";
        public string Ags { get; set; } = "";
        public bool Active { get; set; }
    }

    internal sealed class DocumentRow
    {
        public string Id { get; set; } = "";
        public string DocumentType { get; set; } = "";
        public string DocumentLabel { get; set; } = "";
        public string FileName { get; set; } = "";
        public string ContentType { get; set; } = "";
        public long SizeBytes { get; set; }
        public string Sha256 { get; set; } = "";
        public string Source { get; set; } = "";
        public DateTime AddedAt { get; set; }
        public DocumentDto ToDto() => new(Id, DocumentType, DocumentLabel, FileName, ContentType, SizeBytes, Sha256, Source, AddedAt);
    }

    internal sealed class NoteRow
    {
        public long Id { get; set; }
        public DateTime CreatedAt { get; set; }
        public long UserId { get; set; }
        public string Name { get; set; } = "";
        public string Ags { get; set; } = "";
        public string Text { get; set; } = "";
    }

    internal sealed class HistoryRow
    {
        public DateTime At { get; set; }
        public long? UserId { get; set; }
        public string Name { get; set; } = "";
        public string? Ags { get; set; }
        public string Action { get; set; } = "";
        public string? Details { get; set; }
    }

    internal sealed class PoolDbRow
    {
        public string Service { get; set; } = "";
        public string OwnerAgs { get; set; } = "";
        public string OwnerName { get; set; } = "";
        public long Open { get; set; }
        public long Unassigned { get; set; }
        public long Overdue { get; set; }
        public long UnassignedOverdue { get; set; }
        public DateTime? OldestReceivedAt { get; set; }
    }

    internal static async Task<bool> IsAbsentAsync(DbConnection c, DbTransaction tx, long userId, DateOnly today) =>
        await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM absences WHERE user_id = @User AND from_date <= @Today AND to_date >= @Today",
            new { User = userId, Today = today }, tx) > 0;
}
