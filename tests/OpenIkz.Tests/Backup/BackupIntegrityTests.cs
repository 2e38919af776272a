using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Backup;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Backup;

/// <summary>
/// What keeps a backup whole, on SQLite and PostgreSQL: a document the database names but the file store lacks stops
/// the backup (nothing committed); a target that fails does not stop the others and is recorded; documents sent
/// earlier that vanished from a target are sent again; a backup whose manifest leaves out a document the database
/// names is refused at restore and leaves the destination empty; every new or revoked backup key is audited.
/// </summary>
public abstract class BackupIntegrityTests(OpenIkzApp fixture)
{
    private async Task<BackupPrivateKey> RecipientAsync(OpenIkzApp app)
    {
        var (_, key) = await app.Services.GetRequiredService<BackupKeys>().CreateAsync("municipality", BackofficeFixture.Speyer, "Prüfschlüssel");
        return key;
    }

    private static async Task<(string CaseId, string Sha256)> CaseWithDocumentAsync(OpenIkzApp app, string text)
    {
        var portal = await app.PortalAsync(BackofficeFixture.Frankenthal);
        var caseId = await portal.SubmitOkAsync(BackofficeFixture.KfzApplication(familyName: "Sicherungsprüfung", pdf: BackofficeFixture.Pdf(text)));
        var sha = await app.Db.QuerySingleAsync<string>("SELECT sha256 FROM case_documents WHERE case_id = @Id", new { Id = caseId });
        return (caseId, sha);
    }

    [SkippableFact]
    public async Task ADocumentTheDatabaseNames_MissingInTheFileStore_StopsTheBackup_AndNothingIsCommitted()
    {
        var app = fixture.Require();
        using var key = await RecipientAsync(app);
        var (_, sha) = await CaseWithDocumentAsync(app, "Fehlt im Speicher " + Guid.NewGuid());
        var path = ((OpenIkz.Infrastructure.Files.FileSystemFileStore)app.Services.GetRequiredService<OpenIkz.Common.IFileStore>()).PathOf(sha);
        var target = new DirectoryBackupTarget("integrity-missing", TestEnvironment.NewTempDirectory("backup-missing"));
        File.Move(path, path + ".away");
        try
        {
            var e = await Assert.ThrowsAsync<BackupException>(() => app.Services.GetRequiredService<BackupRunner>().RunAsync([target]));
            Assert.Contains(sha, e.Message);
            Assert.Contains("missing in the file store", e.Message);
            Assert.Empty(await target.ListAsync());
        }
        finally { File.Move(path + ".away", path); }
    }

    [SkippableFact]
    public async Task ATargetThatFails_DoesNotStopTheOthers_AndIsRecorded()
    {
        var app = fixture.Require();
        using var key = await RecipientAsync(app);
        await CaseWithDocumentAsync(app, "Zwei Ziele " + Guid.NewGuid());
        // A "directory" that is a file: every write there fails.
        var blocked = Path.Combine(TestEnvironment.NewTempDirectory("backup-blocked"), "not-a-directory");
        await File.WriteAllTextAsync(blocked, "x");
        var broken = new DirectoryBackupTarget("integrity-broken", blocked);
        var good = new DirectoryBackupTarget("integrity-good", TestEnvironment.NewTempDirectory("backup-good"));
        var before = await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'backup.failed'");

        var e = await Assert.ThrowsAsync<BackupException>(() => app.Services.GetRequiredService<BackupRunner>().RunAsync([broken, good]));
        Assert.Contains("integrity-broken", e.Message);
        Assert.Contains("it was written to integrity-good", e.Message);
        Assert.Single(await good.ListAsync());
        var details = await app.Db.QueryAsync<string>("SELECT detail FROM audit_log WHERE action = 'backup.failed' ORDER BY seq DESC");
        Assert.Equal(before + 1, details.Count);
        Assert.Equal("integrity-broken", JsonDocument.Parse(details[0]).RootElement.GetProperty("target").GetString());
    }

    [SkippableFact]
    public async Task DocumentsSentEarlier_ThatVanishedFromTheTarget_AreSentAgain()
    {
        var app = fixture.Require();
        using var key = await RecipientAsync(app);
        await CaseWithDocumentAsync(app, "Wieder senden " + Guid.NewGuid());
        var root = TestEnvironment.NewTempDirectory("backup-resend");
        var target = new DirectoryBackupTarget("integrity-resend", root);
        var runner = app.Services.GetRequiredService<BackupRunner>();
        var first = (await runner.RunAsync([target])).Single();
        Assert.True(first.Documents > 0);
        Assert.Equal(first.Documents, first.DocumentsSent);

        // A document object removed on the target (as a receiver's retention removes objects no kept backup names).
        var index = await target.GetIndexAsync((await target.ListAsync()).Single().Id);
        var manifest = await BackupRestorer.ReadManifestAsync(target, index, key, default);
        File.Delete(Path.Combine(root, "objects", manifest.Documents[0].Object));

        var second = (await runner.RunAsync([target])).Single();
        Assert.Equal(second.Documents, second.DocumentsSent); // all sent again, not only the new ones
        var newest = await target.GetIndexAsync((await target.ListAsync())[^1].Id);
        Assert.Equal(second.Id, newest.Id);
        foreach (var o in newest.Objects) Assert.True(await target.HasObjectAsync(o.Name), $"object {o.Name} of the new backup is missing");

        // And the run after that reuses them again.
        var third = (await runner.RunAsync([target])).Single();
        Assert.Equal(0, third.DocumentsSent);
    }

    [SkippableFact]
    public async Task ANewestBackupWhoseIndexIsDamaged_IsSkippedByTheRestore_WhichSaysSo()
    {
        var app = fixture.Require();
        using var key = await RecipientAsync(app);
        await CaseWithDocumentAsync(app, "Zwei Sicherungen " + Guid.NewGuid());
        var target = new DirectoryBackupTarget("integrity-damaged-index", TestEnvironment.NewTempDirectory("backup-damaged-index"));
        var runner = app.Services.GetRequiredService<BackupRunner>();
        var older = (await runner.RunAsync([target])).Single();
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var newer = (await runner.RunAsync([target])).Single();

        // The newer index damaged inside its object list (its beginning and its end intact).
        var path = Path.Combine(target.Root, DirectoryBackupTarget.BackupsFolder, newer.Id + ".json");
        var bytes = await File.ReadAllBytesAsync(path);
        var objects = System.Text.Encoding.UTF8.GetString(bytes).IndexOf("\"objects\"", StringComparison.Ordinal);
        bytes[Array.IndexOf(bytes, (byte)'{', objects)] = (byte)'#';
        await File.WriteAllBytesAsync(path, bytes);
        Assert.Equal([older.Id, newer.Id], (await target.ListAsync()).Select(b => b.Id));

        var fresh = fixture.Database == TestDatabase.Sqlite ? (OpenIkzApp)new SqliteApp() : new PostgresApp();
        await fresh.InitializeAsync();
        try
        {
            var destination = new RestoreDestination(fresh.Database == TestDatabase.Sqlite ? DatabaseKind.Sqlite : DatabaseKind.Postgres, fresh.DataDirectory, fresh.PostgresConnectionString);
            var restored = await app.Services.GetRequiredService<BackupRestorer>().RestoreAsync(target, key, null, destination, TestEnvironment.NewTempDirectory("restore-scratch"));
            Assert.Equal(older.Id, restored.BackupId);
            Assert.Contains(newer.Id, restored.Note);
            Assert.Contains("could not be read", restored.Note);
        }
        finally { await ((IAsyncLifetime)fresh).DisposeAsync(); }
    }

    [SkippableFact]
    public async Task ABackupWhoseManifestLeavesOutADocumentTheDatabaseNames_IsRefused_AndLeavesTheDestinationEmpty()
    {
        var app = fixture.Require();
        using var key = await RecipientAsync(app);
        var (_, sha) = await CaseWithDocumentAsync(app, "Ausgelassen " + Guid.NewGuid());
        var root = TestEnvironment.NewTempDirectory("backup-forged");
        var target = new DirectoryBackupTarget("integrity-forged", root);
        await app.Services.GetRequiredService<BackupRunner>().RunAsync([target]);
        var index = await target.GetIndexAsync((await target.ListAsync()).Single().Id);
        var manifest = await BackupRestorer.ReadManifestAsync(target, index, key, default);
        var left = manifest.Documents.Single(d => d.Sha256 == sha);

        // A second, later backup: the same objects, but a manifest (encrypted to the same recipients) without the document.
        var forgedId = index.CreatedAt.AddSeconds(1).ToString("yyyyMMdd't'HHmmssfff'z'", System.Globalization.CultureInfo.InvariantCulture) + "-0f0f0f0f";
        var forged = manifest with { Id = forgedId, Documents = manifest.Documents.Where(d => d.Sha256 != sha).ToList() };
        var recipients = (await app.Services.GetRequiredService<BackupKeys>().ActiveAsync()).Select(r => r.Key).ToList();
        using var session = new BackupCrypto.RecipientSession(recipients);
        var manifestName = "manifest-" + BackupStreams.NewObjectName();
        var file = await BackupStreams.EncryptToAsync(target, manifestName, new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(forged, BackupNames.Json)), session, default);
        await target.CommitAsync(new BackupIndex(forgedId, index.CreatedAt.AddSeconds(1),
            [new BackupObjectRef(manifestName, file.EncryptedBytes, file.EncryptedSha256), .. index.Objects.Skip(1).Where(o => o.Name != left.Object)]));

        var fresh = fixture.Database == TestDatabase.Sqlite ? (OpenIkzApp)new SqliteApp() : new PostgresApp();
        await fresh.InitializeAsync();
        try
        {
            var destination = new RestoreDestination(fresh.Database == TestDatabase.Sqlite ? DatabaseKind.Sqlite : DatabaseKind.Postgres, fresh.DataDirectory, fresh.PostgresConnectionString);
            var e = await Assert.ThrowsAsync<BackupException>(() => app.Services.GetRequiredService<BackupRestorer>()
                .RestoreAsync(target, key, forgedId, destination, TestEnvironment.NewTempDirectory("restore-scratch")));
            Assert.Contains("names 1 document(s) the backup does not hold", e.Message);
            Assert.Contains(sha[..12], e.Message);
            Assert.False(File.Exists(Path.Combine(fresh.DataDirectory, "openikz.db")));
            var documents = Path.Combine(fresh.DataDirectory, "documents");
            Assert.Empty(System.IO.Directory.Exists(documents) ? System.IO.Directory.EnumerateFiles(documents, "*", SearchOption.AllDirectories) : []);
            if (fresh.PostgresConnectionString is { } cs)
            {
                await using var c = new Npgsql.NpgsqlConnection(cs);
                Assert.Equal(0, await c.QuerySingleAsync<long>("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'"));
            }
        }
        finally { await ((IAsyncLifetime)fresh).DisposeAsync(); }
    }

    [SkippableFact]
    public async Task EveryNewAndRevokedBackupKey_IsAudited()
    {
        var app = fixture.Require();
        var keys = app.Services.GetRequiredService<BackupKeys>();
        var (recipient, key) = await keys.CreateAsync("municipality", BackofficeFixture.Ludwigshafen, "Audit");
        key.Dispose();
        await keys.RevokeAsync(recipient.KeyId);
        var entries = await app.Db.QueryAsync<(string Action, string Detail)>(
            "SELECT action, detail FROM audit_log WHERE action IN ('backup.key.created', 'backup.key.revoked') ORDER BY seq");
        Assert.Contains(entries, e => e.Action == "backup.key.created" && e.Detail.Contains(recipient.KeyId) && e.Detail.Contains(BackofficeFixture.Ludwigshafen));
        Assert.Contains(entries, e => e.Action == "backup.key.revoked" && e.Detail.Contains(recipient.KeyId));
    }
}

public sealed class BackupIntegrityTestsSqlite(SqliteApp app) : BackupIntegrityTests(app), IClassFixture<SqliteApp>;
public sealed class BackupIntegrityTestsPostgres(PostgresApp app) : BackupIntegrityTests(app), IClassFixture<PostgresApp>;
