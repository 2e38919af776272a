using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Backoffice.Cases;
using OpenIkz.Backoffice.Intake;
using OpenIkz.Directory.Services;
using OpenIkz.Backoffice.Work;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backoffice;

public sealed record SubmitResponse(string CaseId, string Reference);
public sealed record ClaimRequest(string? Service);
public sealed record DecisionRequest(string? Outcome, string? Reason);
public sealed record DocumentRequestRequest(DateOnly? Until, string? Message);
public sealed record NoteRequest(string? Text);
public sealed record AddDocumentRequest(string? DocumentType, string? FileName, string? ContentType, string? ContentBase64);
public sealed record AssignmentRequest(long? UserId);
public sealed record AbsenceRequest(long? UserId, DateOnly? From, DateOnly? To);
public sealed record AbsenceChangeRequest(DateOnly? From, DateOnly? To);

/// <summary>The answer to a document request: the letter's document id, whether the applicant gave an e-mail address and whether the e-mail was sent.</summary>
public sealed record DocumentRequestResponse(string LetterDocumentId, bool ApplicantHasEmail, bool EmailSent);
/// <summary>valid: the chain and every unsealed entry check out; oldestUnsealedAt: the oldest entry still waiting for its seal; sealerBehind: it waits longer than a minute (the sealer is not running).</summary>
public sealed record AuditVerifyResponse(bool Valid, long Entries, long Sealed, long Unsealed, DateTime? OldestUnsealedAt, bool SealerBehind);

public static class BackofficePolicies
{
    public const string Clerk = "Clerk";
    public const string TeamLead = "TeamLead";
    public const string Intake = "Intake";
}

public static class BackofficeApi
{
    public static IEndpointRouteBuilder MapBackofficeApi(this IEndpointRouteBuilder app)
    {
        var services = app.MapGroup("/api/v1/services").WithTags("Leistungen").AllowAnonymous();
        services.MapGet("/", () => TypedResults.Ok(ServiceCatalog.All)).WithName("ListServices")
            .WithSummary("The service catalogue: LeiKa keys, form fields, document types, case groups, processing and retention times.");
        services.MapGet("/{slug}", Results<Ok<ServiceDefinition>, ProblemHttpResult> (string slug) =>
                ServiceCatalog.Find(slug) is { } s ? TypedResults.Ok(s) : Problems.NotFound($"Die Leistung '{slug}' gibt es nicht."))
            .WithName("GetService");

        app.MapPost("/api/v1/applications", async Task<Results<Created<SubmitResponse>, ProblemHttpResult>> (
                HttpRequest request, ClaimsPrincipal principal, SubmitApplication submit, CancellationToken ct) =>
            {
                var key = request.Headers["Idempotency-Key"].ToString();
                if (string.IsNullOrWhiteSpace(key) || key.Length > 200)
                    return TypedResults.Problem(statusCode: 400, title: "Idempotency-Key fehlt", type: Problems.TypeFor(400),
                        detail: "Jeder Antrag braucht einen Kopf 'Idempotency-Key' (höchstens 200 Zeichen), damit eine Wiederholung keinen zweiten Vorgang anlegt.");
                if (!(request.ContentType ?? "").StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
                    return TypedResults.Problem(statusCode: 415, title: Problems.TitleFor(415), detail: Problems.DetailFor(415, request.HttpContext), type: Problems.TypeFor(415));
                var result = await submit.HandleAsync(Actor.From(principal)!, key.Trim(), await OpenIkz.Infrastructure.Http.BufferedBody.Of(request, ct), ct);
                return TypedResults.Created($"/api/v1/cases/{result.CaseId}", new SubmitResponse(result.CaseId, result.Reference));
            })
            .RequireAuthorization(BackofficePolicies.Intake).RequireRateLimiting(OpenIkz.Infrastructure.Http.RateLimitPolicies.ApiClient).WithTags("Antragseingang").WithName("SubmitApplication")
            .WithSummary("An online application of the responsible municipality (API client with scope 'intake'). Needs the header Idempotency-Key: the same key with the same body returns the same case, with another body 409.")
            .Accepts<JsonElement>("application/json").ProducesValidationProblem().ProducesProblem(403).ProducesProblem(409).ProducesProblem(413);

        var work = app.MapGroup("/api/v1").WithTags("Sachbearbeitung").RequireAuthorization(BackofficePolicies.Clerk);

        work.MapPost("/work/claim", async Task<Results<Ok<CaseDetails>, NoContent>> (ClaimRequest request, ClaimsPrincipal p, ClaimNextCase claim, CancellationToken ct) =>
                await claim.HandleAsync(Actor.From(p)!, request.Service ?? "", ct) is { } claimed ? TypedResults.Ok(claimed) : TypedResults.NoContent())
            .WithName("ClaimNextCase").WithSummary("Gives the caller the most urgent eligible unassigned case of the service (overdue first, then earliest due date, then oldest), or 204.");

        work.MapGet("/work/mine", async (ClaimsPrincipal p, MyCases mine, CancellationToken ct) => TypedResults.Ok(await mine.HandleAsync(Actor.From(p)!, ct)))
            .WithName("MyCases");

        work.MapGet("/cases/{id}", async (string id, ClaimsPrincipal p, GetCase get, CancellationToken ct) => TypedResults.Ok(await get.HandleAsync(Actor.From(p)!, id, ct)))
            .WithName("GetCase").WithSummary("The case file: application data, completeness, documents, notes, history. 404 when the caller may not see it.")
            .ProducesProblem(404);

        work.MapGet("/cases/{id}/history", async (string id, ClaimsPrincipal p, GetCaseHistory history, CancellationToken ct) => TypedResults.Ok(await history.HandleAsync(Actor.From(p)!, id, ct)))
            .WithName("GetCaseHistory").ProducesProblem(404);

        work.MapGet("/cases/{id}/documents/{documentId}", async (string id, string documentId, ClaimsPrincipal p, OpenDocument open, CancellationToken ct) =>
            {
                var (document, content) = await open.HandleAsync(Actor.From(p)!, id, documentId, ct);
                return TypedResults.Stream(content, document.ContentType, document.FileName);
            })
            .WithName("DownloadDocument").ProducesProblem(404);

        work.MapPost("/cases/{id}/documents", async Task<Created<object>> (string id, AddDocumentRequest request, ClaimsPrincipal p, AddDocument add, CancellationToken ct) =>
            {
                byte[] content;
                try { content = Convert.FromBase64String(request.ContentBase64 ?? ""); }
                catch (FormatException) { throw new ValidationException(new ValidationErrors { { "contentBase64", ["Der Inhalt ist kein gültiges Base64."] } }); }
                var docId = await add.HandleAsync(Actor.From(p)!, id, request.DocumentType ?? "", request.FileName, request.ContentType, content, ct);
                return TypedResults.Created($"/api/v1/cases/{id}/documents/{docId}", (object)new { documentId = docId });
            })
            .WithName("AddDocument").ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);

        work.MapPost("/cases/{id}/release", async (string id, ClaimsPrincipal p, ReleaseCase release, CancellationToken ct) =>
            {
                await release.HandleAsync(Actor.From(p)!, id, ct);
                return TypedResults.NoContent();
            }).WithName("ReleaseCase").WithSummary("Back to the pool.").ProducesProblem(404).ProducesProblem(409);

        work.MapPost("/cases/{id}/document-request", async (string id, DocumentRequestRequest request, ClaimsPrincipal p, RequestDocuments requestDocuments, CancellationToken ct) =>
            {
                if (request.Until is null) throw new ValidationException(new ValidationErrors { { "until", ["Bitte eine Frist angeben (JJJJ-MM-TT)."] } });
                var result = await requestDocuments.HandleAsync(Actor.From(p)!, id, request.Until.Value, request.Message ?? "", ct);
                // What was done, as the page says it: the letter in the e-file, and whether an e-mail went out (or, without an address, goes by post).
                return TypedResults.Ok(new DocumentRequestResponse(result.DocumentId, result.HasEmail, result.Mailed || result.ToFolder));
            }).WithName("RequestDocuments")
            .WithSummary("Asks the applicant for documents: the case waits until the given date; the letter goes into the e-file and, with an e-mail address, to the applicant.")
            .ProducesProblem(404).ProducesProblem(409);

        work.MapPost("/cases/{id}/resume", async (string id, ClaimsPrincipal p, ResumeCase resume, CancellationToken ct) =>
            {
                await resume.HandleAsync(Actor.From(p)!, id, ct);
                return TypedResults.NoContent();
            }).WithName("ResumeCase").ProducesProblem(404).ProducesProblem(409);

        work.MapPost("/cases/{id}/notes", async (string id, NoteRequest request, ClaimsPrincipal p, AddNote addNote, CancellationToken ct) =>
                TypedResults.Created($"/api/v1/cases/{id}", new { noteId = await addNote.HandleAsync(Actor.From(p)!, id, request.Text ?? "", ct) }))
            .WithName("AddNote").ProducesValidationProblem().ProducesProblem(404);

        work.MapPost("/cases/{id}/decision", async (string id, DecisionRequest request, ClaimsPrincipal p, DecideCase decide, CancellationToken ct) =>
                TypedResults.Ok(await decide.HandleAsync(Actor.From(p)!, id, request.Outcome ?? "", request.Reason, ct)))
            .WithName("DecideCase").WithSummary("Decides the case ('granted' needs a complete file, 'rejected' a reason); the Bescheid PDF is issued in the owner's name and stored in the file.")
            .ProducesProblem(404).ProducesProblem(409);

        work.MapGet("/archive", async (string? q, ClaimsPrincipal p, SearchArchive search, CancellationToken ct) => TypedResults.Ok(await search.HandleAsync(Actor.From(p)!, q ?? "", ct)))
            .WithName("SearchArchive").WithSummary("Closed cases of the cooperation area the caller may see, by exact reference or the beginning of the applicant's family name.");

        var lead = app.MapGroup("/api/v1").WithTags("Teamleitung").RequireAuthorization(BackofficePolicies.TeamLead);

        lead.MapPost("/cases/{id}/assignment", async (string id, AssignmentRequest request, ClaimsPrincipal p, ReassignCase reassign, CancellationToken ct) =>
            {
                await reassign.HandleAsync(Actor.From(p)!, id, request.UserId, ct);
                return TypedResults.NoContent();
            }).WithName("ReassignCase").WithSummary("Assigns the case to another clerk who may process it, or back to the pool (userId null).").ProducesProblem(404);

        lead.MapPost("/absences", async (AbsenceRequest request, ClaimsPrincipal p, Absences absences, CancellationToken ct) =>
            {
                var errors = new ValidationErrors();
                if (request.UserId is null) errors.Add("userId", "Bitte die abwesende Person angeben.");
                if (request.From is null) errors.Add("from", "Bitte den ersten Tag angeben.");
                if (request.To is null) errors.Add("to", "Bitte den letzten Tag angeben.");
                if (errors.Count > 0) throw new ValidationException(errors);
                var result = await absences.MarkAbsentAsync(Actor.From(p)!, request.UserId!.Value, request.From!.Value, request.To!.Value, ct);
                return TypedResults.Created($"/api/v1/absences/{result.AbsenceId}", result);
            }).WithName("MarkAbsent").WithSummary("Marks a clerk of the lead's municipality absent; from its first day the clerk's open cases return to the pool.");

        lead.MapGet("/absences", async (ClaimsPrincipal p, Absences absences, CancellationToken ct) => TypedResults.Ok(await absences.ListAsync(Actor.From(p)!, ct)))
            .WithName("ListAbsences").WithSummary("The absences of the lead's municipality that have not ended, soonest first.");

        lead.MapPut("/absences/{id:long}", async (long id, AbsenceChangeRequest request, ClaimsPrincipal p, Absences absences, CancellationToken ct) =>
            {
                var errors = new ValidationErrors();
                if (request.From is null) errors.Add("from", "Bitte den ersten Tag angeben.");
                if (request.To is null) errors.Add("to", "Bitte den letzten Tag angeben.");
                if (errors.Count > 0) throw new ValidationException(errors);
                return TypedResults.Ok(await absences.UpdateAsync(Actor.From(p)!, id, request.From!.Value, request.To!.Value, ct));
            }).WithName("ChangeAbsence").WithSummary("Changes the days of an absence that has not ended; from its first day the clerk's open cases return to the pool.").ProducesProblem(404);

        lead.MapDelete("/absences/{id:long}", async (long id, ClaimsPrincipal p, Absences absences, CancellationToken ct) =>
            {
                await absences.CancelAsync(Actor.From(p)!, id, ct);
                return TypedResults.NoContent();
            }).WithName("CancelAbsence").WithSummary("Cancels an absence that has not ended; the clerk can claim again at once.").ProducesProblem(404);

        lead.MapGet("/team/figures", async (ClaimsPrincipal p, TeamFigures figures, CancellationToken ct) =>
                TypedResults.Ok(await figures.HandleAsync(Actor.From(p)!, ct)))
            .WithName("TeamFigures").WithSummary("The team lead's start page as data: the pool, the decisions per week over 12 weeks with processing and lead time (p50/p90, working days), the workload per clerk and the absences.");

        lead.MapGet("/pool", async (ClaimsPrincipal p, PoolOverview pool, TimeProvider clock, CancellationToken ct) =>
                TypedResults.Ok((await pool.HandleAsync(Actor.From(p)!, ct)).Select(r => new
                {
                    r.Service, r.OwnerAgs, r.OwnerName, r.Open, r.Unassigned, r.Overdue, r.UnassignedOverdue, r.OldestReceivedAt,
                    oldestAgeDays = r.OldestAgeDays(clock.GetUtcNow().UtcDateTime),
                })))
            .WithName("PoolOverview").WithSummary("Per service and partner: open, unassigned, overdue cases and the age of the oldest.");

        app.MapGet("/api/v1/audit/verify", async (Db db, TimeProvider clock, CancellationToken ct) =>
            {
                var result = await AuditLog.VerifyAsync(db, ct);
                return TypedResults.Ok(new AuditVerifyResponse(result.Valid, result.Entries, result.Sealed, result.Unsealed, result.OldestUnsealedAt,
                    result.SealerBehind(clock.GetUtcNow().UtcDateTime)));
            })
            .RequireAuthorization(Directory.DirectoryPolicies.Administration).WithTags("Audit").WithName("VerifyAudit")
            .WithSummary("Recomputes the hash chain of the audit log and checks the entries not yet sealed into it: valid is false when any entry was changed, or a sealed one deleted or reordered.");

        app.MapGet("/api/v1/audit", async (ClaimsPrincipal p, AuditLogQueries log, string? person, string? action, string? municipality, string? from, string? to,
                string? page, string? pageSize, CancellationToken ct) =>
            {
                var filter = AuditLogQueries.Parse(person, action, municipality, from, to, page, pageSize);
                var result = await log.SearchAsync(Actor.From(p)!.Ags, filter, ct);
                return TypedResults.Ok(new
                {
                    items = result.Items.Select(r => new
                    {
                        r.Seq, r.At, actor = r.ActorName, actorAgs = r.ActorAgs, ownerAgs = r.OwnerAgs, agreementId = r.AgreementId,
                        caseId = r.CaseId, caseReference = r.CaseReference, action = r.Action, actionLabel = AuditLogQueries.Label(r.Action), detail = r.Detail,
                    }),
                    total = result.Total, page = result.Page, pageSize = result.PageSize,
                });
            })
            .RequireAuthorization(Directory.DirectoryPolicies.Administration).WithTags("Audit").WithName("SearchAudit")
            .WithSummary("The audit entries of the caller's municipality: what its people did and what anyone did with its cases, newest first, paged.");

        return app;
    }

    public static void AddBackofficePolicies(this Microsoft.AspNetCore.Authorization.AuthorizationBuilder builder) => builder
        .AddPolicy(BackofficePolicies.Clerk, p => p.RequireClaim(OpenIkzClaims.UserId).RequireRole(Roles.Sachbearbeitung, Roles.Teamleitung))
        .AddPolicy(BackofficePolicies.TeamLead, p => p.RequireClaim(OpenIkzClaims.UserId).RequireRole(Roles.Teamleitung))
        .AddPolicy(BackofficePolicies.Intake, p => p.RequireClaim(OpenIkzClaims.ClientId).RequireClaim(OpenIkzClaims.Scope, "intake"));
}
