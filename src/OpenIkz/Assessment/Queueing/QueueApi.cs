using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace OpenIkz.Assessment.Queueing;

/// <summary>
/// The request of POST /api/v1/assessment/queue. Either <see cref="Agents"/> (evaluate that staff) or
/// <see cref="TargetServiceLevel"/> (find the smallest staff reaching it). An unknown field is a 400 naming it.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record QueueInput(string? Model, double? ArrivalsPerHour, double? HandlingMinutes, int? Agents, double? TargetMinutes, double? PatienceMinutes,
    double? TargetServiceLevel);

/// <summary>
/// The answer: the measures for the given or computed <see cref="Agents"/>; for the staffing question also the target,
/// the square-root staffing figure with its Halfin–Whitt β, and the safety staff (agents − offered load).
/// </summary>
public sealed record QueueResponse(
    string Model,
    int Agents,
    bool Stable,
    double OfferedLoad,
    double WaitProbability,
    double ServiceLevel,
    double? MeanWaitMinutes,
    double AbandonProbability,
    double Utilization,
    string? Explanation,
    double? TargetServiceLevel,
    int? SquareRootAgents,
    double? HalfinWhittBeta,
    double? SafetyStaff)
{
    public static QueueResponse From(QueueMeasures m) =>
        new(m.Model, m.Agents, m.Stable, m.OfferedLoad, m.WaitProbability, m.ServiceLevel, m.MeanWaitMinutes, m.AbandonProbability, m.Utilization, m.Explanation,
            null, null, null, null);
}

public static class QueueApi
{
    /// <summary>Validates the whole request (every bad field at once) and answers it.</summary>
    public static QueueResponse Answer(QueueInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new ValidationErrors();
        QueueParameters? queue = null;
        int? agents = null;
        double? target = null;
        try { queue = QueueParameters.Create(input.Model, input.ArrivalsPerHour, input.HandlingMinutes, input.TargetMinutes, input.PatienceMinutes); }
        catch (ValidationException e) { Merge(errors, e); }
        if (input.Agents is not null && input.TargetServiceLevel is not null)
        {
            const string both = "Bitte entweder \"agents\" (Personal bewerten) oder \"targetServiceLevel\" (Personal berechnen) angeben, nicht beides.";
            errors.Add("agents", both);
            errors.Add("targetServiceLevel", both);
        }
        else if (input.TargetServiceLevel is not null)
            try { target = QueueParameters.TargetServiceLevel(input.TargetServiceLevel); }
            catch (ValidationException e) { Merge(errors, e); }
        else
            try { agents = QueueParameters.Agents(input.Agents); }
            catch (ValidationException e) { Merge(errors, e); }
        if (errors.Count > 0) throw new ValidationException(errors);

        if (agents is { } c)
            return QueueResponse.From(queue!.Model == QueueModel.ErlangA ? ErlangA.Evaluate(queue, c) : ErlangC.Evaluate(queue, c));
        var staffing = Staffing.Solve(queue!, target!.Value);
        return QueueResponse.From(staffing.Measures) with
        {
            TargetServiceLevel = target,
            SquareRootAgents = staffing.SquareRootAgents,
            HalfinWhittBeta = staffing.HalfinWhittBeta,
            SafetyStaff = staffing.SafetyStaff,
        };
    }

    private static void Merge(ValidationErrors into, ValidationException e)
    {
        foreach (var (field, messages) in e.Errors)
            foreach (var message in messages) into.Add(field, message);
    }

    public static IEndpointRouteBuilder MapQueueApi(this IEndpointRouteBuilder app)
    {
        // Public: a calculator over numbers the caller sends, without personal or stored data; every input is bounded
        // (at most 100,000 agents and Erlang), so one request costs well under a millisecond typically and ~25 ms at the limits. Municipalities weighing a
        // cooperation may use it before they have an account, as they may read the register's statistics.
        app.MapPost("/api/v1/assessment/queue", Ok<QueueResponse> (QueueInput input) => TypedResults.Ok(Answer(input)))
            .WithTags("Bewertung")
            .AllowAnonymous()
            .WithName("AssessQueue")
            .WithSummary("Erlang C (M/M/c) or Erlang A (M/M/c+M, with exponential patience) for a service queue: with `agents` the probability of waiting, the "
                + "service level (share of all arrivals answered within `targetMinutes`), the mean wait, the abandonment probability and the utilisation; "
                + "with `targetServiceLevel` instead the smallest staff reaching it, beside the square-root staffing figure R + β·√R. An unstable Erlang C "
                + "system (offered load ≥ agents) is a 200 with `stable: false` and a German explanation; bad input is a 400 naming the field.")
            .ProducesValidationProblem();
        return app;
    }
}
