using OpenIkz.Infrastructure.Jobs;

namespace OpenIkz.Agreements;

/// <summary>Marks approved agreements active on their start date (access already follows the dates; this keeps the stored status in step).</summary>
public sealed class AgreementActivation(AgreementService agreements) : IPeriodicJob
{
    public string Name => "agreement-activation";

    public TimeSpan Interval => TimeSpan.FromMinutes(5);

    public Task<int> RunAsync(CancellationToken ct) => agreements.ActivateDueAsync(ct);
}
