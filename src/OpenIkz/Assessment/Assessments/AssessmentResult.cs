using OpenIkz.Assessment.Potential;

namespace OpenIkz.Assessment.Assessments;

/// <summary>
/// A stored potential analysis as answered by POST and GET /api/v1/assessments (without <c>agreementId</c>, which the
/// API adds from the row): the partners alone per service, the pool, the saving, the break-even, the funding threshold,
/// the Shapley split, the suggested rates, the absence coverage, the settlement-key comparison and the assumptions used.
/// </summary>
public sealed record AssessmentResult(
    long Id,
    string Title,
    DateTime CreatedAt,
    string CreatedByAgs,
    IReadOnlyList<string> Partners,
    IReadOnlyList<PartnerServiceResult> Alone,
    PooledView Pooled,
    SavingView Saving,
    double? BreakEvenMonths,
    double FundingThreshold,
    bool FundingThresholdMet,
    IReadOnlyList<ShapleyShare> Shapley,
    IReadOnlyList<CaseGroupRate> SuggestedRates,
    AbsenceCoverageView AbsenceCoverage,
    SettlementKeyView SettlementKey,
    AssumptionsView Assumptions)
{
    public static AssessmentResult From(long id, string title, DateTime createdAt, string createdByAgs, PotentialInput input, PotentialResult r, FairSplitResult split)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(split);
        var a = input.Assumptions ?? new PotentialAssumptions();
        var target = input.Target ?? new ServiceTarget();
        return new AssessmentResult(id, title, createdAt, createdByAgs, input.Partners, r.Partners,
            new PooledView(r.AloneFte, r.PooledFte, r.AloneCostEuro, r.PooledCostEuro, r.OneOffCostEuro, r.YearlyCoordinationEuro, r.AnnualisedGainEuro, r.Services),
            new SavingView(r.SavingFte, r.SavingEuro, r.SavingShare * 100),
            r.BreakEvenMonths, r.FundingThreshold, r.ReachesFundingThreshold,
            split.Partners.Select(p => new ShapleyShare(p.PartnerAgs, p.ShapleyGainEuro)).ToList(),
            r.Services.SelectMany(s => s.Rates).ToList(),
            new AbsenceCoverageView(r.Services.Sum(s => s.AloneDaysWithNobodyPresent), r.Services.Sum(s => s.PooledDaysWithNobodyPresent),
                r.Services.Select(s => new ServiceCoverage(s.Service, s.AloneDaysWithNobodyPresent, s.PooledDaysWithNobodyPresent)).ToList()),
            new SettlementKeyView(split.TotalGainEuro, split.Partners),
            new AssumptionsView(r.Method == StaffingMethod.Bmi ? "bmi" : "erlangC", a.WorkingDaysPerYear, a.HoursPerDay, a.AbsenceRate, a.VerteilzeitRate,
                r.CostPerFteEuro, r.CostPerHourEuro, r.AnnualHoursPerFte, a.FundingThreshold, a.AmortisationYears,
                target.WorkingDays, target.ShareStarted, input.TransactionCosts ?? new TransactionCosts()));
    }
}

/// <summary>The pool against the partners alone: FTE and yearly cost, the transaction costs, and per service the staffing alone and pooled with its rates.</summary>
public sealed record PooledView(
    double AloneFte, double Fte, double AloneCostEurPerYear, double CostEurPerYear, double OneOffCostEur, double YearlyCoordinationEurPerYear,
    double AnnualisedGainEurPerYear, IReadOnlyList<ServiceResult> Services);

/// <summary>The yearly saving once the pool runs: FTE, euro (after the yearly coordination cost) and percent of the cost alone.</summary>
public sealed record SavingView(double Fte, double EurPerYear, double Percent);

/// <summary>A partner's Shapley value of the yearly gain (one-off costs spread over the amortisation years).</summary>
public sealed record ShapleyShare(string Ags, double EurPerYear);

/// <summary>Working days a year on which nobody of the service's staff is present: partners alone (summed) and pooled.</summary>
public sealed record AbsenceCoverageView(double AloneDaysWithNobodyPresent, double PooledDaysWithNobodyPresent, IReadOnlyList<ServiceCoverage> Services);

public sealed record ServiceCoverage(string Service, double AloneDaysWithNobodyPresent, double PooledDaysWithNobodyPresent);

/// <summary>What the suggested rates leave each partner beside its Shapley value (difference = key − Shapley); the total gain v(N).</summary>
public sealed record SettlementKeyView(double TotalGainEurPerYear, IReadOnlyList<PartnerShare> Partners);

/// <summary>The assumptions the figures are based on, with the defaults filled in.</summary>
public sealed record AssumptionsView(
    string Method, double WorkingDaysPerYear, double HoursPerDay, double AbsenceRate, double VerteilzeitRate, double CostPerFteEuro, double CostPerHourEuro,
    double AnnualHoursPerFte, double FundingThreshold, double AmortisationYears, double TargetWorkingDays, double TargetShareStarted, TransactionCosts TransactionCosts);
