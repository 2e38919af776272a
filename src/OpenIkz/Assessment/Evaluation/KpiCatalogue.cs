namespace OpenIkz.Assessment.Evaluation;

/// <summary>How a goal compares the measured value with its target.</summary>
public static class Comparisons
{
    /// <summary>At most (≤): the measured value must not exceed the target.</summary>
    public const string AtMost = "le";

    /// <summary>At least (≥): the measured value must reach the target.</summary>
    public const string AtLeast = "ge";

    public static string Symbol(string comparison) => comparison == AtLeast ? "≥" : "≤";
}

/// <summary>
/// A key figure an agreement's goal can name. <paramref name="Measurable"/>: whether OpenIKZ measures it from the back
/// office; the others (the yearly saving needs the partners' cost figures) are recorded as goals but evaluated as
/// "not measurable". <paramref name="TerminationReason"/>: the gpaNRW reason (seeds/004, 1.2.9;
/// <see cref="OpenIkz.Agreements.TerminationReasons"/>) a rollback for this missed goal would be recorded with.
/// </summary>
public sealed record Kpi(string Slug, string Label, string Unit, string Comparison, bool Measurable, string TerminationReason, bool IsPercent = false);

/// <summary>The KPI catalogue of the evaluation. Times are in working days (Monday to Friday, see <see cref="WorkingDays"/>).</summary>
public static class KpiCatalogue
{
    public const string ProcessingP50 = "bearbeitungszeit-p50";
    public const string ProcessingP90 = "bearbeitungszeit-p90";
    public const string LeadP50 = "durchlaufzeit-p50";
    public const string LeadP90 = "durchlaufzeit-p90";
    public const string OverdueShare = "anteil-ueberfaellig";
    public const string Backlog = "rueckstand";
    public const string YearlySaving = "jaehrliche-einsparung";

    public static readonly IReadOnlyList<Kpi> All =
    [
        new(ProcessingP50, "Bearbeitungszeit (Median)", "Arbeitstage", Comparisons.AtMost, true, "qualitaet"),
        new(ProcessingP90, "Bearbeitungszeit (90. Perzentil)", "Arbeitstage", Comparisons.AtMost, true, "qualitaet"),
        new(LeadP50, "Durchlaufzeit (Median)", "Arbeitstage", Comparisons.AtMost, true, "qualitaet"),
        new(LeadP90, "Durchlaufzeit (90. Perzentil)", "Arbeitstage", Comparisons.AtMost, true, "qualitaet"),
        new(OverdueShare, "Anteil überfälliger Vorgänge", "%", Comparisons.AtMost, true, "qualitaet", IsPercent: true),
        new(Backlog, "Rückstand (offene Vorgänge am Ende des Zeitraums)", "Vorgänge", Comparisons.AtMost, true, "personalmangel"),
        new(YearlySaving, "Jährliche Einsparung", "%", Comparisons.AtLeast, false, "wirtschaftlichkeit", IsPercent: true),
    ];

    public static Kpi? Find(string? slug) => All.FirstOrDefault(k => k.Slug == slug);
}
