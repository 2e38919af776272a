using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace OpenIkz.Infrastructure.Http;

/// <summary>
/// Another body limit for the requests a module names (e.g. the backup receiver's object uploads), registered with
/// <see cref="RequestLimits.AddRequestBodyLimit"/>: <see cref="LimitFor"/> returns the limit for a request it is
/// responsible for, null for any other. It is asked before routing, so it decides by method, path and headers.
/// </summary>
public sealed record RequestBodyLimit(Func<HttpRequest, long?> LimitFor);

/// <summary>
/// Answers a request whose declared body is larger than OpenIkz:MaxRequestBodyBytes (or the limit a module set for
/// it) with 413 before reading it, and caps bodies without a length (chunked) at the same size: the server reads no more.
/// </summary>
public static class RequestLimits
{
    public static IServiceCollection AddRequestBodyLimit(this IServiceCollection services, Func<HttpRequest, long?> limitFor) =>
        services.AddSingleton(new RequestBodyLimit(limitFor));

    public static IApplicationBuilder UseRequestSizeLimit(this IApplicationBuilder app)
    {
        var overrides = app.ApplicationServices.GetServices<RequestBodyLimit>().ToArray();
        return app.Use(async (context, next) =>
        {
            var limit = overrides.Select(o => o.LimitFor(context.Request)).FirstOrDefault(l => l is not null)
                ?? context.RequestServices.GetRequiredService<IOptions<OpenIkzOptions>>().Value.MaxRequestBodyBytes;
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
}
