using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Infrastructure.Files;
using OpenIkz.Tests.Backoffice;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>The orphan sweep deletes stale unreferenced files only. Runs on SQLite and on PostgreSQL.</summary>
public abstract class OrphanFileSweepTests(OpenIkzApp fixture)
{
    private OpenIkzApp app => fixture.Require();

    [SkippableFact]
    public async Task Sweep_DeletesAStaleUnreferencedFile_KeepsAFreshOneAndReferencedOldOnes()
    {
        var store = (FileSystemFileStore)app.Services.GetRequiredService<IFileStore>();
        var now = app.Clock.GetUtcNow().UtcDateTime;
        var stale = await store.SaveAsync(BackofficeFixture.Pdf("verwaist, alt"));
        var fresh = await store.SaveAsync(BackofficeFixture.Pdf("verwaist, frisch"));
        File.SetLastWriteTimeUtc(store.PathOf(stale), now.AddHours(-2));
        File.SetLastWriteTimeUtc(store.PathOf(fresh), now.AddMinutes(-10));

        // referenced and old: a case document and an agreement rendering
        var pdf = BackofficeFixture.Pdf("Anlage");
        await (await app.PortalAsync(BackofficeFixture.Frankenthal)).SubmitOkAsync(BackofficeFixture.KfzApplication(familyName: "Sweep", pdf: pdf));
        var caseFile = ContentHash.Sha256(pdf);
        var agreementFile = await app.Db.QuerySingleOrDefaultAsync<string>("SELECT pdf_sha256 FROM agreement_documents ORDER BY agreement_id, version LIMIT 1")
            ?? throw new InvalidOperationException("the demo data has no agreement document");
        foreach (var sha in new[] { caseFile, agreementFile }) File.SetLastWriteTimeUtc(store.PathOf(sha), now.AddDays(-30));

        var deleted = await app.Services.GetRequiredService<OrphanFileSweep>().SweepAsync();

        Assert.True(deleted >= 1);
        Assert.False(store.Exists(stale));
        Assert.True(store.Exists(fresh));
        Assert.True(store.Exists(caseFile));
        Assert.True(store.Exists(agreementFile));
    }

    [SkippableFact]
    public async Task StoringAgain_RenewsTheFile_SoTheSweepKeepsItForAnUploadInFlight()
    {
        var store = (FileSystemFileStore)app.Services.GetRequiredService<IFileStore>();
        var content = BackofficeFixture.Pdf("gleich noch einmal");
        var sha = await store.SaveAsync(content);
        File.SetLastWriteTimeUtc(store.PathOf(sha), app.Clock.GetUtcNow().UtcDateTime.AddHours(-2));
        await store.SaveAsync(content); // a new upload of the same content, its row not yet committed
        await app.Services.GetRequiredService<OrphanFileSweep>().SweepAsync();
        Assert.True(store.Exists(sha));
    }
}

public sealed class OrphanFileSweepTestsSqlite(SqliteApp app) : OrphanFileSweepTests(app), IClassFixture<SqliteApp>;
public sealed class OrphanFileSweepTestsPostgres(PostgresApp app) : OrphanFileSweepTests(app), IClassFixture<PostgresApp>;
