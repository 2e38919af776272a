using System.Globalization;
using System.Text.Json;
using OpenIkz.Registry;
using OpenIkz.Registry.Cooperations;

namespace OpenIkz.Pages.Register;

public sealed class PartnerRow
{
    public string? Ags { get; set; }
    public string? Role { get; set; }
}

/// <summary>The register entry form as the browser sends it (all text); <see cref="ToInput"/> makes the API's input of it.</summary>
public sealed class RegisterForm
{
    public const int MinPartnerRows = 6;

    public string? Title { get; set; }
    public string? Description { get; set; }
    public string? TaskField { get; set; }
    public string? StateLaw { get; set; }
    public string? LegalForm { get; set; }
    public List<PartnerRow> Partners { get; set; } = [];
    public string? Since { get; set; }
    public string? Status { get; set; }
    public string? RollbackReason { get; set; }
    public string? RollbackYear { get; set; }
    public List<string> Goals { get; set; } = [];
    public List<string> SuccessFactors { get; set; } = [];
    public List<string> Obstacles { get; set; } = [];
    public string? OneOffCost { get; set; }
    public string? YearlyCostBefore { get; set; }
    public string? YearlyCostAfter { get; set; }
    public string? FteBefore { get; set; }
    public string? FteAfter { get; set; }
    public string? ContactMailbox { get; set; }
    public string? Sources { get; set; }
    public string? AgreementId { get; set; }
    public string? Version { get; set; }

    public const string TitleId = "titel", DescriptionId = "beschreibung", TaskFieldId = "aufgabenfeld", StateLawId = "landesrecht", LegalFormId = "rechtsform",
        PartnersId = "partner", SinceId = "seit", StatusId = "status", RollbackReasonId = "rueckabwicklung-grund", RollbackYearId = "rueckabwicklung-jahr",
        GoalsId = "ziele", SuccessFactorsId = "erfolgsfaktoren", ObstaclesId = "hindernisse", OneOffCostId = "kosten-einmalig", YearlyCostBeforeId = "kosten-vorher",
        YearlyCostAfterId = "kosten-nachher", FteBeforeId = "vzae-vorher", FteAfterId = "vzae-nachher", ContactId = "kontakt", SourcesId = "quellen", AgreementId_ = "vereinbarung";

    public static string PartnerAgsId(int row) => $"partner-{row}-schluessel";
    public static string PartnerRoleId(int row) => $"partner-{row}-rolle";

    public bool Linked => !string.IsNullOrWhiteSpace(AgreementId);

    public static RegisterForm From(CooperationDetails e) => new()
    {
        Title = e.Title,
        Description = e.Description,
        TaskField = e.TaskField,
        StateLaw = e.StateLaw,
        LegalForm = e.LegalForm,
        Partners = e.Linked ? [] : e.Partners.Select(p => new PartnerRow { Ags = p.Ags, Role = p.Role }).ToList(),
        Since = e.Linked ? null : e.Since?.ToString(CultureInfo.InvariantCulture),
        Status = e.Linked ? null : e.Status,
        RollbackReason = e.Linked ? null : e.RollbackReason,
        RollbackYear = e.Linked ? null : e.RollbackYear?.ToString(CultureInfo.InvariantCulture),
        Goals = e.Goals.Select(f => f.Slug).ToList(),
        SuccessFactors = e.SuccessFactors.Select(f => f.Slug).ToList(),
        Obstacles = e.Obstacles.Select(f => f.Slug).ToList(),
        OneOffCost = RegisterUi.FormNumber(e.OneOffCost),
        YearlyCostBefore = RegisterUi.FormNumber(e.YearlyCostBefore),
        YearlyCostAfter = RegisterUi.FormNumber(e.YearlyCostAfter),
        FteBefore = RegisterUi.FormNumber(e.FteBefore),
        FteAfter = RegisterUi.FormNumber(e.FteAfter),
        ContactMailbox = e.ContactMailbox,
        Sources = string.Join("\n", e.Sources),
        AgreementId = e.AgreementId?.ToString(CultureInfo.InvariantCulture),
        Version = e.Version.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The API input of the form. Empty partner rows are skipped (<paramref name="partnerRows"/> maps the input's partner index to
    /// the form row); what the form cannot even read (a year that is no number) goes to <paramref name="errors"/> by field id.
    /// A linked entry sends no partners, status or years: they come from the agreement.
    /// </summary>
    public CooperationInput ToInput(Dictionary<string, List<string>> errors, out List<int> partnerRows)
    {
        partnerRows = [];
        var partners = new List<PartnerInput>();
        for (var row = 0; row < Partners.Count; row++)
        {
            if (string.IsNullOrWhiteSpace(Partners[row].Ags)) continue;
            partners.Add(new PartnerInput(Partners[row].Ags, Partners[row].Role));
            partnerRows.Add(row);
        }
        int? Year(string? text, string id)
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var y)) return y;
            Add(errors, id, "Bitte das Jahr vierstellig angeben, z. B. 2021.");
            return null;
        }
        long? agreement = null;
        if (Linked)
        {
            if (long.TryParse(AgreementId!.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var a)) agreement = a;
            else Add(errors, AgreementId_, "Bitte eine Vereinbarung aus der Liste wählen.");
        }
        static JsonElement? Number(string? text) => string.IsNullOrWhiteSpace(text) ? null : JsonSerializer.SerializeToElement(text.Trim());
        int? version = int.TryParse(Version, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
        var sources = (Sources ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        return new CooperationInput(Title, Description, Empty(TaskField), Empty(StateLaw), Empty(LegalForm),
            Linked ? null : partners, Linked ? null : Year(Since, SinceId), Linked ? null : Empty(Status),
            Linked ? null : Empty(RollbackReason), Linked ? null : Year(RollbackYear, RollbackYearId),
            Goals, SuccessFactors, Obstacles, Number(OneOffCost), Number(YearlyCostBefore), Number(YearlyCostAfter), Number(FteBefore), Number(FteAfter),
            Empty(ContactMailbox), sources, agreement, version);
    }

    private static string? Empty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static void Add(Dictionary<string, List<string>> errors, string id, string message)
    {
        if (!errors.TryGetValue(id, out var list)) errors[id] = list = [];
        list.Add(message);
    }

    /// <summary>The form field of an error key of the validator (JSON path), given which form row each partner came from.</summary>
    public static string FieldId(string key, IReadOnlyList<int> partnerRows)
    {
        if (key.StartsWith("partners[", StringComparison.Ordinal))
        {
            var close = key.IndexOf(']', StringComparison.Ordinal);
            var index = int.Parse(key[9..close], CultureInfo.InvariantCulture);
            var row = index < partnerRows.Count ? partnerRows[index] : index;
            return key.EndsWith(".role", StringComparison.Ordinal) ? PartnerRoleId(row) : PartnerAgsId(row);
        }
        if (key.StartsWith("sources", StringComparison.Ordinal)) return SourcesId;
        return key switch
        {
            "title" => TitleId,
            "description" => DescriptionId,
            "taskField" => TaskFieldId,
            "stateLaw" => StateLawId,
            "legalForm" => LegalFormId,
            "partners" => PartnersId,
            "since" => SinceId,
            "status" => StatusId,
            "rollbackReason" => RollbackReasonId,
            "rollbackYear" => RollbackYearId,
            "goals" => GoalsId,
            "successFactors" => SuccessFactorsId,
            "obstacles" => ObstaclesId,
            "oneOffCost" => OneOffCostId,
            "yearlyCostBefore" => YearlyCostBeforeId,
            "yearlyCostAfter" => YearlyCostAfterId,
            "fteBefore" => FteBeforeId,
            "fteAfter" => FteAfterId,
            "contactMailbox" => ContactId,
            "agreementId" => AgreementId_,
            _ => "",
        };
    }

    /// <summary>The order of the fields on the page, for the error summary.</summary>
    public IReadOnlyList<string> FieldOrder() =>
    [
        TitleId, DescriptionId, TaskFieldId, StateLawId, LegalFormId, AgreementId_, PartnersId,
        .. Enumerable.Range(0, Partners.Count).SelectMany(i => new[] { PartnerAgsId(i), PartnerRoleId(i) }),
        SinceId, StatusId, RollbackReasonId, RollbackYearId, GoalsId, SuccessFactorsId, ObstaclesId,
        OneOffCostId, YearlyCostBeforeId, YearlyCostAfterId, FteBeforeId, FteAfterId, ContactId, SourcesId,
    ];

    public static IReadOnlyList<(string Kind, string Id, string Legend)> FactorGroups { get; } =
    [
        (Factors.Goal, GoalsId, "Ziele"), (Factors.SuccessFactor, SuccessFactorsId, "Erfolgsfaktoren"), (Factors.Obstacle, ObstaclesId, "Hindernisse"),
    ];

    public List<string> Selected(string kind) => kind switch { Factors.Goal => Goals, Factors.SuccessFactor => SuccessFactors, _ => Obstacles };
}
