using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using OpenIkz.Infrastructure;

namespace OpenIkz.Pages.Site;

/// <summary>One statement of the operator on a legal page: its text, or in demo mode an example marked as such, or nothing (shown as missing).</summary>
public sealed record SiteValue(string? Text, bool IsDemo)
{
    public IReadOnlyList<string> Lines => Text is null ? [] : Text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
}

/// <summary>The legal pages (Impressum, Datenschutz, Barrierefreiheit): public, from <see cref="SiteOptions"/>.</summary>
[AllowAnonymous]
public abstract class SitePageModel(IOptions<SiteOptions> site, IOptions<OpenIkzOptions> options) : PageModel
{
    public SiteOptions Site => site.Value;
    public bool IsDemo => options.Value.IsDemo;

    /// <summary>The configured value; else in demo mode the example <paramref name="demo"/> (marked on the page); else missing.</summary>
    public SiteValue Value(string? configured, string demo) =>
        !string.IsNullOrWhiteSpace(configured) ? new(configured.Trim(), false) : IsDemo ? new(demo, true) : new(null, false);

    public SiteValue Operator => Value(Site.OperatorName, "OpenIKZ-Demobetrieb (Beispielbetreiber)");
    public SiteValue Address => Value(Site.OperatorAddress, "Musterstraße 1\n67059 Ludwigshafen am Rhein");
    public SiteValue Email => Value(Site.Email, "kontakt@openikz.example");
}
