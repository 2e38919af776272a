using System.Data.Common;
using System.Globalization;
using Dapper;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Agreements;

public sealed record AgreementHistoryEntry(DateTime At, string Actor, string? ActorAgs, string Action, string? Details);

public sealed record AgreementDocumentInfo(int Version, DateTime CreatedAt, string Reason, string HtmlSha256, string PdfSha256);

public sealed record MemberView(string Ags, string Name, bool ContributesCases, bool ContributesStaff, int? CapacitySharePercent, DateTime? ConsentedAt);

public sealed record AgreementSummary(long Id, string Title, string Status, string StatusLabel, DateOnly ValidFrom, DateOnly? ValidTo, int Version,
    IReadOnlyList<string> Services, IReadOnlyList<string> Members);

/// <summary>An agreement not yet in force and what is due next, in the words of the start page.</summary>
public sealed record PendingAgreement(AgreementDetails Agreement, string NextStep, IReadOnlyList<string> MissingConsents, bool OwnConsentMissing, DateTime? SubmittedAt);

public sealed record AgreementDetails(
    long Id,
    string Title,
    string Status,
    string StatusLabel,
    int Version,
    long? SupersedesId,
    long? SupersededById,
    IReadOnlyList<string> Services,
    IReadOnlyList<MemberView> Members,
    string? StateLaw,
    string? StateLawLabel,
    string? LegalForm,
    string? LegalFormLabel,
    bool TransfersTask,
    bool NeedsApproval,
    DateOnly ValidFrom,
    DateOnly? ValidTo,
    int NoticeMonths,
    string? DataProtection,
    string? Goals,
    DateOnly? EvaluationDate,
    IReadOnlyList<AgreementRate> Rates,
    string FeeRule,
    decimal? FeeSharePercent,
    string? ApprovalReference,
    DateOnly? ApprovedOn,
    string? TerminationReason,
    string? TerminationNote,
    IReadOnlyList<AgreementHistoryEntry> History,
    IReadOnlyList<AgreementDocumentInfo> Documents)
{
    public AgreementState State => new(Id, Status, Members.Select(m => new AgreementMember(m.Ags, m.ContributesCases, m.ContributesStaff, m.CapacitySharePercent, m.ConsentedAt)).ToList(),
        ValidFrom, ValidTo, NoticeMonths, NeedsApproval, SupersededById);
}

/// <summary>
/// Cooperation agreements from draft to termination. Coordinators (role Koordination) of a member act
/// for their municipality; a municipality sees only agreements it is a member of (others are 404).
/// Every step lands in the agreement's history; the agreement document is regenerated at every change
/// of the terms and at approval, and every version is kept.
/// </summary>
public sealed class AgreementService(Db db, TimeProvider clock, AgreementDocuments documents)
{
    private DateOnly Today => BerlinTime.Today(clock);
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private static void RequireCoordinator(Actor actor)
    {
        if (!actor.IsUser || !actor.IsCoordinator) throw new RuleException("CoordinatorOnly", "Nur die Koordination einer Mitgliedskommune kann Vereinbarungen bearbeiten.");
    }

    public async Task<IReadOnlyList<AgreementSummary>> ListAsync(string ags, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = (await c.QueryAsync<Row>(Select + " WHERE EXISTS (SELECT 1 FROM agreement_members m WHERE m.agreement_id = a.id AND m.municipality_ags = @Ags) ORDER BY a.valid_from DESC, a.id DESC", new { Ags = ags })).ToList();
        var services = (await c.QueryAsync<(long Id, string Slug)>("SELECT agreement_id, service_slug FROM agreement_services")).ToLookup(s => s.Id, s => s.Slug);
        var members = (await c.QueryAsync<(long Id, string Name)>("SELECT m.agreement_id, mu.name FROM agreement_members m JOIN municipalities mu ON mu.ags = m.municipality_ags ORDER BY mu.name")).ToLookup(m => m.Id, m => m.Name);
        return rows.Select(r => new AgreementSummary(r.Id, r.Title, r.Status, AgreementStatus.Label(r.Status, r.ValidFrom, r.ValidTo, Today), r.ValidFrom, r.ValidTo, r.Version,
            services[r.Id].ToList(), members[r.Id].ToList())).ToList();
    }

    /// <summary>
    /// The coordinator's start page: the own municipality's agreements that are not yet in force, each with what is due next
    /// (the members whose consent is missing, the submission to the Kommunalaufsicht, its approval, the start date), oldest
    /// first. Drafts that replace an agreement (amendments) are included.
    /// </summary>
    public async Task<IReadOnlyList<PendingAgreement>> PendingAsync(Actor actor, CancellationToken ct = default)
    {
        RequireCoordinator(actor);
        await using var c = await db.OpenAsync(ct);
        var ids = await c.QueryAsync<long>("""
            SELECT a.id FROM agreements a
            WHERE EXISTS (SELECT 1 FROM agreement_members m WHERE m.agreement_id = a.id AND m.municipality_ags = @Ags)
              AND (a.status IN ('draft', 'consented', 'submitted') OR (a.status = 'approved' AND a.valid_from > @Today))
            ORDER BY a.id
            """, new { actor.Ags, Today });
        var result = new List<PendingAgreement>();
        foreach (var id in ids)
        {
            var a = (await LoadAsync(c, null, id))!;
            var missing = a.Members.Where(m => m.ConsentedAt is null).ToList();
            var submittedAt = a.History.LastOrDefault(h => h.Action == "der Kommunalaufsicht vorgelegt")?.At;
            var next = a.Status switch
            {
                AgreementStatus.Draft when missing.Count == 0 => "Alle Mitglieder haben zugestimmt.",
                AgreementStatus.Draft => $"Zustimmung fehlt: {string.Join(", ", missing.Select(m => m.Name))}.",
                AgreementStatus.Consented => "Alle Mitglieder haben zugestimmt. Nächster Schritt: der Kommunalaufsicht vorlegen.",
                AgreementStatus.Submitted => submittedAt is { } at
                    ? $"Genehmigung der Kommunalaufsicht ausstehend (vorgelegt am {BerlinTime.DateOf(at):dd.MM.yyyy})."
                    : "Genehmigung der Kommunalaufsicht ausstehend.",
                _ => $"Genehmigt; wird am {a.ValidFrom:dd.MM.yyyy} wirksam.",
            };
            result.Add(new PendingAgreement(a, next, missing.Select(m => m.Name).ToList(), missing.Any(m => m.Ags == actor.Ags), submittedAt));
        }
        return result;
    }

    /// <summary>The agreement, if the caller's municipality is a member; otherwise not found.</summary>
    public async Task<AgreementDetails> GetAsync(Actor actor, long id, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var details = await LoadAsync(c, null, id);
        if (details is null || details.Members.All(m => m.Ags != actor.Ags)) throw new AgreementNotFoundException();
        return details;
    }

    internal async Task<AgreementDetails?> LoadAsync(DbConnection c, DbTransaction? tx, long id)
    {
        var r = await c.QuerySingleOrDefaultAsync<Row>(Select + " WHERE a.id = @Id", new { Id = id }, tx);
        if (r is null) return null;
        var services = (await c.QueryAsync<string>("SELECT service_slug FROM agreement_services WHERE agreement_id = @Id ORDER BY service_slug", new { Id = id }, tx)).ToList();
        var members = (await c.QueryAsync<MemberRow>("""
            SELECT m.municipality_ags AS Ags, mu.name, m.contributes_cases AS ContributesCases, m.contributes_staff AS ContributesStaff,
                   m.capacity_share_percent AS CapacitySharePercent, m.consented_at AS ConsentedAt
            FROM agreement_members m JOIN municipalities mu ON mu.ags = m.municipality_ags WHERE m.agreement_id = @Id ORDER BY mu.name
            """, new { Id = id }, tx)).Select(m => new MemberView(m.Ags, m.Name, m.ContributesCases, m.ContributesStaff, m.CapacitySharePercent, m.ConsentedAt)).ToList();
        var rates = (await c.QueryAsync<RateRow>("SELECT service_slug AS Service, case_group AS CaseGroup, flat_cents AS FlatCents, fee_cents AS FeeCents, appointment_cents AS AppointmentCents FROM agreement_rates WHERE agreement_id = @Id ORDER BY service_slug, case_group", new { Id = id }, tx))
            .Select(x => new AgreementRate(x.Service, x.CaseGroup, x.FlatCents / 100m, x.FeeCents / 100m, x.AppointmentCents / 100m)).ToList();
        var history = (await c.QueryAsync<HistoryRow>("SELECT at, actor_name AS Actor, actor_ags AS ActorAgs, action, details FROM agreement_history WHERE agreement_id = @Id ORDER BY at, id", new { Id = id }, tx))
            .Select(h => new AgreementHistoryEntry(h.At, h.Actor, h.ActorAgs, h.Action, h.Details)).ToList();
        var docs = (await c.QueryAsync<DocumentRow>("SELECT version, created_at AS CreatedAt, reason, html_sha256 AS HtmlSha256, pdf_sha256 AS PdfSha256 FROM agreement_documents WHERE agreement_id = @Id ORDER BY created_at", new { Id = id }, tx))
            .Select(d => new AgreementDocumentInfo(d.Version, d.CreatedAt, d.Reason, d.HtmlSha256, d.PdfSha256)).ToList();
        var law = LegalForms.Law(r.StateLaw);
        var form = law?.Form(r.LegalForm);
        return new AgreementDetails(r.Id, r.Title, r.Status, AgreementStatus.Label(r.Status, r.ValidFrom, r.ValidTo, Today), r.Version, r.SupersedesId, r.SupersededById,
            services, members, r.StateLaw, law?.Label, r.LegalForm, form?.Label, r.TransfersTask, form is not null && LegalForms.NeedsApproval(form, r.TransfersTask),
            r.ValidFrom, r.ValidTo, r.NoticeMonths, r.DataProtection, r.Goals, r.EvaluationDate, rates, r.FeeRule,
            r.FeeSharePercent is null ? null : decimal.Parse(r.FeeSharePercent, CultureInfo.InvariantCulture),
            r.ApprovalReference, r.ApprovedOn, r.TerminationReason, r.TerminationNote, history, docs);
    }

    private async Task<AgreementTerms> ValidateAsync(AgreementInput input, CancellationToken ct)
    {
        var rows = await db.QueryAsync<(string Ags, string State, string Name)>("SELECT ags, state, name FROM municipalities", ct: ct);
        return AgreementValidator.Validate(input, rows.ToDictionary(x => x.Ags, x => x.State), rows.ToDictionary(x => x.Ags, x => x.Name));
    }

    /// <summary>
    /// Creates a draft. <paramref name="within"/> runs in the same transaction once the draft has its id (before its
    /// document is rendered): a caller that records the new id elsewhere does so atomically, and its exception leaves no
    /// draft behind.
    /// </summary>
    public async Task<long> CreateDraftAsync(Actor actor, AgreementInput input, CancellationToken ct = default,
        Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, long, Task>? within = null)
    {
        RequireCoordinator(actor);
        var terms = await ValidateAsync(input, ct);
        if (terms.Members.All(m => m.Ags != actor.Ags))
            throw new ValidationException(new ValidationErrors { { "members", ["Ihre eigene Kommune muss Mitglied der Vereinbarung sein."] } });
        return await db.InTransactionAsync(async (c, tx) =>
        {
            var id = await c.ExecuteScalarAsync<long>("INSERT INTO agreements (title, status, valid_from, created_at, created_by_ags, version) VALUES (@Title, 'draft', @From, @Now, @Ags, 1) RETURNING id",
                new { terms.Title, From = terms.ValidFrom, Now, actor.Ags }, tx);
            await WriteTermsAsync(c, tx, id, terms);
            await HistoryAsync(c, tx, id, actor, "Entwurf angelegt", terms.Title);
            if (within is not null) await within(c, tx, id);
            await documents.RenderAsync(c, tx, id, "Entwurf");
            return id;
        }, ct);
    }

    public Task UpdateDraftAsync(Actor actor, long id, AgreementInput input, CancellationToken ct = default) =>
        ChangeAsync(actor, id, async (c, tx, a) =>
        {
            a.State.EnsureMember(actor.Ags);
            a.State.EnsureEditable();
            var terms = await ValidateAsync(input, ct);
            if (terms.Members.All(m => m.Ags != actor.Ags))
                throw new ValidationException(new ValidationErrors { { "members", ["Ihre eigene Kommune muss Mitglied der Vereinbarung bleiben."] } });
            await WriteTermsAsync(c, tx, id, terms);
            await HistoryAsync(c, tx, id, actor, "Entwurf geändert", "Alle bisherigen Zustimmungen wurden zurückgesetzt.");
            await documents.RenderAsync(c, tx, id, "Entwurf geändert");
        }, ct);

    public Task ConsentAsync(Actor actor, long id, CancellationToken ct = default) =>
        ChangeAsync(actor, id, async (c, tx, a) =>
        {
            a.State.Consent(actor.Ags);
            await c.ExecuteAsync("UPDATE agreement_members SET consented_at = @Now, consented_by_user_id = @User WHERE agreement_id = @Id AND municipality_ags = @Ags",
                new { Now, User = actor.UserId, Id = id, actor.Ags }, tx);
            await HistoryAsync(c, tx, id, actor, "zugestimmt", null);
            var after = (await LoadAsync(c, tx, id))!;
            if (!after.State.AllConsented) return;
            if (after.NeedsApproval)
            {
                await SetStatusAsync(c, tx, id, AgreementStatus.Consented);
                await HistoryAsync(c, tx, id, actor, "Zustimmung aller Mitglieder", "Die Vereinbarung kann der Kommunalaufsicht vorgelegt werden.");
            }
            else
            {
                await HistoryAsync(c, tx, id, actor, "Zustimmung aller Mitglieder", $"{after.LegalFormLabel} ohne Übertragung der Aufgabe: keine Genehmigung erforderlich.");
                await TakeEffectAsync(c, tx, actor, after);
            }
        }, ct);

    public Task SubmitAsync(Actor actor, long id, CancellationToken ct = default) =>
        ChangeAsync(actor, id, async (c, tx, a) =>
        {
            a.State.Submit(actor.Ags);
            await SetStatusAsync(c, tx, id, AgreementStatus.Submitted);
            await HistoryAsync(c, tx, id, actor, "der Kommunalaufsicht vorgelegt", null);
        }, ct);

    public Task ApproveAsync(Actor actor, long id, DateOnly approvedOn, string reference, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        InputDates.Check(errors, "approvedOn", approvedOn);
        var cleanReference = TextInput.Field(errors, "reference", reference, TextKind.Line, "Das Aktenzeichen");
        if (!errors.ContainsKey("reference") && (cleanReference is null || cleanReference.Length > 100))
            errors.Add("reference", "Bitte das Aktenzeichen der Genehmigung angeben (höchstens 100 Zeichen).");
        if (errors.Count > 0) throw new ValidationException(errors);
        reference = cleanReference!;
        return ChangeAsync(actor, id, async (c, tx, a) =>
        {
            a.State.Approve(actor.Ags, approvedOn, Today);
            await c.ExecuteAsync("UPDATE agreements SET approval_reference = @Reference, approved_on = @On WHERE id = @Id", new { Reference = reference.Trim(), On = approvedOn, Id = id }, tx);
            await HistoryAsync(c, tx, id, actor, "genehmigt", $"Genehmigung der Kommunalaufsicht vom {approvedOn:dd.MM.yyyy}, Az. {reference.Trim()}");
            await TakeEffectAsync(c, tx, actor, a);
        }, ct);
    }

    /// <summary>Approved (or agreed without approval): active from its start date; an amendment ends the version it replaces the day before it starts.</summary>
    private async Task TakeEffectAsync(DbConnection c, DbTransaction tx, Actor actor, AgreementDetails a)
    {
        // A municipality's cases of one service belong to one cooperation at a time: otherwise a case would be
        // visible through, and settled under, two agreements.
        var clash = await c.QuerySingleOrDefaultAsync<string>("""
            SELECT o.title FROM agreements o
            JOIN agreement_services os ON os.agreement_id = o.id
            JOIN agreement_members om ON om.agreement_id = o.id AND om.contributes_cases = TRUE
            JOIN agreement_services ns ON ns.agreement_id = @Id AND ns.service_slug = os.service_slug
            JOIN agreement_members nm ON nm.agreement_id = @Id AND nm.municipality_ags = om.municipality_ags AND nm.contributes_cases = TRUE
            WHERE o.id <> @Id AND o.id <> @Supersedes AND o.status IN ('approved', 'active', 'terminated')
              AND (o.valid_to IS NULL OR o.valid_to >= @From) AND o.valid_from <= @To
            LIMIT 1
            """, new { a.Id, Supersedes = a.SupersedesId ?? -1, From = a.ValidFrom, To = a.ValidTo ?? DateOnly.MaxValue }, tx); // no null parameters: PostgreSQL cannot type them
        if (clash is not null)
            throw new RuleException("ServiceAlreadyCovered", $"Eine Leistung eines Mitglieds ist im selben Zeitraum schon Gegenstand der Vereinbarung „{clash}“. Beenden oder ändern Sie diese zuerst.");

        var status = a.ValidFrom <= Today ? AgreementStatus.Active : AgreementStatus.Approved;
        await SetStatusAsync(c, tx, a.Id, status);
        if (a.SupersedesId is { } previous)
        {
            var end = a.ValidFrom.AddDays(-1);
            await c.ExecuteAsync("UPDATE agreements SET superseded_by_id = @New, valid_to = CASE WHEN valid_to IS NULL OR valid_to > @End THEN @End ELSE valid_to END WHERE id = @Old",
                new { New = a.Id, End = end, Old = previous }, tx);
            await HistoryAsync(c, tx, previous, actor, "durch Änderungsvereinbarung ersetzt", $"Fassung {a.Version} gilt ab {a.ValidFrom:dd.MM.yyyy}; diese Fassung endet am {end:dd.MM.yyyy}.");
        }
        await HistoryAsync(c, tx, a.Id, actor, status == AgreementStatus.Active ? "aktiv" : "wird wirksam", $"ab {a.ValidFrom:dd.MM.yyyy}");
        await documents.RenderAsync(c, tx, a.Id, "Endfassung");
    }

    /// <summary>
    /// The checks of <see cref="TerminateAsync"/> (input, membership, status, notice period) without terminating: the
    /// page asks with the agreement it returns before the termination is given.
    /// </summary>
    public Task<AgreementDetails> CheckTerminationAsync(Actor actor, long id, DateOnly endDate, string reason, string? note, CancellationToken ct = default)
    {
        CheckTerminationInput(endDate, reason, note);
        RequireCoordinator(actor);
        return db.InTransactionAsync(async (c, tx) =>
        {
            var a = await LoadAsync(c, tx, id);
            if (a is null || a.Members.All(m => m.Ags != actor.Ags)) throw new AgreementNotFoundException();
            a.State.Terminate(actor.Ags, endDate, Today);
            return a;
        }, ct);
    }

    private static string? CheckTerminationInput(DateOnly endDate, string reason, string? note)
    {
        var errors = new ValidationErrors();
        if (TerminationReasons.Label(reason) is null) errors.Add("reason", $"Bitte einen Grund wählen ({string.Join(", ", TerminationReasons.All.Select(r => r.Label))}).");
        InputDates.Check(errors, "endDate", endDate);
        note = TextInput.Field(errors, "note", note, TextKind.Paragraphs, "Die Erläuterung");
        if (note is { Length: > 4000 }) errors.Add("note", "Die Erläuterung darf höchstens 4.000 Zeichen lang sein.");
        if (errors.Count > 0) throw new ValidationException(errors);
        return note;
    }

    public Task TerminateAsync(Actor actor, long id, DateOnly endDate, string reason, string? note, CancellationToken ct = default)
    {
        note = CheckTerminationInput(endDate, reason, note);
        return ChangeAsync(actor, id, async (c, tx, a) =>
        {
            a.State.Terminate(actor.Ags, endDate, Today);
            await c.ExecuteAsync("UPDATE agreements SET status = 'terminated', valid_to = @End, termination_reason = @Reason, termination_note = @Note, updated_at = @Now WHERE id = @Id",
                new { End = endDate, Reason = reason, Note = string.IsNullOrWhiteSpace(note) ? null : note.Trim(), Now, Id = id }, tx);
            await HistoryAsync(c, tx, id, actor, "gekündigt", $"zum {endDate:dd.MM.yyyy}; Grund: {TerminationReasons.Label(reason)}{(string.IsNullOrWhiteSpace(note) ? "" : " – " + note.Trim())}");
        }, ct);
    }

    /// <summary>An amendment: a new draft with the same terms, which goes through the same steps and replaces this version when it takes effect.</summary>
    public Task<long> AmendAsync(Actor actor, long id, CancellationToken ct = default) =>
        ChangeAsync(actor, id, async (c, tx, a) =>
        {
            a.State.Amend(actor.Ags);
            if (await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM agreements WHERE supersedes_id = @Id AND status IN ('draft', 'consented', 'submitted')", new { Id = id }, tx) > 0)
                throw new RuleException("AmendmentPending", "Für diese Vereinbarung ist bereits eine Änderung in Arbeit.");
            var newId = await c.ExecuteScalarAsync<long>("""
                INSERT INTO agreements (title, status, valid_from, valid_to, created_at, created_by_ags, version, supersedes_id, state_law, legal_form, transfers_task,
                    notice_months, data_protection, goals, evaluation_date, fee_rule, fee_share_percent)
                SELECT title, 'draft', @From, valid_to, @Now, @Ags, version + 1, id, state_law, legal_form, transfers_task,
                    notice_months, data_protection, goals, evaluation_date, fee_rule, fee_share_percent
                FROM agreements WHERE id = @Id RETURNING id
                """, new { From = a.ValidFrom > Today ? a.ValidFrom.AddDays(1) : Today.AddDays(1), Now, actor.Ags, Id = id }, tx);
            await c.ExecuteAsync("INSERT INTO agreement_services (agreement_id, service_slug) SELECT @New, service_slug FROM agreement_services WHERE agreement_id = @Id", new { New = newId, Id = id }, tx);
            await c.ExecuteAsync("INSERT INTO agreement_members (agreement_id, municipality_ags, contributes_cases, contributes_staff, capacity_share_percent) SELECT @New, municipality_ags, contributes_cases, contributes_staff, capacity_share_percent FROM agreement_members WHERE agreement_id = @Id", new { New = newId, Id = id }, tx);
            await c.ExecuteAsync("INSERT INTO agreement_rates (agreement_id, service_slug, case_group, flat_cents, fee_cents, appointment_cents) SELECT @New, service_slug, case_group, flat_cents, fee_cents, appointment_cents FROM agreement_rates WHERE agreement_id = @Id", new { New = newId, Id = id }, tx);
            // The structured goals (migration 0010, kept by Assessment/Evaluation/AgreementGoals) are terms like the rates: the new version starts with them.
            await c.ExecuteAsync("INSERT INTO agreement_goals (agreement_id, position, kpi, comparison, target_hundredths, due_date, note) SELECT @New, position, kpi, comparison, target_hundredths, due_date, note FROM agreement_goals WHERE agreement_id = @Id", new { New = newId, Id = id }, tx);
            await HistoryAsync(c, tx, id, actor, "Änderung begonnen", $"Entwurf der Fassung {a.Version + 1} angelegt.");
            await HistoryAsync(c, tx, newId, actor, "Änderungsentwurf angelegt", $"ändert Fassung {a.Version}");
            await documents.RenderAsync(c, tx, newId, "Entwurf der Änderung");
            return newId;
        }, ct);

    /// <summary>Approved agreements whose start date has come become active (access does not wait for this: it checks the dates).</summary>
    public async Task<int> ActivateDueAsync(CancellationToken ct = default) =>
        await db.ExecuteAsync("UPDATE agreements SET status = 'active' WHERE status = 'approved' AND valid_from <= @Today", new { Today }, ct);

    private Task ChangeAsync(Actor actor, long id, Func<DbConnection, DbTransaction, AgreementDetails, Task> change, CancellationToken ct) =>
        ChangeAsync<bool>(actor, id, async (c, tx, a) => { await change(c, tx, a); return true; }, ct);

    private Task<T> ChangeAsync<T>(Actor actor, long id, Func<DbConnection, DbTransaction, AgreementDetails, Task<T>> change, CancellationToken ct)
    {
        RequireCoordinator(actor);
        return db.InTransactionAsync(async (c, tx) =>
        {
            if (db.Kind == DatabaseKind.Postgres) await c.ExecuteAsync("SELECT id FROM agreements WHERE id = @Id FOR UPDATE", new { Id = id }, tx);
            var a = await LoadAsync(c, tx, id);
            if (a is null || a.Members.All(m => m.Ags != actor.Ags)) throw new AgreementNotFoundException();
            var result = await change(c, tx, a);
            await c.ExecuteAsync("UPDATE agreements SET updated_at = @Now WHERE id = @Id", new { Now, Id = id }, tx);
            return result;
        }, ct);
    }

    private async Task WriteTermsAsync(DbConnection c, DbTransaction tx, long id, AgreementTerms t)
    {
        await c.ExecuteAsync("""
            UPDATE agreements SET title = @Title, valid_from = @ValidFrom, valid_to = @ValidTo, state_law = @StateLaw, legal_form = @LegalForm,
                transfers_task = @TransfersTask, notice_months = @NoticeMonths, data_protection = @DataProtection, goals = @Goals,
                evaluation_date = @EvaluationDate, fee_rule = @FeeRule, fee_share_percent = @FeeShare, updated_at = @Now
            WHERE id = @Id
            """, new { t.Title, t.ValidFrom, t.ValidTo, t.StateLaw, t.LegalForm, t.TransfersTask, t.NoticeMonths, t.DataProtection, t.Goals, t.EvaluationDate,
                t.FeeRule, FeeShare = t.FeeSharePercent?.ToString(CultureInfo.InvariantCulture), Now, Id = id }, tx);
        await c.ExecuteAsync("DELETE FROM agreement_services WHERE agreement_id = @Id", new { Id = id }, tx);
        await c.ExecuteAsync("DELETE FROM agreement_members WHERE agreement_id = @Id", new { Id = id }, tx);
        await c.ExecuteAsync("DELETE FROM agreement_rates WHERE agreement_id = @Id", new { Id = id }, tx);
        foreach (var s in t.Services) await c.ExecuteAsync("INSERT INTO agreement_services (agreement_id, service_slug) VALUES (@Id, @S)", new { Id = id, S = s }, tx);
        foreach (var m in t.Members)
            await c.ExecuteAsync("INSERT INTO agreement_members (agreement_id, municipality_ags, contributes_cases, contributes_staff, capacity_share_percent) VALUES (@Id, @Ags, @Cases, @Staff, @Share)",
                new { Id = id, m.Ags, Cases = m.ContributesCases, Staff = m.ContributesStaff, Share = m.CapacitySharePercent }, tx);
        foreach (var r in t.Rates)
            await c.ExecuteAsync("INSERT INTO agreement_rates (agreement_id, service_slug, case_group, flat_cents, fee_cents, appointment_cents) VALUES (@Id, @S, @G, @Flat, @Fee, @Appointment)",
                new { Id = id, S = r.Service, G = r.CaseGroup, Flat = (long)(r.FlatAmount * 100), Fee = r.Fee is null ? (long?)null : (long)(r.Fee.Value * 100),
                    Appointment = r.PerAppointment is null ? (long?)null : (long)(r.PerAppointment.Value * 100) }, tx);
    }

    private static Task SetStatusAsync(DbConnection c, DbTransaction tx, long id, string status) =>
        c.ExecuteAsync("UPDATE agreements SET status = @Status WHERE id = @Id", new { Status = status, Id = id }, tx);

    private Task HistoryAsync(DbConnection c, DbTransaction tx, long id, Actor actor, string action, string? details) =>
        c.ExecuteAsync("INSERT INTO agreement_history (agreement_id, at, actor_user_id, actor_name, actor_ags, action, details) VALUES (@Id, @Now, @User, @Name, @Ags, @Action, @Details)",
            new { Id = id, Now, User = actor.UserId, Name = actor.DisplayName, actor.Ags, Action = action, Details = details }, tx);

    private const string Select = """
        SELECT a.id, a.title, a.status, a.valid_from AS ValidFrom, a.valid_to AS ValidTo, a.version, a.supersedes_id AS SupersedesId, a.superseded_by_id AS SupersededById,
               a.state_law AS StateLaw, a.legal_form AS LegalForm, a.transfers_task AS TransfersTask, a.notice_months AS NoticeMonths, a.data_protection AS DataProtection,
               a.goals, a.evaluation_date AS EvaluationDate, a.fee_rule AS FeeRule, a.fee_share_percent AS FeeSharePercent, a.approval_reference AS ApprovalReference,
               a.approved_on AS ApprovedOn, a.termination_reason AS TerminationReason, a.termination_note AS TerminationNote
        FROM agreements a
        """;

    private sealed class Row
    {
        public long Id { get; set; }
        public string Title { get; set; } = "";
        public string Status { get; set; } = "";
        public DateOnly ValidFrom { get; set; }
        public DateOnly? ValidTo { get; set; }
        public int Version { get; set; }
        public long? SupersedesId { get; set; }
        public long? SupersededById { get; set; }
        public string? StateLaw { get; set; }
        public string? LegalForm { get; set; }
        public bool TransfersTask { get; set; }
        public int NoticeMonths { get; set; }
        public string? DataProtection { get; set; }
        public string? Goals { get; set; }
        public DateOnly? EvaluationDate { get; set; }
        public string FeeRule { get; set; } = "owner";
        public string? FeeSharePercent { get; set; }
        public string? ApprovalReference { get; set; }
        public DateOnly? ApprovedOn { get; set; }
        public string? TerminationReason { get; set; }
        public string? TerminationNote { get; set; }
    }

    private sealed class MemberRow
    {
        public string Ags { get; set; } = "";
        public string Name { get; set; } = "";
        public bool ContributesCases { get; set; }
        public bool ContributesStaff { get; set; }
        public int? CapacitySharePercent { get; set; }
        public DateTime? ConsentedAt { get; set; }
    }

    private sealed class RateRow
    {
        public string Service { get; set; } = "";
        public string CaseGroup { get; set; } = "";
        public long FlatCents { get; set; }
        public long? FeeCents { get; set; }
        public long? AppointmentCents { get; set; }
    }

    private sealed class HistoryRow
    {
        public DateTime At { get; set; }
        public string Actor { get; set; } = "";
        public string? ActorAgs { get; set; }
        public string Action { get; set; } = "";
        public string? Details { get; set; }
    }

    private sealed class DocumentRow
    {
        public int Version { get; set; }
        public DateTime CreatedAt { get; set; }
        public string Reason { get; set; } = "";
        public string HtmlSha256 { get; set; } = "";
        public string PdfSha256 { get; set; } = "";
    }
}

public sealed class AgreementNotFoundException() : NotFoundException("Vereinbarung nicht gefunden.");
