using System.Text.Json;
using Dapper;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Common;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backup;

/// <summary>A public key every backup is encrypted to.</summary>
public sealed record BackupRecipient(long Id, string Kind, string? MunicipalityAgs, string Label, string PublicKey, string KeyId, DateTime CreatedAt, DateTime? RevokedAt)
{
    public BackupPublicKey Key => BackupPublicKey.Parse(PublicKey);
}

/// <summary>
/// The recipients of backups: the operator's recovery key, a key per partner municipality and a drill key. Only public
/// keys are stored; <see cref="CreateAsync"/> hands the private key to the caller once (the command line prints it).
/// Every new and every revoked key is recorded in the audit log (<c>backup.key.created</c>, <c>backup.key.revoked</c>):
/// a new recipient can read every later backup of the whole instance.
/// </summary>
public sealed class BackupKeys(Db db, AuditLog audit, TimeProvider clock)
{
    public static readonly string[] Kinds = ["operator", "municipality", "drill"];

    /// <summary>Creates a key pair, stores its public key and returns the private key (to be shown once, never stored here).</summary>
    public async Task<(BackupRecipient Recipient, BackupPrivateKey PrivateKey)> CreateAsync(string kind, string? municipalityAgs, string? label, CancellationToken ct = default) =>
        await CreateAsync(kind, municipalityAgs, label, null, ct);

    /// <summary>As above, recorded as done by <paramref name="actor"/> (default: the operator's command line).</summary>
    public async Task<(BackupRecipient Recipient, BackupPrivateKey PrivateKey)> CreateAsync(string kind, string? municipalityAgs, string? label, Actor? actor, CancellationToken ct = default)
    {
        if (!Kinds.Contains(kind)) throw new BackupException($"Unknown key kind '{kind}' (operator, municipality or drill).");
        string name;
        if (kind == "municipality")
        {
            if (string.IsNullOrWhiteSpace(municipalityAgs)) throw new BackupException("A municipality's key needs --municipality AGS.");
            name = await db.QuerySingleOrDefaultAsync<string>("SELECT name FROM municipalities WHERE ags = @Ags", new { Ags = municipalityAgs.Trim() }, ct)
                ?? throw new BackupException($"There is no municipality with the key '{municipalityAgs}'.");
            municipalityAgs = municipalityAgs.Trim();
        }
        else
        {
            if (municipalityAgs is not null) throw new BackupException("Only a municipality's key names a municipality.");
            name = kind == "operator" ? "Wiederherstellungsschlüssel des Betriebs" : "Schlüssel für Wiederherstellungsübungen";
        }
        var key = BackupPrivateKey.Create();
        var pub = key.PublicKey;
        var now = clock.GetUtcNow().UtcDateTime;
        var text = string.IsNullOrWhiteSpace(label) ? name : label.Trim();
        if (text.Length > 200) throw new BackupException("The label is at most 200 characters long.");
        var id = await db.InTransactionAsync(async (c, tx) =>
        {
            var created = await c.ExecuteScalarAsync<long>("""
                INSERT INTO backup_recipients (kind, municipality_ags, label, public_key, key_id, created_at) VALUES (@Kind, @Ags, @Label, @Key, @KeyId, @Now) RETURNING id
                """, new { Kind = kind, Ags = municipalityAgs, Label = text, Key = pub.Text, KeyId = pub.KeyId, Now = now }, tx);
            await audit.AppendAsync(c, tx, actor ?? BackupRunner.Operator, new AuditEntry("backup.key.created", null, null, null,
                JsonSerializer.Serialize(new { keyId = pub.KeyId, kind, municipality = municipalityAgs })));
            return created;
        }, ct);
        return (new BackupRecipient(id, kind, municipalityAgs, text, pub.Text, pub.KeyId, now, null), key);
    }

    public Task<IReadOnlyList<BackupRecipient>> ListAsync(CancellationToken ct = default) => ListAsync(false, ct);

    /// <summary>The recipients not revoked: every new backup is encrypted to each of them.</summary>
    public Task<IReadOnlyList<BackupRecipient>> ActiveAsync(CancellationToken ct = default) => ListAsync(true, ct);

    private async Task<IReadOnlyList<BackupRecipient>> ListAsync(bool activeOnly, CancellationToken ct) =>
        await db.QueryAsync<BackupRecipient>($"""
            SELECT id, kind, municipality_ags AS MunicipalityAgs, label, public_key AS PublicKey, key_id AS KeyId, created_at AS CreatedAt, revoked_at AS RevokedAt
            FROM backup_recipients {(activeOnly ? "WHERE revoked_at IS NULL" : "")} ORDER BY id
            """, null, ct);

    /// <summary>Revokes a key: later backups are no longer encrypted to it (earlier ones still are; they stay readable with it).</summary>
    public async Task RevokeAsync(string keyId, CancellationToken ct = default, Actor? actor = null)
    {
        var changed = await db.InTransactionAsync(async (c, tx) =>
        {
            var n = await c.ExecuteAsync("UPDATE backup_recipients SET revoked_at = @Now WHERE key_id = @KeyId AND revoked_at IS NULL",
                new { KeyId = keyId.Trim(), Now = clock.GetUtcNow().UtcDateTime }, tx);
            if (n > 0)
                await audit.AppendAsync(c, tx, actor ?? BackupRunner.Operator, new AuditEntry("backup.key.revoked", null, null, null, JsonSerializer.Serialize(new { keyId = keyId.Trim() })));
            return n;
        }, ct);
        if (changed == 0) throw new BackupException($"There is no active backup key {keyId}.");
    }
}
