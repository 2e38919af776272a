namespace OpenIkz.Backoffice.Access;

/// <summary>
/// The access rule of the back office, as one SQL fragment that every query on cases, documents,
/// notes, history and search joins. A user sees a case only if
/// <list type="bullet">
/// <item>the user holds the role for the case's service (user_services), and</item>
/// <item>the case's owner is the user's municipality, or an agreement that took effect (approved, active,
///   or terminated but not yet ended) and whose dates include today covers the service, with the owner contributing cases and the user's municipality
///   contributing staff.</item>
/// </list>
/// Anything else is not found. <c>agreement_id</c> names the agreement that grants a foreign case
/// (null for the own municipality) and goes into the audit log.
/// Parameters: @ActorId (user id), @ActorAgs, @Today (DateOnly).
/// </summary>
public static class CaseAccess
{
    /// <summary>An agreement (alias a) is in force on @Today: it took effect, has started and has not ended.</summary>
    public const string InForce = "a.status IN ('approved', 'active', 'terminated') AND a.valid_from <= @Today AND ((a.valid_to IS NULL AND a.status <> 'terminated') OR a.valid_to >= @Today)";

    public const string GrantsCte = $"""
        grants AS (
            SELECT @ActorAgs AS owner_ags, us.service_slug AS service_slug, CAST(NULL AS BIGINT) AS agreement_id
            FROM user_services us
            WHERE us.user_id = @ActorId
            UNION ALL
            SELECT mo.municipality_ags, s.service_slug, MIN(a.id)
            FROM agreements a
            JOIN agreement_services s ON s.agreement_id = a.id
            JOIN user_services us ON us.user_id = @ActorId AND us.service_slug = s.service_slug
            JOIN agreement_members ms ON ms.agreement_id = a.id AND ms.municipality_ags = @ActorAgs AND ms.contributes_staff = TRUE
            JOIN agreement_members mo ON mo.agreement_id = a.id AND mo.contributes_cases = TRUE AND mo.municipality_ags <> @ActorAgs
            WHERE {InForce}
            GROUP BY mo.municipality_ags, s.service_slug
        )
        """;

    /// <summary>"WITH grants AS (…)": prefix a query with it and join <c>grants g ON g.owner_ags = c.owner_ags AND g.service_slug = c.service_slug</c>.</summary>
    public const string With = "WITH " + GrantsCte + "\n";

    public const string JoinGrants = "JOIN grants g ON g.owner_ags = c.owner_ags AND g.service_slug = c.service_slug";

    public static object Parameters(Actor actor, DateOnly today) => new { ActorId = actor.UserId ?? -1, ActorAgs = actor.Ags, Today = today };
}
