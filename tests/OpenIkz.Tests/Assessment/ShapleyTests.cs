using System.Diagnostics;
using CsCheck;
using OpenIkz.Assessment.Potential;

namespace OpenIkz.Tests.Assessment;

/// <summary>
/// The Shapley value (L. S. Shapley, "A value for n-person games", 1953) and its axioms: efficiency, symmetry, null
/// player, additivity — checked as properties on generated games with CsCheck, and on games with known values.
/// </summary>
public class ShapleyTests
{
    private static int Bit(int i) => 1 << i;

    [Fact]
    public void Glove_game_gives_the_textbook_values()
    {
        // Glove game, player 0 holds a left glove, players 1 and 2 a right glove: v(S) = 1 if S has 0 and 1 or 2.
        // Shapley value (2/3, 1/6, 1/6) — Maschler, Solan, Zamir, "Game Theory" (2013), the glove game example.
        // By hand: φ0 = 1/6·[v(01)−v(1)] + 1/6·[v(02)−v(2)] + 1/3·[v(012)−v(12)] = 1/6 + 1/6 + 1/3 = 2/3.
        var phi = Shapley.Compute(3, mask => (mask & 1) != 0 && (mask & 6) != 0 ? 1 : 0);
        Assert.Equal(2.0 / 3, phi[0], 12);
        Assert.Equal(1.0 / 6, phi[1], 12);
        Assert.Equal(1.0 / 6, phi[2], 12);
    }

    [Fact]
    public void Airport_game_gives_the_littlechild_owen_values()
    {
        // Airport cost game (Littlechild & Owen 1973): runway costs c = 6, 10, 16; the cost of S is the largest c in S.
        // Shapley cost shares: 6/3 = 2; 2 + (10 − 6)/2 = 4; 4 + (16 − 10)/1 = 10 (sum 16 = c(N)).
        double[] c = [6, 10, 16];
        var phi = Shapley.Compute(3, mask => Enumerable.Range(0, 3).Where(i => (mask & Bit(i)) != 0).Select(i => c[i]).DefaultIfEmpty(0).Max());
        Assert.Equal([2.0, 4.0, 10.0], phi.Select(x => Math.Round(x, 10)));
    }

    /// <summary>A random game of 1 … 8 players with v(∅) = 0 and values in [−1000, 1000].</summary>
    private static readonly Gen<(int N, double[] V)> Games =
        Gen.Int[1, 8].SelectMany(n => Gen.Double[-1000, 1000].Array[1 << n].Select(v => { v[0] = 0; return (n, v); }));

    [Fact]
    public void Efficiency_the_shares_sum_to_the_gain_of_the_grand_coalition() =>
        Games.Sample(g => Math.Abs(Shapley.Compute(g.N, g.V).Sum() - g.V[^1]) < 1e-7);

    [Fact]
    public void Symmetry_partners_0_and_1_that_are_interchangeable_get_equal_shares() =>
        Games.Where(g => g.N >= 2).Sample(g =>
        {
            // u(S) = (v(S) + v(S with players 0 and 1 swapped)) / 2 is symmetric in 0 and 1.
            static int Swap(int m) => (m & ~3) | ((m & 1) << 1) | ((m & 2) >> 1);
            var u = Enumerable.Range(0, g.V.Length).Select(m => (g.V[m] + g.V[Swap(m)]) / 2).ToArray();
            var phi = Shapley.Compute(g.N, u);
            return Math.Abs(phi[0] - phi[1]) < 1e-7;
        });

    [Fact]
    public void Null_player_a_partner_that_adds_nothing_gets_nothing() =>
        Games.Where(g => g.N >= 2).Select(Gen.Int[0, 7], (g, k) => (g.N, g.V, K: k % g.N)).Sample(g =>
        {
            // u(S) = v(S without k): adding k never changes the value.
            var u = Enumerable.Range(0, g.V.Length).Select(m => g.V[m & ~Bit(g.K)]).ToArray();
            return Math.Abs(Shapley.Compute(g.N, u)[g.K]) < 1e-7;
        });

    [Fact]
    public void Additivity_the_value_of_a_sum_of_games_is_the_sum_of_the_values() =>
        Games.SelectMany(g => Gen.Double[-1000, 1000].Array[g.V.Length].Select(w => { w[0] = 0; return (g.N, g.V, W: w); })).Sample(g =>
        {
            var sum = Shapley.Compute(g.N, g.V.Zip(g.W, (a, b) => a + b).ToArray());
            var separate = Shapley.Compute(g.N, g.V).Zip(Shapley.Compute(g.N, g.W), (a, b) => a + b);
            return sum.Zip(separate).All(p => Math.Abs(p.First - p.Second) < 1e-7);
        });

    [Fact]
    public void Fifteen_partners_work_and_symmetric_partners_share_equally()
    {
        // v(S) = |S|² : all 15 players are symmetric, so each gets v(N)/15 = 225/15 = 15.
        var sw = Stopwatch.StartNew();
        var phi = Shapley.Compute(15, mask => Math.Pow(System.Numerics.BitOperations.PopCount((uint)mask), 2));
        sw.Stop();
        Assert.All(phi, x => Assert.Equal(15, x, 9));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed}");
    }

    [Fact]
    public void Sixteen_partners_are_refused_on_partners()
    {
        var ex = Assert.Throws<ValidationException>(() => Shapley.Compute(16, _ => 0));
        Assert.Contains("partners", ex.Errors.Keys);
        Assert.Contains("15", ex.Errors["partners"][0]);
    }

    [Fact]
    public void Bad_tables_are_refused()
    {
        Assert.Contains("coalitionValues", Assert.Throws<ValidationException>(() => Shapley.Compute(3, new double[7])).Errors.Keys);
        Assert.Contains("coalitionValues", Assert.Throws<ValidationException>(() => Shapley.Compute(2, [0, 1, double.NaN, 2])).Errors.Keys);
        Assert.Contains("partners", Assert.Throws<ValidationException>(() => Shapley.Compute(0, [0.0])).Errors.Keys);
    }

    private static PotentialInput Municipalities(int n, Func<int, double> cases) => new(
        Enumerable.Range(0, n).Select(i => $"0643{i:D4}").ToList(),
        Enumerable.Range(0, n).Select(i => new ServiceLoad($"0643{i:D4}", "wohngeld", 1, [new CaseGroupLoad("", cases(i), 40)])).ToList(),
        null, PotentialCalculatorTests.Assumptions, new TransactionCosts(YearlyFixedEuro: 1_000));

    [Fact]
    public void Fair_split_of_fifteen_equal_municipalities_is_equal_and_sums_to_the_gain()
    {
        var split = PotentialCalculator.FairSplit(Municipalities(15, _ => 800), FakeStaffing.Model);
        Assert.Equal(split.TotalGainEuro, split.Partners.Sum(p => p.ShapleyGainEuro), 6);
        Assert.All(split.Partners, p => Assert.Equal(split.TotalGainEuro / 15, p.ShapleyGainEuro, 6));
        // equal partners: the key gives the same as Shapley
        Assert.All(split.Partners, p => Assert.Equal(0, p.DifferenceEuro, 6));
    }

    [Fact]
    public void Fair_split_refuses_sixteen_partners_on_partners()
    {
        var ex = Assert.Throws<ValidationException>(() => PotentialCalculator.FairSplit(Municipalities(16, _ => 800), FakeStaffing.Model));
        Assert.Contains("partners", ex.Errors.Keys);
    }

    [Fact]
    public void A_municipality_without_cases_gets_nothing_when_there_are_no_transaction_costs()
    {
        var input = Municipalities(5, i => i == 4 ? 0 : 300 + 200 * i) with { TransactionCosts = new TransactionCosts() };
        var split = PotentialCalculator.FairSplit(input, FakeStaffing.Model);
        Assert.Equal(0, split.Partners[4].ShapleyGainEuro, 9);
        Assert.Equal(0, split.Partners[4].KeyGainEuro, 9);
        Assert.Equal(split.TotalGainEuro, split.Partners.Sum(p => p.ShapleyGainEuro), 6);
    }

    [Fact]
    public void Fair_split_efficiency_holds_for_generated_municipalities() =>
        Gen.Int[2, 7].SelectMany(n => Gen.Int[0, 5000].Array[n].Select(c => (n, c))).Sample(g =>
        {
            var split = PotentialCalculator.FairSplit(Municipalities(g.n, i => g.c[i]), FakeStaffing.Model);
            return Math.Abs(split.Partners.Sum(p => p.ShapleyGainEuro) - split.TotalGainEuro) < 1e-6
                && Math.Abs(split.Partners.Sum(p => p.KeyGainEuro) - split.TotalGainEuro) < 1e-6;
        }, iter: 50);
}
