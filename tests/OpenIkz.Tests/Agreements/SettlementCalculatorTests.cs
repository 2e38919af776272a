using OpenIkz.Agreements;
using OpenIkz.Agreements.Settlement;
using OpenIkz.Directory.Accounts;

namespace OpenIkz.Tests.Agreements;

/// <summary>
/// The hand-computed example: three partners with asymmetric processing shares and Kfz fee income
/// (flat amounts per case group, 33.33 % of the fee to the processor).
///
///   line                              flat            fee share                   exact       cents
///   A→B neuzulassung ×10      10×12.50=125.00   10×27.90×33.33%=92.9907       217.9907     217.99
///   A→B umschreibung ×4        4×10.00= 40.00    4×26.30×33.33%=35.06316       75.06316     75.06
///   A→C neuzulassung ×3        3×12.50= 37.50    3×27.90×33.33%=27.89721       65.39721     65.40
///   B→A ausserbetriebsetz. ×7  7× 4.50= 31.50    7× 8.10×33.33%=18.89811       50.39811     50.40
///   C→B umschreibung ×5        5×10.00= 50.00    5×26.30×33.33%=43.82895       93.82895     93.83
///
///   A: +50.40 − 217.99 − 75.06 − 65.40 = −308.05 (pays)
///   B: +217.99 + 75.06 + 93.83 − 50.40 = +336.48 (receives)
///   C: +65.40 − 93.83                  =  −28.43 (pays)        sum = 0.00
/// </summary>
public class SettlementCalculatorTests
{
    public const string A = "07314000", B = "07311000", C = "07338";

    public static readonly SettlementKey Key = new(
    [
        new AgreementRate("kfz-zulassung", "neuzulassung", 12.50m, 27.90m),
        new AgreementRate("kfz-zulassung", "umschreibung", 10.00m, 26.30m),
        new AgreementRate("kfz-zulassung", "ausserbetriebsetzung", 4.50m, 8.10m),
    ], "share", 33.33m);

    public static readonly CaseCount[] Counts =
    [
        new(A, B, "kfz-zulassung", "neuzulassung", 10),
        new(A, B, "kfz-zulassung", "umschreibung", 4),
        new(A, C, "kfz-zulassung", "neuzulassung", 3),
        new(B, A, "kfz-zulassung", "ausserbetriebsetzung", 7),
        new(C, B, "kfz-zulassung", "umschreibung", 5),
        new(A, A, "kfz-zulassung", "neuzulassung", 50), // own cases: no compensation
        new(B, B, "kfz-zulassung", "umschreibung", 20),
    ];

    [Fact]
    public void Calculate_HandComputedExample_MatchesToTheCent()
    {
        var result = SettlementCalculator.Calculate(Counts, Key, [A, B, C]);
        Assert.Equal(21799, result.Lines.Single(l => l.OwnerAgs == A && l.ProcessorAgs == B && l.CaseGroup == "neuzulassung").AmountCents);
        Assert.Equal(7506, result.Lines.Single(l => l.OwnerAgs == A && l.ProcessorAgs == B && l.CaseGroup == "umschreibung").AmountCents);
        Assert.Equal(6540, result.Lines.Single(l => l.OwnerAgs == A && l.ProcessorAgs == C).AmountCents);
        Assert.Equal(5040, result.Lines.Single(l => l.OwnerAgs == B && l.ProcessorAgs == A).AmountCents);
        Assert.Equal(9383, result.Lines.Single(l => l.OwnerAgs == C && l.ProcessorAgs == B).AmountCents);
        Assert.Equal(5, result.Lines.Count);
        Assert.Equal(-30805, result.Balances[A]);
        Assert.Equal(33648, result.Balances[B]);
        Assert.Equal(-2843, result.Balances[C]);
        Assert.Equal(0, result.Balances.Values.Sum());
    }

    [Fact]
    public void Calculate_Transfers_SettleEveryBalanceExactly()
    {
        var result = SettlementCalculator.Calculate(Counts, Key, [A, B, C]);
        Assert.Equal([new Transfer(A, B, 30805), new Transfer(C, B, 2843)], result.Transfers);
        foreach (var (ags, balance) in result.Balances)
            Assert.Equal(balance, result.Transfers.Where(t => t.ReceiverAgs == ags).Sum(t => t.AmountCents) - result.Transfers.Where(t => t.PayerAgs == ags).Sum(t => t.AmountCents));
    }

    [Fact]
    public void Calculate_WhenFeesStayWithTheOwner_OnlyFlatAmountsAreCompensated()
    {
        var result = SettlementCalculator.Calculate(Counts, Key with { FeeRule = "owner", FeeSharePercent = null }, [A, B, C]);
        Assert.Equal(12500, result.Lines.Single(l => l.OwnerAgs == A && l.ProcessorAgs == B && l.CaseGroup == "neuzulassung").AmountCents);
        Assert.Equal(-(12500 + 4000 + 3750) + 3150, result.Balances[A]);
        Assert.Equal(0, result.Balances.Values.Sum());
    }

    [Fact]
    public void Calculate_WhenNothingCrossesMunicipalities_EveryBalanceIsZero()
    {
        var result = SettlementCalculator.Calculate([new CaseCount(A, A, "kfz-zulassung", "neuzulassung", 9)], Key, [A, B, C]);
        Assert.Empty(result.Lines);
        Assert.All(result.Balances.Values, b => Assert.Equal(0, b));
        Assert.Empty(result.Transfers);
    }

    [Fact]
    public void Calculate_RandomInputs_AlwaysSumToZero()
    {
        var random = new Random(7);
        string[] members = ["1", "2", "3", "4", "5"];
        for (var run = 0; run < 200; run++)
        {
            var counts = Enumerable.Range(0, 12).Select(_ => new CaseCount(members[random.Next(5)], members[random.Next(5)], "kfz-zulassung",
                new[] { "neuzulassung", "umschreibung", "ausserbetriebsetzung" }[random.Next(3)], random.Next(0, 5000))).ToList();
            var key = Key with { FeeSharePercent = Math.Round((decimal)random.NextDouble() * 100, 2) };
            var result = SettlementCalculator.Calculate(counts, key, members);
            Assert.Equal(0, result.Balances.Values.Sum());
            Assert.Equal(result.Balances.Values.Where(b => b > 0).Sum(), result.Transfers.Sum(t => t.AmountCents));
        }
    }

    [Theory]
    [InlineData("2026-Q3", "2026-07-01", "2026-10-01")]
    [InlineData("2026-07", "2026-07-01", "2026-08-01")]
    [InlineData("2026-12", "2026-12-01", "2027-01-01")]
    [InlineData("2026", "2026-01-01", "2027-01-01")]
    public void Period_Parse_AcceptsYearsQuartersAndMonths(string text, string start, string end)
    {
        var p = SettlementPeriod.Parse(text);
        Assert.Equal(DateOnly.Parse(start), p.Start);
        Assert.Equal(DateOnly.Parse(end), p.End);
    }

    [Theory]
    [InlineData("2026-Q5")]
    [InlineData("2026-13")]
    [InlineData("Q3-2026")]
    [InlineData("2026/07")]
    [InlineData("")]
    public void Period_Parse_RefusesOtherFormats(string text) =>
        Assert.True(Assert.Throws<ValidationException>(() => SettlementPeriod.Parse(text)).Errors.ContainsKey("period"));
}

/// <summary>
/// Appointments in the settlement (issue 11): served appointments of another member's residents are lines of their own,
/// count × the amount per appointment, without fee share; own residents are not settled; without an amount per
/// appointment they are not settled at all; the case lines of the hand-computed example stay as they were.
/// </summary>
public class SettlementAppointmentCalculatorTests
{
    private const string A = SettlementCalculatorTests.A, B = SettlementCalculatorTests.B;

    [Fact]
    public void Appointments_ArePricedPerAppointment_BesideTheCaseLines()
    {
        var key = new SettlementKey([.. SettlementCalculatorTests.Key.Rates, new AgreementRate("kfz-zulassung", "", 0m, null, 8.25m)], "share", 33.33m);
        var counts = SettlementCalculatorTests.Counts.Concat(
        [
            new CaseCount(B, A, "kfz-zulassung", "", 3, SettlementUnits.Appointment),  // A's office served 3 of B's residents: B pays A 24.75
            new CaseCount(A, B, "kfz-zulassung", "", 1, SettlementUnits.Appointment),  // and B's office 1 of A's: A pays B 8.25
            new CaseCount(A, A, "kfz-zulassung", "", 40, SettlementUnits.Appointment), // own residents: nothing
        ]);
        var result = SettlementCalculator.Calculate(counts, key, [A, B, SettlementCalculatorTests.C]);
        var appointments = result.Lines.Where(l => l.Unit == SettlementUnits.Appointment).ToList();
        Assert.Equal(2, appointments.Count);
        Assert.Equal((3L, 2475L, 0L, 2475L), appointments.Single(l => l.OwnerAgs == B).Let(l => (l.Count, l.FlatCents, l.FeeCents, l.AmountCents)));
        Assert.Equal(825, appointments.Single(l => l.OwnerAgs == A).AmountCents);
        // The case lines come first and are unchanged; the balances move by the appointments alone.
        Assert.Equal(5, result.Lines.TakeWhile(l => l.Unit == SettlementUnits.Case).Count());
        Assert.Equal(-30805 + 2475 - 825, result.Balances[A]);
        Assert.Equal(33648 - 2475 + 825, result.Balances[B]);
        Assert.Equal(0, result.Balances.Values.Sum());
    }

    [Fact]
    public void Appointments_WithoutAnAmountPerAppointment_AreNotSettled()
    {
        var result = SettlementCalculator.Calculate([new CaseCount(B, A, "kfz-zulassung", "", 3, SettlementUnits.Appointment)], SettlementCalculatorTests.Key, [A, B]);
        Assert.Empty(result.Lines);
        Assert.All(result.Balances.Values, b => Assert.Equal(0, b));
    }
}

internal static class LetExtension
{
    public static TResult Let<T, TResult>(this T value, Func<T, TResult> f) => f(value);
}
