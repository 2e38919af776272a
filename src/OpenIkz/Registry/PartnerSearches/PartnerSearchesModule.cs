namespace OpenIkz.Registry.PartnerSearches;

/// <summary>The register's partner searches, interest, suggestions and coverage.</summary>
public static class PartnerSearchesModule
{
    public static IServiceCollection AddPartnerSearches(this IServiceCollection services, IConfiguration configuration) => services;

    public static IEndpointRouteBuilder MapPartnerSearchesApi(this IEndpointRouteBuilder app) => app;
}
