using Microsoft.AspNetCore.Http.HttpResults;

namespace OpenIkz.Directory.Municipalities;

public sealed record MunicipalityDto(string Ags, string Name, string Type, string TypeLabel, string State, string StateName, string? DistrictAgs, int Population, decimal AreaKm2, string? LeitwegId)
{
    public static MunicipalityDto From(Municipality m) =>
        new(m.Ags, m.Name, m.Type.Slug(), m.TypeLabel, m.State, m.StateName, m.DistrictAgs, m.Population, m.AreaKm2, m.LeitwegId);
}

public static class MunicipalitiesApi
{
    public static RouteGroupBuilder MapMunicipalitiesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/municipalities").WithTags("Kommunen").AllowAnonymous(); // public facts: keys, names, population, area

        group.MapGet("/", async Task<Ok<List<MunicipalityDto>>> (string? state, string? district, string? q, MunicipalityQueries queries, CancellationToken ct) =>
                TypedResults.Ok((await queries.ListAsync(new MunicipalityFilter(state, district, q), ct)).Select(MunicipalityDto.From).ToList()))
            .WithName("ListMunicipalities")
            .WithSummary("Lists municipalities, filtered by state (ST, Sachsen-Anhalt or 15), district key and a name or key search.");

        group.MapGet("/{ags}", async Task<Results<Ok<MunicipalityDto>, ProblemHttpResult>> (string ags, MunicipalityQueries queries, CancellationToken ct) =>
                await queries.FindAsync(ags, ct) is { } m
                    ? TypedResults.Ok(MunicipalityDto.From(m))
                    : TypedResults.Problem(statusCode: 404, title: "Kommune nicht gefunden", detail: $"Es gibt keine Kommune mit dem Schlüssel '{ags}'."))
            .WithName("GetMunicipality")
            .WithSummary("One municipality by its official key (AGS, district key or Verbandsgemeinde key).");

        return group;
    }
}
