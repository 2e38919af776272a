namespace OpenIkz.Agreements.Settlement;

/// <summary>A party of a statement or invoice: a member municipality with what e-invoicing needs.</summary>
public sealed record Party(string Ags, string Name, string? Authority, string? Street, string? PostalCode, string? City, string? LeitwegId, string? Iban, string? Email)
{
    public string DisplayName => Authority ?? Name;
}

public sealed record StatementView(string MunicipalityAgs, string MunicipalityName, decimal Balance, decimal? PreviousBalance)
{
    /// <summary>For a correction: what is still to be paid (negative) or received (positive) on top of the corrected statement.</summary>
    public decimal? Difference => PreviousBalance is { } previous ? Balance - previous : null;
}

public sealed record LineView(string OwnerAgs, string ProcessorAgs, string Service, string ServiceName, string CaseGroup, string CaseGroupLabel, long Count, decimal Flat, decimal FeeShare, decimal Amount);

public sealed record TransferView(string PayerAgs, string ReceiverAgs, decimal Amount);

/// <summary>A finalised settlement run. It never changes; a correction is a new settlement that references it.</summary>
public sealed record SettlementView(
    string Id,
    string Number,
    long AgreementId,
    string AgreementTitle,
    string Period,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    string? CorrectsSettlementId,
    string? CorrectsNumber,
    DateTime CreatedAt,
    string FeeRule,
    decimal? FeeSharePercent,
    IReadOnlyList<LineView> Lines,
    IReadOnlyList<StatementView> Statements,
    IReadOnlyList<TransferView> Transfers,
    IReadOnlyDictionary<string, Party> Parties)
{
    /// <summary>The last day of the period (PeriodEnd is exclusive).</summary>
    public DateOnly LastDay => PeriodEnd.AddDays(-1);
}
