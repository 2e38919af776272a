namespace OpenIkz.Agreements;

/// <summary>
/// What an agreement grants, as SQL that other modules join: an agreement that took effect (approved, active, or
/// terminated but not yet ended) and whose dates include @Today lets the staff-contributing members' users see the
/// cases of the case-contributing members, for the agreement's services. The back office joins this into its
/// access rule; nothing else lets a user see another municipality's case.
/// </summary>
public static class AgreementGrants
{
    /// <summary>An agreement (alias a) is in force on @Today: it took effect, has started and has not ended.</summary>
    public const string InForce = "a.status IN ('approved', 'active', 'terminated') AND a.valid_from <= @Today AND ((a.valid_to IS NULL AND a.status <> 'terminated') OR a.valid_to >= @Today)";

    /// <summary>
    /// Rows (owner_ags, service_slug, agreement_id) that agreements in force grant to the user @ActorId of @ActorAgs, for
    /// the services the user holds (<c>us</c> joins <c>user_services</c>; the caller adds its own conditions on the user).
    /// </summary>
    public const string ForeignGrantsSelect = $"""
        SELECT mo.municipality_ags, s.service_slug, MIN(a.id)
        FROM agreements a
        JOIN agreement_services s ON s.agreement_id = a.id
        JOIN user_services us ON us.user_id = @ActorId AND us.service_slug = s.service_slug
        JOIN agreement_members ms ON ms.agreement_id = a.id AND ms.municipality_ags = @ActorAgs AND ms.contributes_staff = TRUE
        JOIN agreement_members mo ON mo.agreement_id = a.id AND mo.contributes_cases = TRUE AND mo.municipality_ags <> @ActorAgs
        WHERE {InForce}
        """;
}
