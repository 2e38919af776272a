using System.Text;
using System.Xml.Linq;
using OpenIkz.Directory.Municipalities;
using static OpenIkz.Agreements.Settlement.SettlementExportText;

namespace OpenIkz.Agreements.Settlement;

/// <summary>
/// The e-invoices of a final settlement as XRechnung 3.0 (UBL 2.1 Invoice syntax): one per payer and receiver,
/// a commercial invoice (380) or, in a correction, a corrected invoice (384) that replaces the earlier one.
/// Amounts are decimal euros with two decimals; nothing here uses floating point.
/// </summary>
public static class SettlementXRechnung
{

    /// <summary>BT-24: XRechnung 3.0 (CIUS of EN 16931).</summary>
    public const string XRechnungCustomizationId = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0";

    /// <summary>BT-23: business process (Peppol billing).</summary>
    public const string XRechnungProfileId = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

    /// <summary>BT-120 for VAT category O.</summary>
    public const string VatExemptionReason = SettlementExportText.VatExemptionReason;

    /// <summary>Electronic address scheme (EAS) of the Leitweg-ID, the buyer's electronic address (BT-49).</summary>
    public const string LeitwegIdScheme = "0204";

    /// <summary>BT-121: VATEX code for "not subject to VAT".</summary>
    public const string VatExemptionReasonCode = "VATEX-EU-O";

    public const int PaymentDays = 30;

    private static readonly XNamespace Ubl = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
    private static readonly XNamespace Cac = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
    private static readonly XNamespace Cbc = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

    /// <summary>The invoice of <paramref name="receiverAgs"/> to <paramref name="payerAgs"/> in the settlement, see <see cref="Write(SettlementView, InvoiceView, DateOnly)"/>.</summary>
    /// <exception cref="InvalidOperationException">The settlement issues no invoice between the two, or a party lacks a mandatory field.</exception>
    public static string Write(SettlementView s, string payerAgs, string receiverAgs, DateOnly issueDate)
    {
        ArgumentNullException.ThrowIfNull(s);
        var invoice = s.Invoices.FirstOrDefault(i => i.PayerAgs == payerAgs && i.ReceiverAgs == receiverAgs)
            ?? throw new InvalidOperationException($"Abrechnung {s.Number} enthält keine Rechnung von {receiverAgs} an {payerAgs}.");
        return Write(s, invoice, issueDate);
    }

    /// <summary>
    /// An XRechnung 3.0 invoice (UBL 2.1 Invoice) from the invoice's receiver (seller) to its payer (buyer). A
    /// commercial invoice (380) is for the transfer of an original settlement; a corrected invoice (384) of a
    /// correction references the invoice it replaces (BG-3: BT-25 number, BT-26 issue date) and states the full
    /// corrected amount, so the replaced one is no longer to be paid. The compensation is not subject to VAT
    /// (category O). Both parties need an e-mail address, a postal code and a city; the buyer needs a Leitweg-ID
    /// (BT-10, and its electronic address BT-49 with scheme 0204), the seller a valid IBAN (BT-84) and a
    /// telephone number (BT-42) from its invoicing data.
    /// </summary>
    /// <exception cref="InvalidOperationException">The settlement is provisional, or a party lacks a mandatory field (the message names each).</exception>
    public static string Write(SettlementView s, InvoiceView invoice, DateOnly issueDate)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(invoice);
        if (s.Provisional) throw new InvalidOperationException("Zu einer vorläufigen Abrechnung wird keine Rechnung gestellt.");
        var (payerAgs, receiverAgs) = (invoice.PayerAgs, invoice.ReceiverAgs);
        var amount = Round(invoice.Amount);
        var corrected = invoice.IsCorrection;
        if (amount < 0 || (amount == 0 && !corrected)) throw new InvalidOperationException($"Die Rechnung {invoice.Number} in Abrechnung {s.Number} ist nicht positiv.");
        if (corrected && invoice.ReplacesNumber is null) throw new InvalidOperationException($"Die korrigierte Rechnung {invoice.Number} nennt keine ersetzte Rechnung (BG-3, BR-DE-26).");

        var seller = PartyOf(s, receiverAgs, "Rechnungssteller (zu erhalten)");
        var buyer = PartyOf(s, payerAgs, "Rechnungsempfänger (zu zahlen)");
        var missing = new List<string>();
        // BR-DE-15: the buyer reference (BT-10) is mandatory; for public buyers it is the Leitweg-ID.
        if (string.IsNullOrWhiteSpace(buyer.LeitwegId)) missing.Add($"Leitweg-ID von {buyer.Name} ({buyer.Ags}) (BT-10, BR-DE-15)");
        // BR-DE-23-a / BR-61: SEPA credit transfer needs the payee's account; BR-DE-19: a correct IBAN.
        if (string.IsNullOrWhiteSpace(seller.Iban)) missing.Add($"IBAN von {seller.Name} ({seller.Ags}) (BT-84, BR-DE-23-a)");
        else if (!Iban.IsValid(seller.Iban)) missing.Add($"gültige IBAN von {seller.Name} ({seller.Ags}) (BT-84, BR-DE-19)");
        // BR-DE-6 (and BR-DE-27: at least three digits): the seller's telephone, from its invoicing data; never a placeholder.
        if (string.IsNullOrWhiteSpace(seller.Telephone) || seller.Telephone.Count(char.IsAsciiDigit) < 3)
            missing.Add($"Telefonnummer von {seller.Name} ({seller.Ags}) (BT-42, BR-DE-6)");
        foreach (var p in new[] { seller, buyer })
        {
            // PEPPOL-EN16931-R020 and BR-DE-7: the seller's electronic address and contact e-mail (the buyer's is its Leitweg-ID).
            if (p == seller && string.IsNullOrWhiteSpace(p.Email)) missing.Add($"E-Mail-Adresse von {p.Name} ({p.Ags}) (BT-34/BT-43)");
            // BR-DE-3/4 (seller), BR-DE-8/9 (buyer): city and post code.
            if (string.IsNullOrWhiteSpace(p.City)) missing.Add($"Ort von {p.Name} ({p.Ags}) (BR-DE-3/BR-DE-8)");
            if (string.IsNullOrWhiteSpace(p.PostalCode)) missing.Add($"Postleitzahl von {p.Name} ({p.Ags}) (BR-DE-4/BR-DE-9)");
        }
        if (missing.Count > 0)
            throw new InvalidOperationException($"Für die XRechnung zu Abrechnung {s.Number} fehlt: {string.Join("; ", missing)}.");

        var id = invoice.Number;
        var due = issueDate.AddDays(PaymentDays);
        var telephone = seller.Telephone!.Trim();

        var root = new XElement(Ubl + "Invoice",
            new XAttribute(XNamespace.Xmlns + "ubl", Ubl.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "cac", Cac.NamespaceName),
            new XAttribute(XNamespace.Xmlns + "cbc", Cbc.NamespaceName),
            new XElement(Cbc + "CustomizationID", XRechnungCustomizationId), // BT-24, BR-01, BR-DE-21
            new XElement(Cbc + "ProfileID", XRechnungProfileId),             // BT-23, PEPPOL-EN16931-R001
            new XElement(Cbc + "ID", id),                                     // BT-1, BR-02
            new XElement(Cbc + "IssueDate", XmlDate(issueDate)),              // BT-2, BR-03
            amount > 0 ? new XElement(Cbc + "DueDate", XmlDate(due)) : null, // BT-9, BR-CO-25
            new XElement(Cbc + "InvoiceTypeCode", invoice.TypeCode),          // BT-3, BR-04, BR-DE-17: 380 or 384
            new XElement(Cbc + "Note", InvoiceNote(s, invoice, amount)),      // BT-22 (one note only)
            new XElement(Cbc + "DocumentCurrencyCode", "EUR"),                // BT-5, BR-05
            new XElement(Cbc + "BuyerReference", buyer.LeitwegId!.Trim()),    // BT-10, BR-DE-15
            new XElement(Cac + "InvoicePeriod",                               // BG-14, BR-29
                new XElement(Cbc + "StartDate", XmlDate(s.PeriodStart)),
                new XElement(Cbc + "EndDate", XmlDate(s.LastDay))),
            corrected
                ? new XElement(Cac + "BillingReference",                      // BG-3, BR-DE-26: the invoice this one replaces
                    new XElement(Cac + "InvoiceDocumentReference",
                        new XElement(Cbc + "ID", invoice.ReplacesNumber),     // BT-25, BR-55
                        invoice.ReplacesIssueDate is { } replacedOn ? new XElement(Cbc + "IssueDate", XmlDate(replacedOn)) : null)) // BT-26
                : null,
            new XElement(Cac + "AccountingSupplierParty", PartyElement(seller, endpoint: ("EM", seller.Email!.Trim()), contact: (seller.DisplayName, telephone, seller.Email!.Trim()))),
            new XElement(Cac + "AccountingCustomerParty", PartyElement(buyer, endpoint: (LeitwegIdScheme, buyer.LeitwegId!.Trim()), contact: null)),
            new XElement(Cac + "PaymentMeans",                                // BG-16, BR-DE-1
                new XElement(Cbc + "PaymentMeansCode", "58"),                 // BT-81, BR-49: SEPA credit transfer
                new XElement(Cbc + "PaymentID", id),                          // BT-83 remittance information
                new XElement(Cac + "PayeeFinancialAccount",                   // BG-17, BR-DE-23-a, BR-61
                    new XElement(Cbc + "ID", Iban.Normalize(seller.Iban!)),   // BT-84, BR-DE-19
                    new XElement(Cbc + "Name", seller.Name),                  // BT-85
                    string.IsNullOrWhiteSpace(seller.Bic) ? null
                        : new XElement(Cac + "FinancialInstitutionBranch", new XElement(Cbc + "ID", seller.Bic.Trim())))), // BT-86
            new XElement(Cac + "PaymentTerms",                                // BT-20, BR-CO-25
                new XElement(Cbc + "Note", PaymentTerms(invoice, amount, due))),
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

    private static string PaymentTerms(InvoiceView invoice, decimal amount, DateOnly due)
    {
        var replaced = invoice.ReplacesNumber is { } r ? $" Diese Rechnung ersetzt die Rechnung {r}; darauf bereits gezahlte Beträge werden angerechnet." : "";
        return amount > 0
            ? $"Zahlbar ohne Abzug bis zum {due.ToString("dd.MM.yyyy", German)} unter Angabe von {invoice.Number}.{replaced}"
            : $"Es ist nichts zu zahlen.{replaced} Auf die ersetzte Rechnung bereits gezahlte Beträge werden erstattet.";
    }

    /// <summary>BG-4/BG-7. No VAT identifiers: BR-O-02 forbids BT-31, BT-63 and BT-48 with category O.</summary>
    private static IEnumerable<XElement> PartyElement(Party p, (string Scheme, string Address) endpoint, (string Name, string Telephone, string Email)? contact)
    {
        var party = new XElement(Cac + "Party",
            new XElement(Cbc + "EndpointID", new XAttribute("schemeID", endpoint.Scheme), endpoint.Address), // BT-34/BT-49, BR-62/BR-63
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

    private static string InvoiceNote(SettlementView s, InvoiceView invoice, decimal amount)
    {
        var (payerAgs, receiverAgs) = (invoice.PayerAgs, invoice.ReceiverAgs);
        var sb = new StringBuilder();
        sb.Append($"Kostenausgleich nach der öffentlich-rechtlichen Vereinbarung „{s.AgreementTitle}“, Abrechnung {s.Number}, Zeitraum {PeriodText(s)}.");
        if (s.CorrectsSettlementId is not null) sb.Append($" Korrektur zu Abrechnung {CorrectedNumber(s)}.");
        if (invoice.ReplacesNumber is { } replaced)
            sb.Append($" Korrigierte Rechnung: ersetzt die Rechnung {replaced}" + (invoice.ReplacesIssueDate is { } d ? $" vom {Date(d)}" : "") +
                      "; maßgeblich und zu zahlen ist nur diese Rechnung.");
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
            var done = line.IsAppointments ? (receives ? "wahrgenommen für" : "wahrgenommen von") : receives ? "bearbeitet für" : "bearbeitet von";
            sb.Append('\n').Append($"- {line.ServiceName} / {CaseGroupText(line)}: {line.Count.ToString("N0", German)} {line.UnitWord}, " +
                                   $"{done} {NameOf(s, other)}: Pauschalen {Euro(line.Flat)}, " +
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
}
