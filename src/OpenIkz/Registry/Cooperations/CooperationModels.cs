using System.Text.Json;

namespace OpenIkz.Registry.Cooperations;

/// <summary>A partner of an entry as sent: official key and role (<c>federfuehrend</c> or <c>partner</c>; default <c>partner</c>).</summary>
public sealed record PartnerInput(string? Ags, string? Role);

/// <summary>
/// A register entry as the API or the form sends it. Amounts (<c>oneOffCost</c>, <c>yearlyCostBefore</c>, <c>yearlyCostAfter</c>)
/// are euros with at most two decimals, as a JSON number or a text ("12500,00" or "12500.00"); full-time equivalents
/// (<c>fteBefore</c>, <c>fteAfter</c>) likewise with at most two decimals. An entry linked to an agreement (<c>agreementId</c>)
/// takes its partners, status and years from it: those fields must then be left out.
/// </summary>
public sealed record CooperationInput(
    string? Title,
    string? Description,
    string? TaskField,
    string? StateLaw,
    string? LegalForm,
    List<PartnerInput>? Partners,
    int? Since,
    string? Status,
    string? RollbackReason,
    int? RollbackYear,
    List<string>? Goals,
    List<string>? SuccessFactors,
    List<string>? Obstacles,
    JsonElement? OneOffCost,
    JsonElement? YearlyCostBefore,
    JsonElement? YearlyCostAfter,
    JsonElement? FteBefore,
    JsonElement? FteAfter,
    string? ContactMailbox,
    List<string>? Sources,
    long? AgreementId,
    int? Version);

/// <summary>A checked entry, ready to be stored (money in cents, full-time equivalents in hundredths).</summary>
public sealed record CooperationRecord(
    string Title,
    string Description,
    string TaskField,
    string StateLaw,
    string LegalForm,
    IReadOnlyList<(string Ags, string Role)> Partners,
    int? Since,
    string Status,
    string? RollbackReason,
    int? RollbackYear,
    IReadOnlyList<string> Goals,
    IReadOnlyList<string> SuccessFactors,
    IReadOnlyList<string> Obstacles,
    long? OneOffCostCents,
    long? YearlyCostBeforeCents,
    long? YearlyCostAfterCents,
    long? FteBeforeHundredths,
    long? FteAfterHundredths,
    string? ContactMailbox,
    IReadOnlyList<string> Sources,
    long? AgreementId);

public sealed record PartnerView(string Ags, string Name, string Role, string RoleLabel, string State, string? DistrictAgs);

public sealed record FactorView(string Slug, string Label);

/// <summary>One entry in a list: what the search shows (the fields, plus German labels).</summary>
public sealed record CooperationItem(
    long Id,
    string Title,
    string TaskField,
    string TaskFieldLabel,
    string StateLaw,
    string StateLawLabel,
    string LegalForm,
    string LegalFormLabel,
    string Status,
    string StatusLabel,
    int? Since,
    IReadOnlyList<PartnerView> Partners,
    long? AgreementId);

/// <summary>An entry with everything the register knows about it. Figures in euros with two decimals; null where unknown.</summary>
public sealed record CooperationDetails(
    long Id,
    string Title,
    string Description,
    string TaskField,
    string TaskFieldLabel,
    string StateLaw,
    string StateLawLabel,
    string LegalForm,
    string LegalFormLabel,
    string Status,
    string StatusLabel,
    int? Since,
    string? RollbackReason,
    string? RollbackReasonLabel,
    int? RollbackYear,
    IReadOnlyList<PartnerView> Partners,
    IReadOnlyList<FactorView> Goals,
    IReadOnlyList<FactorView> SuccessFactors,
    IReadOnlyList<FactorView> Obstacles,
    decimal? OneOffCost,
    decimal? YearlyCostBefore,
    decimal? YearlyCostAfter,
    decimal? FteBefore,
    decimal? FteAfter,
    string? ContactMailbox,
    IReadOnlyList<string> Sources,
    long? AgreementId,
    bool Linked,
    string? CreatedByAgs,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    int Version);

/// <summary>A page of search results: <c>items</c> of the requested page, <c>total</c> over all pages.</summary>
public sealed record CooperationPage(IReadOnlyList<CooperationItem> Items, int Total, int Page, int PageSize);

/// <summary>A task field with its German label.</summary>
public sealed record TaskFieldView(string Slug, string Label);

/// <summary>The caller may not change this entry (its municipality is not a partner): 403.</summary>
public sealed class CooperationForbiddenException(string message) : Exception(message);

public sealed class CooperationNotFoundException() : NotFoundException("Diesen Eintrag gibt es im Register nicht.");
