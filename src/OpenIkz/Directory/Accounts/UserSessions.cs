using System.Security.Cryptography;
using Dapper;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Directory.Accounts;

/// <summary>
/// Server-side sessions of the browser sign-in. The cookie carries a random session id (256 bits) next to the
/// user's claims; only its SHA-256 is stored. Every cookie request checks that the row is still there, so
/// logging out (which deletes the row) ends a session for good: a copy of the cookie taken before is worthless.
/// </summary>
public sealed class UserSessions(Db db, TimeProvider clock)
{
    /// <summary>How long a session lives without being renewed; matches the cookie's sliding expiry.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    public async Task<string> StartAsync(long userId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await db.InTransactionAsync(async (c, tx) =>
        {
            // Expired sessions are removed as new ones start, so the table does not grow without bound.
            await c.ExecuteAsync("DELETE FROM user_sessions WHERE expires_at <= @Now", new { Now = now }, tx);
            await c.ExecuteAsync("INSERT INTO user_sessions (id_hash, user_id, created_at, expires_at) VALUES (@Hash, @UserId, @Now, @Expires)",
                new { Hash = AccessTokens.Hash(id), UserId = userId, Now = now, Expires = now + Lifetime }, tx);
        }, ct);
        return id;
    }

    /// <summary>What a cookie request needs to know of its session's user, in one query: null when the session is gone,
    /// expired or not the user's.</summary>
    public async Task<SessionUser?> FindUserAsync(string? sessionId, long userId, CancellationToken ct = default) =>
        string.IsNullOrEmpty(sessionId) ? null : await db.QuerySingleOrDefaultAsync<SessionUser>("""
            SELECT u.is_active AS IsActive, u.security_stamp AS SecurityStamp, u.password_must_change AS PasswordMustChange, u.totp_enabled AS TotpEnabled
            FROM user_sessions s JOIN users u ON u.id = s.user_id
            WHERE s.id_hash = @Hash AND s.user_id = @UserId AND s.expires_at > @Now
            """, new { Hash = AccessTokens.Hash(sessionId), UserId = userId, Now = clock.GetUtcNow().UtcDateTime }, ct);

    /// <summary>Pushes the expiry forward when the cookie is renewed (sliding expiry).</summary>
    public Task ExtendAsync(string sessionId, CancellationToken ct = default) =>
        db.ExecuteAsync("UPDATE user_sessions SET expires_at = @Expires WHERE id_hash = @Hash",
            new { Hash = AccessTokens.Hash(sessionId), Expires = clock.GetUtcNow().UtcDateTime + Lifetime }, ct);

    public Task EndAsync(string? sessionId, CancellationToken ct = default) =>
        string.IsNullOrEmpty(sessionId) ? Task.CompletedTask
            : db.ExecuteAsync("DELETE FROM user_sessions WHERE id_hash = @Hash", new { Hash = AccessTokens.Hash(sessionId) }, ct);
}

public sealed class SessionUser
{
    public bool IsActive { get; set; }
    public string SecurityStamp { get; set; } = "";
    public bool PasswordMustChange { get; set; }
    public bool TotpEnabled { get; set; }
}
