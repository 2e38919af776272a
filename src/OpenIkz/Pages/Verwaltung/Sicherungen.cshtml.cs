using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Backup;
using OpenIkz.Directory.Municipalities;
using QRCoder;

namespace OpenIkz.Pages.Verwaltung;

/// <summary>
/// The partner backups for administrators: per target the newest backup, its age and size, the last restore drill with
/// its recovery time and recovery point, warnings when a backup is older than its limit or a drill failed; and the
/// backup keys of the own municipality, with a new key shown once (text and QR code) and never stored. The folder's
/// policy admits only the Administration.
/// </summary>
public sealed class SicherungenModel(BackupStatus status, BackupKeys keys, MunicipalityQueries municipalities, Microsoft.Extensions.Options.IOptions<BackupOptions> options,
    MunicipalityExport export, BackupRunner runner) : PageModel
{
    public IReadOnlyList<TargetStatus> Targets { get; private set; } = [];
    public IReadOnlyList<BackupRecipient> Keys { get; private set; } = [];
    public string MunicipalityName { get; private set; } = "";
    public int MaxAgeHours => options.Value.MaxAgeHours;

    /// <summary>Why the export was refused (shown next to its button).</summary>
    public string? ExportError { get; private set; }

    /// <summary>A key just created: shown in this answer only.</summary>
    public BackupRecipient? Created { get; private set; }
    public string? CreatedSecret { get; private set; }
    public string? CreatedQrPngBase64 { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (User.MunicipalityAgs() is not { } ags) return Forbid();
        await LoadAsync(ags, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostCreateKeyAsync(CancellationToken ct)
    {
        if (User.MunicipalityAgs() is not { } ags || OpenIkz.Common.Actor.From(User) is not { } actor) return Forbid();
        var (recipient, key) = await keys.CreateAsync("municipality", ags, null, actor, ct);
        using (key)
        {
            Created = recipient;
            CreatedSecret = key.Export();
            using var generator = new QRCodeGenerator();
            using var data = generator.CreateQrCode(CreatedSecret, QRCodeGenerator.ECCLevel.M);
            CreatedQrPngBase64 = Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(6));
        }
        await LoadAsync(ags, ct);
        return Page();
    }

    /// <summary>The municipality's own data as one file encrypted for its keys (a download; the file is removed once sent).</summary>
    public async Task<IActionResult> OnPostExportAsync(CancellationToken ct)
    {
        if (User.MunicipalityAgs() is not { } ags || OpenIkz.Common.Actor.From(User) is not { } actor) return Forbid();
        System.IO.Directory.CreateDirectory(runner.ScratchRoot);
        var path = Path.Combine(runner.ScratchRoot, "download-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                await export.WriteAsync(actor, ags, file, runner.ScratchRoot, ct);
        }
        catch (BackupException e)
        {
            System.IO.File.Delete(path);
            ExportError = e.Message;
            await LoadAsync(ags, ct);
            return Page();
        }
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        return File(stream, "application/octet-stream", $"openikz-ausfuhr-{ags}-{DateTime.UtcNow:yyyy-MM-dd}.oikz");
    }

    private async Task LoadAsync(string ags, CancellationToken ct)
    {
        MunicipalityName = (await municipalities.FindAsync(ags, ct))?.Name ?? ags;
        Targets = await status.TargetsAsync(ct);
        Keys = (await keys.ListAsync(ct)).Where(k => k.MunicipalityAgs == ags).ToList();
    }

    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GB".Replace('.', ','),
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MB".Replace('.', ','),
        >= 1L << 10 => $"{bytes / (double)(1L << 10):0} KB",
        _ => $"{bytes} Byte",
    };

    public static string Duration(TimeSpan t) =>
        t.TotalMinutes < 1 ? $"{t.TotalSeconds:0.0} s".Replace('.', ',')
        : t.TotalHours < 1 ? $"{(int)t.TotalMinutes} min {t.Seconds} s"
        : t.TotalDays < 2 ? $"{(int)t.TotalHours} h {t.Minutes} min"
        : $"{(int)t.TotalDays} Tage";
}
