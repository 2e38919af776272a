using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace OpenIkz.Infrastructure.Http;

/// <summary>One limit: at most <see cref="PermitLimit"/> requests per fixed <see cref="Window"/>.</summary>
public sealed class RateLimit
{
    public int PermitLimit { get; set; }
    public TimeSpan Window { get; set; }

    public FixedWindowRateLimiterOptions ToOptions() => new() { PermitLimit = PermitLimit, Window = Window, QueueLimit = 0, AutoReplenishment = true };
}

/// <summary>
/// The "OpenIkz:RateLimits" section. The defaults are generous for people and tight for scripts that guess passwords;
/// <see cref="Enabled"/> = false switches every limit off (load tests, benchmarks).
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "OpenIkz:RateLimits";

    public bool Enabled { get; set; } = true;

    /// <summary>Sign-in attempts (login form, POST /api/v1/auth/token) per client address. Default 30 per minute:
    /// room for a town hall whose staff share one address behind a NAT.</summary>
    public RateLimit SignInPerAddress { get; set; } = new() { PermitLimit = 30, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Sign-in attempts per user name, from any address. Default 10 per 5 minutes (the lockout after 5 failures still applies).</summary>
    public RateLimit SignInPerUser { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(5) };

    /// <summary>Applications (POST /api/v1/applications) per API client. Default 300 per minute.</summary>
    public RateLimit IntakePerClient { get; set; } = new() { PermitLimit = 300, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Appointment bookings, moves and cancellations per client address. Default 20 per 10 minutes.</summary>
    public RateLimit BookingPerAddress { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromMinutes(10) };

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var (name, limit) in new[] { ("SignInPerAddress", SignInPerAddress), ("SignInPerUser", SignInPerUser), ("IntakePerClient", IntakePerClient), ("BookingPerAddress", BookingPerAddress) })
            if (limit.PermitLimit <= 0 || limit.Window <= TimeSpan.Zero) errors.Add($"{Section}:{name} needs a positive PermitLimit and Window.");
        return errors;
    }
}

public static class RateLimitPolicies
{
    /// <summary>Sign-in per client address (unsafe methods only; the login page itself is not limited).</summary>
    public const string SignIn = "sign-in";
    /// <summary>Per authenticated API client (claim <see cref="OpenIkzClaims.ClientId"/>), e.g. the intake.</summary>
    public const string ApiClient = "api-client";
    /// <summary>Public appointment writes per client address (the per-e-mail limit of the booking applies on top).</summary>
    public const string Booking = "booking";

    public static IServiceCollection AddOpenIkzRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.Section))
            .Validate(o => o.Validate().Count == 0, "Invalid OpenIkz:RateLimits configuration: every limit needs a positive PermitLimit and Window.")
            .ValidateOnStart();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = RejectAsync;
            o.AddPolicy(SignIn, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                return !limits.Enabled || HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
                    ? RateLimitPartition.GetNoLimiter("off")
                    : RateLimitPartition.GetFixedWindowLimiter("addr:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown"), _ => limits.SignInPerAddress.ToOptions());
            });
            o.AddPolicy(Booking, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                return !limits.Enabled || HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
                    ? RateLimitPartition.GetNoLimiter("off")
                    : RateLimitPartition.GetFixedWindowLimiter("booking:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown"), _ => limits.BookingPerAddress.ToOptions());
            });
            o.AddPolicy(ApiClient, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                var client = context.User.FindFirstValue(OpenIkzClaims.ClientId);
                return !limits.Enabled || client is null
                    ? RateLimitPartition.GetNoLimiter("off")
                    : RateLimitPartition.GetFixedWindowLimiter("client:" + client, _ => limits.IntakePerClient.ToOptions());
            });
        });
        return services;
    }

    /// <summary>429 with Retry-After (whole seconds): a problem document for the API, the German error page for browsers.</summary>
    public static ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken ct)
    {
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(60);
        return new ValueTask(WriteTooManyRequestsAsync(rejected.HttpContext, retryAfter));
    }

    public static Task WriteTooManyRequestsAsync(HttpContext context, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        // Browsers: the empty 429 is turned into the German error page by the status code pages.
        if (!context.Request.Path.StartsWithSegments("/api")) return Task.CompletedTask;
        return Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, Problems.TitleFor(429),
            $"Zu viele Anfragen in kurzer Zeit. Bitte in {seconds} Sekunden erneut versuchen.");
    }
}
