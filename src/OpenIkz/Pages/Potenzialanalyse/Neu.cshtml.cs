using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenIkz.Agreements;
using OpenIkz.Assessment.Assessments;
using OpenIkz.Directory.Municipalities;
using OpenIkz.Directory.Services;

namespace OpenIkz.Pages.Potenzialanalyse;

/// <summary>
/// The guided form of a potential analysis (/Potenzialanalyse/Neu): partners, figures per partner, service and case
/// group, the target, the assumptions with their documented defaults and the transaction costs. "Zahlen übernehmen" fills
/// the figures of the partners marked for it from the back office's last 12 months and shows them, storing nothing;
/// "Berechnen und speichern" checks everything and stores only when all is right. Koordination only (as the API).
/// </summary>
[Authorize(Policy = AgreementsApi.CoordinatorPolicy)]
public sealed class NeuModel(AssessmentService assessments, BackofficeFigureQuery backoffice, MunicipalityQueries municipalities) : FormPageModel
{
    [BindProperty] public AssessmentForm Form { get; set; } = new();

    public IReadOnlyList<Municipality> Municipalities { get; private set; } = [];
    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        Form = AssessmentForm.New(actor.Ags);
        await LoadAsync(ct);
        return Page();
    }

    /// <summary>Takes the back-office figures into the form and shows them; stores nothing.</summary>
    public async Task<IActionResult> OnPostUebernehmenAsync(CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        await LoadAsync(ct);
        var sources = await FillFromBackofficeAsync(actor, ct);
        if (Errors.Count == 0)
            Message = sources.Count == 0
                ? "Es ist kein Partner für die Übernahme aus dem Back Office markiert, oder er hat keine Zeile mit Leistung. Es wurde nichts geändert."
                : $"Die Zahlen aus dem Back Office wurden in {sources.Count} Zeile(n) übernommen. Prüfen Sie sie; gespeichert ist noch nichts.";
        ModelState.Clear();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Actor.From(User) is not { IsUser: true } actor) return Forbid();
        await LoadAsync(ct);
        var taken = await FillFromBackofficeAsync(actor, ct);
        ModelState.Clear();
        var request = Form.ToRequest(Errors, out var map);
        if (!request.Partners!.Contains(actor.Ags, StringComparer.Ordinal))
            AddError(AssessmentForm.PartnersId, $"Ihre Kommune ({NameOf(actor.Ags)}) muss zu den Partnern gehören.");
        if (Errors.Count > 0) return Page();

        var sources = new List<string>(taken.Values);
        foreach (var (load, rows) in request.Loads!.Zip(map.LoadRows))
            foreach (var row in rows.Where(r => !taken.ContainsKey(r)))
            {
                var (service, group) = Form.Load(row).Parsed!.Value;
                sources.Add($"{NameOf(load!.PartnerAgs!)}, {ServiceCatalog.Get(service).Name}{(group.Length == 0 ? "" : " – " + AssessmentReport.CaseGroup(service, group))}: " +
                            "Angaben der Koordination im Formular.");
            }
        try
        {
            var (id, _) = await assessments.CreateAsync(actor, request, sources, ct);
            TempData["Message"] = "Die Potenzialanalyse wurde berechnet und gespeichert.";
            return Redirect($"/Potenzialanalyse/{id}");
        }
        catch (ValidationException ex)
        {
            foreach (var (key, messages) in ex.Errors)
                foreach (var message in messages)
                {
                    var field = AssessmentForm.FieldId(key, map);
                    if (field.Length > 0) AddError(field, message);
                    else RuleError = RuleError is null ? message : RuleError + " " + message;
                }
        }
        catch (AssessmentForbiddenException ex)
        {
            AddError(AssessmentForm.PartnersId, ex.Message);
        }
        return Page();
    }

    private string NameOf(string ags) => Municipalities.FirstOrDefault(m => m.Ags == ags)?.Name ?? ags;

    /// <summary>
    /// For every partner marked "from the back office": its rows' cases per year and minutes per case from the last 12
    /// months (minutes only where the back office measured some; else the typed value stays). Errors go next to the fields.
    /// Returns the rows filled, each with the German line naming the source.
    /// </summary>
    private async Task<Dictionary<int, string>> FillFromBackofficeAsync(Actor actor, CancellationToken ct)
    {
        Form.Pad();
        var filled = new Dictionary<int, string>();
        var hours = AssessmentForm.Number(Form.HoursPerDay, AssessmentForm.HoursId, "", (_, _) => { }, false) is { } h and > 0 and <= 24 ? h : Assessment.Potential.PotentialDefaults.HoursPerDay;
        var cache = new Dictionary<(string, string), BackofficeFigures?>();
        for (var p = 0; p < Form.Partners.Count; p++)
        {
            var partner = Form.Partner(p);
            if (!partner.FromBackoffice || string.IsNullOrWhiteSpace(partner.Ags)) continue;
            var ags = partner.Ags.Trim();
            if (!await backoffice.MayReadAsync(actor, ags, ct))
            {
                AddError(AssessmentForm.BackofficeId(p), $"Partner {p + 1}: Die Back-Office-Zahlen von {NameOf(ags)} kann Ihre Kommune nicht übernehmen: nur die eigenen " +
                                                        "und die von Kommunen, mit denen sie eine geltende Vereinbarung hat. Bitte tragen Sie die Zahlen ein.");
                continue;
            }
            var rows = 0;
            for (var row = 0; row < Form.Loads.Count; row++)
            {
                var line = Form.Load(row);
                if (line.Partner != p.ToString(System.Globalization.CultureInfo.InvariantCulture) || line.Parsed is not { } sg) continue;
                rows++;
                if (!cache.TryGetValue((ags, sg.Service), out var figures))
                    cache[(ags, sg.Service)] = figures = await backoffice.LastYearAsync(ags, sg.Service, hours, ct);
                var serviceName = ServiceCatalog.Get(sg.Service).Name;
                if (figures is null)
                {
                    AddError(AssessmentForm.RowCasesId(row), $"Zeile {row + 1}: Im Back Office gibt es für {NameOf(ags)} keine Vorgänge der Leistung {serviceName} aus den letzten 12 Monaten.");
                    continue;
                }
                if (figures.CoveredDays < BackofficeFigureQuery.MinimumCoveredDays)
                {
                    AddError(AssessmentForm.RowCasesId(row), $"Zeile {row + 1}: Das Back Office hat für {NameOf(ags)} und {serviceName} erst Vorgänge aus {figures.CoveredDays:0} Tagen; " +
                                                             $"für eine Jahreszahl braucht es mindestens {BackofficeFigureQuery.MinimumCoveredDays}. Bitte tragen Sie die Zahlen ein.");
                    continue;
                }
                var f = figures.For(sg.CaseGroup);
                line.CasesPerYear = f.CasesPerYear.ToString("N0", Ui.German);
                if (f.MeanMinutesPerCase is { } minutes) line.MinutesPerCase = minutes.ToString("N1", Ui.German);
                else if (string.IsNullOrWhiteSpace(line.MinutesPerCase))
                    AddError(AssessmentForm.RowMinutesId(row), $"Zeile {row + 1}: Das Back Office hat für {NameOf(ags)} und {serviceName} keine gemessene Bearbeitungszeit " +
                                                               "(kein Vorgang von der Übernahme bis zum Bescheid); bitte tragen Sie die Minuten je Fall ein.");
                var label = sg.CaseGroup.Length == 0 ? "" : AssessmentReport.CaseGroup(sg.Service, sg.CaseGroup);
                var described = figures.Describe(NameOf(ags), label.Length == 0 ? serviceName : $"{serviceName} – {label}", sg.CaseGroup);
                filled[row] = f.MeanMinutesPerCase is null ? described.TrimEnd('.') + "; Minuten je Fall: Angabe der Koordination im Formular." : described;
            }
            if (rows == 0)
                AddError(AssessmentForm.BackofficeId(p), $"Partner {p + 1}: Für die Übernahme braucht dieser Partner mindestens eine Zeile mit Leistung unten.");
        }
        return filled;
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var collation = StringComparer.Create(Ui.German, System.Globalization.CompareOptions.None);
        Municipalities = (await municipalities.ListAsync(new MunicipalityFilter(), ct))
            .OrderBy(m => m.StateName, collation).ThenBy(m => m.Name, collation).ToList();
        Form.Pad();
    }
}
