using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using OpenIkz.Agreements.Settlement;
using OpenIkz.Directory.Municipalities;

namespace OpenIkz.Tests.Agreements;

/// <summary>One violated rule found by <see cref="XRechnungChecker.CheckDetailed"/>.</summary>
public sealed record XRechnungViolation(string Rule, string Message);

/// <summary>
/// A small structural checker for the invoices written by <see cref="SettlementXRechnung"/>, used by the tests.
/// It is NOT the KoSIT validator: it checks a subset of the EN 16931, XRechnung (BR-DE-*) and Peppol rules plus
/// the UBL element order, and returns the IDs of violated rules. For corrections it checks what this project
/// relies on: a corrected invoice (384) carries BG-3 with the replaced invoice's number (BR-DE-26, BR-55).
/// </summary>
public static class XRechnungChecker
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private static readonly XNamespace Ubl = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
    private static readonly XNamespace Cac = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
    private static readonly XNamespace Cbc = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";


    /// <summary>The IDs of the violated rules.</summary>
    public static IReadOnlyList<string> Check(string xml) =>
        CheckDetailed(xml).Select(v => v.Rule).Distinct().ToList();

    /// <summary>Like <see cref="Check"/>, with a message per violation.</summary>
    public static IReadOnlyList<XRechnungViolation> CheckDetailed(string xml)
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
        else if (customization != SettlementXRechnung.XRechnungCustomizationId) Fail("BR-DE-21", $"BT-24 ist nicht {SettlementXRechnung.XRechnungCustomizationId}.");
        if (Val(inv, Cbc + "ProfileID") is null) Fail("PEPPOL-EN16931-R001", "Geschäftsprozess (BT-23) fehlt.");
        if (Val(inv, Cbc + "ID") is null) Fail("BR-02", "Rechnungsnummer (BT-1) fehlt.");
        var issue = Val(inv, Cbc + "IssueDate");
        if (issue is null) Fail("BR-03", "Rechnungsdatum (BT-2) fehlt.");
        else if (!DateOnly.TryParseExact(issue, "yyyy-MM-dd", Invariant, DateTimeStyles.None, out _)) Fail("UBL-DT-DATE", $"IssueDate '{issue}' ist kein Datum JJJJ-MM-TT.");
        var type = Val(inv, Cbc + "InvoiceTypeCode");
        if (type is null) Fail("BR-04", "Rechnungsart (BT-3) fehlt.");
        else if (type is not ("326" or "380" or "384" or "389" or "381" or "875" or "876" or "877")) Fail("BR-DE-17", $"Rechnungsart {type} ist in XRechnung nicht vorgesehen.");
        // BR-DE-26: a corrected invoice (384) references the invoice it corrects (BG-3); BR-55: with its number (BT-25).
        // A credit note (381) is no Invoice document in UBL: it belongs in a CreditNote root with CreditNoteTypeCode.
        var references = inv.Elements(Cac + "BillingReference").Select(b => b.Element(Cac + "InvoiceDocumentReference")).ToList();
        if (type == "384" && references.Count == 0) Fail("BR-DE-26", "Korrigierte Rechnung (384) ohne Bezug auf die vorausgehende Rechnung (BG-3).");
        foreach (var reference in references)
        {
            if (Val(reference, Cbc + "ID") is null) Fail("BR-55", "Vorausgehende Rechnung (BG-3) ohne Nummer (BT-25).");
            var referenceDate = Val(reference, Cbc + "IssueDate");
            if (referenceDate is not null && !DateOnly.TryParseExact(referenceDate, "yyyy-MM-dd", Invariant, DateTimeStyles.None, out _))
                Fail("UBL-DT-DATE", $"BT-26 '{referenceDate}' ist kein Datum JJJJ-MM-TT.");
        }
        if (type == "381") Fail("UBL-CREDITNOTE", "Eine Gutschrift (381) ist in UBL ein CreditNote-Dokument, keine Invoice.");
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
        // BR-CL-25: the scheme is an EAS code (subset used here: EM e-mail, 0204 Leitweg-ID, 9930 German VAT number).
        foreach (var endpoint in new[] { sellerEndpoint, buyerEndpoint })
            if ((string?)endpoint?.Attribute("schemeID") is { Length: > 0 } scheme && scheme is not ("EM" or "0204" or "9930"))
                Fail("BR-CL-25", $"schemeID '{scheme}' ist kein EAS-Code.");
        if ((string?)buyerEndpoint?.Attribute("schemeID") == "0204" && Val(buyer, Cbc + "EndpointID") is { } leitweg
            && (!LeitwegId.IsValid(leitweg) || (Val(inv, Cbc + "BuyerReference") is { } buyerReference && leitweg != buyerReference)))
            Fail("LEITWEG-ENDPOINT", "BT-49 mit schemeID 0204 ist keine gültige Leitweg-ID oder nicht die Käuferreferenz (BT-10).");
        var contactPhone = Val(seller?.Element(Cac + "Contact"), Cbc + "Telephone");
        if (contactPhone is not null && contactPhone.Count(char.IsAsciiDigit) < 3) Fail("BR-DE-27", "Telefon des Verkäufers (BT-42) hat weniger als drei Ziffern.");
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
        ["BillingReference"] =
        [
            "InvoiceDocumentReference", "SelfBilledInvoiceDocumentReference", "CreditNoteDocumentReference", "SelfBilledCreditNoteDocumentReference",
            "DebitNoteDocumentReference", "ReminderDocumentReference", "AdditionalDocumentReference", "BillingReferenceLine",
        ],
        ["InvoiceDocumentReference"] =
        [
            "ID", "CopyIndicator", "UUID", "IssueDate", "IssueTime", "DocumentTypeCode", "DocumentType", "XPath", "LanguageID", "LocaleCode",
            "VersionID", "DocumentStatusCode", "DocumentDescription", "Attachment", "ValidityPeriod", "IssuerParty", "ResultOfVerification",
        ],
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
        ["FinancialInstitutionBranch"] = ["ID", "Name", "FinancialInstitution", "Address"],
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
}
