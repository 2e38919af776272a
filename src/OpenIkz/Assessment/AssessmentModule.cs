using OpenIkz.Assessment.Assessments;
using OpenIkz.Assessment.Evaluation;
using OpenIkz.Assessment.Queueing;

namespace OpenIkz.Assessment;

/// <summary>
/// Assess and evaluate: queueing mathematics, the potential analysis of a group of candidate partners with a fair split
/// of the gain, the simulation of a year, and the evaluation of a running agreement against its goals. The mathematics
/// are pure functions without I/O (in the style of <c>SettlementCalculator</c>); each part lives in its own folder and is
/// registered here.
/// </summary>
public static class AssessmentModule
{
    public static IServiceCollection AddAssessment(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddEvaluation(configuration);
        services.AddAssessments(configuration);
        return services;
    }

    public static IEndpointRouteBuilder MapAssessmentApi(this IEndpointRouteBuilder app)
    {
        app.MapQueueApi();
        app.MapEvaluationApi();
        app.MapAssessmentsApi();
        return app;
    }
}
