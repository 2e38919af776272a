using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;

namespace OpenIkz.Registry.Cooperations;

public static class CooperationsApi
{
    public static IEndpointRouteBuilder MapCooperationsEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/registry").WithTags("IKZ-Register");

        group.MapGet("/cooperations", async (string? q, string? taskField, string? state, string? district, string? municipality, string? legalForm, string? status,
                    string? page, string? pageSize, CooperationQueries queries, CancellationToken ct) =>
                TypedResults.Ok(await queries.SearchAsync(CooperationSearch.Parse(q, taskField, state, district, municipality, legalForm, status, page, pageSize), ct)))
            .AllowAnonymous().WithName("SearchCooperations")
            .WithSummary("Searches the register: q (words in title and description, case and umlaut insensitive), taskField, state (a partner in that state), " +
                         "district (a partner in that district, or the district itself), municipality (a partner), legalForm, status, page (from 1), pageSize (1–100, default 20). " +
                         "Newest first. {\"items\":[…],\"total\":N}; a bad filter value is a 400 naming the parameter.")
            .ProducesValidationProblem();

        group.MapGet("/cooperations/{cooperationId:long}", async (long cooperationId, CooperationQueries queries, CancellationToken ct) =>
                TypedResults.Ok(await queries.GetAsync(cooperationId, ct)))
            .AllowAnonymous().WithName("GetCooperation").WithSummary("One register entry with partners, factors, figures and sources (live from its agreement when linked).").ProducesProblem(404);

        group.MapGet("/cooperations.csv", async (HttpContext http, CooperationQueries queries, TimeProvider clock, CancellationToken ct) =>
            {
                var entries = await queries.AllAsync(ct);
                http.Response.Headers.Link = RegisterOpenData.LinkHeader;
                return TypedResults.File(RegisterOpenData.Csv(entries, BaseUrl(http), BerlinTime.Today(clock)), "text/csv; charset=utf-8", "ikz-register.csv");
            })
            .AllowAnonymous().WithName("CooperationsCsv")
            .WithSummary("The whole register as open data (CC BY 4.0): CSV, UTF-8 with BOM, ';' separated, German decimal comma, one row per entry, partners in one column; licence and attribution in every row.");

        group.MapGet("/cooperations.json", async (HttpContext http, CooperationQueries queries, TimeProvider clock, CancellationToken ct) =>
            {
                var entries = await queries.AllAsync(ct);
                http.Response.Headers.Link = RegisterOpenData.LinkHeader;
                return TypedResults.Ok(RegisterOpenData.Json(entries, BaseUrl(http), BerlinTime.Today(clock), clock.GetUtcNow().UtcDateTime));
            })
            .AllowAnonymous().WithName("CooperationsJson")
            .WithSummary("The whole register as open data (CC BY 4.0): JSON with licence, attribution, source of the directory data and every entry in full.");

        group.MapGet("/task-fields", () => TypedResults.Ok(TaskFields.All.Select(t => new TaskFieldView(t.Slug, t.Label)).ToList()))
            .AllowAnonymous().WithName("TaskFields").WithSummary("The task fields (Aufgabenfelder) of the register: the gpaNRW fields of seeds/004 and those a complete list needs.");

        var writers = group.MapGroup("/cooperations").RequireAuthorization(RegistryPolicies.Coordinator);

        writers.MapPost("/", async Task<Created<CooperationDetails>> (CooperationInput input, ClaimsPrincipal p, CooperationService service, CooperationQueries queries, CancellationToken ct) =>
            {
                var id = await service.CreateAsync(Actor.From(p)!, input, ct);
                return TypedResults.Created($"/api/v1/registry/cooperations/{id}", await queries.GetAsync(id, ct));
            })
            .WithName("CreateCooperation")
            .WithSummary("Enters a cooperation (Koordination of a municipality among its partners, or a member of the linked agreement). Field errors are a 400 problem naming the field; nothing is stored.")
            .ProducesValidationProblem().ProducesProblem(403);

        writers.MapPut("/{cooperationId:long}", async (long cooperationId, CooperationInput input, ClaimsPrincipal p, CooperationService service, CooperationQueries queries, CancellationToken ct) =>
            {
                await service.UpdateAsync(Actor.From(p)!, cooperationId, input, ct);
                return TypedResults.Ok(await queries.GetAsync(cooperationId, ct));
            })
            .WithName("UpdateCooperation")
            .WithSummary("Replaces an entry (Koordination of a partner; 403 otherwise). Send the version you read as 'version': 409 VersionConflict when it has changed since. " +
                         "A linked entry's partners, status and years come from the agreement and are refused here (400 naming the field).")
            .ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        return app;
    }

    private static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
}
