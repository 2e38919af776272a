using System.Globalization;
using OpenIkz.Directory.Services;

namespace OpenIkz.Backoffice.Cases;

/// <summary>The filter values the case lists share (archive, team lead's list): each empty → null, a bad one named on its field.</summary>
internal static class FilterInput
{
    public static string? Service(ValidationErrors errors, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (ServiceCatalog.Find(text.Trim()) is { } found) return found.Slug;
        errors.Add("service", "Diese Leistung gibt es nicht. Bitte wählen Sie eine aus der Liste.");
        return null;
    }

    /// <summary>The owning municipality by its official key (5, 8 or 9 digits).</summary>
    public static string? Owner(ValidationErrors errors, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var v = text.Trim();
        if (v.Length is 5 or 8 or 9 && v.All(char.IsAsciiDigit)) return v;
        errors.Add("owner", "Bitte wählen Sie eine Kommune aus der Liste.");
        return null;
    }

    public static int Page(ValidationErrors errors, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return 1;
        if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var page) && page is >= 1 and <= 100_000) return page;
        errors.Add("page", "Die Seite ist eine ganze Zahl ab 1.");
        return 1;
    }
}
