using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Backup;
using OpenIkz.Directory.Accounts;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Backup;

/// <summary>
/// The receiver (OpenIkz:Backup:Receive): a partner with its token appends objects and indexes to its own space and
/// reads them back; it can neither overwrite nor delete, and nobody else gets in. Bad input is a problem document and
/// stores nothing. On SQLite and PostgreSQL.
/// </summary>
public abstract class ReceiverApiTests
{
    private readonly OpenIkzApp _app;

    protected ReceiverApiTests(OpenIkzApp app)
    {
        _app = app;
        app.EnableReceiver();
        // The app's general limit is small here; object uploads have their own (2 MB).
        app.Settings["OpenIkz:MaxRequestBodyBytes"] = (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture);
        app.Settings["OpenIkz:Backup:Receive:MaxObjectMegabytes"] = "2";
    }

    private OpenIkzApp App => _app.Require();

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [SkippableFact]
    public async Task PutObject_NewThenSameBytes_201Then200_AndReadsBack()
    {
        var (_, token) = await App.NewPartnerAsync();
        var partner = App.AsPartner(token);
        var name = ReceiverFixture.NewName();
        Assert.Equal(HttpStatusCode.Created, (await partner.PutObjectAsync(name, Bytes("verschlüsselt-1"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await partner.PutObjectAsync(name, Bytes("verschlüsselt-1"))).StatusCode);

        var head = await partner.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"{ReceiverApi.Prefix}/objects/{name}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        var get = await partner.GetAsync($"{ReceiverApi.Prefix}/objects/{name}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("application/octet-stream", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Bytes("verschlüsselt-1"), await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await partner.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"{ReceiverApi.Prefix}/objects/{ReceiverFixture.NewName()}"))).StatusCode);
        await (await partner.GetAsync($"{ReceiverApi.Prefix}/objects/{ReceiverFixture.NewName()}")).AssertProblemAsync(404);
    }

    [SkippableFact]
    public async Task APartnersToken_CannotOverwriteOrDelete_AnObjectOrABackup()
    {
        var (name, token) = await App.NewPartnerAsync();
        var partner = App.AsPartner(token);
        var objectName = ReceiverFixture.NewName();
        var original = Bytes("die echte Sicherung");
        Assert.Equal(HttpStatusCode.Created, (await partner.PutObjectAsync(objectName, original)).StatusCode);
        var index = ReceiverFixture.Index(DateTime.UtcNow.AddMinutes(-5), ReceiverFixture.Ref(objectName, original));
        Assert.Equal(HttpStatusCode.Created, (await partner.CommitAsync(index)).StatusCode);
        var before = ReceiverFixture.Snapshot(App.PartnerDirectory(name));

        // Other bytes under the same name: 409, the stored bytes stay.
        var overwrite = await partner.PutObjectAsync(objectName, Bytes("Lösegeldforderung"));
        var problem = await overwrite.AssertProblemAsync(409);
        Assert.Contains("nicht ersetzt", problem.GetProperty("detail").GetString());
        // No DELETE on any of the receiver's paths: 405.
        foreach (var path in new[] { $"/objects/{objectName}", "/backups", $"/backups/{index.Id}", "/objects" })
        {
            var delete = await partner.DeleteAsync(ReceiverApi.Prefix + path);
            Assert.True(delete.StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotFound, $"DELETE {path}: {(int)delete.StatusCode}");
        }
        await (await partner.DeleteAsync($"{ReceiverApi.Prefix}/objects/{objectName}")).AssertProblemAsync(405);
        await (await partner.DeleteAsync($"{ReceiverApi.Prefix}/backups")).AssertProblemAsync(405);
        // The same id again (with other objects): 409, the index stays.
        var replacement = index with { Objects = [] };
        await (await partner.CommitAsync(replacement)).AssertProblemAsync(409);

        Assert.Equal(before, ReceiverFixture.Snapshot(App.PartnerDirectory(name)));
        Assert.Equal(original, await (await partner.GetAsync($"{ReceiverApi.Prefix}/objects/{objectName}")).Content.ReadAsByteArrayAsync());
        var listed = Assert.Single((await partner.GetFromJsonAsync<List<BackupSummary>>($"{ReceiverApi.Prefix}/backups", BackupNames.Json))!);
        Assert.Equal(new BackupSummary(index.Id, index.CreatedAt, 1, index.Bytes), listed);
        var whole = (await partner.GetFromJsonAsync<BackupIndex>($"{ReceiverApi.Prefix}/backups/{index.Id}", BackupNames.Json))!;
        Assert.Equal(objectName, Assert.Single(whole.Objects).Name);
        await (await partner.GetAsync($"{ReceiverApi.Prefix}/backups/20200101t000000000z-00000000")).AssertProblemAsync(404);
        // Another partner does not see this backup's index.
        var (_, otherToken) = await App.NewPartnerAsync();
        await (await App.AsPartner(otherToken).GetAsync($"{ReceiverApi.Prefix}/backups/{index.Id}")).AssertProblemAsync(404);
    }

    [SkippableFact]
    public async Task Commit_WhenAnObjectIsMissingOrOfAnotherSize_400NamesIt_AndStoresNoIndex()
    {
        var (name, token) = await App.NewPartnerAsync();
        var partner = App.AsPartner(token);
        var stored = ReceiverFixture.NewName();
        Assert.Equal(HttpStatusCode.Created, (await partner.PutObjectAsync(stored, Bytes("zwölf Bytes!"))).StatusCode);
        var good = ReceiverFixture.Ref(stored, Bytes("zwölf Bytes!"));

        var missing = await partner.CommitAsync(ReceiverFixture.Index(DateTime.UtcNow.AddMinutes(-9), good, good with { Name = ReceiverFixture.NewName() }));
        var problem = await missing.AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("objects[1]", out _), problem.ToString());
        var wrongSize = await partner.CommitAsync(ReceiverFixture.Index(DateTime.UtcNow.AddMinutes(-8), good with { Bytes = 99 }));
        problem = await wrongSize.AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("objects[0]", out _), problem.ToString());
        var badSha = await partner.CommitAsync(ReceiverFixture.Index(DateTime.UtcNow.AddMinutes(-7), good with { Sha256 = "XYZ" }));
        problem = await badSha.AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("objects[0].sha256", out _), problem.ToString());
        var future = await partner.CommitAsync(ReceiverFixture.Index(DateTime.UtcNow.AddDays(1), good));
        problem = await future.AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("createdAt", out _), problem.ToString());
        var badId = await partner.CommitAsync(new BackupIndex("../../etc", DateTime.UtcNow.AddMinutes(-6), [good]));
        problem = await badId.AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("id", out _), problem.ToString());
        var notJson = new StringContent("{\"id\": ", Encoding.UTF8, "application/json");
        await (await partner.PostAsync($"{ReceiverApi.Prefix}/backups", notJson)).AssertProblemAsync(400);

        Assert.Empty(System.IO.Directory.EnumerateFiles(Path.Combine(App.PartnerDirectory(name), "backups")));
        Assert.Empty((await partner.GetFromJsonAsync<List<BackupIndex>>($"{ReceiverApi.Prefix}/backups", BackupNames.Json))!);
    }

    [SkippableFact]
    public async Task Commit_OlderThanTheNewestStored_IsRefused_TheRetentionCannotBeGamed()
    {
        var (_, token) = await App.NewPartnerAsync();
        var partner = App.AsPartner(token);
        Assert.Equal(HttpStatusCode.Created, (await partner.CommitAsync(ReceiverFixture.Index(DateTime.UtcNow.AddMinutes(-1)))).StatusCode);
        var backdated = await partner.CommitAsync(ReceiverFixture.Index(DateTime.UtcNow.AddDays(-40)));
        var problem = await backdated.AssertProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("createdAt", out _), problem.ToString());
        Assert.Single((await partner.GetFromJsonAsync<List<BackupIndex>>($"{ReceiverApi.Prefix}/backups", BackupNames.Json))!);
    }

    [SkippableFact]
    public async Task PutObject_WithAnInvalidNameOrNotRawBytes_IsAProblem_AndStoresNothing()
    {
        var (name, token) = await App.NewPartnerAsync();
        var partner = App.AsPartner(token);
        foreach (var bad in new[] { "Gross", "-dash", "dot.name", "..x", "a%2Fb", "a_b", new string('a', 101) })
        {
            var response = await partner.PutObjectAsync(bad, Bytes("x"));
            var problem = await response.AssertProblemAsync(400);
            Assert.True(problem.GetProperty("errors").TryGetProperty("name", out _), $"{bad}: {problem}");
        }
        var json = await partner.PutAsJsonAsync($"{ReceiverApi.Prefix}/objects/{ReceiverFixture.NewName()}", new { a = 1 });
        await json.AssertProblemAsync(415);
        Assert.Empty(ReceiverFixture.Snapshot(App.PartnerDirectory(name)));
    }

    [SkippableFact]
    public async Task PutObject_AboveTheAppsBodyLimit_IsStored_AboveItsOwnLimit_413AndNothingStored()
    {
        var (name, token) = await App.NewPartnerAsync();
        var partner = App.AsPartner(token);
        var large = RandomBytes(1536 * 1024); // above OpenIkz:MaxRequestBodyBytes (1 MB), below MaxObjectMegabytes (2)
        var stored = ReceiverFixture.NewName();
        Assert.Equal(HttpStatusCode.Created, (await partner.PutObjectAsync(stored, large)).StatusCode);
        Assert.Equal(large, await (await partner.GetAsync($"{ReceiverApi.Prefix}/objects/{stored}")).Content.ReadAsByteArrayAsync());

        var tooLarge = ReceiverFixture.NewName();
        await (await partner.PutObjectAsync(tooLarge, RandomBytes(3 * 1024 * 1024))).AssertProblemAsync(413);
        Assert.Equal([Path.Combine("objects", stored)], ReceiverFixture.Snapshot(App.PartnerDirectory(name)).Keys);
        // Elsewhere the app's own limit stays.
        var client = App.Api();
        await (await client.PostAsync("/api/v1/auth/token", new ByteArrayContent(RandomBytes(1536 * 1024)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } })).AssertProblemAsync(413);
    }

    [SkippableFact]
    public async Task OnlyAPartnersToken_GetsIn_NotAUserOrAnApiClient_NotARevokedPartner_AndEachSeesOnlyItsOwnSpace()
    {
        var path = $"{ReceiverApi.Prefix}/backups";
        await (await App.Api().GetAsync(path)).AssertProblemAsync(401);
        await (await (await App.ApiAsAsync("frankenthal.admin")).GetAsync(path)).AssertProblemAsync(401);
        await (await (await App.PortalAsync(BackofficeFixture.Frankenthal)).GetAsync(path)).AssertProblemAsync(401);
        await (await App.AsPartner(ReceivePartners.TokenPrefix + "erfunden").GetAsync(path)).AssertProblemAsync(401);
        // A signed-in administrator's browser session is no partner either.
        var browser = App.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await OpenIkz.Tests.Ui.PagesTests.LoginAsync(browser, "frankenthal.admin", UserAccounts.DemoPassword)).StatusCode);
        await (await browser.GetAsync(path)).AssertProblemAsync(401);

        var (nameA, tokenA) = await App.NewPartnerAsync("a");
        var (_, tokenB) = await App.NewPartnerAsync("b");
        var objectName = ReceiverFixture.NewName();
        Assert.Equal(HttpStatusCode.Created, (await App.AsPartner(tokenA).PutObjectAsync(objectName, Bytes("nur für A"))).StatusCode);
        await (await App.AsPartner(tokenB).GetAsync($"{ReceiverApi.Prefix}/objects/{objectName}")).AssertProblemAsync(404);
        // B's upload of the same name lands in B's space; A's object stays.
        Assert.Equal(HttpStatusCode.Created, (await App.AsPartner(tokenB).PutObjectAsync(objectName, Bytes("von B"))).StatusCode);
        Assert.Equal(Bytes("nur für A"), await (await App.AsPartner(tokenA).GetAsync($"{ReceiverApi.Prefix}/objects/{objectName}")).Content.ReadAsByteArrayAsync());

        Assert.True(await App.Services.GetRequiredService<ReceivePartners>().RevokeAsync(nameA));
        await (await App.AsPartner(tokenA).GetAsync(path)).AssertProblemAsync(401);
        await (await App.AsPartner(tokenA).PutObjectAsync(ReceiverFixture.NewName(), Bytes("x"))).AssertProblemAsync(401);
    }

    [SkippableFact]
    public async Task Commit_IsRecordedInTheAuditLog_WithoutTheToken()
    {
        var (name, token) = await App.NewPartnerAsync();
        var partner = App.AsPartner(token);
        var objectName = ReceiverFixture.NewName();
        Assert.Equal(HttpStatusCode.Created, (await partner.PutObjectAsync(objectName, Bytes("0123456789"))).StatusCode);
        var index = ReceiverFixture.Index(DateTime.UtcNow.AddMinutes(-2), ReceiverFixture.Ref(objectName, Bytes("0123456789")));
        Assert.Equal(HttpStatusCode.Created, (await partner.CommitAsync(index)).StatusCode);
        var entry = await App.Db.QuerySingleAsync<(string ActorName, string Detail)>(
            "SELECT actor_name AS ActorName, detail AS Detail FROM audit_log WHERE action = 'backup.received' AND detail LIKE @Id", new { Id = "%" + index.Id + "%" });
        Assert.Equal("backup-partner:" + name, entry.ActorName);
        Assert.Contains("\"bytes\":10", entry.Detail);
        Assert.DoesNotContain(token, entry.Detail);
        Assert.True((await AuditLog.VerifyAsync(App.Db)).Valid);
    }

    [SkippableFact]
    public async Task HttpBackupTarget_AgainstTheReceiver_StoresReadsCommitsAndLists_AndIsRefusedOverwriting()
    {
        var (_, token) = await App.NewPartnerAsync();
        var api = App.Api();
        IBackupTarget target = new HttpBackupTarget("partner", api, api.BaseAddress!, token);
        var name = ReceiverFixture.NewName();
        var bytes = RandomBytes(1800 * 1024); // above the app's general limit: streamed under the object limit
        Assert.False(await target.HasObjectAsync(name));
        await target.PutObjectAsync(name, new MemoryStream(bytes));
        await target.PutObjectAsync(name, new MemoryStream(bytes)); // a retry with the same bytes is fine
        Assert.True(await target.HasObjectAsync(name));
        await using (var read = await target.OpenObjectAsync(name))
        {
            var copy = new MemoryStream();
            await read.CopyToAsync(copy);
            Assert.Equal(bytes, copy.ToArray());
        }
        var overwrite = await Assert.ThrowsAsync<BackupException>(() => target.PutObjectAsync(name, new MemoryStream(Bytes("andere Bytes"))));
        Assert.Contains("other content", overwrite.Message);
        var missing = await Assert.ThrowsAsync<BackupException>(() => target.OpenObjectAsync(ReceiverFixture.NewName()));
        Assert.Contains("missing", missing.Message);

        var index = ReceiverFixture.Index(DateTime.UtcNow.AddMinutes(-3), ReceiverFixture.Ref(name, bytes));
        await target.CommitAsync(index);
        await Assert.ThrowsAsync<BackupException>(() => target.CommitAsync(index));
        var incomplete = await Assert.ThrowsAsync<MissingBackupObjectsException>(() => target.CommitAsync(ReceiverFixture.Index(DateTime.UtcNow, ReceiverFixture.Ref(ReceiverFixture.NewName(), bytes))));
        Assert.Contains("objects[0]", incomplete.Message);
        Assert.Equal(index.Summary, Assert.Single(await target.ListAsync()));
        var whole = await target.GetIndexAsync(index.Id);
        Assert.Equal(index, whole with { Objects = index.Objects }); // records compare lists by reference
        Assert.Equal(index.Objects, whole.Objects);
        var absent = await Assert.ThrowsAsync<BackupException>(() => target.GetIndexAsync("20200101t000000000z-00000000"));
        Assert.Contains("no backup", absent.Message);

        var stranger = new HttpBackupTarget("stranger", api, api.BaseAddress!, ReceivePartners.TokenPrefix + "falsch");
        var refused = await Assert.ThrowsAsync<BackupException>(() => stranger.ListAsync());
        Assert.Contains("401", refused.Message);
    }

    private static byte[] RandomBytes(int length) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(length);
}

public sealed class ReceiverApiTestsSqlite(SqliteApp app) : ReceiverApiTests(app), IClassFixture<SqliteApp>;
public sealed class ReceiverApiTestsPostgres(PostgresApp app) : ReceiverApiTests(app), IClassFixture<PostgresApp>;

/// <summary>Without receiver mode the receiver's paths do not exist.</summary>
public sealed class ReceiverOffTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task WhenReceiverModeIsOff_TheReceiversPathsAre404()
    {
        var client = app.Api();
        await (await client.GetAsync($"{ReceiverApi.Prefix}/backups")).AssertProblemAsync(404);
        var put = new ByteArrayContent([1, 2, 3]) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } };
        await (await client.PutAsync($"{ReceiverApi.Prefix}/objects/abc", put)).AssertProblemAsync(404);
        Assert.Equal(0, await app.Services.GetRequiredService<ReceiverRetention>().RunAsync(CancellationToken.None));
    }
}
