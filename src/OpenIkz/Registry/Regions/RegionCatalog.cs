namespace OpenIkz.Registry.Regions;

/// <summary>
/// Roles of a member municipality in a Kooperationsraum. The koordinierend members are the coordination unit of the
/// lebensWert model (seeds/003: "Koordinationseinheit (koordiniert und stimuliert die Kooperation)", possibly "eine Gruppe
/// von Vertreter*innen verschiedener Kommunen"): they manage the members, the name and the description. Every member's
/// Koordination works on the Handlungsfelder.
/// </summary>
public static class RegionRoles
{
    public const string Coordinating = "koordinierend";
    public const string Member = "mitglied";

    public static readonly IReadOnlyList<CatalogItem> All = [new(Coordinating, "koordinierend"), new(Member, "Mitglied")];

    public static string? Label(string? slug) => All.FirstOrDefault(r => r.Slug == slug)?.Label;
}

/// <summary>
/// The learning cycle of a Handlungsfeld: the five fixed steps of seeds/003 ("ein von den Akteuren gemeinsam getragener
/// Analyse-, Ideenfindungs-, Planungs-, Umsetzungs- und Reflexionsprozess"), each with a status and a review date.
/// </summary>
public static class LearningCycle
{
    public const string Open = "offen";
    public const string InProgress = "in-arbeit";
    public const string Done = "abgeschlossen";

    public static readonly IReadOnlyList<CatalogItem> Steps =
    [
        new("analyse", "Analyse"),
        new("ideen", "Ideen"),
        new("planung", "Planung"),
        new("umsetzung", "Umsetzung"),
        new("reflexion", "Reflexion"),
    ];

    public static readonly IReadOnlyList<CatalogItem> Statuses = [new(Open, "offen"), new(InProgress, "in Arbeit"), new(Done, "abgeschlossen")];

    public static CatalogItem? Step(string? slug) => Steps.FirstOrDefault(s => s.Slug == slug);

    /// <summary>1 to 5 in the order of the cycle.</summary>
    public static int Position(string step) => Steps.ToList().FindIndex(s => s.Slug == step) + 1;

    public static string? StatusLabel(string? slug) => Statuses.FirstOrDefault(s => s.Slug == slug)?.Label;

    /// <summary>
    /// A review is overdue when its date lies before today (Europe/Berlin) and the step is not abgeschlossen. On the review
    /// date itself it is due, not overdue.
    /// </summary>
    public static bool IsOverdue(string status, DateOnly? reviewOn, DateOnly today) => reviewOn is { } on && on < today && status != Done;

    /// <summary>The same rule as SQL over learning_cycle_steps (alias <paramref name="s"/>), with today as parameter <c>@Today</c>.</summary>
    public static string OverdueSql(string s) => $"({s}.review_on IS NOT NULL AND {s}.review_on < @Today AND {s}.status <> '{Done}')";
}

/// <summary>
/// Optional statuses of the ordered items of a Handlungsfeld: development goals (Entwicklungsbilder/-ziele) and options for
/// action (Handlungsoptionen), the two rows of the lebensWert structure (seeds/003, "Struktur der Zusammenarbeit").
/// </summary>
public static class FieldItems
{
    public const string Goal = "ziel";
    public const string Option = "option";

    public static readonly IReadOnlyList<CatalogItem> GoalStatuses =
        [new("offen", "offen"), new("in-arbeit", "in Arbeit"), new("erreicht", "erreicht"), new("verworfen", "verworfen")];

    public static readonly IReadOnlyList<CatalogItem> OptionStatuses =
        [new("idee", "Idee"), new("in-pruefung", "in Prüfung"), new("beschlossen", "beschlossen"), new("umgesetzt", "umgesetzt"), new("verworfen", "verworfen")];

    public static IReadOnlyList<CatalogItem> StatusesOf(string kind) => kind == Goal ? GoalStatuses : OptionStatuses;

    public static string? StatusLabel(string kind, string? slug) => StatusesOf(kind).FirstOrDefault(s => s.Slug == slug)?.Label;

    /// <summary>At most this many goals (and as many options) per field.</summary>
    public const int MaxItems = 50;

    public const int MaxTextLength = 500;
}
