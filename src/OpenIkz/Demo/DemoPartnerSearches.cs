namespace OpenIkz.Demo;

/// <summary>Demo: the open partner searches. Idempotent: loads only into an empty table.</summary>
public sealed class DemoPartnerSearches
{
    public Task LoadAsync(CancellationToken ct) => Task.CompletedTask;
}
