namespace OpenIkz.Registry.Cooperations;

/// <summary>The register's register entries, their search, open data and task fields.</summary>
public static class CooperationsModule
{
    public static IServiceCollection AddCooperations(this IServiceCollection services, IConfiguration configuration) => services;

    public static IEndpointRouteBuilder MapCooperationsApi(this IEndpointRouteBuilder app) => app;
}
