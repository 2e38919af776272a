using System.Text.Json.Serialization;
using System.Data.Common;
using Dapper;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Registry.Regions;

/// <summary>A Handlungsfeld: name (unique in the region), description, position (1–1000; new fields go last when it is absent).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record FieldOfActionInput(string? Name, string? Description, int? Position);

/// <summary>The whole ordered list of goals or options of a field; it replaces the previous list.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record FieldItemsInput(List<FieldItemInput>? Items);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record FieldItemInput(string? Text, string? Status);

/// <summary>
/// The Handlungsfelder of a Kooperationsraum and their development goals and options for action, worked on by the
/// Koordination of any member. A new field starts its learning cycle with the five steps open.
/// </summary>
public sealed class ManageFields(Db db, TimeProvider clock)
{
    public const int MaxNameLength = 100, MaxDescriptionLength = 5000, MaxPosition = 1000, MaxFieldsPerRegion = 100;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private static async Task<(string Name, string Description)> ValidateAsync(DbConnection c, DbTransaction tx, long regionId, long? fieldId, FieldOfActionInput input)
    {
        var errors = new ValidationErrors();
        var name = RegionText.Required(errors, "name", input.Name, "Der Name", MaxNameLength, "Bitte geben Sie dem Handlungsfeld einen Namen, z. B. Wasser, Wohnen oder Nahraum.");
        var description = RegionText.Optional(errors, "description", input.Description, "Die Beschreibung", MaxDescriptionLength);
        if (input.Position is < 1 or > MaxPosition) errors.Add("position", $"Die Position liegt zwischen 1 und {MaxPosition}.");
        if (!errors.ContainsKey("name"))
        {
            var others = await c.QueryAsync<(long Id, string Name)>("SELECT id, name FROM fields_of_action WHERE region_id = @Region", new { Region = regionId }, tx);
            if (others.Any(o => o.Id != fieldId && SearchText.Fold(o.Name) == SearchText.Fold(name)))
                errors.Add("name", $"Das Handlungsfeld „{name}“ gibt es in diesem Kooperationsraum schon.");
        }
        if (errors.Count > 0) throw new ValidationException(errors);
        return (name, description);
    }

    public Task<long> CreateAsync(Actor actor, long regionId, FieldOfActionInput input, CancellationToken ct = default) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            await RegionAccess.RequireCoordinatorAsync(db, c, tx, regionId, actor);
            var (name, description) = await ValidateAsync(c, tx, regionId, null, input);
            if (await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM fields_of_action WHERE region_id = @Region", new { Region = regionId }, tx) >= MaxFieldsPerRegion)
                throw new RuleException("TooManyFields", $"Ein Kooperationsraum hat höchstens {MaxFieldsPerRegion} Handlungsfelder.");
            var last = await c.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(position), 0) FROM fields_of_action WHERE region_id = @Region", new { Region = regionId }, tx);
            var position = input.Position ?? (int)Math.Min(last + 1, MaxPosition);
            return await RegionRows.InsertFieldAsync(c, tx, regionId, name, description, position, Now);
        }, ct);

    public Task UpdateAsync(Actor actor, long regionId, long fieldId, FieldOfActionInput input, CancellationToken ct = default) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            await RegionAccess.RequireFieldCoordinatorAsync(db, c, tx, regionId, fieldId, actor);
            var (name, description) = await ValidateAsync(c, tx, regionId, fieldId, input);
            await c.ExecuteAsync("""
                UPDATE fields_of_action SET name = @Name, description = @Description, position = CASE WHEN @Position < 1 THEN position ELSE @Position END, updated_at = @Now WHERE id = @Id
                """, new { Name = name, Description = description, Position = input.Position ?? 0, Now, Id = fieldId }, tx);
        }, ct);

    public Task DeleteAsync(Actor actor, long regionId, long fieldId, CancellationToken ct = default) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            await RegionAccess.RequireFieldCoordinatorAsync(db, c, tx, regionId, fieldId, actor);
            // Goals, options, links and the learning cycle go with it (ON DELETE CASCADE).
            await c.ExecuteAsync("DELETE FROM fields_of_action WHERE id = @Id", new { Id = fieldId }, tx);
        }, ct);

    /// <summary>Replaces the goals (<see cref="FieldItems.Goal"/>) or options (<see cref="FieldItems.Option"/>) of a field with the given list, in its order.</summary>
    public Task SaveItemsAsync(Actor actor, long regionId, long fieldId, string kind, FieldItemsInput input, CancellationToken ct = default) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            await RegionAccess.RequireFieldCoordinatorAsync(db, c, tx, regionId, fieldId, actor);
            await RegionRows.ReplaceItemsAsync(c, tx, fieldId, kind, ValidateItems(kind, input), Now);
        }, ct);

    private static List<(string Text, string? Status)> ValidateItems(string kind, FieldItemsInput input)
    {
        var errors = new ValidationErrors();
        var what = kind == FieldItems.Goal ? "Entwicklungsziel" : "Handlungsoption";
        var statuses = FieldItems.StatusesOf(kind);
        var result = new List<(string, string?)>();
        if (input.Items is null) errors.Add("items", $"Bitte die Liste angeben (\"items\": [...], leer für keine).");
        else if (input.Items.Count > FieldItems.MaxItems) errors.Add("items", $"Ein Handlungsfeld hat höchstens {FieldItems.MaxItems} Einträge je Liste.");
        else
            for (var i = 0; i < input.Items.Count; i++)
            {
                var item = input.Items[i] ?? new FieldItemInput(null, null);
                var text = RegionText.Required(errors, $"items[{i}].text", item.Text, "Der Text", FieldItems.MaxTextLength, $"Bitte beschreiben Sie das {what}.");
                var status = string.IsNullOrEmpty(item.Status) ? null : item.Status;
                if (status is not null && statuses.All(s => s.Slug != status))
                    errors.Add($"items[{i}].status", $"Den Stand „{(status.Length > 40 ? status[..40] + "…" : status)}“ gibt es nicht (möglich: {string.Join(", ", statuses.Select(s => s.Label))}).");
                result.Add((text, status));
            }
        if (errors.Count > 0) throw new ValidationException(errors);
        return result;
    }
}
