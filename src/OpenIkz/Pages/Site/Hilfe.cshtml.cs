using Markdig;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OpenIkz.Pages.Site;

/// <summary>
/// The user guide (docs/BENUTZERHANDBUCH.md, embedded at build) as a page: every page links to it, section by section
/// (/Hilfe#arbeitskorb-sachbearbeitung). Raw HTML in the Markdown is not passed through; headings get ids from their text.
/// </summary>
[AllowAnonymous]
public sealed class HilfeModel : PageModel
{
    private static readonly Lazy<string> Html = new(() =>
    {
        using var stream = typeof(HilfeModel).Assembly.GetManifestResourceStream("OpenIkz.Benutzerhandbuch.md")
            ?? throw new InvalidOperationException("The user guide is not embedded (OpenIkz.Benutzerhandbuch.md).");
        using var reader = new StreamReader(stream);
        var markdown = reader.ReadToEnd();
        // The guide's own title becomes the page's h1 (the layout has none), its sections h2.
        var pipeline = new MarkdownPipelineBuilder().DisableHtml().UseAutoIdentifiers(Markdig.Extensions.AutoIdentifiers.AutoIdentifierOptions.GitHub).UsePipeTables().Build();
        return Kern(Markdown.ToHtml(markdown, pipeline));
    });

    /// <summary>KERN's classes on Markdig's plain elements (raw HTML is disabled, so every tag here is Markdig's own).</summary>
    private static readonly (string Tag, string WithClass)[] KernTags =
    [
        ("<h1 ", "<h1 class=\"kern-heading-x-large\" "), ("<h2 ", "<h2 class=\"kern-heading-large\" "), ("<h3 ", "<h3 class=\"kern-heading-medium\" "),
        ("<p>", "<p class=\"kern-body\">"), ("<ul>", "<ul class=\"kern-list\">"), ("<ol>", "<ol class=\"kern-list\">"), ("<a href=", "<a class=\"kern-link\" href="),
        ("<table>", "<div class=\"kern-table-responsive\"><table class=\"kern-table kern-table--striped\">"), ("</table>", "</table></div>"),
        ("<thead>", "<thead class=\"kern-table__head\">"), ("<tbody>", "<tbody class=\"kern-table__body\">"), ("<tr>", "<tr class=\"kern-table__row\">"),
        ("<th>", "<th class=\"kern-table__header\" scope=\"col\">"), ("<td>", "<td class=\"kern-table__cell\">"),
    ];

    internal static string Kern(string html) => KernTags.Aggregate(html, (h, t) => h.Replace(t.Tag, t.WithClass, StringComparison.Ordinal));

    public string GuideHtml => Html.Value;

    public void OnGet() { }
}
