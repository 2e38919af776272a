using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace OpenIkz.Directory.Accounts;

/// <summary>
/// The browser sign-in: a server-side session behind the cookie, and between password and second-factor code a
/// short-lived ticket (Data Protection, 5 minutes) that names the user and their security stamp, so that the code
/// step needs no state on the server and a ticket dies with a password change.
/// </summary>
public sealed class BrowserSignIn(UserSessions sessions, UserAccounts users, IDataProtectionProvider dataProtection, IOptions<SecurityOptions> security, TimeProvider clock)
{
    public static readonly TimeSpan TicketLifetime = TimeSpan.FromMinutes(5);

    private readonly ITimeLimitedDataProtector _tickets = dataProtection.CreateProtector("OpenIkz.Directory.SignInTicket.v1").ToTimeLimitedDataProtector();

    public async Task SignInAsync(HttpContext context, UserAccount user)
    {
        var sessionId = await sessions.StartAsync(user.Id, context.RequestAborted);
        var principal = Principals.ForUser(user, AuthSchemes.Cookie, PendingSteps.For(user, security.Value.RequireSecondFactor == true), sessionId);
        await context.SignInAsync(AuthSchemes.Cookie, principal);
    }

    /// <summary>Ends the session on the server (so that a copy of the cookie is worthless) and removes the cookie.</summary>
    public async Task SignOutAsync(HttpContext context)
    {
        await sessions.EndAsync(context.User.FindFirstValue(AccountClaims.SessionId), context.RequestAborted);
        await context.SignOutAsync(AuthSchemes.Cookie);
    }

    public string IssueTicket(UserAccount user) =>
        _tickets.Protect($"{user.Id}:{user.SecurityStamp}", clock.GetUtcNow() + TicketLifetime);

    /// <summary>The user of a valid ticket whose account is still active, unlocked and unchanged; otherwise null.</summary>
    public async Task<UserAccount?> RedeemTicketAsync(string? ticket, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(ticket) || ticket.Length > 2000) return null;
        string payload;
        try
        {
            payload = _tickets.Unprotect(ticket, out var expiration);
            if (expiration < clock.GetUtcNow()) return null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
        var parts = payload.Split(':', 2);
        if (parts.Length != 2 || !long.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var id)) return null;
        var user = await users.FindAsync(id, ct);
        return user is { IsActive: true } && user.SecurityStamp == parts[1] && !user.IsLockedOut(clock.GetUtcNow().UtcDateTime) ? user : null;
    }
}
