using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Assessment.Assessments;
using OpenIkz.Directory.Municipalities;

namespace OpenIkz.Pages.Potenzialanalyse;

/// <summary>The PDF report of a stored potential analysis (PDF/A-2b); who may see the analysis may download it, others get 404.</summary>
[Authorize(Policy = AssessmentsModule.ReaderPolicy)]
public sealed class BerichtModel(AssessmentService assessments, MunicipalityQueries municipalities) : PageModel
{
    public async Task<IActionResult> OnGetAsync(long assessmentId, CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        AssessmentView view;
        try
        {
            view = await assessments.ReadAsync(actor, assessmentId, ct);
        }
        catch (NotFoundException)
        {
            return NotFound();
        }
        var report = new AssessmentReport(view, await DetailModel.NamesAsync(municipalities, view.Result.Partners, ct));
        return File(AssessmentPdf.Write(report), "application/pdf", $"Potenzialanalyse-{assessmentId}.pdf");
    }
}
