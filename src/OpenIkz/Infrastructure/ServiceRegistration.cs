using Microsoft.Extensions.Options;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Infrastructure.Files;
using OpenIkz.Infrastructure.Jobs;

namespace OpenIkz.Infrastructure;

public static class ServiceRegistration
{
    /// <summary>
    /// The shared plumbing every module uses (options, database, migrations, data protection, clock, file store,
    /// periodic job runner, the orphan file sweep). Shared by the web host and the command line; modules register themselves on top.
    /// </summary>
    public static IServiceCollection AddOpenIkzCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OpenIkzOptions>().Bind(configuration.GetSection(OpenIkzOptions.Section))
            .Validate(o => o.Validate(configuration.GetConnectionString("Postgres")).Count == 0,
                "Invalid OpenIkz configuration (see the start-up error for details).")
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<OpenIkzOptions>>().Value;
            var problems = options.Validate(configuration.GetConnectionString("Postgres"));
            if (problems.Count > 0) throw new InvalidOperationException(string.Join(" ", problems));
            return Db.Create(options, configuration.GetConnectionString("Postgres"));
        });
        services.AddOpenIkzDataProtection(configuration);
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<IFileStore, FileSystemFileStore>();
        services.AddPeriodicJob<OrphanFileSweep>();
        services.AddSingleton<DatabaseNotifications>();
        return services;
    }

    /// <summary>The web host's share: runs the periodic jobs the modules registered.</summary>
    public static IServiceCollection AddPeriodicJobRunner(this IServiceCollection services)
    {
        services.AddSingleton(sp => JobLocks.For(sp.GetRequiredService<Db>()));
        services.AddHostedService(sp => sp.GetRequiredService<DatabaseNotifications>()); // listens for the other instances' changes (PostgreSQL)
        return services.AddHostedService<PeriodicJobRunner>();
    }
}
