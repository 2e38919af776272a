using OpenIkz.Directory.Accounts;
using OpenIkz.Directory.Municipalities;

namespace OpenIkz.Directory;

public static class DirectoryPolicies
{
    /// <summary>Users of the own municipality, and the audit log: the Administration role.</summary>
    public const string Administration = "Administration";

    /// <summary>Any signed-in person (not an API client).</summary>
    public const string User = "User";
}

public static class DirectoryModule
{
    /// <summary>Municipalities, users, tokens, API clients, the cookie and bearer authentication and the administration policy.</summary>
    public static IServiceCollection AddDirectory(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<UserAccounts>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<UserSessions>();
        services.AddSingleton<SecondFactor>();
        services.AddSingleton<BrowserSignIn>();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<MunicipalityQueries>();
        services.AddSingleton<MunicipalityImport>();
        services.AddSingleton<DistrictImport>();
        services.AddSingleton<Gv100Import>();
        services.AddSingleton<MunicipalityInvoicing>();
        var production = string.Equals(configuration["OpenIkz:Mode"], "production", StringComparison.OrdinalIgnoreCase);
        // OpenIkz:Security:RequireSecondFactor: on by default in production mode, off in demo mode.
        services.AddOptions<SecurityOptions>().Bind(configuration.GetSection(SecurityOptions.Section))
            .PostConfigure<IConfiguration>((o, config) => o.RequireSecondFactor ??= string.Equals(config["OpenIkz:Mode"], "production", StringComparison.OrdinalIgnoreCase));
        services.AddOpenIkzAuthentication(production);
        services.AddAuthorizationBuilder()
            .AddPolicy(DirectoryPolicies.Administration, p => p.RequireClaim(OpenIkzClaims.UserId).RequireRole(Roles.Administration))
            .AddPolicy(DirectoryPolicies.User, p => p.RequireClaim(OpenIkzClaims.UserId));
        return services;
    }

    public static IEndpointRouteBuilder MapDirectoryApi(this IEndpointRouteBuilder app)
    {
        app.MapAuthApi();
        app.MapMunicipalitiesApi();
        app.MapAccountsApi();
        return app;
    }
}
