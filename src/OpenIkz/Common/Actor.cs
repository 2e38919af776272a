using System.Globalization;
using System.Security.Claims;

namespace OpenIkz.Common;

/// <summary>Who acts: a signed-in user (clerk, team lead, coordinator, administrator) or an API client, with their municipality.</summary>
public sealed record Actor(long? UserId, long? ClientId, string Name, string DisplayName, string Ags, bool IsTeamLead, IReadOnlyList<string> Services,
    bool IsCoordinator = false, bool IsClerk = false, bool IsAdministrator = false)
{
    public static Actor? From(ClaimsPrincipal principal)
    {
        var ags = principal.MunicipalityAgs();
        if (ags is null || principal.Identity?.IsAuthenticated != true) return null;
        if (long.TryParse(principal.FindFirstValue(OpenIkzClaims.ClientId), CultureInfo.InvariantCulture, out var clientId))
            return new Actor(null, clientId, principal.Identity.Name ?? "client", principal.Identity.Name ?? "API-Client", ags, false, []);
        var userId = principal.UserId();
        if (userId is null) return null;
        return new Actor(userId, null, principal.Identity.Name ?? "", principal.FindFirstValue(ClaimTypes.GivenName) ?? principal.Identity.Name ?? "",
            ags, principal.IsInRole(Roles.Teamleitung), principal.FindAll(OpenIkzClaims.Service).Select(c => c.Value).ToList(),
            principal.IsInRole(Roles.Koordination), principal.IsInRole(Roles.Sachbearbeitung), principal.IsInRole(Roles.Administration));
    }

    public bool IsUser => UserId is not null;
}

public static class PrincipalExtensions
{
    public static long? UserId(this ClaimsPrincipal p) =>
        long.TryParse(p.FindFirstValue(OpenIkzClaims.UserId), CultureInfo.InvariantCulture, out var id) ? id : null;

    public static string? MunicipalityAgs(this ClaimsPrincipal p) => p.FindFirstValue(OpenIkzClaims.Municipality);
}
