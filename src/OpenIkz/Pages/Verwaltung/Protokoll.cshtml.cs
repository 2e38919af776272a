using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Directory.Accounts;
using OpenIkz.Directory.Municipalities;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Pages.Verwaltung;

/// <summary>
/// The audit log of the administrator's municipality (what its people did, and what anyone did with its cases), with
/// filters by person, action, municipality and time kept in the URL, paged on the server, and the check of the hash chain
/// on request (it reads the whole log). The folder's policy admits only the Administration.
/// </summary>
public sealed class ProtokollModel(AuditLogQueries log, MunicipalityQueries municipalities, Db db, TimeProvider clock) : PageModel
{
    public const string PersonId = "person", ActionId = "aktion", MunicipalityId = "kommune", FromId = "von", ToId = "bis";

    [BindProperty(SupportsGet = true)] public string? Person { get; set; }
    [BindProperty(SupportsGet = true)] public string? Action { get; set; }
    [BindProperty(SupportsGet = true)] public string? Municipality { get; set; }
    [BindProperty(SupportsGet = true)] public string? From { get; set; }
    [BindProperty(SupportsGet = true)] public string? To { get; set; }
    [BindProperty(SupportsGet = true, Name = "seite")] public string? PageNumber { get; set; }
    [BindProperty(SupportsGet = true, Name = "pruefen")] public bool Check { get; set; }

    public AuditPage? Result { get; private set; }
    public AuditVerification? Verification { get; private set; }

    /// <summary>Entries wait longer than a minute for their seal: the sealer is not running.</summary>
    public bool SealerBehind { get; private set; }
    public Dictionary<string, List<string>> Errors { get; } = [];
    public IReadOnlyDictionary<string, string> Names { get; private set; } = new Dictionary<string, string>();
    public string MunicipalityName { get; private set; } = "";

    public IReadOnlyList<string> ErrorsFor(string id) => Errors.TryGetValue(id, out var e) ? e : [];
    public int PageCount => Result is null ? 0 : (int)Math.Max(1, (Result.Total + Result.PageSize - 1) / Result.PageSize);
    public string Name(string? ags) => ags is null ? "–" : Names.TryGetValue(ags, out var n) ? n : ags;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (User.MunicipalityAgs() is not { } ags) return Forbid();
        MunicipalityName = (await municipalities.FindAsync(ags, ct))?.Name ?? ags;
        try
        {
            var filter = AuditLogQueries.Parse(Person, Action, Municipality, From, To, PageNumber, null);
            Result = await log.SearchAsync(ags, filter, ct);
            var keys = Result.Items.SelectMany(r => new[] { r.ActorAgs, r.OwnerAgs }).OfType<string>().Append(ags).Distinct().ToList();
            var names = new Dictionary<string, string>();
            foreach (var key in keys)
                if (await municipalities.FindAsync(key, ct) is { } m) names[key] = m.Name;
            Names = names;
        }
        catch (ValidationException ex)
        {
            foreach (var (key, messages) in ex.Errors)
            {
                // A bad page number belongs to no field: it is named in the summary only ("" has no field to link).
                var id = key switch { "person" => PersonId, "action" => ActionId, "municipality" => MunicipalityId, "from" => FromId, "to" => ToId, _ => "" };
                if (!Errors.TryGetValue(id, out var list)) Errors[id] = list = [];
                list.AddRange(messages);
            }
        }
        if (Check)
        {
            Verification = await AuditLog.VerifyAsync(db, ct);
            SealerBehind = Verification.SealerBehind(clock.GetUtcNow().UtcDateTime);
        }
        return Page();
    }

    /// <summary>The link to another page of the same filter (the filter stays in the URL).</summary>
    public string PageLink(int page, bool check = false) => QueryLink.Build("/Verwaltung/Protokoll",
        ("person", Person), ("action", Action), ("municipality", Municipality), ("from", From), ("to", To), ("seite", QueryLink.PageValue(page)),
        ("pruefen", check ? "true" : null));
}
