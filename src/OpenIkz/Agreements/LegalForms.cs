namespace OpenIkz.Agreements;

public sealed record LegalForm(string Slug, string Label, bool CanTransferTask, bool AlwaysNeedsApproval, string LegalBasis);

public sealed record StateLaw(string Slug, string Label, string State, IReadOnlyList<LegalForm> Forms)
{
    public LegalForm? Form(string? slug) => Forms.FirstOrDefault(f => f.Slug == slug);

    /// <summary>The law in the genitive, with its article: „des Landesgesetzes über die kommunale Zusammenarbeit (KomZG)“ (every label starts with its noun, „Gesetz“ or „Landesgesetz“).</summary>
    public string Genitive => "des " + Inflect(Label);

    /// <summary>The law in the dative, with its article: „dem Gesetz über kommunale Gemeinschaftsarbeit (GkG NRW)“.</summary>
    public string Dative => "dem " + Label;

    private static string Inflect(string label)
    {
        var space = label.IndexOf(' ', StringComparison.Ordinal);
        var noun = space < 0 ? label : label[..space];
        return noun.EndsWith("gesetz", StringComparison.OrdinalIgnoreCase) || noun == "Gesetz" ? noun + "es" + label[noun.Length..] : label;
    }
}

/// <summary>
/// The legal forms of inter-municipal cooperation under each state's law, and when the supervisory
/// authority (Kommunalaufsicht) must approve. Sachsen-Anhalt (seeds/000, 2.3): an Arbeitsgemeinschaft
/// cannot take over tasks; a Zweckvereinbarung that transfers statutory tasks needs the approval of the
/// Kommunalaufsicht; a Zweckverband needs an approved Verbandssatzung. NRW (seeds/004, 1.2.6): öffentlich-
/// rechtliche Vereinbarung (§§ 23–26 GkG NRW), kommunale Arbeitsgemeinschaft, Zweckverband, gemeinsames
/// Kommunalunternehmen. Rheinland-Pfalz: KomZG (Zweckvereinbarung, Zweckverband, kommunale
/// Arbeitsgemeinschaft, gemeinsame kommunale Anstalt; the ADD is the supervisory authority).
/// </summary>
public static class LegalForms
{
    public static readonly IReadOnlyList<StateLaw> Laws =
    [
        new("gkg-lsa", "Gesetz über kommunale Gemeinschaftsarbeit (GKG-LSA)", "ST",
        [
            new("arbeitsgemeinschaft", "Arbeitsgemeinschaft", CanTransferTask: false, AlwaysNeedsApproval: false, "§ 2 Abs. 2 GKG-LSA"),
            new("zweckvereinbarung", "Zweckvereinbarung", CanTransferTask: true, AlwaysNeedsApproval: false, "§ 3 GKG-LSA"),
            new("zweckverband", "Zweckverband", CanTransferTask: true, AlwaysNeedsApproval: true, "§§ 6, 7 GKG-LSA"),
        ]),
        new("gkg-nrw", "Gesetz über kommunale Gemeinschaftsarbeit (GkG NRW)", "NW",
        [
            new("oeffentlich-rechtliche-vereinbarung", "Öffentlich-rechtliche Vereinbarung", CanTransferTask: true, AlwaysNeedsApproval: false, "§§ 23–26 GkG NRW"),
            new("kommunale-arbeitsgemeinschaft", "Kommunale Arbeitsgemeinschaft", CanTransferTask: false, AlwaysNeedsApproval: false, "§§ 2–3 GkG NRW"),
            new("zweckverband", "Zweckverband", CanTransferTask: true, AlwaysNeedsApproval: true, "§§ 4–22 GkG NRW"),
            new("gemeinsames-kommunalunternehmen", "Gemeinsames Kommunalunternehmen (AöR)", CanTransferTask: true, AlwaysNeedsApproval: true, "§§ 27, 28 GkG NRW"),
        ]),
        new("komzg-rp", "Landesgesetz über die kommunale Zusammenarbeit (KomZG)", "RP",
        [
            new("zweckvereinbarung", "Zweckvereinbarung", CanTransferTask: true, AlwaysNeedsApproval: false, "§§ 12, 13 KomZG"),
            new("zweckverband", "Zweckverband", CanTransferTask: true, AlwaysNeedsApproval: true, "§§ 2–11 KomZG"),
            new("kommunale-arbeitsgemeinschaft", "Kommunale Arbeitsgemeinschaft", CanTransferTask: false, AlwaysNeedsApproval: false, "§ 14 KomZG"),
            new("gemeinsame-kommunale-anstalt", "Gemeinsame kommunale Anstalt", CanTransferTask: true, AlwaysNeedsApproval: true, "§ 14a KomZG"),
        ]),
    ];

    public static StateLaw? Law(string? slug) => Laws.FirstOrDefault(l => l.Slug == slug);

    /// <summary>Approval is needed for corporate forms, and for a contract that transfers the task itself.</summary>
    public static bool NeedsApproval(LegalForm form, bool transfersTask) => form.AlwaysNeedsApproval || transfersTask;
}

/// <summary>Why a cooperation ended: the categories of the gpaNRW survey (seeds/004, 1.2.9).</summary>
public static class TerminationReasons
{
    public static readonly IReadOnlyList<(string Slug, string Label)> All =
    [
        ("ziele-nicht-erreicht", "Ziele nicht erreicht"),
        ("personalmangel", "Personalmangel"),
        ("wirtschaftlichkeit", "Wirtschaftlichkeit"),
        ("qualitaet", "Qualität"),
        ("geaenderte-steuerung", "Geänderte Steuerung / politische Entscheidung"),
    ];

    public static string? Label(string? slug) => All.FirstOrDefault(r => r.Slug == slug).Label;
}
