using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenIkz.Infrastructure;
using OpenIkz.Infrastructure.Http;
using OpenIkz.Infrastructure.Jobs;

namespace OpenIkz.Backup;

/// <summary>
/// Mutual encrypted backups (issue 12): backups a partner can hold but not read, restore with verification, timed
/// restore drills, and the receiver mode that holds partners' backups append-only. Depends on the shared kernel, the
/// directory (municipalities), agreements and the back office (its audit log and documents).
/// </summary>
public static class BackupModule
{
    public static IServiceCollection AddBackup(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BackupOptions>().Bind(configuration.GetSection(BackupOptions.Section))
            .Validate(o => o.Validate().Count == 0, "Invalid OpenIkz:Backup configuration.").ValidateOnStart();
        services.AddSingleton<BackupTargets>();
        services.AddSingleton<BackupKeys>();
        services.AddSingleton<BackupRunner>();
        services.AddSingleton<BackupRestorer>();
        services.AddSingleton<BackupDrill>();
        services.AddSingleton<MunicipalityExport>();
        services.AddSingleton<BackupStatus>();
        services.AddPeriodicJob<ScheduledBackup>();
        services.AddPeriodicJob<ScheduledDrill>();
        services.AddHttpClient(HttpBackupTarget.ClientName, c => c.Timeout = HttpBackupTarget.Timeout);

        // Receiver mode: partners, their tokens (a scheme of its own, the only one the receiver's policy accepts), the store, retention.
        services.AddSingleton<ReceivePartners>();
        services.AddSingleton<ReceiverStore>();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, PartnerTokenHandler>(BackupPolicies.PartnerScheme, null);
        services.AddAuthorizationBuilder().AddPolicy(BackupPolicies.Partner, p => p.AddAuthenticationSchemes(BackupPolicies.PartnerScheme).RequireClaim(BackupPolicies.PartnerClaim));
        services.AddRequestBodyLimit(request => ReceiverApi.BodyLimitFor(request, request.HttpContext.RequestServices.GetRequiredService<IOptions<BackupOptions>>().Value.Receive));
        services.AddPeriodicJob<ReceiverRetention>();
        services.AddProblemMapping<BackupException>(e => new ProblemSpec(409, "Sicherung nicht möglich", "Die Sicherung konnte nicht gelesen oder gespeichert werden.",
            Extensions: new() { ["reason"] = e.Message }));
        return services;
    }

    /// <summary>The receiver's endpoints, when receiver mode is on (<c>OpenIkz:Backup:Receive:Enabled</c>); otherwise nothing is mapped.</summary>
    public static IEndpointRouteBuilder MapBackupApi(this IEndpointRouteBuilder app) =>
        app.ServiceProvider.GetRequiredService<IOptions<BackupOptions>>().Value.Receive.Enabled ? app.MapReceiverApi() : app;
}

/// <summary>The configured targets, built once.</summary>
public sealed class BackupTargets(IOptions<BackupOptions> options, IOptions<OpenIkzOptions> app, IHttpClientFactory http)
{
    private IReadOnlyList<IBackupTarget>? _all;

    public IReadOnlyList<IBackupTarget> All => _all ??= options.Value.Targets.Select(Create).ToList();

    public IBackupTarget Find(string name) =>
        All.FirstOrDefault(t => t.Name == name) ?? throw new BackupException($"There is no backup target '{name}' in {BackupOptions.Section}:Targets.");

    /// <summary>A configured directory: as it is when rooted, else below the data directory.</summary>
    public static string ResolveDirectory(string directory, OpenIkzOptions app) =>
        Path.IsPathRooted(directory) ? directory : Path.Combine(app.ResolvedDataDirectory, directory);

    private IBackupTarget Create(BackupTargetOptions t) => !string.IsNullOrWhiteSpace(t.Directory)
        ? new DirectoryBackupTarget(t.Name!, ResolveDirectory(t.Directory, app.Value))
        : new HttpBackupTarget(t.Name!, http.CreateClient(HttpBackupTarget.ClientName), new Uri(t.Url!), t.Token!);
}
