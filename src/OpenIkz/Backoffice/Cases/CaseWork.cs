using System.Data.Common;
using System.Text.Json;
using Dapper;
using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Backoffice.Decisions;
using OpenIkz.Backoffice.Documents;
using OpenIkz.Backoffice.Intake;
using OpenIkz.Backoffice.Services;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backoffice.Cases;

/// <summary>
/// Reading and working cases. Every query joins the access grants (<see cref="CaseAccess"/>), so a
/// case the caller may not see is simply not found. Every change and every read by a user of another
/// municipality appends to the audit log in the same transaction.
/// </summary>
public sealed class CaseWork(Db db, AuditLog audit, TimeProvider clock, DocumentStore documents, BescheidWriter bescheide, IntakeLimits limits)
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

    internal const string CaseColumns = """
        c.id, c.reference, c.owner_ags AS OwnerAgs, o.name AS OwnerName, c.service_slug AS ServiceSlug, c.case_group AS CaseGroup, c.status,
        c.assigned_user_id AS AssignedUserId, au.display_name AS AssignedName, au.municipality_ags AS AssignedAgs, c.complete,
        c.applicant_given_name AS ApplicantGivenName, c.applicant_family_name AS ApplicantFamilyName, c.applicant_birth_date AS ApplicantBirthDate,
        c.applicant_email AS ApplicantEmail, c.applicant_street AS ApplicantStreet, c.applicant_postal_code AS ApplicantPostalCode,
        c.applicant_city AS ApplicantCity, c.form_json AS FormJson, c.received_at AS ReceivedAt, c.due_date AS DueDate, c.waiting_until AS WaitingUntil,
        c.decided_at AS DecidedAt, c.outcome, c.decision_reason AS DecisionReason, c.decided_by_user_id AS DecidedByUserId, du.display_name AS DecidedByName,
        c.processor_ags AS ProcessorAgs, c.retention_until AS RetentionUntil, g.agreement_id AS AgreementId
        """;

    internal const string CaseFrom = """
        FROM cases c
        JOIN grants g ON g.owner_ags = c.owner_ags AND g.service_slug = c.service_slug
        JOIN municipalities o ON o.ags = c.owner_ags
        LEFT JOIN users au ON au.id = c.assigned_user_id
        LEFT JOIN users du ON du.id = c.decided_by_user_id
        """;

    private DateOnly Today => SubmitApplication.Today(clock);
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private static DynamicParameters Params(Actor actor, DateOnly today, object? more = null)
    {
        var p = new DynamicParameters(CaseAccess.Parameters(actor, today));
        if (more is not null) p.AddDynamicParams(more);
        return p;
    }

    private async Task<Row?> LoadAsync(DbConnection c, DbTransaction? tx, Actor actor, string caseId, bool forUpdate)
    {
        if (!actor.IsUser || caseId.Length > 64) return null;
        return await c.QuerySingleOrDefaultAsync<Row>(
            CaseAccess.With + $"SELECT {CaseColumns} {CaseFrom} WHERE c.id = @CaseId" + (forUpdate ? db.ForUpdate("c") : ""),
            Params(actor, Today, new { CaseId = caseId }), tx);
    }

    private static bool IsForeign(Actor actor, Row row) => row.OwnerAgs != actor.Ags;

    /// <summary>The case with its file. A read by a user of another municipality is audited before the file is returned.</summary>
    public async Task<CaseDetails> GetAsync(Actor actor, string caseId, CancellationToken ct = default)
    {
        // Reading needs no write transaction; only a cross-municipality read appends (briefly) to the audit log.
        await using var c = await db.OpenAsync(ct);
        var row = await LoadAsync(c, null, actor, caseId, forUpdate: false) ?? throw new CaseNotFoundException();
        if (IsForeign(actor, row))
            await db.InTransactionAsync((wc, tx) => audit.AppendAsync(wc, tx, actor, new AuditEntry("case.read", row.OwnerAgs, row.AgreementId, row.Id)), ct);
        return await DetailsAsync(c, null, row);
    }

    private async Task<CaseDetails> DetailsAsync(DbConnection c, DbTransaction? tx, Row row)
    {
        var service = ServiceCatalog.Get(row.ServiceSlug);
        var docs = (await c.QueryAsync<DocumentRow>("""
            SELECT id, document_type AS DocumentType, document_type AS DocumentLabel, file_name AS FileName, content_type AS ContentType,
                   size_bytes AS SizeBytes, sha256, source, added_at AS AddedAt
            FROM case_documents WHERE case_id = @Id ORDER BY added_at, id
            """, new { row.Id }, tx)).Select(d => d.ToDto() with { DocumentLabel = service.Document(d.DocumentType)?.Label ?? (d.DocumentType == "bescheid" ? "Bescheid" : d.DocumentType) }).ToList();
        var notes = (await c.QueryAsync<NoteRow>("""
            SELECT n.id, n.created_at AS CreatedAt, n.author_user_id AS UserId, u.display_name AS Name, u.municipality_ags AS Ags, n.text
            FROM case_notes n JOIN users u ON u.id = n.author_user_id WHERE n.case_id = @Id ORDER BY n.created_at, n.id
            """, new { row.Id }, tx)).Select(n => new NoteDto(n.Id, n.CreatedAt, new PersonRef(n.UserId, n.Name, n.Ags), n.Text)).ToList();
        var history = (await c.QueryAsync<HistoryRow>("""
            SELECT at, actor_user_id AS UserId, actor_name AS Name, actor_ags AS Ags, action, details FROM case_history WHERE case_id = @Id ORDER BY at, id
            """, new { row.Id }, tx)).Select(h => new HistoryDto(h.At, new PersonRef(h.UserId, h.Name, h.Ags), h.Action, h.Details)).ToList();
        var present = docs.Select(d => d.DocumentType).ToHashSet();
        var form = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(row.FormJson)!
            .ToDictionary(kv => kv.Key, kv => (object?)(kv.Value.ValueKind == JsonValueKind.Number ? kv.Value.GetDecimal() : kv.Value.ToString()));
        return new CaseDetails(row.Id, row.Reference, row.OwnerAgs, row.OwnerName, row.ServiceSlug, service.Name, row.CaseGroup, row.Status,
            CaseStatus.Label(row.Status), row.AssignedUserId is null ? null : new PersonRef(row.AssignedUserId, row.AssignedName ?? "", row.AssignedAgs),
            row.Complete, service.RequiredDocumentsFor(row.CaseGroup).Where(d => !present.Contains(d)).ToList(),
            new ApplicantDto(row.ApplicantGivenName, row.ApplicantFamilyName, row.ApplicantBirthDate, row.ApplicantEmail, row.ApplicantStreet, row.ApplicantPostalCode, row.ApplicantCity),
            form, row.ReceivedAt, row.DueDate, row.Status != CaseStatus.Closed && row.DueDate < Today, row.WaitingUntil,
            row.Outcome is null ? null : new DecisionDto(row.Outcome, Outcomes.Label(row.Outcome), row.DecisionReason, row.DecidedAt!.Value,
                new PersonRef(row.DecidedByUserId, row.DecidedByName ?? "", row.ProcessorAgs), row.ProcessorAgs!),
            row.RetentionUntil, row.AgreementId, docs, notes, history);
    }

    /// <summary>
    /// Takes the most urgent open case of @Service that the actor may see: earliest due date (so overdue first),
    /// then oldest. PostgreSQL skips rows other claimers hold; the outer condition re-checks the status.
    /// </summary>
    internal static string ClaimSql(Db db) => CaseAccess.With + $"""
        UPDATE cases SET status = 'assigned', assigned_user_id = @ActorId, assigned_at = @Now, version = version + 1
        WHERE id = (
            SELECT c.id FROM cases c {CaseAccess.JoinGrants}
            WHERE c.service_slug = @Service AND c.status = 'open'
            ORDER BY c.due_date, c.received_at
            LIMIT 1{db.ForUpdateSkipLocked("c")})
          AND status = 'open'
        RETURNING id
        """;

    /// <summary>The most urgent eligible unassigned case of a service (earliest due date, so overdue first; then oldest), or null.</summary>
    public async Task<CaseDetails?> ClaimNextAsync(Actor actor, string service, CancellationToken ct = default)
    {
        if (!actor.IsUser) throw new CaseNotFoundException();
        if (ServiceCatalog.Find(service) is null)
            throw new ValidationException(new ValidationErrors { { "service", [$"Die Leistung '{service}' gibt es nicht."] } });
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var result = await db.InTransactionAsync<(bool Done, CaseDetails? Case)>(async (c, tx) =>
            {
                var today = Today;
                if (await IsAbsentAsync(c, tx, actor.UserId!.Value, today))
                    throw new CaseRuleException("ClerkIsAbsent", "Sie sind heute als abwesend eingetragen und können keine Vorgänge holen.");
                var id = await c.QuerySingleOrDefaultAsync<string>(ClaimSql(db), Params(actor, today, new { Service = service, Now = Now }), tx);
                if (id is null)
                {
                    // Nothing left, or (PostgreSQL) the row taken by a concurrent claim between our look and our update: look again.
                    var anyLeft = await c.ExecuteScalarAsync<int>(CaseAccess.With + $"""
                        SELECT COUNT(*) FROM (SELECT 1 FROM cases c {CaseAccess.JoinGrants} WHERE c.service_slug = @Service AND c.status = 'open' LIMIT 1) x
                        """, Params(actor, today, new { Service = service }), tx);
                    return (anyLeft == 0, null);
                }
                var row = (await LoadAsync(c, tx, actor, id, forUpdate: false))!;
                await CaseHistory.AddAsync(c, tx, id, Now, actor, "übernommen", "Aus dem Pool geholt.");
                var details = await DetailsAsync(c, tx, row);
                // Last before commit: on PostgreSQL the audit head row stays locked only for the commit.
                await audit.AppendAsync(c, tx, actor, new AuditEntry("case.claimed", row.OwnerAgs, row.AgreementId, id));
                return (true, details);
            }, ct);
            if (result.Done) return result.Case;
        }
        return null;
    }

    /// <summary>Loads the case for change under the access rule, applies <paramref name="change"/>, records history and audit.</summary>
    private Task<T> ChangeAsync<T>(Actor actor, string caseId, string auditAction, Func<DbConnection, DbTransaction, Row, Task<(T Result, string History, string? Details)>> change, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var row = await LoadAsync(c, tx, actor, caseId, forUpdate: true) ?? throw new CaseNotFoundException();
            var (result, history, details) = await change(c, tx, row);
            await c.ExecuteAsync("UPDATE cases SET version = version + 1 WHERE id = @Id", new { row.Id }, tx);
            await CaseHistory.AddAsync(c, tx, row.Id, Now, actor, history, details);
            await audit.AppendAsync(c, tx, actor, new AuditEntry(auditAction, row.OwnerAgs, row.AgreementId, row.Id));
            return result;
        }, ct);

    public Task ReleaseAsync(Actor actor, string caseId, CancellationToken ct = default) =>
        ChangeAsync(actor, caseId, "case.released", async (c, tx, row) =>
        {
            row.State.Release(actor.UserId!.Value);
            await c.ExecuteAsync("UPDATE cases SET status = 'open', assigned_user_id = NULL, assigned_at = NULL, waiting_until = NULL WHERE id = @Id", new { row.Id }, tx);
            return (true, "in den Pool zurückgegeben", (string?)null);
        }, ct);

    public Task RequestDocumentsAsync(Actor actor, string caseId, DateOnly until, string message, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(message) || message.Length > 2000)
            throw new ValidationException(new ValidationErrors { { "message", ["Bitte angeben, welche Unterlagen fehlen (höchstens 2000 Zeichen)."] } });
        return ChangeAsync(actor, caseId, "case.documents-requested", async (c, tx, row) =>
        {
            row.State.RequestDocuments(actor.UserId!.Value, until, Today);
            await c.ExecuteAsync("UPDATE cases SET status = 'waiting', waiting_until = @Until WHERE id = @Id", new { row.Id, Until = until }, tx);
            return (true, "Unterlagen angefordert", (string?)$"Frist bis {until:dd.MM.yyyy}: {message.Trim()}");
        }, ct);
    }

    public Task ResumeAsync(Actor actor, string caseId, CancellationToken ct = default) =>
        ChangeAsync(actor, caseId, "case.resumed", async (c, tx, row) =>
        {
            row.State.Resume(actor.UserId!.Value);
            await c.ExecuteAsync("UPDATE cases SET status = 'assigned', waiting_until = NULL WHERE id = @Id", new { row.Id }, tx);
            return (true, "Bearbeitung wieder aufgenommen", (string?)null);
        }, ct);

    public Task<long> AddNoteAsync(Actor actor, string caseId, string text, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 4000)
            throw new ValidationException(new ValidationErrors { { "text", ["Bitte einen Vermerk mit höchstens 4000 Zeichen eingeben."] } });
        return ChangeAsync(actor, caseId, "case.note-added", async (c, tx, row) =>
        {
            row.State.EnsureNotClosed();
            var id = await c.ExecuteScalarAsync<long>("INSERT INTO case_notes (case_id, author_user_id, text, created_at) VALUES (@Id, @User, @Text, @Now) RETURNING id",
                new { row.Id, User = actor.UserId, Text = text.Trim(), Now }, tx);
            return (id, "Vermerk hinzugefügt", (string?)null);
        }, ct);
    }

    public async Task<string> AddDocumentAsync(Actor actor, string caseId, string documentType, string? fileName, string? contentType, byte[] content, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        var name = FileTypes.SanitiseFileName(fileName);
        if (name is null) errors.Add("fileName", "Der Dateiname ist unzulässig (keine Pfade, keine Steuerzeichen, höchstens 200 Zeichen).");
        if (content.Length == 0) errors.Add("content", "Die Datei ist leer.");
        if (content.LongLength > limits.MaxAttachmentBytes) throw new PayloadTooLargeException("content", $"Eine Datei darf höchstens {limits.MaxAttachmentBytes / (1024 * 1024)} MB groß sein.");
        var actual = content.Length == 0 ? null : FileTypes.Sniff(content);
        if (content.Length > 0 && actual is null) errors.Add("content", "Der Dateiinhalt ist kein PDF, PNG, JPEG oder XML.");
        else if (actual is not null && contentType is not null && FileTypes.Normalise(contentType) != actual) errors.Add("contentType", $"Der angegebene Typ passt nicht zum Inhalt ({actual}).");
        if (errors.Count > 0) throw new ValidationException(errors);

        var hash = await documents.SaveAsync(content, ct);
        return await ChangeAsync(actor, caseId, "case.document-added", async (c, tx, row) =>
        {
            row.State.EnsureNotClosed();
            var service = ServiceCatalog.Get(row.ServiceSlug);
            if (service.Document(documentType) is null)
                throw new ValidationException(new ValidationErrors { { "documentType", [$"Die Dokumentart '{documentType}' gibt es bei {service.Name} nicht."] } });
            var id = Guid.CreateVersion7().ToString();
            await c.ExecuteAsync("""
                INSERT INTO case_documents (id, case_id, document_type, file_name, content_type, size_bytes, sha256, source, added_at, added_by_user_id)
                VALUES (@DocId, @Id, @Type, @Name, @ContentType, @Size, @Hash, 'clerk', @Now, @User)
                """, new { DocId = id, row.Id, Type = documentType, Name = name, ContentType = actual, Size = content.LongLength, Hash = hash, Now, User = actor.UserId }, tx);
            var present = (await c.QueryAsync<string>("SELECT DISTINCT document_type FROM case_documents WHERE case_id = @Id", new { row.Id }, tx)).ToHashSet();
            var complete = service.RequiredDocumentsFor(row.CaseGroup).All(present.Contains);
            await c.ExecuteAsync("UPDATE cases SET complete = @Complete WHERE id = @Id", new { Complete = complete, row.Id }, tx);
            return (id, "Dokument hinzugefügt", (string?)$"{service.Document(documentType)!.Label}: {name}{(complete && !row.Complete ? " – Akte jetzt vollständig" : "")}");
        }, ct);
    }

    /// <summary>Decides the case: the Bescheid is issued in the name of the owner and stored in the file; the case closes.</summary>
    public Task<CaseDetails> DecideAsync(Actor actor, string caseId, string outcome, string? reason, CancellationToken ct = default)
    {
        if (reason is { Length: > 4000 }) throw new ValidationException(new ValidationErrors { { "reason", ["Die Begründung darf höchstens 4000 Zeichen lang sein."] } });
        return db.InTransactionAsync(async (c, tx) =>
        {
            var row = await LoadAsync(c, tx, actor, caseId, forUpdate: true) ?? throw new CaseNotFoundException();
            row.State.Decide(actor.UserId!.Value, outcome, reason);
            var now = Now;
            var today = Today;
            var service = ServiceCatalog.Get(row.ServiceSlug);
            // The owner's office contact; telephone and opening hours follow once municipalities record them.
            var email = await c.QuerySingleOrDefaultAsync<string?>("SELECT email FROM municipalities WHERE ags = @Ags", new { Ags = row.OwnerAgs }, tx);
            var contact = new OfficeContact(Telephone: null, Email: email, OpeningHours: null);
            var pdf = await bescheide.WriteAsync(c, tx, row.Id, actor, outcome, reason?.Trim(), now, row.AgreementId, contact);
            var hash = await documents.SaveAsync(pdf, ct);
            await c.ExecuteAsync("""
                INSERT INTO case_documents (id, case_id, document_type, file_name, content_type, size_bytes, sha256, source, added_at, added_by_user_id)
                VALUES (@DocId, @Id, 'bescheid', @Name, 'application/pdf', @Size, @Hash, 'decision', @Now, @User)
                """, new { DocId = Guid.CreateVersion7().ToString(), row.Id, Name = $"Bescheid-{row.Reference}.pdf", Size = pdf.LongLength, Hash = hash, Now = now, User = actor.UserId }, tx);
            await c.ExecuteAsync("""
                UPDATE cases SET status = 'closed', outcome = @Outcome, decision_reason = @Reason, decided_at = @Now, decided_by_user_id = @User,
                    processor_ags = @Processor, retention_until = @Retention, waiting_until = NULL, version = version + 1
                WHERE id = @Id
                """, new { Outcome = outcome, Reason = reason?.Trim(), Now = now, User = actor.UserId, Processor = actor.Ags,
                    Retention = CaseState.RetentionUntil(today, service.RetentionYears), row.Id }, tx);
            await CaseHistory.AddAsync(c, tx, row.Id, now, actor, "entschieden", $"Antrag {Outcomes.Label(outcome)}; Bescheid erstellt.");
            var details = await DetailsAsync(c, tx, (await LoadAsync(c, tx, actor, row.Id, forUpdate: false))!);
            await audit.AppendAsync(c, tx, actor, new AuditEntry("case.decided", row.OwnerAgs, row.AgreementId, row.Id, outcome));
            return details;
        }, ct);
    }

    /// <summary>Team lead: gives the case to a clerk who may see it and is not absent, or back to the pool (target null).</summary>
    public Task ReassignAsync(Actor teamLead, string caseId, long? targetUserId, CancellationToken ct = default) =>
        ChangeAsync(teamLead, caseId, "case.reassigned", async (c, tx, row) =>
        {
            row.State.Reassign(teamLead.IsTeamLead);
            if (targetUserId is null)
            {
                await c.ExecuteAsync("UPDATE cases SET status = 'open', assigned_user_id = NULL, assigned_at = NULL, waiting_until = NULL WHERE id = @Id", new { row.Id }, tx);
                return (true, "in den Pool zurückgegeben (Teamleitung)", (string?)null);
            }
            var target = await c.QuerySingleOrDefaultAsync<UserRow>(
                "SELECT id, display_name AS Name, municipality_ags AS Ags, is_active AS Active FROM users WHERE id = @Id", new { Id = targetUserId }, tx);
            var targetActor = target is { Active: true } t ? new Actor(t.Id, null, t.Name, t.Name, t.Ags, false, []) : null;
            if (targetActor is null || await LoadAsync(c, tx, targetActor, row.Id, forUpdate: false) is null)
                throw new ValidationException(new ValidationErrors { { "userId", ["Diese Person darf den Vorgang nicht bearbeiten (Leistung oder Vereinbarung fehlt)."] } });
            if (await IsAbsentAsync(c, tx, targetActor.UserId!.Value, Today))
                throw new CaseRuleException("ClerkIsAbsent", "Diese Person ist heute abwesend.");
            await c.ExecuteAsync("UPDATE cases SET status = CASE WHEN status = 'waiting' THEN 'waiting' ELSE 'assigned' END, assigned_user_id = @User, assigned_at = @Now WHERE id = @Id",
                new { User = targetActor.UserId, Now, row.Id }, tx);
            return (true, "zugewiesen", (string?)$"an {targetActor.Name} ({targetActor.Ags})");
        }, ct);

    public async Task<(DocumentDto Document, Stream Content)> OpenDocumentAsync(Actor actor, string caseId, string documentId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await LoadAsync(c, null, actor, caseId, forUpdate: false) ?? throw new CaseNotFoundException();
        var document = (await c.QuerySingleOrDefaultAsync<DocumentRow>("""
            SELECT id, document_type AS DocumentType, document_type AS DocumentLabel, file_name AS FileName, content_type AS ContentType,
                   size_bytes AS SizeBytes, sha256, source, added_at AS AddedAt
            FROM case_documents WHERE id = @DocId AND case_id = @CaseId
            """, new { DocId = documentId, CaseId = row.Id }))?.ToDto() ?? throw new CaseNotFoundException();
        if (IsForeign(actor, row))
            await db.InTransactionAsync((wc, tx) => audit.AppendAsync(wc, tx, actor, new AuditEntry("document.read", row.OwnerAgs, row.AgreementId, row.Id, document.Id)), ct);
        var stream = documents.OpenRead(document.Sha256) ?? throw new FileNotFoundException("Document file missing: " + document.Sha256);
        return (document, stream);
    }

    public async Task<IReadOnlyList<HistoryDto>> HistoryAsync(Actor actor, string caseId, CancellationToken ct = default) =>
        (await GetAsync(actor, caseId, ct)).History;

    private const string SummaryColumns = """
        c.id, c.reference, c.owner_ags AS OwnerAgs, o.name AS OwnerName, c.service_slug AS Service, c.case_group AS CaseGroup, c.status, c.status AS StatusLabel,
        c.applicant_family_name AS ApplicantName, c.received_at AS ReceivedAt, c.due_date AS DueDate, c.complete, c.waiting_until AS WaitingUntil, c.outcome,
        c.applicant_given_name AS GivenName
        """;

    private sealed class SummaryRow
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
        public long? AgreementId { get; set; }

        public CaseSummary ToSummary(DateOnly today) => new(Id, Reference, OwnerAgs, OwnerName, Service, CaseGroup, Status, CaseStatus.Label(Status),
            $"{ApplicantName}, {GivenName}", ReceivedAt, DueDate, Status != CaseStatus.Closed && DueDate < today, Complete, WaitingUntil, Outcome);
    }

    /// <summary>The caller's own work: cases assigned to them that they may still see.</summary>
    public async Task<IReadOnlyList<CaseSummary>> MyCasesAsync(Actor actor, CancellationToken ct = default)
    {
        if (!actor.IsUser) return [];
        var today = Today;
        var rows = await db.QueryAsync<SummaryRow>(CaseAccess.With + $"""
            SELECT {SummaryColumns} FROM cases c {CaseAccess.JoinGrants} JOIN municipalities o ON o.ags = c.owner_ags
            WHERE c.assigned_user_id = @ActorId AND c.status IN ('assigned', 'waiting')
            ORDER BY c.due_date, c.received_at
            """, Params(actor, today), ct);
        return rows.Select(r => r.ToSummary(today)).ToList();
    }

    /// <summary>
    /// Archive search over the closed cases of the whole cooperation area the caller may see: an exact
    /// reference, or the beginning of the applicant's family name ("Muster", "mustermann eri").
    /// Every hit of another municipality is audited.
    /// </summary>
    public async Task<IReadOnlyList<CaseSummary>> SearchArchiveAsync(Actor actor, string query, CancellationToken ct = default)
    {
        var q = (query ?? "").Trim();
        if (q.Length < 2 || q.Length > 100)
            throw new ValidationException(new ValidationErrors { { "q", ["Bitte mindestens 2 und höchstens 100 Zeichen eingeben."] } });
        if (!actor.IsUser) return [];
        var today = Today;
        var byReference = q.Count(ch => ch == '-') >= 3 && q.Any(char.IsAsciiDigit);
        var condition = byReference ? "c.reference = @Q" : "c.applicant_search LIKE @Prefix ESCAPE '\\'";
        var prefix = Directory.Municipalities.SearchText.Fold(q).Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_").Replace(",", "") + "%";
        await using var c = await db.OpenAsync(ct);
        {
            var rows = (await c.QueryAsync<SummaryRow>(CaseAccess.With + $"""
                SELECT {SummaryColumns}, g.agreement_id AS AgreementId FROM cases c {CaseAccess.JoinGrants} JOIN municipalities o ON o.ags = c.owner_ags
                WHERE c.status = 'closed' AND {condition}
                ORDER BY c.decided_at DESC
                LIMIT 50
                """, Params(actor, today, new { Q = q.ToUpperInvariant(), Prefix = prefix }))).ToList();
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

    /// <summary>Team lead: per service and owner of the pool the lead can see: open, unassigned, overdue, oldest.</summary>
    public async Task<IReadOnlyList<PoolRow>> PoolOverviewAsync(Actor actor, CancellationToken ct = default)
    {
        if (!actor.IsUser) return [];
        var rows = await db.QueryAsync<PoolDbRow>(CaseAccess.With + $"""
            SELECT c.service_slug AS Service, c.owner_ags AS OwnerAgs, o.name AS OwnerName,
                   COUNT(*) AS Open,
                   SUM(CASE WHEN c.status = 'open' THEN 1 ELSE 0 END) AS Unassigned,
                   SUM(CASE WHEN c.due_date < @Today THEN 1 ELSE 0 END) AS Overdue,
                   MIN(c.received_at) AS OldestReceivedAt
            FROM cases c {CaseAccess.JoinGrants} JOIN municipalities o ON o.ags = c.owner_ags
            WHERE c.status <> 'closed'
            GROUP BY c.service_slug, c.owner_ags, o.name
            ORDER BY c.service_slug, o.name
            """, Params(actor, Today), ct);
        return rows.Select(r => new PoolRow(r.Service, r.OwnerAgs, r.OwnerName, (int)r.Open, (int)r.Unassigned, (int)r.Overdue, r.OldestReceivedAt)).ToList();
    }

    private sealed class UserRow
    {
        public long Id { get; set; }
        public string Name { get; set; } = "";
        public string Ags { get; set; } = "";
        public bool Active { get; set; }
    }

    private sealed class DocumentRow
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

    private sealed class NoteRow
    {
        public long Id { get; set; }
        public DateTime CreatedAt { get; set; }
        public long UserId { get; set; }
        public string Name { get; set; } = "";
        public string Ags { get; set; } = "";
        public string Text { get; set; } = "";
    }

    private sealed class HistoryRow
    {
        public DateTime At { get; set; }
        public long? UserId { get; set; }
        public string Name { get; set; } = "";
        public string? Ags { get; set; }
        public string Action { get; set; } = "";
        public string? Details { get; set; }
    }

    private sealed class PoolDbRow
    {
        public string Service { get; set; } = "";
        public string OwnerAgs { get; set; } = "";
        public string OwnerName { get; set; } = "";
        public long Open { get; set; }
        public long Unassigned { get; set; }
        public long Overdue { get; set; }
        public DateTime? OldestReceivedAt { get; set; }
    }

    internal static async Task<bool> IsAbsentAsync(DbConnection c, DbTransaction tx, long userId, DateOnly today) =>
        await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM absences WHERE user_id = @User AND from_date <= @Today AND to_date >= @Today",
            new { User = userId, Today = today }, tx) > 0;
}
