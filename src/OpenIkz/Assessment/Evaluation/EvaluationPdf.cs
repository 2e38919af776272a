using System.Globalization;
using OpenIkz.Infrastructure.Pdf;

namespace OpenIkz.Assessment.Evaluation;

/// <summary>
/// The evaluation report as a German PDF/A (the same writer as the agreement and settlement documents): period, the
/// goals with target, measured value and traffic light in words, the suggested termination reason of a missed goal,
/// the figures per member and service, the compensation, the prediction of the potential analysis and the method.
/// </summary>
public static class EvaluationPdf
{
    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    public static string Number(decimal? value, string format = "0.##") => value is { } v ? v.ToString(format, German) : "–";

    public static string Number(double? value, string format = "0.#") => value is { } v && double.IsFinite(v) ? v.ToString(format, German) : "–";

    public static string Number(int? value) => value is { } v ? v.ToString("N0", German) : "–";

    public static string Euro(decimal value) => value.ToString("N2", German) + " €";

    public static string Date(DateOnly d) => d.ToString("dd.MM.yyyy", German);

    public static string Target(GoalResult g) => $"{g.ComparisonSymbol} {Number(g.Target)} {g.Unit}";

    /// <summary>The target in words: the PDF fonts have no ≤ and ≥.</summary>
    public static string TargetInWords(GoalResult g) => $"{(g.Comparison == Comparisons.AtLeast ? "mindestens" : "höchstens")} {Number(g.Target)} {g.Unit}";

    public static string Actual(GoalResult g) => !g.Measurable ? "nicht messbar" : g.Actual is { } a ? $"{Number(a)} {g.Unit}" : "keine Messwerte";

    public static byte[] Write(EvaluationReport r, string municipalityName, DateTimeOffset created)
    {
        ArgumentNullException.ThrowIfNull(r);
        var pdf = new PdfDocumentBuilder($"Evaluationsbericht Vereinbarung {r.AgreementId} – {r.Title}", "OpenIKZ", created,
            footerText: $"Evaluationsbericht Vereinbarung {r.AgreementId}, {Date(r.From)} – {Date(r.To)}");
        pdf.Heading("Evaluationsbericht");
        pdf.Paragraph(r.Title, bold: true);
        pdf.KeyValue([
            ("Vereinbarung", $"{r.AgreementId}: {r.Title}"),
            ("Zeitraum", $"{Date(r.From)} – {Date(r.To)}"),
            ("Evaluationsdatum", r.EvaluationDate is { } e ? Date(e) : "nicht festgelegt"),
            ("Erstellt", $"{created.ToOffset(BerlinTime.Zone.GetUtcOffset(created)).ToString("dd.MM.yyyy HH:mm", German)} für {municipalityName}"),
        ]);

        pdf.Heading("Ziele", 2);
        if (r.Goals.Count == 0)
            pdf.Paragraph("Für diese Vereinbarung sind keine strukturierten Ziele festgelegt.");
        else
        {
            pdf.Table(["Kennzahl", "Ziel", "Bewertung zum", "Gemessen", "Ampel", "Grund bei Rückabwicklung"],
                r.Goals.Select(g => new[]
                {
                    g.KpiLabel + (string.IsNullOrWhiteSpace(g.Note) ? "" : $" ({g.Note})"), TargetInWords(g), Date(g.DueDate) + (g.Due ? "" : " (noch nicht fällig)"), Actual(g),
                    GoalLights.Label(GoalLights.Of(g)), g.SuggestedTerminationReasonLabel ?? "–",
                }),
                [1.9, 1.0, 1.0, 1.0, 0.9, 1.2],
                [false, true, false, true, false, false]);
            pdf.Paragraph($"Ampel: „erreicht“ (grün), „knapp verfehlt“ (gelb: um höchstens {Number(GoalLights.CloseTolerancePercent)} % des Zielwerts verfehlt), " +
                          "„verfehlt“ (rot), „nicht messbar“ (grau: ohne Kostenzahlen der Partner oder ohne Messwerte im Zeitraum). Ein verfehltes Ziel nennt den Grund " +
                          "nach gpaNRW (Bericht 2025, 1.2.9), mit dem eine Rückabwicklung erfasst würde.", size: PdfDocumentBuilder.TableSize);
        }

        pdf.Heading("Gesamt", 2);
        var t = r.Total;
        pdf.KeyValue([
            ("Eingegangen", t.Received.ToString("N0", German)),
            ("Entschieden", $"{t.Decided.ToString("N0", German)}, davon für andere Mitglieder {t.DecidedForOthers.ToString("N0", German)}"),
            ("Bearbeitungszeit (Median / 90. Perzentil)", $"{Number(t.ProcessingTime.P50)} / {Number(t.ProcessingTime.P90)} Arbeitstage"),
            ("Durchlaufzeit (Median / 90. Perzentil)", $"{Number(t.LeadTime.P50)} / {Number(t.LeadTime.P90)} Arbeitstage"),
            ("Überfällig", $"{t.Overdue.ToString("N0", German)} ({Number(t.OverdueSharePercent)} %)"),
            ("Rückstand am Ende", t.Backlog.ToString("N0", German)),
            ("Nach Abwesenheit von anderen entschieden", t.ReturnedByAbsenceDecidedByOthers.ToString("N0", German)),
        ]);

        pdf.Heading("Vorgänge je Mitglied und Leistung", 2);
        pdf.Table(["Mitglied / Leistung", "Eingegangen", "Entschieden", "davon für andere", "Rückstand am Ende", "nach Abwesenheit von anderen entschieden"],
            r.Partners.Select(p => new[]
            {
                $"{p.MunicipalityName} / {ServiceName(p.Service)}", p.Received.ToString("N0", German), p.Decided.ToString("N0", German),
                p.DecidedForOthers.ToString("N0", German), p.Backlog.ToString("N0", German), p.ReturnedByAbsenceDecidedByOthers.ToString("N0", German),
            }),
            [2.0, 0.9, 0.9, 0.9, 0.9, 1.3],
            [false, true, true, true, true, true]);

        pdf.Heading("Zeiten und überfällige Vorgänge je Mitglied und Leistung", 2);
        pdf.Table(["Mitglied / Leistung", "Bearbeitungszeit Median / 90. Perzentil", "Durchlaufzeit Median / 90. Perzentil", "Überfällig (Anteil)"],
            r.Partners.Select(p => new[]
            {
                $"{p.MunicipalityName} / {ServiceName(p.Service)}", $"{Number(p.ProcessingTime.P50)} / {Number(p.ProcessingTime.P90)} Arbeitstage",
                $"{Number(p.LeadTime.P50)} / {Number(p.LeadTime.P90)} Arbeitstage", $"{p.Overdue.ToString("N0", German)} ({Number(p.OverdueSharePercent)} %)",
            }),
            [2.0, 1.3, 1.3, 1.0],
            [false, true, true, true]);

        pdf.Heading("Kostenausgleich im Zeitraum", 2);
        pdf.Table(["Mitglied", "gezahlt", "erhalten", "Saldo"],
            r.Compensation.Select(c => new[] { $"{c.MunicipalityName} ({c.Municipality})", Euro(c.Paid), Euro(c.Received), Euro(c.Balance) }),
            [2.2, 1, 1, 1], [false, true, true, true]);

        if (r.Prediction is { } pr)
        {
            pdf.Heading("Prognose der Potenzialanalyse und Messung", 2);
            pdf.Paragraph($"Die Vereinbarung wurde aus der Potenzialanalyse {pr.AssessmentId} („{pr.Title}“) entworfen. Prognostizierte Einsparung: " +
                          $"{Number(pr.SavingPercent)} % ({Number(pr.SavingEurPerYear, "N0")} € im Jahr), gemeinsamer Personalbedarf {Number(pr.PooledFte, "0.##")} VZÄ; " +
                          "die Einsparung misst OpenIKZ nicht (keine Kostenzahlen der Partner).");
            pdf.Table(["Leistung", "Fälle/Jahr prognostiziert", "Fälle/Jahr gemessen", "Durchlauf prognostiziert (Mittel)", "Durchlauf gemessen p50 / p90"],
                pr.Services.Select(s => new[]
                {
                    ServiceName(s.Service), Number(s.PredictedCasesPerYear, "N0"), Number(s.MeasuredReceivedPerYear, "N0"),
                    Number(s.PredictedThroughputWorkingDays, "0.#") + " AT", $"{Number(s.MeasuredLeadP50)} / {Number(s.MeasuredLeadP90)} AT",
                }),
                [1.6, 1, 1, 1.1, 1.1], [false, true, true, true, true]);
        }

        pdf.Heading("Methode", 2);
        pdf.Paragraph("Gezählt werden die Vorgänge der Mitglieder, die Vorgänge einbringen, in den Leistungen der Vereinbarung und nur innerhalb ihrer Laufzeit. " + r.WorkingDayRule);
        pdf.Paragraph("Perzentile: " + r.PercentileMethod.Replace("⌈p·N/100⌉", "p·N/100, aufgerundet,", StringComparison.Ordinal)); // the fonts have no ⌈ ⌉
        return pdf.ToBytes();
    }

    public static string ServiceName(string slug) => OpenIkz.Directory.Services.ServiceCatalog.Find(slug)?.Name ?? slug;
}
