using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using OpenIkz.Agreements.Settlement;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Agreements;

/// <summary>The Kostenausgleich over HTTP: the hand-computed example, re-runs, corrections, guard rails and exports. Runs on SQLite and on PostgreSQL.</summary>
public abstract class SettlementApiTests(OpenIkzApp fixture)
{
    // The hand-computed example of SettlementCalculatorTests with three Harz partners: A = Halberstadt, B = Quedlinburg, C = Wernigerode.
    private const string A = Backoffice.Agreements.Halberstadt, B = Backoffice.Agreements.Quedlinburg, C = Backoffice.Agreements.Wernigerode;
    private static readonly int Year = DateTime.UtcNow.Year - 1;
    private static readonly SemaphoreSlim Setup = new(1, 1);
    private static readonly Dictionary<OpenIkzApp, long> Pools = new();

    private OpenIkzApp app => fixture.Require();

    /// <summary>One Kfz pool per database (a second one for the same cases could not take effect) with the example's decisions in Q1, Q2 and Q3; each test settles its own quarter.</summary>
    private async Task<(HttpClient Coordinator, long Agreement)> KfzPoolWithDecisionsAsync()
    {
        var coordinator = await app.ApiAsAsync("halberstadt.koordination");
        await Setup.WaitAsync();
        try
        {
            if (!Pools.TryGetValue(app, out var existing)) Pools[app] = existing = await CreatePoolAsync(coordinator);
            return (coordinator, existing);
        }
        finally { Setup.Release(); }
    }

    private async Task<long> CreatePoolAsync(HttpClient a)
    {
        // Invoicing master data of the three partners (the demo has verified addresses only for the Vorderpfalz and the district).
        foreach (var (ags, street, postal, city) in new[] { (A, "Teststraße 1", "38820", "Halberstadt"), (B, "Teststraße 2", "06484", "Quedlinburg"), (C, "Teststraße 3", "38855", "Wernigerode") })
            await app.Db.ExecuteAsync("UPDATE municipalities SET address_street = @Street, address_postal_code = @Postal, address_city = @City WHERE ags = @Ags", new { Street = street, Postal = postal, City = city, Ags = ags });
        var draft = new Dictionary<string, object?>
        {
            ["title"] = "Zweckvereinbarung Kfz-Zulassung Harz " + Guid.NewGuid().ToString("N")[..4],
            ["services"] = new[] { "kfz-zulassung" },
            ["members"] = new[] { A, B, C }.Select(m => new { ags = m, contributesCases = true, contributesStaff = true }).ToArray(),
            ["stateLaw"] = "gkg-lsa", ["legalForm"] = "zweckvereinbarung", ["transfersTask"] = false,
            ["validFrom"] = $"{Year}-01-01", ["noticeMonths"] = 6,
            ["dataProtection"] = "Auftragsverarbeitung nach Art. 28 DSGVO.",
            ["rates"] = new object[]
            {
                new { service = "kfz-zulassung", caseGroup = "neuzulassung", flatAmount = "12,50", fee = 27.90m },
                new { service = "kfz-zulassung", caseGroup = "umschreibung", flatAmount = 10.00m, fee = "26,30" },
                new { service = "kfz-zulassung", caseGroup = "ausserbetriebsetzung", flatAmount = 4.50m, fee = 8.10m },
            },
            ["feeRule"] = "share", ["feeSharePercent"] = "33,33",
        };
        var created = await a.PostAsJsonAsync("/api/v1/agreements", draft);
        var json = await created.ReadJsonAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, json.ToString());
        var id = json.GetProperty("id").GetInt64();
        foreach (var coordinator in new[] { a, await app.ApiAsAsync("quedlinburg.koordination"), await app.ApiAsAsync("wernigerode.koordination") })
            (await coordinator.PostAsJsonAsync($"/api/v1/agreements/{id}/consent", new { })).EnsureSuccessStatusCode();

        foreach (var month in new[] { 2, 5, 8 })
        {
            await DecidedAsync(A, B, "neuzulassung", 10, month);
            await DecidedAsync(A, B, "umschreibung", 4, month);
            await DecidedAsync(A, C, "neuzulassung", 3, month);
            await DecidedAsync(B, A, "ausserbetriebsetzung", 7, month);
            await DecidedAsync(C, B, "umschreibung", 5, month);
            await DecidedAsync(A, A, "neuzulassung", 50, month); // own cases: no compensation
        }
        return id;
    }

    private async Task DecidedAsync(string owner, string processor, string group, int count, int month)
    {
        var clerk = await app.Db.QuerySingleAsync<long>("SELECT id FROM users WHERE municipality_ags = @P AND username LIKE '%.sachbearbeitung'", new { P = processor });
        await app.Db.InTransactionAsync(async (c, tx) =>
        {
            for (var i = 0; i < count; i++)
            {
                var at = new DateTime(Year, month, 1 + i % 28, 10, 0, 0, DateTimeKind.Utc);
                await Dapper.SqlMapper.ExecuteAsync(c, """
                    INSERT INTO cases (id, reference, owner_ags, service_slug, case_group, status, complete, applicant_given_name, applicant_family_name, applicant_birth_date,
                        applicant_street, applicant_postal_code, applicant_city, applicant_search, form_json, received_at, due_date, decided_at, outcome, decided_by_user_id, processor_ags, version)
                    VALUES (@Id, @Ref, @Owner, 'kfz-zulassung', @Group, 'closed', @True, 'A', 'B', @Birth, 'S', '38820', 'X', 'b a', '{}', @At, @Due, @At, 'granted', @Clerk, @Processor, 1)
                    """, new { Id = Guid.CreateVersion7().ToString(), Ref = $"{owner}-KFZ-T-{Guid.NewGuid():N}", Owner = owner, Group = group, True = true, Birth = new DateOnly(1970, 1, 1),
                        At = at, Due = DateOnly.FromDateTime(at), Clerk = clerk, Processor = processor }, tx);
            }
        });
    }

    private static Dictionary<string, decimal> Balances(JsonElement json) =>
        json.GetProperty("statements").EnumerateArray().ToDictionary(s => s.GetProperty("municipality").GetString()!, s => s.GetProperty("balance").GetDecimal());

    [SkippableFact]
    public async Task Settle_TheHandComputedExample_MatchesToTheCent_AndReRunsAreIdempotent_AndCorrectionsReferenceTheOriginal()
    {
        var (coordinator, id) = await KfzPoolWithDecisionsAsync();
        var Period = $"{Year}-Q1";
        var first = await coordinator.PostAsJsonAsync($"/api/v1/agreements/{id}/settlements", new { period = Period });
        var json = await first.ReadJsonAsync();
        Assert.True(first.StatusCode == HttpStatusCode.Created, json.ToString());
        var balances = Balances(json);
        Assert.Equal(-308.05m, balances[A]);
        Assert.Equal(336.48m, balances[B]);
        Assert.Equal(-28.43m, balances[C]);
        Assert.Equal(0m, balances.Values.Sum());
        var settlementId = json.GetProperty("settlementId").GetString()!;

        var again = await coordinator.PostAsJsonAsync($"/api/v1/agreements/{id}/settlements", new { period = Period });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var againJson = await again.ReadJsonAsync();
        Assert.Equal(settlementId, againJson.GetProperty("settlementId").GetString());
        Assert.Equal(balances, Balances(againJson));

        // A decision of the period recorded late: the next run is a correction that references the original, which stays unchanged.
        await DecidedAsync(C, A, "neuzulassung", 1, month: 3);
        var correction = await coordinator.PostAsJsonAsync($"/api/v1/agreements/{id}/settlements", new { period = Period });
        var correctionJson = await correction.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.Created, correction.StatusCode);
        // Only one payable document per pair: the correction's invoices are corrected invoices (384) that name the replaced ones,
        // and the replaced settlement hands out no invoice any more (409 naming the settlement that stands).
        var correctionInvoices = correctionJson.GetProperty("invoices").EnumerateArray().ToList();
        var firstInvoices = json.GetProperty("invoices").EnumerateArray().ToList();
        Assert.All(firstInvoices, i => Assert.Equal("380", i.GetProperty("typeCode").GetString()));
        Assert.All(correctionInvoices, i => Assert.Equal("384", i.GetProperty("typeCode").GetString()));
        Assert.Equal(firstInvoices.Select(i => i.GetProperty("number").GetString()).Order(),
            correctionInvoices.Select(i => i.GetProperty("replacesInvoice").GetString()).Where(n => n is not null).Order());
        var replaced = await (await coordinator.GetAsync($"/api/v1/settlements/{settlementId}/statements/{A}.xml")).AssertProblemAsync(409);
        Assert.Equal(correctionJson.GetProperty("settlementId").GetString(), replaced.GetProperty("standingSettlementId").GetString());
        var correctedXml = await (await coordinator.GetAsync($"/api/v1/settlements/{correctionJson.GetProperty("settlementId").GetString()}/statements/{A}.xml")).Content.ReadAsStringAsync();
        Assert.Empty(XRechnungChecker.Check(correctedXml));
        var correctedDoc = XDocument.Parse(correctedXml);
        XNamespace cbcNs = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
        XNamespace cacNs = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
        Assert.Equal("384", correctedDoc.Root!.Element(cbcNs + "InvoiceTypeCode")!.Value);
        Assert.Equal($"{json.GetProperty("number").GetString()}-{A}-{B}",
            correctedDoc.Root.Element(cacNs + "BillingReference")!.Element(cacNs + "InvoiceDocumentReference")!.Element(cbcNs + "ID")!.Value);
        Assert.Equal(correctionJson.GetProperty("settlementId").GetString(),
            (await (await coordinator.GetAsync($"/api/v1/settlements/{settlementId}")).ReadJsonAsync()).GetProperty("supersededBySettlementId").GetString());
        Assert.Equal(settlementId, correctionJson.GetProperty("correctsSettlementId").GetString());
        Assert.NotEqual(settlementId, correctionJson.GetProperty("settlementId").GetString());
        Assert.Equal(0m, Balances(correctionJson).Values.Sum());
        var original = await (await coordinator.GetAsync($"/api/v1/settlements/{settlementId}")).ReadJsonAsync();
        Assert.Equal(-308.05m, original.GetProperty("statements").EnumerateArray().Single(s => s.GetProperty("municipalityAgs").GetString() == A).GetProperty("balance").GetDecimal());
        var corrected = await (await coordinator.GetAsync($"/api/v1/settlements/{correctionJson.GetProperty("settlementId").GetString()}")).ReadJsonAsync();
        var cStatement = corrected.GetProperty("statements").EnumerateArray().Single(s => s.GetProperty("municipalityAgs").GetString() == C);
        Assert.Equal(-28.43m, cStatement.GetProperty("previousBalance").GetDecimal());
        Assert.Equal(-28.43m - 12.50m - 9.30m, cStatement.GetProperty("balance").GetDecimal()); // + 12.50 flat + 27.90 × 33.33 % = 9.29907 → one line 21.79907 → 21.80
    }

    [SkippableTheory]
    [InlineData("Zweckvereinbarung gemeinsame Kfz-Zulassung Vorderpfalz", "2025-03")]
    [InlineData("Arbeitsgemeinschaft Grundsicherung Vorderpfalz (beendet)", "2026-Q3")]
    public async Task Settle_WhenNoCaseQualifies_Answers201WithZeroBalancesAndNoInvoice(string title, string period)
    {
        var coordinator = await app.ApiAsAsync("frankenthal.koordination");
        var id = await app.Db.QuerySingleAsync<long>("SELECT id FROM agreements WHERE title = @Title", new { Title = title });

        var response = await coordinator.PostAsJsonAsync($"/api/v1/agreements/{id}/settlements", new { period });
        var json = await response.ReadJsonAsync();

        Assert.True(response.StatusCode == HttpStatusCode.Created, json.ToString());
        Assert.False(json.GetProperty("provisional").GetBoolean());
        Assert.NotEmpty(Balances(json));
        Assert.All(Balances(json).Values, b => Assert.Equal(0m, b));
        Assert.Equal(0, json.GetProperty("invoices").GetArrayLength());
        var settlementId = json.GetProperty("settlementId").GetString()!;
        foreach (var ags in Balances(json).Keys)
        {
            Assert.Equal(HttpStatusCode.OK, (await coordinator.GetAsync($"/api/v1/settlements/{settlementId}/statements/{ags}.pdf")).StatusCode);
            await (await coordinator.GetAsync($"/api/v1/settlements/{settlementId}/statements/{ags}.xml")).AssertProblemAsync(404);
        }
    }

    [SkippableFact]
    public async Task Settle_BadPeriods_AreRefused_AndNothingIsSaved()
    {
        var (coordinator, id) = await KfzPoolWithDecisionsAsync();
        (await coordinator.PostAsJsonAsync($"/api/v1/agreements/{id}/settlements", new { period = $"{Year}-Q2" })).EnsureSuccessStatusCode();
        var before = await app.CountAsync("settlements");
        var unknown = await (await coordinator.PostAsJsonAsync($"/api/v1/agreements/{id}/settlements", new { period = "Q2/2025" })).AssertProblemAsync(400);
        Assert.True(unknown.GetProperty("errors").TryGetProperty("period", out _));
        var overlapYear = await (await coordinator.PostAsJsonAsync($"/api/v1/agreements/{id}/settlements", new { period = $"{Year}" })).AssertProblemAsync(409);
        Assert.Equal("PeriodOverlaps", overlapYear.GetProperty("rule").GetString());
        await (await coordinator.PostAsJsonAsync($"/api/v1/agreements/{id}/settlements", new { period = $"{Year}-05" })).AssertProblemAsync(409);
        await (await coordinator.PostAsJsonAsync($"/api/v1/agreements/{id}/settlements", new { period = "2025-13" })).AssertProblemAsync(400);
        await (await coordinator.PostAsJsonAsync($"/api/v1/agreements/{id}/settlements", new { period = $"{DateTime.UtcNow.Year + 1}-Q1" })).AssertProblemAsync(400);
        // A period that has begun but not ended is only previewed: 200, provisional, no id, no invoice, nothing stored.
        var now = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(app.Clock.GetUtcNow().UtcDateTime, BerlinTime.Zone));
        var preview = await coordinator.PostAsJsonAsync($"/api/v1/agreements/{id}/settlements", new { period = $"{now.Year}-{now.Month:00}" });
        var previewJson = await preview.ReadJsonAsync();
        Assert.True(preview.StatusCode == HttpStatusCode.OK, previewJson.ToString());
        Assert.True(previewJson.GetProperty("provisional").GetBoolean());
        Assert.Equal(JsonValueKind.Null, previewJson.GetProperty("settlementId").ValueKind);
        Assert.Equal(0, previewJson.GetProperty("invoices").GetArrayLength());
        Assert.Equal(0m, Balances(previewJson).Values.Sum());
        Assert.Equal(before, await app.CountAsync("settlements"));
        var outsider = await app.ApiAsAsync("thale.koordination");
        await (await outsider.PostAsJsonAsync($"/api/v1/agreements/{id}/settlements", new { period = $"{Year}-Q4" })).AssertProblemAsync(404);
    }

    [SkippableFact]
    public async Task Statements_AsPdfCsvAndXRechnung_AddUp()
    {
        var (coordinator, id) = await KfzPoolWithDecisionsAsync();
        var settlementId = (await (await coordinator.PostAsJsonAsync($"/api/v1/agreements/{id}/settlements", new { period = $"{Year}-Q3" })).ReadJsonAsync()).GetProperty("settlementId").GetString()!;

        var pdf = await coordinator.GetAsync($"/api/v1/settlements/{settlementId}/statements/{A}.pdf");
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        var pdfText = string.Join(" ", PdfText.ExtractStrings(await pdf.Content.ReadAsByteArrayAsync()));
        Assert.Contains("308,05", pdfText);

        var csv = Encoding.UTF8.GetString(await (await coordinator.GetAsync($"/api/v1/settlements/{settlementId}/statements/{B}.csv")).Content.ReadAsByteArrayAsync());
        Assert.Contains("336,48", csv);

        var xmlResponse = await coordinator.GetAsync($"/api/v1/settlements/{settlementId}/statements/{A}.xml");
        Assert.Equal(HttpStatusCode.OK, xmlResponse.StatusCode);
        var xml = await xmlResponse.Content.ReadAsStringAsync();
        Assert.Empty(XRechnungChecker.Check(xml));
        XNamespace cbc = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
        XNamespace cac = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
        var doc = XDocument.Parse(xml);
        Assert.Equal("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0", doc.Root!.Element(cbc + "CustomizationID")!.Value);
        var leitweg = await app.Db.QuerySingleAsync<string>("SELECT leitweg_id FROM municipalities WHERE ags = @A", new { A });
        Assert.Equal(leitweg, doc.Root.Element(cbc + "BuyerReference")!.Value);
        var buyerEndpoint = doc.Root.Element(cac + "AccountingCustomerParty")!.Element(cac + "Party")!.Element(cbc + "EndpointID")!;
        Assert.Equal(("0204", leitweg), ((string?)buyerEndpoint.Attribute("schemeID"), buyerEndpoint.Value));
        Assert.Equal("380", doc.Root.Element(cbc + "InvoiceTypeCode")!.Value);
        // The seller's telephone is the one its administration entered; without one the invoice is refused naming it.
        var sellerTelephone = await app.Db.QuerySingleAsync<string>("SELECT telephone FROM municipalities WHERE ags = @B", new { B });
        Assert.Equal(sellerTelephone, doc.Descendants(cac + "Contact").Single().Element(cbc + "Telephone")!.Value);
        Assert.Equal("308.05", doc.Root.Element(cac + "LegalMonetaryTotal")!.Element(cbc + "PayableAmount")!.Value);
        Assert.Equal("308.05", doc.Root.Element(cac + "InvoiceLine")!.Element(cbc + "LineExtensionAmount")!.Value);

        var quedlinburgAdmin = await app.ApiAsAsync("quedlinburg.admin");
        var data = await (await quedlinburgAdmin.GetAsync($"/api/v1/municipalities/{B}/invoicing")).ReadJsonAsync();
        var update = JsonSerializer.Deserialize<Dictionary<string, object?>>(data.GetRawText())!;
        update["telephone"] = "+49 30 23125 777";
        (await quedlinburgAdmin.PutAsJsonAsync($"/api/v1/municipalities/{B}/invoicing", update)).EnsureSuccessStatusCode();
        var again = XDocument.Parse(await (await coordinator.GetAsync($"/api/v1/settlements/{settlementId}/statements/{A}.xml")).Content.ReadAsStringAsync());
        Assert.Equal("+49 30 23125 777", again.Descendants(cac + "Contact").Single().Element(cbc + "Telephone")!.Value);
        update["telephone"] = null;
        (await quedlinburgAdmin.PutAsJsonAsync($"/api/v1/municipalities/{B}/invoicing", update)).EnsureSuccessStatusCode();
        var missing = await (await coordinator.GetAsync($"/api/v1/settlements/{settlementId}/statements/{A}.xml")).AssertProblemAsync(422);
        Assert.Contains("Telefonnummer von Quedlinburg", missing.GetProperty("detail").GetString());
        update["telephone"] = sellerTelephone;
        (await quedlinburgAdmin.PutAsJsonAsync($"/api/v1/municipalities/{B}/invoicing", update)).EnsureSuccessStatusCode();

        // The net receiver gets no invoice; a non-member gets nothing at all.
        await (await coordinator.GetAsync($"/api/v1/settlements/{settlementId}/statements/{B}.xml")).AssertProblemAsync(404);
        var outsider = await app.ApiAsAsync("thale.koordination");
        await (await outsider.GetAsync($"/api/v1/settlements/{settlementId}/statements/{A}.pdf")).AssertProblemAsync(404);
    }
}

public sealed class SettlementApiTestsSqlite(SqliteApp app) : SettlementApiTests(app), IClassFixture<SqliteApp>;
public sealed class SettlementApiTestsPostgres(PostgresApp app) : SettlementApiTests(app), IClassFixture<PostgresApp>;
