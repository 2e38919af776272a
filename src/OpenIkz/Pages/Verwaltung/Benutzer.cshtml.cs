using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Directory.Municipalities;

namespace OpenIkz.Pages.Verwaltung;

/// <summary>User administration of the signed-in administrator's own municipality. The municipality always comes
/// from the principal, never from the form; a user of another municipality is "not found".</summary>
public sealed class BenutzerModel(UserAccounts users, SecondFactor secondFactor, MunicipalityQueries municipalities, Db db, TimeProvider clock) : PageModel
{
    /// <summary>Set by the confirmation's form: deactivating asks first (Pages/Confirmation.cs).</summary>
    [BindProperty] public bool Confirmed { get; set; }
    public Confirmation? Confirmation { get; private set; }

    public IReadOnlyList<UserAccount> Users { get; private set; } = [];
    public string MunicipalityName { get; private set; } = "";
    public DateTime NowUtc { get; private set; }
    public long? CurrentUserId => User.UserId();

    [BindProperty] public string? Username { get; set; }
    [BindProperty] public string? DisplayName { get; set; }
    [BindProperty] public string? Password { get; set; }
    [BindProperty] public List<string> SelectedRoles { get; set; } = [];
    [BindProperty] public List<string> SelectedServices { get; set; } = [];

    /// <summary>Field errors of the create form (keys: username, displayName, password, roles, services, municipality).</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();

    [TempData] public string? Message { get; set; }

    /// <summary>The user whose roles, services, password and second factor the edit section shows (?bearbeiten=ID).</summary>
    [BindProperty(SupportsGet = true, Name = "bearbeiten")] public long? EditId { get; set; }
    public UserAccount? Editing { get; private set; }
    [BindProperty] public List<string> EditRoles { get; set; } = [];
    [BindProperty] public List<string> EditServices { get; set; } = [];
    [BindProperty] public string? ResetPassword { get; set; }

    /// <summary>Field errors of the edit forms (keys: roles, services, password).</summary>
    public IReadOnlyDictionary<string, string[]> EditErrors { get; private set; } = new Dictionary<string, string[]>();
    public IReadOnlyList<string> EditErrorsFor(string field) => EditErrors.TryGetValue(field, out var e) ? e : [];

    public IReadOnlyList<string> ErrorsFor(string field) => Errors.TryGetValue(field, out var e) ? e : [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (User.MunicipalityAgs() is not { } ags) return Forbid();
        await LoadAsync(ags, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        if (User.MunicipalityAgs() is not { } ags) return Forbid();
        var username = (Username ?? "").Trim();
        try
        {
            await users.CreateAsync(new NewUser(ags, username, (DisplayName ?? "").Trim(), Password ?? "",
                SelectedRoles.Distinct().ToList(), SelectedServices.Distinct().ToList()), ct);
        }
        catch (ValidationException ex)
        {
            Errors = ex.Errors;
            Password = null;
            await LoadAsync(ags, ct);
            return Page();
        }
        Message = $"Das Benutzerkonto „{username}“ wurde angelegt.";
        return RedirectToPage();
    }

    public Task<IActionResult> OnPostDeactivateAsync(long id, CancellationToken ct) => SetActiveAsync(id, false, ct);

    public Task<IActionResult> OnPostActivateAsync(long id, CancellationToken ct) => SetActiveAsync(id, true, ct);

    public async Task<IActionResult> OnPostUnlockAsync(long id, CancellationToken ct)
    {
        if (User.MunicipalityAgs() is not { } ags) return Forbid();
        var user = await FindOwnAsync(ags, id, ct);
        if (user is null || !await users.UnlockAsync(ags, id, ct)) return NotFound();
        Message = $"Das Benutzerkonto „{user.Username}“ wurde entsperrt.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRolesAsync(long id, CancellationToken ct)
    {
        if (User.MunicipalityAgs() is not { } ags) return Forbid();
        var user = await FindOwnAsync(ags, id, ct);
        if (user is null) return NotFound();
        try
        {
            if (!await users.SetRolesAsync(ags, id, EditRoles.Distinct().ToList(), EditServices.Distinct().ToList(), ct)) return NotFound();
        }
        catch (ValidationException ex)
        {
            return await EditPageAsync(ags, id, ex, ct);
        }
        Message = $"Rollen und Leistungen von „{user.Username}“ wurden gespeichert. Die Person muss sich neu anmelden.";
        return RedirectToPage(new { bearbeiten = id });
    }

    public async Task<IActionResult> OnPostResetPasswordAsync(long id, CancellationToken ct)
    {
        if (User.MunicipalityAgs() is not { } ags) return Forbid();
        var user = await FindOwnAsync(ags, id, ct);
        if (user is null) return NotFound();
        try
        {
            if (!await users.ResetPasswordAsync(ags, id, ResetPassword, ct)) return NotFound();
        }
        catch (ValidationException ex)
        {
            return await EditPageAsync(ags, id, ex, ct);
        }
        Message = $"Das Passwort von „{user.Username}“ wurde zurückgesetzt. Bei der nächsten Anmeldung muss ein neues Passwort gewählt werden.";
        return RedirectToPage(new { bearbeiten = id });
    }

    public async Task<IActionResult> OnPostResetSecondFactorAsync(long id, CancellationToken ct)
    {
        if (User.MunicipalityAgs() is not { } ags) return Forbid();
        var user = await FindOwnAsync(ags, id, ct);
        if (user is null || !await secondFactor.ResetAsync(ags, id, ct)) return NotFound();
        Message = $"Der zweite Faktor von „{user.Username}“ wurde zurückgesetzt.";
        return RedirectToPage(new { bearbeiten = id });
    }

    private async Task<IActionResult> EditPageAsync(string ags, long id, ValidationException ex, CancellationToken ct)
    {
        EditErrors = ex.Errors;
        ResetPassword = null;
        EditId = id;
        await LoadAsync(ags, ct);
        return Page();
    }

    private async Task<IActionResult> SetActiveAsync(long id, bool active, CancellationToken ct)
    {
        if (User.MunicipalityAgs() is not { } ags) return Forbid();
        var user = await FindOwnAsync(ags, id, ct);
        if (user is null) return NotFound();
        if (!active && id == CurrentUserId)
        {
            Message = "Sie können Ihr eigenes Konto nicht deaktivieren.";
            return RedirectToPage();
        }
        if (!active && !Confirmed)
        {
            // The user's open cases stay assigned to them: the question says how many, so that they are handed over first.
            var open = await db.QuerySingleAsync<long>("SELECT COUNT(*) FROM cases WHERE assigned_user_id = @Id AND status IN ('assigned', 'waiting')", new { Id = id }, ct);
            Confirmation = new Confirmation($"Benutzerkonto „{user.Username}“ ({user.DisplayName}) deaktivieren?",
                [
                    "Die Person kann sich danach nicht mehr anmelden; laufende Sitzungen und API-Schlüssel gelten sofort nicht mehr.",
                    open switch
                    {
                        0 => "Der Person ist kein offener Vorgang zugewiesen.",
                        1 => "Der Person ist noch 1 offener Vorgang zugewiesen. Er bleibt ihr zugewiesen, bis die Teamleitung ihn im Pool neu zuweist.",
                        _ => $"Der Person sind noch {open} offene Vorgänge zugewiesen. Sie bleiben ihr zugewiesen, bis die Teamleitung sie im Pool neu zuweist.",
                    },
                    "Akten, Vermerke und Protokoll bleiben erhalten; Sie können das Konto jederzeit wieder aktivieren.",
                ],
                Url.Page("/Verwaltung/Benutzer", "Deactivate", new { id })!, [], "Ja, deaktivieren", "/Verwaltung/Benutzer#benutzer-liste");
            await LoadAsync(ags, ct);
            return Page();
        }
        if (!await users.SetActiveAsync(ags, id, active, ct)) return NotFound();
        Message = active ? $"Das Benutzerkonto „{user.Username}“ wurde aktiviert." : $"Das Benutzerkonto „{user.Username}“ wurde deaktiviert. Die Person kann sich nicht mehr anmelden.";
        return RedirectToPage();
    }

    private async Task<UserAccount?> FindOwnAsync(string ags, long id, CancellationToken ct)
    {
        var user = await users.FindAsync(id, ct);
        return user is not null && user.MunicipalityAgs == ags ? user : null;
    }

    private async Task LoadAsync(string ags, CancellationToken ct)
    {
        NowUtc = clock.GetUtcNow().UtcDateTime;
        Users = await users.ListAsync(ags, ct);
        Editing = Users.FirstOrDefault(u => u.Id == EditId);
        if (Editing is not null && EditErrors.Count == 0)
        {
            EditRoles = Editing.Roles.ToList();
            EditServices = Editing.Services.ToList();
        }
        MunicipalityName = (await municipalities.FindAsync(ags, ct))?.Name ?? ags;
    }
}
