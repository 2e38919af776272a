using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenIkz.Infrastructure.Http;
using OpenIkz.Infrastructure.Mail;

namespace OpenIkz.Registry.PartnerSearches;

public sealed record CreatedSearch(long Id);

public sealed record InterestResponse(long SearchId, string Ags, DateTime CreatedAt, bool AlreadyRecorded, bool Mailed);

/// <summary>A search in the API: the public summary, plus for the caller <c>own</c>, <c>interested</c> and (own coordinators only) <c>interests</c>.</summary>
public sealed record SearchResponse(long Id, string TaskField, string TaskFieldLabel, string Title, string Description, DateOnly Until, bool Open, DateTime CreatedAt, DateTime? ClosedAt,
    SearchingMunicipality Municipality, int InterestCount, bool Own, bool Interested, IReadOnlyList<InterestView>? Interests)
{
    public static SearchResponse From(PartnerSearchSummary s, bool own = false, bool interested = false, IReadOnlyList<InterestView>? interests = null) =>
        new(s.Id, s.TaskField, s.TaskFieldLabel, s.Title, s.Description, s.Until, s.Open, s.CreatedAt, s.ClosedAt, s.Municipality, s.InterestCount, own, interested, interests);
}

public sealed record SearchListResponse(IReadOnlyList<SearchResponse> Items, int Total);

/// <summary>The register's partner searches, interest, suggestions and coverage.</summary>
public static class PartnerSearchesModule
{
    public static IServiceCollection AddPartnerSearches(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMailSender(configuration);
        services.AddSingleton<PartnerSearchService>();
        services.AddSingleton<PartnerSuggestions>();
        services.AddSingleton<Coverage>();
        services.AddSingleton<Notifications>();
        services.AddProblemMapping<PartnerSearchForbiddenException>(e => new ProblemSpec(403, "Keine Berechtigung", e.Message));
        return services;
    }

    public static IEndpointRouteBuilder MapPartnerSearchesApi(this IEndpointRouteBuilder app)
    {
        // Reads are public (open searches name municipalities, never people); writes need Koordination, and the
        // handlers check the record: interest only in another municipality's search, closing only the own.
        var group = app.MapGroup("/api/v1/registry/partner-searches").WithTags("Partnersuche");

        group.MapGet("/", async (string? taskField, string? state, int? page, int? pageSize, PartnerSearchService searches, CancellationToken ct) =>
            {
                var result = await searches.ListOpenAsync(new OpenSearchFilter(taskField, state, page ?? 1, pageSize ?? PartnerSearchService.DefaultPageSize), ct);
                return TypedResults.Ok(new SearchListResponse(result.Items.Select(s => SearchResponse.From(s)).ToList(), result.Total));
            })
            .AllowAnonymous().WithName("ListPartnerSearches")
            .WithSummary("The open partner searches (end date today or later, Europe/Berlin, not closed), newest first; filters taskField and state (ST, Sachsen-Anhalt or 15); page, pageSize (1–100, default 20).")
            .ProducesValidationProblem();

        group.MapPost("/", async Task<Created<CreatedSearch>> (PartnerSearchInput input, ClaimsPrincipal p, PartnerSearchService searches, CancellationToken ct) =>
            {
                var id = await searches.CreateAsync(Actor.From(p), input, ct);
                return TypedResults.Created($"/api/v1/registry/partner-searches/{id}", new CreatedSearch(id));
            })
            .RequireAuthorization(RegistryPolicies.Coordinator).WithName("CreatePartnerSearch")
            .WithSummary("Starts a partner search of the caller's municipality: {\"taskField\",\"title\",\"description\",\"until\"}; until is after today and at most two years ahead. Field errors are a 400 problem; 409 TooManyOpenSearches beyond 20 open ones.")
            .ProducesValidationProblem().ProducesProblem(409);

        group.MapGet("/{searchId:long}", async (long searchId, ClaimsPrincipal p, PartnerSearchService searches, CancellationToken ct) =>
            {
                var d = await searches.GetAsync(Actor.From(p), searchId, ct);
                return TypedResults.Ok(SearchResponse.From(d.Search, d.Own, d.Interested, d.Interests));
            })
            .AllowAnonymous().WithName("GetPartnerSearch")
            .WithSummary("One partner search: any open one; a closed or finished one only for its own municipality (else 404). The own municipality's coordinators also get the interests.")
            .ProducesProblem(404);

        group.MapGet("/{searchId:long}/suggestions", async (long searchId, ClaimsPrincipal p, PartnerSearchService searches, CancellationToken ct) =>
                TypedResults.Ok(await searches.SuggestionsAsync(Actor.From(p), searchId, ct: ct)))
            .AllowAnonymous().WithName("GetPartnerSuggestions")
            .WithSummary("Up to 20 suggested partners [{\"ags\",\"name\",\"score\",\"reasons\"}], best first (ties by key), never the searching municipality; the scoring is in docs/REGISTRY.md. Public like the search itself.")
            .ProducesProblem(404);

        group.MapPost("/{searchId:long}/interest", async Task<IResult> (long searchId, [FromBody] InterestInput? input, ClaimsPrincipal p, PartnerSearchService searches, CancellationToken ct) =>
            {
                var r = await searches.ExpressInterestAsync(Actor.From(p), searchId, input ?? new InterestInput(null), ct);
                var body = new InterestResponse(r.SearchId, r.Ags, r.CreatedAt, !r.Created, r.Mailed);
                return r.Created ? TypedResults.Created($"/api/v1/registry/partner-searches/{searchId}", body) : TypedResults.Ok(body);
            })
            .RequireAuthorization(RegistryPolicies.Coordinator).WithName("ExpressInterest")
            .WithSummary("The caller's municipality is interested ({\"message\"} optional, up to 2,000 characters): 201 the first time, 200 with alreadyRecorded=true after that. " +
                         "The searching municipality's coordinators get an in-app notice and, where SMTP is configured, an e-mail to the municipality's address. 409 OwnSearch for the own search; 404 for a search that is over.")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);

        group.MapPost("/{searchId:long}/closure", async (long searchId, ClaimsPrincipal p, PartnerSearchService searches, CancellationToken ct) =>
                TypedResults.Ok(SearchResponse.From(await searches.CloseAsync(Actor.From(p), searchId, ct), own: true)))
            .RequireAuthorization(RegistryPolicies.Coordinator).WithName("ClosePartnerSearch")
            .WithSummary("Ends the own municipality's search before its end date (a partner was found); again changes nothing. Another municipality's search: 403.")
            .ProducesProblem(403).ProducesProblem(404);

        app.MapGet("/api/v1/registry/coverage", async (string? taskField, string? state, Coverage coverage, CancellationToken ct) =>
                TypedResults.Ok(await coverage.ForAsync(taskField, state, ct)))
            .AllowAnonymous().WithTags("Partnersuche").WithName("GetCoverage")
            .WithSummary("The municipalities without an implemented or running cooperation in taskField (required), optionally in one state, grouped by district (a Landkreis with its municipalities; a kreisfreie Stadt on its own).")
            .ProducesValidationProblem();

        return app;
    }
}
