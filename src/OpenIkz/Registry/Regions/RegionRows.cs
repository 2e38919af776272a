using System.Data.Common;
using Dapper;

namespace OpenIkz.Registry.Regions;

/// <summary>
/// The rows of a Kooperationsraum, written inside the caller's transaction after the caller's checks: the use cases
/// write through these after access and validation, the demo loader writes its region in one transaction.
/// </summary>
public static class RegionRows
{
    public static async Task<long> InsertRegionAsync(DbConnection c, DbTransaction tx, string name, string description, string creatorAgs, DateTime now)
    {
        var id = await c.ExecuteScalarAsync<long>("""
            INSERT INTO regions (name, description, created_by_ags, created_at, updated_at, version) VALUES (@Name, @Description, @Ags, @Now, @Now, 1) RETURNING id
            """, new { Name = name, Description = description, Ags = creatorAgs, Now = now }, tx);
        await InsertMemberAsync(c, tx, id, creatorAgs, RegionRoles.Coordinating, now);
        return id;
    }

    public static Task InsertMemberAsync(DbConnection c, DbTransaction tx, long regionId, string ags, string role, DateTime now) =>
        c.ExecuteAsync("INSERT INTO region_members (region_id, ags, role, joined_at) VALUES (@Id, @Ags, @Role, @Now)", new { Id = regionId, Ags = ags, Role = role, Now = now }, tx);

    /// <summary>A new Handlungsfeld with its learning cycle: the five steps, open, without review date.</summary>
    public static async Task<long> InsertFieldAsync(DbConnection c, DbTransaction tx, long regionId, string name, string description, int position, DateTime now)
    {
        var id = await c.ExecuteScalarAsync<long>("""
            INSERT INTO fields_of_action (region_id, name, description, position, created_at, updated_at) VALUES (@Region, @Name, @Description, @Position, @Now, @Now) RETURNING id
            """, new { Region = regionId, Name = name, Description = description, Position = position, Now = now }, tx);
        foreach (var step in LearningCycle.Steps)
            await c.ExecuteAsync("INSERT INTO learning_cycle_steps (field_id, step, position, status, note, updated_at) VALUES (@Id, @Step, @Position, @Status, '', @Now)",
                new { Id = id, Step = step.Slug, Position = LearningCycle.Position(step.Slug), Status = LearningCycle.Open, Now = now }, tx);
        return id;
    }

    /// <summary>Replaces the goals or options of a field with <paramref name="items"/>, numbered 1, 2, … in their order.</summary>
    public static async Task ReplaceItemsAsync(DbConnection c, DbTransaction tx, long fieldId, string kind, IReadOnlyList<(string Text, string? Status)> items, DateTime now)
    {
        await c.ExecuteAsync("DELETE FROM field_of_action_items WHERE field_id = @Id AND kind = @Kind", new { Id = fieldId, Kind = kind }, tx);
        for (var i = 0; i < items.Count; i++)
            await c.ExecuteAsync("INSERT INTO field_of_action_items (field_id, kind, position, text, status) VALUES (@Id, @Kind, @Position, @Text, @Status)",
                new { Id = fieldId, Kind = kind, Position = i + 1, items[i].Text, items[i].Status }, tx);
        await c.ExecuteAsync("UPDATE fields_of_action SET updated_at = @Now WHERE id = @Id", new { Now = now, Id = fieldId }, tx);
    }

    public static Task LinkCooperationAsync(DbConnection c, DbTransaction tx, long fieldId, long cooperationId, string linkedByAgs, DateTime now) =>
        c.ExecuteAsync("""
            INSERT INTO field_of_action_cooperations (field_id, cooperation_id, linked_by_ags, linked_at) VALUES (@Field, @Id, @Ags, @Now)
            ON CONFLICT (field_id, cooperation_id) DO NOTHING
            """, new { Field = fieldId, Id = cooperationId, Ags = linkedByAgs, Now = now }, tx);

    public static Task LinkAgreementAsync(DbConnection c, DbTransaction tx, long fieldId, long agreementId, string linkedByAgs, DateTime now) =>
        c.ExecuteAsync("""
            INSERT INTO field_of_action_agreements (field_id, agreement_id, linked_by_ags, linked_at) VALUES (@Field, @Id, @Ags, @Now)
            ON CONFLICT (field_id, agreement_id) DO NOTHING
            """, new { Field = fieldId, Id = agreementId, Ags = linkedByAgs, Now = now }, tx);

    /// <summary>Status, review date and note of one step. PostgreSQL cannot type a null parameter: clearing the date is a statement of its own.</summary>
    public static Task SetStepAsync(DbConnection c, DbTransaction tx, long fieldId, string step, string status, DateOnly? reviewOn, string note, DateTime now) =>
        c.ExecuteAsync(reviewOn is null
                ? "UPDATE learning_cycle_steps SET status = @Status, review_on = NULL, note = @Note, updated_at = @Now WHERE field_id = @Field AND step = @Step"
                : "UPDATE learning_cycle_steps SET status = @Status, review_on = @ReviewOn, note = @Note, updated_at = @Now WHERE field_id = @Field AND step = @Step",
            new { Status = status, ReviewOn = reviewOn ?? default, Note = note, Now = now, Field = fieldId, Step = step }, tx);
}
