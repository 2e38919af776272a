using Microsoft.AspNetCore.Antiforgery;
using OpenIkz.Infrastructure;

namespace OpenIkz.Directory.Accounts;

/// <summary>
/// The API accepts writes (POST, PUT, PATCH, DELETE) with the sign-in cookie only from the app's own pages: a request
/// with a foreign <c>Origin</c> (or <c>Sec-Fetch-Site: cross-site</c>) is refused, and so is one without the antiforgery
/// token in the header <see cref="HeaderName"/> (the pages carry it in <c>&lt;meta name="openikz-antiforgery"&gt;</c>).
/// Requests with <c>Authorization: Bearer</c> carry no ambient credential and are not affected.
/// </summary>
public static class CrossSiteProtection
{
    /// <summary>ASP.NET Core's default antiforgery header.</summary>
    public const string HeaderName = "RequestVerificationToken";

    public static IApplicationBuilder UseCrossSiteProtection(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/api") || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || context.User.Identity is not { IsAuthenticated: true, AuthenticationType: AuthSchemes.Cookie })
        {
            await next();
            return;
        }
        var origin = request.Headers.Origin.ToString();
        var ownOrigin = $"{request.Scheme}://{request.Host}";
        if ((origin.Length > 0 && !string.Equals(origin, ownOrigin, StringComparison.OrdinalIgnoreCase))
            || string.Equals(request.Headers["Sec-Fetch-Site"].ToString(), "cross-site", StringComparison.OrdinalIgnoreCase))
        {
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Fremde Herkunft",
                "Schreibende API-Aufrufe mit dem Anmelde-Cookie werden nur von den Seiten von OpenIKZ selbst angenommen. Skripte und Fachverfahren nutzen ein Token (Authorization: Bearer).");
            return;
        }
        if (!await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context))
        {
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Antiforgery-Token fehlt",
                $"Schreibende API-Aufrufe mit dem Anmelde-Cookie brauchen den Kopf '{HeaderName}' mit dem Token der Seite (<meta name=\"openikz-antiforgery\">). Skripte nutzen ein Token (Authorization: Bearer).");
            return;
        }
        await next();
    });
}
