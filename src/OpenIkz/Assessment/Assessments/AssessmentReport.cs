using System.Globalization;
using OpenIkz.Assessment.Potential;
using OpenIkz.Assessment.Queueing;
using OpenIkz.Assessment.Simulation;
using OpenIkz.Directory.Services;

namespace OpenIkz.Assessment.Assessments;

/// <summary>A table of the report: caption, column headers, which columns are numbers, and the rows as German text.</summary>
public sealed record ReportTable(string Id, string Caption, IReadOnlyList<string> Headers, IReadOnlyList<bool> Numeric, IReadOnlyList<string[]> Rows);

/// <summary>The figures of a chart: category labels and one series of values per dataset (the same figures stand in its table).</summary>
public sealed record ReportChart(IReadOnlyList<string> Labels, IReadOnlyList<(string Label, IReadOnlyList<decimal> Values)> Series, bool Percent, string Description);

/// <summary>
/// The figures of a stored potential analysis as German text, in tables and chart series: the result page and the PDF
/// report both show these, so that they cannot disagree. Names: AGS → municipality name (unknown keys stay as AGS).
/// </summary>
public sealed class AssessmentReport(AssessmentView view, IReadOnlyDictionary<string, string> names)
{
    private static readonly CultureInfo G = CultureInfo.GetCultureInfo("de-DE");

    public AssessmentResult Result => view.Result;
    public AssessmentView View => view;

    public string Name(string ags) => names.TryGetValue(ags, out var n) ? n : ags;

    public static string Service(string slug) => ServiceCatalog.Find(slug)?.Name ?? slug;

    public static string CaseGroup(string service, string group) =>
        group.Length == 0 ? "ganze Leistung" : ServiceCatalog.Find(service)?.CaseGroups.FirstOrDefault(g => g.Slug == group)?.Label ?? group;

    public static string Fte(double v) => v.ToString("N2", G);
    public static string Euro(double v) => v.ToString("N0", G) + " €";
    public static string Cents(double v) => v.ToString("N2", G) + " €";
    public static string Percent(double v) => v.ToString("N1", G) + " %";
    public static string Days(double v) => v.ToString("N1", G);
    public static string Number(double v, string format = "N0") => v.ToString(format, G);

    private string MethodLabel => Result.Assumptions.Method == "bmi" ? "BMI (Organisationshandbuch)" : "Erlang C (Warteschlangenmodell)";

    /// <summary>The headline figures: staff alone and pooled, the saving, break-even, the funding threshold, the transaction costs.</summary>
    public IReadOnlyList<(string Label, string Value)> KeyFigures()
    {
        var r = Result;
        return
        [
            ("Partner", string.Join(", ", r.Partners.Select(p => $"{Name(p)} ({p})"))),
            ("Leistungen", string.Join(", ", r.Pooled.Services.Select(s => Service(s.Service)))),
            ("Personalbedarf allein (Summe)", Fte(r.Pooled.AloneFte) + " VZÄ"),
            ("Personalbedarf gemeinsam", Fte(r.Pooled.Fte) + " VZÄ"),
            ("Einsparung Personal", Fte(r.Saving.Fte) + " VZÄ"),
            ("Kosten allein im Jahr", Euro(r.Pooled.AloneCostEurPerYear)),
            ("Kosten gemeinsam im Jahr", Euro(r.Pooled.CostEurPerYear)),
            ("Jährliche Koordinationskosten", Euro(r.Pooled.YearlyCoordinationEurPerYear)),
            ("Einsparung im Jahr", $"{Euro(r.Saving.EurPerYear)} ({Percent(r.Saving.Percent)} der Kosten allein)"),
            ("Einmalige Kosten der Vorbereitung", Euro(r.Pooled.OneOffCostEur)),
            ("Break-even", BreakEven()),
            ($"Förderschwelle {Percent(r.FundingThreshold * 100)}", r.FundingThresholdMet
                ? $"erreicht ({Percent(r.Saving.Percent)} Einsparung im Jahr)"
                : $"nicht erreicht ({Percent(r.Saving.Percent)} Einsparung im Jahr)"),
            ("Berechnungsmethode für die Kosten", MethodLabel),
        ];
    }

    public string BreakEven() => Result.BreakEvenMonths switch
    {
        null => "keiner: ohne Einsparung zahlt sich die Vorbereitung nicht aus",
        0 => "sofort (keine einmaligen Kosten)",
        { } m => $"nach {m.ToString("N1", G)} Monaten",
    };

    /// <summary>Staff per service: the partners alone (BMI, Erlang C, the chosen method) against the pool.</summary>
    public ReportTable StaffByService() => new("personal", "Personalbedarf je Leistung in Vollzeitäquivalenten (VZÄ)",
        ["Leistung", "allein: BMI", "allein: Erlang C", "allein (Methode)", "gemeinsam: BMI", "gemeinsam: Erlang C", "gemeinsam (Methode)", "Einsparung"],
        [false, true, true, true, true, true, true, true],
        Result.Pooled.Services.Select(s => new[]
        {
            Service(s.Service), Fte(s.AloneBmiFte), Fte(s.AloneErlangFte), Fte(s.AloneFte), Fte(s.Pooled.BmiFte), Fte(s.Pooled.ErlangFte), Fte(s.Pooled.StaffFte), Fte(s.AloneFte - s.Pooled.StaffFte),
        }).ToList());

    public ReportChart StaffChart() => new(
        Result.Pooled.Services.Select(s => Service(s.Service)).ToList(),
        [("allein (Summe der Partner)", Result.Pooled.Services.Select(s => Dec(s.AloneFte)).ToList()), ("gemeinsam", Result.Pooled.Services.Select(s => Dec(s.Pooled.StaffFte)).ToList())],
        false, "Balkendiagramm: Personalbedarf allein und gemeinsam je Leistung in VZÄ. Die Zahlen stehen in der folgenden Tabelle.");

    /// <summary>Each partner and service alone: today's staff, the staff the target needs, waiting and throughput, days nobody is there.</summary>
    public ReportTable PartnersAlone() => new("allein", "Die Partner allein je Leistung",
        ["Partner", "Leistung", "Fälle im Jahr", "Personal heute", "Bedarf BMI", "Bedarf Erlang C", "mittlere Wartezeit (Min.)", "Durchlaufzeit (Arbeitstage)", "Tage ohne Personal"],
        [false, false, true, true, true, true, true, true, true],
        Result.Alone.Select(p => new[]
        {
            Name(p.PartnerAgs), Service(p.Service), Number(p.Alone.CasesPerYear), Fte(p.CurrentStaffFte), Fte(p.Alone.BmiFte), Fte(p.Alone.ErlangFte),
            p.Alone.MeanWaitMinutes is { } w ? Number(w, "N1") : "–", p.Alone.ThroughputWorkingDays is { } t ? Number(t, "N2") : "–", Days(p.DaysWithNobodyPresent),
        }).ToList());

    /// <summary>The waiting times of Erlang C: share of cases that wait longer than t, for thresholds up to the target.</summary>
    public IReadOnlyList<(double Minutes, string Label)> WaitThresholds()
    {
        var day = Result.Assumptions.HoursPerDay * 60;
        var list = new List<(double, string)> { (0, "überhaupt"), (15, "15 Minuten"), (60, "1 Stunde"), (240, "4 Stunden"), (day, "1 Arbeitstag") };
        var target = Result.Assumptions.TargetWorkingDays * day;
        if (target > day + 1e-9) list.Add((target, $"{Number(Result.Assumptions.TargetWorkingDays, "0.##")} Arbeitstage (Ziel)"));
        return list;
    }

    /// <summary>P(W &gt; t) of Erlang C with c agents present for arrivals λ per hour and handling time h: C·e^(−(c−R)·t/h); 1 when unstable.</summary>
    public static double WaitLongerThan(Potential.Staffing s, double minutes)
    {
        var load = s.ArrivalsPerHour * s.HandlingMinutes / 60;
        if (s.ErlangAgents <= 0 || load <= 0) return load <= 0 ? 0 : 1;
        if (s.ErlangAgents <= load) return 1;
        var c = ErlangC.WaitProbability(s.ErlangAgents, load);
        return Math.Clamp(c * Math.Exp(-(s.ErlangAgents - load) * minutes / s.HandlingMinutes), 0, 1);
    }

    public ReportTable WaitTable(ServiceResult s)
    {
        var alone = Result.Alone.Where(a => a.Service == s.Service).ToList();
        return new ReportTable("wartezeit-" + s.Service, $"{Service(s.Service)}: Anteil der Vorgänge, die länger warten als …",
            ["wartet länger als", .. alone.Select(a => $"{Name(a.PartnerAgs)} allein"), "gemeinsam"],
            [false, .. alone.Select(_ => true), true],
            WaitThresholds().Select(t => new[] { t.Label }.Concat(alone.Select(a => Percent(100 * WaitLongerThan(a.Alone, t.Minutes)))).Append(Percent(100 * WaitLongerThan(s.Pooled, t.Minutes))).ToArray()).ToList());
    }

    public ReportChart WaitChart(ServiceResult s)
    {
        var thresholds = WaitThresholds();
        var series = Result.Alone.Where(a => a.Service == s.Service)
            .Select(a => ($"{Name(a.PartnerAgs)} allein", (IReadOnlyList<decimal>)thresholds.Select(t => Dec(100 * WaitLongerThan(a.Alone, t.Minutes))).ToList()))
            .Append(("gemeinsam", thresholds.Select(t => Dec(100 * WaitLongerThan(s.Pooled, t.Minutes))).ToList()))
            .ToList();
        return new ReportChart(thresholds.Select(t => t.Label).ToList(), series, true,
            $"Balkendiagramm: {Service(s.Service)}, Anteil der Vorgänge, die länger als die genannte Zeit auf den Beginn der Bearbeitung warten, allein und gemeinsam. Die Zahlen stehen in der folgenden Tabelle.");
    }

    /// <summary>Days a year on which nobody of the service's staff is present: each partner alone with today's staff, all alone summed, the pool.</summary>
    public ReportTable AbsenceTable() => new("vertretung", "Arbeitstage im Jahr, an denen niemand da ist",
        ["Leistung", .. Result.Partners.Select(p => $"{Name(p)} allein"), "allein zusammen", "gemeinsam"],
        [false, .. Result.Partners.Select(_ => true), true, true],
        Result.AbsenceCoverage.Services.Select(s => new[] { Service(s.Service) }
            .Concat(Result.Partners.Select(p => Result.Alone.FirstOrDefault(a => a.PartnerAgs == p && a.Service == s.Service) is { } a ? Days(a.DaysWithNobodyPresent) : "–"))
            .Append(Days(s.AloneDaysWithNobodyPresent)).Append(Days(s.PooledDaysWithNobodyPresent)).ToArray()).ToList());

    public ReportChart AbsenceChart() => new(
        Result.AbsenceCoverage.Services.Select(s => Service(s.Service)).ToList(),
        [("allein zusammen", Result.AbsenceCoverage.Services.Select(s => Dec(s.AloneDaysWithNobodyPresent)).ToList()), ("gemeinsam", Result.AbsenceCoverage.Services.Select(s => Dec(s.PooledDaysWithNobodyPresent)).ToList())],
        false, "Balkendiagramm: Arbeitstage im Jahr, an denen niemand da ist, allein und gemeinsam je Leistung. Die Zahlen stehen in der folgenden Tabelle.");

    /// <summary>The cumulative net saving month by month: − one-off cost + months × yearly saving ÷ 12.</summary>
    public IReadOnlyList<(int Month, double Euro)> BreakEvenSeries()
    {
        var horizon = Result.BreakEvenMonths is { } m && m > 0 ? (int)Math.Clamp(Math.Ceiling(m * 1.5), 12, 120) : 24;
        var step = Math.Max(1, (int)Math.Ceiling(horizon / 12.0));
        var list = new List<(int, double)>();
        for (var month = 0; month <= horizon; month += step) list.Add((month, -Result.Pooled.OneOffCostEur + month * Result.Saving.EurPerYear / 12));
        return list;
    }

    public ReportTable BreakEvenTable() => new("break-even", "Kumulierte Einsparung nach Monaten (nach einmaligen Kosten)",
        ["nach Monaten", "kumulierte Einsparung"], [true, true],
        BreakEvenSeries().Select(x => new[] { x.Month.ToString(G), Euro(x.Euro) }).ToList());

    public ReportChart BreakEvenChart() => new(
        BreakEvenSeries().Select(x => $"{x.Month} Mon.").ToList(),
        [("kumulierte Einsparung (€)", BreakEvenSeries().Select(x => Dec(x.Euro)).ToList())],
        false, "Balkendiagramm: kumulierte Einsparung nach einmaligen Kosten über die Monate; ab dem Break-even ist sie positiv. Die Zahlen stehen in der folgenden Tabelle.");

    public ReportTable RatesTable() => new("pauschalen", "Vorgeschlagene Fallpauschalen je Leistung und Fallgruppe",
        ["Leistung", "Fallgruppe", "Fälle im Jahr", "mittlere Minuten je Fall", "Pauschale je Fall"], [false, false, true, true, true],
        Result.SuggestedRates.Select(r => new[] { Service(r.Service), CaseGroup(r.Service, r.CaseGroup), Number(r.CasesPerYear), Number(r.MeanMinutesPerCase, "N1"), Cents(r.CostPerCaseEuro) }).ToList());

    /// <summary>The Shapley split beside what the suggested settlement key leaves each partner.</summary>
    public ReportTable SplitTable() => new("aufteilung", "Aufteilung des Vorteils: Shapley-Wert neben dem Finanzierungsschlüssel (Euro im Jahr)",
        ["Partner", "Kosten allein", "Zahlung nach Schlüssel", "Vorteil nach Schlüssel", "Shapley-Wert", "Differenz (Schlüssel − Shapley)"],
        [false, true, true, true, true, true],
        Result.SettlementKey.Partners.Select(p => new[]
        {
            Name(p.PartnerAgs), Euro(p.AloneCostEuro), Euro(p.KeyPaymentEuro), Euro(p.KeyGainEuro), Euro(p.ShapleyGainEuro), Euro(p.DifferenceEuro),
        }).Append(["zusammen", Euro(Result.SettlementKey.Partners.Sum(p => p.AloneCostEuro)), Euro(Result.SettlementKey.Partners.Sum(p => p.KeyPaymentEuro)),
            Euro(Result.SettlementKey.Partners.Sum(p => p.KeyGainEuro)), Euro(Result.SettlementKey.TotalGainEurPerYear), Euro(Result.SettlementKey.Partners.Sum(p => p.DifferenceEuro))]).ToList());

    public ReportChart SplitChart() => new(
        Result.SettlementKey.Partners.Select(p => Name(p.PartnerAgs)).ToList(),
        [("Vorteil nach Schlüssel", Result.SettlementKey.Partners.Select(p => Dec(p.KeyGainEuro)).ToList()), ("Shapley-Wert", Result.SettlementKey.Partners.Select(p => Dec(p.ShapleyGainEuro)).ToList())],
        false, "Balkendiagramm: Vorteil je Partner nach dem Finanzierungsschlüssel und nach dem Shapley-Wert in Euro im Jahr. Die Zahlen stehen in der folgenden Tabelle.");

    /// <summary>The input figures per partner, service and case group.</summary>
    public ReportTable InputTable() => new("eingaben", "Eingaben je Partner, Leistung und Fallgruppe",
        ["Partner", "Leistung", "Fallgruppe", "Fälle im Jahr", "Minuten je Fall", "Personal (VZÄ)", "Ausfallquote"],
        [false, false, false, true, true, true, true],
        view.Input.Loads.SelectMany(l => l.CaseGroups.Select((g, i) => new[]
        {
            Name(l.PartnerAgs), Service(l.Service), CaseGroup(l.Service, g.CaseGroup), Number(g.CasesPerYear), Number(g.MinutesPerCase, "N1"),
            i == 0 ? Fte(l.StaffFte) : "", i == 0 ? (l.AbsenceRate is { } a ? Percent(a * 100) : "Annahme") : "",
        })).ToList());

    public IReadOnlyList<(string Label, string Value)> Assumptions()
    {
        var a = Result.Assumptions;
        var t = a.TransactionCosts;
        return
        [
            ("Ziel", $"{Percent(a.TargetShareStarted * 100)} der Vorgänge begonnen binnen {Number(a.TargetWorkingDays, "0.##")} Arbeitstagen"),
            ("Arbeitstage im Jahr", Number(a.WorkingDaysPerYear, "0.##")),
            ("Arbeitsstunden am Tag", Number(a.HoursPerDay, "0.##")),
            ("Ausfallquote (Annahme)", Percent(a.AbsenceRate * 100)),
            ("Verteilzeit", Percent(a.VerteilzeitRate * 100)),
            ("Jahresarbeitszeit je VZÄ", Number(a.AnnualHoursPerFte, "N1") + " Stunden"),
            ("Kosten je VZÄ und Jahr", Euro(a.CostPerFteEuro)),
            ("Kosten je Stunde", Cents(a.CostPerHourEuro)),
            ("Förderschwelle", Percent(a.FundingThreshold * 100)),
            ("Abschreibung der einmaligen Kosten", Number(a.AmortisationYears, "0.##") + " Jahre"),
            ("Einmalige Kosten", $"{Euro(t.OneOffFixedEuro)} fest + {Euro(t.OneOffPerPartnerEuro)} je Partner"),
            ("Jährliche Koordinationskosten", $"{Euro(t.YearlyFixedEuro)} fest + {Euro(t.YearlyPerPartnerEuro)} je Partner"),
            ("Berechnungsmethode", MethodLabel),
        ];
    }

    /// <summary>A simulated year: each partner's service alone against its cases in the pool.</summary>
    public ReportTable SimulationTable(SimulationResult sim) => new("simulation", $"Simuliertes Jahr ({sim.Days} Tage, Startwert {sim.Seed}): allein und gemeinsam",
        ["Partner", "Leistung", "", "eingegangen", "erledigt", "Durchlaufzeit Median (Arbeitstage)", "Durchlaufzeit 90 % (Arbeitstage)", "Anteil wartend", "Anteil überfällig", "Rückstand am Ende"],
        [false, false, false, true, true, true, true, true, true, true],
        sim.Alone.SelectMany(a =>
        {
            var pooled = sim.Pooled.FirstOrDefault(p => p.Service == a.Service)?.Partners.FirstOrDefault(p => p.Partner == a.Partner)?.Figures;
            var rows = new List<string[]> { SimRow(a.Partner, a.Service, "allein", a.Figures) };
            if (pooled is not null) rows.Add(SimRow(a.Partner, a.Service, "gemeinsam", pooled));
            return rows;
        }).ToList());

    private string[] SimRow(string partner, string service, string how, QueueFigures f) =>
    [
        Name(partner), Service(service), how, Number(f.Arrived), Number(f.Completed),
        f.ProcessingP50Days is { } p50 ? Number(p50, "N2") : "–", f.ProcessingP90Days is { } p90 ? Number(p90, "N2") : "–",
        Percent(f.WaitShare * 100), Percent(f.OverdueShare * 100), Number(f.BacklogAtEnd),
    ];

    private static decimal Dec(double v) => double.IsFinite(v) ? Math.Round((decimal)v, 2) : 0;
}
