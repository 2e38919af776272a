using System.Net;
using System.Net.Http.Headers;
using OpenIkz.Backup;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Backup;

/// <summary>
/// The receiver in the real server process (Kestrel, as an operator runs it), with the HTTP target as the primary
/// uses it: objects above the app's general body limit stream through, also without a declared length; a body
/// without a length beyond the object limit is cut off, answered 413 and leaves nothing behind. SQLite and PostgreSQL.
/// </summary>
public abstract class ReceiverServerTests(TestDatabase kind) : OwnDatabaseTest(kind, "receiver-server")
{
    /// <summary>A stream that does not tell its length: the upload goes out chunked.</summary>
    private sealed class Unseekable(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    [SkippableFact]
    public async Task Upload_StreamsAboveTheGeneralLimit_AndIsCutOffAtTheObjectLimit()
    {
        RequireDatabase();
        var environment = ServerEnvironment();
        environment["OpenIkz__MaxRequestBodyBytes"] = (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["OpenIkz__Backup__Receive__Enabled"] = "true";
        environment["OpenIkz__Backup__Receive__MaxObjectMegabytes"] = "2";
        await using var server = await ServerProcess.StartAsync(environment);
        string token;
        using (var db = OpenDatabase()) token = await new ReceivePartners(db, TimeProvider.System).CreateAsync("primary");
        using var http = new HttpClient();
        var target = new HttpBackupTarget("receiver", http, server.BaseAddress, token);

        var known = System.Security.Cryptography.RandomNumberGenerator.GetBytes(1536 * 1024);
        var chunked = System.Security.Cryptography.RandomNumberGenerator.GetBytes(1800 * 1024);
        await target.PutObjectAsync("known-length", new MemoryStream(known));
        await target.PutObjectAsync("chunked", new Unseekable(chunked));
        await target.CommitAsync(new BackupIndex("20261203t120000z-00000001", DateTime.UtcNow.AddMinutes(-1),
            [ReceiverFixture.Ref("known-length", known), ReceiverFixture.Ref("chunked", chunked)]));
        await using (var read = await target.OpenObjectAsync("chunked"))
        {
            var copy = new MemoryStream();
            await read.CopyToAsync(copy);
            Assert.Equal(chunked, copy.ToArray());
        }

        var content = new StreamContent(new Unseekable(new byte[3 * 1024 * 1024]));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(server.BaseAddress, $"{ReceiverApi.Prefix}/objects/too-large")) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }
        catch (HttpRequestException)
        {
            // Kestrel may close the connection while the client still sends: refused either way.
        }
        var space = Path.Combine(DataDirectory, ReceiverStore.DefaultDirectory, "primary");
        Assert.False(await target.HasObjectAsync("too-large"));
        Assert.Empty(System.IO.Directory.EnumerateFiles(Path.Combine(space, "tmp")));
        Assert.Equal(["chunked", "known-length"], System.IO.Directory.EnumerateFiles(Path.Combine(space, "objects")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}

public sealed class ReceiverServerTestsSqlite() : ReceiverServerTests(TestDatabase.Sqlite);
public sealed class ReceiverServerTestsPostgres() : ReceiverServerTests(TestDatabase.Postgres);
