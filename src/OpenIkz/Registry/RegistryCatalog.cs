using OpenIkz.Agreements;

namespace OpenIkz.Registry;

public sealed record CatalogItem(string Slug, string Label);

/// <summary>
/// The task fields (Aufgabenfelder) of the register. The first eight are the ones gpaNRW names in its 2025 survey
/// (seeds/004, 1.2.3 and 1.2.4); the others complete the list so that every good-practice example of seeds/004 1.3.3,
/// every cooperation of seeds/000 3.5.2 and seeds/001 has a field of its own instead of "Sonstiges". docs/REGISTRY.md
/// lists them with the examples that placed each one.
/// </summary>
public static class TaskFields
{
    public static readonly IReadOnlyList<CatalogItem> All =
    [
        new("it-e-government", "IT, E-Government"),
        new("kultur-wissenschaft", "Kultur und Wissenschaft"),
        new("ver-entsorgung", "Ver- und Entsorgung"),
        new("personal", "Personal"),
        new("tourismus-wirtschaft", "Tourismus, Wirtschaftsförderung, Gewerbe"),
        new("beschaffung-vergabe", "Beschaffung und Vergabe"),
        new("soziales", "Soziales"),
        new("archiv", "Archiv"),
        new("finanzen", "Finanzen, Kasse und Steuern"),
        new("rechnungspruefung", "Rechnungsprüfung"),
        new("recht", "Recht"),
        new("sicherheit-ordnung", "Sicherheit und Ordnung"),
        new("buergerdienste", "Bürgerdienste, Kfz-Zulassung"),
        new("jugend-familie", "Jugend und Familie"),
        new("schule-bildung", "Schule und Bildung"),
        new("bauen-planen-umwelt", "Bauen, Planen, Umwelt"),
        new("verkehr-oepnv", "Verkehr, ÖPNV"),
        new("feuerwehr-rettungsdienst", "Feuerwehr, Rettungsdienst, Katastrophenschutz"),
        new("sport-freizeit", "Sport und Freizeit"),
        new("sonstiges", "Sonstiges"),
    ];

    public static CatalogItem? Find(string? slug) => All.FirstOrDefault(t => t.Slug == slug);
}

/// <summary>Status of a register entry (seeds/004: umgesetzt, geplant, rückabgewickelt; "in Umsetzung" for work under way).</summary>
public static class RegistryStatus
{
    public const string Planned = "geplant";
    public const string InProgress = "in-umsetzung";
    public const string Implemented = "umgesetzt";
    public const string RolledBack = "rueckabgewickelt";

    public static readonly IReadOnlyList<CatalogItem> All =
    [
        new(Planned, "geplant"),
        new(InProgress, "in Umsetzung"),
        new(Implemented, "umgesetzt"),
        new(RolledBack, "rückabgewickelt"),
    ];

    public static string? Label(string? slug) => All.FirstOrDefault(s => s.Slug == slug)?.Label;

    /// <summary>The register status of an entry linked to an agreement, from the agreement's own status.</summary>
    public static string FromAgreement(string agreementStatus) => agreementStatus switch
    {
        AgreementStatus.Active => Implemented,
        AgreementStatus.Approved => InProgress,
        AgreementStatus.Terminated => RolledBack,
        _ => Planned,
    };
}

/// <summary>Roles of a partner in an entry.</summary>
public static class PartnerRoles
{
    public const string Lead = "federfuehrend";
    public const string Partner = "partner";

    public static readonly IReadOnlyList<CatalogItem> All = [new(Lead, "federführend"), new(Partner, "Partner")];

    public static string? Label(string? slug) => All.FirstOrDefault(s => s.Slug == slug)?.Label;
}

/// <summary>
/// The categories gpaNRW asked for (seeds/004): goals (1.2.2), success factors (1.2.7), obstacles (1.2.8). The survey's
/// charts are not in the text; the categories are those its text names, in its words, plus the success factors of the
/// Rheinland-Pfalz model projects (seeds/001) and "Sonstiges".
/// </summary>
public static class Factors
{
    public const string Goal = "ziel";
    public const string SuccessFactor = "erfolgsfaktor";
    public const string Obstacle = "hindernis";

    public static readonly IReadOnlyList<CatalogItem> Goals =
    [
        new("wirtschaftlichkeit", "Wirtschaftlichkeit"),
        new("sicherung-aufgabenwahrnehmung", "Sicherung der Aufgabenwahrnehmung"),
        new("service-buergerorientierung", "Service- und Bürgerorientierung"),
        new("qualitaet", "Qualität der Aufgabenerfüllung"),
        new("fachkraeftemangel", "Fachkräftemangel entgegenwirken"),
        new("sonstiges", "Sonstiges"),
    ];

    public static readonly IReadOnlyList<CatalogItem> SuccessFactors =
    [
        new("augenhoehe", "Kooperation auf Augenhöhe"),
        new("vertrauen", "Gegenseitiges Vertrauen"),
        new("zielvorgaben", "Klare Zielvorgaben"),
        new("handlungsdruck", "Gleicher oder ähnlicher Handlungsdruck"),
        new("politische-bereitschaft", "Politische Bereitschaft zu kooperieren"),
        new("rueckhalt-verwaltungsfuehrung", "Rückhalt durch die Verwaltungsführung"),
        new("arbeitsebene", "Frühe Einbindung der Arbeitsebene"),
        new("sichtbare-teilerfolge", "Sichtbare Teilerfolge"),
        new("sonstiges", "Sonstiges"),
    ];

    public static readonly IReadOnlyList<CatalogItem> Obstacles =
    [
        new("mangelnde-wirtschaftlichkeit", "Mangelnde Wirtschaftlichkeit"),
        new("organisatorische-probleme", "Organisatorische Probleme"),
        new("unterschiedliche-organisationsstrukturen", "Unterschiedliche Organisationsstrukturen"),
        new("interne-widerstaende", "Verwaltungsinterne Widerstände"),
        new("politische-widerstaende", "Politische Widerstände"),
        new("rechtliche-hindernisse", "Rechtliche Hindernisse (z. B. § 2b UStG, Vergaberecht)"),
        new("kein-partner", "Kein passender Partner gefunden"),
        new("sonstige-gruende", "Sonstige Gründe (z. B. divergierende Interessen)"),
    ];

    public static IReadOnlyList<CatalogItem> Of(string kind) => kind switch
    {
        Goal => Goals,
        SuccessFactor => SuccessFactors,
        Obstacle => Obstacles,
        _ => [],
    };
}

/// <summary>Why an entry was rolled back: the gpaNRW categories (seeds/004, 1.2.9), the same list the agreements use.</summary>
public static class RollbackReasons
{
    public static IReadOnlyList<CatalogItem> All { get; } = TerminationReasons.All.Select(r => new CatalogItem(r.Slug, r.Label)).ToList();

    public static string? Label(string? slug) => TerminationReasons.Label(slug);
}

/// <summary>
/// The legal forms an entry may name under each state law: the forms of the agreements module, plus "informelle
/// Kooperation" (no contract; gpaNRW 1.4.3: working groups), "Rechtsform des Privatrechts" (seeds/004 1.2.6, e.g. a
/// GmbH or eG such as KITU eG in seeds/000) and "Noch offen / Sonstiges" (the last column of the gpaNRW table "Rechtsformen
/// IKZ nach Segmenten", seeds/004 1.2.6: a form not yet decided, or one the source does not name) under every law.
/// </summary>
public static class RegistryLegalForms
{
    public const string Informal = "informelle-kooperation";
    public const string PrivateLaw = "rechtsform-des-privatrechts";
    public const string OpenOrOther = "noch-offen-sonstiges";

    public static readonly IReadOnlyList<CatalogItem> Extra =
    [
        new(Informal, "Informelle Kooperation"),
        new(PrivateLaw, "Rechtsform des Privatrechts"),
        new(OpenOrOther, "Noch offen / Sonstiges"),
    ];

    public static IReadOnlyList<CatalogItem> FormsOf(string? stateLaw) => LegalForms.Law(stateLaw) is { } law
        ? [.. law.Forms.Select(f => new CatalogItem(f.Slug, f.Label)), .. Extra]
        : [];

    public static bool IsValid(string? stateLaw, string? legalForm) => FormsOf(stateLaw).Any(f => f.Slug == legalForm);

    public static string? Label(string? stateLaw, string? legalForm) => FormsOf(stateLaw).FirstOrDefault(f => f.Slug == legalForm)?.Label;
}

/// <summary>
/// The size segments of the gpaNRW survey (seeds/004, 1.2.1): kleine, mittlere, große kreisangehörige Kommunen and Kreise;
/// a kreisfreie Stadt is a segment of its own (gpaNRW did not survey them). A municipality's segment follows from its type
/// and population, with the thresholds of § 4 GO NRW: a kreisangehörige Gemeinde of more than 60,000 inhabitants is a
/// große, of more than 25,000 a mittlere kreisangehörige Stadt. The status in NRW is set by ordinance on application, so
/// a town near a threshold can sit in the other segment in the gpaNRW figures (seeds/004 footnote 2: Harsewinkel and
/// Jüchen changed segment); outside NRW the thresholds are applied as a comparable size measure.
/// </summary>
public static class Segments
{
    public const string Small = "klein";
    public const string Medium = "mittel";
    public const string Large = "gross";
    public const string District = "kreis";
    public const string CountyFreeCity = "kreisfrei";

    public static readonly IReadOnlyList<CatalogItem> All =
    [
        new(Small, "Kleine kreisangehörige Kommunen"),
        new(Medium, "Mittlere kreisangehörige Kommunen"),
        new(Large, "Große kreisangehörige Kommunen"),
        new(District, "Kreise"),
        new(CountyFreeCity, "Kreisfreie Städte"),
    ];

    public const int MediumFrom = 25_001;
    public const int LargeFrom = 60_001;

    public static string Of(string municipalityType, long population) => municipalityType switch
    {
        "landkreis" => District,
        "kreisfreie-stadt" => CountyFreeCity,
        _ when population >= LargeFrom => Large,
        _ when population >= MediumFrom => Medium,
        _ => Small,
    };

    /// <summary>The same rule as SQL, for queries over the directory (alias <paramref name="m"/> for municipalities).</summary>
    public static string Sql(string m) => $"""
        CASE WHEN {m}.type = 'landkreis' THEN '{District}' WHEN {m}.type = 'kreisfreie-stadt' THEN '{CountyFreeCity}'
             WHEN {m}.population >= {LargeFrom} THEN '{Large}' WHEN {m}.population >= {MediumFrom} THEN '{Medium}' ELSE '{Small}' END
        """;

    public static string? Label(string? slug) => All.FirstOrDefault(s => s.Slug == slug)?.Label;
}
