using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Appointments;

/// <summary>A challenge to solve before a booking: find a nonce whose hash has <c>Difficulty</c> leading zero bits.</summary>
public sealed record Challenge(string Token, int Difficulty, DateTime ExpiresAt)
{
    public string Algorithm => "SHA-256";
}

/// <summary>
/// A self-hosted proof-of-work challenge against mass bookings by scripts (no third-party service, nothing about the
/// visitor is stored or sent anywhere). The server hands out a token — its difficulty, expiry and 128 random bits,
/// sealed with the app's data-protection keys, so a client cannot make its own or lower the difficulty. The client
/// looks for a nonce (a decimal number) such that SHA-256(UTF-8 of token + ":" + nonce) begins with
/// <c>Difficulty</c> zero bits: about 2^Difficulty hashes on average (well under a second in a laptop's browser at the
/// default 18), one hash for the server to check. Each challenge is spent once: the hash of its sealed content (not of
/// the token's spelling, which base64 allows in more than one way) goes into <c>appointment_challenges</c> (primary
/// key), kept until the token expires.
/// </summary>
public sealed class BookingChallenge(IDataProtectionProvider protection, Db db, IOptions<AppointmentOptions> options, TimeProvider clock)
{
    public const string Field = "challenge";
    private readonly IDataProtector _protector = protection.CreateProtector("OpenIkz.Appointments.BookingChallenge.v1");
    private AppointmentOptions O => options.Value;

    public bool Required => O.RequireChallenge;

    public Challenge Issue()
    {
        var expires = clock.GetUtcNow().UtcDateTime.AddMinutes(O.ChallengeMinutes);
        var payload = string.Create(CultureInfo.InvariantCulture, $"{O.ChallengeDifficulty}|{new DateTimeOffset(expires).ToUnixTimeSeconds()}|{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}");
        return new Challenge(_protector.Protect(payload), O.ChallengeDifficulty, expires);
    }

    /// <summary>
    /// Checks and spends a solution "token:nonce" when the challenge is required; a 400 naming the field
    /// <see cref="Field"/> otherwise. Spent before the booking is tried, so a refused booking needs a new challenge.
    /// </summary>
    public async Task VerifyAsync(string? solution, CancellationToken ct = default)
    {
        if (!Required) return;
        if (string.IsNullOrWhiteSpace(solution))
            throw ValidationException.For(Field, "Die Sicherheitsprüfung fehlt. Sie läuft im Browser mit JavaScript; bitte laden Sie die Seite neu.");
        var separator = solution.LastIndexOf(':');
        if (separator <= 0 || solution.Length > 2000) throw Invalid();
        var token = solution[..separator];
        var nonce = solution[(separator + 1)..];
        if (nonce.Length is 0 or > 20 || !nonce.All(char.IsAsciiDigit)) throw Invalid();

        string payload;
        try { payload = _protector.Unprotect(token); }
        catch (CryptographicException) { throw Invalid(); }
        var parts = payload.Split('|');
        if (parts.Length != 3 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var difficulty) || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var expiresUnix))
            throw Invalid();
        var expires = DateTimeOffset.FromUnixTimeSeconds(expiresUnix).UtcDateTime;
        var now = clock.GetUtcNow().UtcDateTime;
        if (expires <= now) throw ValidationException.For(Field, "Die Sicherheitsprüfung ist abgelaufen. Bitte senden Sie das Formular noch einmal.");
        if (!Solves(solution, difficulty)) throw Invalid();

        var spent = await db.ExecuteAsync(
            "INSERT INTO appointment_challenges (token_hash, expires_at) VALUES (@Hash, @Expires) ON CONFLICT (token_hash) DO NOTHING",
            new { Hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(payload))), Expires = expires }, ct);
        if (spent == 0) throw ValidationException.For(Field, "Diese Sicherheitsprüfung wurde schon verwendet. Bitte senden Sie das Formular noch einmal.");
    }

    /// <summary>Whether SHA-256 of the solution's UTF-8 bytes begins with <paramref name="difficulty"/> zero bits.</summary>
    public static bool Solves(string solution, int difficulty)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(solution), hash);
        return LeadingZeroBits(hash) >= difficulty;
    }

    public static int LeadingZeroBits(ReadOnlySpan<byte> hash)
    {
        var bits = 0;
        for (var i = 0; i + 4 <= hash.Length; i += 4)
        {
            var word = BinaryPrimitives.ReadUInt32BigEndian(hash[i..]);
            if (word != 0) return bits + System.Numerics.BitOperations.LeadingZeroCount(word);
            bits += 32;
        }
        return bits;
    }

    /// <summary>Solves a challenge here (for scripts using the API and for the tests): the first nonce that works.</summary>
    public static string Solve(string token, int difficulty)
    {
        for (long nonce = 0; ; nonce++)
        {
            var solution = string.Create(CultureInfo.InvariantCulture, $"{token}:{nonce}");
            if (Solves(solution, difficulty)) return solution;
        }
    }

    /// <summary>Removes spent tokens whose expiry has passed (they could not be used again anyway).</summary>
    public Task<int> SweepAsync(CancellationToken ct) =>
        db.ExecuteAsync("DELETE FROM appointment_challenges WHERE expires_at <= @Now", new { Now = clock.GetUtcNow().UtcDateTime }, ct);

    private static ValidationException Invalid() =>
        ValidationException.For(Field, "Die Sicherheitsprüfung ist nicht gelöst. Bitte laden Sie die Seite neu und senden Sie das Formular noch einmal.");
}
