using Microsoft.AspNetCore.Diagnostics;

namespace OpenIkz.Infrastructure.Http;

/// <summary>
/// Gives an empty error response a body: problem details for the API (and any client that asks for
/// JSON), the German error page for browsers.
/// </summary>
public static class StatusCodePages
{
    public static async Task HandleAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
        if (IsApi(http.Request))
        {
            await Problems.WriteAsync(http, status, Problems.TitleFor(status), Problems.DetailFor(status, http));
            return;
        }
        var originalPath = http.Request.Path;
        var originalQuery = http.Request.QueryString;
        http.Features.Set<IStatusCodeReExecuteFeature>(new StatusCodeReExecuteFeature
        {
            OriginalPath = originalPath.Value!, OriginalPathBase = http.Request.PathBase.Value!, OriginalQueryString = originalQuery.Value,
        });
        http.SetEndpoint(null);
        http.Request.RouteValues.Clear();
        http.Request.Path = $"/Fehler/{status}";
        http.Request.QueryString = QueryString.Empty;
        var method = http.Request.Method;
        http.Request.Method = "GET";
        // The error page reads no form: a form the server refused (e.g. with a NUL character) would fail again here and become a 500.
        http.Features.Set<Microsoft.AspNetCore.Http.Features.IFormFeature>(new Microsoft.AspNetCore.Http.Features.FormFeature(FormCollection.Empty));
        try
        {
            await context.Next(http);
        }
        finally
        {
            http.Request.Path = originalPath;
            http.Request.QueryString = originalQuery;
            http.Request.Method = method;
        }
    }

    /// <summary>An API request, or a client that asks for JSON: it gets a problem document rather than a page.</summary>
    internal static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/openapi") || request.Path.StartsWithSegments("/health")
        || request.Headers.Accept.Any(a => a is not null && a.Contains("json", StringComparison.OrdinalIgnoreCase) && !a.Contains("html", StringComparison.OrdinalIgnoreCase));
}
