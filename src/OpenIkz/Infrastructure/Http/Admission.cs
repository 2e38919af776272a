using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Diagnostics;

namespace OpenIkz.Infrastructure.Http;

/// <summary>
/// Admission control (<c>OpenIkz:Admission</c>): at most <see cref="MaxConcurrent"/> requests are worked on at once, at
/// most <see cref="MaxQueue"/> wait for a place, none longer than <see cref="MaxQueueWaitMilliseconds"/>. A request
/// beyond that is answered at once with 503 and <c>Retry-After</c>. Without it, more requests than the instance can
/// serve all wait for the database pool together, each gets slower, and past the pool's time-out nearly every one fails
/// (the open-loop benchmark at 1,000/s on PostgreSQL). With it, an overload costs the requests beyond the capacity and
/// not the others.
/// </summary>
public sealed class AdmissionOptions
{
    public const string Section = "OpenIkz:Admission";

    public bool Enabled { get; set; } = true;

    /// <summary>Requests worked on at once. 0 (default): on PostgreSQL the database pool's size less 4 (a request holds one
    /// connection at a time; the rest stays for /health, the audit sealer and the jobs), 32 on SQLite.</summary>
    public int MaxConcurrent { get; set; }

    /// <summary>Requests that may wait for a place. 0 (default): eight times <see cref="MaxConcurrent"/>.</summary>
    public int MaxQueue { get; set; }

    /// <summary>The longest a request waits for a place before it is refused. Default 1,000 ms.</summary>
    public int MaxQueueWaitMilliseconds { get; set; } = 1000;
}

/// <summary>
/// Marks an endpoint the gate lets through: a long-lived stream (the waiting-room display's server-sent events), which
/// would otherwise hold a place for hours. Such an endpoint limits itself.
/// </summary>
public sealed class AdmissionExemptAttribute : Attribute;

/// <summary>The gate behind <see cref="AdmissionOptions"/>; one per instance. Health checks, static files and exempt endpoints pass untouched.</summary>
public sealed class Admission
{
    private static readonly Meter Meter = new("OpenIkz.Admission");
    private static readonly Counter<long> Refused = Meter.CreateCounter<long>("openikz.admission.refused", description: "Requests refused with 503 because the instance was full");

    /// <summary>Connections of the pool the default leaves to what does not pass the gate (/health, the sealer, the jobs).</summary>
    public const int ReservedConnections = 4;

    private readonly SemaphoreSlim _places;
    private readonly TimeSpan _maxWait;
    private int _waiting;

    public Admission(Microsoft.Extensions.Options.IOptions<AdmissionOptions> settings, Database.Db db)
    {
        var options = settings.Value;
        Enabled = options.Enabled;
        MaxConcurrent = options.MaxConcurrent > 0 ? options.MaxConcurrent : db.Kind == Database.DatabaseKind.Postgres ? Math.Max(4, db.MaxPoolSize - ReservedConnections) : 32;
        MaxQueue = options.MaxQueue > 0 ? options.MaxQueue : 8 * MaxConcurrent;
        _maxWait = TimeSpan.FromMilliseconds(Math.Max(0, options.MaxQueueWaitMilliseconds));
        _places = new SemaphoreSlim(MaxConcurrent, MaxConcurrent);
    }

    public bool Enabled { get; }
    public int MaxConcurrent { get; }
    public int MaxQueue { get; }

    /// <summary>Requests worked on now (for tests and diagnostics).</summary>
    public int InFlight => MaxConcurrent - _places.CurrentCount;

    /// <summary>A place, or false when the queue is full or the wait was too long. A true result must be followed by <see cref="Leave"/>.</summary>
    public async ValueTask<bool> EnterAsync(CancellationToken ct)
    {
        if (_places.Wait(0)) return true;
        if (Interlocked.Increment(ref _waiting) > MaxQueue)
        {
            Interlocked.Decrement(ref _waiting);
            return false;
        }
        try
        {
            return await _places.WaitAsync(_maxWait, ct);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    public void Leave() => _places.Release();

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!Enabled || Exempt(context))
        {
            await next(context);
            return;
        }
        bool admitted;
        try
        {
            admitted = await EnterAsync(context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // the client gave up while waiting
        }
        if (!admitted)
        {
            Refused.Add(1);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            if (StatusCodePages.IsApi(context.Request))
                await Problems.WriteAsync(context, 503, "Gerade ausgelastet", "Der Dienst ist gerade ausgelastet. Bitte in einer Sekunde erneut versuchen.");
            else
            {
                // A fixed German page, written here: the regular error page would run authentication (a database query)
                // for every refused request, just when the instance is full.
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.WriteAsync(BusyPage, context.RequestAborted);
            }
            return;
        }
        try
        {
            await next(context);
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>
    /// /health (the balancer must see an instance that is busy but alive), endpoints marked <see cref="AdmissionExemptAttribute"/>,
    /// and the error pages' re-execution (its request was admitted or refused already).
    /// </summary>
    private static bool Exempt(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/health")
        || context.GetEndpoint()?.Metadata.GetMetadata<AdmissionExemptAttribute>() is not null
        || context.Features.Get<IStatusCodeReExecuteFeature>() is not null
        || context.Features.Get<IExceptionHandlerFeature>() is not null;

    /// <summary>What a person is told when the instance is full (this page and the error page of a 503).</summary>
    public const string BusyTitle = "Gerade ausgelastet", BusyText = "Der Dienst ist gerade stark ausgelastet. Bitte laden Sie die Seite in einigen Sekunden neu.";

    /// <summary>The refusal page for browsers: German, in the site's styles (static files are never refused).</summary>
    internal const string BusyPage = $"""
        <!DOCTYPE html>
        <html lang="de">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{BusyTitle} – OpenIKZ</title>
        <link rel="stylesheet" href="/lib/kern/kern.min.css">
        </head>
        <body>
        <main class="kern-container" id="inhalt">
        <h1 class="kern-heading-large">{BusyTitle}</h1>
        <p class="kern-body">{BusyText}</p>
        <p class="kern-body"><a class="kern-link" href="/">Zur Startseite</a></p>
        </main>
        </body>
        </html>
        """;
}

public static class AdmissionSetup
{
    public static IServiceCollection AddOpenIkzAdmission(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AdmissionOptions>().Bind(configuration.GetSection(AdmissionOptions.Section))
            .Validate(o => o.MaxConcurrent >= 0 && o.MaxQueue >= 0 && o.MaxQueueWaitMilliseconds >= 0,
                $"Invalid {AdmissionOptions.Section} configuration: MaxConcurrent, MaxQueue and MaxQueueWaitMilliseconds must not be negative.")
            .ValidateOnStart();
        services.AddSingleton<Admission>();
        return services;
    }

    /// <summary>After the static files (a page's style sheet is never refused) and after routing (it reads the endpoint's marker).</summary>
    public static IApplicationBuilder UseAdmission(this IApplicationBuilder app)
    {
        var admission = app.ApplicationServices.GetRequiredService<Admission>();
        return app.Use(next => context => admission.InvokeAsync(context, next));
    }
}
