using Microsoft.Extensions.Options;
using OpenIkz.Infrastructure;

namespace OpenIkz.Pages.Site;

public sealed class DatenschutzModel(IOptions<SiteOptions> site, IOptions<OpenIkzOptions> options) : SitePageModel(site, options)
{
    public void OnGet() { }
}
