using Microsoft.AspNetCore.Mvc;
using OpenIkz.Registry.Regions;

namespace OpenIkz.Pages.Kooperationsraum;

/// <summary>Labels and CSS classes of the Kooperationsraum pages.</summary>
public static class RegionUi
{
    public static string StepBadge(LearningCycleStepView s) => s.Overdue ? "kern-badge--danger" : s.Status switch
    {
        LearningCycle.Done => "kern-badge--success",
        LearningCycle.InProgress => "kern-badge--info",
        _ => "kern-badge--warning",
    };

    /// <summary>"überfällig seit 14 Tagen" / "seit 1 Tag": the overdue state in words, never by colour alone.</summary>
    public static string OverdueText(int days) => days == 1 ? "überfällig seit 1 Tag" : $"überfällig seit {days} Tagen";

    public static string Overdue(DateOnly reviewOn, DateOnly today) => OverdueText(today.DayNumber - reviewOn.DayNumber);

    public static string Wrapper(bool invalid) => "kern-form-input" + (invalid ? " kern-form-input--error" : "");

    public static string Input(bool invalid) => "kern-form-input__input" + (invalid ? " kern-form-input__input--error" : "");

    public static string Select(bool invalid) => "kern-form-input__select" + (invalid ? " kern-form-input__select--error" : "");

    public static string Aria(bool invalid) => invalid ? "true" : "false";
}

/// <summary>
/// A page of the Kooperationsraum: runs a change for the signed-in person and answers as the API does: a region or field
/// the caller may not see is 404, a change the caller may not make 403; field errors go next to their inputs, rules into
/// the alert; success goes back with a message (post/redirect/get).
/// </summary>
public abstract class RegionPageModel : FormPageModel
{
    [TempData] public string? Message { get; set; }

    public Actor Actor { get; private set; } = null!;

    protected bool TryActor()
    {
        if (Actor.From(User) is not { IsUser: true } actor) return false;
        Actor = actor;
        return true;
    }

    /// <summary>
    /// Runs <paramref name="change"/> unless the form already has errors. Success: <paramref name="success"/> as message and
    /// <paramref name="done"/> (a redirect). Refused: the page again through <paramref name="show"/>, with the errors.
    /// </summary>
    protected async Task<IActionResult> ChangeAsync(Func<Actor, Task> change, string success, Func<IActionResult> done, IReadOnlyDictionary<string, string> fields,
        Func<Task<IActionResult>> show)
    {
        if (!TryActor()) return Forbid();
        if (Errors.Count == 0)
        {
            try
            {
                await change(Actor);
                Message = success;
                return done();
            }
            catch (NotFoundException) { return NotFound(); }
            catch (RegionForbiddenException) { return Forbid(); }
            catch (ValidationException ex) { Absorb(ex, fields); }
            catch (RuleException ex) { RuleError = ex.Message; }
        }
        return await show();
    }

    /// <summary>The region as the signed-in person's municipality sees it, or null when it may not (not a member, or no such region).</summary>
    protected async Task<RegionDetails?> LoadRegionAsync(RegionQueries regions, long regionId, CancellationToken ct)
    {
        try
        {
            return await regions.GetAsync(Actor, regionId, ct);
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    /// <summary>The errors in the order of the form's fields, for the summary at the top.</summary>
    public IReadOnlyList<(string FieldId, string Message)> Summary(IEnumerable<string> order) =>
        order.SelectMany(id => ErrorsFor(id).Select(m => (id, m))).ToList();

    public string? Described(string id, string? hint = null) => BackofficeUi.DescribedBy(Invalid(id), id + "-fehler", hint);
}
