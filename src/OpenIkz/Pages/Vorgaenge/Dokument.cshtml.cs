using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Backoffice;
using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Cases;

namespace OpenIkz.Pages.Vorgaenge;

/// <summary>Download of one document of a case file, under the same access rule as the case page (404 when not visible).
/// Always as an attachment, with the type determined on upload, so that a document never runs in the app's origin.</summary>
[Authorize(Policy = BackofficePolicies.Clerk)]
public sealed class DokumentModel(OpenDocument openDocument) : PageModel
{
    public async Task<IActionResult> OnGetAsync(string id, string documentId, CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        if (string.IsNullOrEmpty(id) || id.Length > 64 || string.IsNullOrEmpty(documentId) || documentId.Length > 64) return NotFound();
        try
        {
            var (document, content) = await openDocument.HandleAsync(actor, id, documentId, ct);
            Response.Headers["X-Content-Type-Options"] = "nosniff";
            return File(content, document.ContentType, document.FileName);
        }
        catch (CaseNotFoundException)
        {
            return NotFound();
        }
        catch (FileNotFoundException)
        {
            return NotFound();
        }
    }
}
