using OpenIkz.Infrastructure.Http;

namespace OpenIkz.Registry.Cooperations;

/// <summary>The register's entries, their search, open data and task fields.</summary>
public static class CooperationsModule
{
    public static IServiceCollection AddCooperations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<CooperationQueries>();
        services.AddSingleton<CooperationService>();
        services.AddProblemMapping<CooperationForbiddenException>(e => new ProblemSpec(403, "Keine Berechtigung", e.Message));
        return services;
    }

    public static IEndpointRouteBuilder MapCooperationsApi(this IEndpointRouteBuilder app) => app.MapCooperationsEndpoints();
}
