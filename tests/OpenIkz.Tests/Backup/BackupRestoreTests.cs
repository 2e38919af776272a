using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Backup;
using OpenIkz.Common;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Backup;

/// <summary>
/// A backup of a running instance to a directory target, restored with a partner's key into a fresh instance, on
/// SQLite and PostgreSQL: the same cases, documents and a valid audit chain, and the app starts on it; the backup's
/// bytes hold no applicant name and no document content; a changed byte, a cut-off object and a wrong key are refused
/// and leave the destination empty; a second backup sends only new documents.
/// </summary>
public abstract class BackupRestoreTests(OpenIkzApp fixture) : IAsyncLifetime
{
    private OpenIkzApp App
    {
        get
        {
            var app = fixture.Require();
            app.Settings["OpenIkz:Backup:Targets:0:Name"] = "partner";
            app.Settings["OpenIkz:Backup:Targets:0:Directory"] = SharedTarget;
            return app;
        }
    }

    /// <summary>One target directory per fixture (the host is built once with its configuration).</summary>
    private string SharedTarget => Targets.GetOrAdd(fixture, _ => TestEnvironment.NewTempDirectory("backup-target"));
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<OpenIkzApp, string> Targets = new();

    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => Task.CompletedTask;

    private const string Surname = "Backupprüfling";

    /// <summary>A fresh, empty instance (its host not started yet) to restore into; removed afterwards with its database.</summary>
    private async Task WithEmptyInstanceAsync(Func<OpenIkzApp, Task> use)
    {
        var fresh = fixture.Database == TestDatabase.Sqlite ? (OpenIkzApp)new SqliteApp() : new PostgresApp();
        await fresh.InitializeAsync();
        try { await use(fresh); }
        finally { await ((IAsyncLifetime)fresh).DisposeAsync(); }
    }

    private static RestoreDestination DestinationOf(OpenIkzApp app) =>
        new(app.Database == TestDatabase.Sqlite ? DatabaseKind.Sqlite : DatabaseKind.Postgres, app.DataDirectory, app.PostgresConnectionString);

    private async Task<(BackupPrivateKey Partner, string CaseId)> BackupWithACaseAsync()
    {
        var app = App;
        var keys = app.Services.GetRequiredService<BackupKeys>();
        if ((await keys.ActiveAsync()).Count == 0) await keys.CreateAsync("operator", null, null);
        var (_, partner) = await keys.CreateAsync("municipality", BackofficeFixture.Ludwigshafen, null);
        var portal = await app.PortalAsync(BackofficeFixture.Frankenthal);
        var caseId = await portal.SubmitOkAsync(BackofficeFixture.KfzApplication(familyName: Surname, pdf: BackofficeFixture.Pdf("Fahrzeugbrief Backupprüfling 4711")));
        await app.Services.GetRequiredService<BackupRunner>().RunAsync();
        return (partner, caseId);
    }

    [SkippableFact]
    public async Task ABackup_RestoresIntoAFreshInstance_WithTheSameCasesDocumentsAndAuditChain()
    {
        var app = App;
        var sealedText = app.Services.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>().CreateProtector("backup-test").Protect("geheim");
        var (partner, caseId) = await BackupWithACaseAsync();
        using var _ = partner;
        var cases = await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM cases");
        var documents = await app.Db.QuerySingleAsync<long>("SELECT COUNT(DISTINCT sha256) FROM case_documents");
        var sha = await app.Db.QuerySingleAsync<string>("SELECT sha256 FROM case_documents WHERE case_id = @Id", new { Id = caseId });

        // The storage holder learns nothing: no applicant name, no document text, no hash of a document in the bytes.
        foreach (var file in System.IO.Directory.EnumerateFiles(SharedTarget, "*", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            foreach (var text in new[] { Surname, "Backupprüfling", "Fahrzeugbrief", "Mustermann", sha })
            {
                Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(text)), $"{text} found in {file}");
                Assert.False(Contains(bytes, Encoding.Latin1.GetBytes(text)), $"{text} (Latin-1) found in {file}");
            }
        }

        await WithEmptyInstanceAsync(async fresh =>
        {
        var restored = await app.Services.GetRequiredService<BackupRestorer>().RestoreAsync(new DirectoryBackupTarget("partner", SharedTarget), partner, null, DestinationOf(fresh),
            TestEnvironment.NewTempDirectory("restore-scratch"));
        Assert.True(restored.Documents >= documents);
        Assert.True(restored.AuditEntries > 0);

        // The app starts on it: the case is there, with its document, and the audit chain holds; what the original sealed
        // with its data-protection keys (second-factor secrets) the restored instance opens.
        Assert.Equal(HttpStatusCode.OK, (await fresh.Api().GetAsync("/health")).StatusCode);
        Assert.Equal("geheim", fresh.Services.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>().CreateProtector("backup-test").Unprotect(sealedText));
        Assert.Equal(cases, await fresh.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM cases"));
        Assert.Equal(sha, await fresh.Db.QuerySingleAsync<string>("SELECT sha256 FROM case_documents WHERE case_id = @Id", new { Id = caseId }));
        var path = Path.Combine(fresh.DataDirectory, "documents", sha[..2], sha[2..4], sha);
        Assert.Equal(sha, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))));
        Assert.True((await AuditLog.VerifyAsync(fresh.Db)).Valid);
        });

        // A second backup sends no document again (incremental), and still names every one.
        var second = (await app.Services.GetRequiredService<BackupRunner>().RunAsync()).Single();
        Assert.Equal(0, second.DocumentsSent);
        Assert.True(second.Documents >= documents);
    }

    [SkippableFact]
    public async Task AChangedByte_ACutOffObject_AndAWrongKey_AreRefused_AndLeaveTheDestinationEmpty()
    {
        var app = App;
        var (partner, _) = await BackupWithACaseAsync();
        using var __ = partner;
        var target = new DirectoryBackupTarget("partner", SharedTarget);
        var newest = await target.GetIndexAsync((await target.ListAsync())[^1].Id);
        var restorer = app.Services.GetRequiredService<BackupRestorer>();

        async Task RefusedAsync(BackupPrivateKey key, string expected)
        {
            await WithEmptyInstanceAsync(async fresh =>
            {
            var e = await Assert.ThrowsAsync<BackupException>(() => restorer.RestoreAsync(target, key, newest.Id, DestinationOf(fresh), TestEnvironment.NewTempDirectory("restore-scratch")));
            Assert.Contains(expected, e.Message);
            Assert.False(File.Exists(Path.Combine(fresh.DataDirectory, "openikz.db")));
            Assert.Empty(System.IO.Directory.Exists(Path.Combine(fresh.DataDirectory, "documents")) ? System.IO.Directory.EnumerateFiles(Path.Combine(fresh.DataDirectory, "documents"), "*", SearchOption.AllDirectories) : []);
            if (fresh.PostgresConnectionString is { } cs)
            {
                await using var c = new Npgsql.NpgsqlConnection(cs);
                Assert.Equal(0, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'"));
            }
            });
        }

        using (var stranger = BackupPrivateKey.Create())
            await RefusedAsync(stranger, "not one of the recipients");

        // A changed byte in the database snapshot (past its header), then in the last document.
        var database = Path.Combine(SharedTarget, "objects", newest.Objects[1].Name);
        var original = File.ReadAllBytes(database);
        var changed = (byte[])original.Clone();
        changed[^100] ^= 0x20;
        File.WriteAllBytes(database, changed);
        await RefusedAsync(partner, "The database snapshot was changed or is damaged");
        // Cut off: the last chunk is gone.
        File.WriteAllBytes(database, original[..^(BackupCrypto.ChunkSize / 2)]);
        await RefusedAsync(partner, "The database snapshot");
        File.WriteAllBytes(database, original);

        var document = Path.Combine(SharedTarget, "objects", newest.Objects[^1].Name);
        var doc = File.ReadAllBytes(document);
        File.WriteAllBytes(document, doc[..^1]);
        await RefusedAsync(partner, "The document");
        File.WriteAllBytes(document, doc);
    }

    [SkippableFact]
    public async Task ABackupTakenWhileFiftyClerksClaimAndDecide_HoldsEveryDecisionAcknowledgedBeforeItStarted()
    {
        var app = App;
        var keys = app.Services.GetRequiredService<BackupKeys>();
        var (_, partner) = await keys.CreateAsync("municipality", BackofficeFixture.Ludwigshafen, null);
        using var __ = partner;
        const string owner = OpenIkz.Tests.Backoffice.Agreements.Wernigerode;
        var users = app.Services.GetRequiredService<UserAccounts>();
        var tokens = app.Services.GetRequiredService<AccessTokens>();
        var hash = UserAccounts.HashPassword("ein-langes-Passwort-123");
        var clerks = new List<HttpClient>();
        for (var i = 0; i < 50; i++)
        {
            var id = await users.InsertAsync(new NewUser(owner, $"backup.clerk{i}", $"Clerk {i}", "", [Roles.Sachbearbeitung], ["grundsicherung"]), hash, passwordIsDemo: false);
            var client = app.Api();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await tokens.IssueAsync(id)).Token);
            clerks.Add(client);
        }
        await app.Db.InTransactionAsync(async (c, tx) =>
        {
            var now = DateTime.UtcNow;
            for (var i = 0; i < 2000; i++)
                await c.ExecuteAsync("""
                    INSERT INTO cases (id, reference, owner_ags, service_slug, status, complete, applicant_given_name, applicant_family_name, applicant_birth_date,
                        applicant_street, applicant_postal_code, applicant_city, applicant_search, form_json, received_at, due_date, version)
                    VALUES (@Id, @Ref, @Owner, 'grundsicherung', 'open', @True, 'A', 'B', @Birth, 'S', '38855', 'Wernigerode', 'b a', '{}', @Now, @Due, 1)
                    """, new { Id = Guid.CreateVersion7().ToString(), Ref = $"{owner}-GS-BACKUP-{i:D6}", Owner = owner, True = true, Birth = new DateOnly(1950, 1, 1), Now = now.AddSeconds(-i), Due = DateOnly.FromDateTime(now).AddDays(10) }, tx);
            return 0;
        });

        // Each clerk claims and decides until told to stop; a decision counts from the moment its 200 arrived.
        var decided = new ConcurrentBag<(string CaseId, DateTime AcknowledgedAt)>();
        using var stop = new CancellationTokenSource();
        var work = clerks.Select(client => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var claim = await client.ClaimAsync("grundsicherung");
                if (claim.StatusCode == HttpStatusCode.NoContent) return;
                Assert.Equal(HttpStatusCode.OK, claim.StatusCode);
                var caseId = (await claim.ReadJsonAsync()).GetProperty("id").GetString()!;
                var decision = await client.PostAsJsonAsync($"/api/v1/cases/{caseId}/decision", new { outcome = "granted" });
                Assert.Equal(HttpStatusCode.OK, decision.StatusCode);
                decided.Add((caseId, DateTime.UtcNow));
            }
        })).ToList();
        // The backup starts once the clerks are well under way (by count, not by time: the machine may be busy).
        for (var waited = 0; decided.Count < 50 && waited < 120_000; waited += 50) await Task.Delay(50);
        var backupStarted = DateTime.UtcNow;
        var before = decided.Where(d => d.AcknowledgedAt < backupStarted).Select(d => d.CaseId).ToList();
        await app.Services.GetRequiredService<BackupRunner>().RunAsync();
        var duringBackup = decided.Count - before.Count;
        stop.Cancel();
        await Task.WhenAll(work);
        Assert.True(before.Count >= 50, $"only {before.Count} decisions before the backup started");

        await WithEmptyInstanceAsync(async fresh =>
        {
            await app.Services.GetRequiredService<BackupRestorer>().RestoreAsync(new DirectoryBackupTarget("partner", SharedTarget), partner, null, DestinationOf(fresh),
                TestEnvironment.NewTempDirectory("restore-scratch"));
            using var restored = fresh.Database == TestDatabase.Sqlite ? Db.ForSqlite(Path.Combine(fresh.DataDirectory, "openikz.db")) : Db.ForPostgres(fresh.PostgresConnectionString!);
            var granted = (await restored.QueryAsync<string>("SELECT id FROM cases WHERE outcome = 'granted' AND status = 'closed'")).ToHashSet();
            var missing = before.Where(id => !granted.Contains(id)).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} of {before.Count} decisions acknowledged before the backup are missing ({duringBackup} were acknowledged while it ran)");
            Assert.True((await AuditLog.VerifyAsync(restored)).Valid);
        });
    }

    [SkippableFact]
    public async Task ADrill_RestoresVerifiesAndRemovesItsCopy_AndRecordsItsTimes_AndAFailedOneIsShown()
    {
        var app = App;
        var (partner, _) = await BackupWithACaseAsync();
        partner.Dispose();
        var (_, drillKey) = await app.Services.GetRequiredService<BackupKeys>().CreateAsync("drill", null, null);
        using var ___ = drillKey;
        await app.Services.GetRequiredService<BackupRunner>().RunAsync(); // encrypted to the new drill key too
        var drill = app.Services.GetRequiredService<BackupDrill>();
        var result = (await drill.RunAsync(drillKey)).Single();
        Assert.True(result.Ok, result.Problem);
        Assert.True(result.RecoveryTime > TimeSpan.Zero && result.RecoveryPoint >= TimeSpan.Zero);
        var scratchRoot = app.Services.GetRequiredService<BackupRunner>().ScratchRoot;
        Assert.Empty(System.IO.Directory.Exists(scratchRoot) ? System.IO.Directory.EnumerateFileSystemEntries(scratchRoot) : []);
        if (app.Database == TestDatabase.Postgres)
            Assert.Equal(0, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM pg_database WHERE datname LIKE 'openikz_drill_%'"));
        var entry = await app.Db.QuerySingleAsync<string>("SELECT detail FROM audit_log WHERE action = 'backup.drill' ORDER BY seq DESC LIMIT 1");
        var detail = System.Text.Json.JsonSerializer.Deserialize<BackupStatus.DrillDetail>(entry, BackupStatus.DetailJson)!;
        Assert.Equal("partner", detail.Target);
        Assert.True(detail.Seconds >= 0 && detail.AgeHours >= 0 && detail.Rows > 0);

        var status = (await app.Services.GetRequiredService<BackupStatus>().TargetsAsync()).Single();
        Assert.False(status.TooOld);
        Assert.False(status.LastDrillFailed);
        Assert.Equal(result.BackupId, status.Newest!.Id);

        // A drill of a damaged backup fails, says why, and the page's status shows it.
        var damaged = await new DirectoryBackupTarget("partner", SharedTarget).GetIndexAsync(status.Newest.Id);
        var newest = Path.Combine(SharedTarget, "objects", damaged.Objects[1].Name);
        var bytes = File.ReadAllBytes(newest);
        File.WriteAllBytes(newest, bytes[..^10]);
        try
        {
            var failed = (await drill.RunAsync(drillKey)).Single();
            Assert.False(failed.Ok);
            Assert.Contains("database snapshot", failed.Problem);
            Assert.True((await app.Services.GetRequiredService<BackupStatus>().TargetsAsync()).Single().LastDrillFailed);
            Assert.Equal(1, await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'backup.drill.failed'"));
        }
        finally { File.WriteAllBytes(newest, bytes); }
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}

public sealed class BackupRestoreTestsSqlite(SqliteApp app) : BackupRestoreTests(app), IClassFixture<SqliteApp>;
public sealed class BackupRestoreTestsPostgres(PostgresApp app) : BackupRestoreTests(app), IClassFixture<PostgresApp>;
