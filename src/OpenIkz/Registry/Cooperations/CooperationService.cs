using System.Data.Common;
using Dapper;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Registry.Cooperations;

/// <summary>
/// Writes to the register. A Koordination of a municipality that is a partner creates and changes an entry; an entry
/// linked to an agreement of which the writer's municipality is a member takes partners, status and years from it.
/// Every write is checked whole before anything is stored, and stored in one transaction.
/// </summary>
public sealed class CooperationService(Db db, TimeProvider clock, CooperationQueries queries)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private static void RequireCoordinator(Actor actor)
    {
        if (!actor.IsUser || !actor.IsCoordinator)
            throw new CooperationForbiddenException("Nur die Koordination einer Partnerkommune kann Einträge im Register anlegen und ändern.");
    }

    public async Task<long> CreateAsync(Actor actor, CooperationInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        RequireCoordinator(actor);
        var record = await ValidateAsync(actor, input, ct);
        return await db.InTransactionAsync((c, tx) => InsertAsync(c, tx, record, actor.Ags, Now), ct);
    }

    public async Task UpdateAsync(Actor actor, long id, CooperationInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(input);
        RequireCoordinator(actor);
        var existing = await queries.GetAsync(id, ct);
        if (existing.Partners.All(p => p.Ags != actor.Ags))
            throw new CooperationForbiddenException("Ihre Kommune ist nicht Partner dieser Kooperation; nur die Koordination einer Partnerkommune kann den Eintrag ändern.");
        var record = await ValidateAsync(actor, input, ct);
        await db.InTransactionAsync(async (c, tx) =>
        {
            var changed = await c.ExecuteAsync("""
                UPDATE registry_cooperations SET title = @Title, title_search = @Search, description = @Description, task_field = @TaskField, state_law = @StateLaw,
                    legal_form = @LegalForm, status = @Status, since_year = @Since, rollback_reason = @RollbackReason, rollback_year = @RollbackYear,
                    one_off_cost_cents = @OneOffCostCents, yearly_cost_before_cents = @YearlyCostBeforeCents, yearly_cost_after_cents = @YearlyCostAfterCents,
                    fte_before_hundredths = @FteBeforeHundredths, fte_after_hundredths = @FteAfterHundredths, contact_mailbox = @ContactMailbox, sources = @SourcesText,
                    agreement_id = @AgreementId, updated_at = @Now, version = version + 1
                WHERE id = @Id AND version = @Version
                """, Parameters(record, new { Id = id, Version = input.Version ?? existing.Version, Now }), tx);
            if (changed == 0)
                throw new RuleException("VersionConflict", "Der Eintrag wurde inzwischen von jemand anderem geändert. Laden Sie ihn neu und übernehmen Sie Ihre Änderungen.");
            await c.ExecuteAsync("DELETE FROM registry_partners WHERE cooperation_id = @Id", new { Id = id }, tx);
            await c.ExecuteAsync("DELETE FROM registry_factors WHERE cooperation_id = @Id", new { Id = id }, tx);
            await WriteChildrenAsync(c, tx, id, record);
        }, ct);
    }

    /// <summary>Checks an entry as <see cref="CreateAsync"/> would, storing nothing (the form uses it to show every problem at once).</summary>
    public async Task CheckAsync(Actor actor, CooperationInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        RequireCoordinator(actor);
        await ValidateAsync(actor, input, ct);
    }

    /// <summary>The whole check: the validator on the directory facts of the named partners, the link, and the writer's own part.</summary>
    private async Task<CooperationRecord> ValidateAsync(Actor actor, CooperationInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var c = await db.OpenAsync(ct);
        LinkedAgreementFacts? linked = null;
        if (input.AgreementId is { } agreementId)
        {
            linked = await LinkedAsync(c, agreementId, ct);
            // Another municipality's agreement is private: not found and not a member are one answer.
            if (linked is null || !linked.MemberAgs.Contains(actor.Ags))
                throw ValidationException.For("agreementId", "Eine Vereinbarung mit dieser Nummer gibt es nicht, oder Ihre Kommune ist nicht Mitglied.");
        }
        var keys = (input.Partners ?? []).Select(p => p?.Ags?.Trim() ?? "").Where(k => k.Length is > 0 and <= 12).Concat(linked?.MemberAgs ?? []).Distinct().ToArray();
        var directory = await DirectoryAsync(c, keys, ct);
        var record = CooperationValidator.Validate(input, directory, linked);
        if (linked is null && record.Partners.All(p => p.Ags != actor.Ags))
            throw ValidationException.For("partners", "Ihre eigene Kommune muss Partner der Kooperation sein.");
        return record;
    }

    internal static async Task<LinkedAgreementFacts?> LinkedAsync(DbConnection c, long agreementId, CancellationToken ct, DbTransaction? tx = null)
    {
        var row = await c.QuerySingleOrDefaultAsync<(long Id, string? StateLaw, string? LegalForm)>(new CommandDefinition(
            "SELECT id, state_law, legal_form FROM agreements WHERE id = @Id", new { Id = agreementId }, tx, cancellationToken: ct));
        if (row.Id == 0) return null;
        var members = (await c.QueryAsync<string>(new CommandDefinition("SELECT municipality_ags FROM agreement_members WHERE agreement_id = @Id ORDER BY municipality_ags",
            new { Id = agreementId }, tx, cancellationToken: ct))).ToList();
        return new LinkedAgreementFacts(row.Id, row.StateLaw, row.LegalForm, members);
    }

    internal async Task<IReadOnlyDictionary<string, PartnerFacts>> DirectoryAsync(DbConnection c, string[] keys, CancellationToken ct, DbTransaction? tx = null) =>
        keys.Length == 0 ? new Dictionary<string, PartnerFacts>()
            : (await c.QueryAsync<(string Ags, string Name, string State, string? DistrictAgs)>(new CommandDefinition(
                $"SELECT ags, name, state, district_ags FROM municipalities WHERE {db.InList("ags", "Keys")}", new { Keys = keys }, tx, cancellationToken: ct)))
            .ToDictionary(m => m.Ags, m => new PartnerFacts(m.Ags, m.Name, m.State, m.DistrictAgs));

    /// <summary>Stores a checked entry (also the demo loader's way in, after the same validation).</summary>
    internal static async Task<long> InsertAsync(DbConnection c, DbTransaction tx, CooperationRecord record, string? createdByAgs, DateTime now)
    {
        var id = await c.ExecuteScalarAsync<long>("""
            INSERT INTO registry_cooperations (title, title_search, description, task_field, state_law, legal_form, status, since_year, rollback_reason, rollback_year,
                one_off_cost_cents, yearly_cost_before_cents, yearly_cost_after_cents, fte_before_hundredths, fte_after_hundredths, contact_mailbox, sources,
                agreement_id, created_by_ags, created_at, updated_at, version)
            VALUES (@Title, @Search, @Description, @TaskField, @StateLaw, @LegalForm, @Status, @Since, @RollbackReason, @RollbackYear,
                @OneOffCostCents, @YearlyCostBeforeCents, @YearlyCostAfterCents, @FteBeforeHundredths, @FteAfterHundredths, @ContactMailbox, @SourcesText,
                @AgreementId, @CreatedBy, @Now, @Now, 1)
            RETURNING id
            """, Parameters(record, new { CreatedBy = createdByAgs, Now = now }), tx);
        await WriteChildrenAsync(c, tx, id, record);
        return id;
    }

    private static DynamicParameters Parameters(CooperationRecord r, object extra)
    {
        var p = new DynamicParameters(extra);
        p.Add("Title", r.Title);
        p.Add("Search", SearchText.Fold(r.Title + " " + r.Description));
        p.Add("Description", r.Description);
        p.Add("TaskField", r.TaskField);
        p.Add("StateLaw", r.StateLaw);
        p.Add("LegalForm", r.LegalForm);
        p.Add("Status", r.Status);
        p.Add("Since", r.Since, System.Data.DbType.Int32);
        p.Add("RollbackReason", r.RollbackReason, System.Data.DbType.String);
        p.Add("RollbackYear", r.RollbackYear, System.Data.DbType.Int32);
        p.Add("OneOffCostCents", r.OneOffCostCents, System.Data.DbType.Int64);
        p.Add("YearlyCostBeforeCents", r.YearlyCostBeforeCents, System.Data.DbType.Int64);
        p.Add("YearlyCostAfterCents", r.YearlyCostAfterCents, System.Data.DbType.Int64);
        p.Add("FteBeforeHundredths", (int?)r.FteBeforeHundredths, System.Data.DbType.Int32);
        p.Add("FteAfterHundredths", (int?)r.FteAfterHundredths, System.Data.DbType.Int32);
        p.Add("ContactMailbox", r.ContactMailbox, System.Data.DbType.String);
        p.Add("SourcesText", string.Join("\n", r.Sources));
        p.Add("AgreementId", r.AgreementId, System.Data.DbType.Int64);
        return p;
    }

    private static async Task WriteChildrenAsync(DbConnection c, DbTransaction tx, long id, CooperationRecord r)
    {
        if (r.AgreementId is null)
            foreach (var (ags, role) in r.Partners)
                await c.ExecuteAsync("INSERT INTO registry_partners (cooperation_id, ags, role) VALUES (@Id, @Ags, @Role)", new { Id = id, Ags = ags, Role = role }, tx);
        foreach (var (kind, slugs) in new[] { (Factors.Goal, r.Goals), (Factors.SuccessFactor, r.SuccessFactors), (Factors.Obstacle, r.Obstacles) })
            foreach (var slug in slugs)
                await c.ExecuteAsync("INSERT INTO registry_factors (cooperation_id, kind, slug) VALUES (@Id, @Kind, @Slug)", new { Id = id, Kind = kind, Slug = slug }, tx);
    }
}
