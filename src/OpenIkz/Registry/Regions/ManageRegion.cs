using System.Text.Json.Serialization;
using Dapper;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Registry.Regions;

/// <summary>Name and description of a Kooperationsraum; <c>version</c>, when given, must be the current one (else 409 VersionConflict).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RegionInput(string? Name, string? Description, int? Version);

/// <summary>A member municipality by its official key, with its role (koordinierend or mitglied; default mitglied).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RegionMemberInput(string? Ags, string? Role);

/// <summary>
/// The coordination unit's work on a Kooperationsraum: create it (the creator's municipality becomes its first,
/// coordinating member), rename and describe it, add members, change their role, remove them. At least one member stays
/// koordinierend.
/// </summary>
public sealed class ManageRegion(Db db, TimeProvider clock)
{
    public const int MaxNameLength = 200, MaxDescriptionLength = 5000;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private static (string Name, string Description) Validate(RegionInput input)
    {
        var errors = new ValidationErrors();
        var name = RegionText.Required(errors, "name", input.Name, "Der Name", MaxNameLength, "Bitte geben Sie dem Kooperationsraum einen Namen.");
        var description = RegionText.Optional(errors, "description", input.Description, "Die Beschreibung", MaxDescriptionLength);
        if (errors.Count > 0) throw new ValidationException(errors);
        return (name, description);
    }

    public async Task<long> CreateAsync(Actor actor, RegionInput input, CancellationToken ct = default)
    {
        RegionAccess.RequireCoordinator(actor);
        var (name, description) = Validate(input);
        return await db.InTransactionAsync((c, tx) => RegionRows.InsertRegionAsync(c, tx, name, description, actor.Ags, Now), ct);
    }

    public Task UpdateAsync(Actor actor, long regionId, RegionInput input, CancellationToken ct = default) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            RegionAccess.RequireCoordinating(await RegionAccess.RequireCoordinatorAsync(db, c, tx, regionId, actor));
            var (name, description) = Validate(input);
            var version = await c.ExecuteScalarAsync<int>("SELECT version FROM regions WHERE id = @Id", new { Id = regionId }, tx);
            if (input.Version is { } expected && expected != version)
                throw new RuleException("VersionConflict", "Der Kooperationsraum wurde inzwischen von jemand anderem geändert. Bitte laden Sie die Seite neu und prüfen Sie Ihre Angaben.");
            await c.ExecuteAsync("UPDATE regions SET name = @Name, description = @Description, updated_at = @Now, version = version + 1 WHERE id = @Id",
                new { Name = name, Description = description, Now, Id = regionId }, tx);
        }, ct);

    /// <summary>Adds a municipality of the directory, or changes the role of a member.</summary>
    public Task SetMemberAsync(Actor actor, long regionId, RegionMemberInput input, CancellationToken ct = default) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            RegionAccess.RequireCoordinating(await RegionAccess.RequireCoordinatorAsync(db, c, tx, regionId, actor));
            var errors = new ValidationErrors();
            var ags = TextInput.Field(errors, "ags", input.Ags, TextKind.Line, "Der Schlüssel") ?? "";
            if (!errors.ContainsKey("ags"))
            {
                if (ags.Length == 0) errors.Add("ags", "Bitte geben Sie den amtlichen Schlüssel der Kommune an.");
                else if (ags.Length > 12 || await c.ExecuteScalarAsync<string?>("SELECT ags FROM municipalities WHERE ags = @Ags", new { Ags = ags }, tx) is null)
                    errors.Add("ags", $"Eine Kommune mit dem Schlüssel „{(ags.Length > 12 ? ags[..12] + "…" : ags)}“ gibt es im Verzeichnis nicht.");
            }
            var role = input.Role ?? RegionRoles.Member;
            if (RegionRoles.Label(role) is null) errors.Add("role", "Die Rolle ist „koordinierend“ oder „mitglied“.");
            if (errors.Count > 0) throw new ValidationException(errors);

            var current = await RegionAccess.RoleAsync(c, tx, regionId, ags);
            if (current == role) return;
            if (current is null)
                await RegionRows.InsertMemberAsync(c, tx, regionId, ags, role, Now);
            else
            {
                if (current == RegionRoles.Coordinating) await RequireAnotherCoordinatingAsync(c, tx, regionId, ags);
                await c.ExecuteAsync("UPDATE region_members SET role = @Role WHERE region_id = @Id AND ags = @Ags", new { Id = regionId, Ags = ags, Role = role }, tx);
            }
            await TouchAsync(c, tx, regionId);
        }, ct);

    public Task RemoveMemberAsync(Actor actor, long regionId, string memberAgs, CancellationToken ct = default) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            RegionAccess.RequireCoordinating(await RegionAccess.RequireCoordinatorAsync(db, c, tx, regionId, actor));
            var current = await RegionAccess.RoleAsync(c, tx, regionId, memberAgs)
                ?? throw new RegionPartNotFoundException("Diese Kommune ist nicht Mitglied des Kooperationsraums.");
            if (current == RegionRoles.Coordinating) await RequireAnotherCoordinatingAsync(c, tx, regionId, memberAgs);
            await c.ExecuteAsync("DELETE FROM region_members WHERE region_id = @Id AND ags = @Ags", new { Id = regionId, Ags = memberAgs }, tx);
            await TouchAsync(c, tx, regionId);
        }, ct);

    /// <summary>
    /// Deletes the region with its members, Handlungsfelder, goals, options, links and learning cycle (ON DELETE CASCADE):
    /// the Koordination of a coordinating member only, as for its other changes; the linked register entries and
    /// agreements themselves stay.
    /// </summary>
    public Task DeleteAsync(Actor actor, long regionId, CancellationToken ct = default) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            RegionAccess.RequireCoordinating(await RegionAccess.RequireCoordinatorAsync(db, c, tx, regionId, actor));
            await c.ExecuteAsync("DELETE FROM regions WHERE id = @Id", new { Id = regionId }, tx);
        }, ct);

    private static async Task RequireAnotherCoordinatingAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, long regionId, string leaving)
    {
        var others = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM region_members WHERE region_id = @Id AND role = @Role AND ags <> @Ags",
            new { Id = regionId, Role = RegionRoles.Coordinating, Ags = leaving }, tx);
        if (others == 0)
            throw new RuleException("CoordinatingMemberRequired", "Ein Kooperationsraum braucht mindestens eine koordinierende Kommune. Bestimmen Sie zuerst eine andere Kommune als koordinierend.");
    }

    private Task TouchAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, long regionId) =>
        c.ExecuteAsync("UPDATE regions SET updated_at = @Now WHERE id = @Id", new { Now, Id = regionId }, tx);
}
