using System.Buffers;

namespace OpenIkz.Common;

/// <summary>
/// The one rule for short-lived byte buffers of requests (an application's body, a decoded attachment): from 16 KB up to
/// 1 MB they come from the shared pool, because hundreds of 100-KB arrays a second would each be a new large object and
/// the large-object heap's budget would set off a full collection many times a second. Smaller ones and the rare larger
/// ones are arrays of their own, so the pool never keeps multi-megabyte arrays. A returned buffer is cleared first: no
/// applicant's data stays behind in the pool.
/// </summary>
public static class PooledBytes
{
    public const int MinBytes = 16 * 1024, MaxBytes = 1024 * 1024;

    /// <summary>A pooled buffer of at least <paramref name="length"/> bytes, or null when the length is outside the pooled range (the caller allocates).</summary>
    public static byte[]? RentFor(long length) => length is >= MinBytes and <= MaxBytes ? ArrayPool<byte>.Shared.Rent((int)length) : null;

    public static void Return(byte[] pooled) => ArrayPool<byte>.Shared.Return(pooled, clearArray: true);

    /// <summary>Gives the buffer back when disposed (<c>HttpResponse.RegisterForDispose</c>: at the end of the request).</summary>
    public sealed class Lease(byte[] pooled) : IDisposable
    {
        public void Dispose() => Return(pooled);
    }
}
