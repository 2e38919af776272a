namespace OpenIkz.Backoffice.Cases;

public sealed record ApplicantDto(string GivenName, string FamilyName, DateOnly BirthDate, string? Email, string Street, string PostalCode, string City);

public sealed record PersonRef(long? UserId, string Name, string? MunicipalityAgs);

public sealed record DecisionDto(string Outcome, string OutcomeLabel, string? Reason, DateTime DecidedAt, PersonRef DecidedBy, string ProcessorAgs);

public sealed record DocumentDto(string Id, string DocumentType, string DocumentLabel, string FileName, string ContentType, long SizeBytes, string Sha256, string Source, DateTime AddedAt);

public sealed record NoteDto(long Id, DateTime CreatedAt, PersonRef Author, string Text);

public sealed record HistoryDto(DateTime At, PersonRef Actor, string Action, string? Details);

public sealed record CaseSummary(string Id, string Reference, string OwnerAgs, string OwnerName, string Service, string? CaseGroup, string Status, string StatusLabel,
    string ApplicantName, DateTime ReceivedAt, DateOnly DueDate, bool Overdue, bool Complete, DateOnly? WaitingUntil, string? Outcome, DateTime? DecidedAt = null);

public sealed record CaseDetails(
    string Id,
    string Reference,
    string OwnerAgs,
    string OwnerName,
    string Service,
    string ServiceName,
    string? CaseGroup,
    string Status,
    string StatusLabel,
    PersonRef? AssignedTo,
    bool Complete,
    IReadOnlyList<string> MissingDocuments,
    ApplicantDto Applicant,
    IReadOnlyDictionary<string, object?> Form,
    DateTime ReceivedAt,
    DateOnly DueDate,
    bool Overdue,
    DateOnly? WaitingUntil,
    DecisionDto? Decision,
    DateOnly? RetentionUntil,
    long? GrantingAgreementId,
    IReadOnlyList<DocumentDto> Documents,
    IReadOnlyList<NoteDto> Notes,
    IReadOnlyList<HistoryDto> History);

/// <param name="Overdue">Open cases past their due date, assigned or not.</param>
/// <param name="UnassignedOverdue">Of the unassigned (free) cases, those past their due date: "63 frei, davon 12 überfällig".</param>
public sealed record PoolRow(string Service, string OwnerAgs, string OwnerName, int Open, int Unassigned, int Overdue, DateTime? OldestReceivedAt, int UnassignedOverdue = 0)
{
    public int OldestAgeDays(DateTime now) => OldestReceivedAt is { } t ? (int)(now - t).TotalDays : 0;
}

/// <summary>Thrown when the case does not exist or the caller may not see it: both are 404, indistinguishable.</summary>
public sealed class CaseNotFoundException() : NotFoundException("Vorgang nicht gefunden.");
