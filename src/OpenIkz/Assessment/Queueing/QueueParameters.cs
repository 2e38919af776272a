using System.Globalization;

namespace OpenIkz.Assessment.Queueing;

/// <summary>The two queueing models: Erlang C (M/M/c, callers wait for ever) and Erlang A (M/M/c+M, exponential patience).</summary>
public enum QueueModel { ErlangC, ErlangA }

/// <summary>
/// A validated queue: Poisson arrivals per hour, exponential handling time and target time in minutes, and for
/// Erlang A the mean (exponential) patience in minutes. <see cref="OfferedLoad"/> R = λ·h in Erlang is the mean
/// number of busy agents the work needs.
/// </summary>
public sealed record QueueParameters(QueueModel Model, double ArrivalsPerHour, double HandlingMinutes, double TargetMinutes, double? PatienceMinutes)
{
    /// <summary>At most 100,000 agents: no municipal service centre has more, and every formula stays O(c) below it.</summary>
    public const int MaxAgents = 100_000;
    /// <summary>The offered load may not exceed 100,000 Erlang (else not even <see cref="MaxAgents"/> could carry it).</summary>
    public const double MaxOfferedLoad = 100_000;
    public const double MaxArrivalsPerHour = 10_000_000, MaxMinutes = 525_600; // a year
    /// <summary>Patience at most 10,000 handling times: beyond that Erlang A equals Erlang C to the shown digits, and the series stays short.</summary>
    public const double MaxPatienceRatio = 10_000;
    /// <summary>The smallest positive rate or time accepted (10⁻⁶): below it the products of the formulas could underflow to 0.</summary>
    public const double MinPositive = 1e-6;

    public double OfferedLoad => ArrivalsPerHour * HandlingMinutes / 60;

    /// <summary>The model's API name: "erlang-c" or "erlang-a".</summary>
    public string ModelName => Name(Model);

    public static string Name(QueueModel model) => model == QueueModel.ErlangA ? "erlang-a" : "erlang-c";

    /// <summary>Checks the inputs and names each bad one in camelCase as in the API (German messages).</summary>
    public static QueueParameters Create(string? model, double? arrivalsPerHour, double? handlingMinutes, double? targetMinutes, double? patienceMinutes)
    {
        var errors = new ValidationErrors();
        QueueModel? m = model?.Trim().ToLowerInvariant() switch
        {
            "erlang-c" => QueueModel.ErlangC,
            "erlang-a" => QueueModel.ErlangA,
            _ => null,
        };
        if (m is null)
            errors.Add("model", string.IsNullOrWhiteSpace(model) ? "Bitte wählen Sie das Modell: \"erlang-c\" oder \"erlang-a\"." : $"Das Modell '{model}' gibt es nicht (möglich: \"erlang-c\", \"erlang-a\").");
        Positive(errors, "arrivalsPerHour", arrivalsPerHour, "Die Ankünfte je Stunde", MaxArrivalsPerHour);
        Positive(errors, "handlingMinutes", handlingMinutes, "Die mittlere Bearbeitungszeit", MaxMinutes);
        if (targetMinutes is not { } t) errors.Add("targetMinutes", "Bitte geben Sie die Zielwartezeit in Minuten an (0 für „sofort“).");
        else if (!double.IsFinite(t) || t < 0 || t > MaxMinutes) errors.Add("targetMinutes", $"Die Zielwartezeit muss zwischen 0 und {Ui(MaxMinutes)} Minuten liegen.");
        if (m == QueueModel.ErlangA)
        {
            Positive(errors, "patienceMinutes", patienceMinutes, "Die mittlere Geduld", MaxMinutes);
            if (!errors.ContainsKey("patienceMinutes") && handlingMinutes is > 0 && patienceMinutes / handlingMinutes > MaxPatienceRatio)
                errors.Add("patienceMinutes", $"Die mittlere Geduld darf höchstens das {Ui(MaxPatienceRatio)}-Fache der Bearbeitungszeit sein; für unbegrenzte Geduld wählen Sie \"erlang-c\".");
        }
        else if (m == QueueModel.ErlangC && patienceMinutes is not null)
            errors.Add("patienceMinutes", "Die Geduld gehört nur zum Modell \"erlang-a\"; Erlang C nimmt an, dass niemand auflegt.");
        if (!errors.ContainsKey("arrivalsPerHour") && !errors.ContainsKey("handlingMinutes") && arrivalsPerHour * handlingMinutes / 60 > MaxOfferedLoad)
            errors.Add("arrivalsPerHour", $"Das Arbeitsaufkommen (Ankünfte je Stunde × Bearbeitungszeit / 60) darf höchstens {Ui(MaxOfferedLoad)} Erlang betragen.");
        if (errors.Count > 0) throw new ValidationException(errors);
        return new QueueParameters(m!.Value, arrivalsPerHour!.Value, handlingMinutes!.Value, targetMinutes!.Value, m == QueueModel.ErlangA ? patienceMinutes : null);
    }

    /// <summary>Agents given: a whole number from 1 to <see cref="MaxAgents"/>.</summary>
    public static int Agents(int? agents)
    {
        if (agents is not { } c) throw ValidationException.For("agents", "Bitte geben Sie die Zahl der Beschäftigten an.");
        if (c < 1 || c > MaxAgents) throw ValidationException.For("agents", $"Die Zahl der Beschäftigten muss zwischen 1 und {Ui(MaxAgents)} liegen.");
        return c;
    }

    /// <summary>A service-level target strictly between 0 and 1 (0.8 = 80 %).</summary>
    public static double TargetServiceLevel(double? target)
    {
        if (target is not { } s) throw ValidationException.For("targetServiceLevel", "Bitte geben Sie das Ziel für den Servicelevel an (z. B. 0.8 für 80 %).");
        if (!(s > 0 && s < 1)) throw ValidationException.For("targetServiceLevel", "Der Ziel-Servicelevel ist ein Anteil größer als 0 und kleiner als 1 (z. B. 0.8 für 80 %).");
        return s;
    }

    private static void Positive(ValidationErrors errors, string field, double? value, string label, double max)
    {
        if (value is not { } v) errors.Add(field, $"{label} fehlt.");
        else if (!double.IsFinite(v) || v <= 0) errors.Add(field, $"{label} muss größer als 0 sein.");
        else if (v < MinPositive) errors.Add(field, $"{label} ist zu klein, um damit zu rechnen (mindestens 0,000001).");
        else if (v > max) errors.Add(field, $"{label} darf höchstens {Ui(max)} betragen.");
    }

    private static string Ui(double v) => v.ToString("#,0", CultureInfo.GetCultureInfo("de-DE"));
}

/// <summary>
/// What a queue with a given number of agents achieves. Probabilities are shares of all arrivals; minutes are means over
/// all arrivals (for Erlang A over those served and those who gave up). <see cref="MeanWaitMinutes"/> is null only for
/// an unstable Erlang C system (the queue grows without bound), and then <see cref="Explanation"/> says so in German.
/// </summary>
public sealed record QueueMeasures(
    string Model,
    int Agents,
    double OfferedLoad,
    bool Stable,
    double WaitProbability,
    double ServiceLevel,
    double? MeanWaitMinutes,
    double AbandonProbability,
    double Utilization,
    string? Explanation);

/// <summary>
/// The smallest staff meeting a service-level target, with what it achieves, beside the square-root staffing rule
/// c ≈ R + β·√R (β of Halfin and Whitt for the target, without abandonment) and the safety staff c − R.
/// </summary>
public sealed record StaffingResult(int Agents, QueueMeasures Measures, int SquareRootAgents, double HalfinWhittBeta, double SafetyStaff);
