using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.Json;

namespace OpenIkz.Infrastructure.Http;

/// <summary>
/// The one JSON reading policy of the HTTP API. Every JSON body of a write request is checked before any endpoint
/// sees it: it must be valid UTF-8 (no overlong forms, no encoded surrogates), well-formed JSON (no comments,
/// no trailing commas, at most 32 levels deep), without duplicate keys in an object, without escaped lone
/// surrogates (<c>"\uD800"</c>) and without NUL characters in strings (PostgreSQL cannot store them, and no field
/// takes one). A body that breaks a rule is answered with a 400 problem naming the place (<c>$</c> for the whole
/// body, else the JSON path such as <c>applicant.givenName</c>). Binding is strict too: numbers must be JSON
/// numbers (<c>"userId":"70"</c> is refused), and a type mismatch is a 400 naming the field.
/// </summary>
public static class StrictJson
{
    public const int MaxDepth = 32;

    public sealed record Violation(string Path, string Message);

    public static IServiceCollection AddStrictJsonInput(this IServiceCollection services)
    {
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            o.SerializerOptions.AllowDuplicateProperties = false;
            o.SerializerOptions.MaxDepth = MaxDepth;
        });
        // Binding failures reach ProblemExceptionHandler, which names the field of a JsonException.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    /// <summary>Checks JSON bodies of POST, PUT, PATCH and DELETE requests to an API endpoint (after authorization: a caller who may not write is not read).</summary>
    public static IApplicationBuilder UseStrictJsonBodies(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (context.GetEndpoint() is null || !request.Path.StartsWithSegments("/api") || !HasJsonBody(request))
        {
            await next();
            return;
        }
        var body = await ReadBodyAsync(request, context.RequestAborted); // a body over the limit throws BadHttpRequestException (413)
        if (body.Length > 0 && Check(body.Span) is { } violation)
        {
            await Problems.WriteAsync(context, 400, "Die Eingaben sind ungültig.", "Der Inhalt ist kein zulässiges JSON: " + violation.Message,
                new Dictionary<string, string[]> { [violation.Path] = [violation.Message] });
            return;
        }
        // The endpoint reads the same bytes: through the body stream (model binding) or whole (BufferedBody.Of).
        context.Features.Set(new BufferedBody(body));
        request.Body = BufferedBody.Stream(body);
        await next();
    });

    /// <summary>Bodies up to this size are read into an array of their declared length; larger ones grow as they arrive (a declared length alone allocates nothing big).</summary>
    private const long ExactBodyBytes = 4 * 1024 * 1024;

    /// <summary>
    /// The request body, read once: straight into an array of exactly Content-Length bytes when the client sent one of at
    /// most 4 MB within the size limit (no growing buffer); otherwise through a growing buffer (not copied out of it),
    /// where the server's limit stops an oversized body with 413 while it is read.
    /// </summary>
    public static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        var limit = request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        if (request.ContentLength is { } length && limit is { } max && length <= Math.Min(max, ExactBodyBytes))
        {
            // An application with its attachments goes into a pooled buffer (PooledBytes), given back when the request ends.
            var pooled = PooledBytes.RentFor(length);
            if (pooled is not null) request.HttpContext.Response.RegisterForDispose(new PooledBytes.Lease(pooled));
            var body = pooled is null ? new byte[length] : pooled.AsMemory(0, (int)length);
            await request.Body.ReadExactlyAsync(body, ct);
            return body;
        }
        var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static bool HasJsonBody(HttpRequest request) =>
        (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsDelete(request.Method))
        && request.ContentType is { } type && type.Split(';')[0].Trim() is var media
        && (media.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private sealed class Frame(bool isObject)
    {
        public bool IsObject { get; } = isObject;
        public HashSet<string>? Keys { get; } = isObject ? new(StringComparer.Ordinal) : null;
        public string? Name { get; set; }
        public int Index { get; set; } = -1;
    }

    /// <summary>Null when the body follows the rules, otherwise the first violation with its path and German message.</summary>
    public static Violation? Check(ReadOnlySpan<byte> body)
    {
        if (body.StartsWith("\xEF\xBB\xBF"u8)) body = body[3..];
        if (!Utf8.IsValid(body)) return new("$", "Der Inhalt ist kein gültiges UTF-8 (ungültige oder überlange Bytefolge).");
        var frames = new List<Frame>();
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false });
        try
        {
            while (reader.Read())
            {
                var top = frames.Count > 0 ? frames[^1] : null;
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        if (top is { IsObject: false }) top.Index++;
                        frames.Add(new Frame(reader.TokenType == JsonTokenType.StartObject));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        top!.Name = null;
                        if (Decode(ref reader) is not { } name) return new(PathOf(frames), "Ein Feldname enthält ein unvollständiges Unicode-Zeichen (einzelnes Surrogat).");
                        if (name.Contains('\0')) return new(PathOf(frames), "Ein Feldname enthält ein Null-Zeichen.");
                        top.Name = name;
                        if (!top.Keys!.Add(name)) return new(PathOf(frames), $"Das Feld '{name}' kommt mehrfach vor.");
                        break;
                    default:
                        if (top is { IsObject: false }) top.Index++;
                        if (reader.TokenType == JsonTokenType.String && reader.ValueIsEscaped)
                        {
                            // Unescaped strings are plain UTF-8 (checked above) and cannot hold a control character.
                            var value = Decode(ref reader);
                            if (value is null) return new(PathOf(frames), "Der Text enthält ein unvollständiges Unicode-Zeichen (einzelnes Surrogat).");
                            if (value.Contains('\0')) return new(PathOf(frames), "Der Text enthält ein Null-Zeichen.");
                        }
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            return new("$", reader.CurrentDepth >= MaxDepth
                ? $"Der Inhalt ist tiefer als {MaxDepth} Ebenen verschachtelt."
                : $"Der Inhalt ist kein gültiges JSON (Zeile {e.LineNumber + 1}, Position {e.BytePositionInLine + 1}).");
        }
        return null;
    }

    private static string? Decode(ref Utf8JsonReader reader)
    {
        try { return reader.GetString(); }
        catch (InvalidOperationException) { return null; }
    }

    /// <summary>"applicant.address.city", "attachments[0].fileName", "$" for the root.</summary>
    private static string PathOf(List<Frame> frames)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < frames.Count; i++)
        {
            var f = frames[i];
            if (f.IsObject)
            {
                if (f.Name is null) continue;
                if (sb.Length > 0) sb.Append('.');
                sb.Append(f.Name);
            }
            else if (f.Index >= 0) sb.Append('[').Append(f.Index).Append(']');
        }
        return sb.Length == 0 ? "$" : sb.ToString();
    }

    /// <summary>A serializer path ("$.members[0].ags") as the field name of a problem ("members[0].ags"); the root stays "$".</summary>
    public static string FieldOf(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) || jsonPath == "$" ? "$" : jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');
}

/// <summary>A JSON body the strict-JSON check has read already (a request feature): an endpoint that wants the bytes takes them from here instead of reading them again.</summary>
public sealed class BufferedBody(ReadOnlyMemory<byte> bytes)
{
    public ReadOnlyMemory<byte> Bytes { get; } = bytes;

    /// <summary>The request's body bytes: the buffered ones, or read now (once) when no check buffered them.</summary>
    public static async Task<ReadOnlyMemory<byte>> Of(HttpRequest request, CancellationToken ct) =>
        request.HttpContext.Features.Get<BufferedBody>()?.Bytes ?? await StrictJson.ReadBodyAsync(request, ct);

    /// <summary>A read-only stream over the bytes (no copy).</summary>
    internal static Stream Stream(ReadOnlyMemory<byte> bytes) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false, publiclyVisible: false) // GetBuffer() would show a pooled array's bytes past the body
            : new MemoryStream(bytes.ToArray(), writable: false);
}
