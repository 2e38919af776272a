using Microsoft.Extensions.Options;
using OpenIkz.Infrastructure;

namespace OpenIkz.Pages.Site;

public sealed class BarrierefreiheitModel(IOptions<SiteOptions> site, IOptions<OpenIkzOptions> options) : SitePageModel(site, options)
{
    /// <summary>
    /// „teilweise“ or „nicht“. OpenIKZ itself has known gaps (listed on the page: PDFs without PDF/UA tags, no Leichte
    /// Sprache or Gebärdensprache), so an installation cannot be „vollständig“ vereinbar; a configured „vollständig“
    /// is shown as „teilweise“ until those are closed, rather than claim more than is true.
    /// </summary>
    public string Compliance => Site.AccessibilityCompliance?.Trim().ToLowerInvariant() == "nicht" ? "nicht" : "teilweise";

    public void OnGet() { }
}
