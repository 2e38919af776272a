namespace OpenIkz.Registry.Regions;

/// <summary>The register's Kooperationsräume with their Handlungsfelder and learning cycle.</summary>
public static class RegionsModule
{
    public static IServiceCollection AddRegions(this IServiceCollection services, IConfiguration configuration) => services;

    public static IEndpointRouteBuilder MapRegionsApi(this IEndpointRouteBuilder app) => app;
}
