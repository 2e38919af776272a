using OpenIkz.Registry.Cooperations;
using OpenIkz.Registry.PartnerSearches;
using OpenIkz.Registry.Regions;
using OpenIkz.Registry.Statistics;

namespace OpenIkz.Registry;

public static class RegistryPolicies
{
    /// <summary>Writes to the register, partner searches and Kooperationsräume: a person with the Koordination role.</summary>
    public const string Coordinator = "RegistryCoordinator";
}

/// <summary>
/// Discover: the public IKZ register, its statistics, partner searches with suggestions, coverage, and the coordinator's
/// Kooperationsraum. Reads of the register are public; writes are a partner's Koordination. Each part registers itself
/// in its own folder.
/// </summary>
public static class RegistryModule
{
    public static IServiceCollection AddRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAuthorizationBuilder()
            .AddPolicy(RegistryPolicies.Coordinator, p => p.RequireClaim(OpenIkzClaims.UserId).RequireRole(Roles.Koordination));
        services.AddCooperations(configuration);
        services.AddRegistryStatistics(configuration);
        services.AddPartnerSearches(configuration);
        services.AddRegions(configuration);
        return services;
    }

    public static IEndpointRouteBuilder MapRegistryApi(this IEndpointRouteBuilder app)
    {
        app.MapCooperationsApi();
        app.MapRegistryStatisticsApi();
        app.MapPartnerSearchesApi();
        app.MapRegionsApi();
        return app;
    }
}
