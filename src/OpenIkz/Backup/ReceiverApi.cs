using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Infrastructure;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backup;

/// <summary>
/// Receiver mode (<c>OpenIkz:Backup:Receive:Enabled</c>): partners store their encrypted backups here, append-only.
/// An object is written once (the same bytes again: 200; other bytes: 409, the stored file unchanged), an index is
/// committed once (again: 409), and nothing can be deleted over HTTP (no DELETE route: 405). Each partner sees only its
/// own space. Mapped only when receiver mode is on; otherwise the paths are unknown (404).
/// </summary>
public static class ReceiverApi
{
    public const string Prefix = "/api/v1/backup/receive";
    private const string ObjectsPath = Prefix + "/objects";
    private const string OctetStream = "application/octet-stream";

    /// <summary>A backup dated later than the receiver's clock by more than this is refused (it would outrank every later one in the retention).</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(10);

    /// <summary>The object uploads have their own body limit (<c>Receive:MaxObjectMegabytes</c>): raw bytes only, never buffered.</summary>
    public static long? BodyLimitFor(HttpRequest request, BackupReceiveOptions receive) =>
        receive.Enabled && HttpMethods.IsPut(request.Method) && request.Path.StartsWithSegments(ObjectsPath, StringComparison.OrdinalIgnoreCase)
        && IsOctetStream(request) ? receive.MaxObjectBytes : null;

    private static bool IsOctetStream(HttpRequest request) =>
        request.ContentType is { } type && type.Split(';')[0].Trim().Equals(OctetStream, StringComparison.OrdinalIgnoreCase);

    public static IEndpointRouteBuilder MapReceiverApi(this IEndpointRouteBuilder app)
    {
        var receive = app.MapGroup(Prefix).WithTags("Sicherungen (Empfang)").RequireAuthorization(BackupPolicies.Partner);

        // No Accepts metadata: routing would answer another content type with its own 415 ("send JSON") before the 401.
        receive.MapPut("/objects/{name}", PutObjectAsync)
            .WithName("ReceiveBackupObject").WithSummary("Stores an encrypted object once (raw body, application/octet-stream): new 201, the same bytes again 200, other bytes 409.")
            .ProducesProblem(400).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415);
        receive.MapMethods("/objects/{name}", [HttpMethods.Get, HttpMethods.Head], GetObjectAsync)
            .WithName("GetReceivedBackupObject").WithSummary("Reads an object of the caller's own space (HEAD: whether it is stored).").ProducesProblem(404);
        receive.MapPost("/backups", CommitAsync)
            .WithName("CommitReceivedBackup").WithSummary("Commits a backup's index once all its objects are stored; an existing id is 409.")
            .ProducesProblem(400).ProducesProblem(409);
        receive.MapGet("/backups", async (ClaimsPrincipal user, ReceiverStore store, CancellationToken ct) =>
                TypedResults.Ok(await store.For(user.PartnerName()).ListAsync(ct)))
            .WithName("ListReceivedBackups").WithSummary("The caller's committed backups, oldest first: id, createdAt, objectCount and bytes (no object lists).");
        receive.MapGet("/backups/{id}", GetIndexAsync)
            .WithName("GetReceivedBackup").WithSummary("One committed backup's whole index (its objects with sizes and SHA-256).").ProducesProblem(404);
        return app;
    }

    private static async Task<Results<Created, Ok, ProblemHttpResult, ValidationProblem>> PutObjectAsync(
        string name, HttpRequest request, ClaimsPrincipal user, ReceiverStore store, CancellationToken ct)
    {
        if (!BackupNames.IsValid(name)) return InvalidName("name", name);
        if (!IsOctetStream(request))
            return TypedResults.Problem(statusCode: 415, title: Problems.TitleFor(415), detail: "Bitte die Bytes des Objekts roh senden (Content-Type: application/octet-stream).", type: Problems.TypeFor(415));
        var target = store.For(user.PartnerName());
        var existed = await target.HasObjectAsync(name, ct);
        try
        {
            await target.PutObjectAsync(name, request.Body, ct);
        }
        catch (BackupException)
        {
            return Conflict($"Das Objekt '{name}' ist schon mit anderem Inhalt gespeichert; es wird nicht ersetzt.");
        }
        return existed ? TypedResults.Ok() : TypedResults.Created($"{ObjectsPath}/{name}");
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult, ValidationProblem>> GetObjectAsync(
        string name, ClaimsPrincipal user, ReceiverStore store, CancellationToken ct)
    {
        if (!BackupNames.IsValid(name)) return InvalidName("name", name);
        var target = store.For(user.PartnerName());
        if (!await target.HasObjectAsync(name, ct)) return Problems.NotFound($"Das Objekt '{name}' ist nicht gespeichert.");
        return TypedResults.File(await target.OpenObjectAsync(name, ct), OctetStream);
    }

    private static async Task<Results<Ok<BackupIndex>, ProblemHttpResult, ValidationProblem>> GetIndexAsync(
        string id, ClaimsPrincipal user, ReceiverStore store, CancellationToken ct)
    {
        if (!BackupNames.IsValid(id)) return InvalidName("id", id);
        var target = store.For(user.PartnerName());
        try
        {
            return TypedResults.Ok(await target.GetIndexAsync(id, ct));
        }
        catch (BackupException) when (!target.HasIndex(id))
        {
            return Problems.NotFound($"Die Sicherung '{id}' ist nicht gespeichert."); // never stored, or removed by the retention
        }
        catch (BackupException)
        {
            return TypedResults.Problem(statusCode: 409, title: Problems.TitleFor(409), type: Problems.TypeFor(409),
                detail: $"Der Index der Sicherung '{id}' ist hier beschädigt und kann nicht gelesen werden; bitte den Betrieb des Empfängers verständigen.");
        }
    }

    private static async Task<Results<Created<BackupIndex>, ProblemHttpResult, ValidationProblem>> CommitAsync(
        BackupIndex? index, ClaimsPrincipal user, ReceiverStore store, Db db, AuditLog audit, TimeProvider clock, ILoggerFactory loggers, CancellationToken ct)
    {
        var partner = user.PartnerName();
        var target = store.For(partner);
        if (Check(index, clock.GetUtcNow().UtcDateTime) is { Count: > 0 } invalid) return Problems.Validation(invalid);
        await store.Gate.WaitAsync(ct);
        try
        {
            var existing = await target.ListAsync(ct);
            if (existing.Any(b => b.Id == index!.Id)) return Conflict($"Die Sicherung '{index!.Id}' ist schon gespeichert; sie wird nicht ersetzt.");
            if (existing.Count > 0 && index!.CreatedAt <= existing.Max(b => b.CreatedAt))
                return Problems.Validation(new ValidationErrors { ["createdAt"] = ["Die Sicherung ist nicht jünger als die neueste gespeicherte; Sicherungen werden nur in zeitlicher Folge angenommen."] });
            if (await MissingObjectsAsync(target, index!, ct) is { Count: > 0 } missing) return Problems.Validation(missing, "Nicht alle Objekte der Sicherung sind vollständig gespeichert.");
            try
            {
                await target.CommitAsync(index!, ct);
            }
            catch (BackupException)
            {
                return Conflict($"Die Sicherung '{index!.Id}' ist schon gespeichert; sie wird nicht ersetzt.");
            }
        }
        finally
        {
            store.Gate.Release();
        }
        await RecordAsync(db, audit, partner, index!, ct);
        loggers.CreateLogger(typeof(ReceiverApi)).LogInformation("Received backup {BackupId} of partner {Partner}: {Objects} objects, {Bytes} bytes", index!.Id, partner, index.Objects.Count, index.Bytes);
        return TypedResults.Created($"{Prefix}/backups", index);
    }

    /// <summary>The index's own fields: a valid id, a time not ahead of the receiver's clock, objects with valid names, sizes and SHA-256.</summary>
    private static ValidationErrors Check(BackupIndex? index, DateTime nowUtc)
    {
        var errors = new ValidationErrors();
        if (index is null)
        {
            errors.Add("$", "Bitte den Index der Sicherung als JSON senden.");
            return errors;
        }
        if (!BackupNames.IsValid(index.Id)) errors.Add("id", NameRule);
        if (index.CreatedAt == default) errors.Add("createdAt", "Der Zeitpunkt der Sicherung fehlt.");
        else if (index.CreatedAt.ToUniversalTime() > nowUtc + MaxClockSkew) errors.Add("createdAt", "Der Zeitpunkt der Sicherung liegt in der Zukunft (Uhr des Senders prüfen).");
        if (index.Objects is null) errors.Add("objects", "Die Liste der Objekte fehlt.");
        else
            for (var i = 0; i < index.Objects.Count; i++)
            {
                var o = index.Objects[i];
                if (o is null) errors.Add($"objects[{i}]", "Das Objekt fehlt.");
                else if (!BackupNames.IsValid(o.Name)) errors.Add($"objects[{i}].name", NameRule);
                else if (o.Bytes < 0) errors.Add($"objects[{i}].bytes", "Die Größe ist nicht negativ.");
                else if (o.Sha256 is not { Length: 64 } sha || !sha.All(char.IsAsciiHexDigitLower)) errors.Add($"objects[{i}].sha256", "Der SHA-256 besteht aus 64 Hexadezimalziffern (klein).");
            }
        return errors;
    }

    private static async Task<ValidationErrors> MissingObjectsAsync(DirectoryBackupTarget target, BackupIndex index, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        for (var i = 0; i < index.Objects.Count; i++)
        {
            var o = index.Objects[i];
            if (!await target.HasObjectAsync(o.Name, ct)) errors.Add($"objects[{i}]", $"Das Objekt '{o.Name}' ist nicht gespeichert.");
            else if (target.ObjectLength(o.Name) != o.Bytes) errors.Add($"objects[{i}]", $"Das Objekt '{o.Name}' ist anders groß als angegeben ({o.Bytes} Bytes).");
        }
        return errors;
    }

    /// <summary>One audit entry per committed backup; the actor is the partner (no user, no municipality: actor_ags 00000000).</summary>
    private static Task RecordAsync(Db db, AuditLog audit, string partner, BackupIndex index, CancellationToken ct) =>
        db.InTransactionAsync((c, tx) => audit.AppendAsync(c, tx, new Actor(null, null, "backup-partner:" + partner, "Sicherungspartner " + partner, "00000000", false, []),
            new AuditEntry(ReceivedAction, null, null, null, JsonSerializer.Serialize(new { partner, id = index.Id, bytes = index.Bytes }))), ct);

    public const string ReceivedAction = "backup.received";

    private const string NameRule = "Erlaubt sind Kleinbuchstaben a–z, Ziffern und '-' (höchstens 100 Zeichen, nicht mit '-' am Anfang).";

    private static ValidationProblem InvalidName(string field, string name) =>
        Problems.Validation(new ValidationErrors { [field] = [$"'{Shorten(name)}' ist kein gültiger Name. {NameRule}"] });

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: 409, title: Problems.TitleFor(409), detail: detail, type: Problems.TypeFor(409));
}
