using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Backup;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Backup;

/// <summary>What the tests of the receiver do as a partner: get a token, upload objects, commit indexes, look at the files.</summary>
public static class ReceiverFixture
{
    /// <summary>Turns receiver mode on for a test app (before its host starts).</summary>
    public static void EnableReceiver(this OpenIkzApp app)
    {
        app.Settings["OpenIkz:Backup:Receive:Enabled"] = "true";
        app.Settings["OpenIkz:Backup:Receive:Directory"] = Path.Combine(app.DataDirectory, "received");
    }

    /// <summary>A new partner (an operator ran <c>backup receiver add</c>) and its token.</summary>
    public static async Task<(string Name, string Token)> NewPartnerAsync(this OpenIkzApp app, string prefix = "partner")
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..20];
        return (name, await app.Services.GetRequiredService<ReceivePartners>().CreateAsync(name));
    }

    /// <summary>An HTTP client that speaks as the given partner.</summary>
    public static HttpClient AsPartner(this OpenIkzApp app, string token)
    {
        var client = app.Api();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static Task<HttpResponseMessage> PutObjectAsync(this HttpClient client, string name, byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return client.PutAsync($"{ReceiverApi.Prefix}/objects/{name}", content);
    }

    public static Task<HttpResponseMessage> CommitAsync(this HttpClient client, BackupIndex index) =>
        client.PostAsJsonAsync($"{ReceiverApi.Prefix}/backups", index, BackupNames.Json);

    public static string NewName(string prefix = "obj") => $"{prefix}-{Guid.NewGuid():N}";

    public static BackupObjectRef Ref(string name, byte[] bytes) => new(name, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)));

    public static BackupIndex Index(DateTime createdAt, params BackupObjectRef[] objects) =>
        new($"{createdAt:yyyyMMdd}t{createdAt:HHmmss}z-{Guid.NewGuid().ToString("N")[..8]}", createdAt, objects);

    /// <summary>The partner's folder on the receiver's disk.</summary>
    public static string PartnerDirectory(this OpenIkzApp app, string partner) => app.Services.GetRequiredService<ReceiverStore>().For(partner).Root;

    /// <summary>Every file below a folder, relative (to compare before and after a refused request).</summary>
    public static Dictionary<string, string> Snapshot(string directory) => !System.IO.Directory.Exists(directory) ? []
        : System.IO.Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(directory, f), f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))));
}
