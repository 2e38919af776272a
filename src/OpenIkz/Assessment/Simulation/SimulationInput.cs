using System.Globalization;

namespace OpenIkz.Assessment.Simulation;

/// <summary>How the work time of a case is drawn around its mean.</summary>
public enum WorkDistribution
{
    /// <summary>Exponential with the given mean (the M/M/c assumption; coefficient of variation 1).</summary>
    Exponential,
    /// <summary>Every case takes exactly the mean (coefficient of variation 0).</summary>
    Fixed,
}

/// <summary>
/// One service of a partner: its demand, the work per case, the staff that does it and the target.
/// </summary>
/// <param name="Service">The service key (slug); the pooled run pools the services with the same key.</param>
/// <param name="CasesPerYear">Expected cases in 365 calendar days (the profiles shape them over the year).</param>
/// <param name="MinutesPerCase">Mean net work per case in minutes.</param>
/// <param name="StaffFte">Full-time equivalents that do this service (a fraction is one part-time clerk).</param>
/// <param name="AbsenceRate">Probability that a clerk is absent on a working day (leave, sickness, training), 0 ≤ rate &lt; 1.</param>
/// <param name="TargetWorkingDays">A case is due this many working days after the day of its receipt (0: the same day).</param>
/// <param name="Distribution">Exponential (default) or fixed work time.</param>
public sealed record SimulationService(
    string Service,
    double CasesPerYear,
    double MinutesPerCase,
    double StaffFte,
    double AbsenceRate,
    int TargetWorkingDays,
    WorkDistribution Distribution = WorkDistribution.Exponential);

/// <summary>A candidate partner (a municipality) with the services it would bring into the pool.</summary>
public sealed record SimulationPartner(string Name, IReadOnlyList<SimulationService> Services);

/// <summary>
/// What <see cref="YearSimulation.Run"/> simulates. Working days are Monday to Friday of the calendar from
/// <see cref="StartDate"/>; public holidays are not closures of their own (fold them into the absence rate).
/// </summary>
public sealed record SimulationInput(IReadOnlyList<SimulationPartner> Partners)
{
    /// <summary>39 hours a week (TVöD-VKA, West) over five days.</summary>
    public const double DefaultHoursPerDay = 7.8;

    /// <summary>
    /// Relative arrivals Monday … Friday: an assumption (more on Monday, fewer on Friday, when many offices close at
    /// noon), not a published figure; replace it with the partner's own counts where known.
    /// </summary>
    public static IReadOnlyList<double> DefaultWeekdayProfile { get; } = [1.2, 1.1, 0.9, 1.1, 0.7];

    /// <summary>
    /// Relative arrivals January … December: an assumption (dips in the summer holidays and around Christmas), not a
    /// published figure; replace it with the partner's own counts where known.
    /// </summary>
    public static IReadOnlyList<double> DefaultSeasonalProfile { get; } = [1.05, 1.05, 1.1, 1.0, 1.0, 1.0, 0.95, 0.85, 1.05, 1.05, 1.0, 0.9];

    /// <summary>Working hours a day; cases arrive and are worked only within them.</summary>
    public double HoursPerDay { get; init; } = DefaultHoursPerDay;

    /// <summary>Five non-negative weights, Monday first; only their ratios matter.</summary>
    public IReadOnlyList<double> WeekdayProfile { get; init; } = DefaultWeekdayProfile;

    /// <summary>Twelve non-negative weights, January first; only their ratios matter.</summary>
    public IReadOnlyList<double> SeasonalProfile { get; init; } = DefaultSeasonalProfile;

    /// <summary>The first calendar day simulated.</summary>
    public DateOnly StartDate { get; init; } = new(2027, 1, 1);

    public const int MaxDays = 3660;
    public const double MaxStaffFte = 10_000;
    public const double MaxCasesInRun = 20_000_000;

    /// <summary>Throws a <see cref="ValidationException"/> naming every bad field (camelCase paths as in the API).</summary>
    public void Validate(int days)
    {
        var e = new ValidationErrors();
        static bool Finite(double v) => double.IsFinite(v);
        if (days is <= 0 or > MaxDays) e.Add("days", $"Die Dauer muss zwischen 1 und {MaxDays} Tagen liegen.");
        if (!Finite(HoursPerDay) || HoursPerDay <= 0 || HoursPerDay > 24) e.Add("hoursPerDay", "Die Arbeitszeit pro Tag muss größer als 0 und höchstens 24 Stunden sein.");
        CheckProfile(e, "weekdayProfile", WeekdayProfile, 5, "fünf Gewichte (Montag bis Freitag)");
        CheckProfile(e, "seasonalProfile", SeasonalProfile, 12, "zwölf Gewichte (Januar bis Dezember)");
        if (StartDate.Year is < 2000 or > 2100) e.Add("startDate", "Das Startdatum muss zwischen 2000 und 2100 liegen.");
        if (Partners is null || Partners.Count == 0)
        {
            e.Add("partners", "Mindestens ein Partner ist nötig.");
            throw new ValidationException(e);
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        double expectedCases = 0;
        for (var p = 0; p < Partners.Count; p++)
        {
            var partner = Partners[p];
            var at = string.Create(CultureInfo.InvariantCulture, $"partners[{p}]");
            if (partner is null) { e.Add(at, "Der Partner fehlt."); continue; }
            if (string.IsNullOrWhiteSpace(partner.Name)) e.Add(at + ".name", "Der Name des Partners fehlt.");
            else if (!names.Add(partner.Name)) e.Add(at + ".name", $"Der Partner '{partner.Name}' kommt doppelt vor.");
            if (partner.Services is null || partner.Services.Count == 0) { e.Add(at + ".services", "Mindestens eine Leistung ist nötig."); continue; }
            var slugs = new HashSet<string>(StringComparer.Ordinal);
            for (var s = 0; s < partner.Services.Count; s++)
            {
                var service = partner.Services[s];
                var sat = string.Create(CultureInfo.InvariantCulture, $"{at}.services[{s}]");
                if (service is null) { e.Add(sat, "Die Leistung fehlt."); continue; }
                if (string.IsNullOrWhiteSpace(service.Service)) e.Add(sat + ".service", "Der Schlüssel der Leistung fehlt.");
                else if (!slugs.Add(service.Service)) e.Add(sat + ".service", $"Die Leistung '{service.Service}' kommt bei diesem Partner doppelt vor.");
                if (!Finite(service.CasesPerYear) || service.CasesPerYear < 0) e.Add(sat + ".casesPerYear", "Die Fallzahl pro Jahr darf nicht negativ sein.");
                else expectedCases += service.CasesPerYear * Math.Max(days, 0) / 365.0;
                if (!Finite(service.MinutesPerCase) || service.MinutesPerCase <= 0) e.Add(sat + ".minutesPerCase", "Die Bearbeitungszeit pro Fall muss größer als 0 Minuten sein.");
                if (!Finite(service.StaffFte) || service.StaffFte < 0 || service.StaffFte > MaxStaffFte) e.Add(sat + ".staffFte", $"Das Personal (VZÄ) muss zwischen 0 und {MaxStaffFte:0} liegen.");
                if (!Finite(service.AbsenceRate) || service.AbsenceRate < 0 || service.AbsenceRate >= 1) e.Add(sat + ".absenceRate", "Die Abwesenheitsquote muss mindestens 0 und kleiner als 1 sein.");
                if (service.TargetWorkingDays < 0) e.Add(sat + ".targetWorkingDays", "Die Zielfrist darf nicht negativ sein.");
                if (!Enum.IsDefined(service.Distribution)) e.Add(sat + ".distribution", "Die Verteilung ist 'exponential' oder 'fixed'.");
            }
        }
        if (expectedCases > MaxCasesInRun) e.Add("partners", $"Zusammen mehr als {MaxCasesInRun:N0} erwartete Fälle im Zeitraum: bitte den Zeitraum kürzen.");
        if (e.Count > 0) throw new ValidationException(e);
    }

    private static void CheckProfile(ValidationErrors e, string field, IReadOnlyList<double>? weights, int count, string what)
    {
        if (weights is null || weights.Count != count) { e.Add(field, $"Das Profil braucht genau {what}."); return; }
        var sum = 0.0;
        foreach (var w in weights)
        {
            if (!double.IsFinite(w) || w < 0) { e.Add(field, "Die Gewichte dürfen nicht negativ sein."); return; }
            sum += w;
        }
        if (sum <= 0) e.Add(field, "Mindestens ein Gewicht muss größer als 0 sein.");
    }
}
