using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Backup;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Backup;

/// <summary>
/// The whole way through a receiver, on SQLite and PostgreSQL: an instance backs up over HTTP to a receiver (here the
/// same test app in receiver mode, with a partner token), the partner's key restores from the receiver into a fresh
/// instance, and the sender's token can neither delete nor replace what it sent.
/// </summary>
public abstract class ReceiverRoundTripTests(OpenIkzApp fixture)
{
    private OpenIkzApp App
    {
        get
        {
            var app = fixture.Require();
            app.EnableReceiver();
            return app;
        }
    }

    [SkippableFact]
    public async Task ABackupOverHttp_RestoresFromTheReceiver_AndTheSendersTokenCannotDeleteIt()
    {
        var app = App;
        var (_, token) = await app.NewPartnerAsync("primary");
        var api = app.Api();
        var target = new HttpBackupTarget("receiver", api, api.BaseAddress!, token);
        var (_, partnerKey) = await app.Services.GetRequiredService<BackupKeys>().CreateAsync("municipality", BackofficeFixture.Speyer, null);
        using var _ = partnerKey;
        var portal = await app.PortalAsync(BackofficeFixture.Frankenthal);
        var caseId = await portal.SubmitOkAsync(BackofficeFixture.KfzApplication(familyName: "Empfangsprobe"));

        var sent = (await app.Services.GetRequiredService<BackupRunner>().RunAsync([target])).Single();
        Assert.True(sent.Documents > 0);
        Assert.Contains(sent.Id, (await target.ListAsync()).Select(b => b.Id));
        var index = await target.GetIndexAsync(sent.Id);

        // The sender's token: no delete, no replacement.
        var partner = app.AsPartner(token);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await partner.DeleteAsync($"{ReceiverApi.Prefix}/objects/{index.Objects[1].Name}")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await partner.PutObjectAsync(index.Objects[1].Name, [1, 2, 3])).StatusCode);

        var fresh = fixture.Database == TestDatabase.Sqlite ? (OpenIkzApp)new SqliteApp() : new PostgresApp();
        await fresh.InitializeAsync();
        try
        {
            var restored = await app.Services.GetRequiredService<BackupRestorer>().RestoreAsync(target, partnerKey, sent.Id,
                new RestoreDestination(fresh.Database == TestDatabase.Sqlite ? DatabaseKind.Sqlite : DatabaseKind.Postgres, fresh.DataDirectory, fresh.PostgresConnectionString),
                TestEnvironment.NewTempDirectory("restore-scratch"));
            Assert.Equal(sent.Documents, restored.Documents);
            Assert.Equal(HttpStatusCode.OK, (await fresh.Api().GetAsync("/health")).StatusCode);
            Assert.Equal("Empfangsprobe", await fresh.Db.QuerySingleAsync<string>("SELECT applicant_family_name FROM cases WHERE id = @Id", new { Id = caseId }));
        }
        finally { await ((IAsyncLifetime)fresh).DisposeAsync(); }
    }
}

public sealed class ReceiverRoundTripTestsSqlite(SqliteApp app) : ReceiverRoundTripTests(app), IClassFixture<SqliteApp>;
public sealed class ReceiverRoundTripTestsPostgres(PostgresApp app) : ReceiverRoundTripTests(app), IClassFixture<PostgresApp>;
