
namespace OpenIkz.Agreements;

public static class AgreementStatus
{
    public const string Draft = "draft";          // Entwurf: editable, collecting consents
    public const string Consented = "consented";  // all members consented; waiting to be submitted to the Kommunalaufsicht
    public const string Submitted = "submitted";  // bei der Kommunalaufsicht
    public const string Approved = "approved";    // genehmigt / vereinbart; active from its start date
    public const string Active = "active";
    public const string Terminated = "terminated"; // gekündigt: grants until its end date, then beendet

    /// <summary>Statuses whose agreements grant access between their start and end date.</summary>
    public static readonly string[] Granting = [Approved, Active, Terminated];

    public static string Label(string status, DateOnly from, DateOnly? to, DateOnly today) => status switch
    {
        Draft => "Entwurf",
        Consented => "Zustimmung aller Mitglieder liegt vor",
        Submitted => "bei der Kommunalaufsicht",
        Approved or Active when today < from => $"genehmigt, aktiv ab {from:dd.MM.yyyy}",
        Approved or Active when to is { } end && today > end => "beendet",
        Approved or Active => to is { } e ? $"aktiv bis {e:dd.MM.yyyy}" : "aktiv",
        Terminated when to is { } end && today <= end => $"gekündigt zum {end:dd.MM.yyyy}",
        Terminated => "beendet",
        _ => status,
    };
}

public sealed record AgreementMember(string Ags, bool ContributesCases, bool ContributesStaff, int? CapacitySharePercent, DateTime? ConsentedAt = null);

/// <param name="PerAppointment">The amount per appointment an office of one member serves for a resident of another
/// (issue 11); only on the service's row for all case groups.</param>
public sealed record AgreementRate(string Service, string CaseGroup, decimal FlatAmount, decimal? Fee, decimal? PerAppointment = null);

/// <summary>The terms of an agreement: what the coordinators draft, what the members consent to.</summary>
public sealed record AgreementTerms(
    string Title,
    IReadOnlyList<string> Services,
    IReadOnlyList<AgreementMember> Members,
    string StateLaw,
    string LegalForm,
    bool TransfersTask,
    DateOnly ValidFrom,
    DateOnly? ValidTo,
    int NoticeMonths,
    string DataProtection,
    string? Goals,
    DateOnly? EvaluationDate,
    IReadOnlyList<AgreementRate> Rates,
    string FeeRule,
    decimal? FeeSharePercent);

/// <summary>The rules of an agreement's lifecycle. No I/O.</summary>
public sealed record AgreementState(long Id, string Status, IReadOnlyList<AgreementMember> Members, DateOnly ValidFrom, DateOnly? ValidTo, int NoticeMonths,
    bool NeedsApproval, long? SupersededById)
{
    private static void Require(bool condition, string rule, string message)
    {
        if (!condition) throw new RuleException(rule, message);
    }

    public bool IsMember(string ags) => Members.Any(m => m.Ags == ags);

    public void EnsureMember(string ags) => Require(IsMember(ags), "NotAMember", "Ihre Kommune ist nicht Mitglied dieser Vereinbarung.");

    public void EnsureEditable() =>
        Require(Status == AgreementStatus.Draft, "TermsLocked", Status is AgreementStatus.Active or AgreementStatus.Approved
            ? "Die Bedingungen einer genehmigten oder aktiven Vereinbarung können nicht geändert werden. Legen Sie eine Änderungsvereinbarung an."
            : "Nur ein Entwurf kann bearbeitet werden.");

    public void Consent(string ags)
    {
        EnsureMember(ags);
        Require(Status == AgreementStatus.Draft, "NotADraft", "Zugestimmt wird einem Entwurf.");
        Require(Members.First(m => m.Ags == ags).ConsentedAt is null, "AlreadyConsented", "Ihre Kommune hat bereits zugestimmt.");
    }

    public bool AllConsented => Members.All(m => m.ConsentedAt is not null);

    public void Submit(string ags)
    {
        EnsureMember(ags);
        Require(Status == AgreementStatus.Consented, "ConsentMissing", "Erst wenn alle Mitglieder zugestimmt haben, kann die Vereinbarung vorgelegt werden.");
        Require(NeedsApproval, "NoApprovalNeeded", "Diese Vereinbarung braucht keine Genehmigung.");
    }

    public void Approve(string ags, DateOnly approvedOn, DateOnly today)
    {
        EnsureMember(ags);
        Require(Status == AgreementStatus.Submitted, "NotSubmitted", "Genehmigt werden kann nur eine der Kommunalaufsicht vorgelegte Vereinbarung.");
        Require(approvedOn <= today, "ApprovalInFuture", "Das Datum der Genehmigung liegt in der Zukunft.");
    }

    public void Terminate(string ags, DateOnly endDate, DateOnly today)
    {
        EnsureMember(ags);
        Require(Status is AgreementStatus.Approved or AgreementStatus.Active, "NotRunning", "Gekündigt werden kann nur eine genehmigte oder aktive Vereinbarung.");
        Require(SupersededById is null, "Superseded", "Diese Fassung ist durch eine Änderungsvereinbarung ersetzt; kündigen Sie die geltende Fassung.");
        Require(endDate >= today, "EndInPast", "Das Ende kann nicht in der Vergangenheit liegen.");
        Require(endDate >= today.AddMonths(NoticeMonths) || today < ValidFrom, "NoticePeriod", $"Die Kündigungsfrist beträgt {NoticeMonths} Monate: frühestes Ende {today.AddMonths(NoticeMonths):dd.MM.yyyy}.");
    }

    public void Amend(string ags)
    {
        EnsureMember(ags);
        Require(Status is AgreementStatus.Approved or AgreementStatus.Active, "NotRunning", "Geändert werden kann nur eine genehmigte oder aktive Vereinbarung.");
        Require(SupersededById is null, "Superseded", "Diese Fassung ist bereits durch eine Änderungsvereinbarung ersetzt.");
        // The amendment starts the day after this version's start (or tomorrow): there must be such a day within the bounds.
        Require(ValidFrom < InputDates.Latest, "AmendmentStartOutOfRange",
            $"Diese Fassung beginnt erst am {ValidFrom:dd.MM.yyyy}; eine Änderung könnte frühestens danach beginnen, und so spät nimmt OpenIKZ kein Datum an.");
    }
}
