using OpenIkz.Agreements;
using OpenIkz.Registry;
using OpenIkz.Registry.Cooperations;

namespace OpenIkz.Pages.Register;

/// <summary>Labels, ids and formatting the register pages share.</summary>
public static class RegisterUi
{
    /// <summary>The filter inputs of the register page by the search parameter they send.</summary>
    public static string FilterId(string parameter) => parameter switch
    {
        "q" => "suche",
        "taskField" => "filter-aufgabenfeld",
        "state" => "filter-land",
        "district" => "filter-kreis",
        "legalForm" => "filter-rechtsform",
        "status" => "filter-status",
        _ => "seite",
    };

    /// <summary>Every legal form an entry may have under some law, once, with its label (the law decides which are valid).</summary>
    public static IReadOnlyList<CatalogItem> AllLegalForms { get; } = LegalForms.Laws.SelectMany(l => RegistryLegalForms.FormsOf(l.Slug))
        .DistinctBy(f => f.Slug).ToList();

    public static string BadgeClass(string status) => status switch
    {
        RegistryStatus.Implemented => "kern-badge--success",
        RegistryStatus.InProgress => "kern-badge--info",
        RegistryStatus.Planned => "kern-badge--warning",
        _ => "kern-badge--danger",
    };

    /// <summary>"Kreis Lippe (federführend), Augustdorf, Barntrup und 8 weitere".</summary>
    public static string PartnerSummary(IReadOnlyList<PartnerView> partners, int shown = 4)
    {
        var names = partners.Take(shown).Select(p => p.Role == PartnerRoles.Lead ? $"{p.Name} (federführend)" : p.Name).ToList();
        return partners.Count > shown ? string.Join(", ", names) + $" und {partners.Count - shown} weitere" : string.Join(", ", names);
    }

    public static string Euro(decimal? value) => value is { } v ? v.ToString("N2", Ui.German) + " €" : "nicht angegeben";

    public static string Fte(decimal? value) => value is { } v ? v.ToString("N2", Ui.German) : "nicht angegeben";

    /// <summary>A figure as the form shows it: German, without thousands separators ("12500,00").</summary>
    public static string FormNumber(decimal? value) => value is { } v ? v.ToString("0.00", Ui.German) : "";
}
