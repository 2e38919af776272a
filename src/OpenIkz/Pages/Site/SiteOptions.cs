namespace OpenIkz.Pages.Site;

/// <summary>
/// What the operator says about itself on the pages every German public-sector site must have: Impressum (§ 5 DDG,
/// § 18 MStV), Datenschutzerklärung (Art. 13 DSGVO) and Erklärung zur Barrierefreiheit (§ 12b BGG and the states'
/// laws, BITV 2.0; model of the EU implementing decision 2018/1523). Section <c>OpenIkz:Site</c>, e.g.
/// <c>OpenIkz__Site__OperatorName</c>. Every field the operator leaves empty is shown as missing (production) or with
/// a value marked as demo (demo mode); docs/OPERATIONS.md lists them.
/// </summary>
public sealed class SiteOptions
{
    public const string Section = "OpenIkz:Site";

    /// <summary>The operator, e.g. „Zweckverband Digitale Verwaltung Vorderpfalz“ or the lead municipality.</summary>
    public string? OperatorName { get; set; }

    /// <summary>Postal address; lines separated by "\n".</summary>
    public string? OperatorAddress { get; set; }

    /// <summary>Who represents the operator (e.g. „vertreten durch den Verbandsvorsteher …“).</summary>
    public string? RepresentedBy { get; set; }

    public string? Email { get; set; }
    public string? Telephone { get; set; }

    /// <summary>The supervisory authority of the operator (Rechtsaufsicht), where there is one.</summary>
    public string? SupervisoryAuthority { get; set; }

    /// <summary>Responsible for the content under § 18 Abs. 2 MStV (name and address).</summary>
    public string? ContentResponsible { get; set; }

    /// <summary>Contact of the data protection officer (Art. 37–39 DSGVO): office, e-mail, address.</summary>
    public string? DataProtectionOfficer { get; set; }

    /// <summary>The data protection supervisory authority where complaints go (Art. 77 DSGVO), e.g. the state's commissioner.</summary>
    public string? DataProtectionAuthority { get; set; }

    /// <summary>Stand der Vereinbarkeit with BITV 2.0: „teilweise“ (default) or „nicht“; „vollständig“ is shown as „teilweise“ while OpenIKZ's own gaps remain.</summary>
    public string AccessibilityCompliance { get; set; } = "teilweise";

    /// <summary>Content that is not accessible and why; one entry each (in addition to what OpenIKZ itself names).</summary>
    public List<string> AccessibilityIssues { get; set; } = [];

    /// <summary>When the statement was made or last reviewed (yyyy-MM-dd).</summary>
    public DateOnly? AccessibilityStatementDate { get; set; }

    /// <summary>Where barriers are reported (Feedback-Mechanismus): e-mail, and optionally telephone.</summary>
    public string? AccessibilityFeedbackEmail { get; set; }
    public string? AccessibilityFeedbackTelephone { get; set; }

    /// <summary>The enforcement or conciliation body of the operator's state (Durchsetzungsverfahren / Schlichtungsstelle), with its contact.</summary>
    public string? AccessibilityEnforcementBody { get; set; }

    /// <summary>The names of the statements the pages show as missing (production warns at start): empty or blank counts as missing.</summary>
    public IReadOnlyList<string> Missing() =>
    [
        .. new (string Name, string? Value)[]
        {
            ("OperatorName", OperatorName), ("OperatorAddress", OperatorAddress), ("RepresentedBy", RepresentedBy), ("Email", Email),
            ("ContentResponsible", ContentResponsible), ("DataProtectionOfficer", DataProtectionOfficer), ("DataProtectionAuthority", DataProtectionAuthority),
            ("AccessibilityFeedbackEmail", FeedbackEmail), ("AccessibilityEnforcementBody", AccessibilityEnforcementBody),
            ("AccessibilityStatementDate", AccessibilityStatementDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
        }.Where(f => string.IsNullOrWhiteSpace(f.Value)).Select(f => f.Name),
    ];

    /// <summary>Where barriers are reported: the feedback address, else the operator's general one.</summary>
    public string? FeedbackEmail => !string.IsNullOrWhiteSpace(AccessibilityFeedbackEmail) ? AccessibilityFeedbackEmail : Email;

    /// <summary>The feedback telephone, else the operator's general one.</summary>
    public string? FeedbackTelephone => !string.IsNullOrWhiteSpace(AccessibilityFeedbackTelephone) ? AccessibilityFeedbackTelephone : Telephone;
}
