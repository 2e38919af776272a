namespace OpenIkz.Bench;

/// <summary>Register search, statistics and suggestions: p50/p99 of the app's own query against the bare SQL in the same run.</summary>
public static class RegistryBench
{
    public static Task RunAsync(BenchOptions o) => Task.CompletedTask;
}
