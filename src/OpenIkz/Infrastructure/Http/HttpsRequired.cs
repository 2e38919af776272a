using System.Net;
using Microsoft.Extensions.Options;

namespace OpenIkz.Infrastructure.Http;

/// <summary>
/// Production mode serves its pages over HTTPS only (the cookies are Secure "__Host-" cookies, which a browser never
/// sends over plain HTTP). A page requested over plain HTTP, e.g. past a TLS proxy whose address is not configured as
/// trusted (OpenIkz:ForwardedHeaders), gets a clear German page with status 400 instead of a failing form. The API,
/// /health and static files are not affected.
/// </summary>
public static class HttpsRequired
{
    public static IApplicationBuilder UseHttpsRequiredPage(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var path = context.Request.Path;
        if (context.RequestServices.GetRequiredService<IOptions<OpenIkzOptions>>().Value.IsDemo || context.Request.IsHttps || path.StartsWithSegments("/api") || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/health")
            || path.StartsWithSegments("/lib") || path.StartsWithSegments("/css"))
        {
            await next();
            return;
        }
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "text/html; charset=utf-8";
        var https = "https://" + WebUtility.HtmlEncode(context.Request.Host.Value ?? "") + WebUtility.HtmlEncode(path.Value ?? "/");
        await context.Response.WriteAsync($$"""
            <!DOCTYPE html>
            <html lang="de">
            <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Bitte HTTPS verwenden – OpenIKZ</title>
                <link rel="stylesheet" href="/lib/kern/kern.min.css">
                <link rel="stylesheet" href="/css/site.css">
            </head>
            <body class="oikz-body">
                <main id="inhalt" class="kern-container oikz-main">
                    <h1 class="kern-heading-x-large">Bitte HTTPS verwenden</h1>
                    <p class="kern-body">OpenIKZ ist im Betrieb nur über eine verschlüsselte Verbindung (HTTPS) erreichbar. Bitte rufen Sie die Seite mit <a class="kern-link" href="{{https}}">{{https}}</a> auf.</p>
                    <p class="kern-body">Sehen Sie diese Seite, obwohl Sie HTTPS verwenden, ist der vorgeschaltete Proxy nicht als vertrauenswürdig eingetragen. Der IT-Betrieb trägt ihn unter <code>OpenIkz:ForwardedHeaders:KnownProxies</code> oder <code>KnownNetworks</code> ein (siehe docs/OPERATIONS.md).</p>
                </main>
            </body>
            </html>
            """);
    });
}
