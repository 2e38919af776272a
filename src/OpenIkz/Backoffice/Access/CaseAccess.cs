using OpenIkz.Agreements;

namespace OpenIkz.Backoffice.Access;

/// <summary>
/// The access rule of the back office, as one SQL fragment that every query on cases, documents,
/// notes, history and search joins. A user sees a case only if
/// <list type="bullet">
/// <item>the user holds the clerk role (Sachbearbeitung) and the case's service (user_services), and</item>
/// <item>the case's owner is the user's municipality, or an agreement in force grants it (<see cref="AgreementGrants"/>).</item>
/// </list>
/// Anything else is not found. <c>agreement_id</c> names the agreement that grants a foreign case
/// (null for the own municipality) and goes into the audit log.
/// Parameters: @ActorId (user id), @ActorAgs, @Today (DateOnly).
/// </summary>
public static class CaseAccess
{
    /// <summary>The user holds the clerk role (Sachbearbeitung): services alone grant nothing.</summary>
    private const string IsClerk = "EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = @ActorId AND r.role = 'Sachbearbeitung')";

    public const string GrantsCte = $"""
        grants AS (
            SELECT @ActorAgs AS owner_ags, us.service_slug AS service_slug, CAST(NULL AS BIGINT) AS agreement_id
            FROM user_services us
            WHERE us.user_id = @ActorId AND {IsClerk}
            UNION ALL
            {AgreementGrants.ForeignGrantsSelect}
              AND {IsClerk}
            GROUP BY mo.municipality_ags, s.service_slug
        )
        """;

    /// <summary>"WITH grants AS (…)": prefix a query with it and join <c>grants g ON g.owner_ags = c.owner_ags AND g.service_slug = c.service_slug</c>.</summary>
    public const string With = "WITH " + GrantsCte + "\n";

    public const string JoinGrants = "JOIN grants g ON g.owner_ags = c.owner_ags AND g.service_slug = c.service_slug";

    public static object Parameters(Actor actor, DateOnly today) => new { ActorId = actor.UserId ?? -1, ActorAgs = actor.Ags, Today = today };
}
