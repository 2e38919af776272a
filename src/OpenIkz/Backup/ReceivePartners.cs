using System.Security.Cryptography;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backup;

/// <summary>A partner whose backups this instance holds (receiver mode), as the command line lists it.</summary>
public sealed class ReceivePartner
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public DateTime CreatedAt { get; init; }
    public DateTime? RevokedAt { get; init; }
}

/// <summary>
/// The partners of the receiver (<c>backup_receive_partners</c>) and their tokens: <c>oikzb_</c> and 32 random bytes
/// (base64url), shown once; only the SHA-256 is stored, as with the API clients' secrets (<see cref="AccessTokens.Hash"/>).
/// </summary>
public sealed class ReceivePartners(Db db, TimeProvider clock)
{
    public const string TokenPrefix = "oikzb_";

    /// <summary>Creates a partner and returns its token (shown once).</summary>
    public async Task<string> CreateAsync(string? name, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        if (!BackupNames.IsValid(name)) errors.Add("name", "Der Name besteht aus Kleinbuchstaben a–z, Ziffern und '-' (höchstens 100 Zeichen, nicht mit '-' am Anfang).");
        else if (await db.QuerySingleAsync<int>("SELECT COUNT(*) FROM backup_receive_partners WHERE name = @Name", new { Name = name }, ct) > 0)
            errors.Add("name", $"Den Sicherungspartner '{name}' gibt es schon (ein neues Token gibt es nach 'revoke' unter einem neuen Namen).");
        if (errors.Count > 0) throw new ValidationException(errors);
        var token = TokenPrefix + System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        await db.ExecuteAsync("INSERT INTO backup_receive_partners (name, token_hash, created_at) VALUES (@Name, @Hash, @Now)",
            new { Name = name, Hash = AccessTokens.Hash(token), Now = clock.GetUtcNow().UtcDateTime }, ct);
        return token;
    }

    public async Task<IReadOnlyList<ReceivePartner>> ListAsync(CancellationToken ct = default) =>
        await db.QueryAsync<ReceivePartner>("SELECT id, name, created_at AS CreatedAt, revoked_at AS RevokedAt FROM backup_receive_partners ORDER BY name", null, ct);

    /// <summary>Refuses the partner's token from the next request on; its stored backups stay. False when there is no active partner of that name.</summary>
    public async Task<bool> RevokeAsync(string name, CancellationToken ct = default) =>
        await db.ExecuteAsync("UPDATE backup_receive_partners SET revoked_at = @Now WHERE name = @Name AND revoked_at IS NULL",
            new { Name = name, Now = clock.GetUtcNow().UtcDateTime }, ct) == 1;

    /// <summary>The name of the active partner holding this token, or null (looked up by the token's hash).</summary>
    public async Task<string?> FindAsync(string token, CancellationToken ct = default) =>
        !token.StartsWith(TokenPrefix, StringComparison.Ordinal) ? null
            : await db.QuerySingleOrDefaultAsync<string>("SELECT name FROM backup_receive_partners WHERE token_hash = @Hash AND revoked_at IS NULL",
                new { Hash = AccessTokens.Hash(token) }, ct);
}
