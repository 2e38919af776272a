using System.Globalization;
using System.Text.RegularExpressions;
using OpenIkz.Directory.Accounts;

namespace OpenIkz.Agreements.Settlement;

/// <summary>A settlement period: a year ("2026"), a quarter ("2026-Q3") or a month ("2026-07"); End is exclusive.</summary>
public sealed partial record SettlementPeriod(string Text, DateOnly Start, DateOnly End)
{
    [GeneratedRegex(@"^(?<y>\d{4})(-(Q(?<q>[1-4])|(?<m>0[1-9]|1[0-2])))?$")]
    private static partial Regex Syntax();

    public static SettlementPeriod Parse(string? text)
    {
        var m = Syntax().Match((text ?? "").Trim());
        if (!m.Success || !int.TryParse(m.Groups["y"].Value, out var year) || year is < 2000 or > 2100)
            throw new ValidationException(new ValidationErrors { { "period", ["Der Zeitraum ist ein Jahr (2026), ein Quartal (2026-Q3) oder ein Monat (2026-07)."] } });
        if (m.Groups["q"].Success)
        {
            var start = new DateOnly(year, (int.Parse(m.Groups["q"].Value, CultureInfo.InvariantCulture) - 1) * 3 + 1, 1);
            return new SettlementPeriod($"{year}-Q{m.Groups["q"].Value}", start, start.AddMonths(3));
        }
        if (m.Groups["m"].Success)
        {
            var start = new DateOnly(year, int.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture), 1);
            return new SettlementPeriod(start.ToString("yyyy-MM", CultureInfo.InvariantCulture), start, start.AddMonths(1));
        }
        return new SettlementPeriod(year.ToString(CultureInfo.InvariantCulture), new DateOnly(year, 1, 1), new DateOnly(year + 1, 1, 1));
    }

    public bool Overlaps(DateOnly start, DateOnly end) => Start < end && start < End;
    public DateOnly LastDay => End.AddDays(-1);
}

/// <summary>What a settlement line counts: decided cases, or appointments an office served for another member's residents.</summary>
public static class SettlementUnits
{
    public const string Case = "case";
    public const string Appointment = "appointment";
}

/// <summary>
/// How many cases a processor decided for an owner in the period, per service and case group; with
/// <see cref="SettlementUnits.Appointment"/>, how many appointments an office of the processor served for residents of
/// the owner (case group '').
/// </summary>
public sealed record CaseCount(string OwnerAgs, string ProcessorAgs, string Service, string CaseGroup, long Count, string Unit = SettlementUnits.Case);

/// <summary>
/// A source of counts other than decided cases that the settlement prices, kept by a downstream module (the appointments
/// of issue 11): it counts for the agreement's members in [from, to) and is registered in the container.
/// </summary>
public interface ISettlementCountSource
{
    Task<IReadOnlyList<CaseCount>> CountAsync(System.Data.Common.DbConnection c, long agreementId, DateTime fromUtc, DateTime toUtc, CancellationToken ct);
}

public sealed record SettlementKey(IReadOnlyList<AgreementRate> Rates, string FeeRule, decimal? FeeSharePercent)
{
    /// <summary>The rate of a case group, else the rate for the whole service ('' case group), else none.</summary>
    public AgreementRate? RateFor(string service, string caseGroup) =>
        Rates.FirstOrDefault(r => r.Service == service && r.CaseGroup == caseGroup) ?? Rates.FirstOrDefault(r => r.Service == service && r.CaseGroup == "");

    /// <summary>The amount per appointment of a service (its row for all case groups), else none: appointments are then not settled.</summary>
    public decimal? AppointmentRateFor(string service) => Rates.FirstOrDefault(r => r.Service == service && r.CaseGroup == "")?.PerAppointment;
}

/// <summary>One line: what an owner owes a processor for one service and case group. Amounts in cents.</summary>
public sealed record SettlementLine(string OwnerAgs, string ProcessorAgs, string Service, string CaseGroup, long Count, long FlatCents, long FeeCents, long AmountCents,
    string Unit = SettlementUnits.Case);

public sealed record Transfer(string PayerAgs, string ReceiverAgs, long AmountCents);

public sealed record SettlementResult(IReadOnlyList<SettlementLine> Lines, IReadOnlyDictionary<string, long> Balances, IReadOnlyList<Transfer> Transfers);

/// <summary>
/// The Kostenausgleich, without I/O. For every (owner, processor, service, case group) with
/// owner ≠ processor: count × flat amount, plus — when fees are shared — count × fee × share; the sum is
/// exact (decimal) and rounded once to cents (half away from zero). Appointments served for another member's
/// residents are lines of their own: count × the amount per appointment, no fee share; without such an amount
/// they are not settled. The owner pays the line to the
/// processor. Each member's balance is what it receives minus what it pays: a negative balance pays, a
/// positive one receives, and the balances sum to zero because every line is added once and
/// subtracted once. Transfers settle the balances with as few payments as a greedy match gives.
/// </summary>
public static class SettlementCalculator
{
    public static SettlementResult Calculate(IEnumerable<CaseCount> counts, SettlementKey key, IEnumerable<string> members)
    {
        var lines = new List<SettlementLine>();
        foreach (var c in counts.Where(c => c.OwnerAgs != c.ProcessorAgs && c.Count > 0)
                     .OrderBy(c => c.Unit == SettlementUnits.Case ? 0 : 1)
                     .ThenBy(c => c.OwnerAgs, StringComparer.Ordinal).ThenBy(c => c.ProcessorAgs, StringComparer.Ordinal)
                     .ThenBy(c => c.Service, StringComparer.Ordinal).ThenBy(c => c.CaseGroup, StringComparer.Ordinal))
        {
            if (c.Unit == SettlementUnits.Appointment)
            {
                if (key.AppointmentRateFor(c.Service) is not { } perAppointment) continue;
                var cents = ToCents(c.Count * perAppointment);
                lines.Add(new SettlementLine(c.OwnerAgs, c.ProcessorAgs, c.Service, "", c.Count, cents, 0, cents, SettlementUnits.Appointment));
                continue;
            }
            var rate = key.RateFor(c.Service, c.CaseGroup);
            var flat = c.Count * (rate?.FlatAmount ?? 0m);
            var fee = key.FeeRule == "share" && rate?.Fee is { } perCase && key.FeeSharePercent is { } share ? c.Count * perCase * share / 100m : 0m;
            var amount = ToCents(flat + fee);
            var flatCents = ToCents(flat);
            lines.Add(new SettlementLine(c.OwnerAgs, c.ProcessorAgs, c.Service, c.CaseGroup, c.Count, flatCents, amount - flatCents, amount));
        }

        var balances = members.Distinct().ToDictionary(m => m, _ => 0L);
        foreach (var line in lines)
        {
            balances[line.ProcessorAgs] = balances.GetValueOrDefault(line.ProcessorAgs) + line.AmountCents;
            balances[line.OwnerAgs] = balances.GetValueOrDefault(line.OwnerAgs) - line.AmountCents;
        }
        return new SettlementResult(lines, balances, Transfers(balances));
    }

    public static long ToCents(decimal euros) => (long)decimal.Round(euros * 100m, 0, MidpointRounding.AwayFromZero);

    public static IReadOnlyList<Transfer> Transfers(IReadOnlyDictionary<string, long> balances)
    {
        var payers = balances.Where(b => b.Value < 0).Select(b => (Ags: b.Key, Left: -b.Value)).OrderByDescending(p => p.Left).ThenBy(p => p.Ags, StringComparer.Ordinal).ToList();
        var receivers = balances.Where(b => b.Value > 0).Select(b => (Ags: b.Key, Left: b.Value)).OrderByDescending(r => r.Left).ThenBy(r => r.Ags, StringComparer.Ordinal).ToList();
        var transfers = new List<Transfer>();
        int p = 0, r = 0;
        while (p < payers.Count && r < receivers.Count)
        {
            var amount = Math.Min(payers[p].Left, receivers[r].Left);
            transfers.Add(new Transfer(payers[p].Ags, receivers[r].Ags, amount));
            payers[p] = (payers[p].Ags, payers[p].Left - amount);
            receivers[r] = (receivers[r].Ags, receivers[r].Left - amount);
            if (payers[p].Left == 0) p++;
            if (receivers[r].Left == 0) r++;
        }
        return transfers;
    }
}

/// <summary>An invoice of the period that stands so far: the latest document of its payer and receiver.</summary>
public sealed record StandingInvoice(string Number, string PayerAgs, string ReceiverAgs, long AmountCents, string SettlementId);

/// <summary>An invoice a new settlement issues; <c>Replaces*</c> name the invoice it corrects (BG-3).</summary>
public sealed record PlannedInvoice(string Number, string PayerAgs, string ReceiverAgs, string TypeCode, long AmountCents, string? ReplacesNumber, string? ReplacesSettlementId);

/// <summary>
/// Which e-invoices a settlement issues, without I/O. An original settlement issues one commercial invoice
/// (380) per transfer. A correction replaces every invoice that stands for the period with a corrected invoice
/// (384) that references it (BT-25) and states the full corrected amount — never a second invoice on top —
/// so that for every payer and receiver exactly one document stands and is paid. A pair that owes nothing
/// any more gets a corrected invoice over 0,00 €; a pair that is new in the correction gets a 380.
/// </summary>
public static class SettlementInvoicing
{
    public static string NumberOf(string settlementNumber, string payerAgs, string receiverAgs) => $"{settlementNumber}-{payerAgs}-{receiverAgs}";

    public static IReadOnlyList<PlannedInvoice> Plan(string settlementNumber, IEnumerable<Transfer> transfers, IEnumerable<StandingInvoice> standing)
    {
        var stands = standing.GroupBy(i => (i.PayerAgs, i.ReceiverAgs)).ToDictionary(g => g.Key, g => g.Last());
        var planned = new List<PlannedInvoice>();
        var paid = new HashSet<(string, string)>();
        foreach (var t in transfers.Where(t => t.AmountCents > 0))
        {
            paid.Add((t.PayerAgs, t.ReceiverAgs));
            var number = NumberOf(settlementNumber, t.PayerAgs, t.ReceiverAgs);
            planned.Add(stands.TryGetValue((t.PayerAgs, t.ReceiverAgs), out var replaced)
                ? new PlannedInvoice(number, t.PayerAgs, t.ReceiverAgs, InvoiceTypes.Corrected, t.AmountCents, replaced.Number, replaced.SettlementId)
                : new PlannedInvoice(number, t.PayerAgs, t.ReceiverAgs, InvoiceTypes.Commercial, t.AmountCents, null, null));
        }
        foreach (var ((payer, receiver), replaced) in stands.OrderBy(s => s.Key.PayerAgs, StringComparer.Ordinal).ThenBy(s => s.Key.ReceiverAgs, StringComparer.Ordinal))
            if (!paid.Contains((payer, receiver)) && replaced.AmountCents > 0)
                planned.Add(new PlannedInvoice(NumberOf(settlementNumber, payer, receiver), payer, receiver, InvoiceTypes.Corrected, 0, replaced.Number, replaced.SettlementId));
        return planned;
    }
}
