using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenIkz.Infrastructure;
using OpenIkz.Infrastructure.Database;

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

        // Invoicing data: users of the municipality read it, its Administration changes it. For a user of another
        // municipality the record does not exist (404); another role of the same municipality may not call PUT (403).
        var invoicing = app.MapGroup("/api/v1/municipalities/{ags}/invoicing").WithTags("Kommunen").RequireAuthorization(DirectoryPolicies.User);
        invoicing.MapGet("/", async Task<Results<Ok<InvoicingData>, ProblemHttpResult>> (string ags, ClaimsPrincipal p, MunicipalityInvoicing invoicing, CancellationToken ct) =>
            {
                try { return TypedResults.Ok(await invoicing.GetAsync(p, ags, ct)); }
                catch (InvoicingNotFoundException) { return Problems.NotFound($"Es gibt keine Rechnungsdaten der Kommune '{ags}' für Sie."); }
            })
            .WithName("GetMunicipalityInvoicing")
            .WithSummary("The municipality's invoicing data (authority, address, IBAN, BIC, e-mail, telephone, Leitweg-ID, opening hours); users of that municipality only, 404 for others.")
            .ProducesProblem(404);
        invoicing.MapPut("/", async Task<Results<Ok<InvoicingData>, ProblemHttpResult>> (string ags, InvoicingInput input, ClaimsPrincipal p, MunicipalityInvoicing invoicing, CancellationToken ct) =>
            {
                try { return TypedResults.Ok(await invoicing.UpdateAsync(p, ags, input, ct)); }
                catch (InvoicingNotFoundException) { return Problems.NotFound($"Es gibt keine Rechnungsdaten der Kommune '{ags}' für Sie."); }
                catch (InvoicingForbiddenException e) { return TypedResults.Problem(statusCode: 403, title: Problems.TitleFor(403), detail: e.Message, type: Problems.TypeFor(403)); }
            })
            .WithName("UpdateMunicipalityInvoicing")
            .WithSummary("Replaces the invoicing data (empty fields are cleared). Administration of that municipality only: 403 for its other roles and API clients, 404 for other municipalities; field errors are a 400 problem.")
            .RequireAuthorization(DirectoryPolicies.Administration)
            .ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404);

        return group;
    }
}
