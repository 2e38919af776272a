using System.Data.Common;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Identity;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Directory.Accounts;

public sealed record UserAccount(long Id, string MunicipalityAgs, string Username, string DisplayName, bool IsActive, bool PasswordIsDemo,
    int FailedLogins, DateTime? LockedUntil, string SecurityStamp)
{
    public IReadOnlyList<string> Roles { get; init; } = [];
    public IReadOnlyList<string> Services { get; init; } = [];
    /// <summary>Set by an administrator's reset: the user must choose a new password before anything else.</summary>
    public bool PasswordMustChange { get; init; }
    /// <summary>The second factor (TOTP) is confirmed and asked for at every sign-in.</summary>
    public bool TotpEnabled { get; init; }
    public bool IsLockedOut(DateTime now) => LockedUntil is { } until && until > now;
}

public sealed record NewUser(string MunicipalityAgs, string Username, string DisplayName, string Password, IReadOnlyList<string> Roles, IReadOnlyList<string> Services);

public enum SignInOutcome { Success, Failed }

public sealed record SignInResult(SignInOutcome Outcome, UserAccount? User)
{
    /// <summary>The same message for an unknown user, a wrong password and a locked account, so that none can be told apart.</summary>
    public const string GenericFailureMessage = "Anmeldung fehlgeschlagen: Benutzername oder Passwort ist falsch, oder das Konto ist nach mehreren Fehlversuchen für 15 Minuten gesperrt.";
}

/// <summary>Users: creation, password check with lockout, roles and services. Passwords are hashed with
/// ASP.NET Core Identity's PasswordHasher (PBKDF2); nothing here logs a password or a hash.</summary>
public sealed partial class UserAccounts(Db db, TimeProvider clock)
{
    public const int MaxFailedLogins = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);
    public const int MinPasswordLength = 12;

    /// <summary>The password of every demo account. Production mode refuses to start while an account still has it.</summary>
    public const string DemoPassword = "Demo-Passwort-2026";

    private static readonly PasswordHasher<UserAccount> Hasher = new();

    // A hash of a random password, verified against when the user is unknown, so that the answer takes as long as for a known user.
    private static readonly Lazy<string> DummyHash = new(() => Hasher.HashPassword(null!, Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))));

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{1,63}$")]
    private static partial Regex UsernamePattern();

    public static string HashPassword(string password) => Hasher.HashPassword(null!, password);

    public static ValidationErrors ValidatePassword(string? password, string field = "password")
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrEmpty(password)) errors.Add(field, "Bitte ein Passwort angeben.");
        else if (password.Length < MinPasswordLength) errors.Add(field, $"Das Passwort muss mindestens {MinPasswordLength} Zeichen lang sein.");
        else if (password == DemoPassword) errors.Add(field, "Das Demo-Passwort ist nicht erlaubt.");
        return errors;
    }

    public async Task<long> CreateAsync(NewUser user, CancellationToken ct = default)
    {
        var errors = ValidatePassword(user.Password);
        if (!UsernamePattern().IsMatch(user.Username))
            errors.Add("username", "Der Benutzername besteht aus 2 bis 64 Kleinbuchstaben, Ziffern, Punkt, Binde- oder Unterstrich.");
        var displayName = TextInput.Field(errors, "displayName", user.DisplayName, TextKind.Line, "Der Name");
        if (!errors.ContainsKey("displayName") && (displayName is null || displayName.Length > 200))
            errors.Add("displayName", "Bitte einen Namen mit höchstens 200 Zeichen angeben.");
        if (await db.QuerySingleAsync<int>("SELECT COUNT(*) FROM municipalities WHERE ags = @Ags", new { Ags = user.MunicipalityAgs }, ct) == 0)
            errors.Add("municipality", $"Die Kommune '{user.MunicipalityAgs}' gibt es nicht.");
        ValidateRoles(user.Roles, user.Services, errors);
        if (errors.Count > 0) throw new ValidationException(errors);
        return await InsertAsync(user with { DisplayName = displayName! }, HashPassword(user.Password), passwordIsDemo: false, ct);
    }

    /// <summary>Every account holds at least one role; a clerk (Sachbearbeitung) at least one service, and only a clerk holds services.</summary>
    public static void ValidateRoles(IReadOnlyList<string> roles, IReadOnlyList<string> services, ValidationErrors errors)
    {
        foreach (var role in roles)
            if (!Roles.TryParse(role, out _)) errors.Add("roles", $"Die Rolle '{role}' gibt es nicht (erlaubt: {string.Join(", ", Roles.All)}).");
        var clerk = roles.Any(r => Roles.TryParse(r, out var c) && c == Roles.Sachbearbeitung);
        if (roles.Count == 0) errors.Add("roles", "Bitte mindestens eine Rolle wählen: ein Konto ohne Rolle kann nichts tun.");
        if (services.Count > 0 && !clerk)
            errors.Add("services", "Leistungen werden nur mit der Rolle Sachbearbeitung vergeben.");
        else if (clerk && services.Count == 0)
            errors.Add("services", "Die Rolle Sachbearbeitung braucht mindestens eine Leistung.");
    }

    /// <summary>
    /// Ends everything the user is signed in with: rotates the security stamp and deletes every session and bearer
    /// token, in the caller's transaction. Called by password change and reset, deactivation and a change of roles or services.
    /// </summary>
    internal static async Task EndAllSessionsAsync(DbConnection c, DbTransaction tx, long userId)
    {
        await c.ExecuteAsync("UPDATE users SET security_stamp = @Stamp WHERE id = @Id", new { Stamp = NewStamp(), Id = userId }, tx);
        await c.ExecuteAsync("DELETE FROM access_tokens WHERE user_id = @Id", new { Id = userId }, tx);
        await c.ExecuteAsync("DELETE FROM user_sessions WHERE user_id = @Id", new { Id = userId }, tx);
    }

    /// <summary>The user changes their own password: the current one must be right; every session and token ends.</summary>
    public async Task ChangePasswordAsync(long userId, string? currentPassword, string? newPassword, CancellationToken ct = default)
    {
        var row = await db.QuerySingleOrDefaultAsync<UserRow>(UserSelect + " WHERE id = @Id", new { Id = userId }, ct)
                  ?? throw new NotFoundException("Diesen Benutzer gibt es nicht.");
        var errors = new ValidationErrors();
        if (string.IsNullOrEmpty(currentPassword)) errors.Add("currentPassword", "Bitte das bisherige Passwort angeben.");
        else if (Hasher.VerifyHashedPassword(row.ToAccount(), row.PasswordHash, currentPassword) == PasswordVerificationResult.Failed)
            errors.Add("currentPassword", "Das bisherige Passwort ist falsch.");
        foreach (var (key, messages) in ValidatePassword(newPassword, "newPassword")) foreach (var m in messages) errors.Add(key, m);
        if (errors.Count == 0 && newPassword == currentPassword) errors.Add("newPassword", "Das neue Passwort muss sich vom bisherigen unterscheiden.");
        if (errors.Count > 0) throw new ValidationException(errors);
        await db.InTransactionAsync(async (c, tx) =>
        {
            await c.ExecuteAsync("UPDATE users SET password_hash = @Hash, password_is_demo = @Demo, password_must_change = @Must WHERE id = @Id",
                new { Hash = HashPassword(newPassword!), Demo = false, Must = false, Id = userId }, tx);
            await EndAllSessionsAsync(c, tx, userId);
        }, ct);
    }

    /// <summary>An administrator sets a one-time password for a user of their municipality; the user must choose a new one at the next sign-in.
    /// Returns false when there is no such user there.</summary>
    public async Task<bool> ResetPasswordAsync(string municipalityAgs, long userId, string? password, CancellationToken ct = default)
    {
        var errors = ValidatePassword(password);
        if (errors.Count > 0) throw new ValidationException(errors);
        return await db.InTransactionAsync(async (c, tx) =>
        {
            var changed = await c.ExecuteAsync("""
                UPDATE users SET password_hash = @Hash, password_is_demo = @Demo, password_must_change = @Must, failed_logins = 0, locked_until = NULL
                WHERE id = @Id AND municipality_ags = @Ags
                """, new { Hash = HashPassword(password!), Demo = false, Must = true, Id = userId, Ags = municipalityAgs }, tx);
            if (changed == 0) return false;
            await EndAllSessionsAsync(c, tx, userId);
            return true;
        }, ct);
    }

    /// <summary>Replaces the roles and services of a user of the given municipality; every session and token of the user ends.
    /// Returns false when there is no such user there.</summary>
    public async Task<bool> SetRolesAsync(string municipalityAgs, long userId, IReadOnlyList<string> roles, IReadOnlyList<string> services, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        ValidateRoles(roles, services, errors);
        if (errors.Count > 0) throw new ValidationException(errors);
        return await db.InTransactionAsync(async (c, tx) =>
        {
            if (await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM users WHERE id = @Id AND municipality_ags = @Ags", new { Id = userId, Ags = municipalityAgs }, tx) == 0)
                return false;
            foreach (var service in services.Distinct())
                if (await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM services WHERE slug = @Slug", new { Slug = service }, tx) == 0)
                    errors.Add("services", $"Die Leistung '{service}' gibt es nicht.");
            if (errors.Count > 0) throw new ValidationException(errors);
            await c.ExecuteAsync("DELETE FROM user_roles WHERE user_id = @Id", new { Id = userId }, tx);
            await c.ExecuteAsync("DELETE FROM user_services WHERE user_id = @Id", new { Id = userId }, tx);
            foreach (var role in roles.Select(r => Roles.TryParse(r, out var canonical) ? canonical : r).Distinct())
                await c.ExecuteAsync("INSERT INTO user_roles (user_id, role) VALUES (@Id, @Role)", new { Id = userId, Role = role }, tx);
            foreach (var service in services.Distinct())
                await c.ExecuteAsync("INSERT INTO user_services (user_id, service_slug) VALUES (@Id, @Service)", new { Id = userId, Service = service }, tx);
            await EndAllSessionsAsync(c, tx, userId);
            return true;
        }, ct);
    }

    /// <summary>Inserts without the password policy; used for demo accounts, whose shared hash is computed once.</summary>
    internal async Task<long> InsertAsync(NewUser user, string passwordHash, bool passwordIsDemo, CancellationToken ct = default)
    {
        return await db.InTransactionAsync(async (c, tx) =>
        {
            var errors = new ValidationErrors();
            if (await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM municipalities WHERE ags = @Ags", new { Ags = user.MunicipalityAgs }, tx) == 0)
                errors.Add("municipality", $"Die Kommune '{user.MunicipalityAgs}' gibt es nicht.");
            if (await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM users WHERE lower(username) = lower(@Username)", new { user.Username }, tx) > 0)
                errors.Add("username", $"Den Benutzernamen '{user.Username}' gibt es schon.");
            foreach (var service in user.Services)
                if (await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM services WHERE slug = @Slug", new { Slug = service }, tx) == 0)
                    errors.Add("services", $"Die Leistung '{service}' gibt es nicht.");
            if (errors.Count > 0) throw new ValidationException(errors);

            var id = await c.ExecuteScalarAsync<long>("""
                INSERT INTO users (municipality_ags, username, display_name, password_hash, password_is_demo, failed_logins, is_active, security_stamp, created_at)
                VALUES (@MunicipalityAgs, @Username, @DisplayName, @Hash, @Demo, 0, @Active, @Stamp, @Now) RETURNING id
                """, new { user.MunicipalityAgs, user.Username, user.DisplayName, Hash = passwordHash, Demo = passwordIsDemo, Active = true, Stamp = NewStamp(), Now = clock.GetUtcNow().UtcDateTime }, tx);
            foreach (var role in user.Roles.Distinct())
            {
                Roles.TryParse(role, out var canonical);
                await c.ExecuteAsync("INSERT INTO user_roles (user_id, role) VALUES (@Id, @Role)", new { Id = id, Role = canonical }, tx);
            }
            foreach (var service in user.Services.Distinct())
                await c.ExecuteAsync("INSERT INTO user_services (user_id, service_slug) VALUES (@Id, @Service)", new { Id = id, Service = service }, tx);
            return id;
        }, ct);
    }

    public async Task SetPasswordAsync(string username, string password, CancellationToken ct = default)
    {
        var errors = ValidatePassword(password);
        if (errors.Count > 0) throw new ValidationException(errors);
        var changed = await db.InTransactionAsync(async (c, tx) =>
        {
            var id = await c.QuerySingleOrDefaultAsync<long?>("SELECT id FROM users WHERE lower(username) = lower(@Username)", new { Username = username }, tx);
            if (id is null) return false;
            await c.ExecuteAsync("UPDATE users SET password_hash = @Hash, password_is_demo = @Demo, password_must_change = @Must, failed_logins = 0, locked_until = NULL WHERE id = @Id",
                new { Hash = HashPassword(password), Demo = false, Must = false, Id = id }, tx);
            await EndAllSessionsAsync(c, tx, id.Value);
            return true;
        }, ct);
        if (!changed) throw new ValidationException(new ValidationErrors { { "username", [$"Den Benutzer '{username}' gibt es nicht."] } });
    }

    /// <summary>Checks a password. Five failures in a row lock the account for 15 minutes; while locked, even the right password fails.</summary>
    public async Task<SignInResult> SignInAsync(string? username, string? password, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var row = string.IsNullOrWhiteSpace(username) ? null : await db.QuerySingleOrDefaultAsync<UserRow>(
            UserSelect + " WHERE lower(username) = lower(@Username)", new { Username = username.Trim() }, ct);
        if (row is null || !row.IsActive)
        {
            Hasher.VerifyHashedPassword(null!, DummyHash.Value, password ?? "");
            return new SignInResult(SignInOutcome.Failed, null);
        }
        var user = row.ToAccount();
        if (user.IsLockedOut(now))
        {
            Hasher.VerifyHashedPassword(null!, DummyHash.Value, password ?? "");
            return new SignInResult(SignInOutcome.Failed, null);
        }
        var verification = Hasher.VerifyHashedPassword(user, row.PasswordHash, password ?? "");
        if (verification == PasswordVerificationResult.Failed)
        {
            await RecordFailedSignInAsync(user.Id, ct);
            return new SignInResult(SignInOutcome.Failed, null);
        }
        if (verification == PasswordVerificationResult.SuccessRehashNeeded && password is not null)
            await db.ExecuteAsync("UPDATE users SET password_hash = @Hash WHERE id = @Id", new { Hash = HashPassword(password), user.Id }, ct);
        if (user.FailedLogins > 0 || user.LockedUntil is not null)
            await db.ExecuteAsync("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = @Id", new { user.Id }, ct);
        return new SignInResult(SignInOutcome.Success, await FindAsync(user.Id, ct));
    }

    /// <summary>A wrong password or second-factor code. Counted in SQL so that concurrent attempts cannot undercount;
    /// the fifth in a row locks the account for <see cref="LockoutDuration"/>.</summary>
    public async Task RecordFailedSignInAsync(long userId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await db.ExecuteAsync("""
            UPDATE users SET failed_logins = failed_logins + 1,
                locked_until = CASE WHEN failed_logins + 1 >= @Max THEN @Until ELSE locked_until END
            WHERE id = @Id
            """, new { Max = MaxFailedLogins, Until = now + LockoutDuration, Id = userId }, ct);
        await db.ExecuteAsync("UPDATE users SET failed_logins = 0 WHERE id = @Id AND failed_logins >= @Max", new { Id = userId, Max = MaxFailedLogins }, ct);
    }

    public async Task<UserAccount?> FindAsync(long id, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<UserRow>(UserSelect + " WHERE id = @Id", new { Id = id });
        return row is null ? null : await WithRolesAsync(c, row.ToAccount());
    }

    public async Task<IReadOnlyList<UserAccount>> ListAsync(string municipalityAgs, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<UserRow>(UserSelect + " WHERE municipality_ags = @Ags ORDER BY username", new { Ags = municipalityAgs });
        var roles = (await c.QueryAsync<(long UserId, string Role)>(
            "SELECT r.user_id, r.role FROM user_roles r JOIN users u ON u.id = r.user_id WHERE u.municipality_ags = @Ags", new { Ags = municipalityAgs })).ToLookup(r => r.UserId, r => r.Role);
        var services = (await c.QueryAsync<(long UserId, string Service)>(
            "SELECT s.user_id, s.service_slug FROM user_services s JOIN users u ON u.id = s.user_id WHERE u.municipality_ags = @Ags", new { Ags = municipalityAgs })).ToLookup(r => r.UserId, r => r.Service);
        return rows.Select(r => r.ToAccount() with { Roles = roles[r.Id].Order().ToList(), Services = services[r.Id].Order().ToList() }).ToList();
    }

    /// <summary>Activates or deactivates a user of the given municipality. Returns false when there is no such user there.</summary>
    public async Task<bool> SetActiveAsync(string municipalityAgs, long userId, bool active, CancellationToken ct = default) =>
        await db.InTransactionAsync(async (c, tx) =>
        {
            if (await c.ExecuteAsync("UPDATE users SET is_active = @Active WHERE id = @Id AND municipality_ags = @Ags",
                    new { Active = active, Id = userId, Ags = municipalityAgs }, tx) != 1) return false;
            await EndAllSessionsAsync(c, tx, userId);
            return true;
        }, ct);

    public async Task<bool> UnlockAsync(string municipalityAgs, long userId, CancellationToken ct = default) =>
        await db.ExecuteAsync("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = @Id AND municipality_ags = @Ags",
            new { Id = userId, Ags = municipalityAgs }, ct) == 1;

    public async Task<IReadOnlyList<string>> UsersWithDemoPasswordAsync(CancellationToken ct = default) =>
        await db.QueryAsync<string>("SELECT username FROM users WHERE password_is_demo = @Demo ORDER BY username", new { Demo = true }, ct);

    private static async Task<UserAccount> WithRolesAsync(DbConnection c, UserAccount user)
    {
        var roles = await c.QueryAsync<string>("SELECT role FROM user_roles WHERE user_id = @Id ORDER BY role", new { user.Id });
        var services = await c.QueryAsync<string>("SELECT service_slug FROM user_services WHERE user_id = @Id ORDER BY service_slug", new { user.Id });
        return user with { Roles = roles.AsList(), Services = services.AsList() };
    }

    private static string NewStamp() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    private const string UserSelect = """
        SELECT id, municipality_ags AS MunicipalityAgs, username, display_name AS DisplayName, password_hash AS PasswordHash,
               password_is_demo AS PasswordIsDemo, failed_logins AS FailedLogins, locked_until AS LockedUntil,
               is_active AS IsActive, security_stamp AS SecurityStamp, password_must_change AS PasswordMustChange, totp_enabled AS TotpEnabled
        FROM users
        """;

    private sealed class UserRow
    {
        public long Id { get; init; }
        public string MunicipalityAgs { get; init; } = "";
        public string Username { get; init; } = "";
        public string DisplayName { get; init; } = "";
        public string PasswordHash { get; init; } = "";
        public bool PasswordIsDemo { get; init; }
        public int FailedLogins { get; init; }
        public DateTime? LockedUntil { get; init; }
        public bool IsActive { get; init; }
        public string SecurityStamp { get; init; } = "";
        public bool PasswordMustChange { get; init; }
        public bool TotpEnabled { get; init; }

        public UserAccount ToAccount() => new(Id, MunicipalityAgs, Username, DisplayName, IsActive, PasswordIsDemo, FailedLogins, LockedUntil, SecurityStamp)
        {
            PasswordMustChange = PasswordMustChange,
            TotpEnabled = TotpEnabled,
        };
    }
}
