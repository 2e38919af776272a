using System.Data.Common;
using Dapper;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Registry.Regions;

/// <summary>The Kooperationsraum does not exist or the caller's municipality is not a member (never told apart): 404.</summary>
public sealed class RegionNotFoundException() : NotFoundException("Kooperationsraum nicht gefunden.");

/// <summary>The Handlungsfeld (or the link, or the member) does not exist in this Kooperationsraum: 404.</summary>
public sealed class RegionPartNotFoundException(string message) : NotFoundException(message);

/// <summary>A member may see the Kooperationsraum but not do this (not Koordination, or not a coordinating member): 403.</summary>
public sealed class RegionForbiddenException(string message) : Exception(message);

/// <summary>
/// Who may do what in a Kooperationsraum. Every person of a member municipality reads it; the Koordination of a member
/// works on its Handlungsfelder; the Koordination of a koordinierend member also manages members, name and description.
/// A non-member is told "not found", in the API and on the pages alike.
/// </summary>
internal static class RegionAccess
{
    /// <summary>The role of <paramref name="ags"/> in the region, or null when it is not a member (or the region does not exist).</summary>
    public static Task<string?> RoleAsync(DbConnection c, DbTransaction? tx, long regionId, string ags) =>
        c.QuerySingleOrDefaultAsync<string?>("SELECT role FROM region_members WHERE region_id = @Region AND ags = @Ags", new { Region = regionId, Ags = ags }, tx);

    /// <summary>A person of a member municipality; otherwise not found.</summary>
    public static async Task<string> RequireMemberAsync(DbConnection c, DbTransaction? tx, long regionId, Actor actor) =>
        actor.IsUser && await RoleAsync(c, tx, regionId, actor.Ags) is { } role ? role : throw new RegionNotFoundException();

    /// <summary>
    /// For a write: locks the region (PostgreSQL; SQLite's write transaction is exclusive anyway), so that two writes to the
    /// same region run one after the other, and checks that the caller is the Koordination of a member. Returns its role.
    /// </summary>
    public static async Task<string> RequireCoordinatorAsync(Db db, DbConnection c, DbTransaction tx, long regionId, Actor actor)
    {
        await c.ExecuteScalarAsync<long?>("SELECT r.id FROM regions r WHERE r.id = @Id" + db.ForUpdate("r"), new { Id = regionId }, tx);
        var role = await RequireMemberAsync(c, tx, regionId, actor);
        RequireCoordinator(actor);
        return role;
    }

    public static void RequireCoordinator(Actor actor)
    {
        if (!actor.IsUser || !actor.IsCoordinator)
            throw new RegionForbiddenException("Nur die Koordination einer Mitgliedskommune kann den Kooperationsraum bearbeiten.");
    }

    public static void RequireCoordinating(string role)
    {
        if (role != RegionRoles.Coordinating)
            throw new RegionForbiddenException("Mitglieder, Name und Beschreibung verwaltet die Koordination einer koordinierenden Kommune des Kooperationsraums.");
    }

    /// <summary>For a write to a field: <see cref="RequireCoordinatorAsync"/>, and the field must belong to the region (else not found).</summary>
    public static async Task RequireFieldCoordinatorAsync(Db db, DbConnection c, DbTransaction tx, long regionId, long fieldId, Actor actor)
    {
        await RequireCoordinatorAsync(db, c, tx, regionId, actor);
        await RequireFieldAsync(c, tx, regionId, fieldId);
    }

    /// <summary>The field, if it belongs to the region; otherwise not found.</summary>
    public static async Task RequireFieldAsync(DbConnection c, DbTransaction? tx, long regionId, long fieldId)
    {
        if (await c.ExecuteScalarAsync<long?>("SELECT id FROM fields_of_action WHERE id = @Field AND region_id = @Region", new { Field = fieldId, Region = regionId }, tx) is null)
            throw new RegionPartNotFoundException("Handlungsfeld nicht gefunden.");
    }
}

/// <summary>The text rules of the Kooperationsraum's forms, on top of <see cref="TextInput"/>.</summary>
internal static class RegionText
{
    private static readonly System.Globalization.CultureInfo German = System.Globalization.CultureInfo.GetCultureInfo("de-DE");

    /// <summary>A required one-line text of at most <paramref name="max"/> characters.</summary>
    public static string Required(ValidationErrors errors, string field, string? value, string label, int max, string missing)
    {
        var text = TextInput.Field(errors, field, value, TextKind.Line, label);
        if (errors.ContainsKey(field)) return "";
        if (text is null) errors.Add(field, missing);
        else if (text.Length > max) errors.Add(field, $"{label} darf höchstens {max} Zeichen lang sein.");
        return text ?? "";
    }

    /// <summary>An optional text of paragraphs of at most <paramref name="max"/> characters; empty when absent.</summary>
    public static string Optional(ValidationErrors errors, string field, string? value, string label, int max)
    {
        var text = TextInput.Field(errors, field, value, TextKind.Paragraphs, label) ?? "";
        if (text.Length > max) errors.Add(field, $"{label} darf höchstens {max.ToString("N0", German)} Zeichen lang sein.");
        return text;
    }
}
