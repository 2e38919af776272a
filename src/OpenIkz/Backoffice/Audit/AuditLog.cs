using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using OpenIkz.Backoffice.Access;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backoffice.Audit;

public sealed record AuditEntry(string Action, string? OwnerAgs, long? AgreementId, string? CaseId, string? Detail = null);

public sealed record AuditVerification(bool Valid, long Entries, long? FirstBrokenSeq = null, string? Problem = null);

/// <summary>
/// The tamper-evident audit log: every entry carries the SHA-256 of its content and of the entry
/// before it. Appends are ordered by the single row of audit_head, which each append updates in the
/// same transaction as the change it records. Changing, deleting or reordering a row breaks the chain.
/// </summary>
public sealed class AuditLog(TimeProvider clock)
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    public async Task AppendAsync(DbConnection c, DbTransaction tx, Actor actor, AuditEntry entry)
    {
        // Locks the head row (PostgreSQL row lock; on SQLite the write transaction is already exclusive).
        var head = await c.QuerySingleAsync<(long Seq, string Hash)>("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash", transaction: tx);
        var at = Truncate(clock.GetUtcNow().UtcDateTime);
        var row = new Row
        {
            Seq = head.Seq, At = at, ActorUserId = actor.UserId, ActorClientId = actor.ClientId, ActorName = actor.Name, ActorAgs = actor.Ags,
            OwnerAgs = entry.OwnerAgs, AgreementId = entry.AgreementId, CaseId = entry.CaseId, Action = entry.Action, Detail = entry.Detail,
            PrevHash = head.Hash,
        };
        row.Hash = Hash(row);
        await c.ExecuteAsync("""
            INSERT INTO audit_log (seq, at, actor_user_id, actor_client_id, actor_name, actor_ags, owner_ags, agreement_id, case_id, action, detail, prev_hash, hash)
            VALUES (@Seq, @At, @ActorUserId, @ActorClientId, @ActorName, @ActorAgs, @OwnerAgs, @AgreementId, @CaseId, @Action, @Detail, @PrevHash, @Hash)
            """, row, tx);
        await c.ExecuteAsync("UPDATE audit_head SET hash = @Hash WHERE id = 1", new { row.Hash }, tx);
    }

    /// <summary>Recomputes the chain from the first entry and compares it with the head.</summary>
    public static async Task<AuditVerification> VerifyAsync(Db db, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var head = await c.QuerySingleAsync<(long Seq, string Hash)>("SELECT seq, hash FROM audit_head WHERE id = 1");
        var previous = Genesis;
        long expectedSeq = 1, count = 0;
        // Streamed: the log may hold millions of entries.
        var rows = c.QueryUnbufferedAsync<Row>("""
            SELECT seq, at, actor_user_id AS ActorUserId, actor_client_id AS ActorClientId, actor_name AS ActorName, actor_ags AS ActorAgs,
                   owner_ags AS OwnerAgs, agreement_id AS AgreementId, case_id AS CaseId, action, detail, prev_hash AS PrevHash, hash
            FROM audit_log ORDER BY seq
            """);
        await foreach (var row in rows.WithCancellation(ct))
        {
            count++;
            if (row.Seq != expectedSeq) return new AuditVerification(false, count, expectedSeq, $"entry {expectedSeq} is missing");
            if (row.PrevHash != previous) return new AuditVerification(false, count, row.Seq, $"entry {row.Seq} does not follow its predecessor");
            if (Hash(row) != row.Hash) return new AuditVerification(false, count, row.Seq, $"entry {row.Seq} was changed");
            previous = row.Hash;
            expectedSeq++;
        }
        if (head.Seq != count || head.Hash != previous)
            return new AuditVerification(false, count, count + 1, "entries after the last one were deleted");
        return new AuditVerification(true, count);
    }

    private static DateTime Truncate(DateTime utc) => new(utc.Ticks - utc.Ticks % 10, DateTimeKind.Utc); // microseconds, as PostgreSQL stores them

    internal static string Hash(Row r)
    {
        var text = string.Join('\u001f',
            r.PrevHash, r.Seq.ToString(CultureInfo.InvariantCulture), r.At.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
            r.ActorUserId?.ToString(CultureInfo.InvariantCulture) ?? "", r.ActorClientId?.ToString(CultureInfo.InvariantCulture) ?? "",
            r.ActorName, r.ActorAgs, r.OwnerAgs ?? "", r.AgreementId?.ToString(CultureInfo.InvariantCulture) ?? "", r.CaseId ?? "", r.Action, r.Detail ?? "");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    internal sealed class Row
    {
        public long Seq { get; set; }
        public DateTime At { get; set; }
        public long? ActorUserId { get; set; }
        public long? ActorClientId { get; set; }
        public string ActorName { get; set; } = "";
        public string ActorAgs { get; set; } = "";
        public string? OwnerAgs { get; set; }
        public long? AgreementId { get; set; }
        public string? CaseId { get; set; }
        public string Action { get; set; } = "";
        public string? Detail { get; set; }
        public string PrevHash { get; set; } = "";
        public string Hash { get; set; } = "";
    }
}
