using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace OpenIkz.Backup;

/// <summary>
/// Another OpenIKZ instance in receiver mode as a target (<see cref="ReceiverApi"/>), over HTTPS with the partner token
/// it issued. Objects are streamed in both directions, never held in memory. The receiver only appends: an object
/// stored with other bytes is refused (409, here a <see cref="BackupException"/>), and there is nothing to delete.
/// </summary>
public sealed class HttpBackupTarget : IBackupTarget
{
    /// <summary>The named client of <see cref="IHttpClientFactory"/>.</summary>
    public const string ClientName = "backup-receiver";

    /// <summary>Objects of hundreds of megabytes over a slow line: far above HttpClient's 100 seconds.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromHours(6);

    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly string _token;

    /// <param name="baseAddress">The receiver's address (https://…, optionally with a path below which OpenIKZ runs).</param>
    public HttpBackupTarget(string name, HttpClient http, Uri baseAddress, string token)
    {
        Name = name;
        _http = http;
        _base = new Uri(baseAddress.AbsoluteUri.TrimEnd('/') + ReceiverApi.Prefix + "/");
        _token = token;
    }

    public string Name { get; }

    public async Task<bool> HasObjectAsync(string name, CancellationToken ct = default)
    {
        using var response = await SendAsync(HttpMethod.Head, Objects(name), null, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        await EnsureAsync(response, $"look up the object {name}", ct);
        return true;
    }

    public async Task PutObjectAsync(string name, Stream content, CancellationToken ct = default)
    {
        var body = new StreamContent(content, 1 << 16);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (content.CanSeek) body.Headers.ContentLength = content.Length - content.Position;
        using var response = await SendAsync(HttpMethod.Put, Objects(name), body, HttpCompletionOption.ResponseContentRead, ct);
        if (response.StatusCode == HttpStatusCode.Conflict)
            throw new BackupException($"The object {name} is already stored on {Name} with other content; it is not replaced.");
        await EnsureAsync(response, $"store the object {name}", ct);
    }

    public async Task<Stream> OpenObjectAsync(string name, CancellationToken ct = default)
    {
        var response = await SendAsync(HttpMethod.Get, Objects(name), null, HttpCompletionOption.ResponseHeadersRead, ct);
        try
        {
            if (response.StatusCode == HttpStatusCode.NotFound) throw new BackupException($"The object {name} is missing on {Name}.");
            await EnsureAsync(response, $"read the object {name}", ct);
            // The caller disposes the stream, and with it the response.
            return await response.Content.ReadAsStreamAsync(ct);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async Task CommitAsync(BackupIndex index, CancellationToken ct = default)
    {
        using var response = await SendAsync(HttpMethod.Post, new Uri(_base, "backups"), JsonContent.Create(index, options: BackupNames.Json),
            HttpCompletionOption.ResponseContentRead, ct);
        if (response.StatusCode == HttpStatusCode.Conflict)
            throw new BackupException($"The backup {index.Id} was not committed on {Name}: {await DetailAsync(response, ct)}");
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            var detail = DetailOf(body, response.ReasonPhrase);
            if (NamesMissingObjects(body)) throw new MissingBackupObjectsException($"The backup {index.Id} was not committed on {Name}: {detail}");
            throw new BackupException($"Could not commit the backup {index.Id} on {Name}: 400 {detail}");
        }
        await EnsureAsync(response, $"commit the backup {index.Id}", ct);
    }

    public async Task<IReadOnlyList<BackupSummary>> ListAsync(CancellationToken ct = default)
    {
        using var response = await SendAsync(HttpMethod.Get, new Uri(_base, "backups"), null, HttpCompletionOption.ResponseContentRead, ct);
        await EnsureAsync(response, "list the backups", ct);
        try
        {
            // A receiver of an earlier version lists whole indexes (no objectCount): counted from their objects.
            return (await response.Content.ReadFromJsonAsync<List<ListedBackup>>(BackupNames.Json, ct) ?? [])
                .Select(b => new BackupSummary(b.Id, b.CreatedAt, b.ObjectCount ?? b.Objects?.Count ?? 0, b.Bytes ?? b.Objects?.Sum(o => o.Bytes) ?? 0)).ToList();
        }
        catch (JsonException e)
        {
            throw new BackupException($"{Name} answered the list of backups with something that is no list of backups.", e);
        }
    }

    private sealed record ListedBackup(string Id, DateTime CreatedAt, int? ObjectCount, long? Bytes, IReadOnlyList<BackupObjectRef>? Objects);

    public async Task<BackupIndex> GetIndexAsync(string id, CancellationToken ct = default)
    {
        using var response = await SendAsync(HttpMethod.Get, new Uri(_base, "backups/" + BackupNames.Require(id)), null, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            // A receiver of an earlier version has no GET …/backups/{id}; its listing holds the whole indexes.
            using var listing = await SendAsync(HttpMethod.Get, new Uri(_base, "backups"), null, HttpCompletionOption.ResponseContentRead, ct);
            if (listing.IsSuccessStatusCode)
                try
                {
                    if ((await listing.Content.ReadFromJsonAsync<List<ListedBackup>>(BackupNames.Json, ct))?.FirstOrDefault(b => b.Id == id) is { Objects: { } objects } whole)
                        return new BackupIndex(whole.Id, whole.CreatedAt, objects);
                }
                catch (JsonException) { /* no list of backups: as not found */ }
            throw new BackupException($"There is no backup {id} on {Name}.");
        }
        await EnsureAsync(response, $"read the index of backup {id}", ct);
        try
        {
            return await response.Content.ReadFromJsonAsync<BackupIndex>(BackupNames.Json, ct) is { Id: not null, Objects: not null } index && index.Id == id
                ? index
                : throw new BackupException($"{Name} answered the index of backup {id} with another backup or an empty one.");
        }
        catch (JsonException e)
        {
            throw new BackupException($"{Name} answered the index of backup {id} with something that is no backup index.", e);
        }
    }

    private Uri Objects(string name) => new(_base, "objects/" + BackupNames.Require(name));

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, HttpContent? content, HttpCompletionOption completion, CancellationToken ct)
    {
        // Not disposed: that would dispose the content, and with it the caller's stream (which the caller owns, as with a directory target).
        var request = new HttpRequestMessage(method, uri) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        try
        {
            return await _http.SendAsync(request, completion, ct);
        }
        catch (HttpRequestException e)
        {
            throw new BackupException($"The receiver {Name} ({uri.GetLeftPart(UriPartial.Authority)}) cannot be reached: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new BackupException($"The receiver {Name} did not answer within {Timeout.TotalHours:0} hours.", e);
        }
    }

    /// <summary>Turns an answer other than 2xx into a <see cref="BackupException"/> with the receiver's own explanation.</summary>
    private async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var hint = response.StatusCode == HttpStatusCode.Unauthorized ? " (is the token right, and not revoked on the receiver?)"
            : response.StatusCode == HttpStatusCode.NotFound ? " (is receiver mode on there, OpenIkz:Backup:Receive:Enabled?)" : "";
        throw new BackupException($"Could not {what} on {Name}: {(int)response.StatusCode} {await DetailAsync(response, ct)}{hint}");
    }

    /// <summary>Whether a 400 answer to a commit is about objects only (the receiver names each missing one as <c>objects[i]</c>).</summary>
    private static bool NamesMissingObjects(string body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            if (problem.RootElement.ValueKind != JsonValueKind.Object || !problem.RootElement.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Object) return false;
            var names = errors.EnumerateObject().Select(e => e.Name).ToList();
            return names.Count > 0 && names.All(n => System.Text.RegularExpressions.Regex.IsMatch(n, @"^objects\[\d+\]$"));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The detail of a problem document's text (and its field errors), or <paramref name="reason"/> when it is none.</summary>
    private static string DetailOf(string body, string? reason)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var problem = document.RootElement;
            if (problem.ValueKind != JsonValueKind.Object) return reason ?? "";
            var detail = problem.TryGetProperty("detail", out var d) ? d.GetString() : reason;
            if (problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
                detail += " " + string.Join("; ", errors.EnumerateObject().Select(e => $"{e.Name}: {string.Join(" ", e.Value.EnumerateArray().Select(m => m.GetString()))}"));
            return detail ?? "";
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return reason ?? "";
        }
    }

    /// <summary>The problem document's detail (and its field errors), or the bare status when there is none.</summary>
    private static async Task<string> DetailAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            if (response.Content.Headers.ContentLength is 0 || await response.Content.ReadFromJsonAsync<JsonElement>(ct) is not { ValueKind: JsonValueKind.Object } problem)
                return response.ReasonPhrase ?? "";
            var detail = problem.TryGetProperty("detail", out var d) ? d.GetString() : response.ReasonPhrase;
            if (problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
                detail += " " + string.Join("; ", errors.EnumerateObject().Select(e => $"{e.Name}: {string.Join(" ", e.Value.EnumerateArray().Select(m => m.GetString()))}"));
            return detail ?? "";
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            return response.ReasonPhrase ?? "";
        }
    }
}
