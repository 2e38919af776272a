using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Backoffice;
using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Cases;
using OpenIkz.Backoffice.Work;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Pages.Pool;

/// <summary>The team lead's view of the shared pool (per service and partner), absences and reassignment.</summary>
[Authorize(Policy = BackofficePolicies.TeamLead)]
public sealed class IndexModel(PoolOverview poolOverview, PoolCases poolCases, ReassignCase reassign, GetCase getCase, Absences absences, UserAccounts users, Db db, TimeProvider clock) : FormPageModel
{
    public const string ListServiceId = "liste-leistung", ListOwnerId = "liste-kommune", ListStatusId = "liste-stand", ListOverdueId = "liste-ueberfaellig",
        ListClerkId = "liste-person", ListSortId = "liste-sortierung", BulkTargetId = "sammel-an", BulkCasesId = "sammel-vorgaenge";

    // The case list's filters, kept in the URL (and bound on the bulk form's post from its action's query).
    [BindProperty(SupportsGet = true, Name = "service")] public string? ListService { get; set; }
    [BindProperty(SupportsGet = true, Name = "partner")] public string? ListOwner { get; set; }
    [BindProperty(SupportsGet = true, Name = "stand")] public string? ListStatus { get; set; }
    [BindProperty(SupportsGet = true, Name = "ueberfaellig")] public string? ListOverdue { get; set; }
    [BindProperty(SupportsGet = true, Name = "person")] public string? ListClerk { get; set; }
    [BindProperty(SupportsGet = true, Name = "sortierung")] public string? ListSort { get; set; }
    [BindProperty(SupportsGet = true, Name = "seite")] public string? ListPage { get; set; }

    [BindProperty] public List<string> SelectedCases { get; set; } = [];
    [BindProperty] public string? BulkTarget { get; set; }
    [TempData] public string? BulkProblems { get; set; }

    public PoolCasePage? Cases { get; private set; }
    public int CasePageCount => Cases is null ? 0 : (int)Math.Max(1, (Cases.Total + Cases.PageSize - 1) / Cases.PageSize);

    /// <summary>The case list with the same filters on another page (or sorted otherwise).</summary>
    public string ListLink(int page, string? handler = null) => QueryLink.Build("/Pool",
        ("handler", handler), ("service", ListService), ("partner", ListOwner), ("stand", ListStatus), ("ueberfaellig", ListOverdue),
        ("person", ListClerk), ("sortierung", ListSort), ("seite", QueryLink.PageValue(page)));

    public const string PersonId = "abwesenheit-person", FromId = "abwesenheit-von", ToId = "abwesenheit-bis",
        CaseId = "zuweisung-vorgang", TargetId = "zuweisung-an", EditFromId = "abwesenheit-aendern-von", EditToId = "abwesenheit-aendern-bis";

    /// <summary>Value of the target select that sends the case back to the pool.</summary>
    public const string PoolTarget = "pool";

    public IReadOnlyList<PoolRow> Rows { get; private set; } = [];
    public IReadOnlyList<UserAccount> OwnStaff { get; private set; } = [];
    public IReadOnlyList<AssignableUser> Assignable { get; private set; } = [];

    /// <summary>The absences of the own municipality that have not ended.</summary>
    public IReadOnlyList<AbsenceEntry> OpenAbsences { get; private set; } = [];

    /// <summary>The absence whose change form is open (?aendern=ID).</summary>
    [BindProperty(SupportsGet = true, Name = "aendern")] public long? EditAbsenceId { get; set; }
    public AbsenceEntry? EditingAbsence => OpenAbsences.FirstOrDefault(a => a.Id == EditAbsenceId);
    [BindProperty] public string? EditFrom { get; set; }
    [BindProperty] public string? EditTo { get; set; }
    public DateTime NowUtc { get; private set; }
    public DateOnly Today { get; private set; }
    public string Ags { get; private set; } = "";

    [TempData] public string? Message { get; set; }
    /// <summary>Path of the case the message is about. (A bare id would come back from TempData as a Guid, not a string.)</summary>
    [TempData] public string? MessageCasePath { get; set; }

    [BindProperty] public long? AbsentUserId { get; set; }
    [BindProperty] public string? AbsentFrom { get; set; }
    [BindProperty] public string? AbsentTo { get; set; }
    [BindProperty] public string? CaseReference { get; set; }
    [BindProperty] public string? Target { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true, IsTeamLead: true } actor) return Forbid();
        await LoadAsync(actor, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAbsenceAsync(CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true, IsTeamLead: true } actor) return Forbid();
        var from = ParseDate(AbsentFrom);
        var to = ParseDate(AbsentTo);
        if (AbsentUserId is null) AddError(PersonId, "Bitte wählen Sie die abwesende Person.");
        if (from is null) AddError(FromId, "Bitte geben Sie den ersten Tag der Abwesenheit an.");
        if (to is null) AddError(ToId, "Bitte geben Sie den letzten Tag der Abwesenheit an.");
        if (Errors.Count == 0)
        {
            try
            {
                if (!Confirmed)
                {
                    // Recording an absence returns the clerk's open cases to the pool: the page says how many, and asks.
                    var preview = await absences.PreviewAsync(actor, AbsentUserId!.Value, from!.Value, to!.Value, ct);
                    var period = $"vom {BackofficeUi.Date(from.Value)} bis {BackofficeUi.Date(to.Value)}";
                    var cases = preview.OpenCases == 1 ? "1 offener Vorgang" : $"{preview.OpenCases} offene Vorgänge";
                    Confirmation = new Confirmation($"Abwesenheit von {preview.DisplayName} {period} eintragen?",
                        [
                            preview.OpenCases == 0 && preview.StartsNow
                                ? $"{preview.DisplayName} hat keinen offenen Vorgang; es geht kein Vorgang in den Pool zurück."
                                : preview.StartsNow
                                    ? $"{cases} von {preview.DisplayName} {(preview.OpenCases == 1 ? "geht" : "gehen")} sofort in den Pool zurück und {(preview.OpenCases == 1 ? "kann" : "können")} von den Partnern bearbeitet werden."
                                    : $"Am {BackofficeUi.Date(from.Value)} gehen die dann offenen Vorgänge von {preview.DisplayName} in den Pool zurück (heute: {cases}).",
                            $"Während der Abwesenheit kann {preview.DisplayName} keine Vorgänge holen.",
                        ],
                        Url.Page("/Pool/Index", "Absence")!,
                        [new("AbsentUserId", AbsentUserId.Value.ToString(CultureInfo.InvariantCulture)), new("AbsentFrom", from.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                         new("AbsentTo", to.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))],
                        "Ja, Abwesenheit eintragen", "/Pool#abwesenheit");
                    await LoadAsync(actor, ct);
                    return Page();
                }
                var result = await absences.MarkAbsentAsync(actor, AbsentUserId!.Value, from!.Value, to!.Value, ct);
                var person = await users.FindAsync(AbsentUserId.Value, ct);
                var returned = result.CasesReturned switch
                {
                    0 => "Es wurde kein Vorgang in den Pool zurückgegeben.",
                    1 => "1 Vorgang wurde in den Pool zurückgegeben.",
                    var n => $"{n} Vorgänge wurden in den Pool zurückgegeben.",
                };
                Message = $"Die Abwesenheit von {person?.DisplayName ?? "der Person"} vom {BackofficeUi.Date(from.Value)} bis {BackofficeUi.Date(to.Value)} ist eingetragen. {returned}";
                return RedirectToPage();
            }
            catch (ValidationException ex)
            {
                foreach (var (key, messages) in ex.Errors)
                    foreach (var message in messages)
                        AddError(key switch { "from" => FromId, "to" => ToId, _ => PersonId }, message);
            }
            catch (RuleException ex)
            {
                RuleError = ex.Message;
            }
        }
        await LoadAsync(actor, ct);
        return Page();
    }

    /// <summary>Changes the days of an absence; when the change returns open cases to the pool now, it says how many and asks first.</summary>
    public async Task<IActionResult> OnPostUpdateAbsenceAsync(long id, CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true, IsTeamLead: true } actor) return Forbid();
        EditAbsenceId = id;
        await LoadAsync(actor, ct);
        if (EditingAbsence is not { } absence) return NotFound();
        var from = ParseDate(EditFrom);
        var to = ParseDate(EditTo);
        if (from is null) AddError(EditFromId, "Bitte geben Sie den ersten Tag der Abwesenheit an.");
        if (to is null) AddError(EditToId, "Bitte geben Sie den letzten Tag der Abwesenheit an.");
        if (Errors.Count > 0) return Page();
        try
        {
            if (!Confirmed)
            {
                var preview = await absences.PreviewAsync(actor, absence.UserId, from!.Value, to!.Value, ct);
                if (preview.StartsNow && preview.OpenCases > 0)
                {
                    Confirmation = new Confirmation($"Abwesenheit von {absence.DisplayName} auf {BackofficeUi.Date(from.Value)} bis {BackofficeUi.Date(to.Value)} ändern?",
                        [$"{(preview.OpenCases == 1 ? "1 offener Vorgang geht" : $"{preview.OpenCases} offene Vorgänge gehen")} von {absence.DisplayName} dann sofort in den Pool zurück."],
                        Url.Page("/Pool/Index", "UpdateAbsence", new { id })!,
                        [new("EditFrom", from.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), new("EditTo", to.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))],
                        "Ja, ändern", $"/Pool?aendern={id}#abwesenheiten");
                    return Page();
                }
            }
            var result = await absences.UpdateAsync(actor, id, from!.Value, to!.Value, ct);
            Message = $"Die Abwesenheit von {absence.DisplayName} gilt jetzt vom {BackofficeUi.Date(from.Value)} bis {BackofficeUi.Date(to.Value)}."
                + (result.CasesReturned switch { 0 => "", 1 => " 1 Vorgang wurde in den Pool zurückgegeben.", var n => $" {n} Vorgänge wurden in den Pool zurückgegeben." });
            return Redirect("/Pool#abwesenheiten");
        }
        catch (AbsenceNotFoundException)
        {
            return NotFound();
        }
        catch (ValidationException ex)
        {
            foreach (var (key, messages) in ex.Errors)
                foreach (var message in messages)
                    AddError(key == "from" ? EditFromId : EditToId, message);
        }
        return Page();
    }

    /// <summary>Cancels an absence after asking: the person can claim again at once; cases already returned stay in the pool.</summary>
    public async Task<IActionResult> OnPostCancelAbsenceAsync(long id, CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true, IsTeamLead: true } actor) return Forbid();
        await LoadAsync(actor, ct);
        if (OpenAbsences.FirstOrDefault(a => a.Id == id) is not { } absence) return NotFound();
        if (!Confirmed)
        {
            Confirmation = new Confirmation($"Abwesenheit von {absence.DisplayName} ({BackofficeUi.Date(absence.From)} bis {BackofficeUi.Date(absence.To)}) aufheben?",
                [
                    $"{absence.DisplayName} kann danach sofort wieder Vorgänge holen.",
                    "Vorgänge, die wegen der Abwesenheit in den Pool zurückgegangen sind, bleiben im Pool; weisen Sie sie bei Bedarf wieder zu.",
                ],
                Url.Page("/Pool/Index", "CancelAbsence", new { id })!, [], "Ja, aufheben", "/Pool#abwesenheiten");
            return Page();
        }
        try
        {
            await absences.CancelAsync(actor, id, ct);
        }
        catch (AbsenceNotFoundException)
        {
            return NotFound();
        }
        Message = $"Die Abwesenheit von {absence.DisplayName} ist aufgehoben.";
        return Redirect("/Pool#abwesenheiten");
    }

    public async Task<IActionResult> OnPostAssignAsync(CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true, IsTeamLead: true } actor) return Forbid();
        long? targetUser = null;
        if (string.IsNullOrWhiteSpace(CaseReference)) AddError(CaseId, "Bitte geben Sie das Aktenzeichen oder die Vorgangsnummer an.");
        if (string.IsNullOrEmpty(Target)) AddError(TargetId, "Bitte wählen Sie, wem der Vorgang zugewiesen wird.");
        else if (Target != PoolTarget)
        {
            if (long.TryParse(Target, NumberStyles.None, CultureInfo.InvariantCulture, out var uid)) targetUser = uid;
            else AddError(TargetId, "Bitte wählen Sie eine Person aus der Liste.");
        }
        if (Errors.Count == 0)
        {
            var caseId = await BackofficeLookups.ResolveCaseAsync(db, CaseReference!, ct);
            try
            {
                if (caseId is null) throw new CaseNotFoundException();
                await reassign.HandleAsync(actor, caseId, targetUser, ct);
                var details = await getCase.HandleAsync(actor, caseId, ct);
                Message = targetUser is null
                    ? $"Der Vorgang {details.Reference} liegt wieder im Pool."
                    : $"Der Vorgang {details.Reference} ist jetzt {details.AssignedTo?.Name ?? "der gewählten Person"} zugewiesen.";
                MessageCasePath = "/Vorgaenge/" + caseId;
                return RedirectToPage();
            }
            catch (CaseNotFoundException)
            {
                AddError(CaseId, "Es gibt keinen offenen Vorgang mit diesem Aktenzeichen, den Sie sehen dürfen.");
            }
            catch (ValidationException ex)
            {
                foreach (var message in ex.Errors.Values.SelectMany(m => m)) AddError(TargetId, message);
            }
            catch (RuleException ex) when (ex.Rule == "ClerkIsAbsent")
            {
                AddError(TargetId, ex.Message);
            }
            catch (RuleException ex) when (ex.Rule is "CaseIsClosed" or "AssignedToOtherMunicipality")
            {
                AddError(CaseId, ex.Message);
            }
            catch (RuleException ex)
            {
                RuleError = ex.Message;
            }
        }
        await LoadAsync(actor, ct);
        return Page();
    }

    /// <summary>Gives the ticked cases to one person (or back to the pool), each on its own: what could not be given is named with the reason.</summary>
    public async Task<IActionResult> OnPostAssignManyAsync(CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true, IsTeamLead: true } actor) return Forbid();
        long? target = null;
        if (SelectedCases.Count == 0) AddError(BulkCasesId, "Bitte wählen Sie mindestens einen Vorgang aus der Liste.");
        if (SelectedCases.Count > PoolCases.PageSize) AddError(BulkCasesId, $"Bitte wählen Sie höchstens {PoolCases.PageSize} Vorgänge auf einmal.");
        if (string.IsNullOrEmpty(BulkTarget)) AddError(BulkTargetId, "Bitte wählen Sie, wem die Vorgänge zugewiesen werden.");
        else if (BulkTarget != PoolTarget)
        {
            if (long.TryParse(BulkTarget, NumberStyles.None, CultureInfo.InvariantCulture, out var uid)) target = uid;
            else AddError(BulkTargetId, "Bitte wählen Sie eine Person aus der Liste.");
        }
        if (Errors.Count > 0)
        {
            await LoadAsync(actor, ct);
            return Page();
        }
        var done = 0;
        var problems = new List<string>();
        // The references for the messages in one scoped query (reading each case would audit a read per case).
        var references = await poolCases.ReferencesAsync(actor, SelectedCases, ct);
        foreach (var caseId in SelectedCases.Distinct())
        {
            var reference = references.GetValueOrDefault(caseId, "Ein Vorgang");
            try
            {
                await reassign.HandleAsync(actor, caseId, target, ct);
                done++;
            }
            catch (CaseNotFoundException)
            {
                problems.Add($"{reference}: nicht gefunden.");
            }
            catch (ValidationException ex)
            {
                problems.Add($"{reference}: {string.Join(" ", ex.Errors.Values.SelectMany(m => m))}");
            }
            catch (RuleException ex)
            {
                problems.Add($"{reference}: {ex.Message}");
            }
        }
        var name = target is null ? null : (await users.FindAsync(target.Value, ct))?.DisplayName;
        Message = (done, target) switch
        {
            (0, _) => "Es wurde kein Vorgang zugewiesen.",
            (1, null) => "1 Vorgang liegt wieder im Pool.",
            (_, null) => $"{done} Vorgänge liegen wieder im Pool.",
            (1, _) => $"1 Vorgang ist jetzt {name ?? "der gewählten Person"} zugewiesen.",
            _ => $"{done} Vorgänge sind jetzt {name ?? "der gewählten Person"} zugewiesen.",
        };
        BulkProblems = problems.Count == 0 ? null : string.Join("\n", problems);
        return Redirect(ListLink(1) + "#vorgaenge");
    }

    private async Task LoadAsync(Actor actor, CancellationToken ct)
    {
        NowUtc = clock.GetUtcNow().UtcDateTime;
        Today = BackofficeUi.Today(clock);
        Ags = actor.Ags;
        Rows = await poolOverview.HandleAsync(actor, ct);
        OwnStaff = (await users.ListAsync(actor.Ags, ct))
            .Where(u => u.IsActive && (u.Roles.Contains(Roles.Sachbearbeitung) || u.Roles.Contains(Roles.Teamleitung)))
            .OrderBy(u => u.DisplayName, StringComparer.Create(Ui.German, CompareOptions.None))
            .ToList();
        Assignable = await BackofficeLookups.AssignableUsersAsync(db, actor.Ags, Today, ct);
        OpenAbsences = await absences.ListAsync(actor, ct);
        try
        {
            Cases = await poolCases.HandleAsync(actor, PoolCases.Parse(ListService, ListOwner, ListStatus, ListOverdue, ListClerk, ListSort, ListPage), ct);
        }
        catch (ValidationException ex)
        {
            foreach (var (key, messages) in ex.Errors)
                foreach (var message in messages)
                    AddError(key switch { "service" => ListServiceId, "owner" => ListOwnerId, "status" => ListStatusId, "clerk" => ListClerkId, "sort" => ListSortId, _ => "" }, message);
        }
    }

}

/// <summary>Model of the pool table partial (_PoolTabelle).</summary>
public sealed record PoolTable(IReadOnlyList<PoolRow> Rows, string Ags, DateTime NowUtc);
