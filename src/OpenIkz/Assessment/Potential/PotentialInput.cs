namespace OpenIkz.Assessment.Potential;

/// <summary>
/// The input of a potential analysis: the candidate partners (AGS), what each of them handles per service and case
/// group, the service target, the assumptions with their documented defaults, and the transaction costs of the
/// cooperation. Every default is named with its source in <see cref="PotentialDefaults"/> and docs/ASSESSMENT.md.
/// </summary>
public sealed record PotentialInput(
    IReadOnlyList<string> Partners,
    IReadOnlyList<ServiceLoad> Loads,
    ServiceTarget? Target = null,
    PotentialAssumptions? Assumptions = null,
    TransactionCosts? TransactionCosts = null);

/// <summary>
/// What one partner handles in one service today: its staff in full-time equivalents and, per case group, the cases per
/// year and the mean handling minutes per case (Grundzeit, without Verteilzeit). <c>AbsenceRate</c> overrides the
/// assumption for this partner and service (share of working days a person is absent: leave, sickness, training).
/// </summary>
public sealed record ServiceLoad(string PartnerAgs, string Service, double StaffFte, IReadOnlyList<CaseGroupLoad> CaseGroups, double? AbsenceRate = null);

/// <summary>Cases per year and mean handling minutes per case of one case group ('' for the whole service).</summary>
public sealed record CaseGroupLoad(string CaseGroup, double CasesPerYear, double MinutesPerCase);

/// <summary>The service target: <c>ShareStarted</c> of the cases are started within <c>WorkingDays</c> working days (default 90 % within 2).</summary>
public sealed record ServiceTarget(double WorkingDays = PotentialDefaults.TargetWorkingDays, double ShareStarted = PotentialDefaults.TargetShareStarted);

/// <summary>Which staffing figure the costs (and so the saving, the rates and the fair split) are based on; both are always shown.</summary>
public enum StaffingMethod
{
    /// <summary>Erlang C: the staff present that meets the service target, converted to FTE with the absence rate.</summary>
    ErlangC,
    /// <summary>BMI/BVA Organisationshandbuch: Fallzahl × mittlere Bearbeitungszeit ÷ Jahresarbeitszeit (no target, no queueing).</summary>
    Bmi,
}

/// <summary>The assumptions of the analysis, all editable; the defaults and their sources are in <see cref="PotentialDefaults"/>.</summary>
public sealed record PotentialAssumptions(
    double WorkingDaysPerYear = PotentialDefaults.WorkingDaysPerYear,
    double HoursPerDay = PotentialDefaults.HoursPerDay,
    double AbsenceRate = PotentialDefaults.AbsenceRate,
    double VerteilzeitRate = PotentialDefaults.VerteilzeitRate,
    double CostPerFteEuro = PotentialDefaults.CostPerFteEuro,
    double? CostPerHourEuro = null,
    double FundingThreshold = PotentialDefaults.FundingThreshold,
    double AmortisationYears = PotentialDefaults.AmortisationYears,
    StaffingMethod Method = StaffingMethod.ErlangC)
{
    /// <summary>Jahresarbeitszeit einer Normalarbeitskraft in hours: working days × hours per day × (1 − absence rate).</summary>
    public double AnnualHoursPerFte(double absenceRate) => WorkingDaysPerYear * HoursPerDay * (1 - absenceRate);

    /// <summary>The cost of one FTE and year: given directly, or — when an hourly rate is given — hourly rate × Jahresarbeitszeit.</summary>
    public double EffectiveCostPerFte => CostPerHourEuro is { } perHour ? perHour * AnnualHoursPerFte(AbsenceRate) : CostPerFteEuro;

    /// <summary>The cost of one productive hour: given directly, or cost per FTE ÷ Jahresarbeitszeit.</summary>
    public double EffectiveCostPerHour => CostPerHourEuro ?? CostPerFteEuro / AnnualHoursPerFte(AbsenceRate);
}

/// <summary>
/// The transaction costs of the cooperation (seed 000, section 2.2: "Kommunikations- und Koordinationsaufwände …
/// ein wesentlicher Teil … entsteht ex ante"): a one-off cost of preparing the cooperation and a yearly coordination
/// cost, each as a fixed part plus a part per partner, because they grow with the size of the cooperation (ibid.).
/// A coalition of k ≥ 2 partners bears fixed + k × per partner; a single partner bears none.
/// </summary>
public sealed record TransactionCosts(double OneOffFixedEuro = 0, double OneOffPerPartnerEuro = 0, double YearlyFixedEuro = 0, double YearlyPerPartnerEuro = 0)
{
    public double OneOffFor(int partners) => partners < 2 ? 0 : OneOffFixedEuro + OneOffPerPartnerEuro * partners;
    public double YearlyFor(int partners) => partners < 2 ? 0 : YearlyFixedEuro + YearlyPerPartnerEuro * partners;
}

/// <summary>
/// The documented defaults. Each value names its source; values that are examples and not published figures say so.
/// </summary>
public static class PotentialDefaults
{
    /// <summary>
    /// 251 working days: 365 calendar days − 104 weekend days − 10 public holidays on weekdays on average — the scheme of the
    /// Jahresarbeitszeit in the BMF's Personalkostensätze (as quoted in the BMI/BVA Organisationshandbuch, 2.4.3.5.4.7
    /// "Jahresarbeitszeit einer Normalarbeitskraft"). Holidays differ by Land; edit per region.
    /// </summary>
    public const double WorkingDaysPerYear = 251;

    /// <summary>7.8 hours a day: the 39-hour week of TVöD (§ 6 Abs. 1 TVöD, Tarifgebiet West) over 5 days.</summary>
    public const double HoursPerDay = 7.8;

    /// <summary>
    /// 0.18 of the working days absent: 30 days of leave (§ 26 Abs. 1 TVöD, 5-day week) plus 15 days of sickness and
    /// training — the 15 days are an example, not a published figure; use the KGSt-Krankentagestatistik or the own
    /// figure. (30 + 15) ÷ 251 = 0.179 ≈ 0.18.
    /// </summary>
    public const double AbsenceRate = 0.18;

    /// <summary>
    /// 10 % Verteilzeit on the handling time: 5 % persönliche + 5 % sachliche Verteilzeit, the flat rate of the BMI/BVA
    /// Organisationshandbuch, 2.4.3.5.4.3 "Verteilzeiten". Only if the measured minutes contain no Verteilzeit yet.
    /// </summary>
    public const double VerteilzeitRate = 0.10;

    /// <summary>
    /// 75,000 € per FTE and year, personnel plus Sach- and Gemeinkosten. An EXAMPLE value, not a published figure: the
    /// KGSt-Bericht "Kosten eines Arbeitsplatzes" (yearly, for members) gives the current figures by pay grade; KGSt adds
    /// 20 % Gemeinkosten to the gross personnel cost of an office workplace (kgst.de, "Neuberechnung der Gemein- und
    /// Sachkostenpauschale"). Replace with the figure of the current report or the own cost accounting.
    /// </summary>
    public const double CostPerFteEuro = 75_000;

    /// <summary>
    /// 15 % saving a year: Hessen, Rahmenvereinbarung zur Förderung der Interkommunalen Zusammenarbeit, Fördervoraussetzung
    /// "Einsparung der personellen und sächlichen Ausgaben … von mindestens 15 v.H. pro Jahr"; Bayern, Richtlinie für
    /// Zuwendungen zur Förderung der interkommunalen Zusammenarbeit (FöRIKZ): yearly savings of at least 15 % in personnel
    /// and material costs.
    /// </summary>
    public const double FundingThreshold = 0.15;

    /// <summary>5 years to spread the one-off cost over in the fair split: the minimum duration of a funded cooperation in Hessen and Bayern.</summary>
    public const double AmortisationYears = 5;

    /// <summary>The example service target of issue 9: 90 % of the cases started within 2 working days.</summary>
    public const double TargetWorkingDays = 2;
    public const double TargetShareStarted = 0.9;
}
