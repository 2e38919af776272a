using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using OpenIkz.Infrastructure;

namespace OpenIkz.Directory.Accounts;

public static class AuthSchemes
{
    public const string Smart = "Smart";
    public const string Cookie = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string Bearer = "Bearer";
}

/// <summary>Claims of the sign-in that only the Directory reads.</summary>
public static class AccountClaims
{
    /// <summary>The server-side session of a cookie sign-in (see <see cref="UserSessions"/>).</summary>
    public const string SessionId = "oikz:sid";
    /// <summary>A step the user must take before anything else: <see cref="PendingSteps"/>.</summary>
    public const string Pending = "oikz:pending";
}

public static class PendingSteps
{
    public const string Password = "password";
    public const string SecondFactor = "second-factor";

    /// <summary>What the user must do first: choose a new password (after a reset), then enrol the second factor where it is required.</summary>
    public static string? For(UserAccount user, bool requireSecondFactor) => For(user.PasswordMustChange, user.TotpEnabled, requireSecondFactor);

    public static string? For(bool passwordMustChange, bool totpEnabled, bool requireSecondFactor) =>
        passwordMustChange ? Password : requireSecondFactor && !totpEnabled ? SecondFactor : null;
}

public static class Principals
{
    public static ClaimsPrincipal ForUser(UserAccount user, string scheme, string? pending = null, string? sessionId = null)
    {
        var claims = new List<Claim>
        {
            new(OpenIkzClaims.UserId, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, user.Username),
            new(ClaimTypes.GivenName, user.DisplayName),
            new(OpenIkzClaims.Municipality, user.MunicipalityAgs),
            new(OpenIkzClaims.SecurityStamp, user.SecurityStamp),
        };
        claims.AddRange(user.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        claims.AddRange(user.Services.Select(s => new Claim(OpenIkzClaims.Service, s)));
        if (pending is not null) claims.Add(new Claim(AccountClaims.Pending, pending));
        if (sessionId is not null) claims.Add(new Claim(AccountClaims.SessionId, sessionId));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    public static ClaimsPrincipal ForClient(AccessTokens.ApiClient client, string scheme) =>
        new(new ClaimsIdentity(
        [
            new Claim(OpenIkzClaims.ClientId, client.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new Claim(ClaimTypes.Name, "client:" + client.Name),
            new Claim(OpenIkzClaims.Municipality, client.MunicipalityAgs),
            new Claim(OpenIkzClaims.Scope, client.Scope),
        ], scheme, ClaimTypes.Name, ClaimTypes.Role));

}

/// <summary>
/// Authenticates <c>Authorization: Bearer …</c> with a user token or an API client secret. A user token costs one
/// query per request: the token with its user's security stamp and pending steps. The user with roles and services
/// (three more queries) is kept in memory under its id and security stamp (<see cref="UserPrincipalCache"/>): every
/// change of roles, services, password or active state rotates the stamp (and deletes the tokens), so a kept user is
/// never used after such a change, on any instance, and a revoked or expired token is refused at once.
/// </summary>
public sealed class BearerTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    AccessTokens tokens, UserAccounts users, UserPrincipalCache cache, IOptions<SecurityOptions> security) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var token = header["Bearer ".Length..].Trim();
        if (token.Length is 0 or > 200) return AuthenticateResult.Fail("Malformed bearer token.");

        if (token.StartsWith(AccessTokens.ClientSecretPrefix, StringComparison.Ordinal))
        {
            var client = await tokens.FindClientAsync(token, Context.RequestAborted);
            return client is null ? AuthenticateResult.Fail("Unknown client.") : Success(Principals.ForClient(client, Scheme.Name));
        }
        var found = await tokens.FindUserAsync(token, Context.RequestAborted);
        if (found is null) return AuthenticateResult.Fail("Unknown or expired token.");
        var user = await cache.GetAsync(found.UserId, found.SecurityStamp, users, Context.RequestAborted);
        return user is null || !user.IsActive ? AuthenticateResult.Fail("Inactive user.")
            : Success(Principals.ForUser(user, Scheme.Name, PendingSteps.For(found.PasswordMustChange, found.TotpEnabled, security.Value.RequireSecondFactor == true)));
    }

    private AuthenticateResult Success(ClaimsPrincipal principal) => AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Nicht angemeldet",
            "Diese Anfrage braucht ein gültiges Token im Kopf 'Authorization: Bearer …' (POST /api/v1/auth/token).");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, "Keine Berechtigung", "Ihre Rolle erlaubt diese Anfrage nicht.");
}

public static class AuthenticationSetup
{
    /// <summary>
    /// Cookie security follows the mode: production requires HTTPS and uses Secure "__Host-" cookies;
    /// demo mode, which runs on http://localhost, marks cookies Secure whenever the request is HTTPS.
    /// Both are HttpOnly and SameSite=Strict.
    /// </summary>
    public static (string Prefix, CookieSecurePolicy Policy) CookieSecurity(bool production) =>
        production ? ("__Host-", CookieSecurePolicy.Always) : ("", CookieSecurePolicy.SameAsRequest);

    public static IServiceCollection AddOpenIkzAuthentication(this IServiceCollection services, bool production)
    {
        var (prefix, policy) = CookieSecurity(production);
        services.AddAuthentication(AuthSchemes.Smart)
            .AddPolicyScheme(AuthSchemes.Smart, "Cookie or bearer", o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? AuthSchemes.Bearer : AuthSchemes.Cookie)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(AuthSchemes.Bearer, null)
            .AddCookie(AuthSchemes.Cookie, o =>
            {
                o.Cookie.Name = prefix + "openikz";
                o.Cookie.HttpOnly = true;
                o.Cookie.SecurePolicy = policy;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.Path = "/";
                o.LoginPath = "/Anmelden";
                o.LogoutPath = "/Abmelden";
                o.AccessDeniedPath = "/Fehler/403";
                o.ExpireTimeSpan = UserSessions.Lifetime;
                o.SlidingExpiration = true;
                o.Events = new CookieAuthenticationEvents
                {
                    // The API never redirects to the login page: it answers with a problem document.
                    OnRedirectToLogin = ctx => IsApi(ctx.Request)
                        ? Problems.WriteAsync(ctx.HttpContext, 401, "Nicht angemeldet", "Diese Anfrage braucht eine Anmeldung.")
                        : Redirect(ctx),
                    OnRedirectToAccessDenied = ctx => IsApi(ctx.Request)
                        ? Problems.WriteAsync(ctx.HttpContext, 403, "Keine Berechtigung", "Ihre Rolle erlaubt diese Anfrage nicht.")
                        : Redirect(ctx),
                    // Every request checks the server-side session and the user: after logout (session deleted), deactivation,
                    // a password change or a change of roles or services (stamp rotated, sessions deleted) the cookie is worthless.
                    OnValidatePrincipal = async ctx =>
                    {
                        var services = ctx.HttpContext.RequestServices;
                        var id = ctx.Principal?.UserId();
                        var sessionId = ctx.Principal?.FindFirstValue(AccountClaims.SessionId);
                        // One query per request: the session with its user's state. Role and service changes rotate the
                        // stamp and end the sessions, so they need no check of their own.
                        var session = id is null ? null : await services.GetRequiredService<UserSessions>().FindUserAsync(sessionId, id.Value, ctx.HttpContext.RequestAborted);
                        if (session is null || !session.IsActive || session.SecurityStamp != ctx.Principal!.FindFirstValue(OpenIkzClaims.SecurityStamp))
                        {
                            ctx.RejectPrincipal();
                            await ctx.HttpContext.SignOutAsync(AuthSchemes.Cookie);
                            return;
                        }
                        var requireSecondFactor = services.GetRequiredService<IOptions<SecurityOptions>>().Value.RequireSecondFactor == true;
                        var pending = PendingSteps.For(session.PasswordMustChange, session.TotpEnabled, requireSecondFactor);
                        if (pending != ctx.Principal!.FindFirstValue(AccountClaims.Pending)
                            && await services.GetRequiredService<UserAccounts>().FindAsync(id!.Value, ctx.HttpContext.RequestAborted) is { } user)
                        {
                            ctx.ReplacePrincipal(Principals.ForUser(user, AuthSchemes.Cookie, PendingSteps.For(user, requireSecondFactor), sessionId));
                            ctx.ShouldRenew = true;
                        }
                    },
                    // The session's expiry slides with the cookie's.
                    OnCheckSlidingExpiration = async ctx =>
                    {
                        if (ctx.ShouldRenew && ctx.Principal?.FindFirstValue(AccountClaims.SessionId) is { } sid)
                            await ctx.HttpContext.RequestServices.GetRequiredService<UserSessions>().ExtendAsync(sid, ctx.HttpContext.RequestAborted);
                    },
                };
            });
        services.AddSingleton<UserPrincipalCache>();
        services.AddAuthorization();
        return services;
    }

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> ctx)
    {
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Users with their roles and services, kept for the bearer tokens under (id, security stamp) for a few minutes. A
/// stamp that changed is a different key, so what was kept for the old one is never handed out again. Bounded in
/// size; per instance (no state is shared, none needs to be: the stamp comes from the database with every request).
/// </summary>
public sealed class UserPrincipalCache : IDisposable
{
    public static readonly TimeSpan KeepFor = TimeSpan.FromMinutes(5);
    public const int MaxEntries = 20_000;

    private readonly MemoryCache _users = new(new MemoryCacheOptions { SizeLimit = MaxEntries });

    public async Task<UserAccount?> GetAsync(long userId, string securityStamp, UserAccounts users, CancellationToken ct)
    {
        var key = (userId, securityStamp);
        if (_users.TryGetValue(key, out UserAccount? kept)) return kept;
        var user = await users.FindAsync(userId, ct);
        // Kept only when it is the user of this stamp (a change between the two queries gives the next request a new key).
        if (user is not null && user.SecurityStamp == securityStamp)
            _users.Set(key, user, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = KeepFor });
        return user;
    }

    public void Dispose() => _users.Dispose();
}
