using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Hosting;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Common;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Backoffice;

/// <summary>
/// The audit log in two steps: appends are unsealed (their own content hash only, no shared row), one sealer chains
/// them. Verification covers both states; tampering with a sealed entry (its content, its hashes, its position, its
/// deletion, the head) and with the content of an unsealed one is detected. Entries written before migration 0026 stay
/// verifiable. Concurrent appends with racing sealers give one contiguous valid chain. On SQLite and PostgreSQL, each
/// test on a database of its own with no app running (so nothing seals behind the test's back).
/// </summary>
public abstract class AuditSealingTests(TestDatabase kind) : OwnDatabaseTest(kind, "audit-seal")
{
    private static readonly Actor Clerk = new(7, null, "ludwigshafen.sachbearbeitung", "Lena", "07314000", false, []);

    private async Task<Db> MigratedAsync(Func<Migration, bool>? upTo = null)
    {
        RequireDatabase();
        var db = OpenDatabase();
        var all = MigrationRunner.Embedded(db.Kind);
        await new MigrationRunner(db).MigrateAsync(upTo is null ? all : all.Where(upTo).ToList());
        return db;
    }

    private static Task AppendAsync(Db db, int n, string action = "case.read") =>
        db.InTransactionAsync(async (c, tx) =>
        {
            var log = new AuditLog(TimeProvider.System);
            for (var i = 0; i < n; i++) await log.AppendAsync(c, tx, Clerk, new AuditEntry(action, "07311000", 1, $"case-{i}", $"detail {i}"));
        });

    [SkippableFact]
    public async Task Appends_AreUnsealed_UntilTheSealerChainsThem_AndVerificationCoversBothStates()
    {
        using var db = await MigratedAsync();
        await AppendAsync(db, 5);
        var before = await AuditLog.VerifyAsync(db);
        Assert.True(before.Valid, before.Problem);
        Assert.Equal((5L, 0L, 5L), (before.Entries, before.Sealed, before.Unsealed));
        Assert.Equal(0, await db.QuerySingleAsync<long>("SELECT seq FROM audit_head WHERE id = 1")); // an append does not touch the head

        Assert.Equal(5, await AuditLog.SealAllAsync(db));
        await AppendAsync(db, 3);
        var after = await AuditLog.VerifyAsync(db);
        Assert.True(after.Valid, after.Problem);
        Assert.Equal((8L, 5L, 3L), (after.Entries, after.Sealed, after.Unsealed));
        Assert.Equal(3, await AuditLog.SealAllAsync(db));
        Assert.Equal(0, await AuditLog.SealAllAsync(db));
        var positions = (await db.QueryAsync<long>("SELECT chain_pos FROM audit_log ORDER BY chain_pos")).ToList();
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), positions);
        var head = await db.QuerySingleAsync<(long Seq, string Hash)>("SELECT seq, hash FROM audit_head WHERE id = 1");
        Assert.Equal(8, head.Seq);
        Assert.Equal(head.Hash, await db.QuerySingleAsync<string>("SELECT hash FROM audit_log WHERE chain_pos = 8"));
    }

    [SkippableFact]
    public async Task AChangedUnsealedEntry_IsDetected_AndSealingDoesNotLaunderIt()
    {
        using var db = await MigratedAsync();
        await AppendAsync(db, 3);
        var second = await db.QuerySingleAsync<long>("SELECT seq FROM audit_log ORDER BY seq LIMIT 1 OFFSET 1");
        await db.ExecuteAsync("UPDATE audit_log SET owner_ags = '07318000' WHERE seq = @Seq", new { Seq = second });
        var unsealed = await AuditLog.VerifyAsync(db);
        Assert.False(unsealed.Valid);
        Assert.Equal(second, unsealed.FirstBrokenSeq);

        // The sealer chains the stored entry hash, not one recomputed from the changed content.
        await AuditLog.SealAllAsync(db);
        var sealedResult = await AuditLog.VerifyAsync(db);
        Assert.False(sealedResult.Valid);
        Assert.Equal(second, sealedResult.FirstBrokenSeq);
    }

    public static TheoryData<string> Tamperings() => new()
    {
        "content", "content-and-entry-hash", "delete-middle", "delete-newest", "swap-positions", "out-of-chain", "head",
    };

    [SkippableTheory]
    [MemberData(nameof(Tamperings))]
    public async Task TamperingWithSealedEntries_IsDetected(string tampering)
    {
        using var db = await MigratedAsync();
        await AppendAsync(db, 6);
        await AuditLog.SealAllAsync(db);
        Assert.True((await AuditLog.VerifyAsync(db)).Valid);
        var third = await db.QuerySingleAsync<long>("SELECT seq FROM audit_log WHERE chain_pos = 3");
        switch (tampering)
        {
            case "content":
                await db.ExecuteAsync("UPDATE audit_log SET detail = 'nothing to see' WHERE seq = @Seq", new { Seq = third });
                break;
            case "content-and-entry-hash":
            {
                // Someone who knows the entry hash's formula recomputes it: the seal over it no longer fits.
                await db.ExecuteAsync("UPDATE audit_log SET detail = 'nothing to see' WHERE seq = @Seq", new { Seq = third });
                var row = await db.QuerySingleAsync<AuditLog.Row>("""
                    SELECT seq, at, actor_user_id AS ActorUserId, actor_client_id AS ActorClientId, actor_name AS ActorName, actor_ags AS ActorAgs,
                           owner_ags AS OwnerAgs, agreement_id AS AgreementId, case_id AS CaseId, action, detail FROM audit_log WHERE seq = @Seq
                    """, new { Seq = third });
                await db.ExecuteAsync("UPDATE audit_log SET entry_hash = @Hash WHERE seq = @Seq", new { Hash = AuditLog.EntryHash(row), Seq = third });
                break;
            }
            case "delete-middle":
                await db.ExecuteAsync("DELETE FROM audit_log WHERE seq = @Seq", new { Seq = third });
                break;
            case "delete-newest":
                await db.ExecuteAsync("DELETE FROM audit_log WHERE chain_pos = 6");
                break;
            case "swap-positions":
                await db.InTransactionAsync(async (c, tx) =>
                {
                    var fourth = await c.QuerySingleAsync<long>("SELECT seq FROM audit_log WHERE chain_pos = 4", transaction: tx);
                    await c.ExecuteAsync("UPDATE audit_log SET chain_pos = -1 WHERE seq = @Seq", new { Seq = third }, tx);
                    await c.ExecuteAsync("UPDATE audit_log SET chain_pos = 3 WHERE seq = @Seq", new { Seq = fourth }, tx);
                    await c.ExecuteAsync("UPDATE audit_log SET chain_pos = 4 WHERE seq = @Seq", new { Seq = third }, tx);
                });
                break;
            case "out-of-chain":
                // The newest sealed entry made to look unsealed again, with the head moved back to its predecessor.
                await db.InTransactionAsync(async (c, tx) =>
                {
                    var fifth = await c.QuerySingleAsync<string>("SELECT hash FROM audit_log WHERE chain_pos = 5", transaction: tx);
                    await c.ExecuteAsync("UPDATE audit_log SET chain_pos = NULL WHERE chain_pos = 6", transaction: tx);
                    await c.ExecuteAsync("UPDATE audit_head SET seq = 5, hash = @Hash WHERE id = 1", new { Hash = fifth }, tx);
                });
                break;
            case "head":
                await db.ExecuteAsync("UPDATE audit_head SET hash = @Hash WHERE id = 1", new { Hash = AuditLog.Genesis });
                break;
        }
        var result = await AuditLog.VerifyAsync(db);
        Assert.False(result.Valid, tampering);
        Assert.NotNull(result.Problem);
        if (tampering == "delete-middle") // the first entry after the gap is named
            Assert.Equal(await db.QuerySingleAsync<long>("SELECT seq FROM audit_log WHERE chain_pos = 4"), result.FirstBrokenSeq);
    }

    [SkippableFact]
    public async Task AnEntryWrittenTheOldWay_IsRefused_AndTheChainStaysWhole()
    {
        // As an instance of the version before 0026 would append: number from the head, hash in the row, no entry hash.
        using var db = await MigratedAsync();
        await AppendAsync(db, 2);
        await AuditLog.SealAllAsync(db);
        var refused = await Record.ExceptionAsync(() => db.InTransactionAsync(async (c, tx) =>
        {
            var head = await c.QuerySingleAsync<(long Seq, string Hash)>("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash", transaction: tx);
            await c.ExecuteAsync("""
                INSERT INTO audit_log (seq, at, actor_name, actor_ags, action, prev_hash, hash) VALUES (@Seq, @At, 'alt', '07314000', 'case.read', @Prev, 'x')
                """, new { head.Seq, At = DateTime.UtcNow, Prev = head.Hash }, tx);
        }));
        Assert.NotNull(refused);
        Assert.Contains("entry_hash", refused.Message);
        var result = await AuditLog.VerifyAsync(db);
        Assert.True(result.Valid, result.Problem);
        Assert.Equal((2L, 0L), (result.Sealed, result.Unsealed));
    }

    [SkippableFact]
    public async Task AnUnsealedEntryOlderThanAMinute_IsReportedAsTheSealerBeingBehind()
    {
        using var db = await MigratedAsync();
        await AppendAsync(db, 1);
        var fresh = await AuditLog.VerifyAsync(db);
        Assert.False(fresh.SealerBehind(DateTime.UtcNow));
        Assert.True(fresh.SealerBehind(DateTime.UtcNow.AddMinutes(2)));
        await AuditLog.SealAllAsync(db);
        var sealedNow = await AuditLog.VerifyAsync(db);
        Assert.Null(sealedNow.OldestUnsealedAt);
        Assert.False(sealedNow.SealerBehind(DateTime.UtcNow.AddMinutes(2)));
    }

    [SkippableFact]
    public async Task AnEntryDeletedBeforeItWasSealed_IsNotDetected_TheDocumentedWindow()
    {
        // docs/OPERATIONS.md says so: until its seal (about a second), an entry is protected against change only.
        using var db = await MigratedAsync();
        await AppendAsync(db, 3);
        await AuditLog.SealAllAsync(db);
        await AppendAsync(db, 2);
        await db.ExecuteAsync("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)");
        var result = await AuditLog.VerifyAsync(db);
        Assert.True(result.Valid, result.Problem);
        Assert.Equal((3L, 1L), (result.Sealed, result.Unsealed));
    }

    [SkippableFact]
    public async Task ConcurrentAppends_WithSealersRacing_GiveOneContiguousValidChain()
    {
        using var db = await MigratedAsync();
        const int writers = 8, perWriter = 40;
        using var stop = new CancellationTokenSource();
        var sealers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested) await AuditLog.SealAsync(db, 7);
        })).ToList();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i++) await AppendAsync(db, 1, $"writer-{w}");
        })));
        await stop.CancelAsync();
        await Task.WhenAll(sealers);
        await AuditLog.SealAllAsync(db);

        var result = await AuditLog.VerifyAsync(db);
        Assert.True(result.Valid, result.Problem);
        Assert.Equal((writers * perWriter, 0L), (result.Sealed, result.Unsealed));
        var stats = await db.QuerySingleAsync<(long Rows, long Distinct, long Min, long Max)>(
            "SELECT COUNT(*), COUNT(DISTINCT chain_pos), MIN(chain_pos), MAX(chain_pos) FROM audit_log");
        Assert.Equal((writers * perWriter, writers * perWriter, 1L, writers * perWriter), stats);
    }

    [SkippableFact]
    public async Task EntriesWrittenBeforeMigration0026_StayVerifiable_AndAChangeToThemIsDetected()
    {
        using var db = await MigratedAsync(m => m.Version < 26);
        // Three entries as the earlier append wrote them: hash over predecessor, number and content; head updated.
        var previous = AuditLog.Genesis;
        var at = new DateTime(2026, 11, 30, 8, 15, 0, DateTimeKind.Utc);
        for (var seq = 1; seq <= 3; seq++)
        {
            var row = new AuditLog.Row
            {
                Seq = seq, At = at.AddSeconds(seq), ActorUserId = 7, ActorName = Clerk.Name, ActorAgs = Clerk.Ags, OwnerAgs = "07311000", AgreementId = 1,
                CaseId = $"old-{seq}", Action = "case.read", PrevHash = previous,
            };
            row.Hash = AuditLog.LegacyHash(row);
            await db.ExecuteAsync("""
                INSERT INTO audit_log (seq, at, actor_user_id, actor_client_id, actor_name, actor_ags, owner_ags, agreement_id, case_id, action, detail, prev_hash, hash)
                VALUES (@Seq, @At, @ActorUserId, @ActorClientId, @ActorName, @ActorAgs, @OwnerAgs, @AgreementId, @CaseId, @Action, @Detail, @PrevHash, @Hash)
                """, row);
            await db.ExecuteAsync("UPDATE audit_head SET seq = @Seq, hash = @Hash WHERE id = 1", new { row.Seq, row.Hash });
            previous = row.Hash;
        }
        await new MigrationRunner(db).MigrateAsync();

        await AppendAsync(db, 2);
        var mixed = await AuditLog.VerifyAsync(db);
        Assert.True(mixed.Valid, mixed.Problem);
        Assert.Equal((3L, 2L), (mixed.Sealed, mixed.Unsealed));
        await AuditLog.SealAllAsync(db);
        var chained = await AuditLog.VerifyAsync(db);
        Assert.True(chained.Valid, chained.Problem);
        Assert.Equal(5, chained.Sealed);
        // New numbers continue after the old ones; their chain continues after the old chain.
        Assert.Equal([4L, 5L], (await db.QueryAsync<long>("SELECT seq FROM audit_log WHERE entry_hash IS NOT NULL ORDER BY seq")).ToList());
        Assert.Equal(previous, await db.QuerySingleAsync<string>("SELECT prev_hash FROM audit_log WHERE chain_pos = 4"));

        await db.ExecuteAsync("UPDATE audit_log SET case_id = 'other' WHERE seq = 2");
        var broken = await AuditLog.VerifyAsync(db);
        Assert.False(broken.Valid);
        Assert.Equal(2, broken.FirstBrokenSeq);
    }

    [SkippableFact]
    public async Task TheSealerService_SealsOnOneInstanceAtATime_AndAnotherTakesOverWhenItStops()
    {
        using var db = await MigratedAsync();
        var locks = Kind == TestDatabase.Postgres ? null : new OpenIkz.Infrastructure.Jobs.ProcessJobLock();
        OpenIkz.Infrastructure.Jobs.IJobLock LockOfAnInstance() => locks ?? (OpenIkz.Infrastructure.Jobs.IJobLock)new OpenIkz.Infrastructure.Jobs.PostgresJobLock(PostgresConnectionString!);
        var options = new AuditOptions { SealIntervalMilliseconds = 50 };
        var first = new AuditSealer(db, LockOfAnInstance(), options, new StartedLifetime(), NullLogger<AuditSealer>.Instance);
        var second = new AuditSealer(db, LockOfAnInstance(), options, new StartedLifetime(), NullLogger<AuditSealer>.Instance);
        await first.StartAsync(default);
        await AppendAsync(db, 4);
        await WaitUntilSealedAsync(db, 4);

        // The first holds the lock: the second does not get it.
        await second.StartAsync(default);
        Assert.Null(await LockOfAnInstance().TryAcquireAsync(AuditSealer.JobName, default));
        await first.StopAsync(default);
        first.Dispose();
        await AppendAsync(db, 3);
        await WaitUntilSealedAsync(db, 7, TimeSpan.FromSeconds(20)); // the second takes over within its retry interval
        await second.StopAsync(default);
        second.Dispose();
        Assert.True((await AuditLog.VerifyAsync(db)).Valid);
    }

    private static async Task WaitUntilSealedAsync(Db db, long expected, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var head = await db.QuerySingleAsync<long>("SELECT seq FROM audit_head WHERE id = 1");
            if (head == expected) return;
            Assert.True(DateTime.UtcNow < deadline, $"the sealer chained {head} of {expected} entries in time");
            await Task.Delay(50);
        }
    }

    private sealed class StartedLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => new(canceled: true);
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() { }
    }
}

public sealed class AuditSealingTestsSqlite() : AuditSealingTests(TestDatabase.Sqlite);
public sealed class AuditSealingTestsPostgres() : AuditSealingTests(TestDatabase.Postgres);
