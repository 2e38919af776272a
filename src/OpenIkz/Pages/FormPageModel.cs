using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Directory.Accounts;

namespace OpenIkz.Pages;

/// <summary>
/// A page with forms: German messages next to the fields they concern (keyed by the input's id), and one
/// alert for refusals that belong to no field (business rules).
/// </summary>
public abstract class FormPageModel : PageModel
{
    public Dictionary<string, List<string>> Errors { get; } = [];
    public string? RuleError { get; protected set; }

    /// <summary>Set by the form of a <see cref="Pages.Confirmation"/>: the user has seen what the action does and confirmed it.</summary>
    [BindProperty] public bool Confirmed { get; set; }

    /// <summary>The question the page shows instead of acting (actions that cannot be undone ask first).</summary>
    public Confirmation? Confirmation { get; protected set; }

    public IReadOnlyList<string> ErrorsFor(string fieldId) => Errors.TryGetValue(fieldId, out var e) ? e : [];
    public bool Invalid(string fieldId) => ErrorsFor(fieldId).Count > 0;

    protected void AddError(string fieldId, string message)
    {
        if (!Errors.TryGetValue(fieldId, out var list)) Errors[fieldId] = list = [];
        if (!list.Contains(message)) list.Add(message);
    }

    /// <summary>The domain's field errors go next to their input (through the page's field map); the rest into the alert.</summary>
    protected void Absorb(ValidationException ex, IReadOnlyDictionary<string, string> fields)
    {
        foreach (var (key, messages) in ex.Errors)
            foreach (var message in messages)
                if (fields.TryGetValue(key, out var fieldId)) AddError(fieldId, message);
                else RuleError = RuleError is null ? message : RuleError + " " + message;
    }

    /// <summary>A date as the browser's date input sends it (yyyy-MM-dd) or as typed in German (dd.MM.yyyy).</summary>
    protected static DateOnly? ParseDate(string? text) =>
        DateOnly.TryParseExact((text ?? "").Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
        : DateOnly.TryParseExact((text ?? "").Trim(), "dd.MM.yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out d) ? d
        : null;
}
