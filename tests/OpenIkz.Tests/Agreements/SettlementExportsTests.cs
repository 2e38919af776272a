using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using System.Xml.XPath;
using OpenIkz.Agreements.Settlement;
using OpenIkz.Directory.Municipalities;
using OpenIkz.Infrastructure.Pdf;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Agreements;

/// <summary>CSV, PDF and XRechnung exports of a settlement statement, on a hand-built settlement.</summary>
public sealed class SettlementExportsTests
{
    private const string A = "01001001"; // pays 1.066,20
    private const string B = "01001002"; // receives 1.022,40
    private const string C = "01001003"; // receives 43,80
    private static readonly DateOnly IssueDate = new(2026, 4, 15);

    private static readonly XNamespace UblNs = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
    private static readonly XNamespace Cac = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
    private static readonly XNamespace Cbc = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

    private static readonly DateOnly OriginalIssueDate = new(2026, 4, 2);

    /// <summary>Fictitious telephone numbers (Bundesnetzagentur drama numbers, Berlin).</summary>
    private static Party PartyFor(string ags, string name, string city, string postalCode, string leitweg, string domain, string telephone) =>
        new(ags, name, $"Stadtkasse {city}", "Marktplatz 1", postalCode, city, leitweg, Iban.Demo(ags), $"kasse@{domain}.example", telephone, "DEMODEX0XXX");

    /// <summary>Three partners, asymmetric lines, Kfz fees shared 50 %, two transfers (A→B, A→C).</summary>
    private static SettlementView Settlement(string? corrects = null, IReadOnlyDictionary<string, Party>? parties = null)
    {
        LineView[] lines =
        [
            // A's Kfz cases processed by B: 40 × 12,50 flat + 40 × 30,00 × 50 % fee = 500,00 + 600,00.
            new(A, B, "kfz-zulassung", "Kfz-Zulassung", "neuzulassung", "Neuzulassung", 40, 500.00m, 600.00m, 1100.00m),
            // A's cases processed by C: 4 × 12,50 + 4 × 25,60 × 50 %.
            new(A, C, "kfz-zulassung", "Kfz-Zulassung", "umschreibung", "Umschreibung; Halterwechsel", 4, 50.00m, 51.20m, 101.20m),
            // B's Wohngeld processed by A: flat only.
            new(B, A, "wohngeld", "Wohngeld", "", "", 3, 135.00m, 0.00m, 135.00m),
            // C's Kfz cases processed by B: 7 × 5,00 + 7 × 6,40 × 50 %.
            new(C, B, "kfz-zulassung", "Kfz-Zulassung", "abmeldung", "Abmeldung \"vereinfacht\"", 7, 35.00m, 22.40m, 57.40m),
        ];
        var balances = new Dictionary<string, decimal> { [A] = 0m, [B] = 0m, [C] = 0m };
        foreach (var l in lines)
        {
            balances[l.ProcessorAgs] += l.Amount;
            balances[l.OwnerAgs] -= l.Amount;
        }
        var transfers = SettlementCalculator.Transfers(balances.ToDictionary(b => b.Key, b => SettlementCalculator.ToCents(b.Value)))
            .Select(t => new TransferView(t.PayerAgs, t.ReceiverAgs, t.AmountCents / 100m)).ToList();
        decimal? Previous(string ags) => corrects is null ? null : ags switch { A => -1000.00m, B => 960.00m, _ => 40.00m };
        var number = corrects is null ? "KA-2026-Q1-001" : "KA-2026-Q1-002";
        // The original issued 380s for A→B and A→C (and, in this example, one for C→B that the correction no longer has).
        StandingInvoice[] standing = corrects is null ? [] :
        [
            new($"{corrects}-{A}-{B}", A, B, 96000, "s-1"), new($"{corrects}-{A}-{C}", A, C, 4000, "s-1"), new($"{corrects}-{C}-{B}", C, B, 1500, "s-1"),
        ];
        var invoices = SettlementInvoicing.Plan(number, transfers.Select(t => new Transfer(t.PayerAgs, t.ReceiverAgs, SettlementCalculator.ToCents(t.Amount))), standing)
            .Select(i => new InvoiceView(i.Number, i.PayerAgs, i.ReceiverAgs, i.TypeCode, i.AmountCents / 100m, i.ReplacesNumber, i.ReplacesNumber is null ? null : OriginalIssueDate))
            .ToList();
        return new SettlementView(
            Id: corrects is null ? "s-1" : "s-2",
            Number: number,
            AgreementId: 7,
            AgreementTitle: "Gemeinsame Kfz-Zulassung Nordkreis",
            Period: "2026-Q1",
            PeriodStart: new DateOnly(2026, 1, 1),
            PeriodEnd: new DateOnly(2026, 4, 1),
            CorrectsSettlementId: corrects is null ? null : "s-1",
            CorrectsNumber: corrects,
            CreatedAt: new DateTime(2026, 4, 10, 8, 0, 0, DateTimeKind.Utc),
            FeeRule: "share",
            FeeSharePercent: 50m,
            Lines: lines,
            Statements:
            [
                new(A, "Stadt Nordheim", balances[A], Previous(A)),
                new(B, "Gemeinde Südhausen", balances[B], Previous(B)),
                new(C, "Markt Osterwald", balances[C], Previous(C)),
            ],
            Transfers: transfers,
            Parties: parties ?? new Dictionary<string, Party>
            {
                [A] = PartyFor(A, "Stadt Nordheim", "Nordheim", "12345", "01001001-00001-52", "nordheim", "+49 30 23125 001"),
                [B] = PartyFor(B, "Gemeinde Südhausen", "Südhausen", "12346", "01001002-00001-73", "suedhausen", "+49 30 23125 002"),
                [C] = PartyFor(C, "Markt Osterwald", "Osterwald", "12347", "01001003-00001-94", "osterwald", "+49 30 23125 003"),
            })
        { Invoices = invoices };
    }

    private static List<string> CsvLines(string csv) => csv.Split("\r\n").ToList();

    private static decimal GermanAmount(string text) => decimal.Parse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.GetCultureInfo("de-DE"));

    private static XmlNamespaceManager Ns()
    {
        var ns = new XmlNamespaceManager(new NameTable());
        ns.AddNamespace("ubl", UblNs.NamespaceName);
        ns.AddNamespace("cac", Cac.NamespaceName);
        ns.AddNamespace("cbc", Cbc.NamespaceName);
        return ns;
    }

    private static string Invoice(SettlementView? s = null) => SettlementXRechnung.Write(s ?? Settlement(), A, B, IssueDate);

    // ───────────── CSV ─────────────

    [Fact]
    public void Csv_ForMember_StartsWithHeaderRow()
    {
        var lines = CsvLines(SettlementCsv.Write(Settlement(), C));

        Assert.Equal("Abrechnung;Zeitraum;zuständige Kommune;bearbeitende Kommune;Leistung;Fallgruppe;Anzahl Vorgänge;Pauschalen EUR;Gebührenanteil EUR;Betrag EUR;Richtung;Einheit", lines[0]);
    }

    [Theory]
    [InlineData(A, 3)]
    [InlineData(B, 3)]
    [InlineData(C, 2)]
    public void Csv_ForMember_HasOneRowPerLineInvolvingMember(string ags, int expected)
    {
        var lines = CsvLines(SettlementCsv.Write(Settlement(), ags));
        var rows = lines.Skip(1).TakeWhile(l => l.Length > 0).ToList();

        Assert.Equal(expected, rows.Count);
        Assert.All(rows, r => Assert.Contains($"({ags})", r));
    }

    [Fact]
    public void Csv_ForProcessor_ShowsDirectionAndGermanDecimals()
    {
        var csv = SettlementCsv.Write(Settlement(), B);
        var rows = CsvLines(csv);

        Assert.Contains("KA-2026-Q1-001;01.01.2026–31.03.2026;Stadt Nordheim (01001001);Gemeinde Südhausen (01001002);Kfz-Zulassung;Neuzulassung;40;500,00;600,00;1100,00;zu erhalten;Vorgänge", rows);
        Assert.Contains(rows, r => r.Contains("Wohngeld;alle;3;135,00;0,00;135,00;zu zahlen"));
        Assert.DoesNotContain("1100.00", csv);
    }

    [Fact]
    public void Csv_WhenFieldContainsSemicolonOrQuote_QuotesField()
    {
        var csv = SettlementCsv.Write(Settlement(), C);

        Assert.Contains(";\"Umschreibung; Halterwechsel\";", csv);
        Assert.Contains(";\"Abmeldung \"\"vereinfacht\"\"\";", csv);
    }

    [Theory]
    [InlineData(A)]
    [InlineData(B)]
    [InlineData(C)]
    public void Csv_SaldoRow_EqualsBalanceAndSignedSumOfRows(string ags)
    {
        var s = Settlement();
        var lines = CsvLines(SettlementCsv.Write(s, ags));
        var rows = lines.Skip(1).TakeWhile(l => l.Length > 0).Select(ParseCsvRow).ToList();
        var saldo = lines.Single(l => l.StartsWith("Saldo;", StringComparison.Ordinal)).Split(';')[1];

        var balance = s.Statements.Single(x => x.MunicipalityAgs == ags).Balance;
        Assert.Equal(balance, GermanAmount(saldo));
        Assert.Equal(balance, rows.Sum(r => (r[10] == "zu erhalten" ? 1 : -1) * GermanAmount(r[9])));
        Assert.Equal(string.Empty, lines[rows.Count + 1]); // blank line before the summary
    }

    [Fact]
    public void Csv_ForCorrection_HasPreviousBalanceAndDifference()
    {
        var lines = CsvLines(SettlementCsv.Write(Settlement(corrects: "KA-2026-Q1-001"), A));

        Assert.Contains("Saldo;-1066,20", lines);
        Assert.Contains("Bisheriger Saldo;-1000,00", lines);
        Assert.Contains("Differenz;-66,20", lines);
    }

    [Fact]
    public void Csv_ForOriginal_HasNoCorrectionRows()
    {
        var csv = SettlementCsv.Write(Settlement(), A);

        Assert.DoesNotContain("Bisheriger Saldo", csv);
        Assert.DoesNotContain("Differenz", csv);
    }

    [Fact]
    public void CsvBytes_Always_StartWithUtf8BomAndKeepUmlauts()
    {
        var bytes = SettlementCsv.Bytes(Settlement(), B);

        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        Assert.Equal(SettlementCsv.Write(Settlement(), B), new UTF8Encoding(false).GetString(bytes[3..]));
        Assert.Contains("Südhausen", Encoding.UTF8.GetString(bytes[3..]));
    }

    [Fact]
    public void Csv_WhenMunicipalityNotInSettlement_Throws()
    {
        Assert.Throws<ArgumentException>(() => SettlementCsv.Write(Settlement(), "09999999"));
    }

    [Fact]
    public void Csv_WhenNameLooksLikeFormula_PrefixesApostrophe()
    {
        var s = Settlement();
        var parties = s.Parties.ToDictionary(p => p.Key, p => p.Value);
        parties[C] = parties[C] with { Name = "=HYPERLINK(\"x\")" };

        var csv = SettlementCsv.Write(Settlement(parties: parties), C);

        Assert.Contains("\"'=HYPERLINK(\"\"x\"\") (01001003)\"", csv);
    }

    private static string[] ParseCsvRow(string row)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < row.Length; i++)
        {
            var c = row[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < row.Length && row[i + 1] == '"') { sb.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else sb.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ';') { fields.Add(sb.ToString()); sb.Clear(); }
            else sb.Append(c);
        }
        fields.Add(sb.ToString());
        return fields.ToArray();
    }

    // ───────────── PDF ─────────────

    [SkippableFact]
    public void Pdf_ReadWithPoppler_GivesBackPartyNamesInAnyScript_AndEmbedsEveryFont()
    {
        var parties = new Dictionary<string, Party>
        {
            [A] = PartyFor(A, "Gemeinde Żółkiewka", "Żółkiewka", "01001", "01001001-A-01", "a", "+49 30 23125 004"),
            [B] = PartyFor(B, "Δήμος Αθηναίων", "Αθήνα", "01002", "01001002-B-02", "b", "+49 30 23125 005"),
            [C] = PartyFor(C, "Город Санкт-Петербург", "Санкт-Петербург", "01003", "01001003-C-03", "c", "+49 30 23125 006"),
        };
        var pdf = SettlementPdf.Write(Settlement(parties: parties), A);

        Poppler.AssertReadable(pdf, "KA-2026-Q1-001", "Gemeinde Żółkiewka", "Δήμος Αθηναίων");
    }

    [Fact]
    public void Pdf_ForMember_ContainsNumberPeriodAndBalance()
    {
        var text = string.Join("\n", PdfText.ExtractStrings(SettlementPdf.Write(Settlement(), A)));

        Assert.Contains("Abrechnung Kostenausgleich", text);
        Assert.Contains("KA-2026-Q1-001", text);
        Assert.Contains("Gemeinsame Kfz-Zulassung Nordkreis", text);
        Assert.Contains("01.01.2026–31.03.2026", text);
        Assert.Contains("-1.066,20 € (zu zahlen)", text);
        Assert.Contains("1.100,00 €", text);
        Assert.DoesNotContain("Korrektur zu", text);
    }

    [Fact]
    public void Pdf_ForPayer_ListsTransfersWithReceiverIban()
    {
        var s = Settlement();
        var strings = PdfText.ExtractStrings(SettlementPdf.Write(s, A));

        Assert.Equal(2, strings.Count(x => x == "zahlt an"));
        Assert.Contains("1.022,40 €", strings);
        Assert.Contains("43,80 €", strings);
        Assert.Contains(Iban.Format(s.Parties[B].Iban!), strings);
    }

    [Fact]
    public void Pdf_ForReceiver_SaysReceivesFromPayer()
    {
        var strings = PdfText.ExtractStrings(SettlementPdf.Write(Settlement(), C));

        Assert.Contains("erhält von", strings);
        Assert.Contains("Stadt Nordheim (01001001)", strings);
        Assert.Contains(strings, x => x.Contains("50 % der Gebühr"));
    }

    [Fact]
    public void Pdf_ForCorrection_ContainsCorrectionNoteAndDifference()
    {
        var text = string.Join("\n", PdfText.ExtractStrings(SettlementPdf.Write(Settlement(corrects: "KA-2026-Q1-001"), A)));

        Assert.Contains("Korrektur zu Abrechnung KA-2026-Q1-001", text);
        Assert.Contains("-1.000,00 €", text);
        Assert.Contains("-66,20 € (zu zahlen)", text);
    }

    [Fact]
    public void Pdf_ForSameInput_IsDeterministic()
    {
        Assert.Equal(SettlementPdf.Write(Settlement(), B), SettlementPdf.Write(Settlement(), B));
    }

    // ───────────── XRechnung ─────────────

    [Fact]
    public void XRechnung_ForTransfer_HasNoViolations()
    {
        var violations = XRechnungChecker.CheckDetailed(Invoice());

        Assert.Empty(violations);
        Assert.Empty(XRechnungChecker.Check(SettlementXRechnung.Write(Settlement(), A, C, IssueDate)));
    }

    [Fact]
    public void XRechnung_ForTransfer_StartsWithUtf8DeclarationAndUblRoot()
    {
        var xml = Invoice();
        var doc = XDocument.Parse(xml);

        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", xml);
        Assert.Equal(UblNs + "Invoice", doc.Root!.Name);
    }

    [Theory]
    [InlineData("/ubl:Invoice/cbc:CustomizationID", "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0")]
    [InlineData("/ubl:Invoice/cbc:ProfileID", "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0")]
    [InlineData("/ubl:Invoice/cbc:ID", "KA-2026-Q1-001-01001001-01001002")]
    [InlineData("/ubl:Invoice/cbc:IssueDate", "2026-04-15")]
    [InlineData("/ubl:Invoice/cbc:DueDate", "2026-05-15")]
    [InlineData("/ubl:Invoice/cbc:InvoiceTypeCode", "380")]
    [InlineData("/ubl:Invoice/cbc:DocumentCurrencyCode", "EUR")]
    [InlineData("/ubl:Invoice/cbc:BuyerReference", "01001001-00001-52")]
    [InlineData("/ubl:Invoice/cac:InvoicePeriod/cbc:StartDate", "2026-01-01")]
    [InlineData("/ubl:Invoice/cac:InvoicePeriod/cbc:EndDate", "2026-03-31")]
    [InlineData("/ubl:Invoice/cac:AccountingSupplierParty/cac:Party/cbc:EndpointID[@schemeID='EM']", "kasse@suedhausen.example")]
    [InlineData("/ubl:Invoice/cac:AccountingSupplierParty/cac:Party/cac:PartyName/cbc:Name", "Stadtkasse Südhausen")]
    [InlineData("/ubl:Invoice/cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cbc:StreetName", "Marktplatz 1")]
    [InlineData("/ubl:Invoice/cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cbc:CityName", "Südhausen")]
    [InlineData("/ubl:Invoice/cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cbc:PostalZone", "12346")]
    [InlineData("/ubl:Invoice/cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode", "DE")]
    [InlineData("/ubl:Invoice/cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName", "Gemeinde Südhausen")]
    [InlineData("/ubl:Invoice/cac:AccountingSupplierParty/cac:Party/cac:Contact/cbc:Name", "Stadtkasse Südhausen")]
    [InlineData("/ubl:Invoice/cac:AccountingSupplierParty/cac:Party/cac:Contact/cbc:Telephone", "+49 30 23125 002")]
    [InlineData("/ubl:Invoice/cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID", "DEMODEX0XXX")]
    [InlineData("/ubl:Invoice/cac:AccountingSupplierParty/cac:Party/cac:Contact/cbc:ElectronicMail", "kasse@suedhausen.example")]
    [InlineData("/ubl:Invoice/cac:AccountingCustomerParty/cac:Party/cbc:EndpointID[@schemeID='0204']", "01001001-00001-52")]
    [InlineData("/ubl:Invoice/cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cbc:CityName", "Nordheim")]
    [InlineData("/ubl:Invoice/cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cbc:PostalZone", "12345")]
    [InlineData("/ubl:Invoice/cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName", "Stadt Nordheim")]
    [InlineData("/ubl:Invoice/cac:PaymentMeans/cbc:PaymentMeansCode", "58")]
    [InlineData("/ubl:Invoice/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID", "O")]
    [InlineData("/ubl:Invoice/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cac:TaxScheme/cbc:ID", "VAT")]
    [InlineData("/ubl:Invoice/cac:InvoiceLine/cbc:InvoicedQuantity[@unitCode='C62']", "1")]
    [InlineData("/ubl:Invoice/cac:InvoiceLine/cac:Item/cbc:Name", "Kostenausgleich Gemeinsame Kfz-Zulassung Nordkreis, Zeitraum 01.01.2026–31.03.2026")]
    [InlineData("/ubl:Invoice/cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID", "O")]
    public void XRechnung_ForTransfer_HasMandatoryElement(string xpath, string expected)
    {
        var doc = XDocument.Parse(Invoice());

        var element = doc.XPathSelectElement(xpath, Ns());

        Assert.NotNull(element);
        Assert.Equal(expected, element!.Value);
    }

    [Fact]
    public void XRechnung_BuyerReferenceAndIban_ArePayersLeitwegIdAndReceiversIban()
    {
        var s = Settlement();
        var doc = XDocument.Parse(SettlementXRechnung.Write(s, A, C, IssueDate));

        Assert.Equal(s.Parties[A].LeitwegId, doc.XPathSelectElement("/ubl:Invoice/cbc:BuyerReference", Ns())!.Value);
        Assert.Equal(s.Parties[C].Iban, doc.XPathSelectElement("/ubl:Invoice/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", Ns())!.Value);
        Assert.Equal("Markt Osterwald", doc.XPathSelectElement("/ubl:Invoice/cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName", Ns())!.Value);
    }

    [Theory]
    [InlineData(B, "1022.40")]
    [InlineData(C, "43.80")]
    public void XRechnung_MonetaryTotals_AddUpAndEqualTransfer(string receiver, string expected)
    {
        var s = Settlement();
        var doc = XDocument.Parse(SettlementXRechnung.Write(s, A, receiver, IssueDate));
        decimal Amount(string xpath) => decimal.Parse(doc.XPathSelectElement(xpath, Ns())!.Value, CultureInfo.InvariantCulture);
        var transfer = s.Transfers.Single(t => t.PayerAgs == A && t.ReceiverAgs == receiver).Amount;

        var lineSum = Amount("/ubl:Invoice/cac:LegalMonetaryTotal/cbc:LineExtensionAmount");
        var taxExclusive = Amount("/ubl:Invoice/cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount");
        var taxInclusive = Amount("/ubl:Invoice/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount");
        var payable = Amount("/ubl:Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount");
        var tax = Amount("/ubl:Invoice/cac:TaxTotal/cbc:TaxAmount");
        var lines = doc.XPathSelectElements("/ubl:Invoice/cac:InvoiceLine/cbc:LineExtensionAmount", Ns()).Sum(e => decimal.Parse(e.Value, CultureInfo.InvariantCulture));

        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), transfer);
        Assert.Equal(transfer, lines);
        Assert.Equal(lines, lineSum);
        Assert.Equal(lineSum, taxExclusive);
        Assert.Equal(0m, tax);
        Assert.Equal(taxExclusive + tax, taxInclusive);
        Assert.Equal(taxInclusive, payable);
        Assert.Equal(transfer, Amount("/ubl:Invoice/cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount"));
        Assert.Equal(transfer, Amount("/ubl:Invoice/cac:InvoiceLine/cac:Price/cbc:PriceAmount"));
    }

    [Fact]
    public void XRechnung_AllAmounts_HaveEuroAndExactlyTwoDecimals()
    {
        var amounts = XDocument.Parse(Invoice()).Descendants().Where(e => e.Attribute("currencyID") is not null).ToList();

        Assert.Equal(9, amounts.Count);
        Assert.All(amounts, e =>
        {
            Assert.Equal("EUR", (string?)e.Attribute("currencyID"));
            Assert.Matches(@"^-?\d+\.\d{2}$", e.Value);
        });
    }

    [Fact]
    public void XRechnung_VatCategoryO_HasExemptionReasonAndNoLinePercentOrVatIds()
    {
        var doc = XDocument.Parse(Invoice());

        Assert.Equal("0", doc.XPathSelectElement("//cac:TaxSubtotal/cac:TaxCategory/cbc:Percent", Ns())!.Value); // BR-DE-14
        Assert.Contains("§ 2b UStG", doc.XPathSelectElement("//cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReason", Ns())!.Value);
        Assert.Null(doc.XPathSelectElement("//cac:ClassifiedTaxCategory/cbc:Percent", Ns())); // BR-O-05
        Assert.Empty(doc.XPathSelectElements("//cac:PartyTaxScheme", Ns()));                  // BR-O-02
    }

    [Fact]
    public void XRechnung_RootChildren_FollowUblSequence()
    {
        var names = XDocument.Parse(Invoice()).Root!.Elements().Select(e => e.Name.LocalName).ToList();

        Assert.Equal(
        [
            "CustomizationID", "ProfileID", "ID", "IssueDate", "DueDate", "InvoiceTypeCode", "Note", "DocumentCurrencyCode", "BuyerReference",
            "InvoicePeriod", "AccountingSupplierParty", "AccountingCustomerParty", "PaymentMeans", "PaymentTerms", "TaxTotal",
            "LegalMonetaryTotal", "InvoiceLine",
        ], names);
    }

    [Fact]
    public void XRechnung_Note_ExplainsPayersBalance()
    {
        var note = XDocument.Parse(Invoice()).Root!.Element(Cbc + "Note")!.Value;

        Assert.Contains("Stadt Nordheim (01001001): zu erhalten 135,00 €, zu zahlen 1.201,20 €, Saldo -1.066,20 €", note);
        Assert.Contains("Ausgleichszahlung Stadt Nordheim (01001001) an Gemeinde Südhausen (01001002): 1.022,40 €", note);
    }

    [Fact]
    public void XRechnung_ForCorrection_MentionsCorrectedSettlement()
    {
        var xml = Invoice(Settlement(corrects: "KA-2026-Q1-001"));

        Assert.Contains("Korrektur zu Abrechnung KA-2026-Q1-001", XDocument.Parse(xml).Root!.Element(Cbc + "Note")!.Value);
        Assert.Empty(XRechnungChecker.Check(xml));
    }

    [Fact]
    public void XRechnung_SellerTelephone_ComesFromTheSellersInvoicingData()
    {
        var s = Settlement();
        var doc = XDocument.Parse(SettlementXRechnung.Write(s, A, C, IssueDate));

        Assert.Equal(s.Parties[C].Telephone, doc.XPathSelectElement("//cac:AccountingSupplierParty//cac:Contact/cbc:Telephone", Ns())!.Value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    [InlineData("12")]
    public void XRechnung_WhenSellerHasNoTelephone_ThrowsNamingItInsteadOfAPlaceholder(string? telephone)
    {
        var s = Settlement();
        var parties = s.Parties.ToDictionary(p => p.Key, p => p.Value);
        parties[B] = parties[B] with { Telephone = telephone };

        var e = Assert.Throws<InvalidOperationException>(() => SettlementXRechnung.Write(Settlement(parties: parties), A, B, IssueDate));

        Assert.Contains("Telefonnummer von Gemeinde Südhausen (01001002) (BT-42, BR-DE-6)", e.Message);
    }

    [Fact]
    public void XRechnung_BuyerElectronicAddress_IsItsLeitwegIdWithScheme0204()
    {
        var s = Settlement();
        var endpoint = XDocument.Parse(Invoice(s)).XPathSelectElement("/ubl:Invoice/cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", Ns())!;

        Assert.Equal("0204", (string?)endpoint.Attribute("schemeID"));
        Assert.Equal(s.Parties[A].LeitwegId, endpoint.Value);
    }

    // ───────────── Corrections: one payable document per pair ─────────────

    [Fact]
    public void XRechnung_ForCorrection_IsCorrectedInvoice384ReferencingTheReplacedInvoice()
    {
        var xml = Invoice(Settlement(corrects: "KA-2026-Q1-001"));
        var doc = XDocument.Parse(xml);

        Assert.Empty(XRechnungChecker.CheckDetailed(xml));
        Assert.Equal("384", doc.XPathSelectElement("/ubl:Invoice/cbc:InvoiceTypeCode", Ns())!.Value);
        Assert.Equal("KA-2026-Q1-001-01001001-01001002", doc.XPathSelectElement("/ubl:Invoice/cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", Ns())!.Value);
        Assert.Equal("2026-04-02", doc.XPathSelectElement("/ubl:Invoice/cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate", Ns())!.Value);
        Assert.Equal("1022.40", doc.XPathSelectElement("/ubl:Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount", Ns())!.Value); // the full corrected amount, not a difference
        Assert.Contains("maßgeblich und zu zahlen ist nur diese Rechnung", doc.Root!.Element(Cbc + "Note")!.Value);
    }

    [Fact]
    public void XRechnung_ForPairThatOwesNothingAfterCorrection_IsCorrectedInvoiceOverZero()
    {
        var s = Settlement(corrects: "KA-2026-Q1-001");
        var xml = SettlementXRechnung.Write(s, C, B, IssueDate);
        var doc = XDocument.Parse(xml);

        Assert.Empty(XRechnungChecker.CheckDetailed(xml));
        Assert.Equal("384", doc.XPathSelectElement("/ubl:Invoice/cbc:InvoiceTypeCode", Ns())!.Value);
        Assert.Equal("0.00", doc.XPathSelectElement("/ubl:Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount", Ns())!.Value);
        Assert.Equal("KA-2026-Q1-001-01001003-01001002", doc.XPathSelectElement("//cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", Ns())!.Value);
        Assert.Null(doc.Root!.Element(Cbc + "DueDate"));
    }

    [Fact]
    public void InvoicePlan_ForCorrection_LeavesExactlyOneStandingDocumentPerPair()
    {
        var original = SettlementInvoicing.Plan("KA-1-2026-Q1", [new Transfer(A, B, 10000), new Transfer(C, B, 500)], []);
        var standing = original.Select(i => new StandingInvoice(i.Number, i.PayerAgs, i.ReceiverAgs, i.AmountCents, "s-1")).ToList();

        var correction = SettlementInvoicing.Plan("KA-1-2026-Q1-K1", [new Transfer(A, B, 12000), new Transfer(A, C, 300)], standing);

        Assert.All(original, i => Assert.Equal(InvoiceTypes.Commercial, i.TypeCode));
        var ab = correction.Single(i => i.PayerAgs == A && i.ReceiverAgs == B);
        Assert.Equal((InvoiceTypes.Corrected, 12000L, "KA-1-2026-Q1-01001001-01001002"), (ab.TypeCode, ab.AmountCents, ab.ReplacesNumber));
        var cb = correction.Single(i => i.PayerAgs == C && i.ReceiverAgs == B);
        Assert.Equal((InvoiceTypes.Corrected, 0L), (cb.TypeCode, cb.AmountCents));
        var ac = correction.Single(i => i.PayerAgs == A && i.ReceiverAgs == C);
        Assert.Equal((InvoiceTypes.Commercial, (string?)null), (ac.TypeCode, ac.ReplacesNumber));
        // Every earlier invoice is replaced by exactly one document of the correction, and the sum payable is the corrected total.
        Assert.All(original, o => Assert.Single(correction, c => c.ReplacesNumber == o.Number));
        Assert.Equal(12300L, correction.Sum(i => i.AmountCents));
    }

    [Fact]
    public void CheckXRechnung_WhenCorrectedInvoiceLacksPrecedingReference_ReportsBrDe26()
    {
        var xml = XDocument.Parse(Invoice(Settlement(corrects: "KA-2026-Q1-001")));
        xml.Root!.Element(Cac + "BillingReference")!.Remove();

        Assert.Equal(["BR-DE-26"], XRechnungChecker.Check(xml.Declaration + "\n" + xml.Root));
    }

    [Fact]
    public void CheckXRechnung_WhenBuyerEndpointIsNotItsLeitwegId_ReportsIt()
    {
        var xml = Broken(d => d.Descendants(Cac + "AccountingCustomerParty").Single().Descendants(Cbc + "EndpointID").Single().Value = "01001002-00001-73");

        Assert.Equal(["LEITWEG-ENDPOINT"], XRechnungChecker.Check(xml));
    }

    [Fact]
    public void Statement_ForCorrection_SaysWhichDocumentStands()
    {
        var s = Settlement(corrects: "KA-2026-Q1-001");
        var csv = SettlementCsv.Write(s, A);
        var pdf = string.Join("\n", PdfText.ExtractStrings(SettlementPdf.Write(s, A)));

        Assert.Contains("Maßgeblich;", csv);
        Assert.Contains("Rechnung;KA-2026-Q1-002-01001001-01001002;1022,40;zu zahlen;Korrigierte Rechnung (384), ersetzt KA-2026-Q1-001-01001001-01001002 vom 02.04.2026", csv);
        Assert.Contains("maßgeblich – zu zahlen", csv);
        var pdfText = pdf.Replace("\n", " ");
        Assert.Contains("Diese Korrekturabrechnung ersetzt die Abrechnung KA-2026-Q1-001", pdfText);
        Assert.Contains("Korrigierte Rechnung (384),", pdfText);
        Assert.Contains("maßgeblich – zu zahlen", pdfText);
    }

    [Fact]
    public void Statement_ForReplacedSettlement_SaysItsInvoicesAreNoLongerToBePaid()
    {
        var s = Settlement() with { SupersededBySettlementId = "s-2", SupersededByNumber = "KA-2026-Q1-002" };

        var csv = SettlementCsv.Write(s, A);
        var pdf = string.Join("\n", PdfText.ExtractStrings(SettlementPdf.Write(s, A)));

        Assert.Contains("ersetzt durch Abrechnung KA-2026-Q1-002 – nicht mehr zahlen", csv);
        Assert.Contains("durch die Korrekturabrechnung KA-2026-Q1-002 ersetzt", pdf.Replace("\n", " "));
    }

    [Fact]
    public void XRechnung_WhenPayerHasNoLeitwegId_ThrowsNamingBuyerReference()
    {
        var s = Settlement();
        var parties = s.Parties.ToDictionary(p => p.Key, p => p.Value);
        parties[A] = parties[A] with { LeitwegId = null };

        var e = Assert.Throws<InvalidOperationException>(() => SettlementXRechnung.Write(Settlement(parties: parties), A, B, IssueDate));

        Assert.Contains("Leitweg-ID", e.Message);
        Assert.Contains("BR-DE-15", e.Message);
    }

    [Fact]
    public void XRechnung_WhenReceiverHasNoIbanOrEmail_ThrowsListingBoth()
    {
        var s = Settlement();
        var parties = s.Parties.ToDictionary(p => p.Key, p => p.Value);
        parties[B] = parties[B] with { Iban = null, Email = " " };

        var e = Assert.Throws<InvalidOperationException>(() => SettlementXRechnung.Write(Settlement(parties: parties), A, B, IssueDate));

        Assert.Contains("IBAN", e.Message);
        Assert.Contains("E-Mail", e.Message);
    }

    [Fact]
    public void XRechnung_WhenNoTransferBetweenParties_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => SettlementXRechnung.Write(Settlement(), B, A, IssueDate));
    }

    // ───────────── Checker ─────────────

    private static string Broken(Action<XDocument> change)
    {
        var doc = XDocument.Parse(Invoice());
        change(doc);
        return doc.Declaration + "\n" + doc.Root;
    }

    [Fact]
    public void CheckXRechnung_WhenBuyerReferenceRemoved_ReportsBrDe15()
    {
        var xml = Broken(d => d.Root!.Element(Cbc + "BuyerReference")!.Remove());

        Assert.Equal(["BR-DE-15"], XRechnungChecker.Check(xml));
    }

    [Fact]
    public void CheckXRechnung_WhenPayableAmountChanged_ReportsBrCo16()
    {
        var xml = Broken(d => d.Root!.Element(Cac + "LegalMonetaryTotal")!.Element(Cbc + "PayableAmount")!.Value = "999.99");

        Assert.Equal(["BR-CO-16"], XRechnungChecker.Check(xml));
    }

    [Fact]
    public void CheckXRechnung_WhenBuyerReferenceRemovedAndPayableChanged_ReportsBoth()
    {
        var xml = Broken(d =>
        {
            d.Root!.Element(Cbc + "BuyerReference")!.Remove();
            d.Root!.Element(Cac + "LegalMonetaryTotal")!.Element(Cbc + "PayableAmount")!.Value = "1.00";
        });

        var violations = XRechnungChecker.Check(xml);

        Assert.Contains("BR-DE-15", violations);
        Assert.Contains("BR-CO-16", violations);
    }

    [Fact]
    public void CheckXRechnung_WhenLineAmountChanged_ReportsSumRules()
    {
        var xml = Broken(d =>
        {
            var line = d.Root!.Element(Cac + "InvoiceLine")!;
            line.Element(Cbc + "LineExtensionAmount")!.Value = "1000.00";
            line.Element(Cac + "Price")!.Element(Cbc + "PriceAmount")!.Value = "1000.00";
        });

        var violations = XRechnungChecker.Check(xml);

        Assert.Contains("BR-CO-10", violations);
        Assert.Contains("BR-O-08", violations);
    }

    [Fact]
    public void CheckXRechnung_WhenTaxInclusiveChanged_ReportsBrCo15()
    {
        var xml = Broken(d =>
        {
            var total = d.Root!.Element(Cac + "LegalMonetaryTotal")!;
            total.Element(Cbc + "TaxInclusiveAmount")!.Value = "1100.00";
            total.Element(Cbc + "PayableAmount")!.Value = "1100.00";
        });

        Assert.Equal(["BR-CO-15"], XRechnungChecker.Check(xml));
    }

    [Fact]
    public void CheckXRechnung_WhenIbanChecksumWrong_ReportsBrDe19()
    {
        var xml = Broken(d =>
        {
            var id = d.Descendants(Cac + "PayeeFinancialAccount").Single().Element(Cbc + "ID")!;
            id.Value = id.Value[..^1] + (id.Value[^1] == '0' ? '1' : '0');
        });

        Assert.Equal(["BR-DE-19"], XRechnungChecker.Check(xml));
    }

    [Fact]
    public void CheckXRechnung_WhenSellerContactRemoved_ReportsBrDe2()
    {
        var xml = Broken(d => d.Descendants(Cac + "AccountingSupplierParty").Single().Descendants(Cac + "Contact").Single().Remove());

        Assert.Equal(["BR-DE-2"], XRechnungChecker.Check(xml));
    }

    [Fact]
    public void CheckXRechnung_WhenLineCarriesVatRateOrSellerVatId_ReportsBrORules()
    {
        var xml = Broken(d =>
        {
            d.Descendants(Cac + "ClassifiedTaxCategory").Single().Element(Cbc + "ID")!.AddAfterSelf(new XElement(Cbc + "Percent", "0"));
            d.Descendants(Cac + "AccountingSupplierParty").Single().Descendants(Cac + "PostalAddress").Single().AddAfterSelf(
                new XElement(Cac + "PartyTaxScheme", new XElement(Cbc + "CompanyID", "DE123456789"), new XElement(Cac + "TaxScheme", new XElement(Cbc + "ID", "VAT"))));
        });

        var violations = XRechnungChecker.Check(xml);

        Assert.Contains("BR-O-05", violations);
        Assert.Contains("BR-O-02", violations);
    }

    [Fact]
    public void CheckXRechnung_WhenElementsOutOfOrder_ReportsUblOrder()
    {
        var xml = Broken(d =>
        {
            var reference = d.Root!.Element(Cbc + "BuyerReference")!;
            reference.Remove();
            d.Root!.Element(Cac + "InvoicePeriod")!.AddAfterSelf(reference);
        });

        Assert.Equal(["UBL-ORDER"], XRechnungChecker.Check(xml));
    }

    [Fact]
    public void CheckXRechnung_WhenAmountHasThreeDecimals_ReportsDecimalRule()
    {
        var xml = Broken(d => d.Root!.Element(Cac + "TaxTotal")!.Element(Cbc + "TaxAmount")!.Value = "0.000");

        Assert.Contains("BR-DEC-13", XRechnungChecker.Check(xml));
    }

    [Fact]
    public void CheckXRechnung_WhenNotWellFormed_ReportsXml()
    {
        Assert.Equal(["XML-WELLFORMED"], XRechnungChecker.Check(Invoice()[..^20]));
    }

    [Fact]
    public void CheckXRechnung_WhenRootInOtherNamespace_ReportsUblNamespace()
    {
        var xml = Invoice().Replace("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2", "urn:example:invoice");

        Assert.Equal(["UBL-NAMESPACE"], XRechnungChecker.Check(xml));
    }

    [Fact]
    public void CheckXRechnung_WhenCustomizationIdMissing_ReportsBr01()
    {
        var xml = Broken(d => d.Root!.Element(Cbc + "CustomizationID")!.Remove());

        Assert.Contains("BR-01", XRechnungChecker.Check(xml));
    }

    // ───────────── IBAN ─────────────

    [Theory]
    [InlineData("01001001")]
    [InlineData("09162000")]
    [InlineData("demo-key")]
    [InlineData("Stadt Nordheim")]
    public void DemoIban_ForKey_IsValidGermanIbanWithUnassignedBankCode(string key)
    {
        var iban = Iban.Demo(key);

        Assert.Matches(@"^DE\d{20}$", iban);
        Assert.True(Iban.IsValid(iban));
        Assert.Equal(Iban.DemoBankCode, iban[4..12]);
        Assert.Equal(iban, Iban.Demo(key));
    }

    [Fact]
    public void DemoIban_ForDifferentKeys_Differs()
    {
        Assert.NotEqual(Iban.Demo(A), Iban.Demo(B));
    }

    [Theory]
    [InlineData("DE89370400440532013000", true)]     // ISO 13616 / ECBS example
    [InlineData("DE89 3704 0044 0532 0130 00", true)]
    [InlineData("DE75512108001245126199", true)]     // xrechnung-testsuite dummy IBAN
    [InlineData("GB82WEST12345698765432", true)]
    [InlineData("DE89370400440532013001", false)]
    [InlineData("DE8937040044053201300", false)]
    [InlineData("DE", false)]
    [InlineData("", false)]
    public void IbanIsValid_ForSample_ChecksMod97(string iban, bool expected)
    {
        Assert.Equal(expected, Iban.IsValid(iban));
    }
}
