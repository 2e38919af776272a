using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace OpenIkz.Infrastructure.Http;

/// <summary>
/// Answers a request whose declared body is larger than OpenIkz:MaxRequestBodyBytes with 413 before
/// reading it, and caps bodies without a length (chunked) at the same size: the server reads no more.
/// </summary>
public static class RequestLimits
{
    public static IApplicationBuilder UseRequestSizeLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var limit = context.RequestServices.GetRequiredService<IOptions<OpenIkzOptions>>().Value.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            await Problems.WriteAsync(context, 413, Problems.TitleFor(413), $"Die Anfrage ist größer als die erlaubten {limit / (1024 * 1024)} MB.");
            return;
        }
        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false }) feature.MaxRequestBodySize = limit;
        await next();
    });
}
