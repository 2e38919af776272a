using System.Text.Json.Serialization;

namespace OpenIkz.Registry.PartnerSearches;

/// <summary>A new partner search as the API or the page sends it. An unknown field is a 400 naming it.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PartnerSearchInput(string? TaskField, string? Title, string? Description, DateOnly? Until);

/// <summary>An expression of interest; the message to the searching municipality is optional. An unknown field is a 400 naming it.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record InterestInput(string? Message);

/// <summary>A validated partner search.</summary>
public sealed record PartnerSearchTerms(string TaskField, string Title, string Description, DateOnly Until);

/// <summary>
/// The rules for a partner search: a known task field, a title of 3 to 200 characters on one line, a description of
/// 10 to 4,000 characters, and an end date after today (Europe/Berlin) and at most two years ahead. A search runs up to
/// and including its end date.
/// </summary>
public static class PartnerSearchRules
{
    public const int TitleMin = 3, TitleMax = 200, DescriptionMin = 10, DescriptionMax = 4000, MessageMax = 2000;

    /// <summary>How far ahead a search may run: longer than two years is no search but a standing wish.</summary>
    public const int MaxDaysAhead = 730;

    /// <summary>Open searches a municipality may have at once; more would be noise in the public list.</summary>
    public const int MaxOpenPerMunicipality = 20;

    public static PartnerSearchTerms Validate(PartnerSearchInput input, DateOnly today)
    {
        var errors = new ValidationErrors();
        var field = TaskFields.Find(input.TaskField?.Trim());
        if (field is null)
            errors.Add("taskField", string.IsNullOrWhiteSpace(input.TaskField)
                ? "Bitte wählen Sie das Aufgabenfeld."
                : $"Das Aufgabenfeld '{input.TaskField}' gibt es nicht (möglich: {string.Join(", ", TaskFields.All.Select(t => t.Slug))}).");

        var title = TextInput.Field(errors, "title", input.Title, TextKind.Line, "Der Titel");
        if (!errors.ContainsKey("title") && (title is null || title.Length < TitleMin || title.Length > TitleMax))
            errors.Add("title", $"Bitte geben Sie einen Titel mit {TitleMin} bis {TitleMax} Zeichen an.");

        var description = TextInput.Field(errors, "description", input.Description, TextKind.Paragraphs, "Die Beschreibung");
        if (!errors.ContainsKey("description") && (description is null || description.Length < DescriptionMin || description.Length > DescriptionMax))
            errors.Add("description", $"Bitte beschreiben Sie das Vorhaben mit {DescriptionMin} bis {Ui(DescriptionMax)} Zeichen.");

        var latest = today.AddDays(MaxDaysAhead);
        if (input.Until is not { } until) errors.Add("until", "Bitte geben Sie an, bis wann Sie einen Partner suchen.");
        else if (until <= today) errors.Add("until", "Das Enddatum muss in der Zukunft liegen.");
        else if (until > latest) errors.Add("until", $"Eine Partnersuche läuft höchstens zwei Jahre, also bis spätestens {latest:dd.MM.yyyy}.");

        if (errors.Count > 0) throw new ValidationException(errors);
        return new PartnerSearchTerms(field!.Slug, title!, description!, input.Until!.Value);
    }

    /// <summary>The optional message of an interest: null when blank, otherwise checked text of at most 2,000 characters.</summary>
    public static string? Message(string? message)
    {
        var errors = new ValidationErrors();
        var text = TextInput.Field(errors, "message", message, TextKind.Paragraphs, "Die Nachricht");
        if (text is { Length: > MessageMax }) errors.Add("message", $"Die Nachricht darf höchstens {Ui(MessageMax)} Zeichen lang sein.");
        if (errors.Count > 0) throw new ValidationException(errors);
        return text;
    }

    private static string Ui(int n) => n.ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("de-DE"));
}

/// <summary>The caller may not do this to this search (it belongs to another municipality); answered with 403.</summary>
public sealed class PartnerSearchForbiddenException(string message) : Exception(message);
