using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace OpenIkz.Infrastructure.Http;

/// <summary>
/// X-Forwarded-For and X-Forwarded-Proto are believed only from trusted proxies: loopback (ASP.NET Core's default) and
/// what <c>OpenIkz:ForwardedHeaders:KnownProxies</c> (addresses) and <c>KnownNetworks</c> (CIDR, e.g. 10.0.0.0/8) name.
/// Each is a list (appsettings array, or environment <c>OpenIkz__ForwardedHeaders__KnownNetworks__0</c>) or one
/// comma-separated string. A value that is no address or network stops the start with a one-line message.
/// </summary>
public static class ForwardedHeadersSetup
{
    public const string Section = "OpenIkz:ForwardedHeaders";

    public static IServiceCollection AddOpenIkzForwardedHeaders(this IServiceCollection services, IConfiguration configuration)
    {
        // Read when the options are first built (at start-up, by the middleware), so that every configuration source is in.
        services.AddOptions<ForwardedHeadersOptions>().Configure<IConfiguration>((o, config) =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var p in Values(config, "KnownProxies"))
                o.KnownProxies.Add(IPAddress.TryParse(p, out var a) ? a : throw new InvalidOperationException($"{Section}:KnownProxies: '{p}' is not an IP address."));
            foreach (var n in Values(config, "KnownNetworks"))
                o.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(n, out var net) ? net
                    : throw new InvalidOperationException($"{Section}:KnownNetworks: '{n}' is not a network in CIDR notation (e.g. 10.0.0.0/8)."));
        });
        return services;
    }

    private static IEnumerable<string> Values(IConfiguration configuration, string key)
    {
        var section = configuration.GetSection($"{Section}:{key}");
        var list = section.GetChildren().Select(c => c.Value).Append(section.Value);
        return list.Where(v => !string.IsNullOrWhiteSpace(v)).SelectMany(v => v!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct();
    }
}
