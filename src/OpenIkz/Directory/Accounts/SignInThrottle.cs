using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using OpenIkz.Infrastructure.Http;

namespace OpenIkz.Directory.Accounts;

/// <summary>
/// The per-user-name half of the sign-in limit (the per-address half is the endpoint policy
/// <see cref="RateLimitPolicies.SignIn"/>): the name is in the request body, which a rate-limiter partition cannot read,
/// so the login form and the token endpoint ask here once they have it. Unknown names are limited like known ones.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    private readonly RateLimitOptions _options;
    private readonly PartitionedRateLimiter<string> _limiter;

    public SignInThrottle(IOptions<RateLimitOptions> options)
    {
        _options = options.Value;
        _limiter = PartitionedRateLimiter.Create<string, string>(name =>
            RateLimitPartition.GetFixedWindowLimiter(name, _ => _options.SignInPerUser.ToOptions()));
    }

    /// <summary>Null when the attempt may go ahead; otherwise how long to wait.</summary>
    public TimeSpan? TryAcquire(string? username)
    {
        if (!_options.Enabled || string.IsNullOrWhiteSpace(username)) return null;
        var key = username.Trim().ToLowerInvariant();
        using var lease = _limiter.AttemptAcquire(key.Length > 64 ? key[..64] : key);
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : _options.SignInPerUser.Window;
    }

    public void Dispose() => _limiter.Dispose();
}
