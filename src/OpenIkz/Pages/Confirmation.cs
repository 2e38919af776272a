namespace OpenIkz.Pages;

/// <summary>
/// The question a page asks before an action that cannot be undone (deciding, releasing a case, terminating an
/// agreement, recording an absence, deactivating a user): what will happen, in words, and a form that sends the same
/// input again with <c>Confirmed=true</c>. It needs no JavaScript: the first post validates the input and renders this
/// question instead of acting; only the second post acts. Nothing is changed before it.
/// </summary>
/// <param name="Title">The question, e.g. „Vorgang in den Pool zurückgeben?“</param>
/// <param name="Consequences">What the action does, one sentence each.</param>
/// <param name="Action">The form's target: the page's path with its handler (<c>?handler=…</c>).</param>
/// <param name="Fields">The posted input, sent again as hidden fields.</param>
/// <param name="ConfirmLabel">The button that acts, e.g. „Ja, zurückgeben“.</param>
/// <param name="CancelHref">Where „Abbrechen“ leads: back to the page, nothing changed.</param>
public sealed record Confirmation(
    string Title,
    IReadOnlyList<string> Consequences,
    string Action,
    IReadOnlyList<KeyValuePair<string, string?>> Fields,
    string ConfirmLabel,
    string CancelHref)
{
    /// <summary>A letter the action issues (the Bescheid before deciding), shown word for word above the buttons.</summary>
    public Backoffice.Decisions.Letter? Letter { get; init; }
}
