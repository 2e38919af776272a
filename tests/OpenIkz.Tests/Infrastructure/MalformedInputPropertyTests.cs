using System.Collections;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsCheck;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Tests.Backoffice;
using Xunit.Abstractions;
using static OpenIkz.Tests.Backoffice.Agreements;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>
/// Property: every write endpoint of the route table (POST, PUT, PATCH, DELETE under /api) answers generated malformed
/// JSON and Unicode with a 4xx problem document, and afterwards no table has a row more or less and the data directory
/// has no new file. Bodies: broken syntax, invalid UTF-8 (overlong forms, encoded surrogates, stray bytes), escaped
/// lone surrogates, NUL, duplicate keys, deep nesting, and for endpoints with a request type, its fields with wrong
/// types, numbers as strings, huge numbers, impossible or out-of-range dates, bidi overrides. Runs on SQLite and PostgreSQL.
/// </summary>
public abstract class MalformedInputPropertyTests(OpenIkzApp fixture, ITestOutputHelper output)
{
    private OpenIkzApp app => fixture.Require();

    private const int CasesPerEndpoint = 40;

    private sealed record Target(string Method, string Path, string Template, Type? RequestType, IReadOnlyList<(string Name, Type Type)> Fields, HttpClient Client, bool Intake);

    private sealed record BadBody(string Kind, byte[] Bytes)
    {
        public override string ToString()
        {
            var text = Encoding.UTF8.GetString(Bytes);
            return $"{Kind}: {text[..Math.Min(text.Length, 300)]} (hex {Convert.ToHexString(Bytes[..Math.Min(Bytes.Length, 60)])})";
        }
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    private static byte[] U(string s) => Encoding.UTF8.GetBytes(s);

    // --- generators -------------------------------------------------------------------------------------------

    private static readonly byte[][] InvalidUtf8 =
    [
        [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xFF], [0xFE], [0x80], [0xE2, 0x82], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC3],
    ];

    private static readonly string[] BrokenSyntax =
    [
        "{", "}", "{\"a\":}", "{\"a\":1,}", "{'a':1}", "{a:1}", "[1,2", "{\"a\":1} x", "/*c*/{}", "nul", "\"unterminated", "{\"a\":\"\\x\"}",
        "{\"a\":01}", "{\"a\":.5}", "{\"a\":+1}", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\" 1}", "{,}", "\u00EF\u00BB\u00BF{", "{\"a\":\"\t\"}",
    ];

    /// <summary>Values that are wrong whatever the field: escaped lone surrogates and NUL (refused by the JSON policy for every string).</summary>
    private static readonly string[] PoisonStrings = ["\"\\uD800\"", "\"\\uDBFF\"", "\"x\\uDC00\"", "\"\\uDE00\\uD83D\"", "\"a\\u0000b\"", "\"\\u0000\""];

    private static string[] WrongValuesFor(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(string))
            return [.. PoisonStrings, "5", "1e400", "true", "[]", "{}", "\"rechnung\\u202Efdp.exe\"", "\"\\u2066x\\u2069\"", "\"\\u202Bx\""];
        if (t == typeof(long) || t == typeof(int))
            return ["\"70\"", "\"0x46\"", "1e400", "99999999999999999999999", "-1.5", "true", "\"\"", "{}", "[1]", "1e3x"];
        if (t == typeof(DateOnly))
            return ["\"9999-12-31\"", "\"9999-12-30\"", "\"0001-01-01\"", "\"1999-12-31\"", "\"2026-02-30\"", "\"31.12.2026\"", "20260101", "\"\"", "\"9999-99-99\"", "true", .. PoisonStrings];
        if (t == typeof(bool))
            return ["\"true\"", "1", "\"ja\"", "[]", "{}"];
        if (t == typeof(JsonElement))
            return [.. PoisonStrings, "{\"a\":\"\\u0000\"}", "[\"\\uD800\"]"];
        if (t.IsGenericType && typeof(IEnumerable).IsAssignableFrom(t))
            return ["\"x\"", "{}", "5", "[1]", "[[]]", "[\"\\uD800\"]", "[{\"ags\":5}]", "[\"a\\u0000\"]", "true"];
        return ["\"x\"", "5", "[]", .. PoisonStrings];
    }

    private static Gen<BadBody> Bodies(Target target)
    {
        var names = target.Fields.Count > 0 ? target.Fields.Select(f => f.Name).ToArray() : ["service", "text", "x"];
        var name = Gen.OneOf(names);
        var syntax = Gen.OneOf(BrokenSyntax).Select(s => new BadBody("syntax", U(s)));
        var utf8 = Gen.Select(name, Gen.OneOf(InvalidUtf8), Gen.Int[0, 3], (n, bad, pad) =>
            new BadBody("invalid UTF-8", [.. U($"{{\"{n}\":\"ab{new string('c', pad)}"), .. bad, .. U("\"}")]));
        var utf8Key = Gen.OneOf(InvalidUtf8).Select(bad => new BadBody("invalid UTF-8 key", [.. U("{\""), .. bad, .. U("\":1}")]));
        var poison = Gen.Select(name, Gen.OneOf(PoisonStrings), (n, v) => new BadBody("surrogate/NUL", U($"{{\"{n}\":{v}}}")));
        var poisonKey = Gen.OneOf("\\uD800", "\\uDFFF", "a\\u0000").Select(k => new BadBody("surrogate/NUL key", U($"{{\"{k}\":1}}")));
        var duplicate = Gen.Select(name, Gen.OneOf("null", "1", "\"a\"", "\"2026-01-01\"", "[]"), Gen.OneOf("null", "2", "\"b\""), (n, a, b) =>
            new BadBody("duplicate key", U($"{{\"{n}\":{a},\"{n}\":{b}}}")));
        var deep = Gen.Select(Gen.Int[33, 300], Gen.Bool, (depth, arrays) => new BadBody("deep nesting",
            U(arrays ? new string('[', depth) + new string(']', depth) : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth))));
        var framing = Gen.OneOf<BadBody>(syntax, utf8, utf8Key, poison, poisonKey, duplicate, deep);
        if (target.RequestType is null && !target.Intake) return framing; // no body is read: only what the JSON policy refuses for every endpoint

        // Typed: one to three fields of the request, each with a wrong value for its type (and maybe one more unknown field).
        var typedFields = target.Fields.Count > 0 ? target.Fields : [("x", typeof(string))];
        var field = Gen.Int[0, typedFields.Count - 1].SelectMany(i => Gen.Int[0, WrongValuesFor(typedFields[i].Type).Length - 1]
            .Select(j => (typedFields[i].Name, WrongValuesFor(typedFields[i].Type)[j])));
        var typed = field.Array[1, 3].Select(fs => new BadBody("wrong values",
            U("{" + string.Join(",", fs.DistinctBy(f => f.Name).Select(f => $"\"{f.Name}\":{f.Item2}")) + "}")));
        return Gen.Frequency<BadBody>((3, framing), (2, typed));
    }

    // --- the property -----------------------------------------------------------------------------------------

    [SkippableFact]
    public async Task EveryWriteEndpoint_AnswersGeneratedMalformedInput_With4xxProblem_AndLeavesNothingBehind()
    {
        var targets = await TargetsAsync();
        Assert.True(targets.Count >= 15, $"only {targets.Count} write endpoints found");
        var outcomes = new SortedDictionary<string, int>();
        var total = 0;
        foreach (var target in targets)
        {
            var gen = Bodies(target);
            await gen.SampleAsync(async body =>
            {
                var before = await InputSnapshot.TakeAsync(app);
                var request = new HttpRequestMessage(new HttpMethod(target.Method), target.Path) { Content = new ByteArrayContent(body.Bytes) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                if (target.Intake) request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
                var response = await target.Client.SendAsync(request);
                var status = (int)response.StatusCode;
                var text = await response.Content.ReadAsStringAsync();
                lock (outcomes)
                {
                    total++;
                    var key = $"{status}";
                    outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
                }
                // 401 only from the sign-in endpoint (wrong credentials): everywhere else the caller is signed in and the body is what is refused.
                Assert.True(status is >= 400 and < 500 && (status != 401 || target.Template.StartsWith("/api/v1/auth", StringComparison.Ordinal)), $"{target.Method} {target.Path} answered {status} to {body}: {text[..Math.Min(text.Length, 400)]}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                var diff = before.Diff(await InputSnapshot.TakeAsync(app));
                Assert.True(diff.Count == 0, $"{target.Method} {target.Path} left {string.Join(", ", diff)} after {body}");
            }, iter: CasesPerEndpoint, threads: 1);
        }
        output.WriteLine($"{app.Database}: {total} generated inputs on {targets.Count} write endpoints; statuses: {string.Join(", ", outcomes.Select(o => $"{o.Key} × {o.Value}"))}");
        foreach (var t in targets) output.WriteLine($"  {t.Method} {t.Template}");
        Assert.Equal(targets.Count * CasesPerEndpoint, total);
    }

    private async Task<List<Target>> TargetsAsync()
    {
        // What the callers act on: a Frankenthal case the team lead may see, a Harz agreement the Thale coordinator is a member of.
        var caseId = await (await app.PortalAsync(BackofficeFixture.Frankenthal)).SubmitOkAsync(BackofficeFixture.KfzApplication(familyName: "Eigenschaft"));
        var agreementId = await app.CreateAgreementAsync(["elterngeld"], [(Thale, true, true), (Halberstadt, true, true)]);
        var portal = await app.PortalAsync(BackofficeFixture.Frankenthal);
        var lead = await app.ApiAsAsync("frankenthal.teamleitung");
        var coordinator = await app.ApiAsAsync("thale.koordination");
        var admin = await app.ApiAsAsync("frankenthal.admin");
        var anonymous = app.Api();

        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        var targets = new List<Target>();
        foreach (var e in endpoints)
        {
            var template = "/" + (e.RoutePattern.RawText ?? "").TrimStart('/');
            if (!template.StartsWith("/api/", StringComparison.Ordinal)) continue;
            foreach (var method in e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
            {
                if (method is not ("POST" or "PUT" or "PATCH" or "DELETE")) continue;
                var path = Regex.Replace(template, @"\{(\w+)(:[^}]*)?\}", m => m.Groups[1].Value == "id" && template.Contains("/agreements") ? agreementId.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : m.Groups[1].Value == "id" ? caseId : "x");
                var requestType = e.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
                var intake = template == "/api/v1/applications";
                IReadOnlyList<(string, Type)> fields = intake
                    ? [("service", typeof(string)), ("caseGroup", typeof(string)), ("municipality", typeof(string)), ("applicant", typeof(JsonElement)), ("form", typeof(JsonElement)), ("attachments", typeof(List<JsonElement>))]
                    : requestType is null || requestType == typeof(JsonElement) ? []
                    : requestType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => (Camel(p.Name), p.PropertyType)).ToList();
                var client = intake ? portal
                    : template.StartsWith("/api/v1/auth", StringComparison.Ordinal) ? anonymous
                    : template.StartsWith("/api/v1/users", StringComparison.Ordinal) ? admin
                    : template.StartsWith("/api/v1/agreements", StringComparison.Ordinal) ? coordinator
                    : lead;
                targets.Add(new Target(method, path, template, intake ? typeof(JsonElement) : requestType, fields, client, intake));
            }
        }
        return targets;
    }
}

public sealed class MalformedInputPropertyTestsSqlite(SqliteApp app, ITestOutputHelper output) : MalformedInputPropertyTests(app, output), IClassFixture<SqliteApp>;
public sealed class MalformedInputPropertyTestsPostgres(PostgresApp app, ITestOutputHelper output) : MalformedInputPropertyTests(app, output), IClassFixture<PostgresApp>;
