using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using OpenIkz.Backoffice.Access;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backoffice.Audit;

public sealed record AuditEntry(string Action, string? OwnerAgs, long? AgreementId, string? CaseId, string? Detail = null);

/// <summary>
/// The result of <see cref="AuditLog.VerifyAsync"/>: <see cref="Entries"/> = <see cref="Sealed"/> (in the hash chain) +
/// <see cref="Unsealed"/> (appended, each checked against its own content hash, not yet chained).
/// </summary>
public sealed record AuditVerification(bool Valid, long Entries, long? FirstBrokenSeq = null, string? Problem = null, long Sealed = 0, long Unsealed = 0,
    DateTime? OldestUnsealedAt = null)
{
    /// <summary>Entries waiting longer than this for their seal mean the sealer is not running (or keeps failing): their deletion would go unseen.</summary>
    public static readonly TimeSpan SealOverdue = TimeSpan.FromMinutes(1);

    public bool SealerBehind(DateTime nowUtc) => OldestUnsealedAt is { } oldest && nowUtc - oldest > SealOverdue;
}

/// <summary>
/// The tamper-evident audit log, in two steps so that concurrent appends do not wait for each other:
/// <list type="number">
/// <item><b>Append</b> (<see cref="AppendAsync"/>, in the transaction of the change it records): one INSERT of the entry
/// with the SHA-256 of its content (<c>entry_hash</c>); its number <c>seq</c> comes from a sequence. No shared row is
/// touched: on PostgreSQL every audited read used to queue on the single row of <c>audit_head</c>.</item>
/// <item><b>Seal</b> (<see cref="SealAsync"/>, run by <see cref="AuditSealer"/> on one instance at a time): the
/// committed unsealed entries, in <c>seq</c> order, get the next chain positions (<c>chain_pos</c>), the hash of the
/// entry before them (<c>prev_hash</c>) and their chained hash SHA-256(prev_hash, chain_pos, seq, entry_hash);
/// <c>audit_head</c> moves to the last one. The chain order is the sealing order: on PostgreSQL an entry with a lower
/// number may commit after a higher one and is then chained after it.</item>
/// </list>
/// Changing a sealed entry breaks its entry hash, changing its entry hash too breaks the chain, deleting or reordering
/// sealed entries breaks the chain or the head. An unsealed entry is protected by its entry hash only: a change is
/// detected, a deletion before it is sealed (within about a second while the sealer runs) is not. Entries written
/// before migration 0026 are chained in sequence order with the earlier hash, which covers their content
/// (<see cref="LegacyHash"/>; <c>entry_hash</c> NULL).
/// </summary>
public sealed class AuditLog(TimeProvider clock)
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>How many entries one sealing transaction chains at most.</summary>
    public const int SealBatch = 2000;

    /// <summary>Appends in <paramref name="tx"/> (the transaction of the change it records); without one, the INSERT commits by itself.</summary>
    public Task AppendAsync(DbConnection c, DbTransaction? tx, Actor actor, AuditEntry entry) => c.ExecuteAsync(InsertSql, NewEntry(actor, entry), tx);

    /// <summary>The INSERT of an entry; its parameters are the properties of <see cref="NewEntry"/>'s row (for a caller that sends it together with its own statement).</summary>
    internal const string InsertSql = """
        INSERT INTO audit_log (at, actor_user_id, actor_client_id, actor_name, actor_ags, owner_ags, agreement_id, case_id, action, detail, entry_hash)
        VALUES (@At, @ActorUserId, @ActorClientId, @ActorName, @ActorAgs, @OwnerAgs, @AgreementId, @CaseId, @Action, @Detail, @EntryHash)
        """;

    /// <summary>An entry as appended now, with its entry hash.</summary>
    internal Row NewEntry(Actor actor, AuditEntry entry)
    {
        var row = new Row
        {
            At = Truncate(clock.GetUtcNow().UtcDateTime), ActorUserId = actor.UserId, ActorClientId = actor.ClientId, ActorName = actor.Name, ActorAgs = actor.Ags,
            OwnerAgs = entry.OwnerAgs, AgreementId = entry.AgreementId, CaseId = entry.CaseId, Action = entry.Action, Detail = entry.Detail,
        };
        row.EntryHash = EntryHash(row);
        return row;
    }

    /// <summary>
    /// Chains up to <paramref name="batch"/> committed unsealed entries in one transaction and returns how many. The head
    /// row is locked for it (PostgreSQL: FOR UPDATE; SQLite: the write transaction), so two sealers never chain at once
    /// even without <see cref="AuditSealer"/>'s lock. The sealer chains the stored entry hash: a content changed before
    /// sealing stays detectable by <see cref="VerifyAsync"/>.
    /// </summary>
    public static Task<int> SealAsync(Db db, int batch = SealBatch, CancellationToken ct = default) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var head = await c.QuerySingleAsync<(long Seq, string Hash)>(new CommandDefinition(
                "SELECT seq, hash FROM audit_head h WHERE id = 1" + db.ForUpdate("h"), transaction: tx, cancellationToken: ct));
            var pending = (await c.QueryAsync<(long Seq, string? EntryHash)>(new CommandDefinition(
                "SELECT seq, entry_hash FROM audit_log WHERE chain_pos IS NULL ORDER BY seq LIMIT @Batch", new { Batch = batch }, tx, cancellationToken: ct))).AsList();
            if (pending.Count == 0) return 0;
            var seqs = new long[pending.Count];
            var positions = new long[pending.Count];
            var previous = new string[pending.Count];
            var hashes = new string[pending.Count];
            var (pos, prev) = (head.Seq, head.Hash);
            for (var i = 0; i < pending.Count; i++)
            {
                pos++;
                seqs[i] = pending[i].Seq;
                positions[i] = pos;
                previous[i] = prev;
                prev = hashes[i] = ChainHash(prev, pos, pending[i].Seq, pending[i].EntryHash ?? "");
            }
            if (db.Kind == DatabaseKind.Postgres)
                await c.ExecuteAsync(new CommandDefinition("""
                    UPDATE audit_log a SET chain_pos = v.pos, prev_hash = v.prev, hash = v.hash
                    FROM unnest(@Seqs, @Positions, @Previous, @Hashes) AS v(seq, pos, prev, hash) WHERE a.seq = v.seq
                    """, new { Seqs = seqs, Positions = positions, Previous = previous, Hashes = hashes }, tx, cancellationToken: ct));
            else
                for (var i = 0; i < pending.Count; i++)
                    await c.ExecuteAsync(new CommandDefinition("UPDATE audit_log SET chain_pos = @Pos, prev_hash = @Prev, hash = @Hash WHERE seq = @Seq",
                        new { Pos = positions[i], Prev = previous[i], Hash = hashes[i], Seq = seqs[i] }, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition("UPDATE audit_head SET seq = @Seq, hash = @Hash WHERE id = 1", new { Seq = pos, Hash = prev }, tx, cancellationToken: ct));
            return pending.Count;
        }, ct);

    /// <summary>Seals until nothing is left; returns how many entries it chained.</summary>
    public static async Task<long> SealAllAsync(Db db, CancellationToken ct = default)
    {
        long total = 0;
        int n;
        do total += n = await SealAsync(db, SealBatch, ct); while (n == SealBatch);
        return total;
    }

    /// <summary>
    /// Recomputes the chain from its first entry and compares it with the head, then checks every unsealed entry
    /// against its entry hash. Reads only; both passes are streamed (the log may hold millions of entries).
    /// </summary>
    public static async Task<AuditVerification> VerifyAsync(Db db, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        // One snapshot for the head and both passes: a sealer committing in between would otherwise move entries from
        // the second pass's view into the first's. SQLite: a read transaction; PostgreSQL: REPEATABLE READ.
        await using var tx = await Db.BeginSnapshotAsync(c, ct);
        var head = await c.QuerySingleAsync<(long Seq, string Hash)>(new CommandDefinition("SELECT seq, hash FROM audit_head WHERE id = 1", transaction: tx, cancellationToken: ct));
        var previous = Genesis;
        long expectedPos = 1, chained = 0;
        const string columns = """
            seq, at, actor_user_id AS ActorUserId, actor_client_id AS ActorClientId, actor_name AS ActorName, actor_ags AS ActorAgs,
            owner_ags AS OwnerAgs, agreement_id AS AgreementId, case_id AS CaseId, action, detail, prev_hash AS PrevHash, hash,
            entry_hash AS EntryHash, chain_pos AS ChainPos
            """;
        await foreach (var row in c.QueryUnbufferedAsync<Row>($"SELECT {columns} FROM audit_log WHERE chain_pos IS NOT NULL ORDER BY chain_pos", transaction: tx).WithCancellation(ct))
        {
            chained++;
            var pos = row.ChainPos!.Value;
            if (pos != expectedPos) return new AuditVerification(false, chained, row.Seq, $"the sealed entry at position {expectedPos} (before entry {row.Seq}) is missing");
            if (row.PrevHash != previous) return new AuditVerification(false, chained, row.Seq, $"entry {row.Seq} does not follow its predecessor");
            if (row.EntryHash is null)
            {
                // Written before 0026: chained in sequence order, the hash covers the content.
                if (row.Seq != pos || LegacyHash(row) != row.Hash) return new AuditVerification(false, chained, row.Seq, $"entry {row.Seq} was changed");
            }
            else
            {
                if (EntryHash(row) != row.EntryHash) return new AuditVerification(false, chained, row.Seq, $"entry {row.Seq} was changed");
                if (ChainHash(previous, pos, row.Seq, row.EntryHash) != row.Hash) return new AuditVerification(false, chained, row.Seq, $"the seal of entry {row.Seq} was changed");
            }
            previous = row.Hash!;
            expectedPos++;
        }
        if (head.Seq != chained || head.Hash != previous)
            return new AuditVerification(false, chained, null, head.Seq > chained ? "sealed entries after the last one were deleted" : "the head of the chain was changed", chained);

        long unsealed = 0;
        DateTime? oldest = null;
        await foreach (var row in c.QueryUnbufferedAsync<Row>($"SELECT {columns} FROM audit_log WHERE chain_pos IS NULL ORDER BY seq", transaction: tx).WithCancellation(ct))
        {
            unsealed++;
            if (oldest is null || row.At < oldest) oldest = row.At;
            if (row.PrevHash is not null || row.Hash is not null) return new AuditVerification(false, chained + unsealed, row.Seq, $"entry {row.Seq} was taken out of the chain", chained, unsealed);
            if (row.EntryHash is null || EntryHash(row) != row.EntryHash) return new AuditVerification(false, chained + unsealed, row.Seq, $"entry {row.Seq} was changed", chained, unsealed);
        }
        return new AuditVerification(true, chained + unsealed, Sealed: chained, Unsealed: unsealed, OldestUnsealedAt: oldest);
    }


    private static DateTime Truncate(DateTime utc) => new(utc.Ticks - utc.Ticks % 10, DateTimeKind.Utc); // microseconds, as PostgreSQL stores them

    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string Nullable(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static string Timestamp(DateTime at) => at.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);

    /// <summary>An entry's content fields, as both hashes cover them.</summary>
    private static string Content(Row r) => string.Join('\u001f', Timestamp(r.At), Nullable(r.ActorUserId), Nullable(r.ActorClientId),
        r.ActorName, r.ActorAgs, r.OwnerAgs ?? "", Nullable(r.AgreementId), r.CaseId ?? "", r.Action, r.Detail ?? "");

    /// <summary>The hash of an entry's content (not its number: that is known only after the INSERT, and the seal covers it).</summary>
    internal static string EntryHash(Row r) => Sha256Hex("openikz-audit-entry-v2\u001f" + Content(r));

    /// <summary>The seal of an entry: the chain before it, its position, its number and its entry hash.</summary>
    internal static string ChainHash(string previous, long position, long seq, string entryHash) => Sha256Hex(string.Join('\u001f',
        "openikz-audit-seal-v2", previous, position.ToString(CultureInfo.InvariantCulture), seq.ToString(CultureInfo.InvariantCulture), entryHash));

    /// <summary>The hash of entries written before migration 0026 (content and chain in one).</summary>
    internal static string LegacyHash(Row r) => Sha256Hex(string.Join('\u001f', r.PrevHash, r.Seq.ToString(CultureInfo.InvariantCulture), Content(r)));

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
        public string? PrevHash { get; set; }
        public string? Hash { get; set; }
        public string? EntryHash { get; set; }
        public long? ChainPos { get; set; }
    }
}
