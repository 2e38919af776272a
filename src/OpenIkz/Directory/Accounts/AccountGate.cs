using System.Security.Claims;
using OpenIkz.Infrastructure;

namespace OpenIkz.Directory.Accounts;

/// <summary>
/// A user with a pending step (a new password after a reset, the second factor where it is required) reaches only
/// what that step needs: pages redirect to the step's page, the API answers 403 with a problem that names the step.
/// </summary>
public static class AccountGate
{
    public const string PasswordPage = "/Konto/Passwort";
    public const string SecondFactorPage = "/Konto/Zweiter-Faktor";

    private static readonly string[] AlwaysOpen = ["/Abmelden", "/Fehler", "/lib", "/css", "/health", "/api/v1/auth"];

    public static IApplicationBuilder UseAccountGate(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var pending = context.User.FindFirstValue(AccountClaims.Pending);
        if (pending is null || IsOpen(context.Request.Path, pending))
        {
            await next();
            return;
        }
        var page = pending == PendingSteps.Password ? PasswordPage : SecondFactorPage;
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            var detail = pending == PendingSteps.Password
                ? "Bitte zuerst ein neues Passwort wählen (POST /api/v1/me/password oder im Browser unter " + PasswordPage + ")."
                : "Bitte zuerst den zweiten Faktor einrichten (POST /api/v1/me/totp und /api/v1/me/totp/confirm oder im Browser unter " + SecondFactorPage + ").";
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Erst Konto einrichten", detail, extensions: new() { ["pending"] = pending });
            return;
        }
        context.Response.Redirect(page);
    });

    private static bool IsOpen(PathString path, string pending)
    {
        if (AlwaysOpen.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase))) return true;
        if (path.Equals("/api/v1/me", StringComparison.OrdinalIgnoreCase)) return true;
        return pending == PendingSteps.Password
            ? path.StartsWithSegments(PasswordPage, StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/api/v1/me/password", StringComparison.OrdinalIgnoreCase)
            : path.StartsWithSegments(SecondFactorPage, StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/api/v1/me/totp", StringComparison.OrdinalIgnoreCase)
              || path.StartsWithSegments(PasswordPage, StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/api/v1/me/password", StringComparison.OrdinalIgnoreCase);
    }
}
