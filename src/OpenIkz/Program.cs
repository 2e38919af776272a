using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenIkz.Agreements;
using OpenIkz.Appointments;
using OpenIkz.Assessment;
using OpenIkz.Backoffice;
using OpenIkz.Backup;
using OpenIkz.Cli;
using OpenIkz.Demo;
using OpenIkz.Directory;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure;
using OpenIkz.Infrastructure.Http;
using OpenIkz.Registry;

namespace OpenIkz;

public partial class Program
{
    public const string DefaultUrl = "http://localhost:5080";

    public static async Task<int> Main(string[] args)
    {
        if (CommandLine.IsCommand(args)) return await CommandLine.RunAsync(args);

        // Microsoft.Data.Sqlite completes its "async" calls synchronously: give the pool enough threads from the start
        // instead of letting it grow one thread at a time under load.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), io);

        var app = BuildWebApp(args);
        // Read before the run: once a failed start has disposed the host, app.Environment throws inside the exception
        // filter, the filter counts as false and the refusal became an unhandled exception (exit code 134).
        var testing = app.Environment.IsEnvironment("Testing");
        try
        {
            // Migrations and the demo-password check run before the host starts, so that a refusal is not also logged
            // by the host with its stack trace. Under the test host the exception must reach WebApplicationFactory instead.
            if (!testing) await app.Services.GetRequiredService<StartupTasks>().StartAsync(CancellationToken.None);
            await app.RunAsync();
            return 0;
        }
        // A refused start (bad configuration, demo passwords in production) is one clear line for the operator, not a stack trace.
        catch (Exception ex) when (ex is InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException && !testing)
        {
            Console.Error.WriteLine("OpenIKZ could not start: " + ex.Message.ReplaceLineEndings(" "));
            return 1;
        }
    }

    public static WebApplication BuildWebApp(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
            builder.WebHost.UseUrls(DefaultUrl);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = builder.Configuration.GetValue<long?>("OpenIkz:MaxRequestBodyBytes") ?? new OpenIkzOptions().MaxRequestBodyBytes;
        });

        builder.Services.AddOpenIkzCore(builder.Configuration).AddModules(builder.Configuration);
        builder.Services.AddSingleton<StartupTasks>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StartupTasks>());
        builder.Services.AddPeriodicJobRunner();
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<OpenIkz.Pages.ClaimedCaseHandoff>();
        builder.Services.AddOptions<OpenIkz.Pages.Site.SiteOptions>().Bind(builder.Configuration.GetSection(OpenIkz.Pages.Site.SiteOptions.Section));
        var production = string.Equals(builder.Configuration["OpenIkz:Mode"], "production", StringComparison.OrdinalIgnoreCase);
        var (cookiePrefix, cookiePolicy) = AuthenticationSetup.CookieSecurity(production);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/");
            o.Conventions.AllowAnonymousToPage("/Index");
            o.Conventions.AllowAnonymousToPage("/Anmelden");
            o.Conventions.AllowAnonymousToPage("/Fehler");
            o.Conventions.AllowAnonymousToFolder("/Kommunen");
            // The register, its statistics, coverage and the open partner searches are public; writing needs Koordination (per handler).
            o.Conventions.AllowAnonymousToFolder("/Register");
            o.Conventions.AllowAnonymousToFolder("/Partnersuche");
            o.Conventions.AllowAnonymousToFolder("/Termine"); // public booking: the manage token is the key
            o.Conventions.AllowAnonymousToFolder("/Aufruf"); // the waiting-room display shows only codes and counters
            o.Conventions.AuthorizeFolder("/Dienststellen", AppointmentPolicies.OfficeStaff);
            // Impressum, Datenschutz, Barrierefreiheit and the user guide are for everyone.
            o.Conventions.AllowAnonymousToFolder("/Site");
            o.Conventions.AuthorizeFolder("/Verwaltung", DirectoryPolicies.Administration);
        });
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = cookiePrefix + "openikz-af";
            o.Cookie.SecurePolicy = cookiePolicy;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never);
        builder.Services.AddStrictJsonInput();
        builder.Services.AddOpenApi("v1", o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "OpenIKZ API";
            doc.Info.Description = "Digitale interkommunale Zusammenarbeit. Errors are RFC 9457 problem details (application/problem+json).";
            doc.Info.Version = "v1";
            return Task.CompletedTask;
        }));
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        builder.Services.AddOpenIkzForwardedHeaders(builder.Configuration);
        builder.Services.AddOpenIkzRateLimits(builder.Configuration);
        builder.Services.AddOpenIkzAdmission(builder.Configuration);

        var app = builder.Build();
        // The legal pages show a missing statement as missing; in production the operator is told at start which ones.
        if (production && app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OpenIkz.Pages.Site.SiteOptions>>().Value.Missing() is { Count: > 0 } missingSite)
            app.Logger.LogWarning("Impressum, Datenschutz or Barrierefreiheit lack OpenIkz:Site:{Fields} (docs/OPERATIONS.md, 'Legal pages').", string.Join(", ", missingSite));

        app.UseForwardedHeaders();
        app.UseSecurityHeaders();
        app.UseExceptionHandler("/Fehler/500");
        if (production) app.UseHsts();
        app.UseHttpsRequiredPage(); // production mode only, decided per request from the options
        app.UseStatusCodePages(StatusCodePages.HandleAsync);
        app.UseRequestSizeLimit();
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAdmission(); // at most so many requests at once, a short queue, then 503 (docs/OPERATIONS.md)
        app.UseAuthentication();
        app.UseCrossSiteProtection();
        app.UseAccountGate();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseStrictJsonBodies();
        app.UseAntiforgery();

        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = DatabaseHealthCheck.WriteAsync }).AllowAnonymous();
        app.MapDirectoryApi();
        app.MapAgreementsApi();
        app.MapBackofficeApi();
        app.MapRegistryApi();
        app.MapAssessmentApi();
        app.MapAppointmentsApi();
        app.MapBackupApi();
        app.MapRazorPages();
        // Unknown API routes (404) and wrong methods (405) get their problem document from StatusCodePages.
        return app;
    }

}

/// <summary>Every module, in dependency order: a new module adds one line here and one <c>app.MapXxxApi()</c> in <see cref="Program.BuildWebApp"/>.</summary>
internal static class Modules
{
    internal static IServiceCollection AddModules(this IServiceCollection services, IConfiguration configuration) => services
        .AddDirectory(configuration)
        .AddAgreements(configuration)
        .AddBackoffice(configuration)
        .AddRegistry(configuration)
        .AddAssessment(configuration)
        .AddAppointments(configuration)
        .AddBackup(configuration)
        .AddDemo();
}
