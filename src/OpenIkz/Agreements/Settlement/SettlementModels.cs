
namespace OpenIkz.Agreements.Settlement;

/// <summary>A party of a statement or invoice: a member municipality with what e-invoicing needs (its invoicing data).</summary>
public sealed record Party(string Ags, string Name, string? Authority, string? Street, string? PostalCode, string? City, string? LeitwegId, string? Iban, string? Email,
    string? Telephone = null, string? Bic = null)
{
    public string DisplayName => Authority ?? Name;
}

/// <summary>A settlement as the start page lists it: number, agreement, period and the own municipality's balance (negative: it pays).</summary>
public sealed record LatestSettlement(string Id, string Number, string AgreementTitle, string Period, decimal Balance);

public sealed record StatementView(string MunicipalityAgs, string MunicipalityName, decimal Balance, decimal? PreviousBalance)
{
    /// <summary>For a correction: what is still to be paid (negative) or received (positive) on top of the corrected statement.</summary>
    public decimal? Difference => PreviousBalance is { } previous ? Balance - previous : null;
}

public sealed record LineView(string OwnerAgs, string ProcessorAgs, string Service, string ServiceName, string CaseGroup, string CaseGroupLabel, long Count, decimal Flat, decimal FeeShare, decimal Amount,
    string Unit = SettlementUnits.Case)
{
    public bool IsAppointments => Unit == SettlementUnits.Appointment;

    /// <summary>"Vorgänge" or "Termine", for the count.</summary>
    public string UnitWord => IsAppointments ? "Termine" : "Vorgänge";
}

public sealed record TransferView(string PayerAgs, string ReceiverAgs, decimal Amount);

/// <summary>
/// An e-invoice a final settlement issues from <paramref name="ReceiverAgs"/> (seller) to <paramref name="PayerAgs"/> (buyer):
/// <see cref="InvoiceTypes.Commercial"/> (380) in an original settlement, <see cref="InvoiceTypes.Corrected"/> (384) in a
/// correction, which replaces the invoice <paramref name="ReplacesNumber"/> issued on <paramref name="ReplacesIssueDate"/> (BG-3).
/// A corrected invoice over 0,00 € says that nothing is owed any more on the replaced one.
/// </summary>
public sealed record InvoiceView(string Number, string PayerAgs, string ReceiverAgs, string TypeCode, decimal Amount, string? ReplacesNumber, DateOnly? ReplacesIssueDate)
{
    public bool IsCorrection => TypeCode == InvoiceTypes.Corrected;
}

/// <summary>UNTDID 1001 document type codes used for settlement invoices (BT-3).</summary>
public static class InvoiceTypes
{
    public const string Commercial = "380";
    public const string Corrected = "384";

    public static string Label(string code) => code switch
    {
        Commercial => "Rechnung (380)",
        Corrected => "Korrigierte Rechnung (384)",
        _ => code,
    };
}

/// <summary>
/// A settlement run. A final one never changes; a correction is a new settlement that references it and
/// replaces it together with its invoices. A provisional one (the period has not ended) is a preview: it has
/// no id, is not stored and issues no invoice.
/// </summary>
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

    /// <summary>A preview of a period that has not ended: not stored, no invoices.</summary>
    public bool Provisional { get; init; }

    /// <summary>The e-invoices this settlement issues, one per payer and receiver.</summary>
    public IReadOnlyList<InvoiceView> Invoices { get; init; } = [];

    /// <summary>The correction that replaced this settlement; then none of its invoices is to be paid any more.</summary>
    public string? SupersededBySettlementId { get; init; }
    public string? SupersededByNumber { get; init; }

    /// <summary>Whether this settlement and its invoices stand (final and not replaced by a correction).</summary>
    public bool Stands => !Provisional && SupersededBySettlementId is null;

    /// <summary>The issue date of its invoices (BT-2): the day it was made, in Europe/Berlin.</summary>
    public DateOnly IssueDate => IssueDateOf(CreatedAt);

    public static DateOnly IssueDateOf(DateTime createdAtUtc) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(createdAtUtc, DateTimeKind.Utc), BerlinTime.Zone));
}
