using System.Text;
using Dapper;
using OpenIkz.Directory.Accounts;
using OpenIkz.Directory.Municipalities;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Demo;

public sealed record DemoLogin(string Username, string Municipality, string Roles);

/// <summary>
/// Loads the demo data once, on the first start in demo mode: every district of Germany (<see cref="DistrictImport"/>),
/// the real municipalities of Landkreis Harz and the Vorderpfalz (see SOURCES.md) and demo accounts in each of them, all with
/// <see cref="UserAccounts.DemoPassword"/>.
/// </summary>
public sealed class DemoData(Db db, UserAccounts users, DemoBackoffice backoffice, DemoCooperations cooperations, DemoPartnerSearches partnerSearches,
    DemoRegions regions, DemoAssessments assessments, DemoAppointments appointments, ILogger<DemoData> logger)
{
    public const string SeededKey = "demo_seeded";
    private static readonly string[] AllServices = ["kfz-zulassung", "elterngeld", "wohngeld", "grundsicherung"];

    /// <summary>Short login prefixes per municipality, e.g. "frankenthal.sachbearbeitung".</summary>
    internal static readonly IReadOnlyDictionary<string, string> LoginPrefix = new Dictionary<string, string>
    {
        ["15085"] = "lk-harz", ["15085040"] = "ballenstedt", ["15085055"] = "blankenburg", ["15085110"] = "falkenstein",
        ["15085135"] = "halberstadt", ["15085145"] = "harzgerode", ["15085185"] = "huy", ["15085190"] = "ilsenburg",
        ["15085227"] = "nordharz", ["15085228"] = "oberharz", ["15085230"] = "osterwieck", ["15085235"] = "quedlinburg",
        ["15085330"] = "thale", ["15085370"] = "wernigerode", ["150855051"] = "vorharz",
        ["07318000"] = "speyer", ["07311000"] = "frankenthal", ["07314000"] = "ludwigshafen", ["07338"] = "rhein-pfalz-kreis",
    };

    /// <summary>Every demo municipality gets one account per role; the clerk handles all four pilot services.</summary>
    public static IEnumerable<(string Suffix, string DisplayRole, string[] Roles, string[] Services)> AccountsPerMunicipality =>
    [
        ("admin", "Administration", [Roles.Administration], []),
        ("sachbearbeitung", "Sachbearbeitung", [Roles.Sachbearbeitung], AllServices),
        ("teamleitung", "Teamleitung", [Roles.Teamleitung, Roles.Sachbearbeitung], AllServices),
        ("koordination", "Koordination", [Roles.Koordination], []),
    ];

    public static IReadOnlyList<DemoLogin> Logins =>
        LoginPrefix.SelectMany(m => AccountsPerMunicipality.Select(a => new DemoLogin($"{m.Value}.{a.Suffix}", m.Key, string.Join(", ", a.Roles)))).ToList();

    public async Task<bool> EnsureLoadedAsync(CancellationToken ct = default)
    {
        if (await db.QuerySingleOrDefaultAsync<string>("SELECT value FROM instance_settings WHERE key = @Key", new { Key = SeededKey }, ct) is not null)
            return false;

        using var reader = new StreamReader(typeof(DemoData).Assembly.GetManifestResourceStream("OpenIkz.Demo.municipalities.csv")!, Encoding.UTF8);
        var (rows, errors) = MunicipalityImport.Parse(reader);
        if (errors.Count > 0) throw new InvalidOperationException("Demo data is invalid: " + string.Join(" ", errors));
        rows = rows.Select(r => r with { LeitwegId = r.LeitwegId ?? LeitwegId.Create(r.Ags, "DEMO") }).ToList();

        // One hash for all demo accounts: the password is public anyway, and 76 PBKDF2 runs would slow the first start.
        var hash = UserAccounts.HashPassword(UserAccounts.DemoPassword);
        // All of Germany's districts first (keys already there are left alone), then the demo rows with their own
        // figures from the seeds, which win over the 2018 figures of the district list (Demo/SOURCES.md).
        await db.InTransactionAsync(async (c, tx) =>
        {
            await DistrictImport.InsertMissingAsync(c, tx, db.Kind);
            await MunicipalityImport.UpsertAsync(c, tx, rows);
        }, ct);

        var names = rows.ToDictionary(r => r.Ags, r => r.Name);
        foreach (var (ags, prefix) in LoginPrefix)
        {
            foreach (var account in AccountsPerMunicipality)
            {
                var username = $"{prefix}.{account.Suffix}";
                if (await db.QuerySingleAsync<int>("SELECT COUNT(*) FROM users WHERE username = @U", new { U = username }, ct) > 0) continue;
                await users.InsertAsync(new NewUser(ags, username, $"{account.DisplayRole} {names[ags]} (Demo)", UserAccounts.DemoPassword, account.Roles, account.Services),
                    hash, passwordIsDemo: true, ct);
            }
        }
        if (await db.QuerySingleAsync<int>("SELECT COUNT(*) FROM agreements", ct: ct) == 0) await backoffice.LoadAsync(hash, ct);
        // The register links to the demo agreements, so it comes after them; searches and regions name register entries.
        await cooperations.LoadAsync(ct);
        await partnerSearches.LoadAsync(ct);
        await regions.LoadAsync(ct);
        await assessments.LoadAsync(ct);
        await appointments.LoadAsync(ct);

        // Set last, and every step above is idempotent: a start interrupted half-way completes at the next start.
        await db.ExecuteAsync("INSERT INTO instance_settings (key, value) VALUES (@Key, @Value) ON CONFLICT (key) DO NOTHING",
            new { Key = SeededKey, Value = DateTime.UtcNow.ToString("O") }, ct);
        logger.LogInformation("Demo data loaded: {Municipalities} demo municipalities, {Districts} districts of Germany, {Accounts} accounts", rows.Count, DistrictImport.Count, LoginPrefix.Count * AccountsPerMunicipality.Count());
        return true;
    }
}
