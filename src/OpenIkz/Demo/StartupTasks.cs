using Microsoft.Extensions.Options;
using OpenIkz.Infrastructure;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Demo;

/// <summary>
/// Runs before the server accepts requests: applies the migrations, loads the demo data in demo mode,
/// and in production mode refuses to start while any account still has the demo password.
/// </summary>
public sealed class StartupTasks(Db db, MigrationRunner migrations, DemoData demo, UserAccounts users, IOptions<OpenIkzOptions> options,
    ILogger<StartupTasks> logger, IHostEnvironment environment) : IHostedService
{
    private int _ran;

    /// <summary>
    /// The tasks, once: Program.Main runs them before the host starts (so that a refusal is one line on standard error
    /// and exit code 1, without the host's failure log), and the host's start runs them where Main did not (tests).
    /// </summary>
    public async Task StartAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _ran, 1) == 1) return;
        var result = await migrations.MigrateAsync(ct);
        logger.LogInformation("Database {Database} at schema version {Version} ({Applied} migrations applied now)", db.Name, result.TotalApplied, result.Applied.Count);

        if (options.Value.IsDemo)
        {
            var loaded = await demo.EnsureLoadedAsync(ct);
            if (!environment.IsEnvironment("Testing")) PrintDemoLogins(loaded);
            return;
        }

        var demoAccounts = await users.UsersWithDemoPasswordAsync(ct);
        if (demoAccounts.Count > 0)
            throw new InvalidOperationException(
                $"Production mode refuses to start: {demoAccounts.Count} account(s) still have the demo password ({string.Join(", ", demoAccounts.Take(5))}{(demoAccounts.Count > 5 ? ", …" : "")}). " +
                "Set new passwords with 'users set-password --username NAME' or use a database without demo data.");
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    private static void PrintDemoLogins(bool freshlyLoaded)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine();
        text.AppendLine(freshlyLoaded ? "OpenIKZ demo data loaded." : "OpenIKZ demo mode.");
        text.AppendLine($"Demo logins (password for all: {UserAccounts.DemoPassword}):");
        foreach (var login in DemoData.Logins.Where(l => l.Username.StartsWith("frankenthal.", StringComparison.Ordinal) || l.Username.StartsWith("halberstadt.", StringComparison.Ordinal)))
            text.AppendLine($"  {login.Username,-34} {login.Roles}");
        text.AppendLine("  … and the same four accounts (.admin, .sachbearbeitung, .teamleitung, .koordination) for every demo municipality: see README.md.");
        Console.Out.Write(text.ToString());
    }
}
