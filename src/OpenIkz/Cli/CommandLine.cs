using Microsoft.Extensions.Options;
using OpenIkz.Directory.Accounts;
using OpenIkz.Directory.Municipalities;
using OpenIkz.Infrastructure;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Cli;

/// <summary>
/// Administrative commands: <c>dotnet run --project src/OpenIkz -- COMMAND</c>. They read the same
/// configuration as the server. Passwords are read from standard input, never from an argument.
/// Exit codes: 0 done, 1 refused or failed (reason on standard error), 2 wrong usage.
/// </summary>
public static class CommandLine
{
    private static readonly string[] Commands = ["migrate", "municipalities", "users", "api-clients", "audit", "backup", "restore", "help", "--help"];

    public const string Usage = """
        OpenIKZ commands (dotnet run --project src/OpenIkz -- COMMAND):
          migrate
              Applies the database migrations and exits.
          municipalities import FILE.csv
              Imports municipalities from a UTF-8 CSV: ags;name;type;state;district_ags;population;area_km2[;leitweg_id]
          municipalities import-districts
              Adds every Landkreis and kreisfreie Stadt of Germany (401; Destatis, territorial status 31.12.2018)
              that is not in the directory yet. Rows already there keep their own figures.
          municipalities import-gv100 FILE
              Imports the Destatis Gemeindeverzeichnis in its fixed-width format GV100AD: Kreise, kreisfreie Städte,
              Verbandsgemeinden and Gemeinden, with population and area. One bad record and nothing is imported.
          users add --municipality AGS --username NAME [--name "Display Name"] [--role ROLE]... [--service SLUG]... [--admin]
              Creates a user; the password is read from standard input.
              Roles: Sachbearbeitung, Teamleitung, Koordination, Administration (--admin = --role Administration).
          users set-password --username NAME
              Sets a new password, read from standard input.
          api-clients add --municipality AGS --scope intake [--name NAME]
              Creates an API client and prints its secret, once, alone on the last line.
          api-clients list
              Lists every API client: id, municipality, scope, name, created, revoked (tab-separated).
          api-clients revoke --id N
              Revokes an API client: its secret is refused from the next request on.
          audit verify
              Recomputes the hash chain of the audit log and checks the entries not yet sealed into it; prints
              {"valid": true|false, "entries": N, "sealed": S, "unsealed": U}; exit code 1 when broken.
          audit seal
              Seals the appended entries into the chain now (the running app does so every second); prints how many.
        """ + "\n" + Backup.BackupCommands.Usage + "\n" + Backup.ReceiverCommands.Usage;

    public static bool IsCommand(string[] args) => args.Length > 0 && Commands.Contains(args[0]);

    public static async Task<int> RunAsync(string[] args, TextReader? stdin = null, TextWriter? stdout = null, TextWriter? stderr = null,
        IDictionary<string, string?>? configuration = null)
    {
        stdin ??= Console.In;
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        if (args[0] is "help" or "--help")
        {
            stdout.WriteLine(Usage);
            return 0;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        if (configuration is not null) builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddOpenIkzCore(builder.Configuration).AddModules(builder.Configuration);
        using var host = builder.Build();
        var services = host.Services;

        try
        {
            var options = services.GetRequiredService<IOptions<OpenIkzOptions>>().Value;
            var parsed = Arguments.Parse(args.Skip(args[0] is "migrate" or "restore" ? 1 : 2).ToArray());
            if (!Backup.BackupCommands.RunsBeforeMigrations(args)) await services.GetRequiredService<MigrationRunner>().MigrateAsync();
            switch (args)
            {
                case ["backup", "receiver", var verb, ..]:
                    return await Backup.ReceiverCommands.RunAsync(services, verb, parsed.Single("name"), stdout, stderr);
                case ["backup", ..] or ["restore", ..]:
                    return await Backup.BackupCommands.RunAsync(services, args, parsed.Single, parsed.Flag, stdout, stderr);
                case ["migrate", ..]:
                    stdout.WriteLine($"Database {services.GetRequiredService<Db>().Name} is up to date.");
                    return 0;
                case ["municipalities", "import", var file, ..]:
                    return await ImportAsync(services.GetRequiredService<MunicipalityImport>(), file, stdout, stderr);
                case ["municipalities", "import-districts", ..]:
                    var districts = await services.GetRequiredService<DistrictImport>().ImportAsync();
                    stdout.WriteLine($"{districts.Added} districts added, {districts.Kept} already in the directory (kept as they are). Source: {DistrictImport.Source}.");
                    return 0;
                case ["municipalities", "import-gv100", var gv100File, ..]:
                    return await ImportGv100Async(services.GetRequiredService<Gv100Import>(), gv100File, stdout, stderr);
                case ["users", "add", ..]:
                    return await AddUserAsync(services.GetRequiredService<UserAccounts>(), parsed, stdin, stdout, stderr);
                case ["users", "set-password", ..]:
                    var username = parsed.Single("username");
                    if (username is null) return UsageError(stderr, "users set-password needs --username NAME.");
                    await services.GetRequiredService<UserAccounts>().SetPasswordAsync(username, ReadPassword(stdin, stderr));
                    stdout.WriteLine($"Password of '{username}' changed.");
                    return 0;
                case ["api-clients", "add", ..]:
                    var ags = parsed.Single("municipality");
                    var scope = parsed.Single("scope");
                    if (ags is null || scope is null) return UsageError(stderr, "api-clients add needs --municipality AGS and --scope intake.");
                    var (id, secret) = await services.GetRequiredService<AccessTokens>().CreateClientAsync(ags, scope, parsed.Single("name"));
                    stdout.WriteLine($"API client {id} created for {ags} with scope '{scope}'. Store this secret now; it is not shown again:");
                    stdout.WriteLine(secret);
                    return 0;
                case ["api-clients", "list", ..]:
                    stdout.WriteLine("id\tmunicipality\tscope\tname\tcreated\trevoked");
                    foreach (var client in await services.GetRequiredService<AccessTokens>().ListClientsAsync())
                        stdout.WriteLine(string.Join('\t', client.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), client.MunicipalityAgs, client.Scope, client.Name,
                            client.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                            client.RevokedAt?.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) ?? "-"));
                    return 0;
                case ["api-clients", "revoke", ..]:
                    if (!long.TryParse(parsed.Single("id"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var clientId))
                        return UsageError(stderr, "api-clients revoke needs --id N (a number from 'api-clients list').");
                    if (!await services.GetRequiredService<AccessTokens>().RevokeClientAsync(clientId))
                    {
                        stderr.WriteLine($"There is no active API client {clientId}.");
                        return 1;
                    }
                    stdout.WriteLine($"API client {clientId} revoked.");
                    return 0;
                case ["audit", "verify", ..]:
                    var verification = await Backoffice.Audit.AuditLog.VerifyAsync(services.GetRequiredService<Db>());
                    stdout.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { valid = verification.Valid, entries = verification.Entries, @sealed = verification.Sealed, unsealed = verification.Unsealed }));
                    if (!verification.Valid) stderr.WriteLine($"Audit log broken: {verification.Problem}.");
                    else if (verification.SealerBehind(DateTime.UtcNow))
                        stderr.WriteLine($"Warning: the oldest unsealed entry is from {verification.OldestUnsealedAt:yyyy-MM-dd HH:mm:ss} UTC: the sealer is not running (start the app, or run 'audit seal').");
                    return verification.Valid ? 0 : 1;
                case ["audit", "seal", ..]:
                    var chained = await Backoffice.Audit.AuditLog.SealAllAsync(services.GetRequiredService<Db>());
                    stdout.WriteLine($"{chained} audit entries sealed.");
                    return 0;
                default:
                    return UsageError(stderr, $"Unknown command '{string.Join(' ', args.Take(2))}'.");
            }
        }
        catch (ValidationException ex)
        {
            foreach (var (field, messages) in ex.Errors)
                foreach (var message in messages) stderr.WriteLine($"{field}: {message}");
            return 1;
        }
        catch (ArgumentException ex)
        {
            return UsageError(stderr, ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            stderr.WriteLine(ex.Message);
            return 1;
        }
    }

    private static async Task<int> ImportAsync(MunicipalityImport import, string file, TextWriter stdout, TextWriter stderr)
    {
        if (!File.Exists(file))
        {
            stderr.WriteLine($"File '{file}' not found.");
            return 1;
        }
        using var reader = new StreamReader(file, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var result = await import.ImportAsync(reader);
        if (!result.Ok)
        {
            foreach (var error in result.Errors) stderr.WriteLine(error);
            stderr.WriteLine($"Nothing imported: {result.Errors.Count} bad row(s).");
            return 1;
        }
        stdout.WriteLine($"{result.Imported} municipalities imported.");
        return 0;
    }

    private static async Task<int> ImportGv100Async(Gv100Import import, string file, TextWriter stdout, TextWriter stderr)
    {
        if (!File.Exists(file))
        {
            stderr.WriteLine($"File '{file}' not found.");
            return 1;
        }
        using var reader = new StringReader(Gv100Import.Decode(await File.ReadAllBytesAsync(file)));
        var result = await import.ImportAsync(reader);
        if (!result.Ok)
        {
            foreach (var error in result.Errors) stderr.WriteLine(error);
            stderr.WriteLine($"Nothing imported: {result.Errors.Count} bad record(s).");
            return 1;
        }
        var s = result.Summary!;
        stdout.WriteLine($"Gemeindeverzeichnis GV100AD, Gebietsstand {s.Gebietsstand:dd.MM.yyyy}: {s.Districts} Kreise, {s.CountyFreeCities} kreisfreie Städte, "
            + $"{s.Verbandsgemeinden} Verbandsgemeinden, {s.Municipalities} Gemeinden ({s.Added} added, {s.Updated} updated).");
        if (s.NotListed.Count > 0)
            stdout.WriteLine("Read but not listed (the directory has no type for them): " + string.Join(", ", s.NotListed.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => $"{n.Value} {n.Key}")) + ".");
        if (s.DirectoryOnly.Count > 0)
            stdout.WriteLine($"In the directory but not in the file (dissolved or re-keyed? left unchanged): {string.Join(", ", s.DirectoryOnly)}.");
        return 0;
    }

    private static async Task<int> AddUserAsync(UserAccounts users, Arguments parsed, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var ags = parsed.Single("municipality");
        var username = parsed.Single("username");
        if (ags is null || username is null) return UsageError(stderr, "users add needs --municipality AGS and --username NAME.");
        var roles = parsed.Many("role").ToList();
        if (parsed.Flag("admin")) roles.Add(Roles.Administration);
        var services = parsed.Many("service").ToList();
        if (services.Count > 0 && !roles.Contains(Roles.Sachbearbeitung, StringComparer.OrdinalIgnoreCase)) roles.Add(Roles.Sachbearbeitung);
        var password = ReadPassword(stdin, stderr);
        var id = await users.CreateAsync(new NewUser(ags, username, parsed.Single("name") ?? username, password, roles, services));
        stdout.WriteLine($"User '{username}' ({id}) created in {ags} with roles: {(roles.Count == 0 ? "none" : string.Join(", ", roles.Distinct()))}.");
        return 0;
    }

    /// <summary>Reads one line from standard input; on a terminal the typed characters are not echoed.</summary>
    private static string ReadPassword(TextReader stdin, TextWriter stderr)
    {
        if (ReferenceEquals(stdin, Console.In) && !Console.IsInputRedirected)
        {
            stderr.Write("Passwort: ");
            var chars = new System.Text.StringBuilder();
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                if (key.Key == ConsoleKey.Enter) break;
                if (key.Key == ConsoleKey.Backspace) { if (chars.Length > 0) chars.Length--; }
                else chars.Append(key.KeyChar);
            }
            stderr.WriteLine();
            return chars.ToString();
        }
        return stdin.ReadLine() ?? "";
    }

    private static int UsageError(TextWriter stderr, string message)
    {
        stderr.WriteLine(message);
        stderr.WriteLine();
        stderr.WriteLine(Usage);
        return 2;
    }

    internal sealed class Arguments
    {
        private readonly Dictionary<string, List<string>> _values = new(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _flags = new(StringComparer.OrdinalIgnoreCase);
        private static readonly string[] FlagNames = ["admin", "operator", "drill", "full"];

        public static Arguments Parse(string[] args)
        {
            var result = new Arguments();
            for (var i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal)) continue;
                var name = args[i][2..];
                if (name is "password") throw new ArgumentException("Passwords are read from standard input, never from an argument.");
                if (FlagNames.Contains(name)) { result._flags.Add(name); continue; }
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"--{name} needs a value.");
                if (!result._values.TryGetValue(name, out var list)) result._values[name] = list = [];
                list.Add(args[++i]);
            }
            return result;
        }

        public string? Single(string name) => _values.TryGetValue(name, out var v) ? v[^1] : null;
        public IEnumerable<string> Many(string name) => _values.TryGetValue(name, out var v) ? v : [];
        public bool Flag(string name) => _flags.Contains(name);
    }
}
