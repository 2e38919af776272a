using System.Globalization;
using Microsoft.Extensions.Options;
using OpenIkz.Infrastructure;
using OpenIkz.Infrastructure.Database;
using QRCoder;

namespace OpenIkz.Backup;

/// <summary>The command line of the backups: <c>backup keys …</c>, <c>backup run</c>, <c>backup list</c> and <c>restore</c>.</summary>
public static class BackupCommands
{
    public const string Usage = """
          backup keys create --operator | --drill | --municipality AGS [--label TEXT] [--out FILE]
              Creates a key pair for backups and prints the private key once (with a QR code), or writes it to FILE
              (readable by the owner only); only the public key is stored. Every later backup is encrypted to every key.
          backup keys list
              Lists the keys: key id, kind, municipality, label, created, revoked (tab-separated).
          backup keys revoke --key-id ID
              Later backups are no longer encrypted to this key.
          backup run [--target NAME] [--full]
              Takes a consistent backup while the app may serve, to every configured target (or one); --full sends every
              document again instead of only the new ones.
          backup drill --key FILE [--target NAME]
              Restore drill: the newest backup of each target restored into a scratch location, verified, removed;
              the recovery time and the backup's age are recorded in the audit log. Exit code 1 when a drill failed.
          backup export --municipality AGS --out FILE
              One municipality's own data (cases, documents, history, agreements with their documents, statements) as a
              ZIP file encrypted for that municipality's keys only.
          backup decrypt --key FILE --in FILE --out FILE
              Decrypts an export (or any backup object) with a recipient's private key; refuses a changed or cut-off file.
          backup list --from TARGET
              The backups on a target (a configured name or a directory): id, created, size, objects.
          restore --from TARGET --key FILE [--backup ID]
              Restores the newest (or the named) backup into the configured, empty data folder or database, verifies row
              counts, the audit chain and every document's SHA-256, and refuses a partial result. Then start the app.
        """;

    /// <summary>Commands that run before the migrations (a restore needs the database empty).</summary>
    public static bool RunsBeforeMigrations(string[] args) => args is ["restore", ..];

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, Func<string, string?> single, Func<string, bool> flag, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            switch (args)
            {
                case ["backup", "keys", "create", ..]:
                    return await CreateKeyAsync(services, single, flag, stdout, stderr);
                case ["backup", "keys", "list", ..]:
                    stdout.WriteLine("key id\tkind\tmunicipality\tlabel\tcreated\trevoked");
                    foreach (var r in await services.GetRequiredService<BackupKeys>().ListAsync())
                        stdout.WriteLine(string.Join('\t', r.KeyId, r.Kind, r.MunicipalityAgs ?? "-", r.Label, Iso(r.CreatedAt), r.RevokedAt is { } at ? Iso(at) : "-"));
                    return 0;
                case ["backup", "keys", "revoke", ..]:
                    if (single("key-id") is not { } keyId) return Fail(stderr, "backup keys revoke needs --key-id ID (from 'backup keys list').", 2);
                    await services.GetRequiredService<BackupKeys>().RevokeAsync(keyId);
                    stdout.WriteLine($"Backup key {keyId} revoked: later backups are not encrypted to it.");
                    return 0;
                case ["backup", "run", ..]:
                    foreach (var r in await services.GetRequiredService<BackupRunner>().RunAsync(single("target"), flag("full")))
                        stdout.WriteLine($"Backup {r.Id} to {r.Target}: {r.Bytes:N0} bytes, {r.Rows:N0} rows, {r.Documents:N0} documents ({r.DocumentsSent:N0} sent), {r.Duration.TotalSeconds:0.0} s.");
                    return 0;
                case ["backup", "drill", ..]:
                    using (var drillKey = BackupPrivateKey.ReadFile(single("key") ?? throw new BackupException("backup drill needs --key FILE (a recipient's private key, e.g. the drill key).")))
                    {
                        var failed = 0;
                        foreach (var d in await services.GetRequiredService<BackupDrill>().RunAsync(drillKey, single("target")))
                        {
                            if (d.Ok) stdout.WriteLine($"Drill {d.Target}: backup {d.BackupId} restored and verified in {d.RecoveryTime.TotalSeconds:0.0} s (recovery time); the backup was {d.RecoveryPoint?.TotalHours:0.0} h old (recovery point).");
                            else { failed++; stderr.WriteLine($"Drill {d.Target} FAILED: {d.Problem}"); }
                        }
                        return failed == 0 ? 0 : 1;
                    }
                case ["backup", "export", ..]:
                {
                    if (single("municipality") is not { } exportAgs || single("out") is not { } exportOut)
                        return Fail(stderr, "backup export needs --municipality AGS and --out FILE.", 2);
                    if (File.Exists(exportOut)) return Fail(stderr, $"{exportOut} exists; the export is not written over it.", 1);
                    var runner = services.GetRequiredService<BackupRunner>();
                    ExportResult exported;
                    try
                    {
                        await using var file = new FileStream(exportOut, FileMode.CreateNew, FileAccess.Write);
                        exported = await services.GetRequiredService<MunicipalityExport>().WriteAsync(BackupRunner.Operator with { Ags = exportAgs }, exportAgs, file, runner.ScratchRoot);
                    }
                    catch
                    {
                        File.Delete(exportOut);
                        throw;
                    }
                    stdout.WriteLine($"Export of {exportAgs} written to {exportOut}: {exported.Cases:N0} cases, {exported.Documents:N0} files, {exported.Agreements} agreements, {exported.Statements} statements, {exported.Bytes:N0} bytes (encrypted).");
                    return 0;
                }
                case ["backup", "decrypt", ..]:
                {
                    if (single("key") is not { } decryptKey || single("in") is not { } input || single("out") is not { } decryptOut)
                        return Fail(stderr, "backup decrypt needs --key FILE, --in FILE and --out FILE.", 2);
                    if (File.Exists(decryptOut)) return Fail(stderr, $"{decryptOut} exists; it is not written over.", 1);
                    using var k = BackupPrivateKey.ReadFile(decryptKey);
                    try
                    {
                        await using var source = File.OpenRead(input);
                        await using var target = new FileStream(decryptOut, FileMode.CreateNew, FileAccess.Write);
                        await BackupCrypto.DecryptAsync(source, target, k, input);
                    }
                    catch
                    {
                        File.Delete(decryptOut); // nothing of a refused file stays
                        throw;
                    }
                    stdout.WriteLine($"{input} decrypted and verified: {decryptOut}.");
                    return 0;
                }
                case ["backup", "list", ..]:
                    var from = Target(services, single("from"));
                    stdout.WriteLine("id\tcreated\tbytes\tobjects");
                    foreach (var b in await from.ListAsync())
                        stdout.WriteLine(string.Join('\t', b.Id, Iso(b.CreatedAt), b.Bytes.ToString(CultureInfo.InvariantCulture), b.ObjectCount.ToString(CultureInfo.InvariantCulture)));
                    return 0;
                case ["restore", ..]:
                    return await RestoreAsync(services, single, stdout);
                default:
                    return Fail(stderr, $"Unknown command '{string.Join(' ', args.Take(3))}'.", 2);
            }
        }
        catch (BackupException e)
        {
            return Fail(stderr, e.Message, 1);
        }
    }

    private static async Task<int> CreateKeyAsync(IServiceProvider services, Func<string, string?> single, Func<string, bool> flag, TextWriter stdout, TextWriter stderr)
    {
        var ags = single("municipality");
        var kinds = new[] { flag("operator") ? "operator" : null, flag("drill") ? "drill" : null, ags is not null ? "municipality" : null }.OfType<string>().ToList();
        if (kinds.Count != 1) return Fail(stderr, "backup keys create needs exactly one of --operator, --drill or --municipality AGS.", 2);
        var (recipient, key) = await services.GetRequiredService<BackupKeys>().CreateAsync(kinds[0], ags, single("label"));
        using (key)
        {
            var secret = key.Export();
            if (single("out") is { } path)
            {
                var full = Path.GetFullPath(path);
                if (File.Exists(full)) return Fail(stderr, $"{full} exists; the key is not written over it.", 1);
                // Created readable by the owner only (no moment in which the umask's rights apply).
                var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows()) fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                using (var writer = new StreamWriter(full, fileOptions))
                    writer.Write($"# OpenIKZ backup key {recipient.KeyId}: {recipient.Label}\n# public: {recipient.PublicKey}\n{secret}\n");
                stdout.WriteLine($"Backup key {recipient.KeyId} ({recipient.Label}) created; the private key is in {full} (owner only).");
                return 0;
            }
            stdout.WriteLine($"Backup key {recipient.KeyId} ({recipient.Label}) created. Public key: {recipient.PublicKey}");
            stdout.WriteLine("Store the private key now, offline (e.g. printed, in a safe). It is not shown again, and without it this key restores nothing:");
            using var generator = new QRCodeGenerator();
            using var qr = generator.CreateQrCode(secret, QRCodeGenerator.ECCLevel.M);
            stdout.WriteLine(new AsciiQRCode(qr).GetGraphicSmall());
            stdout.WriteLine(secret);
            return 0;
        }
    }

    private static async Task<int> RestoreAsync(IServiceProvider services, Func<string, string?> single, TextWriter stdout)
    {
        var from = Target(services, single("from"));
        var keyFile = single("key") ?? throw new BackupException("restore needs --key FILE (a recipient's private key).");
        using var key = BackupPrivateKey.ReadFile(keyFile);
        var app = services.GetRequiredService<IOptions<OpenIkzOptions>>().Value;
        var db = services.GetRequiredService<Db>();
        var destination = new RestoreDestination(db.Kind, app.ResolvedDataDirectory, db.Kind == DatabaseKind.Postgres ? db.ConnectionString : null, app.ResolvedDocumentsDirectory);
        var runner = services.GetRequiredService<BackupRunner>();
        var result = await services.GetRequiredService<BackupRestorer>().RestoreAsync(from, key, single("backup"), destination, runner.ScratchRoot);
        if (result.Note is not null) stdout.WriteLine("Note: " + result.Note);
        stdout.WriteLine($"Backup {result.BackupId} of {Iso(result.CreatedAt)} restored and verified in {result.Duration.TotalSeconds:0.0} s: {result.Tables} tables, {result.Rows:N0} rows, "
            + $"{result.AuditEntries:N0} audit entries in an unbroken chain, {result.Documents:N0} documents with their SHA-256. The app can start on it.");
        return 0;
    }

    /// <summary>A configured target by name, or a directory holding backups.</summary>
    private static IBackupTarget Target(IServiceProvider services, string? from)
    {
        if (string.IsNullOrWhiteSpace(from)) throw new BackupException("--from needs a configured target name or a directory.");
        var targets = services.GetRequiredService<BackupTargets>();
        if (targets.All.FirstOrDefault(t => t.Name == from) is { } named) return named;
        if (System.IO.Directory.Exists(Path.Combine(from, "backups"))) return new DirectoryBackupTarget("directory", from);
        throw new BackupException($"'{from}' is neither a configured backup target nor a directory with backups.");
    }

    private static string Iso(DateTime at) => at.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static int Fail(TextWriter stderr, string message, int code)
    {
        stderr.WriteLine(message);
        return code;
    }
}
