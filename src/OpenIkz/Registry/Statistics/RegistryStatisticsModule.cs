namespace OpenIkz.Registry.Statistics;

/// <summary>The register's statistics and the gpaNRW reference figures.</summary>
public static class RegistryStatisticsModule
{
    public static IServiceCollection AddRegistryStatistics(this IServiceCollection services, IConfiguration configuration) => services;

    public static IEndpointRouteBuilder MapRegistryStatisticsApi(this IEndpointRouteBuilder app) => app;
}
