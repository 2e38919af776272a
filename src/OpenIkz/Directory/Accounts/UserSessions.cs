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

    /// <summary>True while the session exists, belongs to the user and has not expired.</summary>
    public async Task<bool> IsValidAsync(string? sessionId, long userId, CancellationToken ct = default) =>
        !string.IsNullOrEmpty(sessionId) && await db.QuerySingleAsync<int>(
            "SELECT COUNT(*) FROM user_sessions WHERE id_hash = @Hash AND user_id = @UserId AND expires_at > @Now",
            new { Hash = AccessTokens.Hash(sessionId), UserId = userId, Now = clock.GetUtcNow().UtcDateTime }, ct) == 1;

    /// <summary>Pushes the expiry forward when the cookie is renewed (sliding expiry).</summary>
    public Task ExtendAsync(string sessionId, CancellationToken ct = default) =>
        db.ExecuteAsync("UPDATE user_sessions SET expires_at = @Expires WHERE id_hash = @Hash",
            new { Hash = AccessTokens.Hash(sessionId), Expires = clock.GetUtcNow().UtcDateTime + Lifetime }, ct);

    public Task EndAsync(string? sessionId, CancellationToken ct = default) =>
        string.IsNullOrEmpty(sessionId) ? Task.CompletedTask
            : db.ExecuteAsync("DELETE FROM user_sessions WHERE id_hash = @Hash", new { Hash = AccessTokens.Hash(sessionId) }, ct);
}
