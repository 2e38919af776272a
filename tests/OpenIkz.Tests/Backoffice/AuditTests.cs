using System.Net.Http.Json;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Cli;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Backoffice;

/// <summary>The hash-chained audit log detects changed, deleted and reordered entries. Runs on SQLite and on PostgreSQL (own databases: tampering breaks them).</summary>
public abstract class AuditTests(TestDatabase kind) : IAsyncLifetime
{
    // Tampering breaks a database for good: every test gets its own.
    private OpenIkzApp app = null!;

    public async Task InitializeAsync()
    {
        app = kind == TestDatabase.Sqlite ? new SqliteApp() : new PostgresApp();
        await ((IAsyncLifetime)app).InitializeAsync();
    }

    public Task DisposeAsync() => ((IAsyncLifetime)app).DisposeAsync();

    private async Task<string> SomeAuditedWorkAsync()
    {
        var portal = await app.Require().PortalAsync(BackofficeFixture.Frankenthal);
        var caseId = await portal.SubmitOkAsync(BackofficeFixture.KfzApplication(familyName: "Audit"));
        var partner = await app.ApiAsAsync("ludwigshafen.sachbearbeitung");
        (await partner.GetAsync($"/api/v1/cases/{caseId}")).EnsureSuccessStatusCode();
        return caseId;
    }

    private async Task<(bool Valid, long Entries, long Sealed, long Unsealed)> VerifyApiAsync()
    {
        var admin = await app.ApiAsAsync("frankenthal.admin");
        var response = await admin.GetAsync("/api/v1/audit/verify");
        var json = await response.ReadJsonAsync();
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return (json.GetProperty("valid").GetBoolean(), json.GetProperty("entries").GetInt64(), json.GetProperty("sealed").GetInt64(), json.GetProperty("unsealed").GetInt64());
    }

    private async Task<(int Exit, string Output)> VerifyCliAsync()
    {
        var output = new StringWriter();
        var exit = await CommandLine.RunAsync(["audit", "verify"], new StringReader(""), output, new StringWriter(), new Dictionary<string, string?>
        {
            ["OpenIkz:DataDirectory"] = app.DataDirectory, ["OpenIkz:Database"] = app.Database == TestDatabase.Sqlite ? "sqlite" : "postgres",
            ["ConnectionStrings:Postgres"] = app.PostgresConnectionString,
        });
        return (exit, output.ToString().Trim());
    }

    [SkippableFact]
    public async Task Verify_AfterWork_IsValid_ThenDetectsAChangedRow_AndADeletedRow()
    {
        await SomeAuditedWorkAsync();
        await AuditLog.SealAllAsync(app.Db);
        var (valid, entries, sealedEntries, unsealed) = await VerifyApiAsync();
        Assert.True(valid);
        Assert.True(entries >= 2);
        Assert.Equal((entries, 0), (sealedEntries, unsealed));
        var (exit, output) = await VerifyCliAsync();
        Assert.Equal(0, exit);
        Assert.Equal($"{{\"valid\":true,\"entries\":{entries},\"sealed\":{entries},\"unsealed\":0}}", output);

        // Someone edits one entry in the database: the chain breaks there.
        await app.Db.ExecuteAsync("UPDATE audit_log SET actor_ags = '07318000' WHERE seq = 1");
        Assert.False((await VerifyApiAsync()).Valid);
        (exit, output) = await VerifyCliAsync();
        Assert.Equal(1, exit);
        Assert.Contains("\"valid\":false", output);
    }

    [SkippableFact]
    public async Task Verify_DetectsDeletionOfTheNewestSealedEntries()
    {
        await SomeAuditedWorkAsync();
        await AuditLog.SealAllAsync(app.Db);
        var last = await app.Db.QuerySingleAsync<long>("SELECT MAX(seq) FROM audit_log");
        await app.Db.ExecuteAsync("DELETE FROM audit_log WHERE seq = @Seq", new { Seq = last });
        Assert.False((await VerifyApiAsync()).Valid);
    }

    [SkippableFact]
    public async Task Verify_IsForAdministratorsOnly()
    {
        var clerk = await app.Require().ApiAsAsync("frankenthal.sachbearbeitung");
        await (await clerk.GetAsync("/api/v1/audit/verify")).AssertProblemAsync(403);
    }
}

public sealed class AuditTestsSqlite() : AuditTests(TestDatabase.Sqlite);
public sealed class AuditTestsPostgres() : AuditTests(TestDatabase.Postgres);
