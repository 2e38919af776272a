using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Options;
using OpenIkz.Infrastructure;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Directory.Accounts;

public sealed record IssuedToken(string Token, DateTime ExpiresAt);

/// <summary>
/// Opaque bearer tokens for users (POST /api/v1/auth/token) and secrets of API clients. Only the
/// SHA-256 of a token is stored: the tokens carry 256 random bits, so a fast hash is enough and a
/// stolen database yields no usable token.
/// </summary>
public sealed class AccessTokens(Db db, TimeProvider clock, IOptions<OpenIkzOptions> options)
{
    public const string UserTokenPrefix = "oikzu_";
    public const string ClientSecretPrefix = "oikzc_";

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string NewSecret(string prefix) => prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async Task<IssuedToken> IssueAsync(long userId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var token = NewSecret(UserTokenPrefix);
        var expires = now + options.Value.TokenLifetime;
        await db.InTransactionAsync(async (c, tx) =>
        {
            // Expired tokens are removed as new ones are issued, so the table does not grow without bound.
            await c.ExecuteAsync("DELETE FROM access_tokens WHERE expires_at <= @Now", new { Now = now }, tx);
            await c.ExecuteAsync("INSERT INTO access_tokens (token_hash, user_id, created_at, expires_at) VALUES (@Hash, @UserId, @Now, @Expires)",
                new { Hash = Hash(token), UserId = userId, Now = now, Expires = expires }, tx);
        }, ct);
        return new IssuedToken(token, expires);
    }

    /// <summary>The user of a valid, unexpired token whose account is active; otherwise null.</summary>
    /// <summary>
    /// The user of a valid token with what can change without a new security stamp (the pending steps), in one query:
    /// null for an unknown, expired or revoked token and for an inactive user.
    /// </summary>
    public async Task<TokenUser?> FindUserAsync(string token, CancellationToken ct = default) =>
        await db.QuerySingleOrDefaultAsync<TokenUser>("""
            SELECT t.user_id AS UserId, u.security_stamp AS SecurityStamp, u.password_must_change AS PasswordMustChange, u.totp_enabled AS TotpEnabled
            FROM access_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = @Hash AND t.expires_at > @Now AND u.is_active = @Active
            """, new { Hash = Hash(token), Now = clock.GetUtcNow().UtcDateTime, Active = true }, ct);

    public sealed class TokenUser
    {
        public long UserId { get; init; }
        public string SecurityStamp { get; init; } = "";
        public bool PasswordMustChange { get; init; }
        public bool TotpEnabled { get; init; }
    }

    /// <summary>Revokes the given user token (DELETE /api/v1/auth/token). Returns false when it was not there.</summary>
    public async Task<bool> RevokeAsync(string token, CancellationToken ct = default) =>
        await db.ExecuteAsync("DELETE FROM access_tokens WHERE token_hash = @Hash", new { Hash = Hash(token) }, ct) == 1;

    public sealed record ApiClient(long Id, string MunicipalityAgs, string Name, string Scope);

    public sealed class ApiClientListing
    {
        public long Id { get; init; }
        public string MunicipalityAgs { get; init; } = "";
        public string Name { get; init; } = "";
        public string Scope { get; init; } = "";
        public DateTime CreatedAt { get; init; }
        public DateTime? RevokedAt { get; init; }
    }

    public async Task<IReadOnlyList<ApiClientListing>> ListClientsAsync(CancellationToken ct = default) =>
        await db.QueryAsync<ApiClientListing>(
            "SELECT id, municipality_ags AS MunicipalityAgs, name, scope, created_at AS CreatedAt, revoked_at AS RevokedAt FROM api_clients ORDER BY id", null, ct);

    /// <summary>Revokes an API client: its secret is refused from the next request on. Returns false when there is no such client or it was revoked already.</summary>
    public async Task<bool> RevokeClientAsync(long id, CancellationToken ct = default) =>
        await db.ExecuteAsync("UPDATE api_clients SET revoked_at = @Now WHERE id = @Id AND revoked_at IS NULL",
            new { Id = id, Now = clock.GetUtcNow().UtcDateTime }, ct) == 1;

    public static readonly string[] ClientScopes = ["intake"];

    /// <summary>Creates an API client and returns its secret. The secret is shown once; only its hash is kept.</summary>
    public async Task<(long Id, string Secret)> CreateClientAsync(string municipalityAgs, string scope, string? name, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        if (!ClientScopes.Contains(scope)) errors.Add("scope", $"Den Geltungsbereich '{scope}' gibt es nicht (erlaubt: {string.Join(", ", ClientScopes)}).");
        if (await db.QuerySingleAsync<int>("SELECT COUNT(*) FROM municipalities WHERE ags = @Ags", new { Ags = municipalityAgs }, ct) == 0)
            errors.Add("municipality", $"Die Kommune '{municipalityAgs}' gibt es nicht.");
        if (errors.Count > 0) throw new ValidationException(errors);
        var secret = NewSecret(ClientSecretPrefix);
        var id = await db.QuerySingleAsync<long>("""
            INSERT INTO api_clients (municipality_ags, name, scope, secret_hash, created_at) VALUES (@Ags, @Name, @Scope, @Hash, @Now) RETURNING id
            """, new { Ags = municipalityAgs, Name = string.IsNullOrWhiteSpace(name) ? $"{scope}-{municipalityAgs}" : name.Trim(), Scope = scope, Hash = Hash(secret), Now = clock.GetUtcNow().UtcDateTime }, ct);
        return (id, secret);
    }

    public async Task<ApiClient?> FindClientAsync(string secret, CancellationToken ct = default) =>
        await db.QuerySingleOrDefaultAsync<ApiClient>(
            "SELECT id, municipality_ags AS MunicipalityAgs, name, scope FROM api_clients WHERE secret_hash = @Hash AND revoked_at IS NULL",
            new { Hash = Hash(secret) }, ct);
}
