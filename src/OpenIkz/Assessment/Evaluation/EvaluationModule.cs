using System.Security.Claims;
using OpenIkz.Agreements;

namespace OpenIkz.Assessment.Evaluation;

/// <summary>The evaluation of a running agreement: structured goals and their measurement. Registered by <c>AssessmentModule</c>.</summary>
public static class EvaluationModule
{
    /// <summary>Reading an agreement's evaluation: the Koordination or the Teamleitung of a member municipality.</summary>
    public const string EvaluatorPolicy = "AgreementEvaluator";

    public static IServiceCollection AddEvaluation(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton<AgreementGoals>();
        services.AddSingleton<AgreementEvaluation>();
        services.AddAuthorizationBuilder()
            .AddPolicy(EvaluatorPolicy, p => p.RequireClaim(OpenIkzClaims.UserId).RequireRole(Roles.Koordination, Roles.Teamleitung));
        return services;
    }

    public static IEndpointRouteBuilder MapEvaluationApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/agreements").WithTags("Evaluation");

        // Goals are terms the members' coordinators set, as the agreement itself: other roles 403, a non-member's coordinator 404.
        group.MapGet("/{id:long}/goals", async (long id, ClaimsPrincipal p, AgreementGoals goals, CancellationToken ct) =>
                TypedResults.Ok(await goals.GetAsync(Actor.From(p)!, id, ct)))
            .RequireAuthorization(AgreementsApi.CoordinatorPolicy)
            .WithName("GetAgreementGoals").WithSummary("The structured goals of an agreement (KPI, comparison, target, evaluation date, note); 404 for non-members.")
            .ProducesProblem(404);

        group.MapPut("/{id:long}/goals", async (long id, GoalsInput input, ClaimsPrincipal p, AgreementGoals goals, CancellationToken ct) =>
                TypedResults.Ok(await goals.ReplaceAsync(Actor.From(p)!, id, input, ct)))
            .RequireAuthorization(AgreementsApi.CoordinatorPolicy)
            .WithName("ReplaceAgreementGoals")
            .WithSummary("Replaces all structured goals ({ goals: [{ kpi, comparison?, target, dueDate, note? }] }); kpi from the catalogue, comparison 'le' or 'ge' (default the KPI's). " +
                         "Field errors (goals[0].kpi, goals[0].target, …) are a 400 problem.")
            .ProducesValidationProblem().ProducesProblem(404);

        group.MapGet("/{id:long}/evaluation", async (long id, string? from, string? to, ClaimsPrincipal p, AgreementEvaluation evaluation, CancellationToken ct) =>
                TypedResults.Ok(await evaluation.EvaluateAsync(Actor.From(p)!, id, from, to, ct)))
            .RequireAuthorization(EvaluatorPolicy)
            .WithName("EvaluateAgreement")
            .WithSummary("The agreement measured against its goals for ?from=&to= (ISO dates, inclusive; default from its start to its evaluation date or today): per member and service " +
                         "cases received, decided, decided for others, processing and lead time p50/p90 in working days, overdue share, backlog, cases returned by absences and decided by others, " +
                         "the compensation paid and received by the settlement key, and each goal with target, actual, met and — when missed — the suggested termination reason. " +
                         "Koordination and Teamleitung of members; 404 for non-members; a bad date is a 400 naming from or to.")
            .ProducesValidationProblem().ProducesProblem(404);

        group.MapGet("/{id:long}/evaluation.pdf", async (long id, string? from, string? to, ClaimsPrincipal p, AgreementEvaluation evaluation, TimeProvider clock, CancellationToken ct) =>
            {
                var actor = Actor.From(p)!;
                var report = await evaluation.EvaluateAsync(actor, id, from, to, ct);
                var name = report.Compensation.FirstOrDefault(c => c.Municipality == actor.Ags)?.MunicipalityName ?? actor.Ags;
                return TypedResults.File(EvaluationPdf.Write(report, name, clock.GetUtcNow()), "application/pdf",
                    $"Evaluation-Vereinbarung-{id}-{report.From:yyyy-MM-dd}-{report.To:yyyy-MM-dd}.pdf");
            })
            .RequireAuthorization(EvaluatorPolicy)
            .WithName("EvaluateAgreementPdf")
            .WithSummary("The evaluation report (same figures and rules as /evaluation) as a German PDF/A with the goals' traffic lights in words.")
            .ProducesValidationProblem().ProducesProblem(404);

        return app;
    }
}
