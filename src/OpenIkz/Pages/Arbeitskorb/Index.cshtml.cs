using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Backoffice;
using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Cases;
using OpenIkz.Backoffice.Work;
using OpenIkz.Directory.Services;
using OpenIkz.Directory.Accounts;

namespace OpenIkz.Pages.Arbeitskorb;

/// <summary>The clerk's workbench: take the next case of a service from the shared pool, and the own open cases.</summary>
[Authorize(Policy = BackofficePolicies.Clerk)]
public sealed class IndexModel(MyCases myCases, PoolOverview poolOverview, Absences absences, TimeProvider clock) : PageModel
{
    /// <param name="Free">Unassigned cases the clerk may take.</param>
    /// <param name="FreeOverdue">Of those, the ones past their due date.</param>
    public sealed record ServiceSlot(string Slug, string Name, int Free, int FreeOverdue)
    {
        /// <summary>The count as it cannot be misread: „63 frei, davon 12 überfällig“, or „Kein Vorgang frei“.</summary>
        public string CountText => Free == 0 ? "Kein Vorgang frei" : $"{Ui.Number(Free)} frei, davon {Ui.Number(FreeOverdue)} überfällig";
    }

    /// <summary>The clerk's services with their free cases (and of those the overdue ones), summed over the partners: the Arbeitskorb's and the start page's cards.</summary>
    public static IReadOnlyList<ServiceSlot> Slots(Actor actor, IReadOnlyList<PoolRow> pool) =>
        ServiceCatalog.All
            .Where(s => actor.Services.Contains(s.Slug))
            .Select(s => new ServiceSlot(s.Slug, s.Name,
                pool.Where(p => p.Service == s.Slug).Sum(p => p.Unassigned),
                pool.Where(p => p.Service == s.Slug).Sum(p => p.UnassignedOverdue)))
            .ToList();

    /// <summary>The last day of the clerk's absence when they are marked absent today: the page says so and offers no claim.</summary>
    public DateOnly? AbsentUntil { get; private set; }

    public IReadOnlyList<ServiceSlot> Services { get; private set; } = [];
    public IReadOnlyList<CaseSummary> MyCases { get; private set; } = [];

    /// <summary>All own open cases, before the list's search and filters (the counts say "3 von 12").</summary>
    public int MyCasesTotal { get; private set; }

    // The own list's search, filters and order, kept in the URL.
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true, Name = "service")] public string? ListService { get; set; }
    [BindProperty(SupportsGet = true, Name = "stand")] public string? ListStatus { get; set; }
    [BindProperty(SupportsGet = true, Name = "sortierung")] public string? ListSort { get; set; }
    [BindProperty(SupportsGet = true, Name = "seite")] public string? ListPage { get; set; }

    public const int PageSize = 50;

    /// <summary>The cases that match the search and filters (all pages), the page shown and the number of pages.</summary>
    public int MatchingCount { get; private set; }
    public int CurrentPage { get; private set; } = 1;
    public int PageCount => Math.Max(1, (MatchingCount + PageSize - 1) / PageSize);

    /// <summary>The own list with the same search and filters on another page.</summary>
    public string ListLink(int page) => QueryLink.Build("/Arbeitskorb",
        ("q", Q), ("service", ListService), ("stand", ListStatus), ("sortierung", ListSort), ("seite", QueryLink.PageValue(page)));

    /// <summary>
    /// The own cases narrowed to the search (a part of the reference, or the beginning of the family or given name,
    /// without regard to case), service and status, sorted by due date (default) or receipt. A clerk's own open cases
    /// are few, so this runs on the list already read.
    /// </summary>
    public static IReadOnlyList<CaseSummary> Narrow(IReadOnlyList<CaseSummary> cases, string? q, string? service, string? status, string? sort)
    {
        IEnumerable<CaseSummary> list = cases;
        if (!string.IsNullOrWhiteSpace(q))
        {
            var term = q.Trim();
            list = list.Where(c => c.Reference.Contains(term, StringComparison.OrdinalIgnoreCase)
                || c.ApplicantName.Split(',', StringSplitOptions.TrimEntries).Any(n => n.StartsWith(term, StringComparison.CurrentCultureIgnoreCase)));
        }
        if (!string.IsNullOrWhiteSpace(service)) list = list.Where(c => c.Service == service);
        if (!string.IsNullOrWhiteSpace(status)) list = list.Where(c => c.Status == status);
        list = sort == "eingang" ? list.OrderBy(c => c.ReceivedAt) : list.OrderBy(c => c.DueDate).ThenBy(c => c.ReceivedAt);
        return list.ToList();
    }
    public DateOnly Today { get; private set; }

    [TempData] public string? Info { get; set; }
    [TempData] public string? Problem { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        Today = BackofficeUi.Today(clock);
        var mine = await myCases.HandleAsync(actor, ct);
        MyCasesTotal = mine.Count;
        var matching = Narrow(mine, Q, ListService, ListStatus, ListSort);
        MatchingCount = matching.Count;
        // An unreadable or too high page shows the last one (the list may have shrunk since the link was made).
        CurrentPage = int.TryParse(ListPage, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) && p >= 1 ? Math.Min(p, PageCount) : 1;
        MyCases = matching.Skip((CurrentPage - 1) * PageSize).Take(PageSize).ToList();
        AbsentUntil = await absences.AbsentUntilAsync(actor.UserId!.Value, ct);
        var pool = await poolOverview.HandleAsync(actor, ct);
        Services = Slots(actor, pool);
        return Page();
    }

    public async Task<IActionResult> OnPostClaimAsync(string? service, [FromServices] ClaimNextCase claim, [FromServices] ClaimedCaseHandoff handoff, CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        var definition = ServiceCatalog.Find(service);
        if (definition is null || !actor.Services.Contains(definition.Slug))
        {
            Problem = "Diese Leistung bearbeiten Sie nicht.";
            return RedirectToPage();
        }
        try
        {
            var claimed = await claim.HandleAsync(actor, definition.Slug, ct);
            if (claimed is null)
            {
                Info = $"Im Pool ist kein Vorgang für {definition.Name} frei.";
                return RedirectToPage();
            }
            handoff.Put(actor.UserId!.Value, claimed);
            return RedirectToPage("/Vorgaenge/Detail", new { id = claimed.Id });
        }
        catch (RuleException ex)
        {
            Problem = ex.Message;
        }
        catch (ValidationException ex)
        {
            Problem = string.Join(" ", ex.Errors.Values.SelectMany(v => v));
        }
        return RedirectToPage();
    }
}
