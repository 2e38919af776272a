using OpenIkz.Infrastructure.Http;

namespace OpenIkz.Registry.Regions;

/// <summary>The register's Kooperationsräume with their Handlungsfelder and learning cycle.</summary>
public static class RegionsModule
{
    public static IServiceCollection AddRegions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<RegionQueries>();
        services.AddSingleton<ManageRegion>();
        services.AddSingleton<ManageFields>();
        services.AddSingleton<FieldLinks>();
        services.AddSingleton<UpdateLearningCycle>();
        services.AddProblemMapping<RegionForbiddenException>(e => new ProblemSpec(403, "Keine Berechtigung", e.Message));
        return services;
    }

    public static IEndpointRouteBuilder MapRegionsApi(this IEndpointRouteBuilder app) => RegionsApi.Map(app);
}
