using System.Text.RegularExpressions;

namespace OpenIkz.Directory.Services;

public enum FieldKind { Text, Date, Integer, Decimal, Choice }

/// <summary>One field of a service's application form, as an online-application portal must send it.</summary>
public sealed record FormField(string Name, string Label, FieldKind Kind, bool Required, int MaxLength = 200, string? Pattern = null,
    IReadOnlyList<string>? Choices = null, decimal? Min = null, decimal? Max = null);

public sealed record DocumentType(string Slug, string Label);

public sealed record CaseGroup(string Slug, string Label, IReadOnlyList<string> RequiredDocuments, string? LeikaKey = null);

/// <summary>A service (Leistung) the back office processes, described for portals by GET /api/v1/services.</summary>
public sealed record ServiceDefinition(
    string Slug,
    string Name,
    string? LeikaKey,
    string ReferenceCode,
    int TargetProcessingDays,
    int RetentionYears,
    bool FeeBearing,
    IReadOnlyList<FormField> Fields,
    IReadOnlyList<DocumentType> DocumentTypes,
    IReadOnlyList<CaseGroup> CaseGroups,
    IReadOnlyList<string> RequiredDocuments)
{
    /// <summary>The documents a complete file needs: the service's plus those of the case group.</summary>
    public IReadOnlyList<string> RequiredDocumentsFor(string? caseGroup) =>
        RequiredDocuments.Concat(CaseGroups.FirstOrDefault(g => g.Slug == caseGroup)?.RequiredDocuments ?? []).Distinct().ToList();

    public DocumentType? Document(string slug) => DocumentTypes.FirstOrDefault(d => d.Slug == slug);
}

/// <summary>
/// The service catalogue. LeiKa keys: only keys found in a public source are set (docs/SERVICES.md names
/// them); where none could be verified the key is null rather than invented. The slugs are
/// stored in the services table (migration 0001) and referenced by cases, users and agreements.
/// </summary>
public static class ServiceCatalog
{
    private static readonly DocumentType Zb1 = new("zulassungsbescheinigung-teil-1", "Zulassungsbescheinigung Teil I");
    private static readonly DocumentType Zb2 = new("zulassungsbescheinigung-teil-2", "Zulassungsbescheinigung Teil II");
    private static readonly DocumentType Sepa = new("sepa-mandat-kfz-steuer", "SEPA-Lastschriftmandat Kfz-Steuer");
    private static readonly DocumentType Id = new("personalausweis", "Personalausweis oder Reisepass");
    private static readonly DocumentType Income = new("einkommensnachweis", "Einkommensnachweis");
    private static readonly DocumentType Birth = new("geburtsurkunde", "Geburtsurkunde des Kindes (für Elterngeld)");
    private static readonly DocumentType Rent = new("mietvertrag", "Mietvertrag oder Mietbescheinigung");
    private static readonly DocumentType Burden = new("belastungsnachweis", "Nachweis der Belastung (Eigentum)");
    private static readonly DocumentType Bank = new("kontoauszuege", "Kontoauszüge der letzten drei Monate");
    private static readonly DocumentType Pension = new("rentenbescheid", "Rentenbescheid oder Feststellung der Erwerbsminderung");
    private static readonly DocumentType Other = new("sonstiges", "Sonstiges Dokument");

    public static readonly IReadOnlyList<ServiceDefinition> All =
    [
        new("kfz-zulassung", "Kfz-Zulassung", null, "KFZ", TargetProcessingDays: 5, RetentionYears: 7, FeeBearing: true,
            [
                new("vin", "Fahrzeug-Identifizierungsnummer (FIN)", FieldKind.Text, Required: true, MaxLength: 17, Pattern: "^[A-HJ-NPR-Z0-9]{17}$"),
                new("desiredPlate", "Wunschkennzeichen", FieldKind.Text, Required: false, MaxLength: 12, Pattern: @"^[A-ZÄÖÜ]{1,3}-[A-Z]{1,2} [1-9][0-9]{0,3}[EH]?$"),
                new("evbNumber", "eVB-Nummer der Versicherung", FieldKind.Text, Required: false, MaxLength: 7, Pattern: "^[A-Z0-9]{7}$"),
            ],
            [Zb1, Zb2, Sepa, Id, Other],
            [
                new("neuzulassung", "Neuzulassung", [Zb2.Slug], "99036020001000"),
                new("umschreibung", "Umschreibung (Halterwechsel)", [Zb1.Slug, Zb2.Slug], "99036020001000"),
                new("ausserbetriebsetzung", "Außerbetriebsetzung", [Zb1.Slug], "99036026017000"),
            ],
            []),
        new("elterngeld", "Elterngeld", null, "EG", TargetProcessingDays: 21, RetentionYears: 10, FeeBearing: false,
            [
                new("childGivenName", "Vorname des Kindes", FieldKind.Text, Required: true, MaxLength: 100),
                new("childBirthDate", "Geburtsdatum des Kindes", FieldKind.Date, Required: true),
                new("benefitMonths", "Bezugsmonate", FieldKind.Integer, Required: true, Min: 1, Max: 28),
                new("variant", "Variante", FieldKind.Choice, Required: false, Choices: ["basiselterngeld", "elterngeldplus", "partnerschaftsbonus"]),
            ],
            [Birth, Income, Id, Other],
            [],
            [Birth.Slug, Income.Slug]),
        new("wohngeld", "Wohngeld", "99107023037000", "WG", TargetProcessingDays: 30, RetentionYears: 10, FeeBearing: false,
            [
                new("householdMembers", "Haushaltsmitglieder", FieldKind.Integer, Required: true, Min: 1, Max: 20),
                new("monthlyCosts", "Monatliche Miete oder Belastung (EUR)", FieldKind.Decimal, Required: true, Min: 0, Max: 100000),
            ],
            [Rent, Burden, Income, Id, Other],
            [
                new("mietzuschuss", "Mietzuschuss", [Rent.Slug]),
                new("lastenzuschuss", "Lastenzuschuss", [Burden.Slug]),
            ],
            [Income.Slug]),
        new("grundsicherung", "Grundsicherung im Alter und bei Erwerbsminderung", null, "GS",
            TargetProcessingDays: 30, RetentionYears: 10, FeeBearing: false,
            [
                new("reason", "Anspruchsgrund", FieldKind.Choice, Required: true, Choices: ["alter", "erwerbsminderung"]),
                new("monthlyIncome", "Monatliches Einkommen (EUR)", FieldKind.Decimal, Required: true, Min: 0, Max: 100000),
            ],
            [Id, Income, Bank, Pension, Other],
            [],
            [Id.Slug, Income.Slug, Bank.Slug, Pension.Slug]),
    ];

    public static ServiceDefinition? Find(string? slug) => All.FirstOrDefault(s => s.Slug == slug);

    public static ServiceDefinition Get(string slug) => Find(slug) ?? throw new InvalidOperationException($"Unknown service '{slug}'.");
}
