using System.Diagnostics;

namespace OpenIkz.Bench;

/// <summary>Result of one load phase: operations that started after the warm-up and finished before the deadline.</summary>
public sealed record PhaseResult(string Name, int Concurrency, double Seconds, long Ok, long Errors, double PerSecond, double P50Ms, double P99Ms, double MaxMs, string? FirstError)
{
    public static PhaseResult Skipped(string name, string why) => new(name, 0, 0, 0, 0, double.NaN, double.NaN, double.NaN, double.NaN, why);
    public bool IsSkipped => double.IsNaN(PerSecond);

    /// <summary>The sorted latencies of the successful operations (ms), so that rounds can be merged exactly.</summary>
    public double[] Latencies { get; init; } = [];

    /// <summary>Several rounds of one level as one figure: operations and time summed, percentiles over all latencies.</summary>
    public static PhaseResult Merge(IReadOnlyList<PhaseResult> rounds)
    {
        if (rounds.Count == 1 || rounds.Any(r => r.IsSkipped)) return rounds[0];
        var all = rounds.SelectMany(r => r.Latencies).ToArray();
        Array.Sort(all);
        var seconds = rounds.Sum(r => r.Seconds);
        return new PhaseResult(rounds[0].Name, rounds.Max(r => r.Concurrency), seconds, all.Length, rounds.Sum(r => r.Errors), all.Length / seconds,
            Load.Percentile(all, 0.50), Load.Percentile(all, 0.99), all.Length == 0 ? double.NaN : all[^1], rounds.Select(r => r.FirstError).FirstOrDefault(e => e is not null))
        { Latencies = all };
    }
}

/// <summary>
/// A closed-loop load generator: <c>concurrency</c> workers call <c>op</c> back to back for the given time.
/// Latencies go into per-worker lists (no locking on the hot path) and are merged and sorted at the end,
/// which gives exact percentiles (the sample counts here are at most a few hundred thousand).
/// </summary>
public static class Load
{
    public static async Task<PhaseResult> RunAsync(string name, int concurrency, double seconds, double warmupSeconds, Func<int, long, Task<bool>> op)
    {
        Console.Error.Write($"  {name,-44} c={concurrency,-3} {warmupSeconds:0}s warm-up + {seconds:0}s ... ");
        var clock = Stopwatch.StartNew();
        var measureFrom = (long)(warmupSeconds * Stopwatch.Frequency);
        var deadline = (long)((warmupSeconds + seconds) * Stopwatch.Frequency);
        var lists = new List<double>[concurrency];
        var errors = new long[concurrency];
        string? firstError = null;
        long sequence = 0;
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var list = lists[w] = new List<double>(8192);
            while (true)
            {
                var start = clock.ElapsedTicks;
                if (start >= deadline) break;
                bool ok;
                try { ok = await op(w, Interlocked.Increment(ref sequence)); }
                catch (Exception ex)
                {
                    ok = false;
                    Interlocked.CompareExchange(ref firstError, ex.GetType().Name + ": " + ex.Message.Split('\n')[0], null);
                }
                var end = clock.ElapsedTicks;
                if (start < measureFrom || end > deadline) continue;
                if (ok) list.Add((end - start) * 1000.0 / Stopwatch.Frequency);
                else errors[w]++;
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var all = lists.SelectMany(l => l).ToArray();
        Array.Sort(all);
        var result = new PhaseResult(name, concurrency, seconds, all.Length, errors.Sum(), all.Length / seconds,
            Percentile(all, 0.50), Percentile(all, 0.99), all.Length == 0 ? double.NaN : all[^1], firstError) { Latencies = all };
        Console.Error.WriteLine($"{result.PerSecond,8:0.0}/s  p50 {result.P50Ms,7:0.00} ms  p99 {result.P99Ms,8:0.00} ms  errors {result.Errors}"
            + (firstError is null ? "" : $"  (first: {firstError})"));
        return result;
    }

    /// <summary>The open loop's bound on requests in flight (<see cref="OpenLoopAsync"/>).</summary>
    public const int MaxInFlight = 2_000;

    /// <summary>
    /// Open loop: request <c>i</c> is due at <c>i / rate</c> seconds and started then by a scheduler thread (1 ms ticks)
    /// whether or not earlier ones were answered, so a slow server builds a queue instead of slowing the load (the
    /// closed loop above hides that). Latency from the scheduled start; a request has 10 s, then it is cancelled and
    /// counts as an error; the measurement ends when every request has ended.
    /// The first <paramref name="warmupSeconds"/> at the same rate are not recorded. <see cref="PhaseResult.Concurrency"/>
    /// holds the largest number of requests in flight at once. A request that falls due while <see cref="MaxInFlight"/>
    /// are in flight is not sent and counts as an error (a bare level without admission control would otherwise open a
    /// SQLite connection per waiting request until the process runs out of file descriptors).
    /// </summary>
    public static async Task<PhaseResult> OpenLoopAsync(string name, double rate, double seconds, double warmupSeconds, Func<long, CancellationToken, Task<bool>> op)
    {
        Console.Error.Write($"  {name,-44} {rate,5:0}/s {warmupSeconds:0}s warm-up + {seconds:0}s ... ");
        var total = (long)Math.Round(rate * (warmupSeconds + seconds));
        var measuredFrom = (long)Math.Round(rate * warmupSeconds);
        var latency = new double[total];
        var succeeded = new bool[total];
        var tasks = new Task[total];
        var clock = Stopwatch.StartNew();
        string? firstError = null;
        int inFlight = 0, maxInFlight = 0, notSent = 0;
        async Task RunAsync(long i, long dueTicks, int now)
        {
            int seen;
            while ((seen = Volatile.Read(ref maxInFlight)) < now && Interlocked.CompareExchange(ref maxInFlight, now, seen) != seen) { }
            // Cancelled at 10 s, and awaited: no abandoned request runs on into the next measurement.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { succeeded[i] = await op(i, timeout.Token); }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested) { Interlocked.CompareExchange(ref firstError, "timeout: no answer within 10 s", null); }
            catch (Exception ex) { Interlocked.CompareExchange(ref firstError, ex.GetType().Name + ": " + ex.Message.Split('\n')[0], null); }
            finally { Interlocked.Decrement(ref inFlight); }
            latency[i] = (clock.ElapsedTicks - dueTicks) * 1000.0 / Stopwatch.Frequency;
        }
        var scheduler = new Thread(() =>
        {
            for (long i = 0; i < total; i++)
            {
                var due = (long)(i * Stopwatch.Frequency / rate);
                while (clock.ElapsedTicks < due) Thread.Sleep(1);
                var index = i;
                var now = Interlocked.Increment(ref inFlight);
                if (now > MaxInFlight)
                {
                    Interlocked.Decrement(ref inFlight);
                    if (i >= measuredFrom) notSent++;
                    Interlocked.CompareExchange(ref firstError, $"not sent: {MaxInFlight} requests in flight", null);
                    tasks[i] = Task.CompletedTask;
                    continue;
                }
                tasks[i] = Task.Run(() => RunAsync(index, due, now)); // never on the scheduler thread: a synchronous operation (SQLite) would hold up the schedule
            }
        }) { IsBackground = true, Priority = ThreadPriority.AboveNormal, Name = "open-loop scheduler" };
        scheduler.Start();
        await Task.Run(scheduler.Join);
        await Task.WhenAll(tasks);
        var measured = Enumerable.Range((int)measuredFrom, (int)(total - measuredFrom)).ToList();
        var ok = measured.Where(i => succeeded[i]).Select(i => latency[i]).ToArray();
        Array.Sort(ok);
        var result = new PhaseResult(name, maxInFlight, seconds, ok.Length, measured.Count - ok.Length, ok.Length / seconds,
            Percentile(ok, 0.50), Percentile(ok, 0.99), ok.Length == 0 ? double.NaN : ok[^1], firstError);
        Console.Error.WriteLine($"{result.PerSecond,8:0.0}/s  p50 {result.P50Ms,7:0.00} ms  p99 {result.P99Ms,8:0.00} ms  errors {result.Errors}{(notSent > 0 ? $" (not sent {notSent})" : "")}  in flight ≤ {maxInFlight}"
            + (firstError is null ? "" : $"  (first: {firstError})"));
        return result;
    }

    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
