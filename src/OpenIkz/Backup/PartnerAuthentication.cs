using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenIkz.Infrastructure;

namespace OpenIkz.Backup;

public static class BackupPolicies
{
    /// <summary>The receiver's endpoints: a backup partner's token, and nothing else (no user session, no user or client token).</summary>
    public const string Partner = "backup-partner";

    /// <summary>The authentication scheme of the partner tokens; the policy evaluates only this one.</summary>
    public const string PartnerScheme = "BackupPartner";

    /// <summary>The claim holding the partner's name (its space on the receiver).</summary>
    public const string PartnerClaim = "oikz:backup-partner";

    public static string PartnerName(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(PartnerClaim) ?? throw new InvalidOperationException("The receiver's endpoints require the backup partner policy.");
}

/// <summary>Authenticates <c>Authorization: Bearer oikzb_…</c> with the token of an active backup partner (looked up by its hash).</summary>
public sealed class PartnerTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ReceivePartners partners)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var token = header["Bearer ".Length..].Trim();
        if (token.Length is 0 or > 200 || !token.StartsWith(ReceivePartners.TokenPrefix, StringComparison.Ordinal)) return AuthenticateResult.Fail("Not a backup partner token.");
        var partner = await partners.FindAsync(token, Context.RequestAborted);
        if (partner is null) return AuthenticateResult.Fail("Unknown or revoked backup partner token.");
        var identity = new ClaimsIdentity([new Claim(BackupPolicies.PartnerClaim, partner), new Claim(ClaimTypes.Name, "backup-partner:" + partner)], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Nicht angemeldet",
            "Diese Anfrage braucht das Token eines Sicherungspartners im Kopf 'Authorization: Bearer oikzb_…' (backup receiver add). Anmeldungen und andere Tokens gelten hier nicht.");
    }
}
