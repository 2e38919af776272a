using System.Diagnostics;
using System.Globalization;
using System.Text;
using OpenIkz.Assessment.Potential;

namespace OpenIkz.Bench;

/// <summary>
/// assess-shapley: the exact Shapley value for 15 partners (2¹⁵ = 32,768 coalitions), in process, no I/O. Measured in the
/// same run: the baseline (the characteristic function evaluated once for all 2¹⁵ coalitions — the table the Shapley
/// value is computed from), the Shapley enumeration on that table (n·2ⁿ⁻¹ marginal contributions), and the whole fair
/// split (analysis + table + Shapley + settlement key). The staffing seam is a stand-in (smallest stable number of
/// agents), not Erlang C: with the real Erlang C the baseline costs more, the enumeration the same.
/// Goal: the Shapley value for 15 partners under 1 s.
/// </summary>
public static class ShapleyBench
{
    private static readonly IStaffingModel StandIn = new DelegateStaffingModel((l, h, _, _) => (int)Math.Floor(l * h / 60) + 1, (_, _, _) => 0);

    public static async Task RunAsync(BenchOptions o)
    {
        const int n = 15;
        var input = Input(n);
        var runs = Math.Max(o.Runs, 5);
        double[] table = [];
        // Warm-up (JIT, tiered compilation), then timed runs; the median is reported.
        for (var i = 0; i < 2; i++) { table = PotentialCalculator.CoalitionValues(input, StandIn); Shapley.Compute(n, table); PotentialCalculator.FairSplit(input, StandIn); }
        var baseline = Time(runs, () => table = PotentialCalculator.CoalitionValues(input, StandIn));
        var shapley = Time(runs, () => Shapley.Compute(n, table));
        var full = Time(runs, () => PotentialCalculator.FairSplit(input, StandIn));
        var check = Shapley.Compute(n, table).Sum() - table[^1];

        var sb = new StringBuilder();
        string F(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
        sb.AppendLine(CultureInfo.InvariantCulture, $"OpenIKZ assess-shapley, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {System.Environment.ProcessorCount} cores, {n} partners × 2 services, {1 << n:N0} coalitions, median of {runs} runs after 2 warm-ups; efficiency check Σφ − v(N) = {check:0.0e0}");
        sb.AppendLine();
        sb.AppendLine("| measurement | median ms | ratio to baseline | goal | met |");
        sb.AppendLine("|---|---:|---:|---|---|");
        sb.AppendLine(CultureInfo.InvariantCulture, $"| baseline: v(S) for all 2^15 coalitions once | {F(baseline)} | 1.00 |  |  |");
        sb.AppendLine(CultureInfo.InvariantCulture, $"| Shapley enumeration on the table | {F(shapley)} | {F(shapley / baseline)} | < 1000 ms | {(shapley < 1000 ? "yes" : "**no**")} |");
        sb.AppendLine(CultureInfo.InvariantCulture, $"| whole fair split (analysis + table + Shapley + key) | {F(full)} | {F(full / baseline)} | < 1000 ms | {(full < 1000 ? "yes" : "**no**")} |");
        var report = sb.ToString();
        Console.WriteLine(report);
        if (o.Output is not null) await File.WriteAllTextAsync(o.Output, report);
    }

    private static double Time(int runs, Action action)
    {
        var ms = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var t = Stopwatch.StartNew();
            action();
            ms[i] = t.Elapsed.TotalMilliseconds;
        }
        Array.Sort(ms);
        return ms[runs / 2];
    }

    /// <summary>15 municipalities of different sizes, two services with two case groups each (fixed figures, never shipped).</summary>
    private static PotentialInput Input(int n)
    {
        var partners = Enumerable.Range(0, n).Select(i => $"0643{i:D4}").ToList();
        var loads = new List<ServiceLoad>();
        for (var i = 0; i < n; i++)
        {
            loads.Add(new ServiceLoad(partners[i], "wohngeld", 0.5 + i * 0.25, [new CaseGroupLoad("erst", 200 + 90 * i, 55), new CaseGroupLoad("weiter", 400 + 130 * i, 25)]));
            loads.Add(new ServiceLoad(partners[i], "kfz-zulassung", 1 + i * 0.5, [new CaseGroupLoad("neu", 900 + 300 * i, 18), new CaseGroupLoad("um", 1500 + 420 * i, 12)]));
        }
        return new PotentialInput(partners, loads, null, null, new TransactionCosts(40_000, 2_000, 10_000, 1_000));
    }
}
