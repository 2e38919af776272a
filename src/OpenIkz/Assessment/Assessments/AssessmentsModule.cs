using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using OpenIkz.Agreements;
using OpenIkz.Assessment.Simulation;
using OpenIkz.Infrastructure.Http;

namespace OpenIkz.Assessment.Assessments;

public sealed record AgreementDraftResponse(long AgreementId);

/// <summary>Stored potential analyses: create, read, simulate, draft the agreement. Registered by <c>AssessmentModule</c>.</summary>
public static class AssessmentsModule
{
    /// <summary>Reading an assessment: the Koordination or the Teamleitung (the record check then requires a partner municipality).</summary>
    public const string ReaderPolicy = "AssessmentReader";

    public static IServiceCollection AddAssessments(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton<AssessmentService>();
        services.AddSingleton<BackofficeFigureQuery>();
        services.AddAuthorizationBuilder()
            .AddPolicy(ReaderPolicy, p => p.RequireClaim(OpenIkzClaims.UserId).RequireRole(Roles.Koordination, Roles.Teamleitung));
        services.AddProblemMapping<AssessmentForbiddenException>(e =>
            new ProblemSpec(403, "Keine Berechtigung", e.Message, new Dictionary<string, string[]> { ["partners"] = [e.Message] }));
        return services;
    }

    public static IEndpointRouteBuilder MapAssessmentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/assessments").WithTags("Bewertung");

        group.MapPost("/", async (AssessmentRequest request, ClaimsPrincipal p, AssessmentService assessments, CancellationToken ct) =>
            {
                var (id, answer) = await assessments.CreateAsync(Actor.From(p)!, request, ct);
                return TypedResults.Created($"/api/v1/assessments/{id}", answer);
            })
            .RequireAuthorization(AgreementsApi.CoordinatorPolicy)
            .WithName("CreateAssessment")
            .WithSummary("Computes and stores a potential analysis ({ title, partners, loads: [{ partnerAgs, service, staffFte, absenceRate?, caseGroups: [{ caseGroup, casesPerYear, minutesPerCase }] }], " +
                         "target?, assumptions?, transactionCosts? }): alone against pooled, saving, break-even, funding threshold, Shapley split, suggested rates, absence coverage. " +
                         "Koordination of a partner (else 403 naming partners); unknown partners, services, case groups or bad figures are a 400 naming the JSON path; nothing is stored on error.")
            .Produces<JsonObject>(201).ProducesValidationProblem().ProducesProblem(403);

        group.MapGet("/{assessmentId:long}", async (long assessmentId, ClaimsPrincipal p, AssessmentService assessments, CancellationToken ct) =>
                TypedResults.Ok(await assessments.GetAsync(Actor.From(p)!, assessmentId, ct)))
            .RequireAuthorization(ReaderPolicy)
            .WithName("GetAssessment")
            .WithSummary("The stored potential analysis exactly as created, with agreementId (null until an agreement is drafted from it). Koordination and Teamleitung of partners; 404 for others.")
            .Produces<JsonObject>().ProducesProblem(404);

        group.MapPost("/{assessmentId:long}/simulation", async (long assessmentId, [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] AssessmentSimulationRequest? request,
                    ClaimsPrincipal p, AssessmentService assessments, CancellationToken ct) =>
                TypedResults.Ok(await assessments.SimulateAsync(Actor.From(p)!, assessmentId, request, ct)))
            .RequireAuthorization(ReaderPolicy)
            .WithName("SimulateAssessment")
            .WithSummary("Simulates the stored loads alone and pooled ({ days?: 1–3660, default 365, seed?: default the id }); the same seed gives the same result. Koordination and Teamleitung of partners; 404 for others.")
            .Produces<SimulationResult>().ProducesValidationProblem().ProducesProblem(404);

        group.MapPost("/{assessmentId:long}/agreement-draft", async (long assessmentId, ClaimsPrincipal p, AssessmentService assessments, CancellationToken ct) =>
            {
                var agreementId = await assessments.DraftAgreementAsync(Actor.From(p)!, assessmentId, ct);
                return TypedResults.Created($"/api/v1/agreements/{agreementId}", new AgreementDraftResponse(agreementId));
            })
            .RequireAuthorization(AgreementsApi.CoordinatorPolicy)
            .WithName("DraftAgreementFromAssessment")
            .WithSummary("Drafts the agreement the assessment suggests (partners as members, the assessed services, the suggested rates, the law of the partners' state); it then follows the normal lifecycle. " +
                         "Koordination of a partner; 404 for others; 409 when a draft exists already or the partners lie in several states.")
            .Produces<AgreementDraftResponse>(201).ProducesProblem(404).ProducesProblem(409);

        return app;
    }
}
