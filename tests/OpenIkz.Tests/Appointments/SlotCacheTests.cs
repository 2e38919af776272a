using Microsoft.Extensions.Options;
using OpenIkz.Appointments;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Appointments;

/// <summary>The kept and shared answers of the slot search, without a database: what is computed once, what is forgotten, what stops.</summary>
public sealed class SlotCacheTests
{
    private readonly TestClock _clock = new();

    private SlotCache Cache(int seconds = 5) => new(Options.Create(new AppointmentOptions { SlotCacheSeconds = seconds }), _clock);

    private static readonly SlotCache.Key Frankenthal = new("kfz-zulassung", "07311000", null, new DateOnly(2026, 12, 7), new DateOnly(2026, 12, 20), 1, new DateOnly(2026, 12, 3));

    private SlotCache.Answer Answer(params long[] offices) =>
        new([new FreeSlot(offices.FirstOrDefault(1), "Bürgerbüro", "Frankenthal (Pfalz)", _clock.GetUtcNow().UtcDateTime.AddDays(1), _clock.GetUtcNow().UtcDateTime.AddDays(1).AddMinutes(20))], offices);

    [Fact]
    public async Task ManySearchesAtOnce_OfOneQuery_AreOneComputation()
    {
        var cache = Cache();
        var computations = 0;
        var release = new TaskCompletionSource();
        async Task<SlotCache.Answer> Compute(CancellationToken ct)
        {
            Interlocked.Increment(ref computations);
            await release.Task.WaitAsync(ct);
            return Answer(1, 2);
        }
        var searches = Enumerable.Range(0, 50).Select(_ => Task.Run(() => cache.GetAsync(Frankenthal, Compute, CancellationToken.None))).ToList();
        await Task.Delay(100);
        release.SetResult();
        var answers = await Task.WhenAll(searches);
        Assert.Equal(1, computations);
        Assert.All(answers, a => Assert.Same(answers[0], a));
        // Kept: asked again within the cache time, nothing is computed.
        await cache.GetAsync(Frankenthal, Compute, CancellationToken.None);
        Assert.Equal(1, computations);
        // After it, computed anew.
        _clock.Advance(TimeSpan.FromSeconds(6));
        await cache.GetAsync(Frankenthal, Compute, CancellationToken.None);
        Assert.Equal(2, computations);
    }

    [Fact]
    public async Task AnAnswerInTheLastFifthOfItsTime_IsGivenAtOnce_AndRenewedInTheBackground()
    {
        var cache = Cache();
        var computations = 0;
        var renewal = new TaskCompletionSource();
        async Task<SlotCache.Answer> Compute(CancellationToken ct)
        {
            if (Interlocked.Increment(ref computations) == 2) await renewal.Task;
            return Answer(computations);
        }
        var first = await cache.GetAsync(Frankenthal, Compute, CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(4.5));
        Assert.Same(first, await cache.GetAsync(Frankenthal, Compute, CancellationToken.None)); // given at once, the renewal started
        Assert.Same(first, await cache.GetAsync(Frankenthal, Compute, CancellationToken.None)); // while it runs: still the answer before
        renewal.SetResult();
        await WaitUntilAsync(async () => !ReferenceEquals(first, await cache.GetAsync(Frankenthal, Compute, CancellationToken.None)));
        Assert.Equal(2, computations);
        // Never older than the cache time: past it, a search waits for the computation.
        _clock.Advance(TimeSpan.FromSeconds(5.5));
        var third = await cache.GetAsync(Frankenthal, Compute, CancellationToken.None);
        Assert.Equal(3, computations);
        Assert.Equal(3, third[0].OfficeId);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition()) return;
            await Task.Delay(20);
        }
        Assert.Fail("The renewed answer never came.");
    }

    [Fact]
    public async Task AChangeOfAnOfficeOfTheAnswer_IsSeenByTheNextSearch_AChangeOfAnotherOfficeIsNot()
    {
        var cache = Cache();
        var computations = 0;
        Task<SlotCache.Answer> Compute(CancellationToken ct) { computations++; return Task.FromResult(Answer(1, 2)); }
        await cache.GetAsync(Frankenthal, Compute, CancellationToken.None);
        cache.Forget(3);
        await cache.GetAsync(Frankenthal, Compute, CancellationToken.None);
        Assert.Equal(1, computations);
        cache.Forget(2);
        await cache.GetAsync(Frankenthal, Compute, CancellationToken.None);
        Assert.Equal(2, computations);
        cache.ForgetAll();
        await cache.GetAsync(Frankenthal, Compute, CancellationToken.None);
        Assert.Equal(3, computations);
    }

    [Fact]
    public async Task AChangeWhileTheAnswerIsComputed_MakesTheSearchComputeAgain()
    {
        var cache = Cache();
        var computations = 0;
        var first = new TaskCompletionSource();
        async Task<SlotCache.Answer> Compute(CancellationToken ct)
        {
            if (Interlocked.Increment(ref computations) == 1) await first.Task; // began before the booking below was committed
            return Answer(1);
        }
        var search = cache.GetAsync(Frankenthal, Compute, CancellationToken.None);
        cache.Forget(1);
        first.SetResult();
        await search;
        Assert.Equal(2, computations); // the first answer may predate the booking: not given
        await cache.GetAsync(Frankenthal, Compute, CancellationToken.None);
        Assert.Equal(2, computations);
    }

    [Fact]
    public async Task WhenEverySearchWaitingForItGivesUp_TheComputationIsCancelled_AndNothingIsKept()
    {
        var cache = Cache();
        var cancelled = new TaskCompletionSource();
        async Task<SlotCache.Answer> Compute(CancellationToken ct)
        {
            try { await Task.Delay(Timeout.Infinite, ct); }
            catch (OperationCanceledException) { cancelled.SetResult(); throw; }
            return Answer(1);
        }
        using var a = new CancellationTokenSource();
        using var b = new CancellationTokenSource();
        var searchA = cache.GetAsync(Frankenthal, Compute, a.Token);
        var searchB = cache.GetAsync(Frankenthal, Compute, b.Token);
        a.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => searchA);
        Assert.False(cancelled.Task.IsCompleted); // B still waits for it
        b.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => searchB);
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
        // The next search computes anew.
        var answer = await cache.GetAsync(Frankenthal, _ => Task.FromResult(Answer(1)), CancellationToken.None);
        Assert.Single(answer);
    }

    [Fact]
    public async Task AFailure_IsGivenToItsSearches_AndNotKept()
    {
        var cache = Cache();
        await Assert.ThrowsAsync<SlotSearchBusyException>(() => cache.GetAsync(Frankenthal, _ => throw new SlotSearchBusyException(), CancellationToken.None));
        Assert.Single(await cache.GetAsync(Frankenthal, _ => Task.FromResult(Answer(1)), CancellationToken.None));
    }

    [Fact]
    public async Task AnAnswerWhoseFirstSlotIsTooSoonByNow_IsComputedAnew_AndNothingIsKeptWhenSwitchedOff()
    {
        var cache = Cache(seconds: 300);
        var computations = 0;
        Task<SlotCache.Answer> Compute(CancellationToken ct)
        {
            computations++;
            var soon = _clock.GetUtcNow().UtcDateTime.AddMinutes(31); // just after the minimum lead of 30 minutes
            return Task.FromResult(new SlotCache.Answer([new FreeSlot(1, "Bürgerbüro", "Frankenthal (Pfalz)", soon, soon.AddMinutes(20))], [1]));
        }
        await cache.GetAsync(Frankenthal, Compute, CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(2));
        await cache.GetAsync(Frankenthal, Compute, CancellationToken.None);
        Assert.Equal(1, computations);
        _clock.Advance(TimeSpan.FromMinutes(1)); // within the cache time, but the first slot is less than 30 minutes ahead now
        await cache.GetAsync(Frankenthal, Compute, CancellationToken.None);
        Assert.Equal(2, computations);

        var off = Cache(seconds: 0);
        await off.GetAsync(Frankenthal, Compute, CancellationToken.None);
        await off.GetAsync(Frankenthal, Compute, CancellationToken.None);
        Assert.Equal(4, computations);
    }
}
