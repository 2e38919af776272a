using System.Data.Common;
using Dapper;
using OpenIkz.Agreements;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Registry.Regions;

public sealed record RegionSummary(long Id, string Name, string Role, string RoleLabel, int MemberCount, int FieldCount, int OverdueReviews);

public sealed record RegionMemberView(string Ags, string Name, string Role, string RoleLabel);

public sealed record FieldItemView(int Position, string Text, string? Status, string? StatusLabel);

/// <summary>A register entry a field names, with its live status (through the registry_entries view).</summary>
public sealed record LinkedCooperationView(long Id, string Title, string Status, string StatusLabel);

/// <summary>An agreement a field names: title and status only, as the region's members may see it (agreements are private to their members).</summary>
public sealed record LinkedAgreementView(long Id, string Title, string Status, string StatusLabel);

public sealed record LearningCycleStepView(string Step, string Label, int Position, string Status, string StatusLabel, DateOnly? ReviewOn, string Note, bool Overdue);

public sealed record FieldOfActionView(long Id, string Name, string Description, int Position, IReadOnlyList<FieldItemView> Goals, IReadOnlyList<FieldItemView> Options,
    IReadOnlyList<LinkedCooperationView> Cooperations, IReadOnlyList<LinkedAgreementView> Agreements, IReadOnlyList<LearningCycleStepView> LearningCycle)
{
    public int OverdueReviews => LearningCycle.Count(s => s.Overdue);
}

/// <summary>A Kooperationsraum as its members see it. <c>ownRole</c>: the role of the caller's municipality.</summary>
public sealed record RegionDetails(long Id, string Name, string Description, string CreatedByAgs, DateTime CreatedAt, DateTime UpdatedAt, int Version,
    string OwnRole, string OwnRoleLabel, IReadOnlyList<RegionMemberView> Members, IReadOnlyList<FieldOfActionView> Fields);

/// <summary>A learning-cycle step whose review date has passed while the step is not abgeschlossen.</summary>
public sealed record OverdueReview(long RegionId, string RegionName, long FieldId, string FieldName, string Step, string StepLabel, string Status, string StatusLabel,
    DateOnly ReviewOn, int DaysOverdue);

/// <summary>Reads Kooperationsräume for people of their member municipalities; a non-member's read is not found.</summary>
public sealed class RegionQueries(Db db, TimeProvider clock)
{
    private static readonly StringComparer German = StringComparer.Create(System.Globalization.CultureInfo.GetCultureInfo("de-DE"), ignoreCase: true);

    private DateOnly Today => BerlinTime.Today(clock);

    /// <summary>The regions the caller's municipality is a member of, by name.</summary>
    public async Task<IReadOnlyList<RegionSummary>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        var rows = await db.QueryAsync<SummaryRow>($"""
            SELECT r.id, r.name, m.role,
                   (SELECT COUNT(*) FROM region_members x WHERE x.region_id = r.id) AS MemberCount,
                   (SELECT COUNT(*) FROM fields_of_action f WHERE f.region_id = r.id) AS FieldCount,
                   (SELECT COUNT(*) FROM learning_cycle_steps s JOIN fields_of_action f ON f.id = s.field_id
                    WHERE f.region_id = r.id AND {LearningCycle.OverdueSql("s")}) AS OverdueReviews
            FROM regions r JOIN region_members m ON m.region_id = r.id AND m.ags = @Ags
            """, new { actor.Ags, Today }, ct);
        return rows.OrderBy(r => r.Name, German).ThenBy(r => r.Id)
            .Select(r => new RegionSummary(r.Id, r.Name, r.Role, RegionRoles.Label(r.Role) ?? r.Role, (int)r.MemberCount, (int)r.FieldCount, (int)r.OverdueReviews)).ToList();
    }

    public async Task<RegionDetails> GetAsync(Actor actor, long regionId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var role = await RegionAccess.RequireMemberAsync(c, null, regionId, actor);
        var r = await c.QuerySingleAsync<RegionRow>(
            "SELECT id, name, description, created_by_ags AS CreatedByAgs, created_at AS CreatedAt, updated_at AS UpdatedAt, version FROM regions WHERE id = @Id", new { Id = regionId });
        var members = (await c.QueryAsync<(string Ags, string Name, string Role)>(
                "SELECT m.ags, mu.name, m.role FROM region_members m JOIN municipalities mu ON mu.ags = m.ags WHERE m.region_id = @Id", new { Id = regionId }))
            .OrderBy(m => m.Role == RegionRoles.Coordinating ? 0 : 1).ThenBy(m => m.Name, German)
            .Select(m => new RegionMemberView(m.Ags, m.Name, m.Role, RegionRoles.Label(m.Role) ?? m.Role)).ToList();
        var fields = await FieldsAsync(c, regionId, null);
        return new RegionDetails(r.Id, r.Name, r.Description, r.CreatedByAgs, r.CreatedAt, r.UpdatedAt, r.Version, role, RegionRoles.Label(role) ?? role, members, fields);
    }

    public async Task<FieldOfActionView> GetFieldAsync(Actor actor, long regionId, long fieldId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await RegionAccess.RequireMemberAsync(c, null, regionId, actor);
        return (await FieldsAsync(c, regionId, fieldId)).SingleOrDefault() ?? throw new RegionPartNotFoundException("Handlungsfeld nicht gefunden.");
    }

    /// <summary>Overdue reviews in the regions of the caller's municipality, the longest overdue first.</summary>
    public async Task<IReadOnlyList<OverdueReview>> OverdueAsync(Actor actor, CancellationToken ct = default)
    {
        var today = Today;
        var rows = await db.QueryAsync<OverdueRow>($"""
            SELECT r.id AS RegionId, r.name AS RegionName, f.id AS FieldId, f.name AS FieldName, f.position AS FieldPosition, s.step, s.status, s.review_on AS ReviewOn
            FROM learning_cycle_steps s
            JOIN fields_of_action f ON f.id = s.field_id
            JOIN regions r ON r.id = f.region_id
            JOIN region_members m ON m.region_id = r.id AND m.ags = @Ags
            WHERE {LearningCycle.OverdueSql("s")}
            """, new { actor.Ags, Today = today }, ct);
        return rows.OrderBy(o => o.ReviewOn).ThenBy(o => o.RegionName, German).ThenBy(o => o.FieldPosition).ThenBy(o => LearningCycle.Position(o.Step))
            .Select(o => new OverdueReview(o.RegionId, o.RegionName, o.FieldId, o.FieldName, o.Step, LearningCycle.Step(o.Step)?.Label ?? o.Step,
                o.Status, LearningCycle.StatusLabel(o.Status) ?? o.Status, o.ReviewOn, today.DayNumber - o.ReviewOn.DayNumber)).ToList();
    }

    /// <summary>The fields of a region (or one of them) with their goals, options, links and learning cycle, in the order of position.</summary>
    private async Task<IReadOnlyList<FieldOfActionView>> FieldsAsync(DbConnection c, long regionId, long? fieldId)
    {
        var today = Today;
        var only = fieldId is null ? "" : " AND f.id = @Field";
        var p = new { Region = regionId, Field = fieldId ?? 0 };
        var fields = await c.QueryAsync<FieldRow>("SELECT f.id, f.name, f.description, f.position FROM fields_of_action f WHERE f.region_id = @Region" + only, p);
        var items = (await c.QueryAsync<ItemRow>("""
            SELECT i.field_id AS FieldId, i.kind, i.position, i.text, i.status FROM field_of_action_items i JOIN fields_of_action f ON f.id = i.field_id
            WHERE f.region_id = @Region
            """ + only, p)).ToLookup(i => (i.FieldId, i.Kind));
        var cooperations = (await c.QueryAsync<LinkRow>("""
            SELECT l.field_id AS FieldId, e.id, e.title, e.status FROM field_of_action_cooperations l
            JOIN fields_of_action f ON f.id = l.field_id JOIN registry_entries e ON e.id = l.cooperation_id
            WHERE f.region_id = @Region
            """ + only, p)).ToLookup(l => l.FieldId);
        // A linked agreement that was amended shows as its current version (the chain of superseded_by_id), as the
        // register's entries follow their agreement.
        var agreements = (await c.QueryAsync<AgreementLinkRow>($"""
            WITH RECURSIVE chain (field_id, agreement_id) AS (
                SELECT l.field_id, l.agreement_id FROM field_of_action_agreements l JOIN fields_of_action f ON f.id = l.field_id
                WHERE f.region_id = @Region{only}
                UNION ALL
                SELECT chain.field_id, a.superseded_by_id FROM chain JOIN agreements a ON a.id = chain.agreement_id WHERE a.superseded_by_id IS NOT NULL
            )
            SELECT DISTINCT chain.field_id AS FieldId, a.id, a.title, a.status, a.valid_from AS ValidFrom, a.valid_to AS ValidTo
            FROM chain JOIN agreements a ON a.id = chain.agreement_id
            WHERE a.superseded_by_id IS NULL
            """, p)).ToLookup(l => l.FieldId);
        var steps = (await c.QueryAsync<StepRow>("""
            SELECT s.field_id AS FieldId, s.step, s.status, s.review_on AS ReviewOn, s.note FROM learning_cycle_steps s JOIN fields_of_action f ON f.id = s.field_id
            WHERE f.region_id = @Region
            """ + only, p)).ToLookup(s => s.FieldId);

        IReadOnlyList<FieldItemView> Items(long id, string kind) => items[(id, kind)].OrderBy(i => i.Position)
            .Select(i => new FieldItemView((int)i.Position, i.Text, i.Status, FieldItems.StatusLabel(kind, i.Status))).ToList();

        return fields.OrderBy(f => f.Position).ThenBy(f => f.Id).Select(f => new FieldOfActionView(f.Id, f.Name, f.Description, (int)f.Position,
            Items(f.Id, FieldItems.Goal), Items(f.Id, FieldItems.Option),
            cooperations[f.Id].OrderBy(l => l.Title, German).ThenBy(l => l.Id)
                .Select(l => new LinkedCooperationView(l.Id, l.Title, l.Status, RegistryStatus.Label(l.Status) ?? l.Status)).ToList(),
            agreements[f.Id].OrderBy(l => l.Title, German).ThenBy(l => l.Id)
                .Select(l => new LinkedAgreementView(l.Id, l.Title, l.Status, AgreementStatus.Label(l.Status, l.ValidFrom, l.ValidTo, today))).ToList(),
            steps[f.Id].OrderBy(s => LearningCycle.Position(s.Step)).Select(s => new LearningCycleStepView(s.Step, LearningCycle.Step(s.Step)?.Label ?? s.Step,
                LearningCycle.Position(s.Step), s.Status, LearningCycle.StatusLabel(s.Status) ?? s.Status, s.ReviewOn, s.Note, LearningCycle.IsOverdue(s.Status, s.ReviewOn, today))).ToList()))
            .ToList();
    }

    private sealed class SummaryRow
    {
        public long Id { get; set; }
        public string Name { get; set; } = "";
        public string Role { get; set; } = "";
        public long MemberCount { get; set; }
        public long FieldCount { get; set; }
        public long OverdueReviews { get; set; }
    }

    private sealed class RegionRow
    {
        public long Id { get; set; }
        public string Name { get; set; } = "";
        public string Description { get; set; } = "";
        public string CreatedByAgs { get; set; } = "";
        public DateTime CreatedAt { get; set; }
        public DateTime UpdatedAt { get; set; }
        public int Version { get; set; }
    }

    private sealed class FieldRow
    {
        public long Id { get; set; }
        public string Name { get; set; } = "";
        public string Description { get; set; } = "";
        public long Position { get; set; }
    }

    private sealed class ItemRow
    {
        public long FieldId { get; set; }
        public string Kind { get; set; } = "";
        public long Position { get; set; }
        public string Text { get; set; } = "";
        public string? Status { get; set; }
    }

    private sealed class LinkRow
    {
        public long FieldId { get; set; }
        public long Id { get; set; }
        public string Title { get; set; } = "";
        public string Status { get; set; } = "";
    }

    private sealed class AgreementLinkRow
    {
        public long FieldId { get; set; }
        public long Id { get; set; }
        public string Title { get; set; } = "";
        public string Status { get; set; } = "";
        public DateOnly ValidFrom { get; set; }
        public DateOnly? ValidTo { get; set; }
    }

    private sealed class StepRow
    {
        public long FieldId { get; set; }
        public string Step { get; set; } = "";
        public string Status { get; set; } = "";
        public DateOnly? ReviewOn { get; set; }
        public string Note { get; set; } = "";
    }

    private sealed class OverdueRow
    {
        public long RegionId { get; set; }
        public string RegionName { get; set; } = "";
        public long FieldId { get; set; }
        public string FieldName { get; set; } = "";
        public long FieldPosition { get; set; }
        public string Step { get; set; } = "";
        public string Status { get; set; } = "";
        public DateOnly ReviewOn { get; set; }
    }
}
