namespace OpenIkz.Backoffice.Cases;

public static class CaseStatus
{
    public const string Open = "open";
    public const string Assigned = "assigned";
    public const string Waiting = "waiting";
    public const string Closed = "closed";

    public static string Label(string status) => status switch
    {
        Open => "im Pool",
        Assigned => "in Bearbeitung",
        Waiting => "wartet auf Unterlagen",
        Closed => "abgeschlossen",
        _ => status,
    };
}

public static class Outcomes
{
    public const string Granted = "granted";
    public const string Rejected = "rejected";
    public static string Label(string? outcome) => outcome switch { Granted => "bewilligt", Rejected => "abgelehnt", _ => "" };
}

/// <summary>The state of a case that its rules look at. The rules do no I/O.</summary>
public sealed record CaseState(string Id, string Status, long? AssignedUserId, bool Complete, string ServiceSlug, string OwnerAgs)
{
    private void Require(bool condition, string rule, string message)
    {
        if (!condition) throw new RuleException(rule, message);
    }

    public void EnsureNotClosed() => Require(Status != CaseStatus.Closed, "CaseIsClosed", "Der Vorgang ist abgeschlossen und kann nicht mehr geändert werden.");

    public void EnsureAssignedTo(long userId)
    {
        EnsureNotClosed();
        Require(AssignedUserId == userId, "CaseNotAssignedToYou", "Der Vorgang ist Ihnen nicht zugewiesen. Holen Sie ihn zuerst aus dem Pool.");
    }

    /// <summary>Back to the pool: only by its clerk (or a team lead through reassignment / absence).</summary>
    public void Release(long userId) => EnsureAssignedTo(userId);

    public void RequestDocuments(long userId, DateOnly until, DateOnly today)
    {
        EnsureAssignedTo(userId);
        Require(Status == CaseStatus.Assigned, "CaseAlreadyWaiting", "Für diesen Vorgang sind bereits Unterlagen angefordert.");
        Require(until > today, "DueDateInPast", "Die Frist muss in der Zukunft liegen.");
        Require(until <= today.AddDays(180), "DueDateTooFar", "Die Frist darf höchstens 180 Tage betragen.");
    }

    public void Resume(long userId)
    {
        EnsureAssignedTo(userId);
        Require(Status == CaseStatus.Waiting, "CaseNotWaiting", "Der Vorgang wartet nicht auf Unterlagen.");
    }

    /// <summary>A grant needs a complete file; a rejection needs a reason (Begründungspflicht, § 39 VwVfG).</summary>
    public void Decide(long userId, string outcome, string? reason)
    {
        EnsureAssignedTo(userId);
        Require(Status == CaseStatus.Assigned, "CaseIsWaiting", "Der Vorgang wartet auf Unterlagen. Nehmen Sie ihn zuerst wieder auf.");
        Require(outcome is Outcomes.Granted or Outcomes.Rejected, "UnknownOutcome", "Die Entscheidung ist 'granted' (bewilligt) oder 'rejected' (abgelehnt).");
        Require(outcome != Outcomes.Granted || Complete, "IncompleteFile", "Die Akte ist unvollständig: ein Antrag kann erst bewilligt werden, wenn alle erforderlichen Unterlagen vorliegen.");
        Require(outcome != Outcomes.Rejected || !string.IsNullOrWhiteSpace(reason), "ReasonRequired", "Eine Ablehnung muss begründet werden.");
    }

    /// <summary>
    /// A team lead acts on their own municipality's people only: they take a case from a clerk of their own
    /// municipality (or an unassigned one) and give it to a clerk of their own municipality.
    /// </summary>
    public void Reassign(bool actorIsTeamLead, string leadAgs, string? assignedAgs, string? targetAgs)
    {
        Require(actorIsTeamLead, "TeamLeadOnly", "Nur die Teamleitung kann Vorgänge zuweisen.");
        EnsureNotClosed();
        Require(AssignedUserId is null || assignedAgs == leadAgs, "AssignedToOtherMunicipality",
            "Dieser Vorgang ist einer Person einer anderen Kommune zugewiesen. Nur deren Teamleitung kann ihn abgeben oder neu zuweisen.");
        if (targetAgs is not null && targetAgs != leadAgs)
            throw ValidationException.For("userId", "Sie können Vorgänge nur Personen Ihrer eigenen Kommune zuweisen.");
    }

    /// <summary>Retention starts at the end of the year of the decision (usual rule for administrative files).</summary>
    public static DateOnly RetentionUntil(DateOnly decidedOn, int retentionYears) => new(decidedOn.Year + retentionYears, 12, 31);
}
