using System.Numerics;

namespace OpenIkz.Assessment.Potential;

/// <summary>
/// The staffing of one service for one partner alone or for a pool. Minutes are working minutes; FTE are full-time
/// equivalents including the absence reserve. <c>StaffFte</c> is the figure of the chosen <see cref="StaffingMethod"/>.
/// <c>MeanWaitMinutes</c> and <c>ThroughputWorkingDays</c> are null when there are no cases or the queueing model gives no wait.
/// </summary>
public sealed record Staffing(
    double CasesPerYear, double WorkloadHours, double ArrivalsPerHour, double HandlingMinutes, double AbsenceRate,
    double BmiFte, int ErlangAgents, double ErlangFte, double StaffFte, double? MeanWaitMinutes, double? ThroughputWorkingDays);

/// <summary>One partner and service alone: today's staff, the staffing the target needs, and the days nobody is present with today's staff.</summary>
public sealed record PartnerServiceResult(string PartnerAgs, string Service, double CurrentStaffFte, Staffing Alone, double DaysWithNobodyPresent);

/// <summary>The implied settlement rate of a case group: the pooled cost (with the annualised transaction costs) per case.</summary>
public sealed record CaseGroupRate(string Service, string CaseGroup, double CasesPerYear, double MeanMinutesPerCase, double CostPerCaseEuro);

/// <summary>One service: the partners alone (summed) against the pool, and the rates per case group.</summary>
public sealed record ServiceResult(
    string Service, double AloneBmiFte, double AloneErlangFte, double AloneFte, double AloneDaysWithNobodyPresent,
    Staffing Pooled, double PooledDaysWithNobodyPresent, IReadOnlyList<CaseGroupRate> Rates);

/// <summary>
/// The result alone versus pooled. <c>SavingEuro</c> is the yearly saving once the pool runs (alone − pooled − yearly
/// coordination); <c>SavingShare</c> is that saving as a share of the cost alone (0.15 = 15 %); <c>BreakEvenMonths</c>
/// is the one-off cost ÷ monthly saving (null when there is no saving). <c>AnnualisedGainEuro</c> additionally spreads the
/// one-off cost over the amortisation years: it is the gain the fair split divides.
/// </summary>
public sealed record PotentialResult(
    IReadOnlyList<PartnerServiceResult> Partners, IReadOnlyList<ServiceResult> Services,
    double AloneFte, double PooledFte, double SavingFte,
    double AloneCostEuro, double PooledCostEuro, double OneOffCostEuro, double YearlyCoordinationEuro,
    double SavingEuro, double SavingShare, double? BreakEvenMonths, double FundingThreshold, bool ReachesFundingThreshold,
    double AnnualisedGainEuro, double CostPerFteEuro, double CostPerHourEuro, double AnnualHoursPerFte, StaffingMethod Method);

/// <summary>One partner in the fair split: its Shapley share of the gain beside what the suggested settlement key leaves it.</summary>
public sealed record PartnerShare(string PartnerAgs, double AloneCostEuro, double KeyPaymentEuro, double KeyGainEuro, double ShapleyGainEuro, double DifferenceEuro);

/// <summary>The fair split: the total yearly gain v(N) and per partner the key's gain against the Shapley value (difference = key − Shapley).</summary>
public sealed record FairSplitResult(double TotalGainEuro, IReadOnlyList<PartnerShare> Partners);

/// <summary>
/// The potential analysis, without I/O.
///
/// Per service and coalition S of partners (a single partner alone, or the pool):
///   cases C = Σ cases, Grundzeit workload W = Σ cases × minutes, absence a = workload-weighted mean of the partners' rates,
///   handling minutes h = W ÷ C × (1 + Verteilzeit), arrivals per working hour λ = C ÷ (working days × hours per day),
///   Jahresarbeitszeit J = working days × hours per day × 60 × (1 − a) minutes,
///   BMI:      FTE = W × (1 + Verteilzeit) ÷ J   (Organisationshandbuch: Fallzahl × mBZ ÷ Jahresarbeitszeit),
///   Erlang C: n = agents for (λ, h, target days × hours per day × 60, target share), FTE = n ÷ (1 − a).
/// Cost(S) = Σ services FTE(method) × cost per FTE. The suggested settlement key charges every partner the pooled cost
/// per case of each case group for its own cases (cases processed by others are paid, own cases processed for others are
/// received — which nets to own cases × rate when staff is provided in proportion to the work it does).
/// </summary>
public static class PotentialCalculator
{
    public static PotentialResult Calculate(PotentialInput input, IStaffingModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var m = Prepared.From(input, model);
        var all = m.All;
        var partners = new List<PartnerServiceResult>();
        var services = new List<ServiceResult>();
        double aloneFte = 0, pooledFte = 0;
        for (var s = 0; s < m.Services.Length; s++)
        {
            double aloneBmi = 0, aloneErlang = 0, aloneChosen = 0, aloneDays = 0;
            for (var p = 0; p < m.Partners.Length; p++)
            {
                if (!m.HasLoad[s, p]) continue;
                var alone = m.Evaluate(s, 1 << p);
                var days = AbsenceCoverage.DaysWithNobodyPresent(m.A.WorkingDaysPerYear, m.CurrentStaff[s, p], m.Absence(s, 1 << p));
                partners.Add(new PartnerServiceResult(m.Partners[p], m.Services[s], m.CurrentStaff[s, p], alone, days));
                aloneBmi += alone.BmiFte; aloneErlang += alone.ErlangFte; aloneChosen += alone.StaffFte; aloneDays += days;
            }
            var pooled = m.Evaluate(s, all);
            var pooledDays = AbsenceCoverage.DaysWithNobodyPresent(m.A.WorkingDaysPerYear, pooled.StaffFte, pooled.AbsenceRate);
            services.Add(new ServiceResult(m.Services[s], aloneBmi, aloneErlang, aloneChosen, aloneDays, pooled, pooledDays, []));
            aloneFte += aloneChosen;
            pooledFte += pooled.StaffFte;
        }

        var costPerFte = m.A.EffectiveCostPerFte;
        var aloneCost = aloneFte * costPerFte;
        var pooledCost = pooledFte * costPerFte;
        var n = m.Partners.Length;
        var oneOff = m.T.OneOffFor(n);
        var yearly = m.T.YearlyFor(n);
        var saving = aloneCost - pooledCost - yearly;
        var share = aloneCost > 0 ? saving / aloneCost : 0;
        double? breakEven = saving > 0 ? oneOff / (saving / 12) : null;
        var annualTransaction = yearly + oneOff / m.A.AmortisationYears;

        var rates = Rates(m, services, annualTransaction);
        services = services.Select(r => r with { Rates = rates.Where(x => x.Service == r.Service).ToList() }).ToList();
        return new PotentialResult(partners, services, aloneFte, pooledFte, aloneFte - pooledFte, aloneCost, pooledCost, oneOff, yearly,
            saving, share, breakEven, m.A.FundingThreshold, aloneCost > 0 && share >= m.A.FundingThreshold,
            aloneCost - pooledCost - annualTransaction, costPerFte, m.A.EffectiveCostPerHour, m.A.AnnualHoursPerFte(m.A.AbsenceRate), m.A.Method);
    }

    /// <summary>
    /// The fair split over all coalitions: v(S) = Σ_{i∈S} cost alone(i) − cost pooled(S) − transaction(S), with
    /// transaction(S) = yearly(|S|) + one-off(|S|) ÷ amortisation years for |S| ≥ 2 and v(S) = 0 for |S| ≤ 1; at most 15
    /// partners. Beside it, what the suggested settlement key leaves each partner: cost alone − Σ rate × own cases.
    /// Both sum to v(N).
    /// </summary>
    public static FairSplitResult FairSplit(PotentialInput input, IStaffingModel model)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Partners is { Count: > Shapley.MaxPartners })
            throw ValidationException.For("partners", $"Die faire Aufteilung (Shapley-Wert) wird exakt über alle Koalitionen berechnet und ist auf höchstens {Shapley.MaxPartners} Partner begrenzt.");
        var result = Calculate(input, model);
        var m = Prepared.From(input, model);
        var n = m.Partners.Length;
        var values = CoalitionValues(m);
        var phi = Shapley.Compute(n, values);

        var aloneCost = new double[n];
        for (var p = 0; p < n; p++) aloneCost[p] = m.AloneCost(p);
        var rate = result.Services.SelectMany(s => s.Rates).ToDictionary(r => (r.Service, r.CaseGroup), r => r.CostPerCaseEuro);
        var shares = new List<PartnerShare>();
        for (var p = 0; p < n; p++)
        {
            double pays = 0;
            for (var s = 0; s < m.Services.Length; s++)
                for (var g = 0; g < m.Groups[s].Length; g++)
                    pays += m.GroupCases[s][g, p] * rate[(m.Services[s], m.Groups[s][g])];
            var keyGain = aloneCost[p] - pays;
            shares.Add(new PartnerShare(m.Partners[p], aloneCost[p], pays, keyGain, phi[p], keyGain - phi[p]));
        }
        return new FairSplitResult(values[(1 << n) - 1], shares);
    }

    /// <summary>The characteristic function v(mask) for all 2ⁿ coalitions (the baseline of the Shapley benchmark).</summary>
    public static double[] CoalitionValues(PotentialInput input, IStaffingModel model)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Partners is { Count: > Shapley.MaxPartners })
            throw ValidationException.For("partners", $"Die faire Aufteilung (Shapley-Wert) wird exakt über alle Koalitionen berechnet und ist auf höchstens {Shapley.MaxPartners} Partner begrenzt.");
        return CoalitionValues(Prepared.From(input, model));
    }

    private static double[] CoalitionValues(Prepared m)
    {
        var n = m.Partners.Length;
        var alone = new double[n];
        for (var p = 0; p < n; p++) alone[p] = m.AloneCost(p);
        var costPerFte = m.A.EffectiveCostPerFte;
        return Shapley.Table(n, mask =>
        {
            var size = BitOperations.PopCount((uint)mask);
            if (size < 2) return 0;
            double sumAlone = 0, pooled = 0;
            for (var rest = mask; rest != 0; rest &= rest - 1) sumAlone += alone[BitOperations.TrailingZeroCount(rest)];
            for (var s = 0; s < m.Services.Length; s++) pooled += m.Evaluate(s, mask).StaffFte * costPerFte;
            return sumAlone - pooled - m.T.YearlyFor(size) - m.T.OneOffFor(size) / m.A.AmortisationYears;
        });
    }

    private static List<CaseGroupRate> Rates(Prepared m, List<ServiceResult> services, double annualTransaction)
    {
        var costPerFte = m.A.EffectiveCostPerFte;
        var totalPooledCost = services.Sum(s => s.Pooled.StaffFte) * costPerFte;
        var totalWork = m.TotalWork();
        var rates = new List<CaseGroupRate>();
        for (var s = 0; s < m.Services.Length; s++)
        {
            var serviceCost = services[s].Pooled.StaffFte * costPerFte;
            // The transaction costs are carried by the services in proportion to their pooled cost (by workload if nothing costs).
            var serviceTransaction = totalPooledCost > 0 ? annualTransaction * serviceCost / totalPooledCost
                : totalWork > 0 ? annualTransaction * m.ServiceWork(s) / totalWork : 0;
            var serviceWork = m.ServiceWork(s);
            for (var g = 0; g < m.Groups[s].Length; g++)
            {
                double cases = 0, work = 0;
                for (var p = 0; p < m.Partners.Length; p++) { cases += m.GroupCases[s][g, p]; work += m.GroupWork[s][g, p]; }
                var perCase = cases > 0 && serviceWork > 0 ? (serviceCost + serviceTransaction) * (work / serviceWork) / cases : 0;
                rates.Add(new CaseGroupRate(m.Services[s], m.Groups[s][g], cases, cases > 0 ? work / cases : 0, perCase));
            }
        }
        return rates;
    }

    /// <summary>The validated input as arrays per service and partner.</summary>
    private sealed class Prepared
    {
        public required string[] Partners;
        public required string[] Services;
        public required string[][] Groups;
        public required double[][,] GroupCases, GroupWork;
        public required double[,] Cases, Work, AbsenceWork, CurrentStaff, DefaultAbsence;
        public required bool[,] HasLoad;
        public required PotentialAssumptions A;
        public required ServiceTarget Target;
        public required TransactionCosts T;
        public required IStaffingModel Model;
        public int All => (1 << Math.Min(Partners.Length, 30)) - 1;

        public double ServiceWork(int s) { double w = 0; for (var p = 0; p < Partners.Length; p++) w += Work[s, p]; return w; }
        public double TotalWork() { double w = 0; for (var s = 0; s < Services.Length; s++) w += ServiceWork(s); return w; }

        public double AloneCost(int p)
        {
            double fte = 0;
            for (var s = 0; s < Services.Length; s++) if (HasLoad[s, p]) fte += Evaluate(s, 1 << p).StaffFte;
            return fte * A.EffectiveCostPerFte;
        }

        /// <summary>The workload-weighted absence rate of the coalition; the plain mean of its rates when it has no workload.</summary>
        public double Absence(int s, int mask)
        {
            double work = 0, weighted = 0, plain = 0; var count = 0;
            for (var rest = mask; rest != 0; rest &= rest - 1)
            {
                var p = BitOperations.TrailingZeroCount(rest);
                if (!HasLoad[s, p]) continue;
                work += Work[s, p]; weighted += AbsenceWork[s, p]; plain += DefaultAbsence[s, p]; count++;
            }
            return work > 0 ? weighted / work : count > 0 ? plain / count : A.AbsenceRate;
        }

        public Staffing Evaluate(int s, int mask)
        {
            double cases = 0, work = 0;
            for (var rest = mask; rest != 0; rest &= rest - 1)
            {
                var p = BitOperations.TrailingZeroCount(rest);
                cases += Cases[s, p]; work += Work[s, p];
            }
            var a = Absence(s, mask);
            if (cases <= 0 || work <= 0) return new Staffing(0, 0, 0, 0, a, 0, 0, 0, 0, null, null);
            var vz = 1 + A.VerteilzeitRate;
            var minutesPerDay = A.HoursPerDay * 60;
            var handling = work / cases * vz;
            var lambda = cases / (A.WorkingDaysPerYear * A.HoursPerDay);
            var bmi = work * vz / (A.WorkingDaysPerYear * minutesPerDay * (1 - a));
            var agents = Model.AgentsFor(lambda, handling, Target.WorkingDays * minutesPerDay, Target.ShareStarted);
            var load = lambda * handling / 60;
            if (agents <= load || agents < 1)
                throw new InvalidOperationException($"The staffing model returned {agents} agents for an offered load of {load:0.###}: the queue would not be stable.");
            var erlang = agents / (1 - a);
            var wait = Model.MeanWaitMinutes(lambda, handling, agents);
            if (wait is { } w && (!double.IsFinite(w) || w < 0)) throw new InvalidOperationException($"The staffing model returned a mean wait of {w}.");
            return new Staffing(cases, work / 60, lambda, handling, a, bmi, agents, erlang, A.Method == StaffingMethod.Bmi ? bmi : erlang,
                wait, wait is { } mw ? (mw + handling) / minutesPerDay : null);
        }

        public static Prepared From(PotentialInput? input, IStaffingModel model)
        {
            ArgumentNullException.ThrowIfNull(model);
            var errors = new ValidationErrors();
            if (input is null) throw ValidationException.For("partners", "Die Angaben zur Potenzialanalyse fehlen.");
            var a = input.Assumptions ?? new PotentialAssumptions();
            var target = input.Target ?? new ServiceTarget();
            var t = input.TransactionCosts ?? new TransactionCosts();

            var partners = (input.Partners ?? []).Select(x => (x ?? "").Trim()).ToArray();
            if (partners.Length < 2) errors.Add("partners", "Eine Potenzialanalyse braucht mindestens zwei Partner.");
            if (partners.Length > 30) errors.Add("partners", "Eine Potenzialanalyse umfasst höchstens 30 Partner.");
            if (partners.Any(string.IsNullOrEmpty)) errors.Add("partners", "Jeder Partner braucht seinen Gemeindeschlüssel (AGS).");
            if (partners.Distinct(StringComparer.Ordinal).Count() != partners.Length) errors.Add("partners", "Ein Partner ist doppelt genannt.");

            static bool Bad(double v, double min, double max) => !double.IsFinite(v) || v < min || v > max;
            if (Bad(a.WorkingDaysPerYear, 1, 366)) errors.Add("assumptions.workingDaysPerYear", "Die Arbeitstage im Jahr liegen zwischen 1 und 366.");
            if (Bad(a.HoursPerDay, 0.5, 24)) errors.Add("assumptions.hoursPerDay", "Die Arbeitsstunden am Tag liegen zwischen 0,5 und 24.");
            if (!double.IsFinite(a.AbsenceRate) || a.AbsenceRate < 0 || a.AbsenceRate >= 1) errors.Add("assumptions.absenceRate", "Die Abwesenheitsquote liegt zwischen 0 und unter 1 (z. B. 0,18).");
            if (Bad(a.VerteilzeitRate, 0, 1)) errors.Add("assumptions.verteilzeitRate", "Der Verteilzeitzuschlag liegt zwischen 0 und 1 (z. B. 0,10).");
            if (Bad(a.CostPerFteEuro, 0, 10_000_000)) errors.Add("assumptions.costPerFteEuro", "Die Kosten je Vollzeitstelle liegen zwischen 0 und 10.000.000 €.");
            if (a.CostPerHourEuro is { } perHour && Bad(perHour, 0, 10_000)) errors.Add("assumptions.costPerHourEuro", "Die Kosten je Stunde liegen zwischen 0 und 10.000 €.");
            if (Bad(a.FundingThreshold, 0, 1)) errors.Add("assumptions.fundingThreshold", "Die Förderschwelle liegt zwischen 0 und 1 (z. B. 0,15).");
            if (Bad(a.AmortisationYears, 0.1, 100)) errors.Add("assumptions.amortisationYears", "Der Verteilungszeitraum der einmaligen Kosten liegt zwischen 0,1 und 100 Jahren.");
            if (!Enum.IsDefined(a.Method)) errors.Add("assumptions.method", "Die Methode ist ErlangC oder Bmi.");
            if (Bad(target.WorkingDays, 0.01, 365)) errors.Add("target.workingDays", "Die Zielzeit liegt zwischen 0,01 und 365 Arbeitstagen.");
            if (!double.IsFinite(target.ShareStarted) || target.ShareStarted <= 0 || target.ShareStarted >= 1) errors.Add("target.shareStarted", "Der Zielanteil liegt über 0 und unter 1 (z. B. 0,9).");
            if (Bad(t.OneOffFixedEuro, 0, 1e9)) errors.Add("transactionCosts.oneOffFixedEuro", "Die einmaligen Kosten dürfen nicht negativ sein.");
            if (Bad(t.OneOffPerPartnerEuro, 0, 1e9)) errors.Add("transactionCosts.oneOffPerPartnerEuro", "Die einmaligen Kosten dürfen nicht negativ sein.");
            if (Bad(t.YearlyFixedEuro, 0, 1e9)) errors.Add("transactionCosts.yearlyFixedEuro", "Die jährlichen Koordinationskosten dürfen nicht negativ sein.");
            if (Bad(t.YearlyPerPartnerEuro, 0, 1e9)) errors.Add("transactionCosts.yearlyPerPartnerEuro", "Die jährlichen Koordinationskosten dürfen nicht negativ sein.");

            var loads = input.Loads ?? [];
            if (loads.Count == 0) errors.Add("loads", "Es braucht mindestens eine Leistung mit Fallzahlen.");
            var partnerIndex = partners.Select((x, i) => (x, i)).GroupBy(x => x.x).ToDictionary(g => g.Key, g => g.First().i, StringComparer.Ordinal);
            var seen = new HashSet<(string, string)>();
            for (var i = 0; i < loads.Count; i++)
            {
                var l = loads[i];
                var f = $"loads[{i}]";
                if (l is null) { errors.Add(f, "Die Angabe fehlt."); continue; }
                if (!partnerIndex.ContainsKey((l.PartnerAgs ?? "").Trim())) errors.Add($"{f}.partnerAgs", "Der Partner gehört nicht zu den genannten Partnern.");
                if (string.IsNullOrWhiteSpace(l.Service)) errors.Add($"{f}.service", "Die Leistung fehlt.");
                else if (!seen.Add(((l.PartnerAgs ?? "").Trim(), l.Service.Trim()))) errors.Add($"{f}.service", "Diese Leistung ist für den Partner doppelt angegeben.");
                if (Bad(l.StaffFte, 0, 10_000)) errors.Add($"{f}.staffFte", "Die Stellen (Vollzeitäquivalente) liegen zwischen 0 und 10.000.");
                if (l.AbsenceRate is { } ar && (!double.IsFinite(ar) || ar < 0 || ar >= 1)) errors.Add($"{f}.absenceRate", "Die Abwesenheitsquote liegt zwischen 0 und unter 1 (z. B. 0,18).");
                var groups = l.CaseGroups ?? [];
                if (groups.Count == 0) errors.Add($"{f}.caseGroups", "Es braucht mindestens eine Fallgruppe ('' für die ganze Leistung).");
                var groupNames = new HashSet<string>(StringComparer.Ordinal);
                for (var j = 0; j < groups.Count; j++)
                {
                    var g = groups[j];
                    var gf = $"{f}.caseGroups[{j}]";
                    if (g is null) { errors.Add(gf, "Die Angabe fehlt."); continue; }
                    if (!groupNames.Add((g.CaseGroup ?? "").Trim())) errors.Add($"{gf}.caseGroup", "Diese Fallgruppe ist doppelt angegeben.");
                    if (Bad(g.CasesPerYear, 0, 100_000_000)) errors.Add($"{gf}.casesPerYear", "Die Fallzahl im Jahr liegt zwischen 0 und 100.000.000.");
                    if (!double.IsFinite(g.MinutesPerCase) || g.MinutesPerCase <= 0 || g.MinutesPerCase > 100_000) errors.Add($"{gf}.minutesPerCase", "Die Bearbeitungszeit je Fall liegt über 0 und höchstens bei 100.000 Minuten.");
                }
            }
            if (errors.Count > 0) throw new ValidationException(errors);

            var services = loads.Select(l => l.Service.Trim()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var sIndex = services.Select((x, i) => (x, i)).ToDictionary(x => x.x, x => x.i, StringComparer.Ordinal);
            var groupsPerService = services.Select(s => loads.Where(l => l.Service.Trim() == s).SelectMany(l => l.CaseGroups.Select(g => (g.CaseGroup ?? "").Trim()))
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray()).ToArray();
            int n = partners.Length, ns = services.Length;
            var prepared = new Prepared
            {
                Partners = partners, Services = services, Groups = groupsPerService,
                GroupCases = groupsPerService.Select(g => new double[g.Length, n]).ToArray(),
                GroupWork = groupsPerService.Select(g => new double[g.Length, n]).ToArray(),
                Cases = new double[ns, n], Work = new double[ns, n], AbsenceWork = new double[ns, n], CurrentStaff = new double[ns, n], DefaultAbsence = new double[ns, n],
                HasLoad = new bool[ns, n], A = a, Target = target, T = t, Model = model,
            };
            foreach (var l in loads)
            {
                int s = sIndex[l.Service.Trim()], p = partnerIndex[l.PartnerAgs.Trim()];
                var absence = l.AbsenceRate ?? a.AbsenceRate;
                prepared.HasLoad[s, p] = true;
                prepared.CurrentStaff[s, p] = l.StaffFte;
                prepared.DefaultAbsence[s, p] = absence;
                foreach (var g in l.CaseGroups)
                {
                    var gi = Array.IndexOf(groupsPerService[s], (g.CaseGroup ?? "").Trim());
                    var work = g.CasesPerYear * g.MinutesPerCase;
                    prepared.GroupCases[s][gi, p] += g.CasesPerYear;
                    prepared.GroupWork[s][gi, p] += work;
                    prepared.Cases[s, p] += g.CasesPerYear;
                    prepared.Work[s, p] += work;
                    prepared.AbsenceWork[s, p] += work * absence;
                }
            }
            return prepared;
        }
    }
}
