using System.Globalization;

namespace OpenIkz.Assessment.Evaluation;

/// <summary>The traffic light of a goal. Never shown by colour alone: every light has its German word and icon.</summary>
public enum TrafficLight
{
    /// <summary>Grün: the target is reached.</summary>
    Met,

    /// <summary>Gelb: missed, but by no more than <see cref="GoalLights.CloseTolerancePercent"/> % of the target.</summary>
    Close,

    /// <summary>Rot: missed by more.</summary>
    Missed,

    /// <summary>Grau: not measurable (the yearly saving) or nothing measured in the period.</summary>
    NotMeasured,
}

/// <summary>Which light a goal gets, without I/O.</summary>
public static class GoalLights
{
    /// <summary>
    /// "Knapp verfehlt": the measured value misses the target by at most 10 % of the target (e.g. 11 working days for a
    /// target of ≤ 10, 5.5 % for ≤ 5 %, 13.5 % for a saving of ≥ 15 %). A target of 0 has no tolerance: any miss is red.
    /// </summary>
    public const decimal CloseTolerancePercent = 10m;

    public static TrafficLight Of(GoalResult goal)
    {
        ArgumentNullException.ThrowIfNull(goal);
        return Of(goal.Comparison, goal.Target, goal.Actual);
    }

    public static TrafficLight Of(string comparison, decimal target, decimal? actual)
    {
        if (actual is not { } a) return TrafficLight.NotMeasured;
        if (GoalJudgement.IsMet(comparison, target, a) == true) return TrafficLight.Met;
        var miss = comparison == Comparisons.AtLeast ? target - a : a - target;
        return miss <= target * CloseTolerancePercent / 100m ? TrafficLight.Close : TrafficLight.Missed;
    }

    /// <summary>The German word of a light (the text that carries the meaning; the colour only repeats it).</summary>
    public static string Label(TrafficLight light) => light switch
    {
        TrafficLight.Met => "erreicht",
        TrafficLight.Close => "knapp verfehlt",
        TrafficLight.Missed => "verfehlt",
        _ => "nicht messbar",
    };
}

/// <summary>A date of a running agreement to act on: its evaluation or the last day to give notice.</summary>
public sealed record AgreementDeadline(string Kind, DateOnly Date, int DaysLeft, string Text);

/// <summary>
/// The warnings of the start page, without I/O. Lead time <see cref="LeadDays"/> days: a date is announced from 60 days
/// before it. The evaluation date stays announced as due for <see cref="DueDays"/> days after it. The notice deadline is
/// the last day on which a member can give notice (with the agreement's <c>NoticeMonths</c>, as
/// <c>AgreementState.Terminate</c> checks it) so that the agreement ends at its next fixed date: its end date if it has
/// one, else its evaluation date (to leave after a failed evaluation). An agreement without either has no deadline.
/// </summary>
public static class AgreementDeadlines
{
    public const int LeadDays = 60;
    public const int DueDays = 30;
    public const string Evaluation = "evaluation", Notice = "notice";

    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    /// <summary>The last day to give notice for an end at <paramref name="end"/>: end − notice months.</summary>
    public static DateOnly NoticeDeadline(DateOnly end, int noticeMonths) => end.AddMonths(-noticeMonths);

    public static IReadOnlyList<AgreementDeadline> Upcoming(DateOnly? evaluationDate, DateOnly? validTo, int noticeMonths, DateOnly today)
    {
        var result = new List<AgreementDeadline>();
        if (evaluationDate is { } e)
        {
            var days = e.DayNumber - today.DayNumber;
            if (days is >= 0 and <= LeadDays)
                result.Add(new(Evaluation, e, days, days == 0 ? "Die Evaluation ist heute fällig." : $"Die Evaluation ist am {e.ToString("dd.MM.yyyy", German)} fällig ({Days(days)})."));
            else if (days is < 0 and >= -DueDays)
                result.Add(new(Evaluation, e, days, $"Die Evaluation war am {e.ToString("dd.MM.yyyy", German)} fällig (seit {(-days == 1 ? "1 Tag" : $"{-days} Tagen")})."));
        }
        var end = validTo ?? evaluationDate;
        if (end is { } fixedEnd)
        {
            var deadline = NoticeDeadline(fixedEnd, noticeMonths);
            var days = deadline.DayNumber - today.DayNumber;
            if (days is >= 0 and <= LeadDays)
                result.Add(new(Notice, deadline, days,
                    $"Letzter Tag der Kündigung zum {fixedEnd.ToString("dd.MM.yyyy", German)} ({(validTo is null ? "Evaluationsdatum" : "Ende der Vereinbarung")}, Frist {noticeMonths} Monate): " +
                    $"{deadline.ToString("dd.MM.yyyy", German)} ({(days == 0 ? "heute" : Days(days))})."));
        }
        return result;
    }

    private static string Days(int days) => days == 1 ? "in 1 Tag" : $"in {days} Tagen";
}
