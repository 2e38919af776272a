using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using OpenIkz.Demo;
using OpenIkz.Directory.Accounts;
using OpenIkz.Directory.Municipalities;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Infrastructure;

public static class ServiceRegistration
{
    /// <summary>Everything but the web pipeline: shared by the web host and the command line.</summary>
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
        services.AddDataProtection().SetApplicationName("OpenIkz")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(Path.GetFullPath(configuration[$"{OpenIkzOptions.Section}:DataDirectory"] ?? new OpenIkzOptions().DataDirectory), "keys")));
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<UserAccounts>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<MunicipalityQueries>();
        services.AddSingleton<MunicipalityImport>();
        services.AddSingleton<DemoData>();
        services.AddSingleton<DemoBackoffice>();
        services.AddSingleton(configuration.GetSection("OpenIkz:Intake").Get<Backoffice.Intake.IntakeLimits>() ?? new Backoffice.Intake.IntakeLimits());
        services.AddSingleton<Backoffice.Documents.DocumentStore>();
        services.AddSingleton<Backoffice.Audit.AuditLog>();
        services.AddSingleton<Backoffice.Intake.SubmitApplication>();
        services.AddSingleton<Backoffice.Decisions.BescheidWriter>();
        services.AddSingleton<Backoffice.Cases.CaseWork>();
        services.AddSingleton<Backoffice.Work.Absences>();
        services.AddSingleton<Backoffice.Work.AbsenceSweeper>();
        services.AddSingleton<Agreements.AgreementDocuments>();
        services.AddSingleton<Agreements.AgreementService>();
        services.AddSingleton<Agreements.Settlement.SettlementService>();
        return services;
    }
}
