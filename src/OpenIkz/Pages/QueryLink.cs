namespace OpenIkz.Pages;

/// <summary>Links that keep a list's filters in the URL: every non-empty value as an escaped query parameter, in the given order.</summary>
public static class QueryLink
{
    public static string Build(string path, params (string Name, string? Value)[] parts)
    {
        var query = parts.Where(p => !string.IsNullOrWhiteSpace(p.Value)).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!.Trim())}").ToList();
        return path + (query.Count > 0 ? "?" + string.Join("&", query) : "");
    }

    /// <summary>A page number as the lists write it: nothing for the first page.</summary>
    public static string? PageValue(int page) => page > 1 ? page.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
}
