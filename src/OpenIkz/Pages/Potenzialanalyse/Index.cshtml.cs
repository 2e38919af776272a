using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Assessment.Assessments;
using OpenIkz.Directory.Municipalities;

namespace OpenIkz.Pages.Potenzialanalyse;

/// <summary>The stored potential analyses the caller may see: those of its municipality's partnerships (Koordination, Teamleitung).</summary>
[Authorize(Policy = AssessmentsModule.ReaderPolicy)]
public sealed class IndexModel(AssessmentService assessments, MunicipalityQueries municipalities) : PageModel
{
    public IReadOnlyList<AssessmentSummary> Assessments { get; private set; } = [];
    public IReadOnlyDictionary<string, string> Names { get; private set; } = new Dictionary<string, string>();
    public bool CanCreate { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        Assessments = await assessments.ListAsync(actor, ct);
        Names = await DetailModel.NamesAsync(municipalities, Assessments.SelectMany(a => a.PartnerList), ct);
        CanCreate = actor.IsCoordinator;
        return Page();
    }

    public string Name(string ags) => Names.TryGetValue(ags, out var n) ? n : ags;
}
