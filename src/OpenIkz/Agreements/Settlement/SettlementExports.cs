using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using OpenIkz.Infrastructure.Pdf;

namespace OpenIkz.Agreements.Settlement;

/// <summary>One violated rule found by <see cref="SettlementExports.CheckXRechnungDetailed"/>.</summary>
public sealed record XRechnungViolation(string Rule, string Message);

/// <summary>
/// Exports of a finalised settlement (Kostenausgleich): the statement of one member as CSV and PDF, and
/// the transfer between two members as an XRechnung 3.0 invoice (UBL 2.1 Invoice syntax). Amounts are
/// decimal euros with two decimals throughout; nothing here uses floating point.
/// </summary>
public static class SettlementExports
{
    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public const string ToPay = "zu zahlen";
    public const string ToReceive = "zu erhalten";

    // ───────────────────────────── CSV ─────────────────────────────

    /// <summary>The CSV header row (column titles, German).</summary>
    public static readonly IReadOnlyList<string> CsvHeader =
    [
        "Abrechnung", "Zeitraum", "zuständige Kommune", "bearbeitende Kommune", "Leistung", "Fallgruppe",
        "Anzahl Vorgänge", "Pauschalen EUR", "Gebührenanteil EUR", "Betrag EUR", "Richtung",
    ];

    /// <summary>
    /// The statement of member <paramref name="ags"/> as CSV for spreadsheets: ';' separated, German decimal
    /// comma without thousands separators, CRLF line ends, fields quoted as in RFC 4180 when they contain
    /// ';', '"', CR or LF. One row per line the member is owner or processor of; after a blank line the
    /// summary rows ("Summe zu erhalten", "Summe zu zahlen", "Saldo" and, for corrections, "Bisheriger Saldo"
    /// and "Differenz") with the amount in the second column. Free text that a spreadsheet would run as a
    /// formula (leading '=', '+', '-', '@') is prefixed with an apostrophe.
    /// </summary>
    /// <exception cref="ArgumentException">The municipality has no statement in this settlement.</exception>
    public static string Csv(SettlementView s, string ags)
    {
        ArgumentNullException.ThrowIfNull(s);
        var statement = StatementOf(s, ags);
        var period = PeriodText(s);
        var sb = new StringBuilder();
        AppendRow(sb, CsvHeader);
        foreach (var line in LinesOf(s, ags))
        {
            AppendRow(sb,
            [
                Text(s.Number), period,
                Text($"{NameOf(s, line.OwnerAgs)} ({line.OwnerAgs})"), Text($"{NameOf(s, line.ProcessorAgs)} ({line.ProcessorAgs})"),
                Text(line.ServiceName), Text(CaseGroupText(line)),
                line.Count.ToString(Invariant), CsvAmount(line.Flat), CsvAmount(line.FeeShare), CsvAmount(line.Amount),
                line.ProcessorAgs == ags ? ToReceive : ToPay,
            ]);
        }
        sb.Append("\r\n");
        var (receive, pay) = Totals(s, ags);
        AppendRow(sb, ["Summe zu erhalten", CsvAmount(receive)]);
        AppendRow(sb, ["Summe zu zahlen", CsvAmount(pay)]);
        AppendRow(sb, ["Saldo", CsvAmount(statement.Balance)]);
        if (statement.PreviousBalance is { } previous)
        {
            AppendRow(sb, ["Bisheriger Saldo", CsvAmount(previous)]);
            AppendRow(sb, ["Differenz", CsvAmount(statement.Difference ?? 0m)]);
        }
        return sb.ToString();
    }

    /// <summary><see cref="Csv"/> as UTF-8 bytes with a byte order mark, so Excel shows umlauts correctly.</summary>
    public static byte[] CsvBytes(SettlementView s, string ags)
    {
        var text = Csv(s, ags);
        var preamble = Encoding.UTF8.GetPreamble();
        var body = Encoding.UTF8.GetBytes(text);
        var bytes = new byte[preamble.Length + body.Length];
        preamble.CopyTo(bytes, 0);
        body.CopyTo(bytes, preamble.Length);
        return bytes;
    }

    private static void AppendRow(StringBuilder sb, IEnumerable<string> fields)
    {
        var first = true;
        foreach (var field in fields)
        {
            if (!first) sb.Append(';');
            first = false;
            sb.Append(Quote(field));
        }
        sb.Append("\r\n");
    }

    /// <summary>RFC 4180 quoting: fields with ';', '"', CR or LF are enclosed in quotes, quotes are doubled.</summary>
    internal static string Quote(string field)
    {
        field ??= "";
        return field.IndexOfAny([';', '"', '\r', '\n']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
    }

    /// <summary>Neutralises spreadsheet formulas in free text (CSV injection): a leading =, +, -, @, tab or CR gets an apostrophe.</summary>
    private static string Text(string value) =>
        value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;

    private static string CsvAmount(decimal value) => Round(value).ToString("0.00", German);

    // ───────────────────────────── PDF ─────────────────────────────

    /// <summary>
    /// The statement of member <paramref name="ags"/> as a German PDF ("Abrechnung Kostenausgleich"): number,
    /// agreement, period, correction note, the member's lines, totals, the transfers that involve the member
    /// and an explanation of the key.
    /// </summary>
    /// <exception cref="ArgumentException">The municipality has no statement in this settlement.</exception>
    public static byte[] Pdf(SettlementView s, string ags)
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
        pdf.KeyValue(facts);
        if (s.CorrectsSettlementId is not null)
            pdf.Paragraph($"Korrektur zu Abrechnung {CorrectedNumber(s)}: Diese Abrechnung ersetzt die bisherige Abrechnung für denselben Zeitraum. " +
                          "Maßgeblich ist der neue Saldo; die Differenz zum bisherigen Saldo ist unten ausgewiesen.");

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

        pdf.Heading("Erläuterung des Schlüssels", 2);
        pdf.Paragraph("Für jeden im Zeitraum entschiedenen Vorgang, den eine Kommune für ein anderes Mitglied bearbeitet hat, erstattet die zuständige " +
                      "Kommune der bearbeitenden Kommune die vereinbarte Fallpauschale der Leistung bzw. Fallgruppe (Spalte „Pauschalen“).");
        pdf.Paragraph(s.FeeRule == "share" && s.FeeSharePercent is { } share
            ? $"Gebühreneinnahmen vereinnahmt die zuständige Kommune; {share.ToString("0.##", German)} % der Gebühr je bearbeitetem Vorgang stehen der bearbeitenden Kommune zu (Spalte „Gebührenanteil“)."
            : "Gebühreneinnahmen verbleiben bei der zuständigen Kommune; ein Gebührenanteil wird nicht ausgeglichen.");
        pdf.Paragraph("Jede Position wird einmal auf volle Cent gerundet (kaufmännisch). Der Saldo ist die Summe der zu erhaltenden abzüglich der zu zahlenden " +
                      "Beträge: ein negativer Saldo wird gezahlt, ein positiver empfangen; die Salden aller Mitglieder ergeben zusammen null. Die Zahlungen " +
                      "gleichen alle Salden mit möglichst wenigen Überweisungen aus; eine Zahlung kann deshalb an ein Mitglied gehen, mit dem keine Vorgänge ausgetauscht wurden.");
        pdf.Paragraph(VatExemptionReason + ".");
        return pdf.ToBytes();
    }

    private static string Euro(decimal value) => Round(value).ToString("N2", German) + " €";

    private static string BalanceWord(decimal balance) => balance < 0 ? ToPay : balance > 0 ? ToReceive : "ausgeglichen";

    // ───────────────────────────── XRechnung ─────────────────────────────

    /// <summary>BT-24: XRechnung 3.0 (CIUS of EN 16931).</summary>
    public const string XRechnungCustomizationId = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0";

    /// <summary>BT-23: business process (Peppol billing).</summary>
    public const string XRechnungProfileId = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

    /// <summary>
    /// BT-42 when the caller passes no telephone number. BR-DE-6 makes the seller's telephone mandatory but
    /// <see cref="Party"/> has none; this placeholder marks "unknown" (it contains the three digits BR-DE-27
    /// asks for). Pass the authority's real switchboard to <see cref="XRechnung"/> in production.
    /// </summary>
    public const string TelephonePlaceholder = "+49 0000 000000";

    /// <summary>BT-120 for VAT category O.</summary>
    public const string VatExemptionReason =
        "Nicht steuerbar: Kostenausgleich zwischen juristischen Personen des öffentlichen Rechts im Rahmen einer öffentlich-rechtlichen Vereinbarung (§ 2b UStG)";

    /// <summary>BT-121: VATEX code for "not subject to VAT".</summary>
    public const string VatExemptionReasonCode = "VATEX-EU-O";

    public const int PaymentDays = 30;

    private static readonly XNamespace Ubl = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
    private static readonly XNamespace Cac = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
    private static readonly XNamespace Cbc = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

    /// <summary>
    /// An XRechnung 3.0 invoice (UBL 2.1 Invoice) from <paramref name="receiverAgs"/> (seller) to
    /// <paramref name="payerAgs"/> (buyer) for the transfer between them. The compensation is not subject to
    /// VAT (category O). Both parties need an e-mail address (electronic address BT-34/BT-49), a postal code
    /// and a city; the buyer needs a Leitweg-ID (BT-10) and the seller a valid IBAN (BT-84).
    /// </summary>
    /// <param name="sellerTelephone">BT-42, the seller's contact telephone; <see cref="TelephonePlaceholder"/> when null.</param>
    /// <exception cref="InvalidOperationException">No transfer between the two, or a party lacks a mandatory field.</exception>
    public static string XRechnung(SettlementView s, string payerAgs, string receiverAgs, DateOnly issueDate, string? sellerTelephone = null)
    {
        ArgumentNullException.ThrowIfNull(s);
        var transfers = s.Transfers.Where(t => t.PayerAgs == payerAgs && t.ReceiverAgs == receiverAgs).ToList();
        if (transfers.Count == 0)
            throw new InvalidOperationException($"Abrechnung {s.Number} enthält keine Zahlung von {payerAgs} an {receiverAgs}.");
        var amount = Round(transfers.Sum(t => t.Amount));
        if (amount <= 0) throw new InvalidOperationException($"Die Zahlung von {payerAgs} an {receiverAgs} in Abrechnung {s.Number} ist nicht positiv.");

        var seller = PartyOf(s, receiverAgs, "Rechnungssteller (zu erhalten)");
        var buyer = PartyOf(s, payerAgs, "Rechnungsempfänger (zu zahlen)");
        var missing = new List<string>();
        // BR-DE-15: the buyer reference (BT-10) is mandatory; for public buyers it is the Leitweg-ID.
        if (string.IsNullOrWhiteSpace(buyer.LeitwegId)) missing.Add($"Leitweg-ID von {buyer.Name} ({buyer.Ags}) (BT-10, BR-DE-15)");
        // BR-DE-23-a / BR-61: SEPA credit transfer needs the payee's account; BR-DE-19: a correct IBAN.
        if (string.IsNullOrWhiteSpace(seller.Iban)) missing.Add($"IBAN von {seller.Name} ({seller.Ags}) (BT-84, BR-DE-23-a)");
        else if (!Iban.IsValid(seller.Iban)) missing.Add($"gültige IBAN von {seller.Name} ({seller.Ags}) (BT-84, BR-DE-19)");
        foreach (var p in new[] { seller, buyer })
        {
            // PEPPOL-EN16931-R020/R010: electronic addresses; BR-DE-7: seller contact e-mail.
            if (string.IsNullOrWhiteSpace(p.Email)) missing.Add($"E-Mail-Adresse von {p.Name} ({p.Ags}) (BT-34/BT-49)");
            // BR-DE-3/4 (seller), BR-DE-8/9 (buyer): city and post code.
            if (string.IsNullOrWhiteSpace(p.City)) missing.Add($"Ort von {p.Name} ({p.Ags}) (BR-DE-3/BR-DE-8)");
            if (string.IsNullOrWhiteSpace(p.PostalCode)) missing.Add($"Postleitzahl von {p.Name} ({p.Ags}) (BR-DE-4/BR-DE-9)");
        }
        if (missing.Count > 0)
            throw new InvalidOperationException($"Für die XRechnung zu Abrechnung {s.Number} fehlt: {string.Join("; ", missing)}.");

        var id = $"{s.Number}-{payerAgs}-{receiverAgs}";
        var due = issueDate.AddDays(PaymentDays);
        var telephone = string.IsNullOrWhiteSpace(sellerTelephone) ? TelephonePlaceholder : sellerTelephone.Trim();

        var root = new XElement(Ubl + "Invoice",
            new XAttribute(XNamespace.Xmlns + "ubl", Ubl.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "cac", Cac.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "cbc", Cbc.NamespaceName),
            new XElement(Cbc + "CustomizationID", XRechnungCustomizationId), // BT-24, BR-01, BR-DE-21
            new XElement(Cbc + "ProfileID", XRechnungProfileId),             // BT-23, PEPPOL-EN16931-R001
            new XElement(Cbc + "ID", id),                                     // BT-1, BR-02
            new XElement(Cbc + "IssueDate", XmlDate(issueDate)),              // BT-2, BR-03
            new XElement(Cbc + "DueDate", XmlDate(due)),                      // BT-9, BR-CO-25
            new XElement(Cbc + "InvoiceTypeCode", "380"),                     // BT-3, BR-04, BR-DE-17
            new XElement(Cbc + "Note", InvoiceNote(s, payerAgs, receiverAgs, amount)), // BT-22 (one note only)
            new XElement(Cbc + "DocumentCurrencyCode", "EUR"),                // BT-5, BR-05
            new XElement(Cbc + "BuyerReference", buyer.LeitwegId!.Trim()),    // BT-10, BR-DE-15
            new XElement(Cac + "InvoicePeriod",                               // BG-14, BR-29
                new XElement(Cbc + "StartDate", XmlDate(s.PeriodStart)),
                new XElement(Cbc + "EndDate", XmlDate(s.LastDay))),
            new XElement(Cac + "AccountingSupplierParty", PartyElement(seller, contact: (seller.DisplayName, telephone, seller.Email!.Trim()))),
            new XElement(Cac + "AccountingCustomerParty", PartyElement(buyer, contact: null)),
            new XElement(Cac + "PaymentMeans",                                // BG-16, BR-DE-1
                new XElement(Cbc + "PaymentMeansCode", "58"),                 // BT-81, BR-49: SEPA credit transfer
                new XElement(Cbc + "PaymentID", id),                          // BT-83 remittance information
                new XElement(Cac + "PayeeFinancialAccount",                   // BG-17, BR-DE-23-a, BR-61
                    new XElement(Cbc + "ID", Iban.Normalize(seller.Iban!)),   // BT-84, BR-DE-19
                    new XElement(Cbc + "Name", seller.Name))),                // BT-85
            new XElement(Cac + "PaymentTerms",                                // BT-20, BR-CO-25
                new XElement(Cbc + "Note", $"Zahlbar ohne Abzug bis zum {due.ToString("dd.MM.yyyy", German)} unter Angabe von {id}.")),
            new XElement(Cac + "TaxTotal",                                    // BG-22; PEPPOL-EN16931-R053: exactly one with subtotals
                Amount("TaxAmount", 0m),                                      // BT-110 = Σ BT-117 (BR-CO-14)
                new XElement(Cac + "TaxSubtotal",                             // BG-23, BR-CO-18, BR-O-01, BR-O-11
                    Amount("TaxableAmount", amount),                          // BT-116, BR-O-08
                    Amount("TaxAmount", 0m),                                  // BT-117, BR-O-09
                    new XElement(Cac + "TaxCategory",
                        new XElement(Cbc + "ID", "O"),                        // BT-118
                        new XElement(Cbc + "Percent", "0"),                   // BT-119, BR-DE-14 (mandatory in XRechnung, 0 for O)
                        new XElement(Cbc + "TaxExemptionReasonCode", VatExemptionReasonCode), // BT-121, BR-O-10
                        new XElement(Cbc + "TaxExemptionReason", VatExemptionReason),         // BT-120, BR-O-10
                        new XElement(Cac + "TaxScheme", new XElement(Cbc + "ID", "VAT"))))),
            new XElement(Cac + "LegalMonetaryTotal",                          // BG-22, BR-12..BR-15
                Amount("LineExtensionAmount", amount),                        // BT-106 = Σ BT-131 (BR-CO-10)
                Amount("TaxExclusiveAmount", amount),                         // BT-109 = BT-106, no allowances/charges (BR-CO-13)
                Amount("TaxInclusiveAmount", amount),                         // BT-112 = BT-109 + BT-110 (BR-CO-15)
                Amount("PayableAmount", amount)),                             // BT-115 = BT-112 − BT-113 (BR-CO-16)
            new XElement(Cac + "InvoiceLine",                                 // BG-25, BR-16
                new XElement(Cbc + "ID", "1"),                                // BT-126, BR-21
                new XElement(Cbc + "InvoicedQuantity", new XAttribute("unitCode", "C62"), "1"), // BT-129/130, BR-22/23
                Amount("LineExtensionAmount", amount),                        // BT-131, BR-24, PEPPOL-EN16931-R120
                new XElement(Cac + "Item",
                    new XElement(Cbc + "Description", $"Ausgleichszahlung aus Abrechnung {s.Number} ({s.Period})"), // BT-154
                    new XElement(Cbc + "Name", $"Kostenausgleich {s.AgreementTitle}, Zeitraum {PeriodText(s)}"),   // BT-153, BR-25
                    new XElement(Cac + "ClassifiedTaxCategory",               // BG-30, BR-CO-04
                        new XElement(Cbc + "ID", "O"),                        // BT-151; no BT-152 Percent (BR-O-05)
                        new XElement(Cac + "TaxScheme", new XElement(Cbc + "ID", "VAT")))),
                new XElement(Cac + "Price",
                    Amount("PriceAmount", amount))));                         // BT-146, BR-26, BR-27

        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + root.ToString(SaveOptions.None) + "\n";
    }

    /// <summary>BG-4/BG-7. No VAT identifiers: BR-O-02 forbids BT-31, BT-63 and BT-48 with category O.</summary>
    private static IEnumerable<XElement> PartyElement(Party p, (string Name, string Telephone, string Email)? contact)
    {
        var party = new XElement(Cac + "Party",
            new XElement(Cbc + "EndpointID", new XAttribute("schemeID", "EM"), p.Email!.Trim()), // BT-34/BT-49, BR-62/BR-63
            new XElement(Cac + "PartyIdentification", new XElement(Cbc + "ID", p.Ags)),         // BT-29/BT-46 (AGS), BR-CO-26
            new XElement(Cac + "PartyName", new XElement(Cbc + "Name", p.DisplayName)),         // BT-28/BT-45
            new XElement(Cac + "PostalAddress",                                                  // BG-5/BG-8, BR-08/BR-10
                string.IsNullOrWhiteSpace(p.Street) ? null : new XElement(Cbc + "StreetName", p.Street.Trim()),
                new XElement(Cbc + "CityName", p.City!.Trim()),                                  // BR-DE-3/BR-DE-8
                new XElement(Cbc + "PostalZone", p.PostalCode!.Trim()),                          // BR-DE-4/BR-DE-9
                new XElement(Cac + "Country", new XElement(Cbc + "IdentificationCode", "DE"))), // BR-09/BR-11
            new XElement(Cac + "PartyLegalEntity", new XElement(Cbc + "RegistrationName", p.Name)), // BT-27/BT-44, BR-06/BR-07
            contact is { } c
                ? new XElement(Cac + "Contact",                                                  // BG-6, BR-DE-2
                    new XElement(Cbc + "Name", c.Name),                                          // BT-41, BR-DE-5
                    new XElement(Cbc + "Telephone", c.Telephone),                                // BT-42, BR-DE-6
                    new XElement(Cbc + "ElectronicMail", c.Email))                               // BT-43, BR-DE-7
                : null);
        return [party];
    }

    private static string InvoiceNote(SettlementView s, string payerAgs, string receiverAgs, decimal amount)
    {
        var sb = new StringBuilder();
        sb.Append($"Kostenausgleich nach der öffentlich-rechtlichen Vereinbarung „{s.AgreementTitle}“, Abrechnung {s.Number}, Zeitraum {PeriodText(s)}.");
        if (s.CorrectsSettlementId is not null) sb.Append($" Korrektur zu Abrechnung {CorrectedNumber(s)}.");
        sb.Append('\n').Append($"Ausgleichszahlung {NameOf(s, payerAgs)} ({payerAgs}) an {NameOf(s, receiverAgs)} ({receiverAgs}): {Euro(amount)}.");
        foreach (var ags in new[] { payerAgs, receiverAgs })
        {
            var statement = s.Statements.FirstOrDefault(x => x.MunicipalityAgs == ags);
            var (receive, pay) = Totals(s, ags);
            sb.Append('\n').Append($"{NameOf(s, ags)} ({ags}): zu erhalten {Euro(receive)}, zu zahlen {Euro(pay)}");
            if (statement is not null)
            {
                sb.Append($", Saldo {Euro(statement.Balance)}");
                if (statement.PreviousBalance is { } previous) sb.Append($" (bisher {Euro(previous)}, Differenz {Euro(statement.Difference ?? 0m)})");
            }
            sb.Append('.');
        }
        foreach (var line in LinesOf(s, payerAgs))
        {
            var receives = line.ProcessorAgs == payerAgs;
            var other = receives ? line.OwnerAgs : line.ProcessorAgs;
            sb.Append('\n').Append($"- {line.ServiceName} / {CaseGroupText(line)}: {line.Count.ToString("N0", German)} Vorgänge, " +
                                   $"{(receives ? "bearbeitet für" : "bearbeitet von")} {NameOf(s, other)}: Pauschalen {Euro(line.Flat)}, " +
                                   $"Gebührenanteil {Euro(line.FeeShare)}, {(receives ? ToReceive : ToPay)} {Euro(line.Amount)}.");
        }
        sb.Append('\n').Append("Negative Salden zahlen, positive erhalten; die Zahlungen gleichen alle Salden der Mitglieder mit möglichst wenigen Überweisungen aus. ")
          .Append(VatExemptionReason).Append('.');
        return sb.ToString();
    }

    private static XElement Amount(string name, decimal value) =>
        new(Cbc + name, new XAttribute("currencyID", "EUR"), XmlAmount(value));

    private static string XmlAmount(decimal value) => Round(value).ToString("F2", Invariant);

    private static string XmlDate(DateOnly date) => date.ToString("yyyy-MM-dd", Invariant);

    private static Party PartyOf(SettlementView s, string ags, string role) =>
        s.Parties.TryGetValue(ags, out var p) ? p : throw new InvalidOperationException($"Für {role} {ags} sind keine Stammdaten in Abrechnung {s.Number} hinterlegt.");

    // ───────────────────────────── XRechnung checker ─────────────────────────────

    /// <summary>
    /// A small structural checker for the invoices written by <see cref="XRechnung"/> (for tests and a quick
    /// plausibility check before sending). It is NOT the KoSIT validator: it checks a subset of the EN 16931,
    /// XRechnung (BR-DE-*) and Peppol rules plus the UBL element order, and returns the IDs of violated rules.
    /// </summary>
    public static IReadOnlyList<string> CheckXRechnung(string xml) =>
        CheckXRechnungDetailed(xml).Select(v => v.Rule).Distinct().ToList();

    /// <summary>Like <see cref="CheckXRechnung"/>, with a message per violation.</summary>
    public static IReadOnlyList<XRechnungViolation> CheckXRechnungDetailed(string xml)
    {
        var v = new List<XRechnungViolation>();
        void Fail(string rule, string message) => v.Add(new XRechnungViolation(rule, message));

        XDocument doc;
        try
        {
            doc = XDocument.Parse(xml ?? "", LoadOptions.None);
        }
        catch (XmlException e)
        {
            Fail("XML-WELLFORMED", $"Das Dokument ist kein wohlgeformtes XML: {e.Message}");
            return v;
        }
        var inv = doc.Root!;
        if (inv.Name != Ubl + "Invoice")
        {
            Fail("UBL-NAMESPACE", $"Das Wurzelelement ist {inv.Name}, erwartet {{{Ubl.NamespaceName}}}Invoice.");
            return v;
        }

        CheckOrder(inv, Fail);
        // PEPPOL-EN16931-R008: no empty elements.
        foreach (var e in inv.Descendants().Where(e => !e.HasElements && string.IsNullOrWhiteSpace(e.Value)))
            Fail("PEPPOL-EN16931-R008", $"Leeres Element {e.Name.LocalName}.");

        string? Val(XElement? parent, params XName[] path)
        {
            var e = parent;
            foreach (var n in path) e = e?.Element(n);
            var text = e?.Value.Trim();
            return string.IsNullOrEmpty(text) ? null : text;
        }

        // Document level (BR-01..BR-05, BR-16, BR-DE-1, BR-DE-15, BR-DE-17, BR-DE-21, PEPPOL-EN16931-R001).
        var customization = Val(inv, Cbc + "CustomizationID");
        if (customization is null) Fail("BR-01", "Spezifikationskennung (BT-24) fehlt.");
        else if (customization != XRechnungCustomizationId) Fail("BR-DE-21", $"BT-24 ist nicht {XRechnungCustomizationId}.");
        if (Val(inv, Cbc + "ProfileID") is null) Fail("PEPPOL-EN16931-R001", "Geschäftsprozess (BT-23) fehlt.");
        if (Val(inv, Cbc + "ID") is null) Fail("BR-02", "Rechnungsnummer (BT-1) fehlt.");
        var issue = Val(inv, Cbc + "IssueDate");
        if (issue is null) Fail("BR-03", "Rechnungsdatum (BT-2) fehlt.");
        else if (!DateOnly.TryParseExact(issue, "yyyy-MM-dd", Invariant, DateTimeStyles.None, out _)) Fail("UBL-DT-DATE", $"IssueDate '{issue}' ist kein Datum JJJJ-MM-TT.");
        var type = Val(inv, Cbc + "InvoiceTypeCode");
        if (type is null) Fail("BR-04", "Rechnungsart (BT-3) fehlt.");
        else if (type is not ("326" or "380" or "384" or "389" or "381" or "875" or "876" or "877")) Fail("BR-DE-17", $"Rechnungsart {type} ist in XRechnung nicht vorgesehen.");
        var currency = Val(inv, Cbc + "DocumentCurrencyCode");
        if (currency is null) Fail("BR-05", "Währung (BT-5) fehlt.");
        if (Val(inv, Cbc + "BuyerReference") is null) Fail("BR-DE-15", "Käuferreferenz / Leitweg-ID (BT-10) fehlt.");
        if (inv.Element(Cac + "InvoicePeriod") is { } period
            && DateOnly.TryParse(Val(period, Cbc + "StartDate"), Invariant, out var start)
            && DateOnly.TryParse(Val(period, Cbc + "EndDate"), Invariant, out var end) && end < start)
            Fail("BR-29", "Das Ende des Rechnungszeitraums liegt vor dem Beginn.");

        // Seller and buyer (BR-06..BR-11, BR-62/63, BR-CO-26, BR-DE-2..9, PEPPOL-EN16931-R010/R020).
        var seller = inv.Element(Cac + "AccountingSupplierParty")?.Element(Cac + "Party");
        var buyer = inv.Element(Cac + "AccountingCustomerParty")?.Element(Cac + "Party");
        if (Val(seller, Cac + "PartyLegalEntity", Cbc + "RegistrationName") is null) Fail("BR-06", "Name des Verkäufers (BT-27) fehlt.");
        if (Val(buyer, Cac + "PartyLegalEntity", Cbc + "RegistrationName") is null) Fail("BR-07", "Name des Käufers (BT-44) fehlt.");
        var sellerAddress = seller?.Element(Cac + "PostalAddress");
        var buyerAddress = buyer?.Element(Cac + "PostalAddress");
        if (sellerAddress is null) Fail("BR-08", "Anschrift des Verkäufers (BG-5) fehlt.");
        else
        {
            if (Val(sellerAddress, Cac + "Country", Cbc + "IdentificationCode") is null) Fail("BR-09", "Ländercode des Verkäufers (BT-40) fehlt.");
            if (Val(sellerAddress, Cbc + "CityName") is null) Fail("BR-DE-3", "Ort des Verkäufers (BT-37) fehlt.");
            if (Val(sellerAddress, Cbc + "PostalZone") is null) Fail("BR-DE-4", "Postleitzahl des Verkäufers (BT-38) fehlt.");
        }
        if (buyerAddress is null) Fail("BR-10", "Anschrift des Käufers (BG-8) fehlt.");
        else
        {
            if (Val(buyerAddress, Cac + "Country", Cbc + "IdentificationCode") is null) Fail("BR-11", "Ländercode des Käufers (BT-55) fehlt.");
            if (Val(buyerAddress, Cbc + "CityName") is null) Fail("BR-DE-8", "Ort des Käufers (BT-52) fehlt.");
            if (Val(buyerAddress, Cbc + "PostalZone") is null) Fail("BR-DE-9", "Postleitzahl des Käufers (BT-53) fehlt.");
        }
        var sellerEndpoint = seller?.Element(Cbc + "EndpointID");
        if (sellerEndpoint is null) Fail("PEPPOL-EN16931-R020", "Elektronische Adresse des Verkäufers (BT-34) fehlt.");
        else if (string.IsNullOrWhiteSpace((string?)sellerEndpoint.Attribute("schemeID"))) Fail("BR-62", "BT-34 ohne schemeID.");
        var buyerEndpoint = buyer?.Element(Cbc + "EndpointID");
        if (buyerEndpoint is null) Fail("PEPPOL-EN16931-R010", "Elektronische Adresse des Käufers (BT-49) fehlt.");
        else if (string.IsNullOrWhiteSpace((string?)buyerEndpoint.Attribute("schemeID"))) Fail("BR-63", "BT-49 ohne schemeID.");
        var sellerVatIds = seller?.Elements(Cac + "PartyTaxScheme").Where(t => Val(t, Cbc + "CompanyID") is not null).ToList() ?? [];
        if (Val(seller, Cac + "PartyIdentification", Cbc + "ID") is null && Val(seller, Cac + "PartyLegalEntity", Cbc + "CompanyID") is null && sellerVatIds.Count == 0)
            Fail("BR-CO-26", "Kennung des Verkäufers (BT-29, BT-30 oder BT-31) fehlt.");
        var contact = seller?.Element(Cac + "Contact");
        if (contact is null) Fail("BR-DE-2", "Kontakt des Verkäufers (BG-6) fehlt.");
        else
        {
            if (Val(contact, Cbc + "Name") is null) Fail("BR-DE-5", "Ansprechpartner des Verkäufers (BT-41) fehlt.");
            if (Val(contact, Cbc + "Telephone") is null) Fail("BR-DE-6", "Telefon des Verkäufers (BT-42) fehlt.");
            if (Val(contact, Cbc + "ElectronicMail") is null) Fail("BR-DE-7", "E-Mail des Verkäufers (BT-43) fehlt.");
        }

        // Payment (BR-DE-1, BR-49, BR-61, BR-DE-19, BR-DE-23-a, BR-CO-25).
        var means = inv.Elements(Cac + "PaymentMeans").ToList();
        if (means.Count == 0) Fail("BR-DE-1", "Zahlungsanweisungen (BG-16) fehlen.");
        foreach (var m in means)
        {
            var code = Val(m, Cbc + "PaymentMeansCode");
            if (code is null) Fail("BR-49", "Zahlungsart (BT-81) fehlt.");
            if (code is "30" or "58")
            {
                var account = Val(m, Cac + "PayeeFinancialAccount", Cbc + "ID");
                if (m.Element(Cac + "PayeeFinancialAccount") is null) Fail("BR-DE-23-a", "Überweisung ohne Konto (BG-17).");
                if (account is null) Fail("BR-61", "Kontokennung (BT-84) fehlt.");
                else if (code == "58" && !Iban.IsValid(account)) Fail("BR-DE-19", $"'{account}' ist keine gültige IBAN (Prüfsumme ISO 13616).");
            }
        }

        // Totals (BR-12..BR-15, BR-CO-10, BR-CO-13..BR-CO-16, BR-CO-25, BR-DEC-*).
        var lines = inv.Elements(Cac + "InvoiceLine").ToList();
        if (lines.Count == 0) Fail("BR-16", "Keine Rechnungsposition (BG-25).");
        var total = inv.Element(Cac + "LegalMonetaryTotal");
        decimal? Amt(XElement? parent, string name, string rule, string decRule)
        {
            var e = parent?.Element(Cbc + name);
            if (e is null) return null;
            var text = e.Value.Trim();
            if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, Invariant, out var value))
            {
                Fail(rule, $"{name} '{text}' ist kein Betrag.");
                return null;
            }
            var dot = text.IndexOf('.');
            if (dot >= 0 && text.Length - dot - 1 > 2) Fail(decRule, $"{name} '{text}' hat mehr als zwei Nachkommastellen.");
            return value;
        }
        var lineSum = Amt(total, "LineExtensionAmount", "BR-12", "BR-DEC-09");
        var taxExclusive = Amt(total, "TaxExclusiveAmount", "BR-13", "BR-DEC-12");
        var taxInclusive = Amt(total, "TaxInclusiveAmount", "BR-14", "BR-DEC-14");
        var payable = Amt(total, "PayableAmount", "BR-15", "BR-DEC-18");
        var prepaid = Amt(total, "PrepaidAmount", "BR-CO-16", "BR-DEC-16") ?? 0m;
        var rounding = Amt(total, "PayableRoundingAmount", "BR-CO-16", "BR-DEC-17") ?? 0m;
        var allowances = Amt(total, "AllowanceTotalAmount", "BR-CO-13", "BR-DEC-10") ?? 0m;
        var charges = Amt(total, "ChargeTotalAmount", "BR-CO-13", "BR-DEC-11") ?? 0m;
        if (lineSum is null) Fail("BR-12", "Summe der Positionen (BT-106) fehlt.");
        if (taxExclusive is null) Fail("BR-13", "Gesamtbetrag ohne USt (BT-109) fehlt.");
        if (taxInclusive is null) Fail("BR-14", "Gesamtbetrag mit USt (BT-112) fehlt.");
        if (payable is null) Fail("BR-15", "Fälliger Betrag (BT-115) fehlt.");

        var taxTotals = inv.Elements(Cac + "TaxTotal").ToList();
        if (taxTotals.Count(t => t.Element(Cac + "TaxSubtotal") is not null) != 1)
            Fail("PEPPOL-EN16931-R053", "Genau eine TaxTotal mit TaxSubtotal ist erforderlich.");
        var taxTotal = taxTotals.FirstOrDefault(t => t.Element(Cac + "TaxSubtotal") is not null);
        var taxAmount = Amt(taxTotal, "TaxAmount", "BR-CO-14", "BR-DEC-13") ?? 0m;
        var subtotals = taxTotal?.Elements(Cac + "TaxSubtotal").ToList() ?? [];
        if (subtotals.Count == 0) Fail("BR-CO-18", "Keine Umsatzsteueraufschlüsselung (BG-23).");

        // Lines (BR-21..BR-27, BR-CO-04, PEPPOL-EN16931-R120).
        var lineAmounts = new List<(decimal Amount, string? Category)>();
        foreach (var line in lines)
        {
            if (Val(line, Cbc + "ID") is null) Fail("BR-21", "Positionsnummer (BT-126) fehlt.");
            var quantityElement = line.Element(Cbc + "InvoicedQuantity");
            decimal? quantity = null;
            if (quantityElement is null || !decimal.TryParse(quantityElement.Value, NumberStyles.Number, Invariant, out var q)) Fail("BR-22", "Menge (BT-129) fehlt.");
            else quantity = q;
            if (string.IsNullOrWhiteSpace((string?)quantityElement?.Attribute("unitCode"))) Fail("BR-23", "Mengeneinheit (BT-130) fehlt.");
            var net = Amt(line, "LineExtensionAmount", "BR-24", "BR-DEC-23");
            if (net is null) Fail("BR-24", "Nettobetrag der Position (BT-131) fehlt.");
            if (Val(line, Cac + "Item", Cbc + "Name") is null) Fail("BR-25", "Artikelname (BT-153) fehlt.");
            var price = Amt(line.Element(Cac + "Price"), "PriceAmount", "BR-26", "BR-DEC-26");
            if (price is null) Fail("BR-26", "Nettopreis (BT-146) fehlt.");
            else if (price < 0) Fail("BR-27", "Nettopreis (BT-146) ist negativ.");
            if (net is { } n && quantity is { } qq && price is { } pp && Math.Abs(n - qq * pp) > 0.02m)
                Fail("PEPPOL-EN16931-R120", "Nettobetrag der Position ≠ Menge × Preis.");
            var category = line.Element(Cac + "Item")?.Element(Cac + "ClassifiedTaxCategory");
            var categoryId = Val(category, Cbc + "ID");
            if (categoryId is null) Fail("BR-CO-04", "Umsatzsteuerkategorie der Position (BT-151) fehlt.");
            if (categoryId == "O" && category!.Element(Cbc + "Percent") is not null)
                Fail("BR-O-05", "Position mit Kategorie O darf keinen Steuersatz (BT-152) enthalten.");
            lineAmounts.Add((net ?? 0m, categoryId));
        }

        if (lineSum is { } ls && ls != lineAmounts.Sum(l => l.Amount))
            Fail("BR-CO-10", $"BT-106 {ls.ToString(Invariant)} ≠ Σ BT-131 {lineAmounts.Sum(l => l.Amount).ToString(Invariant)}.");
        if (lineSum is { } ls2 && taxExclusive is { } te && te != ls2 - allowances + charges)
            Fail("BR-CO-13", $"BT-109 {te.ToString(Invariant)} ≠ BT-106 − BT-107 + BT-108.");
        if (taxExclusive is { } te2 && taxInclusive is { } ti && ti != te2 + taxAmount)
            Fail("BR-CO-15", $"BT-112 {ti.ToString(Invariant)} ≠ BT-109 + BT-110.");
        if (taxInclusive is { } ti2 && payable is { } pa && pa != ti2 - prepaid + rounding)
            Fail("BR-CO-16", $"BT-115 {pa.ToString(Invariant)} ≠ BT-112 − BT-113 + BT-114.");
        if (payable > 0 && Val(inv, Cbc + "DueDate") is null && inv.Elements(Cac + "PaymentTerms").All(t => Val(t, Cbc + "Note") is null))
            Fail("BR-CO-25", "Positiver Zahlbetrag ohne Fälligkeitsdatum (BT-9) oder Zahlungsbedingungen (BT-20).");

        // VAT breakdown (BR-CO-14, BR-DE-14, BR-O-*, BR-DE-16).
        var subtotalTaxSum = 0m;
        var categories = new List<string?>();
        foreach (var sub in subtotals)
        {
            var taxable = Amt(sub, "TaxableAmount", "BR-45", "BR-DEC-19");
            var tax = Amt(sub, "TaxAmount", "BR-46", "BR-DEC-20");
            if (taxable is null) Fail("BR-45", "Steuerbemessungsgrundlage (BT-116) fehlt.");
            if (tax is null) Fail("BR-46", "Steuerbetrag der Kategorie (BT-117) fehlt.");
            subtotalTaxSum += tax ?? 0m;
            var cat = sub.Element(Cac + "TaxCategory");
            var id = Val(cat, Cbc + "ID");
            categories.Add(id);
            if (id is null) Fail("BR-47", "Umsatzsteuerkategorie (BT-118) fehlt.");
            if (Val(cat, Cbc + "Percent") is null) Fail("BR-DE-14", "Steuersatz der Kategorie (BT-119) fehlt.");
            if (id == "O")
            {
                var sumO = lineAmounts.Where(l => l.Category == "O").Sum(l => l.Amount);
                if (taxable is { } t && t != sumO) Fail("BR-O-08", $"BT-116 {t.ToString(Invariant)} ≠ Σ Positionen der Kategorie O {sumO.ToString(Invariant)}.");
                if (tax is { } x && x != 0m) Fail("BR-O-09", "Steuerbetrag der Kategorie O muss 0 sein.");
                if (Val(cat, Cbc + "TaxExemptionReason") is null && Val(cat, Cbc + "TaxExemptionReasonCode") is null)
                    Fail("BR-O-10", "Befreiungsgrund (BT-120 oder BT-121) fehlt.");
            }
        }
        if (taxTotal is not null && taxAmount != subtotalTaxSum) Fail("BR-CO-14", "BT-110 ≠ Σ BT-117.");
        var lineCategories = lineAmounts.Select(l => l.Category).ToList();
        if (lineCategories.Contains("O") && categories.Count(c => c == "O") != 1)
            Fail("BR-O-01", "Positionen der Kategorie O brauchen genau eine Aufschlüsselung der Kategorie O.");
        if (categories.Contains("O"))
        {
            if (categories.Any(c => c != "O")) Fail("BR-O-11", "Neben der Kategorie O sind keine weiteren Aufschlüsselungen zulässig.");
            if (lineCategories.Any(c => c != "O")) Fail("BR-O-12", "Neben der Kategorie O sind keine Positionen anderer Kategorien zulässig.");
        }
        if (lineCategories.Contains("O"))
        {
            var buyerVatIds = buyer?.Elements(Cac + "PartyTaxScheme").Where(t => Val(t, Cac + "TaxScheme", Cbc + "ID") == "VAT" && Val(t, Cbc + "CompanyID") is not null) ?? [];
            var representative = inv.Element(Cac + "TaxRepresentativeParty")?.Elements(Cac + "PartyTaxScheme").Any(t => Val(t, Cbc + "CompanyID") is not null) == true;
            if (sellerVatIds.Any(t => Val(t, Cac + "TaxScheme", Cbc + "ID") == "VAT") || buyerVatIds.Any() || representative)
                Fail("BR-O-02", "Bei Kategorie O sind keine USt-IdNr. (BT-31, BT-48, BT-63) zulässig.");
        }
        string[] needTaxId = ["S", "Z", "E", "AE", "K", "G", "L", "M"];
        if (lineCategories.Any(c => needTaxId.Contains(c)) && sellerVatIds.Count == 0 && inv.Element(Cac + "TaxRepresentativeParty") is null)
            Fail("BR-DE-16", "Bei steuerbaren Kategorien ist BT-31, BT-32 oder BG-11 erforderlich.");

        // PEPPOL-EN16931-R051 (all amounts in the invoice currency) and BR-DEC-* for every amount.
        foreach (var e in inv.Descendants().Where(e => e.Attribute("currencyID") is not null))
        {
            if (currency is not null && (string?)e.Attribute("currencyID") != currency)
                Fail("PEPPOL-EN16931-R051", $"{e.Name.LocalName} in {(string?)e.Attribute("currencyID")}, Rechnungswährung {currency}.");
            var text = e.Value.Trim();
            var dot = text.IndexOf('.');
            if (dot >= 0 && text.Length - dot - 1 > 2 && e.Name.LocalName != "PriceAmount")
                Fail("BR-DEC", $"{e.Name.LocalName} '{text}' hat mehr als zwei Nachkommastellen.");
        }
        return v;
    }

    /// <summary>UBL 2.1 sequence order of the children of the elements this exporter writes (local names).</summary>
    private static readonly Dictionary<string, string[]> UblOrder = new()
    {
        ["Invoice"] =
        [
            "UBLExtensions", "UBLVersionID", "CustomizationID", "ProfileID", "ProfileExecutionID", "ID", "CopyIndicator", "UUID", "IssueDate",
            "IssueTime", "DueDate", "InvoiceTypeCode", "Note", "TaxPointDate", "DocumentCurrencyCode", "TaxCurrencyCode", "PricingCurrencyCode",
            "PaymentCurrencyCode", "PaymentAlternativeCurrencyCode", "AccountingCostCode", "AccountingCost", "LineCountNumeric", "BuyerReference",
            "InvoicePeriod", "OrderReference", "BillingReference", "DespatchDocumentReference", "ReceiptDocumentReference",
            "StatementDocumentReference", "OriginatorDocumentReference", "ContractDocumentReference", "AdditionalDocumentReference",
            "ProjectReference", "Signature", "AccountingSupplierParty", "AccountingCustomerParty", "PayeeParty", "BuyerCustomerParty",
            "SellerSupplierParty", "TaxRepresentativeParty", "Delivery", "DeliveryTerms", "PaymentMeans", "PaymentTerms", "PrepaidPayment",
            "AllowanceCharge", "TaxExchangeRate", "PricingExchangeRate", "PaymentExchangeRate", "PaymentAlternativeExchangeRate", "TaxTotal",
            "WithholdingTaxTotal", "LegalMonetaryTotal", "InvoiceLine",
        ],
        ["InvoicePeriod"] = ["StartDate", "StartTime", "EndDate", "EndTime", "DurationMeasure", "DescriptionCode", "Description"],
        ["Party"] =
        [
            "MarkCareIndicator", "MarkAttentionIndicator", "WebsiteURI", "LogoReferenceID", "EndpointID", "IndustryClassificationCode",
            "PartyIdentification", "PartyName", "Language", "PostalAddress", "PhysicalLocation", "PartyTaxScheme", "PartyLegalEntity", "Contact",
            "Person", "AgentParty", "ServiceProviderParty", "PowerOfAttorney", "FinancialAccount",
        ],
        ["PostalAddress"] =
        [
            "ID", "AddressTypeCode", "AddressFormatCode", "Postbox", "Floor", "Room", "StreetName", "AdditionalStreetName", "BlockName",
            "BuildingName", "BuildingNumber", "InhouseMail", "Department", "MarkAttention", "MarkCare", "PlotIdentification",
            "CitySubdivisionName", "CityName", "PostalZone", "CountrySubentity", "CountrySubentityCode", "Region", "District",
            "TimezoneOffset", "AddressLine", "Country", "LocationCoordinate",
        ],
        ["Contact"] = ["ID", "Name", "Telephone", "Telefax", "ElectronicMail", "Note", "OtherCommunication"],
        ["PaymentMeans"] =
        [
            "ID", "PaymentMeansCode", "PaymentDueDate", "PaymentChannelCode", "InstructionID", "InstructionNote", "PaymentID", "CardAccount",
            "PayerFinancialAccount", "PayeeFinancialAccount", "CreditAccount", "PaymentMandate", "TradeFinancing",
        ],
        ["PayeeFinancialAccount"] =
        [
            "ID", "Name", "AliasName", "AccountTypeCode", "AccountFormatCode", "CurrencyCode", "PaymentNote", "FinancialInstitutionBranch", "Country",
        ],
        ["TaxTotal"] = ["TaxAmount", "RoundingAmount", "TaxEvidenceIndicator", "TaxIncludedIndicator", "TaxSubtotal"],
        ["TaxSubtotal"] =
        [
            "TaxableAmount", "TaxAmount", "CalculationSequenceNumeric", "TransactionCurrencyTaxAmount", "Percent", "BaseUnitMeasure",
            "PerUnitAmount", "TierRange", "TierRatePercent", "TaxCategory",
        ],
        ["TaxCategory"] =
        [
            "ID", "Name", "Percent", "BaseUnitMeasure", "PerUnitAmount", "TaxExemptionReasonCode", "TaxExemptionReason", "TierRange",
            "TierRatePercent", "TaxScheme",
        ],
        ["ClassifiedTaxCategory"] =
        [
            "ID", "Name", "Percent", "BaseUnitMeasure", "PerUnitAmount", "TaxExemptionReasonCode", "TaxExemptionReason", "TierRange",
            "TierRatePercent", "TaxScheme",
        ],
        ["LegalMonetaryTotal"] =
        [
            "LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount", "AllowanceTotalAmount", "ChargeTotalAmount", "PrepaidAmount",
            "PayableRoundingAmount", "PayableAmount", "PayableAlternativeAmount",
        ],
        ["InvoiceLine"] =
        [
            "ID", "UUID", "Note", "InvoicedQuantity", "LineExtensionAmount", "TaxPointDate", "AccountingCostCode", "AccountingCost",
            "PaymentPurposeCode", "FreeOfChargeIndicator", "InvoicePeriod", "OrderLineReference", "DespatchLineReference",
            "ReceiptLineReference", "BillingReference", "DocumentReference", "PricingReference", "OriginatorParty", "Delivery",
            "PaymentTerms", "AllowanceCharge", "TaxTotal", "WithholdingTaxTotal", "Item", "Price", "DeliveryTerms", "SubInvoiceLine",
            "ItemPriceExtension",
        ],
        ["Item"] =
        [
            "Description", "PackQuantity", "PackSizeNumeric", "CatalogueIndicator", "Name", "HazardousRiskIndicator", "AdditionalInformation",
            "Keyword", "BrandName", "ModelName", "BuyersItemIdentification", "SellersItemIdentification", "ManufacturersItemIdentification",
            "StandardItemIdentification", "CatalogueItemIdentification", "AdditionalItemIdentification", "CatalogueDocumentReference",
            "ItemSpecificationDocumentReference", "OriginCountry", "CommodityClassification", "TransactionConditions", "HazardousItem",
            "ClassifiedTaxCategory", "AdditionalItemProperty", "ManufacturerParty", "InformationContentProviderParty", "OriginAddress",
            "ItemInstance", "Certificate", "Dimension",
        ],
        ["Price"] =
        [
            "PriceAmount", "BaseQuantity", "PriceChangeReason", "PriceTypeCode", "PriceType", "OrderableUnitFactorRate", "ValidityPeriod",
            "PriceList", "AllowanceCharge", "PricingExchangeRate",
        ],
        ["PartyLegalEntity"] =
        [
            "RegistrationName", "CompanyID", "RegistrationDate", "RegistrationExpirationDate", "CompanyLegalFormCode", "CompanyLegalForm",
            "SoleProprietorshipIndicator", "CompanyLiquidationStatusCode", "CorporateStockAmount", "FullyPaidSharesIndicator",
            "RegistrationAddress", "CorporateRegistrationScheme", "HeadOfficeParty", "ShareholderParty",
        ],
    };

    /// <summary>UBL-ORDER: children of known elements must follow the XSD sequence; unknown children of the root are reported too.</summary>
    private static void CheckOrder(XElement root, Action<string, string> fail)
    {
        foreach (var e in root.DescendantsAndSelf())
        {
            if (!UblOrder.TryGetValue(e.Name.LocalName, out var order)) continue;
            var last = -1;
            string? lastName = null;
            foreach (var child in e.Elements())
            {
                var index = Array.IndexOf(order, child.Name.LocalName);
                if (index < 0)
                {
                    if (e == root) fail("UBL-ORDER", $"Unbekanntes Element {child.Name.LocalName} in Invoice.");
                    continue;
                }
                if (index < last) fail("UBL-ORDER", $"{child.Name.LocalName} steht in {e.Name.LocalName} nach {lastName}; die UBL-2.1-Reihenfolge verlangt es davor.");
                else { last = index; lastName = child.Name.LocalName; }
            }
        }
    }

    // ───────────────────────────── Shared ─────────────────────────────

    /// <summary>
    /// A syntactically valid but FICTITIOUS German IBAN for demo municipalities, derived from a key (e.g. the AGS).
    /// See <see cref="Iban.Demo"/>. Never use it for real payments.
    /// </summary>
    public static string DemoIban(string ags) => Iban.Demo(ags);

    private static StatementView StatementOf(SettlementView s, string ags) =>
        s.Statements.FirstOrDefault(x => x.MunicipalityAgs == ags)
        ?? throw new ArgumentException($"Die Kommune {ags} ist an Abrechnung {s.Number} nicht beteiligt.", nameof(ags));

    private static IEnumerable<LineView> LinesOf(SettlementView s, string ags) =>
        s.Lines.Where(l => l.OwnerAgs == ags || l.ProcessorAgs == ags);

    /// <summary>What the member receives (it processed) and pays (it owns), from the lines.</summary>
    private static (decimal Receive, decimal Pay) Totals(SettlementView s, string ags) =>
        (s.Lines.Where(l => l.ProcessorAgs == ags && l.OwnerAgs != ags).Sum(l => l.Amount),
         s.Lines.Where(l => l.OwnerAgs == ags && l.ProcessorAgs != ags).Sum(l => l.Amount));

    private static string NameOf(SettlementView s, string ags) =>
        s.Parties.TryGetValue(ags, out var p) && !string.IsNullOrWhiteSpace(p.Name) ? p.Name
        : s.Statements.FirstOrDefault(x => x.MunicipalityAgs == ags)?.MunicipalityName ?? ags;

    private static string CaseGroupText(LineView l) =>
        !string.IsNullOrWhiteSpace(l.CaseGroupLabel) ? l.CaseGroupLabel : l.CaseGroup.Length == 0 ? "alle" : l.CaseGroup;

    private static string CorrectedNumber(SettlementView s) => s.CorrectsNumber ?? s.CorrectsSettlementId ?? "";

    /// <summary>The period as "dd.MM.yyyy–dd.MM.yyyy" (first and last day).</summary>
    private static string PeriodText(SettlementView s) =>
        $"{s.PeriodStart.ToString("dd.MM.yyyy", German)}–{s.LastDay.ToString("dd.MM.yyyy", German)}";

    private static decimal Round(decimal value) => decimal.Round(value, 2, MidpointRounding.AwayFromZero);
}

/// <summary>IBAN helpers (ISO 13616): normalisation, the mod-97 check and fictitious demo IBANs.</summary>
public static class Iban
{
    /// <summary>
    /// Bank code of the demo IBANs. German bank codes (BLZ) start with the clearing area 1–8, so a BLZ
    /// starting with 9 belongs to no bank: a transfer to a demo IBAN cannot reach a real account.
    /// </summary>
    public const string DemoBankCode = "99999999";

    /// <summary>Removes spaces and upper-cases.</summary>
    public static string Normalize(string iban) =>
        new string((iban ?? "").Where(c => !char.IsWhiteSpace(c)).ToArray()).ToUpperInvariant();

    /// <summary>Groups of four for display ("DE89 3704 0044 0532 0130 00").</summary>
    public static string Format(string iban)
    {
        var n = Normalize(iban);
        return string.Join(" ", Enumerable.Range(0, (n.Length + 3) / 4).Select(i => n.Substring(i * 4, Math.Min(4, n.Length - i * 4))));
    }

    /// <summary>
    /// True when the IBAN has the ISO 13616 syntax (country, two check digits, up to 30 alphanumerics; 22
    /// characters for DE) and its check digits are right: the rearranged number mod 97 is 1.
    /// </summary>
    public static bool IsValid(string? iban)
    {
        if (iban is null) return false;
        var n = Normalize(iban);
        if (n.Length is < 15 or > 34) return false;
        if (!char.IsAsciiLetterUpper(n[0]) || !char.IsAsciiLetterUpper(n[1]) || !char.IsAsciiDigit(n[2]) || !char.IsAsciiDigit(n[3])) return false;
        if (!n.All(char.IsAsciiLetterOrDigit)) return false;
        if (n.StartsWith("DE", StringComparison.Ordinal) && (n.Length != 22 || !n[2..].All(char.IsAsciiDigit))) return false;
        return Mod97(n[4..] + n[..4]) == 1;
    }

    /// <summary>An IBAN with correct check digits for a country and BBAN (ISO 13616: 98 − (BBAN + country + "00") mod 97).</summary>
    public static string Create(string country, string bban)
    {
        var check = 98 - Mod97(bban + country + "00");
        return $"{country}{check:00}{bban}";
    }

    /// <summary>
    /// A FICTITIOUS, syntactically valid German IBAN for demo data: DE, check digits, the unassigned bank code
    /// <see cref="DemoBankCode"/> and a 10-digit account number derived from <paramref name="key"/> (a numeric
    /// key of up to ten digits such as an AGS is used as is, zero-padded; any other key is hashed). The same key
    /// always gives the same IBAN. It passes the checksum but belongs to no bank — never use it for real payments.
    /// </summary>
    public static string Demo(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var k = key.Trim();
        string account;
        if (k.Length <= 10 && k.All(char.IsAsciiDigit)) account = k.PadLeft(10, '0');
        else
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(k));
            var number = new BigInteger(hash, isUnsigned: true) % BigInteger.Pow(10, 10);
            account = number.ToString("D10", CultureInfo.InvariantCulture);
        }
        return Create("DE", DemoBankCode + account);
    }

    /// <summary>The number formed by the characters (A=10 … Z=35) modulo 97, computed digit by digit.</summary>
    private static int Mod97(string text)
    {
        var remainder = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c)) remainder = (remainder * 10 + (c - '0')) % 97;
            else if (char.IsAsciiLetterUpper(c)) remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
            else throw new FormatException($"Ungültiges Zeichen '{c}' in IBAN.");
        }
        return remainder;
    }
}
