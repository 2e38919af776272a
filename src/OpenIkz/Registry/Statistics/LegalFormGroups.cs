namespace OpenIkz.Registry.Statistics;

/// <summary>
/// The six columns of gpaNRW's table "Rechtsformen IKZ nach Segmenten in Prozent" (seeds/004, 1.2.6), and which legal form
/// of an entry falls into which. The legal forms differ by state law; a form belongs to the column its kind names:
/// a public-law agreement (GkG NRW "öffentlich-rechtliche Vereinbarung", GKG-LSA and KomZG "Zweckvereinbarung"), an
/// Arbeitsgemeinschaft, a Zweckverband, a form of private law (GmbH, eG), a joint municipal company or institution
/// (GkG NRW "gemeinsames Kommunalunternehmen", KomZG "gemeinsame kommunale Anstalt"); everything else, the informal
/// cooperation included, is "Noch offen / Sonstiges". The rule reads the slug, so the forms of a state law added later
/// fall into their column without a change here. <see cref="Of"/> and <see cref="Sql"/> apply the same rule table.
/// </summary>
public static class LegalFormGroups
{
    public const string PublicLawAgreement = "oeffentlich-rechtliche-vereinbarung";
    public const string WorkingGroup = "kommunale-arbeitsgemeinschaft";
    public const string SpecialPurposeAssociation = "zweckverband";
    public const string PrivateLaw = "rechtsform-des-privatrechts";
    public const string JointCompany = "gemeinsames-kommunalunternehmen";
    public const string Other = "sonstiges";

    /// <summary>The columns in the order gpaNRW prints them, with its labels.</summary>
    public static readonly IReadOnlyList<CatalogItem> All =
    [
        new(PublicLawAgreement, GpaNrw2025.LegalFormColumns[0]),
        new(WorkingGroup, GpaNrw2025.LegalFormColumns[1]),
        new(SpecialPurposeAssociation, GpaNrw2025.LegalFormColumns[2]),
        new(PrivateLaw, GpaNrw2025.LegalFormColumns[3]),
        new(JointCompany, GpaNrw2025.LegalFormColumns[4]),
        new(Other, GpaNrw2025.LegalFormColumns[5]),
    ];

    /// <summary>The rules in the order they are tried: the whole slug, or a word the slug contains; the first that matches decides.</summary>
    private static readonly (bool Whole, string Text, string Group)[] Rules =
    [
        (true, RegistryLegalForms.PrivateLaw, PrivateLaw),
        (true, RegistryLegalForms.Informal, Other),
        (false, "vereinbarung", PublicLawAgreement),
        (false, "arbeitsgemeinschaft", WorkingGroup),
        (false, "zweckverband", SpecialPurposeAssociation),
        (false, "kommunalunternehmen", JointCompany),
        (false, "anstalt", JointCompany),
    ];

    public static string Of(string? legalForm)
    {
        var slug = legalForm ?? "";
        foreach (var (whole, text, group) in Rules)
            if (whole ? slug == text : slug.Contains(text, StringComparison.Ordinal)) return group;
        return Other;
    }

    /// <summary>The column's position in <see cref="All"/> (1–6) as SQL, for the legal-form slug in <paramref name="column"/>.
    /// Slugs are lower-case letters and hyphens (no LIKE wildcards), so LIKE '%word%' is "contains" on both databases.</summary>
    public static string Sql(string column)
    {
        int Position(string group) => All.Select((g, i) => (g, i)).First(x => x.g.Slug == group).i + 1;
        var cases = Rules.Select(r => r.Whole
            ? $"WHEN {column} = '{r.Text}' THEN {Position(r.Group)}"
            : $"WHEN {column} LIKE '%{r.Text}%' THEN {Position(r.Group)}");
        return $"CASE {string.Join(" ", cases)} ELSE {Position(Other)} END";
    }
}
