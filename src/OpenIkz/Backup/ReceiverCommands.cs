using System.Globalization;

namespace OpenIkz.Backup;

/// <summary>
/// <c>backup receiver add --name NAME | list | revoke --name NAME</c>: the partners whose backups this instance holds
/// (receiver mode). A wrong usage throws <see cref="ArgumentException"/>, which the command line answers with exit code 2.
/// </summary>
public static class ReceiverCommands
{
    public const string Usage = """
          backup receiver add --name NAME
              Receiver mode: creates a partner (a-z, 0-9, '-') and prints its token, once, alone on the last line.
          backup receiver list
              Lists the partners: name, created, revoked (tab-separated).
          backup receiver revoke --name NAME
              Revokes a partner's token; the backups it stored stay (and retention goes on).
        """;

    public static async Task<int> RunAsync(IServiceProvider services, string verb, string? name, TextWriter stdout, TextWriter stderr)
    {
        var partners = services.GetRequiredService<ReceivePartners>();
        switch (verb)
        {
            case "add":
                var token = await partners.CreateAsync(name ?? throw new ArgumentException("backup receiver add needs --name NAME."));
                stdout.WriteLine($"Backup partner '{name}' created. Give it this token (its target's Token) now; it is not shown again:");
                stdout.WriteLine(token);
                return 0;
            case "list":
                stdout.WriteLine("name\tcreated\trevoked");
                foreach (var p in await partners.ListAsync())
                    stdout.WriteLine(string.Join('\t', p.Name, Time(p.CreatedAt), p.RevokedAt is { } revoked ? Time(revoked) : "-"));
                return 0;
            case "revoke":
                if (!await partners.RevokeAsync(name ?? throw new ArgumentException("backup receiver revoke needs --name NAME.")))
                {
                    stderr.WriteLine($"There is no active backup partner '{name}'.");
                    return 1;
                }
                stdout.WriteLine($"Backup partner '{name}' revoked: its token is refused from now on; its stored backups stay.");
                return 0;
            default:
                throw new ArgumentException($"Unknown command 'backup receiver {verb}'.");
        }
    }

    private static string Time(DateTime utc) => utc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
