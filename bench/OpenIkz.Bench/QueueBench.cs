using System.Diagnostics;
using System.Globalization;
using System.Text;
using OpenIkz.Assessment.Queueing;

namespace OpenIkz.Bench;

/// <summary>
/// The queueing benchmark (<c>assess-queue</c>): Erlang C for c = 10,000 agents (R = 9,900 Erlang), Erlang A for the same
/// queue, and both staffing searches, each timed with <see cref="Stopwatch"/> over many calls after a warm-up, against
/// two baselines measured in the same run: a plain loop of c natural logarithms (the cheapest O(c) pass of the same
/// length) and the textbook Erlang C sum evaluated in log space (c exponentials and logarithms, the usual way around
/// the factorials). Pure CPU, no database, no HTTP.
/// </summary>
public static class QueueBench
{
    private const int Agents = 10_000;
    private const double HandlingMinutes = 5, TargetMinutes = 0.5, PatienceMinutes = 3;
    private const double ArrivalsPerHour = 9_900 * 60 / HandlingMinutes; // R = 9,900 Erlang, ρ = 0.99

    private static double sink;

    public static async Task RunAsync(BenchOptions o)
    {
        var erlangC = QueueParameters.Create("erlang-c", ArrivalsPerHour, HandlingMinutes, TargetMinutes, null);
        var erlangA = QueueParameters.Create("erlang-a", ArrivalsPerHour, HandlingMinutes, TargetMinutes, PatienceMinutes);
        var rows = new List<(string Name, double Micros, double? GoalMicros)>
        {
            ("baseline: c = 10,000 × Math.Log in a loop", Time(() => LogLoop(Agents)), null),
            ("baseline: textbook Erlang C sum in log space, c = 10,000", Time(() => LogSpaceErlangC(Agents, erlangC.OfferedLoad)), null),
            ("Erlang C, c = 10,000 (ErlangC.Evaluate)", Time(() => ErlangC.Evaluate(erlangC, Agents).ServiceLevel), 1_000),
            ("Erlang A, c = 10,000, patience 3 min (ErlangA.Evaluate)", Time(() => ErlangA.Evaluate(erlangA, Agents).ServiceLevel), null),
            ("staffing Erlang C, R = 9,900, 80 % in 30 s (Staffing.Solve)", Time(() => Staffing.Solve(erlangC, 0.8).Agents), null),
            ("staffing Erlang A, R = 9,900, 80 % in 30 s (Staffing.Solve)", Time(() => Staffing.Solve(erlangA, 0.8).Agents), null),
        };
        // the log-space sum and the recursion must agree, else the baseline measures something else
        var check = LogSpaceErlangC(Agents, erlangC.OfferedLoad) - ErlangC.WaitProbability(Agents, erlangC.OfferedLoad);
        if (Math.Abs(check) > 1e-9) throw new InvalidOperationException($"log-space Erlang C differs by {check}");

        var logLoop = rows[0].Micros;
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Queueing, {Environment.ProcessorCount} cores, .NET {Environment.Version}, Release: {(IsRelease ? "yes" : "NO (Debug build)")}");
        sb.AppendLine();
        sb.AppendLine("| operation | µs per call | × the Math.Log loop | goal | met |");
        sb.AppendLine("|---|---:|---:|---|---|");
        foreach (var (name, micros, goal) in rows)
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {micros:0.0} | {micros / logLoop:0.00} | {(goal is { } g ? $"< {g:0} µs" : "—")} | {(goal is { } g2 ? (micros < g2 ? "yes" : "no") : "—")} |");
        var report = sb.ToString();
        Console.WriteLine(report);
        if (o.Output is not null) await File.WriteAllTextAsync(o.Output, report);
        GC.KeepAlive(sink);
    }

    private static bool IsRelease =>
        typeof(ErlangC).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false).OfType<DebuggableAttribute>().All(d => !d.IsJITOptimizerDisabled);

    /// <summary>Median of 7 runs of the mean time per call, each run ≥ 0.2 s, after a 0.5 s warm-up (tiered JIT settles).</summary>
    private static double Time(Func<double> work) => Time(() => { sink += work(); });

    private static double Time(Func<int> work) => Time(() => { sink += work(); });

    private static double Time(Action work)
    {
        var warm = Stopwatch.StartNew();
        long calls = 0;
        while (warm.Elapsed.TotalSeconds < 0.5) { work(); calls++; }
        var perRun = Math.Max(1, (long)(calls * 0.4)); // ≈ 0.2 s
        var runs = new double[7];
        for (var r = 0; r < runs.Length; r++)
        {
            var sw = Stopwatch.StartNew();
            for (long i = 0; i < perRun; i++) work();
            runs[r] = sw.Elapsed.TotalMicroseconds / perRun;
        }
        Array.Sort(runs);
        return runs[runs.Length / 2];
    }

    private static double LogLoop(int n)
    {
        var s = 0.0;
        for (var k = 1; k <= n; k++) s += Math.Log(k);
        return s;
    }

    /// <summary>C(c, R) from A^c/c!·c/(c−R) over Σ_{k&lt;c} A^k/k! + that, every term as exp(k·ln R − ln k! − max).</summary>
    private static double LogSpaceErlangC(int c, double r)
    {
        var lnR = Math.Log(r);
        var lnFact = 0.0;
        var logs = new double[c + 1];
        for (var k = 0; k <= c; k++)
        {
            if (k > 0) lnFact += Math.Log(k);
            logs[k] = k * lnR - lnFact;
        }
        var top = logs[c] + Math.Log(c / (c - r));
        var max = top;
        for (var k = 0; k < c; k++) max = Math.Max(max, logs[k]);
        var sum = Math.Exp(top - max);
        for (var k = 0; k < c; k++) sum += Math.Exp(logs[k] - max);
        return Math.Exp(top - max) / sum;
    }
}
