using System.Globalization;
using System.Text.Json.Serialization;
using OpenIkz.Assessment.Potential;
using OpenIkz.Directory.Services;

namespace OpenIkz.Assessment.Assessments;

/// <summary>
/// The request of POST /api/v1/assessments: a title, the partners (AGS), what each partner handles per service, the
/// service target, the assumptions (every one optional, defaults in <see cref="PotentialDefaults"/>) and the
/// transaction costs. An unknown field anywhere is a 400 naming it.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AssessmentRequest(
    string? Title,
    List<string?>? Partners,
    List<LoadRequest?>? Loads,
    TargetRequest? Target,
    AssumptionsRequest? Assumptions,
    TransactionCostsRequest? TransactionCosts);

/// <summary>One partner and service: staff in FTE, the optional own absence rate, and the case groups ('' or absent: the whole service).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LoadRequest(string? PartnerAgs, string? Service, double? StaffFte, double? AbsenceRate, List<CaseGroupRequest?>? CaseGroups);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CaseGroupRequest(string? CaseGroup, double? CasesPerYear, double? MinutesPerCase);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TargetRequest(double? WorkingDays, double? ShareStarted);

/// <summary>The assumptions; <c>method</c> is "erlangC" (default) or "bmi".</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AssumptionsRequest(
    double? WorkingDaysPerYear, double? HoursPerDay, double? AbsenceRate, double? VerteilzeitRate, double? CostPerFteEuro, double? CostPerHourEuro,
    double? FundingThreshold, double? AmortisationYears, string? Method);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TransactionCostsRequest(double? OneOffFixedEuro, double? OneOffPerPartnerEuro, double? YearlyFixedEuro, double? YearlyPerPartnerEuro);

/// <summary>The request of POST /api/v1/assessments/{id}/simulation: days 1–3660 (default 365), seed (default derived from the id).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AssessmentSimulationRequest(int? Days, int? Seed);

/// <summary>A checked request: the normalised title and partners and the input of the potential analysis.</summary>
public sealed record CheckedAssessment(string Title, IReadOnlyList<string> Partners, PotentialInput Input);

/// <summary>
/// Checks a request field by field (every error at once, JSON paths as in the API) beyond what
/// <see cref="PotentialCalculator"/> checks: required values, the service catalogue and its case groups. No I/O.
/// </summary>
public static class AssessmentRequestValidator
{
    public const int MaxTitleLength = 200;

    public static PotentialInput ToInput(AssessmentRequest request, ValidationErrors errors, out string title, out List<string> partners)
    {
        ArgumentNullException.ThrowIfNull(request);
        title = TextInput.Field(errors, "title", request.Title, TextKind.Line, "Der Titel") ?? "";
        if (title.Length is 0 or > MaxTitleLength && !errors.ContainsKey("title"))
            errors.Add("title", $"Bitte einen Titel mit höchstens {MaxTitleLength} Zeichen angeben.");

        partners = Partners(request);
        if (request.Partners is null) errors.Add("partners", "Bitte die Partner (Gemeindeschlüssel) angeben.");

        var loads = new List<ServiceLoad>();
        var list = request.Loads ?? [];
        if (request.Loads is null) errors.Add("loads", "Bitte die Fallzahlen je Partner und Leistung angeben.");
        for (var i = 0; i < list.Count; i++)
        {
            var l = list[i];
            var at = string.Create(CultureInfo.InvariantCulture, $"loads[{i}]");
            if (l is null) { errors.Add(at, "Die Angabe fehlt."); loads.Add(null!); continue; }
            var service = ServiceCatalog.Find(l.Service?.Trim());
            if (!string.IsNullOrWhiteSpace(l.Service) && service is null)
                errors.Add($"{at}.service", $"Die Leistung '{l.Service}' gibt es nicht (möglich: {string.Join(", ", ServiceCatalog.All.Select(s => s.Slug))}).");
            if (l.StaffFte is null) errors.Add($"{at}.staffFte", "Bitte das heutige Personal in Vollzeitäquivalenten angeben (0, wenn keines).");
            var groups = new List<CaseGroupLoad>();
            var groupList = l.CaseGroups ?? [];
            for (var j = 0; j < groupList.Count; j++)
            {
                var g = groupList[j];
                var gat = string.Create(CultureInfo.InvariantCulture, $"{at}.caseGroups[{j}]");
                if (g is null) { errors.Add(gat, "Die Angabe fehlt."); groups.Add(null!); continue; }
                var group = g.CaseGroup?.Trim() ?? "";
                if (group.Length > 0 && service is not null && service.CaseGroups.All(x => x.Slug != group))
                    errors.Add($"{gat}.caseGroup", $"Die Fallgruppe '{group}' gibt es bei {service.Name} nicht (möglich: {string.Join(", ", service.CaseGroups.Select(x => x.Slug))} oder '' für die ganze Leistung).");
                if (g.CasesPerYear is null) errors.Add($"{gat}.casesPerYear", "Bitte die Fallzahl im Jahr angeben.");
                if (g.MinutesPerCase is null) errors.Add($"{gat}.minutesPerCase", "Bitte die mittlere Bearbeitungszeit je Fall in Minuten angeben.");
                groups.Add(new CaseGroupLoad(group, g.CasesPerYear ?? 0, g.MinutesPerCase ?? 1));
            }
            loads.Add(new ServiceLoad(l.PartnerAgs?.Trim() ?? "", service?.Slug ?? l.Service?.Trim() ?? "", l.StaffFte ?? 0, l.CaseGroups is null ? null! : groups, l.AbsenceRate));
        }

        var a = request.Assumptions;
        var d = new PotentialAssumptions();
        var method = StaffingMethod.ErlangC;
        if (a?.Method is { } m)
        {
            if (string.Equals(m, "erlangC", StringComparison.OrdinalIgnoreCase)) method = StaffingMethod.ErlangC;
            else if (string.Equals(m, "bmi", StringComparison.OrdinalIgnoreCase)) method = StaffingMethod.Bmi;
            else errors.Add("assumptions.method", "Die Methode ist „erlangC“ (Warteschlangenmodell, Voreinstellung) oder „bmi“ (Organisationshandbuch).");
        }
        var assumptions = a is null ? d : new PotentialAssumptions(
            a.WorkingDaysPerYear ?? d.WorkingDaysPerYear, a.HoursPerDay ?? d.HoursPerDay, a.AbsenceRate ?? d.AbsenceRate, a.VerteilzeitRate ?? d.VerteilzeitRate,
            a.CostPerFteEuro ?? d.CostPerFteEuro, a.CostPerHourEuro, a.FundingThreshold ?? d.FundingThreshold, a.AmortisationYears ?? d.AmortisationYears, method);
        var t = request.Target;
        var target = new ServiceTarget(t?.WorkingDays ?? PotentialDefaults.TargetWorkingDays, t?.ShareStarted ?? PotentialDefaults.TargetShareStarted);
        var c = request.TransactionCosts;
        var costs = new TransactionCosts(c?.OneOffFixedEuro ?? 0, c?.OneOffPerPartnerEuro ?? 0, c?.YearlyFixedEuro ?? 0, c?.YearlyPerPartnerEuro ?? 0);
        return new PotentialInput(partners, loads, target, assumptions, costs);
    }

    /// <summary>The partners as given, trimmed (null entries as '').</summary>
    public static List<string> Partners(AssessmentRequest request) => (request.Partners ?? []).Select(p => p?.Trim() ?? "").ToList();

    /// <summary>Copies the errors of another validation that name fields not named yet.</summary>
    public static void Merge(ValidationErrors into, ValidationException e)
    {
        foreach (var (field, messages) in e.Errors)
        {
            if (into.ContainsKey(field)) continue;
            foreach (var message in messages) into.Add(field, message);
        }
    }
}
