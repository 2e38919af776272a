using System.Diagnostics;
using System.Globalization;
using System.Text;
using OpenIkz.Assessment.Simulation;

namespace OpenIkz.Bench;

/// <summary>
/// The simulation benchmark (<c>assess-simulation</c>): one simulated year of <c>--cases</c> cases (1,000,000) over four
/// partners of one service, each alone and pooled (so every case is simulated twice), timed against the baseline of
/// just generating the same number of arrivals (exponential gap and exponential work time per case, the draws the
/// simulation makes) in the same run. Pure CPU, one thread; no database.
/// </summary>
public static class SimulationBench
{
    private const int Partners = 4;

    public static SimulationInput Input(int cases)
    {
        // 20 minutes a case, 10 % absence, about 85 % load: 85 % of (FTE × 7.8 h × 261 days × 0.9 present).
        var perPartner = (double)cases / Partners;
        var fte = Math.Round(perPartner * 20 / 60 / (0.85 * 7.8 * 261 * 0.9) * 2) / 2; // to the half FTE: one part-timer
        return new SimulationInput(Enumerable.Range(0, Partners)
            .Select(i => new SimulationPartner($"Partner {i + 1}", [new SimulationService("kfz-zulassung", perPartner, 20, fte, 0.1, 5)]))
            .ToList());
    }

    /// <summary>The baseline: the arrival stream alone — per working day an exponential gap per case until the day ends, and a work time per case.</summary>
    private static (long Cases, double Checksum) GenerateArrivals(int cases, int seed)
    {
        var random = new Random(seed);
        const double hours = SimulationInput.DefaultHoursPerDay;
        var ratePerHour = cases / 261.0 / hours;
        long n = 0;
        double checksum = 0;
        for (var day = 0; day < 261; day++)
        {
            var end = (day + 1) * hours;
            for (var t = day * hours - Math.Log(1 - random.NextDouble()) / ratePerHour; t < end; t -= Math.Log(1 - random.NextDouble()) / ratePerHour)
            {
                checksum += -(20 / 60.0) * Math.Log(1 - random.NextDouble());
                n++;
            }
        }
        return (n, checksum);
    }

    public static async Task RunAsync(BenchOptions o)
    {
        var started = DateTime.UtcNow;
        var input = Input(o.Cases);
        Console.Error.WriteLine($"assess-simulation: {o.Cases:N0} cases a year over {Partners} partners of {input.Partners[0].Services[0].StaffFte} FTE each, {o.Runs} timed runs after one warm-up");

        // Warm-up (JIT, tiering) of both.
        GenerateArrivals(o.Cases, 0);
        var warm = YearSimulation.Run(input, 365, 0);

        var baseline = new List<double>();
        var simulation = new List<double>();
        var allocated = new List<long>();
        long arrivals = 0;
        SimulationResult result = warm;
        for (var run = 1; run <= o.Runs; run++)
        {
            var t = Stopwatch.StartNew();
            var (n, _) = GenerateArrivals(o.Cases, run);
            baseline.Add(t.Elapsed.TotalSeconds);
            arrivals = n;

            GC.Collect();
            var before = GC.GetAllocatedBytesForCurrentThread();
            t.Restart();
            result = YearSimulation.Run(input, 365, run);
            simulation.Add(t.Elapsed.TotalSeconds);
            allocated.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            Console.Error.WriteLine($"  run {run}: arrivals {baseline[^1]:0.000} s ({n:N0}), simulation {simulation[^1]:0.000} s ({result.Pooled[0].Figures.Arrived:N0} cases, {allocated[^1] / 1e6:0.0} MB allocated)");
        }

        string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
        var cases = result.Pooled[0].Figures.Arrived;
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"OpenIKZ simulation benchmark, {started:yyyy-MM-dd HH:mm} UTC, {System.Environment.ProcessorCount} cores, .NET {System.Environment.Version}, {o.Cases:N0} expected cases in 365 days ({cases:N0} drawn), {Partners} partners × {input.Partners[0].Services[0].StaffFte} FTE, alone and pooled, {o.Runs} runs after one warm-up");
        sb.AppendLine();
        sb.AppendLine("| what | " + string.Join(" | ", Enumerable.Range(1, o.Runs).Select(i => $"run {i} s")) + " | median s | median ratio to baseline | goal | met |");
        sb.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---:|", o.Runs + 2)) + "---:|---|");
        sb.AppendLine(CultureInfo.InvariantCulture, $"| baseline: generate {arrivals:N0} arrivals (gap + work time) | {string.Join(" | ", baseline.Select(F))} | {F(BenchEnv.Median(baseline))} | 1.00 |  |  |");
        var worst = simulation.Max();
        sb.AppendLine(CultureInfo.InvariantCulture, $"| YearSimulation.Run: the year alone and pooled | {string.Join(" | ", simulation.Select(F))} | {F(BenchEnv.Median(simulation))} | {BenchEnv.Median(simulation) / BenchEnv.Median(baseline):0.0} | < 5 s | **{(worst < 5 ? "met" : "missed")}** |");
        sb.AppendLine();
        var pool = result.Pooled[0].Figures;
        var alone = result.Alone[0].Figures;
        sb.AppendLine(CultureInfo.InvariantCulture, $"Allocated per YearSimulation.Run: {allocated.Average() / 1e6:0.0} MB ({allocated.Average() / cases:0.0} bytes per case: each processing time kept for the percentiles, 8 bytes in the alone and 8 in the pooled run, and copied once more for the percentile selection).");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Figures of the last run: partner 1 alone p50/p90 {alone.ProcessingP50Hours:0.00}/{alone.ProcessingP90Hours:0.00} working hours, mean wait {alone.MeanWaitHours:0.00} h; pooled p50/p90 {pool.ProcessingP50Hours:0.00}/{pool.ProcessingP90Hours:0.00} h, mean wait {pool.MeanWaitHours:0.00} h.");
        var report = sb.ToString();
        Console.WriteLine(report);
        if (o.Output is not null) await File.WriteAllTextAsync(o.Output, report);
    }
}
