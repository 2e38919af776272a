using Microsoft.AspNetCore.Http.HttpResults;

namespace OpenIkz.Registry.Statistics;

/// <summary>The register's statistics and the gpaNRW reference figures.</summary>
public static class RegistryStatisticsModule
{
    public static IServiceCollection AddRegistryStatistics(this IServiceCollection services, IConfiguration configuration) =>
        services.AddSingleton<RegistryStatisticsCache>().AddScoped<RegistryStatisticsQueries>();

    public static IEndpointRouteBuilder MapRegistryStatisticsApi(this IEndpointRouteBuilder app)
    {
        // Public: the register and the directory are public, and so is what is computed from them.
        app.MapGet("/api/v1/registry/statistics", async Task<Ok<RegistryStatistics>> (string? state, string? district, RegistryStatisticsQueries statistics, CancellationToken ct) =>
                TypedResults.Ok(await statistics.ComputeAsync(new StatisticsFilter(state, district), ct)))
            .WithTags("IKZ-Register")
            .AllowAnonymous()
            .WithName("GetRegistryStatistics")
            .WithSummary("The register's statistics as gpaNRW publishes them, computed live for a state (NW, Nordrhein-Westfalen or 05) and/or a Kreis (five-digit key): task fields, legal forms by size segment, per-Kreis five-number summaries, statuses, rollback reasons, goals, success factors, obstacles; with the gpaNRW 2025 figures in `reference`. An unknown state or a district that is not a Kreis is a 400 naming the parameter.")
            .ProducesValidationProblem();
        return app;
    }
}
