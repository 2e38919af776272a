using Microsoft.Extensions.Options;
using OpenIkz.Infrastructure;
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
        return services;
    }

    public static IEndpointRouteBuilder MapBackupApi(this IEndpointRouteBuilder app) => app;
}

/// <summary>The configured targets, built once.</summary>
public sealed class BackupTargets(IOptions<BackupOptions> options, IOptions<OpenIkzOptions> app)
{
    private IReadOnlyList<IBackupTarget>? _all;

    public IReadOnlyList<IBackupTarget> All => _all ??= options.Value.Targets.Select(Create).ToList();

    public IBackupTarget Find(string name) =>
        All.FirstOrDefault(t => t.Name == name) ?? throw new BackupException($"There is no backup target '{name}' in {BackupOptions.Section}:Targets.");

    private IBackupTarget Create(BackupTargetOptions t)
    {
        if (!string.IsNullOrWhiteSpace(t.Directory))
            return new DirectoryBackupTarget(t.Name!, Path.IsPathRooted(t.Directory) ? t.Directory : Path.Combine(app.Value.ResolvedDataDirectory, t.Directory));
        throw new BackupException($"The receiver target '{t.Name}' is not supported yet.");
    }
}
