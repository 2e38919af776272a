using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenIkz.Infrastructure.Http;

namespace OpenIkz.Infrastructure;

/// <summary>RFC 9457 problem details, the one error format of the HTTP API.</summary>
public static class Problems
{
    public static Task WriteAsync(HttpContext context, int status, string title, string detail, IDictionary<string, string[]>? errors = null,
        Dictionary<string, object?>? extensions = null)
    {
        if (context.Response.HasStarted) return Task.CompletedTask;
        context.Response.StatusCode = status;
        var problem = errors is null
            ? new ProblemDetails { Status = status, Title = title, Detail = detail }
            : new HttpValidationProblemDetails(errors) { Status = status, Title = title, Detail = detail };
        problem.Type = TypeFor(status);
        foreach (var (key, value) in extensions ?? []) problem.Extensions[key] = value;
        problem.Instance = context.Features.Get<IExceptionHandlerPathFeature>()?.Path ?? context.Request.Path;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = problem,
        }).AsTask();
    }

    public static ValidationProblem Validation(IDictionary<string, string[]> errors, string detail = "Bitte die markierten Felder korrigieren.") =>
        TypedResults.ValidationProblem(errors, detail: detail, title: "Die Eingaben sind ungültig.", type: TypeFor(400));

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(statusCode: 404, title: "Nicht gefunden", detail: detail, type: TypeFor(404));

    public static string TypeFor(int status) => status switch
    {
        400 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.1",
        401 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2",
        403 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4",
        404 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.5",
        405 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.6",
        409 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.10",
        413 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14",
        415 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.16",
        422 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.21",
        429 => "https://www.rfc-editor.org/rfc/rfc6585#section-4",
        503 => "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4",
        _ => "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.1",
    };

    public static string TitleFor(int status) => status switch
    {
        400 => "Ungültige Anfrage",
        401 => "Nicht angemeldet",
        403 => "Keine Berechtigung",
        404 => "Nicht gefunden",
        405 => "Methode nicht erlaubt",
        409 => "Konflikt",
        413 => "Anfrage zu groß",
        415 => "Format nicht unterstützt",
        429 => "Zu viele Anfragen",
        _ => status >= 500 ? "Interner Fehler" : "Fehler",
    };

    public static string DetailFor(int status, HttpContext context) => status switch
    {
        404 => $"Unter '{context.Request.Path}' gibt es nichts.",
        405 => $"'{context.Request.Method}' ist hier nicht erlaubt.",
        413 => "Die Anfrage ist größer als erlaubt.",
        415 => "Bitte JSON senden (Content-Type: application/json).",
        _ when status >= 500 => "Die Anfrage konnte nicht bearbeitet werden. Der Fehler wurde protokolliert.",
        _ => "Die Anfrage ist fehlerhaft.",
    };
}

/// <summary>Turns exceptions into problem details: validation failures into 400 with field errors, the kernel's
/// not-found and rule exceptions into 404 and 409, what a module mapped (<see cref="ProblemMapping"/>) as it said,
/// a too-large body into 413, malformed JSON into 400; anything else into a 500 without internals.</summary>
public sealed class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger, IEnumerable<ProblemMapping> mappings) : IExceptionHandler
{
    // UseExceptionHandler has already rewritten Request.Path to the error page: the original path is in the feature.
    private static string OriginalPath(HttpContext context) => context.Features.Get<IExceptionHandlerPathFeature>()?.Path ?? context.Request.Path;

    /// <summary>The path for the log: a secret in it (an appointment's manage token) is replaced by "…".</summary>
    internal static string LoggedPath(string path) => SecretInPath.Replace(path, "$1…");

    private static readonly System.Text.RegularExpressions.Regex SecretInPath = new(
        "(/Termine/Verwalten/|/api/v1/appointments/)[A-Za-z0-9_-]{20,}", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static bool IsApi(HttpContext context)
    {
        var path = OriginalPath(context);
        return path.StartsWith("/api", StringComparison.OrdinalIgnoreCase) || path.StartsWith("/openapi", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// A request the framework could not read: a form with characters it refuses (NUL), a body that is not what its
    /// headers say. The client's fault: the API answers 400. (Pages: MVC answers such a form with 400 itself.)
    /// </summary>
    public static bool IsMalformedRequest(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is InvalidDataException or BadHttpRequestException or Microsoft.AspNetCore.Mvc.ModelBinding.ValueProviderException) return true;
        return false;
    }

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (!IsApi(context) && exception is not OperationCanceledException)
        {
            // Browsers get the German error page: UseExceptionHandler re-executes /Fehler/500.
            logger.LogError("Unhandled {ExceptionType} while handling {Method} {Path}: {StackTrace}", exception.GetType().FullName, context.Request.Method, LoggedPath(OriginalPath(context)), exception.StackTrace);
            return false;
        }
        switch (exception)
        {
            case ValidationException v:
                await Problems.WriteAsync(context, 400, "Die Eingaben sind ungültig.", "Bitte die markierten Felder korrigieren.", v.Errors);
                return true;
            case NotFoundException notFound:
                await Problems.WriteAsync(context, 404, "Nicht gefunden", notFound.Message);
                return true;
            case RuleException rule:
                await Problems.WriteAsync(context, 409, "Nicht möglich", rule.Message, extensions: new() { ["rule"] = rule.Rule });
                return true;
            case var mapped when mappings.FirstOrDefault(m => m.ExceptionType.IsInstanceOfType(mapped)) is { } mapping:
                var spec = mapping.Map(mapped);
                await Problems.WriteAsync(context, spec.Status, spec.Title, spec.Detail, spec.Errors, spec.Extensions);
                return true;
            case BadHttpRequestException { StatusCode: 400, InnerException: System.Text.Json.JsonException json }:
                // The body is JSON but does not fit the request's type: name the field (strict numbers: "userId":"70" is no number).
                var field = StrictJson.FieldOf(json.Path);
                await Problems.WriteAsync(context, 400, "Die Eingaben sind ungültig.", "Der Inhalt ist kein gültiges JSON oder passt nicht zum erwarteten Format.",
                    new Dictionary<string, string[]> { [field] = [field == "$"
                        ? "Der Inhalt ist kein gültiges JSON oder passt nicht zum erwarteten Format."
                        : $"Das Feld '{field}' hat einen unzulässigen Wert oder Typ (Zahlen als JSON-Zahl, Daten als JJJJ-MM-TT, Texte als Text)."] });
                return true;
            case BadHttpRequestException b:
                var status = b.StatusCode;
                var detail = status == 413 ? Problems.DetailFor(413, context) : status == 415 ? Problems.DetailFor(415, context) : "Die Anfrage ist fehlerhaft.";
                await Problems.WriteAsync(context, status, Problems.TitleFor(status), detail);
                return true;
            case var malformed when IsMalformedRequest(malformed):
                await Problems.WriteAsync(context, 400, Problems.TitleFor(400), Problems.DetailFor(400, context));
                return true;
            case OperationCanceledException when context.RequestAborted.IsCancellationRequested:
                return true;
            case Npgsql.NpgsqlException { InnerException: TimeoutException }:
                // The instance's connection pool stayed exhausted (or the server did not answer) for the pool's Timeout:
                // the service is busy, not broken. The client may try again shortly.
                logger.LogWarning("No database connection within the time-out while handling {Method} {Path}", context.Request.Method, LoggedPath(OriginalPath(context)));
                context.Response.Headers.RetryAfter = "5";
                await Problems.WriteAsync(context, 503, "Gerade ausgelastet", "Der Dienst ist gerade ausgelastet. Bitte in wenigen Sekunden erneut versuchen.");
                return true;
            default:
                // Only the type and the request path are logged: exception messages may quote user input.
                logger.LogError("Unhandled {ExceptionType} while handling {Method} {Path}: {StackTrace}", exception.GetType().FullName, context.Request.Method, LoggedPath(OriginalPath(context)), exception.StackTrace);
                await Problems.WriteAsync(context, 500, Problems.TitleFor(500), Problems.DetailFor(500, context));
                return true;
        }
    }
}
