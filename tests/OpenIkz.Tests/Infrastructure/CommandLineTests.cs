using OpenIkz.Cli;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>The administrative commands, run in-process against a real database. Runs on SQLite and on PostgreSQL.</summary>
public abstract class CommandLineTests(TestDatabase kind) : IAsyncLifetime
{
    private readonly Dictionary<string, string?> _config = new();
    private string? _postgres;

    public async Task InitializeAsync()
    {
        _config["OpenIkz:DataDirectory"] = TestEnvironment.NewTempDirectory("cli");
        _config["OpenIkz:Mode"] = "production";
        if (kind == TestDatabase.Postgres && TestEnvironment.PostgresAdmin is not null)
        {
            _postgres = await TestEnvironment.CreatePostgresDatabaseAsync();
            _config["OpenIkz:Database"] = "postgres";
            _config["ConnectionStrings:Postgres"] = _postgres;
        }
    }

    public async Task DisposeAsync()
    {
        if (_postgres is not null) await TestEnvironment.DropPostgresDatabaseAsync(_postgres);
    }

    private async Task<(int Exit, string Out, string Err)> RunAsync(string stdin, params string[] args)
    {
        if (kind == TestDatabase.Postgres) TestEnvironment.RequirePostgres();
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CommandLine.RunAsync(args, new StringReader(stdin), output, error, _config);
        return (exit, output.ToString(), error.ToString());
    }

    private Db Database() => kind == TestDatabase.Postgres ? Db.ForPostgres(_postgres!) : Db.ForSqlite(Path.Combine(_config["OpenIkz:DataDirectory"]!, "openikz.db"));

    private async Task ImportFrankenthalAsync()
    {
        var file = Path.Combine(_config["OpenIkz:DataDirectory"]!, "m.csv");
        await File.WriteAllTextAsync(file, "ags;name;type;state;district_ags;population;area_km2\n07311000;Frankenthal (Pfalz);kreisfreie Stadt;RP;;49122;43,88\n");
        var (exit, output, error) = await RunAsync("", "municipalities", "import", file);
        Assert.True(exit == 0, error);
        Assert.Contains("1 municipalities imported", output);
    }

    [SkippableFact]
    public async Task Migrate_CreatesTheSchema()
    {
        var (exit, output, _) = await RunAsync("", "migrate");
        Assert.Equal(0, exit);
        Assert.Contains("up to date", output);
    }

    [SkippableFact]
    public async Task MunicipalitiesImport_WhenRowsAreBad_PrintsEveryBadLineAndExits1()
    {
        var file = Path.Combine(_config["OpenIkz:DataDirectory"]!, "bad.csv");
        await File.WriteAllTextAsync(file, "ags;name;type;state;district_ags;population;area_km2\n07311000;Frankenthal (Pfalz);kreisfreie Stadt;RP;;49122;43,88\n0731100;Kurz;Stadt;RP;;1;1\n07311000;Doppelt;kreisfreie Stadt;RP;;1;1\n");
        var (exit, _, error) = await RunAsync("", "municipalities", "import", file);
        Assert.Equal(1, exit);
        Assert.Contains("Zeile 3:", error);
        Assert.Contains("Zeile 4:", error);
        Assert.Contains("Nothing imported", error);
        using var db = Database();
        Assert.Equal(0, await db.QuerySingleAsync<int>("SELECT COUNT(*) FROM municipalities"));
    }

    [SkippableFact]
    public async Task MunicipalitiesImportDistricts_Adds401_KeepsExistingRows_AndAgainAddsNothing()
    {
        await ImportFrankenthalAsync();
        var (exit, output, error) = await RunAsync("", "municipalities", "import-districts");
        Assert.True(exit == 0, error);
        Assert.Contains("400 districts added, 1 already in the directory", output);
        Assert.Contains("31.12.2018", output);
        (exit, output, error) = await RunAsync("", "municipalities", "import-districts");
        Assert.True(exit == 0, error);
        Assert.Contains("0 districts added, 401 already in the directory", output);
        using var db = Database();
        Assert.Equal(401, await db.QuerySingleAsync<int>("SELECT COUNT(*) FROM municipalities"));
        Assert.Equal(49122, await db.QuerySingleAsync<int>("SELECT population FROM municipalities WHERE ags = '07311000'"));
    }

    [SkippableFact]
    public async Task MunicipalitiesImportGv100_ImportsAGoodFile_AndRefusesABadOneWithItsLineNumbers()
    {
        var dir = _config["OpenIkz:DataDirectory"]!;
        var bad = OpenIkz.Tests.Directory.Gv100Files.Good();
        bad[4] = bad[4][..60];
        await File.WriteAllTextAsync(Path.Combine(dir, "bad.txt"), OpenIkz.Tests.Directory.Gv100Files.Text(bad));
        var (exit, _, error) = await RunAsync("", "municipalities", "import-gv100", Path.Combine(dir, "bad.txt"));
        Assert.Equal(1, exit);
        Assert.Contains("Zeile 5:", error);
        Assert.Contains("Nothing imported: 1 bad record(s).", error);
        using var db = Database();
        Assert.Equal(0, await db.QuerySingleAsync<int>("SELECT COUNT(*) FROM municipalities"));

        // ISO-8859-1, as Destatis wrote GV100AD before 2019.
        await File.WriteAllBytesAsync(Path.Combine(dir, "GV100AD_311224.txt"), System.Text.Encoding.Latin1.GetBytes(OpenIkz.Tests.Directory.Gv100Files.Text(OpenIkz.Tests.Directory.Gv100Files.Good())));
        (exit, var output, error) = await RunAsync("", "municipalities", "import-gv100", Path.Combine(dir, "GV100AD_311224.txt"));
        Assert.True(exit == 0, error);
        Assert.Contains("Gebietsstand 31.12.2024: 2 Kreise, 1 kreisfreie Städte, 1 Verbandsgemeinden, 5 Gemeinden (9 added, 0 updated)", output);
        Assert.Contains("1 Amt", output);
        Assert.Equal("Landkreis Südliche Weinstraße", await db.QuerySingleAsync<string>("SELECT name FROM municipalities WHERE ags = '07337'"));

        (exit, _, error) = await RunAsync("", "municipalities", "import-gv100", Path.Combine(dir, "missing.txt"));
        Assert.Equal(1, exit);
        Assert.Contains("not found", error);
    }

    [SkippableFact]
    public async Task UsersAdd_ReadsThePasswordFromStandardInput_AndTheUserCanSignIn()
    {
        await ImportFrankenthalAsync();
        var (exit, output, error) = await RunAsync("ein-langes-Admin-Passwort\n", "users", "add", "--municipality", "07311000", "--username", "ft.admin", "--admin");
        Assert.True(exit == 0, error);
        Assert.Contains("Administration", output);
        Assert.DoesNotContain("ein-langes-Admin-Passwort", output + error);

        using var db = Database();
        var users = new UserAccounts(db, TimeProvider.System);
        Assert.Equal(SignInOutcome.Success, (await users.SignInAsync("ft.admin", "ein-langes-Admin-Passwort")).Outcome);
        Assert.Equal(SignInOutcome.Failed, (await users.SignInAsync("ft.admin", "falsch")).Outcome);
    }

    [SkippableFact]
    public async Task UsersAdd_WithAPasswordArgumentOrWeakPassword_IsRefused()
    {
        await ImportFrankenthalAsync();
        var (exit, _, error) = await RunAsync("", "users", "add", "--municipality", "07311000", "--username", "x.y", "--password", "geheim-geheim-geheim");
        Assert.Equal(2, exit);
        Assert.Contains("standard input", error);
        (exit, _, error) = await RunAsync("kurz\n", "users", "add", "--municipality", "07311000", "--username", "x.y");
        Assert.Equal(1, exit);
        Assert.Contains("mindestens 12 Zeichen", error);
        (exit, _, error) = await RunAsync(UserAccounts.DemoPassword + "\n", "users", "add", "--municipality", "07311000", "--username", "x.y");
        Assert.Equal(1, exit);
        (exit, _, error) = await RunAsync("ein-langes-Passwort-1\n", "users", "add", "--municipality", "99999999", "--username", "x.y");
        Assert.Equal(1, exit);
        Assert.Contains("99999999", error);
    }

    [SkippableFact]
    public async Task ApiClientsAdd_PrintsTheSecretAloneOnTheLastLine_AndStoresOnlyItsHash()
    {
        await ImportFrankenthalAsync();
        var (exit, output, error) = await RunAsync("", "api-clients", "add", "--municipality", "07311000", "--scope", "intake");
        Assert.True(exit == 0, error);
        var lines = output.TrimEnd().Split('\n');
        var secret = lines[^1].Trim();
        Assert.StartsWith(AccessTokens.ClientSecretPrefix, secret);
        Assert.True(secret.Length > 40);

        using var db = Database();
        var stored = await db.QuerySingleAsync<string>("SELECT secret_hash FROM api_clients");
        Assert.NotEqual(secret, stored);
        Assert.Equal(AccessTokens.Hash(secret), stored);

        (exit, _, _) = await RunAsync("", "api-clients", "add", "--municipality", "07311000", "--scope", "alles");
        Assert.Equal(1, exit);
    }

    [SkippableFact]
    public async Task ApiClientsListAndRevoke_ShowTheClients_AndARevokedSecretIsRefused()
    {
        await ImportFrankenthalAsync();
        var (_, created, _) = await RunAsync("", "api-clients", "add", "--municipality", "07311000", "--scope", "intake", "--name", "Portal");
        var secret = created.TrimEnd().Split('\n')[^1].Trim();
        using var db = Database();
        var tokens = new AccessTokens(db, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new OpenIkz.Infrastructure.OpenIkzOptions()));
        var id = (await tokens.FindClientAsync(secret))!.Id;

        var (exit, output, error) = await RunAsync("", "api-clients", "list");
        Assert.True(exit == 0, error);
        var row = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1));
        Assert.StartsWith($"{id}\t07311000\tintake\tPortal\t", row);
        Assert.EndsWith("\t-", row.TrimEnd());
        Assert.DoesNotContain(secret, output);

        (exit, output, error) = await RunAsync("", "api-clients", "revoke", "--id", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(exit == 0, error);
        Assert.Null(await tokens.FindClientAsync(secret));
        (exit, output, _) = await RunAsync("", "api-clients", "list");
        Assert.DoesNotMatch(@"\t-\s*$", output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1]);

        (exit, _, error) = await RunAsync("", "api-clients", "revoke", "--id", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, exit);
        Assert.Contains("no active API client", error);
        (exit, _, _) = await RunAsync("", "api-clients", "revoke");
        Assert.Equal(2, exit);
    }

    [SkippableFact]
    public async Task BackupReceiver_AddListRevoke_PrintsTheTokenOnce_StoresOnlyItsHash_AndARevokedTokenIsRefused()
    {
        var (exit, output, error) = await RunAsync("", "backup", "receiver", "add", "--name", "frankenthal");
        Assert.True(exit == 0, error);
        var token = output.TrimEnd().Split('\n')[^1].Trim();
        Assert.StartsWith(OpenIkz.Backup.ReceivePartners.TokenPrefix, token);
        Assert.Equal(OpenIkz.Backup.ReceivePartners.TokenPrefix.Length + 43, token.Length); // 32 bytes in base64url without padding
        using (var db = Database())
        {
            var hash = await db.QuerySingleAsync<string>("SELECT token_hash FROM backup_receive_partners WHERE name = 'frankenthal'");
            Assert.Equal(OpenIkz.Directory.Accounts.AccessTokens.Hash(token), hash);
            Assert.Equal("frankenthal", await new OpenIkz.Backup.ReceivePartners(db, TimeProvider.System).FindAsync(token));
        }

        (exit, output, _) = await RunAsync("", "backup", "receiver", "list");
        Assert.Equal(0, exit);
        Assert.Matches(@"frankenthal\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\t-", output);
        Assert.DoesNotContain(token, output);

        (exit, _, error) = await RunAsync("", "backup", "receiver", "add", "--name", "frankenthal");
        Assert.Equal(1, exit);
        Assert.Contains("name:", error);
        (exit, _, error) = await RunAsync("", "backup", "receiver", "add", "--name", "Nicht/gültig");
        Assert.Equal(1, exit);
        Assert.Contains("name:", error);
        (exit, _, _) = await RunAsync("", "backup", "receiver", "add");
        Assert.Equal(2, exit);

        (exit, output, error) = await RunAsync("", "backup", "receiver", "revoke", "--name", "frankenthal");
        Assert.True(exit == 0, error);
        Assert.Contains("revoked", output);
        (exit, _, error) = await RunAsync("", "backup", "receiver", "revoke", "--name", "frankenthal");
        Assert.Equal(1, exit);
        Assert.Contains("no active backup partner", error);
        using (var db = Database())
            Assert.Null(await new OpenIkz.Backup.ReceivePartners(db, TimeProvider.System).FindAsync(token));
        (_, output, _) = await RunAsync("", "backup", "receiver", "list");
        Assert.DoesNotMatch(@"frankenthal\t\S+\t-", output);
    }

    [SkippableFact]
    public async Task Backup_KeysRunListRestoreDrill_ThroughTheCommandLine_WithExitCodesAndMessages()
    {
        if (kind == TestDatabase.Postgres) TestEnvironment.RequirePostgres();
        var keys = TestEnvironment.NewTempDirectory("cli-backup-keys");
        var keyFile = Path.Combine(keys, "operator.key");
        var (exit, output, error) = await RunAsync("", "backup", "keys", "create", "--operator", "--label", "Betrieb", "--out", keyFile);
        Assert.True(exit == 0, error);
        Assert.Contains("created", output);
        Assert.Contains(OpenIkz.Backup.BackupPrivateKey.Prefix, await File.ReadAllTextAsync(keyFile));
        Assert.DoesNotContain(OpenIkz.Backup.BackupPrivateKey.Prefix, output); // written to the file, not printed
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        (exit, _, error) = await RunAsync("", "backup", "keys", "create", "--operator", "--out", keyFile);
        Assert.Equal(1, exit);
        Assert.Contains("exists", error);
        (exit, _, error) = await RunAsync("", "backup", "keys", "create");
        Assert.Equal(2, exit);
        Assert.Contains("exactly one of", error);

        (exit, _, error) = await RunAsync("", "backup", "run");
        Assert.Equal(1, exit);
        Assert.Contains("No backup target is configured", error);
        var target = TestEnvironment.NewTempDirectory("cli-backup-target");
        _config["OpenIkz:Backup:Targets:0:Name"] = "partner";
        _config["OpenIkz:Backup:Targets:0:Directory"] = target;
        (exit, output, error) = await RunAsync("", "backup", "run");
        Assert.True(exit == 0, error);
        Assert.Contains("to partner", output);
        (exit, output, error) = await RunAsync("", "backup", "list", "--from", "partner");
        Assert.True(exit == 0, error);
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Split('\t');
        Assert.Matches(@"^\d{8}t\d{9}z-[0-9a-f]{8}$", line[0]);
        Assert.True(int.Parse(line[3], System.Globalization.CultureInfo.InvariantCulture) >= 2, output); // manifest and database at least
        (exit, _, error) = await RunAsync("", "backup", "list", "--from", "/gibt/es/nicht");
        Assert.Equal(1, exit);
        Assert.Contains("neither a configured backup target nor a directory", error);

        // Restore into an empty instance: a wrong key is refused (exit 1, nothing written), the right one restores.
        var restoreConfig = new Dictionary<string, string?> { ["OpenIkz:DataDirectory"] = TestEnvironment.NewTempDirectory("cli-restore"), ["OpenIkz:Mode"] = "production" };
        string? restoreDatabase = null;
        if (kind == TestDatabase.Postgres)
        {
            restoreDatabase = await TestEnvironment.CreatePostgresDatabaseAsync();
            restoreConfig["OpenIkz:Database"] = "postgres";
            restoreConfig["ConnectionStrings:Postgres"] = restoreDatabase;
        }
        try
        {
            var strangerKey = Path.Combine(keys, "fremd.key");
            using (var stranger = OpenIkz.Backup.BackupPrivateKey.Create())
                await File.WriteAllTextAsync(strangerKey, stranger.Export() + "\n");
            (exit, _, error) = await RunWithAsync(restoreConfig, "restore", "--from", target, "--key", strangerKey);
            Assert.Equal(1, exit);
            Assert.Contains("cannot be opened with this key", error);
            Assert.False(File.Exists(Path.Combine(restoreConfig["OpenIkz:DataDirectory"]!, "openikz.db")));

            (exit, output, error) = await RunWithAsync(restoreConfig, "restore", "--from", target, "--key", keyFile);
            Assert.True(exit == 0, error);
            Assert.Contains("restored and verified", output);
            Assert.Contains("unbroken chain", output);
            (exit, _, error) = await RunWithAsync(restoreConfig, "restore", "--from", target, "--key", keyFile);
            Assert.Equal(1, exit);
            Assert.Contains("already holds", error);
            (exit, _, error) = await RunWithAsync(restoreConfig, "restore", "--from", target);
            Assert.Equal(1, exit);
            Assert.Contains("--key", error);
        }
        finally
        {
            if (restoreDatabase is not null) await TestEnvironment.DropPostgresDatabaseAsync(restoreDatabase);
        }

        // The drill: with the operator's key it passes; with a key that is no recipient it fails with exit 1.
        (exit, output, error) = await RunAsync("", "backup", "drill", "--key", keyFile);
        Assert.True(exit == 0, error + output);
        (exit, output, error) = await RunAsync("", "backup", "drill", "--key", Path.Combine(keys, "fremd.key"));
        Assert.Equal(1, exit);
        Assert.Contains("cannot be opened with this key", output + error);
    }

    private static async Task<(int Exit, string Out, string Err)> RunWithAsync(Dictionary<string, string?> config, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await CommandLine.RunAsync(args, new StringReader(""), output, error, config);
        return (exit, output.ToString(), error.ToString());
    }

    [SkippableFact]
    public async Task Help_ListsTheBackupReceiverCommands()
    {
        var (exit, output, _) = await RunAsync("", "help");
        Assert.Equal(0, exit);
        Assert.Contains("backup receiver add --name NAME", output);
        Assert.Contains("backup receiver revoke --name NAME", output);
    }
}

public sealed class CommandLineTestsSqlite() : CommandLineTests(TestDatabase.Sqlite);
public sealed class CommandLineTestsPostgres() : CommandLineTests(TestDatabase.Postgres);
