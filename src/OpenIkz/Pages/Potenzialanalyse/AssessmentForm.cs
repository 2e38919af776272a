using System.Globalization;
using System.Text.RegularExpressions;
using OpenIkz.Assessment.Assessments;
using OpenIkz.Assessment.Potential;
using OpenIkz.Directory.Services;

namespace OpenIkz.Pages.Potenzialanalyse;

/// <summary>One candidate partner: a municipality of the directory, and whether its figures come from the back office.</summary>
public sealed class PartnerRow
{
    public string? Ags { get; set; }
    public bool FromBackoffice { get; set; }
}

/// <summary>
/// One line of figures: which partner (index of the partner rows), service and case group ("wohngeld|mietzuschuss";
/// "wohngeld|" for the whole service), and the figures as typed in German format. Rows of the same partner and service
/// form one load: their staff is summed, their absence rate must agree.
/// </summary>
public sealed class LoadRow
{
    public string? Partner { get; set; }
    public string? ServiceGroup { get; set; }
    public string? CasesPerYear { get; set; }
    public string? MinutesPerCase { get; set; }
    public string? StaffFte { get; set; }
    public string? AbsencePercent { get; set; }

    public bool IsEmpty => string.IsNullOrWhiteSpace(Partner) && string.IsNullOrWhiteSpace(ServiceGroup) && string.IsNullOrWhiteSpace(CasesPerYear)
                           && string.IsNullOrWhiteSpace(MinutesPerCase) && string.IsNullOrWhiteSpace(StaffFte) && string.IsNullOrWhiteSpace(AbsencePercent);

    public (string Service, string CaseGroup)? Parsed =>
        ServiceGroup?.Split('|') is [var s, var g] && ServiceCatalog.Find(s) is { } service && (g.Length == 0 || service.CaseGroups.Any(x => x.Slug == g)) ? (s, g) : null;
}

/// <summary>A choice of the service and case group select.</summary>
public sealed record ServiceGroupOption(string Value, string ServiceName, string Label);

/// <summary>
/// The guided form of a potential analysis as the browser sends it: text as typed (German numbers such as 1.234,5),
/// percentages instead of shares. <see cref="ToRequest"/> turns it into the <see cref="AssessmentRequest"/> of the API,
/// <see cref="FieldId"/> maps the API's error paths back to the inputs.
/// </summary>
public sealed partial class AssessmentForm
{
    public const int PartnerRows = 5, LoadRows = 10;

    public string? Title { get; set; }
    public List<PartnerRow> Partners { get; set; } = [];
    public List<LoadRow> Loads { get; set; } = [];
    public string? TargetWorkingDays { get; set; }
    public string? TargetSharePercent { get; set; }
    public string? WorkingDaysPerYear { get; set; }
    public string? HoursPerDay { get; set; }
    public string? AbsencePercent { get; set; }
    public string? VerteilzeitPercent { get; set; }
    public string? CostPerFte { get; set; }
    public string? CostPerHour { get; set; }
    public string? FundingThresholdPercent { get; set; }
    public string? AmortisationYears { get; set; }
    public string? Method { get; set; }
    public string? OneOffFixed { get; set; }
    public string? OneOffPerPartner { get; set; }
    public string? YearlyFixed { get; set; }
    public string? YearlyPerPartner { get; set; }

    public static readonly IReadOnlyList<ServiceGroupOption> ServiceGroups = ServiceCatalog.All
        .SelectMany(s => new[] { new ServiceGroupOption(s.Slug + "|", s.Name, $"{s.Name} – ganze Leistung") }
            .Concat(s.CaseGroups.Select(g => new ServiceGroupOption($"{s.Slug}|{g.Slug}", s.Name, $"{s.Name} – {g.Label}"))))
        .ToList();

    /// <summary>A new form: the caller's municipality as first partner, the documented defaults filled in.</summary>
    public static AssessmentForm New(string ags)
    {
        var d = new PotentialAssumptions();
        return new AssessmentForm
        {
            Partners = [new PartnerRow { Ags = ags }],
            TargetWorkingDays = Text(PotentialDefaults.TargetWorkingDays),
            TargetSharePercent = Text(PotentialDefaults.TargetShareStarted * 100),
            WorkingDaysPerYear = Text(d.WorkingDaysPerYear),
            HoursPerDay = Text(d.HoursPerDay),
            AbsencePercent = Text(d.AbsenceRate * 100),
            VerteilzeitPercent = Text(d.VerteilzeitRate * 100),
            CostPerFte = Text(d.CostPerFteEuro),
            FundingThresholdPercent = Text(d.FundingThreshold * 100),
            AmortisationYears = Text(d.AmortisationYears),
            Method = "erlangC",
            OneOffFixed = "0", OneOffPerPartner = "0", YearlyFixed = "0", YearlyPerPartner = "0",
        };
    }

    /// <summary>A figure in German format without needless decimals: 75.000, 7,8.</summary>
    public static string Text(double value) => value.ToString("#,##0.##########", Ui.German);

    public PartnerRow Partner(int row) => row < Partners.Count ? Partners[row] ?? new PartnerRow() : new PartnerRow();
    public LoadRow Load(int row) => row < Loads.Count ? Loads[row] ?? new LoadRow() : new LoadRow();

    public void Pad()
    {
        while (Partners.Count < PartnerRows) Partners.Add(new PartnerRow());
        while (Loads.Count < LoadRows) Loads.Add(new LoadRow());
    }

    // Field ids (the error summary links to them).
    public const string TitleId = "titel", PartnersId = "partner", LoadsId = "zahlen", TargetDaysId = "ziel-tage", TargetShareId = "ziel-anteil",
        WorkingDaysId = "arbeitstage", HoursId = "stunden", AbsenceId = "ausfall", VerteilzeitId = "verteilzeit", CostFteId = "kosten-vzae",
        CostHourId = "kosten-stunde", FundingId = "foerderschwelle", AmortisationId = "abschreibung", MethodId = "methode-erlangC",
        OneOffFixedId = "einmalig-fest", OneOffPerPartnerId = "einmalig-partner", YearlyFixedId = "jaehrlich-fest", YearlyPerPartnerId = "jaehrlich-partner";

    public static string PartnerId(int row) => $"partner-{row}-kommune";
    public static string BackofficeId(int row) => $"partner-{row}-backoffice";
    public static string RowPartnerId(int row) => $"zeile-{row}-partner";
    public static string RowServiceId(int row) => $"zeile-{row}-leistung";
    public static string RowCasesId(int row) => $"zeile-{row}-faelle";
    public static string RowMinutesId(int row) => $"zeile-{row}-minuten";
    public static string RowStaffId(int row) => $"zeile-{row}-personal";
    public static string RowAbsenceId(int row) => $"zeile-{row}-ausfall";

    /// <summary>Which form rows an API path refers to: partner index → partner row, load index → its rows, (load, group) → row.</summary>
    public sealed class Mapping
    {
        public List<int> PartnerRows { get; } = [];
        public List<List<int>> LoadRows { get; } = [];
    }

    /// <summary>
    /// The request for <see cref="AssessmentService"/>, or the errors of what cannot even be read (numbers, choices), keyed by
    /// field id. Empty rows are left out; figures of partners taken from the back office must already be in the rows.
    /// </summary>
    public AssessmentRequest ToRequest(Dictionary<string, List<string>> errors, out Mapping map)
    {
        void Add(string id, string message)
        {
            if (!errors.TryGetValue(id, out var list)) errors[id] = list = [];
            if (!list.Contains(message)) list.Add(message);
        }
        map = new Mapping();
        var partners = new List<string?>();
        var partnerOfRow = new Dictionary<int, string>();
        for (var row = 0; row < Partners.Count; row++)
        {
            var p = Partners[row];
            if (p is null || string.IsNullOrWhiteSpace(p.Ags))
            {
                if (p is { FromBackoffice: true }) Add(PartnerId(row), $"Partner {row + 1}: Bitte wählen Sie die Kommune.");
                continue;
            }
            partners.Add(p.Ags.Trim());
            partnerOfRow[row] = p.Ags.Trim();
            map.PartnerRows.Add(row);
        }

        var groups = new List<(string Ags, string Service, List<(int Row, string Group, double? Cases, double? Minutes)> Lines, double Staff, double? Absence, bool StaffMissing)>();
        for (var row = 0; row < Loads.Count; row++)
        {
            var l = Loads[row];
            if (l is null || l.IsEmpty) continue;
            string? ags = null;
            if (!int.TryParse(l.Partner, NumberStyles.None, CultureInfo.InvariantCulture, out var pr) || !partnerOfRow.TryGetValue(pr, out ags))
                Add(RowPartnerId(row), $"Zeile {row + 1}: Bitte wählen Sie einen der oben gewählten Partner.");
            var sg = l.Parsed;
            if (sg is null) Add(RowServiceId(row), $"Zeile {row + 1}: Bitte wählen Sie die Leistung und Fallgruppe.");
            var cases = Number(l.CasesPerYear, RowCasesId(row), $"Zeile {row + 1}: Die Fallzahl im Jahr", Add, required: true);
            var minutes = Number(l.MinutesPerCase, RowMinutesId(row), $"Zeile {row + 1}: Die Minuten je Fall", Add, required: true);
            var staff = Number(l.StaffFte, RowStaffId(row), $"Zeile {row + 1}: Das Personal (VZÄ, 0 wenn keines)", Add, required: true);
            var absence = Number(l.AbsencePercent, RowAbsenceId(row), $"Zeile {row + 1}: Die Ausfallquote", Add, required: false);
            if (ags is null || sg is null) continue;
            var index = groups.FindIndex(g => g.Ags == ags && g.Service == sg.Value.Service);
            if (index < 0)
            {
                groups.Add((ags, sg.Value.Service, [], 0, null, false));
                index = groups.Count - 1;
            }
            var group = groups[index];
            if (absence is not null && group.Absence is not null && Math.Abs(absence.Value - group.Absence.Value) > 1e-9)
                Add(RowAbsenceId(row), $"Zeile {row + 1}: Für eine Leistung eines Partners gilt eine Ausfallquote; bitte in allen Zeilen dieser Leistung gleich oder leer lassen.");
            group.Lines.Add((row, sg.Value.CaseGroup, cases, minutes));
            groups[index] = (group.Ags, group.Service, group.Lines, group.Staff + (staff ?? 0), group.Absence ?? absence, group.StaffMissing || staff is null);
        }

        var loads = new List<LoadRequest?>();
        foreach (var g in groups)
        {
            map.LoadRows.Add(g.Lines.Select(x => x.Row).ToList());
            loads.Add(new LoadRequest(g.Ags, g.Service, g.Staff, g.Absence / 100,
                g.Lines.Select(x => (CaseGroupRequest?)new CaseGroupRequest(x.Group, x.Cases ?? 0, x.Minutes ?? 1)).ToList()));
        }
        if (loads.Count == 0 && !errors.Keys.Any(k => k.StartsWith("zeile-", StringComparison.Ordinal)))
            Add(LoadsId, "Bitte geben Sie mindestens eine Zeile mit Fallzahlen an (Partner, Leistung, Fälle, Minuten, Personal).");

        double? Field(string? text, string id, string label, bool required = true) => Number(text, id, label, Add, required);
        var targetDays = Field(TargetWorkingDays, TargetDaysId, "Das Ziel (Arbeitstage)");
        var targetShare = Field(TargetSharePercent, TargetShareId, "Der Anteil des Ziels");
        var assumptions = new AssumptionsRequest(
            Field(WorkingDaysPerYear, WorkingDaysId, "Die Arbeitstage im Jahr"), Field(HoursPerDay, HoursId, "Die Arbeitsstunden am Tag"),
            Field(AbsencePercent, AbsenceId, "Die Ausfallquote") / 100, Field(VerteilzeitPercent, VerteilzeitId, "Die Verteilzeit") / 100,
            Field(CostPerFte, CostFteId, "Die Kosten je VZÄ"), Field(CostPerHour, CostHourId, "Die Kosten je Stunde", required: false),
            Field(FundingThresholdPercent, FundingId, "Die Förderschwelle") / 100, Field(AmortisationYears, AmortisationId, "Die Abschreibungsdauer"),
            Method is "bmi" ? "bmi" : "erlangC");
        var costs = new TransactionCostsRequest(
            Field(OneOffFixed, OneOffFixedId, "Die einmaligen Kosten (fest)", required: false) ?? 0, Field(OneOffPerPartner, OneOffPerPartnerId, "Die einmaligen Kosten je Partner", required: false) ?? 0,
            Field(YearlyFixed, YearlyFixedId, "Die jährlichen Kosten (fest)", required: false) ?? 0, Field(YearlyPerPartner, YearlyPerPartnerId, "Die jährlichen Kosten je Partner", required: false) ?? 0);
        return new AssessmentRequest(Title, partners, loads,
            new TargetRequest(targetDays, targetShare / 100), assumptions, costs);
    }

    [GeneratedRegex(@"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")]
    private static partial Regex GermanNumber();

    /// <summary>
    /// A number typed in German: "1.234,5", "1234,5", "12"; a trailing € or % and spaces are allowed. "1,234.5" and "1.5"
    /// are refused (a point separates thousands), so is anything else — with a message naming the field.
    /// </summary>
    public static double? Number(string? text, string id, string label, Action<string, string> add, bool required)
    {
        var t = (text ?? "").Replace('\u00A0', ' ').Replace('\u202F', ' ').Trim().TrimEnd('€', '%').Trim().Replace(" ", "", StringComparison.Ordinal);
        if (t.Length == 0)
        {
            if (required) add(id, $"{label}: Bitte eine Zahl angeben.");
            return null;
        }
        if (t.Length > 30 || !GermanNumber().IsMatch(t)
            || !double.TryParse(t, NumberStyles.AllowLeadingSign | NumberStyles.AllowThousands | NumberStyles.AllowDecimalPoint, Ui.German, out var value)
            || !double.IsFinite(value))
        {
            add(id, $"{label}: „{(text ?? "").Trim()}“ ist keine Zahl im deutschen Format (z. B. 1.234,5).");
            return null;
        }
        return value;
    }

    /// <summary>The field id for an error path of the API (<see cref="AssessmentRequestValidator"/>, <see cref="PotentialCalculator"/>).</summary>
    public static string FieldId(string key, Mapping map)
    {
        var m = Regex.Match(key, @"^partners\[(\d+)\]");
        if (m.Success) return int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) is var p && p < map.PartnerRows.Count ? PartnerId(map.PartnerRows[p]) : PartnersId;
        m = Regex.Match(key, @"^loads\[(\d+)\](?:\.caseGroups\[(\d+)\])?(?:\.(\w+))?");
        if (m.Success)
        {
            var i = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            if (i >= map.LoadRows.Count) return LoadsId;
            var rows = map.LoadRows[i];
            var row = m.Groups[2].Success && int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) is var j && j < rows.Count ? rows[j] : rows[0];
            return m.Groups[3].Value switch
            {
                "casesPerYear" => RowCasesId(row),
                "minutesPerCase" => RowMinutesId(row),
                "staffFte" => RowStaffId(row),
                "absenceRate" => RowAbsenceId(row),
                "partnerAgs" => RowPartnerId(row),
                _ => RowServiceId(row),
            };
        }
        return key switch
        {
            "title" => TitleId,
            "partners" => PartnersId,
            "loads" => LoadsId,
            "target.workingDays" => TargetDaysId,
            "target.shareStarted" => TargetShareId,
            "assumptions.workingDaysPerYear" => WorkingDaysId,
            "assumptions.hoursPerDay" => HoursId,
            "assumptions.absenceRate" => AbsenceId,
            "assumptions.verteilzeitRate" => VerteilzeitId,
            "assumptions.costPerFteEuro" => CostFteId,
            "assumptions.costPerHourEuro" => CostHourId,
            "assumptions.fundingThreshold" => FundingId,
            "assumptions.amortisationYears" => AmortisationId,
            "assumptions.method" => MethodId,
            "transactionCosts.oneOffFixedEuro" => OneOffFixedId,
            "transactionCosts.oneOffPerPartnerEuro" => OneOffPerPartnerId,
            "transactionCosts.yearlyFixedEuro" => YearlyFixedId,
            "transactionCosts.yearlyPerPartnerEuro" => YearlyPerPartnerId,
            _ => "",
        };
    }

    /// <summary>The order of the fields on the page (for the error summary).</summary>
    public List<string> FieldOrder()
    {
        var order = new List<string> { TitleId, PartnersId };
        for (var row = 0; row < Math.Max(PartnerRows, Partners.Count); row++) { order.Add(PartnerId(row)); order.Add(BackofficeId(row)); }
        order.Add(LoadsId);
        for (var row = 0; row < Math.Max(LoadRows, Loads.Count); row++)
            order.AddRange([RowPartnerId(row), RowServiceId(row), RowCasesId(row), RowMinutesId(row), RowStaffId(row), RowAbsenceId(row)]);
        order.AddRange([TargetDaysId, TargetShareId, WorkingDaysId, HoursId, AbsenceId, VerteilzeitId, CostFteId, CostHourId, FundingId, AmortisationId, MethodId,
            OneOffFixedId, OneOffPerPartnerId, YearlyFixedId, YearlyPerPartnerId]);
        return order;
    }
}
