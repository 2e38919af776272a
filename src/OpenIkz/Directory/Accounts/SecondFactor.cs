using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using OpenIkz.Infrastructure.Database;
using OtpNet;

namespace OpenIkz.Directory.Accounts;

public sealed record TotpEnrolment(string Secret, string OtpauthUri);

/// <summary>
/// The second factor: TOTP after RFC 6238 (SHA-1, 6 digits, 30-second steps, as every authenticator app reads it)
/// and ten one-time recovery codes. The secret is stored encrypted with ASP.NET Core Data Protection; recovery codes
/// only as SHA-256 (each carries 80 random bits). A code is accepted one step early or late, and a step once only:
/// the same code cannot be replayed. Nothing here logs a secret or a code.
/// </summary>
public sealed class SecondFactor(Db db, TimeProvider clock, IDataProtectionProvider dataProtection, IOptions<SecurityOptions> options)
{
    public const int RecoveryCodeCount = 10;
    public const string Issuer = "OpenIKZ";
    private const string RecoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"; // no 0/o, 1/l/i

    private readonly IDataProtector _protector = dataProtection.CreateProtector("OpenIkz.Directory.TotpSecret.v1");

    /// <summary>Starts (or restarts) enrolment: a new secret, not yet switched on. Refused while the second factor is on.</summary>
    public async Task<TotpEnrolment> BeginAsync(long userId, CancellationToken ct = default)
    {
        var user = await Row(userId, ct) ?? throw new NotFoundException("Diesen Benutzer gibt es nicht.");
        if (user.TotpEnabled)
            throw new RuleException("SecondFactorAlreadyOn", "Der zweite Faktor ist schon eingeschaltet. Die Administration Ihrer Kommune kann ihn zurücksetzen.");
        var secret = Base32Encoding.ToString(RandomNumberGenerator.GetBytes(20)).TrimEnd('=');
        await db.ExecuteAsync("UPDATE users SET totp_secret_protected = @Secret, totp_enabled = @Off, totp_last_step = NULL WHERE id = @Id",
            new { Secret = _protector.Protect(secret), Off = false, Id = userId }, ct);
        return new TotpEnrolment(secret, OtpauthUri(user.Username, secret));
    }

    public static string OtpauthUri(string username, string secret) =>
        $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(username)}?secret={secret}&issuer={Uri.EscapeDataString(Issuer)}&algorithm=SHA1&digits=6&period=30";

    /// <summary>The secret of an enrolment in progress (to show its QR code again), or null.</summary>
    public async Task<TotpEnrolment?> PendingAsync(long userId, CancellationToken ct = default)
    {
        var row = await Row(userId, ct);
        return row is { TotpEnabled: false, Secret: { } secret } ? new TotpEnrolment(secret, OtpauthUri(row.Username, secret)) : null;
    }

    /// <summary>Switches the second factor on with a first code from the app and returns the ten recovery codes, shown once.</summary>
    public async Task<IReadOnlyList<string>> ConfirmAsync(long userId, string? code, CancellationToken ct = default)
    {
        var row = await Row(userId, ct) ?? throw new NotFoundException("Diesen Benutzer gibt es nicht.");
        if (row.TotpEnabled) throw new RuleException("SecondFactorAlreadyOn", "Der zweite Faktor ist schon eingeschaltet.");
        if (row.Secret is null) throw new RuleException("NoEnrolment", "Bitte zuerst einen Schlüssel erzeugen (POST /api/v1/me/totp).");
        if (!MatchesTotp(row.Secret, code, out var step))
            throw ValidationException.For("code", "Der Code stimmt nicht. Bitte den aktuellen sechsstelligen Code aus der App eingeben.");
        var codes = Enumerable.Range(0, RecoveryCodeCount).Select(_ => NewRecoveryCode()).ToList();
        await db.InTransactionAsync(async (c, tx) =>
        {
            await c.ExecuteAsync("UPDATE users SET totp_enabled = @On, totp_last_step = @Step WHERE id = @Id", new { On = true, Step = step, Id = userId }, tx);
            await c.ExecuteAsync("DELETE FROM user_recovery_codes WHERE user_id = @Id", new { Id = userId }, tx);
            foreach (var recovery in codes)
                await c.ExecuteAsync("INSERT INTO user_recovery_codes (user_id, code_hash) VALUES (@Id, @Hash)", new { Id = userId, Hash = RecoveryHash(userId, recovery) }, tx);
        }, ct);
        return codes;
    }

    /// <summary>Checks a code at sign-in: a TOTP code of a step not used before, or an unused recovery code (which is used up).</summary>
    public async Task<bool> VerifyAsync(long userId, string? code, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(code) || code.Length > 64) return false;
        var row = await Row(userId, ct);
        if (row is not { TotpEnabled: true, Secret: { } secret }) return false;
        if (MatchesTotp(secret, code, out var step))
            // Atomic: of two requests with the same code, one wins.
            return await db.ExecuteAsync("UPDATE users SET totp_last_step = @Step WHERE id = @Id AND (totp_last_step IS NULL OR totp_last_step < @Step)",
                new { Step = step, Id = userId }, ct) == 1;
        var normalized = NormalizeRecovery(code);
        if (normalized is null) return false;
        return await db.ExecuteAsync("UPDATE user_recovery_codes SET used_at = @Now WHERE user_id = @Id AND code_hash = @Hash AND used_at IS NULL",
            new { Now = clock.GetUtcNow().UtcDateTime, Id = userId, Hash = RecoveryHash(userId, normalized) }, ct) == 1;
    }

    public async Task<int> RemainingRecoveryCodesAsync(long userId, CancellationToken ct = default) =>
        await db.QuerySingleAsync<int>("SELECT COUNT(*) FROM user_recovery_codes WHERE user_id = @Id AND used_at IS NULL", new { Id = userId }, ct);

    /// <summary>An administrator switches a user's second factor off (lost phone and codes); every session of the user ends.
    /// Where the second factor is required, the user enrols again at the next sign-in.</summary>
    public async Task<bool> ResetAsync(string municipalityAgs, long userId, CancellationToken ct = default) =>
        await db.InTransactionAsync(async (c, tx) =>
        {
            if (await c.ExecuteAsync("UPDATE users SET totp_secret_protected = NULL, totp_enabled = @Off, totp_last_step = NULL WHERE id = @Id AND municipality_ags = @Ags",
                    new { Off = false, Id = userId, Ags = municipalityAgs }, tx) != 1) return false;
            await c.ExecuteAsync("DELETE FROM user_recovery_codes WHERE user_id = @Id", new { Id = userId }, tx);
            await UserAccounts.EndAllSessionsAsync(c, tx, userId);
            return true;
        }, ct);

    private bool MatchesTotp(string secret, string? code, out long step)
    {
        step = 0;
        var digits = (code ?? "").Replace(" ", "", StringComparison.Ordinal);
        if (digits.Length != 6 || !digits.All(char.IsAsciiDigit)) return false;
        var totp = new Totp(Base32Encoding.ToBytes(secret));
        return totp.VerifyTotp(clock.GetUtcNow().UtcDateTime, digits, out step, new VerificationWindow(previous: 1, future: 1));
    }

    private async Task<TotpRow?> Row(long userId, CancellationToken ct)
    {
        var row = await db.QuerySingleOrDefaultAsync<TotpRow>(
            "SELECT username AS Username, totp_enabled AS TotpEnabled, totp_secret_protected AS Protected FROM users WHERE id = @Id", new { Id = userId }, ct);
        if (row?.Protected is { } p) row.Secret = _protector.Unprotect(p);
        return row;
    }

    private sealed class TotpRow
    {
        public string Username { get; init; } = "";
        public bool TotpEnabled { get; init; }
        public string? Protected { get; init; }
        public string? Secret { get; set; }
    }

    private static string NewRecoveryCode()
    {
        var chars = new char[16];
        for (var i = 0; i < chars.Length; i++) chars[i] = RecoveryAlphabet[RandomNumberGenerator.GetInt32(RecoveryAlphabet.Length)];
        var s = new string(chars);
        return $"{s[..4]}-{s[4..8]}-{s[8..12]}-{s[12..]}";
    }

    /// <summary>Case and separators do not matter when a recovery code is typed.</summary>
    private static string? NormalizeRecovery(string code)
    {
        var plain = new string(code.Where(char.IsAsciiLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
        return plain.Length == 16 ? $"{plain[..4]}-{plain[4..8]}-{plain[8..12]}-{plain[12..]}" : null;
    }

    private static string RecoveryHash(long userId, string code) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{userId}:{code}")));

    /// <summary>Whether the user still has to enrol before doing anything else.</summary>
    public bool EnrolmentRequired(UserAccount user) => options.Value.RequireSecondFactor == true && !user.TotpEnabled;
}
