using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Backoffice;
using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Cases;
using OpenIkz.Backoffice.Intake;
using OpenIkz.Directory.Services;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Pages.Vorgaenge;

/// <summary>
/// The case page: the whole file (applicant, form, documents, notes, history) and the actions the clerk may
/// take on it. Every read and change goes through the back office's use cases, which apply the access rule: a case
/// the user may not see is "not found" (404), never "forbidden".
/// </summary>
[Authorize(Policy = BackofficePolicies.Clerk)]
public sealed class DetailModel(GetCase getCase, ClaimedCaseHandoff handoff, Db db, TimeProvider clock) : FormPageModel
{
    // Field ids of the forms on the page; errors are keyed by them.
    public const string UntilId = "anforderung-frist", MessageId = "anforderung-text", NoteId = "vermerk-text",
        DocumentTypeId = "dokument-art", FileId = "dokument-datei", OutcomeId = "entscheidung-bewilligt", ReasonId = "entscheidung-begruendung";

    public CaseDetails Case { get; private set; } = null!;
    public Actor Actor { get; private set; } = null!;
    public string? AgreementTitle { get; private set; }
    public IReadOnlyDictionary<string, string> MunicipalityNames { get; private set; } = new Dictionary<string, string>();
    public DateOnly Today { get; private set; }

    [TempData] public string? Message { get; set; }
    [TempData] public string? Decided { get; set; }

    [BindProperty] public string? Until { get; set; }
    [BindProperty] public string? RequestText { get; set; }
    [BindProperty] public string? NoteText { get; set; }
    [BindProperty] public string? DocumentType { get; set; }
    [BindProperty] public IFormFile? Upload { get; set; }
    [BindProperty] public string? Outcome { get; set; }
    [BindProperty] public string? Reason { get; set; }

    public bool IsForeign => Case.OwnerAgs != Actor.Ags;
    public bool IsClosed => Case.Status == CaseStatus.Closed;
    public bool IsMine => !IsClosed && Case.AssignedTo?.UserId is { } uid && uid == Actor.UserId;
    public bool CanRelease => IsMine;
    public bool CanRequestDocuments => IsMine && Case.Status == CaseStatus.Assigned;
    public bool CanResume => IsMine && Case.Status == CaseStatus.Waiting;
    public bool CanDecide => IsMine && Case.Status == CaseStatus.Assigned;
    public bool CanAddNote => !IsClosed;
    public bool CanAddDocument => !IsClosed;
    public DocumentDto? Bescheid => Case.Documents.LastOrDefault(d => d.DocumentType == "bescheid");

    public string MunicipalityName(string? ags) => ags is null ? "–" : MunicipalityNames.TryGetValue(ags, out var name) ? name : ags;

    public Task<IActionResult> OnGetAsync(string id, CancellationToken ct) => ShowAsync(id, ct);

    public Task<IActionResult> OnPostReleaseAsync(string id, [FromServices] ReleaseCase release, CancellationToken ct) =>
        ActAsync(id, a => release.HandleAsync(a, id, ct), "Der Vorgang wurde in den Pool zurückgegeben. Jede berechtigte Person kann ihn jetzt über den Arbeitskorb holen.", new(), ct,
            ask: _ =>
            {
                if (!CanRelease) throw new RuleException("CaseNotAssignedToYou", "Zurückgeben kann nur, wem der Vorgang zugewiesen ist.");
                return Task.FromResult(new Confirmation($"Vorgang {Case.Reference} in den Pool zurückgeben?",
                    [
                        "Der Vorgang ist Ihnen dann nicht mehr zugewiesen; jede berechtigte Person der beteiligten Kommunen kann ihn holen.",
                        "Ihre Vermerke und Dokumente bleiben in der Akte.",
                    ],
                    Url.Page("/Vorgaenge/Detail", "Release", new { id })!, [], "Ja, in den Pool zurückgeben", $"/Vorgaenge/{Uri.EscapeDataString(id)}"));
            });

    public Task<IActionResult> OnPostResumeAsync(string id, [FromServices] ResumeCase resume, CancellationToken ct) =>
        ActAsync(id, a => resume.HandleAsync(a, id, ct), "Die Bearbeitung wurde wieder aufgenommen.", new(), ct);

    public Task<IActionResult> OnPostRequestDocumentsAsync(string id, [FromServices] RequestDocuments requestDocuments, CancellationToken ct)
    {
        var until = ParseDate(Until);
        if (until is null) AddError(UntilId, "Bitte geben Sie eine Frist als Datum an.");
        if (string.IsNullOrWhiteSpace(RequestText)) AddError(MessageId, "Bitte geben Sie an, welche Unterlagen fehlen.");
        DocumentRequestResult? result = null;
        return ActAsync(id, async a => result = await requestDocuments.HandleAsync(a, id, until!.Value, RequestText ?? "", ct),
            () => $"Die Unterlagen wurden angefordert. Der Vorgang wartet bis {(until is { } u ? BackofficeUi.Date(u) : "")}. " + result switch
            {
                { Mailed: true, ToFolder: true } => "Das Schreiben liegt in der E-Akte; die E-Mail an die antragstellende Person wurde im Demobetrieb in den Mail-Ordner geschrieben.",
                { Mailed: true } => "Das Schreiben liegt in der E-Akte und ging per E-Mail an die antragstellende Person.",
                { HasEmail: true } => "Das Schreiben liegt in der E-Akte. Die E-Mail konnte nicht gesendet werden: bitte senden Sie das Schreiben per Post.",
                _ => "Das Schreiben liegt in der E-Akte. Es ist keine E-Mail-Adresse angegeben: bitte senden Sie es per Post.",
            },
            new() { ["until"] = UntilId, ["message"] = MessageId, ["DueDateInPast"] = UntilId, ["DueDateTooFar"] = UntilId }, ct);
    }

    public Task<IActionResult> OnPostNoteAsync(string id, [FromServices] AddNote addNote, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(NoteText)) AddError(NoteId, "Bitte geben Sie einen Vermerk ein.");
        return ActAsync(id, a => addNote.HandleAsync(a, id, NoteText ?? "", ct), "Der Vermerk wurde hinzugefügt.", new() { ["text"] = NoteId }, ct);
    }

    public async Task<IActionResult> OnPostDocumentAsync(string id, [FromServices] AddDocument addDocument, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(DocumentType)) AddError(DocumentTypeId, "Bitte wählen Sie die Dokumentart.");
        if (Upload is null || Upload.Length == 0) AddError(FileId, "Bitte wählen Sie eine Datei aus. Leere Dateien werden nicht angenommen.");
        else if (Upload.Length > BackofficeUi.MaxUploadBytes) AddError(FileId, $"Eine Datei darf höchstens {BackofficeUi.MaxUploadBytes / (1024 * 1024)} MB groß sein.");
        byte[] content = [];
        if (Errors.Count == 0)
        {
            using var buffer = new MemoryStream((int)Upload!.Length);
            await Upload.CopyToAsync(buffer, ct);
            content = buffer.ToArray();
        }
        // The content type is determined from the content itself; what the browser claims is not trusted.
        return await ActAsync(id, a => addDocument.HandleAsync(a, id, DocumentType ?? "", Upload?.FileName, null, content, ct),
            $"Das Dokument „{Path.GetFileName(Upload?.FileName ?? "")}“ wurde der Akte hinzugefügt.",
            new() { ["documentType"] = DocumentTypeId, ["fileName"] = FileId, ["content"] = FileId, ["contentType"] = FileId }, ct);
    }

    public Task<IActionResult> OnPostDecideAsync(string id, [FromServices] DecideCase decide, CancellationToken ct)
    {
        if (Outcome is not (Outcomes.Granted or Outcomes.Rejected)) AddError(OutcomeId, "Bitte wählen Sie, ob der Antrag bewilligt oder abgelehnt wird.");
        else if (Outcome == Outcomes.Rejected && string.IsNullOrWhiteSpace(Reason)) AddError(ReasonId, "Eine Ablehnung muss begründet werden. Bitte geben Sie eine Begründung ein.");
        var reason = string.IsNullOrWhiteSpace(Reason) ? null : Reason;
        return ActAsync(id, async a =>
            {
                // The service of the decided case: the success message offers the next case of the same service.
                Decided = (await decide.HandleAsync(a, id, Outcome!, reason, ct)).Service;
            },
            $"Der Antrag wurde {Outcomes.Label(Outcome)}. Der Bescheid wurde im Namen der zuständigen Kommune erstellt und zur Akte genommen.",
            new() { ["reason"] = ReasonId, ["outcome"] = OutcomeId, ["ReasonRequired"] = ReasonId, ["IncompleteFile"] = OutcomeId, ["UnknownOutcome"] = OutcomeId }, ct,
            ask: async a =>
            {
                var letter = await decide.PreviewAsync(a, id, Outcome!, reason, ct);
                return new Confirmation($"Bescheid prüfen: Antrag {Outcomes.Label(Outcome)}",
                    [
                        $"So wird der Bescheid im Namen der zuständigen Kommune ({Case.OwnerName}) erlassen und zur Akte genommen. Danach ist der Vorgang abgeschlossen; die Entscheidung lässt sich hier nicht mehr ändern.",
                    ],
                    Url.Page("/Vorgaenge/Detail", "Decide", new { id })!, [new("Outcome", Outcome), new("Reason", Reason)], "Bescheid erlassen", $"/Vorgaenge/{Uri.EscapeDataString(id)}#entscheiden-titel")
                { Letter = letter };
            });
    }

    /// <summary>Runs an action unless the form already has errors; on success back to the case page (post/redirect/get),
    /// otherwise the page again with the errors next to the fields (keys of <paramref name="fields"/>: error keys of the
    /// back office and rule names).</summary>
    /// <remarks>An action that cannot be undone passes <paramref name="ask"/>: unless the post carries <c>Confirmed</c>, the
    /// page is shown with the question it returns (built after the case is loaded, with the same refusals), and nothing
    /// changes.</remarks>
    private Task<IActionResult> ActAsync(string id, Func<Actor, Task> action, string success, Dictionary<string, string> fields, CancellationToken ct,
        Func<Actor, Task<Confirmation>>? ask = null) => ActAsync(id, action, () => success, fields, ct, ask);

    /// <summary>As above, with the success message built after the action (it may say what the action did).</summary>
    private async Task<IActionResult> ActAsync(string id, Func<Actor, Task> action, Func<string> success, Dictionary<string, string> fields, CancellationToken ct,
        Func<Actor, Task<Confirmation>>? ask = null)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        if (!ValidId(id)) return NotFound();
        IActionResult? shown = null;
        if (Errors.Count == 0)
        {
            try
            {
                if (ask is not null && !Confirmed)
                {
                    shown = await ShowAsync(id, ct);
                    if (shown is not PageResult) return shown;
                    Confirmation = await ask(actor);
                    return shown;
                }
                await action(actor);
                Message = success();
                return RedirectToPage(new { id });
            }
            catch (CaseNotFoundException)
            {
                return NotFound();
            }
            catch (ValidationException ex)
            {
                Absorb(ex, fields);
            }
            catch (PayloadTooLargeException ex)
            {
                AddError(fields.GetValueOrDefault(ex.Field, FileId), ex.Message);
            }
            catch (RuleException ex)
            {
                if (fields.TryGetValue(ex.Rule, out var fieldId)) AddError(fieldId, ex.Message);
                else RuleError = ex.Message;
            }
        }
        return shown ?? await ShowAsync(id, ct);
    }

    private async Task<IActionResult> ShowAsync(string id, CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        if (!ValidId(id)) return NotFound();
        Actor = actor;
        try
        {
            Case = handoff.Take(actor.UserId!.Value, id) ?? await getCase.HandleAsync(actor, id, ct);
        }
        catch (CaseNotFoundException)
        {
            return NotFound();
        }
        Today = BackofficeUi.Today(clock);
        if (Case.GrantingAgreementId is { } agreementId) AgreementTitle = await BackofficeLookups.AgreementTitleAsync(db, agreementId, ct);
        MunicipalityNames = await BackofficeLookups.MunicipalityNamesAsync(db,
            new[] { Case.OwnerAgs, Case.AssignedTo?.MunicipalityAgs, Case.Decision?.ProcessorAgs }
                .Concat(Case.Notes.Select(n => n.Author.MunicipalityAgs))
                .Concat(Case.History.Select(h => h.Actor.MunicipalityAgs)), ct);
        return Page();
    }

    private static bool ValidId(string? id) => !string.IsNullOrEmpty(id) && id.Length <= 64;

}
