using System.Globalization;
using OpenIkz.Assessment.Evaluation;

namespace OpenIkz.Pages.Vereinbarungen;

/// <summary>Labels and formatting of the evaluation pages: the traffic light as badge with icon and word (never colour alone).</summary>
public static class EvaluationUi
{
    public static string BadgeClass(TrafficLight light) => light switch
    {
        TrafficLight.Met => "kern-badge--success",
        TrafficLight.Close => "kern-badge--warning",
        TrafficLight.Missed => "kern-badge--danger",
        _ => "kern-badge--info",
    };

    public static string IconClass(TrafficLight light) => light switch
    {
        TrafficLight.Met => "kern-icon--success",
        TrafficLight.Close => "kern-icon--warning",
        TrafficLight.Missed => "kern-icon--danger",
        _ => "kern-icon--info",
    };

    public static string N(long value) => value.ToString("N0", Ui.German);

    public static string Days(int? value) => value is { } v ? v.ToString("N0", Ui.German) : "–";

    public static string Percent(decimal? value) => value is { } v ? v.ToString("0.##", Ui.German) + " %" : "–";

    public static decimal Value(int? v) => v ?? 0;

    /// <summary>An ISO date for the API, from what the date field sent (yyyy-MM-dd or dd.MM.yyyy); other text passes unchanged so the evaluation names it.</summary>
    public static string? Iso(string? text)
    {
        var t = (text ?? "").Trim();
        if (t.Length == 0) return null;
        return DateOnly.TryParseExact(t, "dd.MM.yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : t;
    }
}
