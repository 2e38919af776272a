namespace OpenIkz.Backup;

/// <summary>
/// <c>OpenIkz:Backup</c>: where backups go, how often they and the restore drills run, and (for an instance that holds
/// partners' backups) the receiver.
/// </summary>
public sealed class BackupOptions
{
    public const string Section = "OpenIkz:Backup";

    /// <summary>The targets each backup is written to.</summary>
    public List<BackupTargetOptions> Targets { get; set; } = [];

    /// <summary>Hours between scheduled backups (0: only by the command line).</summary>
    public int IntervalHours { get; set; } = 24;

    /// <summary>Days between scheduled restore drills (0: only by the command line).</summary>
    public int DrillIntervalDays { get; set; } = 30;

    /// <summary>
    /// The private key the scheduled drills restore with (a key of kind "drill", <c>backup keys create --drill --out FILE</c>);
    /// without it drills run only by the command line. It reads only this instance's own backups.
    /// </summary>
    public string? DrillKeyFile { get; set; }

    /// <summary>A target whose newest backup is older than this is marked on the administrators' page.</summary>
    public int MaxAgeHours { get; set; } = 26;

    /// <summary>Where backups and drills keep their scratch copies (default: DATA/backup-scratch).</summary>
    public string? ScratchDirectory { get; set; }

    /// <summary>The PostgreSQL tools (pg_dump, pg_restore) when they are not on the PATH.</summary>
    public string? PostgresBin { get; set; }

    /// <summary>Receiver mode: this instance stores partners' encrypted backups (append-only; retention applied here).</summary>
    public BackupReceiveOptions Receive { get; set; } = new();

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (IntervalHours is < 0 or > 24 * 31) errors.Add($"{Section}:IntervalHours must be between 0 and 744.");
        if (DrillIntervalDays is < 0 or > 366) errors.Add($"{Section}:DrillIntervalDays must be between 0 and 366.");
        if (MaxAgeHours is < 1 or > 24 * 366) errors.Add($"{Section}:MaxAgeHours must be between 1 and 8784.");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Targets.Count; i++)
        {
            var t = Targets[i];
            var at = $"{Section}:Targets:{i}";
            if (!BackupNames.IsValid(t.Name)) errors.Add($"{at}:Name must be a-z, 0-9 and '-' (at most 100 characters).");
            else if (!names.Add(t.Name!)) errors.Add($"{at}:Name '{t.Name}' is used twice.");
            var hasDirectory = !string.IsNullOrWhiteSpace(t.Directory);
            var hasUrl = !string.IsNullOrWhiteSpace(t.Url);
            if (hasDirectory == hasUrl) errors.Add($"{at} needs either Directory or Url (a receiver instance), not both.");
            if (hasUrl)
            {
                if (!Uri.TryCreate(t.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && !uri.IsLoopback))
                    errors.Add($"{at}:Url must be an https:// address (http only to this machine).");
                if (string.IsNullOrWhiteSpace(t.Token)) errors.Add($"{at}:Token is required for a receiver (the partner token it issued).");
            }
        }
        if (Receive.Enabled && Receive is { Daily: < 1 or > 366 } or { Weekly: < 0 or > 520 } or { Monthly: < 0 or > 1200 })
            errors.Add($"{Section}:Receive: Daily 1–366, Weekly 0–520, Monthly 0–1200.");
        if (Receive.MaxObjectMegabytes is < 1 or > 1024 * 1024) errors.Add($"{Section}:Receive:MaxObjectMegabytes must be between 1 and 1048576.");
        return errors;
    }
}

public sealed class BackupTargetOptions
{
    /// <summary>The target's name (a-z, 0-9, '-'), e.g. "frankenthal".</summary>
    public string? Name { get; set; }

    /// <summary>A directory target, e.g. a partner's mounted share.</summary>
    public string? Directory { get; set; }

    /// <summary>A receiver instance: its base address (https://…) and the partner token it issued for this instance.</summary>
    public string? Url { get; set; }
    public string? Token { get; set; }
}

public sealed class BackupReceiveOptions
{
    public bool Enabled { get; set; }

    /// <summary>Where the partners' backups are stored (default: DATA/backup-received).</summary>
    public string? Directory { get; set; }

    /// <summary>Retention per partner: the newest backup of each of the last Daily days, Weekly weeks and Monthly months is kept.</summary>
    public int Daily { get; set; } = 7;
    public int Weekly { get; set; } = 4;
    public int Monthly { get; set; } = 12;

    /// <summary>The largest object a partner may upload (its own request body limit, above OpenIkz:MaxRequestBodyBytes).</summary>
    public int MaxObjectMegabytes { get; set; } = 4096;

    public long MaxObjectBytes => MaxObjectMegabytes * 1024L * 1024L;
}
