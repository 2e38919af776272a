using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenIkz.Agreements.Settlement;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure;

namespace OpenIkz.Agreements;

public sealed record ConsentResponse(long Id, string Status, string StatusLabel);
public sealed record ApproveRequest(DateOnly? ApprovedOn, string? Reference);
public sealed record TerminateRequest(DateOnly? EndDate, string? Reason, string? Note);
public sealed record SettlementRequest(string? Period);
public sealed record StatementBalance(string Municipality, decimal Balance);
public sealed record InvoiceResponse(string Number, string Payer, string Receiver, string TypeCode, decimal Amount, string? ReplacesInvoice, DateOnly? ReplacesIssueDate);

/// <summary>
/// A settlement run. <c>provisional</c>: a preview of a period that has not ended (no id, not stored, no invoices).
/// <c>supersededBySettlementId</c>: the correction that replaced it; then its invoices are no longer to be paid.
/// </summary>
public sealed record SettlementResponse(string? SettlementId, string? Number, string Period, bool Provisional, string? CorrectsSettlementId, string? SupersededBySettlementId,
    IReadOnlyList<StatementBalance> Statements, IReadOnlyList<InvoiceResponse> Invoices);

public static class AgreementsApi
{
    /// <summary>Agreements and settlements, read and write: the Koordination of a member municipality (pages and API alike).</summary>
    public const string CoordinatorPolicy = "Coordinator";

    public static IEndpointRouteBuilder MapAgreementsApi(this IEndpointRouteBuilder app)
    {
        // Agreements and settlements (with the partners' bank details) are the coordinators' business, as in the UI:
        // every other role gets 403, and a coordinator of a non-member 404.
        var group = app.MapGroup("/api/v1/agreements").WithTags("Vereinbarungen").RequireAuthorization(CoordinatorPolicy);

        group.MapGet("/", async (ClaimsPrincipal p, AgreementService agreements, CancellationToken ct) => TypedResults.Ok(await agreements.ListAsync(p.MunicipalityAgs()!, ct)))
            .WithName("ListAgreements").WithSummary("The agreements the caller's municipality is a member of.");

        group.MapGet("/{id:long}", async (long id, ClaimsPrincipal p, AgreementService agreements, CancellationToken ct) =>
                TypedResults.Ok(await agreements.GetAsync(Actor.From(p)!, id, ct)))
            .WithName("GetAgreement").WithSummary("One agreement with its terms, members, consents, history and document versions; 404 for non-members.").ProducesProblem(404);

        group.MapGet("/{id:long}/document.{format}", async Task<IResult> (long id, string format, int? version, ClaimsPrincipal p, AgreementService agreements, IFileStore store, CancellationToken ct) =>
            {
                if (format is not ("html" or "pdf")) return Problems.NotFound("Das Dokument gibt es als .html und .pdf.");
                var a = await agreements.GetAsync(Actor.From(p)!, id, ct);
                var doc = (version is null ? a.Documents : a.Documents.Where(d => d.Version == version)).LastOrDefault();
                if (doc is null) return Problems.NotFound("Für diese Fassung gibt es kein Dokument.");
                var stream = store.OpenRead(format == "html" ? doc.HtmlSha256 : doc.PdfSha256)!;
                return format == "html"
                    ? TypedResults.Stream(stream, "text/html; charset=utf-8")
                    : TypedResults.Stream(stream, "application/pdf", $"Vereinbarung-{id}-Fassung-{doc.Version}.pdf");
            })
            .WithName("GetAgreementDocument").WithSummary("The generated agreement document (latest rendering, or ?version=N) as HTML or PDF.");

        var coordinators = group.MapGroup("/");

        coordinators.MapPost("/", async Task<Created<AgreementDetails>> (AgreementInput input, ClaimsPrincipal p, AgreementService agreements, CancellationToken ct) =>
            {
                var actor = Actor.From(p)!;
                var id = await agreements.CreateDraftAsync(actor, input, ct);
                return TypedResults.Created($"/api/v1/agreements/{id}", await agreements.GetAsync(actor, id, ct));
            })
            .WithName("CreateAgreement").WithSummary("Drafts an agreement (Koordination of a member). Field errors are a 400 problem.").ProducesValidationProblem();

        coordinators.MapPut("/{id:long}", async (long id, AgreementInput input, ClaimsPrincipal p, AgreementService agreements, CancellationToken ct) =>
            {
                var actor = Actor.From(p)!;
                await agreements.UpdateDraftAsync(actor, id, input, ct);
                return TypedResults.Ok(await agreements.GetAsync(actor, id, ct));
            })
            .WithName("UpdateAgreement").WithSummary("Changes a draft; every consent given so far is withdrawn. Terms of an approved or active agreement cannot be changed (409): amend it.")
            .ProducesValidationProblem().ProducesProblem(409);

        coordinators.MapPost("/{id:long}/consent", (long id, ClaimsPrincipal p, AgreementService a, CancellationToken ct) => Step(id, p, a, () => a.ConsentAsync(Actor.From(p)!, id, ct), ct))
            .WithName("ConsentAgreement").WithSummary("The caller's municipality consents. When all have consented it goes to the Kommunalaufsicht, or takes effect where no approval is needed.");
        coordinators.MapPost("/{id:long}/submission", (long id, ClaimsPrincipal p, AgreementService a, CancellationToken ct) => Step(id, p, a, () => a.SubmitAsync(Actor.From(p)!, id, ct), ct))
            .WithName("SubmitAgreement").WithSummary("Submitted to the supervisory authority (Kommunalaufsicht).");
        coordinators.MapPost("/{id:long}/approval", (long id, ApproveRequest r, ClaimsPrincipal p, AgreementService a, CancellationToken ct) =>
                Step(id, p, a, () => a.ApproveAsync(Actor.From(p)!, id, r.ApprovedOn ?? throw Missing("approvedOn", "Bitte das Datum der Genehmigung angeben."), r.Reference ?? "", ct), ct))
            .WithName("ApproveAgreement").WithSummary("Records the supervisory authority's approval (date and file number); the agreement is active from its start date.");
        coordinators.MapPost("/{id:long}/termination", (long id, TerminateRequest r, ClaimsPrincipal p, AgreementService a, CancellationToken ct) =>
                Step(id, p, a, () => a.TerminateAsync(Actor.From(p)!, id, r.EndDate ?? throw Missing("endDate", "Bitte das Ende angeben."), r.Reason ?? "", r.Note, ct), ct))
            .WithName("TerminateAgreement").WithSummary("Terminates with a gpaNRW reason category; access ends after the end date.");
        coordinators.MapPost("/{id:long}/amendments", async Task<Created<AgreementDetails>> (long id, ClaimsPrincipal p, AgreementService agreements, CancellationToken ct) =>
            {
                var actor = Actor.From(p)!;
                var newId = await agreements.AmendAsync(actor, id, ct);
                return TypedResults.Created($"/api/v1/agreements/{newId}", await agreements.GetAsync(actor, newId, ct));
            })
            .WithName("AmendAgreement").WithSummary("Starts an amendment: a new draft with the same terms that supersedes this version once it takes effect.");

        coordinators.MapPost("/{id:long}/settlements", async Task<IResult> (long id, SettlementRequest request, ClaimsPrincipal p, SettlementService settlements, CancellationToken ct) =>
            {
                var run = await settlements.RunAsync(Actor.From(p)!, id, request.Period ?? "", ct);
                var body = Response(run.Settlement);
                return run.Created ? TypedResults.Created($"/api/v1/settlements/{run.Settlement.Id}", body) : TypedResults.Ok(body);
            })
            .WithName("RunSettlement")
            .WithSummary("Settles a period ('2026-Q3', '2026-07', '2026'): 201 with one balance per member (negative pays) and its invoices; zero balances and no invoice when no case qualifies. " +
                         "The same period again without new decisions returns the same settlement (200); with new decisions a correction that references it and issues corrected invoices (384) replacing the earlier ones. " +
                         "A period that has not ended yet is only previewed: 200 with provisional=true, nothing stored, no invoice.")
            .ProducesValidationProblem().ProducesProblem(409);

        group.MapGet("/{id:long}/settlements", async (long id, ClaimsPrincipal p, SettlementService settlements, CancellationToken ct) =>
                TypedResults.Ok((await settlements.ListAsync(Actor.From(p)!, id, ct)).Select(Response)))
            .WithName("ListSettlements");

        app.MapGet("/api/v1/settlements/{settlementId}", async (string settlementId, ClaimsPrincipal p, SettlementService settlements, CancellationToken ct) =>
                TypedResults.Ok(await settlements.GetAsync(Actor.From(p)!, settlementId, ct)))
            .RequireAuthorization(CoordinatorPolicy).WithTags("Kostenausgleich").WithName("GetSettlement").ProducesProblem(404);

        app.MapGet("/api/v1/settlements/{settlementId}/statements/{ags}.{format}", async Task<IResult> (string settlementId, string ags, string format, string? seller,
                ClaimsPrincipal p, SettlementService settlements, CancellationToken ct) =>
            {
                var s = await settlements.GetAsync(Actor.From(p)!, settlementId, ct);
                var statement = s.Statements.FirstOrDefault(x => x.MunicipalityAgs == ags);
                if (statement is null) return Problems.NotFound($"Die Kommune '{ags}' ist nicht Mitglied dieser Abrechnung.");
                var baseName = $"{s.Number}-{ags}";
                switch (format)
                {
                    case "pdf":
                        return TypedResults.File(SettlementPdf.Write(s, ags), "application/pdf", baseName + ".pdf");
                    case "csv":
                        return TypedResults.File(SettlementCsv.Bytes(s, ags), "text/csv; charset=utf-8", baseName + ".csv");
                    case "xml":
                        // An invoice goes from a net receiver to a net payer; with several receivers, ?seller= picks one (default: the largest).
                        var invoices = s.Invoices.Where(i => i.PayerAgs == ags).ToList();
                        if (invoices.Count == 0) return Problems.NotFound($"Die Kommune '{ags}' zahlt in dieser Abrechnung nichts: es gibt keine Rechnung an sie.");
                        var invoice = seller is null ? invoices[0] : invoices.FirstOrDefault(i => i.ReceiverAgs == seller);
                        if (invoice is null) return Problems.NotFound($"'{ags}' erhält keine Rechnung von '{seller}'.");
                        // Only the documents of the settlement that stands are handed out: a replaced invoice must not be paid twice.
                        if (s.SupersededBySettlementId is { } standing)
                            return TypedResults.Problem(statusCode: 409, title: "Rechnung ersetzt", type: Problems.TypeFor(409),
                                detail: $"Die Abrechnung {s.Number} wurde durch die Korrekturabrechnung {s.SupersededByNumber} ersetzt; maßgeblich ist deren korrigierte Rechnung.",
                                extensions: new Dictionary<string, object?> { ["rule"] = "InvoiceReplaced", ["standingSettlementId"] = standing });
                        try
                        {
                            var xml = SettlementXRechnung.Write(s, invoice, s.IssueDate);
                            return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(xml), "application/xml", $"{baseName}-{invoice.ReceiverAgs}.xml");
                        }
                        catch (InvalidOperationException missing)
                        {
                            return TypedResults.Problem(statusCode: 422, title: "Rechnungsdaten unvollständig", detail: missing.Message, type: Problems.TypeFor(422));
                        }
                    default:
                        return Problems.NotFound("Abrechnungen gibt es als .pdf, .csv und (für zahlende Kommunen) als XRechnung .xml.");
                }
            })
            .RequireAuthorization(CoordinatorPolicy).WithTags("Kostenausgleich").WithName("GetStatement")
            .WithSummary("A member's statement as PDF or CSV, and for a net payer the XRechnung 3.0 (UBL) invoice from the net receiver (?seller= chooses when there are several): " +
                         "380, or in a correction 384 referencing the replaced invoice. 409 for a settlement replaced by a correction, 422 naming missing invoicing data.");

        return app;
    }

    public static SettlementResponse Response(SettlementView s) =>
        new(s.Provisional ? null : s.Id, s.Provisional ? null : s.Number, s.Period, s.Provisional, s.CorrectsSettlementId, s.SupersededBySettlementId,
            s.Statements.Select(x => new StatementBalance(x.MunicipalityAgs, x.Balance)).ToList(),
            s.Invoices.Select(i => new InvoiceResponse(i.Number, i.PayerAgs, i.ReceiverAgs, i.TypeCode, i.Amount, i.ReplacesNumber, i.ReplacesIssueDate)).ToList());

    private static ValidationException Missing(string field, string message) => new(new ValidationErrors { { field, [message] } });

    private static async Task<IResult> Step(long id, ClaimsPrincipal p, AgreementService agreements, Func<Task> step, CancellationToken ct)
    {
        await step();
        var a = await agreements.GetAsync(Actor.From(p)!, id, ct);
        return TypedResults.Ok(new ConsentResponse(a.Id, a.Status, a.StatusLabel));
    }
}
