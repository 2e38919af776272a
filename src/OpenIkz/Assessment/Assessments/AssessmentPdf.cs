using OpenIkz.Infrastructure.Pdf;

namespace OpenIkz.Assessment.Assessments;

/// <summary>
/// The report of a stored potential analysis as a German PDF/A-2b through <see cref="PdfDocumentBuilder"/>: the headline
/// figures, where the figures come from, the input, staff, waiting times, absence coverage, break-even, rates, the fair
/// split and the assumptions — the same tables as the result page (<see cref="AssessmentReport"/>); the charts of the page
/// are given by their tables.
/// </summary>
public static class AssessmentPdf
{
    public static byte[] Write(AssessmentReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var r = report.Result;
        var created = new DateTimeOffset(DateTime.SpecifyKind(r.CreatedAt, DateTimeKind.Utc));
        var pdf = new PdfDocumentBuilder($"Potenzialanalyse {r.Id} – {r.Title}", "OpenIKZ", created, footerText: $"Potenzialanalyse {r.Id} – {r.Title}");

        pdf.Heading("Potenzialanalyse");
        pdf.Paragraph(r.Title, bold: true);
        pdf.Paragraph($"Nr. {r.Id}, erstellt am {BerlinTime.ToLocal(r.CreatedAt):dd.MM.yyyy} von {report.Name(r.CreatedByAgs)}. Die Zahlen sind eine Abschätzung aus den Eingaben " +
                      "und den Annahmen unten, keine Zusage; Grundlage sind das Warteschlangenmodell Erlang C und die Personalbedarfsermittlung des Organisationshandbuchs (BMI).");
        pdf.Heading("Ergebnis", 2);
        pdf.KeyValue(report.KeyFigures(), 0.38);

        pdf.Heading("Herkunft der Zahlen", 2);
        if (report.View.Sources.Count == 0)
            pdf.Paragraph("Die Zahlen wurden über die Schnittstelle übermittelt; ihre Herkunft ist nicht angegeben.");
        else
            foreach (var source in report.View.Sources) pdf.Paragraph("• " + source);

        Table(pdf, report.InputTable());
        Table(pdf, report.StaffByService());
        Table(pdf, report.PartnersAlone());
        pdf.Heading("Wartezeiten (Erlang C)", 2);
        pdf.Paragraph("Anteil der Vorgänge, die länger als die genannte Arbeitszeit auf den Beginn der Bearbeitung warten, mit dem Personal, das Erlang C für das Ziel braucht.");
        foreach (var s in r.Pooled.Services) Table(pdf, report.WaitTable(s), heading: false);
        Table(pdf, report.AbsenceTable());
        pdf.Paragraph("Jede Person fehlt an einem Arbeitstag unabhängig von den anderen mit der Ausfallquote; tatsächlich werden Urlaube abgestimmt und Krankheiten häufen sich. Die Tage sind eine Größenordnung, kein Dienstplan.");
        Table(pdf, report.BreakEvenTable());
        Table(pdf, report.RatesTable());
        Table(pdf, report.SplitTable());
        pdf.Paragraph("Der Shapley-Wert teilt den Vorteil so, wie jeder Partner im Mittel über alle Beitrittsreihenfolgen zum Vorteil des Verbunds beiträgt. " +
                      "Eine große Differenz zum Finanzierungsschlüssel ist eine Aufteilung, die als ungerecht empfunden werden kann.");
        pdf.Heading("Annahmen", 2);
        pdf.KeyValue(report.Assumptions(), 0.38);
        return pdf.ToBytes();
    }

    private static void Table(PdfDocumentBuilder pdf, ReportTable t, bool heading = true)
    {
        if (heading) pdf.Heading(t.Caption, 2);
        else pdf.Paragraph(t.Caption, bold: true);
        if (t.Rows.Count == 0)
        {
            pdf.Paragraph("Keine Angaben.");
            return;
        }
        var widths = t.Headers.Select((h, i) => t.Numeric[i] ? 1.0 : 1.5).ToArray();
        pdf.Table([.. t.Headers], t.Rows, widths, [.. t.Numeric]);
    }
}
