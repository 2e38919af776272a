using OpenIkz.Directory.Municipalities;
using OpenIkz.Infrastructure.Pdf;
using static OpenIkz.Agreements.Settlement.SettlementExportText;

namespace OpenIkz.Agreements.Settlement;

/// <summary>The statement of one member of a settlement as a German PDF.</summary>
public static class SettlementPdf
{

    /// <summary>
    /// The statement of member <paramref name="ags"/> as a German PDF ("Abrechnung Kostenausgleich"): number,
    /// agreement, period, which document stands (correction, replaced, provisional), the member's lines, totals,
    /// the transfers that involve the member, its invoices with their status and an explanation of the key.
    /// </summary>
    /// <exception cref="ArgumentException">The municipality has no statement in this settlement.</exception>
    public static byte[] Write(SettlementView s, string ags)
    {
        ArgumentNullException.ThrowIfNull(s);
        var statement = StatementOf(s, ags);
        var member = $"{NameOf(s, ags)} ({ags})";
        var created = new DateTimeOffset(DateTime.SpecifyKind(s.CreatedAt, DateTimeKind.Utc));
        var pdf = new PdfDocumentBuilder($"Abrechnung Kostenausgleich {s.Number} – {NameOf(s, ags)}", "OpenIKZ", created,
            footerText: $"Abrechnung {s.Number} – {member}");

        pdf.Heading("Abrechnung Kostenausgleich");
        pdf.Paragraph(s.AgreementTitle, bold: true);
        var facts = new List<(string, string)>
        {
            ("Abrechnung", s.Number),
            ("Vereinbarung", s.AgreementTitle),
            ("Zeitraum", $"{PeriodText(s)} ({s.Period})"),
            ("Mitglied", member),
            ("Erstellt am", s.CreatedAt.ToString("dd.MM.yyyy", German)),
        };
        if (s.CorrectsSettlementId is not null) facts.Add(("Korrektur", $"Korrektur zu Abrechnung {CorrectedNumber(s)}"));
        if (s.SupersededByNumber is { } by) facts.Add(("Ersetzt durch", $"Korrekturabrechnung {by}"));
        facts.Add(("Status", s.Provisional ? "vorläufig (Vorschau)" : s.Stands ? "maßgeblich" : "ersetzt"));
        pdf.KeyValue(facts);
        if (s.CorrectsSettlementId is not null)
            pdf.Paragraph($"Korrektur zu Abrechnung {CorrectedNumber(s)}: Diese Abrechnung ersetzt die bisherige Abrechnung für denselben Zeitraum. " +
                          "Maßgeblich ist der neue Saldo; die Differenz zum bisherigen Saldo ist unten ausgewiesen.");
        pdf.Paragraph(StandingNote(s), bold: true);

        pdf.Heading("Positionen", 2);
        var lines = LinesOf(s, ags).ToList();
        if (lines.Count == 0)
            pdf.Paragraph("Im Zeitraum hat diese Kommune keine Vorgänge für andere Mitglieder bearbeitet, und keine ihrer Vorgänge wurden von anderen Mitgliedern bearbeitet.");
        else
            pdf.Table(
                ["Gegenseite", "Richtung", "Leistung / Fallgruppe", "Anzahl", "Pauschalen", "Gebühren-anteil", "Betrag"],
                lines.Select(l =>
                {
                    var receives = l.ProcessorAgs == ags;
                    var other = receives ? l.OwnerAgs : l.ProcessorAgs;
                    return new[]
                    {
                        $"{NameOf(s, other)} ({other})", receives ? ToReceive : ToPay, $"{l.ServiceName} / {CaseGroupText(l)}",
                        l.Count.ToString("N0", German), Euro(l.Flat), Euro(l.FeeShare), Euro(l.Amount),
                    };
                }),
                [1.6, 0.95, 1.6, 0.7, 1.05, 1.0, 1.1],
                [false, false, false, true, true, true, true]);

        pdf.Heading("Summen", 2);
        var (receive, pay) = Totals(s, ags);
        var totals = new List<(string, string)>
        {
            ("Zu erhalten", Euro(receive)),
            ("Zu zahlen", Euro(pay)),
            ("Saldo", $"{Euro(statement.Balance)} ({BalanceWord(statement.Balance)})"),
        };
        if (statement.PreviousBalance is { } previous)
        {
            totals.Add(("Bisheriger Saldo", Euro(previous)));
            totals.Add(("Differenz", $"{Euro(statement.Difference ?? 0m)} ({BalanceWord(statement.Difference ?? 0m)})"));
        }
        pdf.KeyValue(totals);

        pdf.Heading("Zahlungen", 2);
        var transfers = s.Transfers.Where(t => t.PayerAgs == ags || t.ReceiverAgs == ags).ToList();
        if (transfers.Count == 0)
            pdf.Paragraph("Für diese Kommune sind aus dieser Abrechnung keine Zahlungen zu leisten und keine zu erwarten.");
        else
            pdf.Table(["Zahlung", "Gegenseite", "Betrag", "Konto des Empfängers (IBAN)"],
                transfers.Select(t =>
                {
                    var pays = t.PayerAgs == ags;
                    var other = pays ? t.ReceiverAgs : t.PayerAgs;
                    var iban = s.Parties.TryGetValue(t.ReceiverAgs, out var receiver) && !string.IsNullOrWhiteSpace(receiver.Iban)
                        ? Iban.Format(receiver.Iban) : "nicht hinterlegt";
                    return new[] { pays ? "zahlt an" : "erhält von", $"{NameOf(s, other)} ({other})", Euro(t.Amount), iban };
                }),
                [0.8, 1.7, 0.9, 1.6],
                [false, false, true, false]);

        pdf.Heading("Rechnungen (XRechnung)", 2);
        var invoices = InvoicesOf(s, ags).ToList();
        if (s.Provisional)
            pdf.Paragraph("Zu einer vorläufigen Abrechnung wird keine Rechnung gestellt.");
        else if (invoices.Count == 0)
            pdf.Paragraph("Für diese Kommune wird aus dieser Abrechnung keine Rechnung gestellt und keine empfangen.");
        else
            pdf.Table(["Rechnung", "Art", "Rechnungssteller an Empfänger", "Betrag", "Status"],
                invoices.Select(i => new[]
                {
                    i.Number, InvoiceKind(i), $"{NameOf(s, i.ReceiverAgs)} an {NameOf(s, i.PayerAgs)}", Euro(i.Amount), InvoiceStatus(s, i),
                }),
                [1.6, 1.5, 1.5, 0.8, 1.2],
                [false, false, false, true, false]);

        pdf.Heading("Erläuterung des Schlüssels", 2);
        pdf.Paragraph("Für jeden im Zeitraum entschiedenen Vorgang, den eine Kommune für ein anderes Mitglied bearbeitet hat, erstattet die zuständige " +
                      "Kommune der bearbeitenden Kommune die vereinbarte Fallpauschale der Leistung bzw. Fallgruppe (Spalte „Pauschalen“).");
        if (s.Lines.Any(l => l.IsAppointments))
            pdf.Paragraph("Für jeden Termin, den eine Dienststelle eines Mitglieds im Zeitraum für Einwohnerinnen und Einwohner eines anderen Mitglieds " +
                          "wahrgenommen hat (die Person ist erschienen), erstattet das Mitglied des Wohnorts die vereinbarte Pauschale je Termin (Positionen „Termine“).");
        pdf.Paragraph(s.FeeRule == "share" && s.FeeSharePercent is { } share
            ? $"Gebühreneinnahmen vereinnahmt die zuständige Kommune; {share.ToString("0.##", German)} % der Gebühr je bearbeitetem Vorgang stehen der bearbeitenden Kommune zu (Spalte „Gebührenanteil“)."
            : "Gebühreneinnahmen verbleiben bei der zuständigen Kommune; ein Gebührenanteil wird nicht ausgeglichen.");
        pdf.Paragraph("Jede Position wird einmal auf volle Cent gerundet (kaufmännisch). Der Saldo ist die Summe der zu erhaltenden abzüglich der zu zahlenden " +
                      "Beträge: ein negativer Saldo wird gezahlt, ein positiver empfangen; die Salden aller Mitglieder ergeben zusammen null. Die Zahlungen " +
                      "gleichen alle Salden mit möglichst wenigen Überweisungen aus; eine Zahlung kann deshalb an ein Mitglied gehen, mit dem keine Vorgänge ausgetauscht wurden.");
        pdf.Paragraph(VatExemptionReason + ".");
        return pdf.ToBytes();
    }
}
