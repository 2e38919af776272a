using Microsoft.Extensions.Caching.Memory;
using OpenIkz.Backoffice.Cases;

namespace OpenIkz.Pages;

/// <summary>
/// Hands the case file a claim has just built to the case page the browser is redirected to, so that the page does
/// not throw it away and load it again. Kept in memory only, for one user and case, for a few seconds, and taken once;
/// any other request for the case page loads it through the access rule as always.
/// </summary>
public sealed class ClaimedCaseHandoff(IMemoryCache cache)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private static string Key(long userId, string caseId) => $"claimed:{userId}:{caseId}";

    public void Put(long userId, CaseDetails details) => cache.Set(Key(userId, details.Id), details, Lifetime);

    public CaseDetails? Take(long userId, string caseId)
    {
        var key = Key(userId, caseId);
        if (!cache.TryGetValue(key, out CaseDetails? details)) return null;
        cache.Remove(key);
        return details;
    }
}
