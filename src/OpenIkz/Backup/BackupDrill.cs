using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Infrastructure;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Infrastructure.Jobs;

namespace OpenIkz.Backup;

public sealed record DrillResult(string Target, string? BackupId, bool Ok, string? Problem, DateTime Started, DateTime Ended, TimeSpan RecoveryTime, TimeSpan? RecoveryPoint, long Rows, int Documents);

/// <summary>
/// The restore drill (<c>backup drill</c>, and monthly by the schedule): the newest backup of each target restored into a
/// scratch location (SQLite: a scratch folder; PostgreSQL: a scratch database on the same server), verified as a real
/// restore is, and removed again. Start, end, the recovery time (how long the restore and its checks took) and the
/// recovery point (the backup's age) go into the audit log, a failure with its reason.
/// </summary>
public sealed class BackupDrill(Db db, BackupTargets targets, BackupRestorer restorer, BackupRunner runner, AuditLog audit,
    TimeProvider clock, ILogger<BackupDrill> logger)
{
    public async Task<IReadOnlyList<DrillResult>> RunAsync(BackupPrivateKey key, string? targetName = null, CancellationToken ct = default)
    {
        var chosen = targetName is null ? targets.All : [targets.Find(targetName)];
        if (chosen.Count == 0) throw new BackupException($"No backup target is configured ({BackupOptions.Section}:Targets).");
        var results = new List<DrillResult>();
        foreach (var target in chosen) results.Add(await DrillAsync(target, key, ct));
        return results;
    }

    private async Task<DrillResult> DrillAsync(IBackupTarget target, BackupPrivateKey key, CancellationToken ct)
    {
        var started = clock.GetUtcNow().UtcDateTime;
        var watch = Stopwatch.StartNew();
        var scratch = Path.Combine(runner.ScratchRoot, "drill-" + RandomNumberGenerator.GetHexString(12, lowercase: true));
        string? scratchDatabase = null;
        DrillResult result;
        try
        {
            System.IO.Directory.CreateDirectory(scratch);
            string? connection = null;
            if (db.Kind == DatabaseKind.Postgres)
            {
                scratchDatabase = "openikz_drill_" + RandomNumberGenerator.GetHexString(12, lowercase: true);
                await db.ExecuteAsync($"CREATE DATABASE {scratchDatabase}", null, ct);
                connection = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Database = scratchDatabase, Pooling = false }.ToString();
            }
            // The newest backup by name: a drill whose newest backup cannot be read fails, it does not fall back to an older one.
            var newest = await NewestAsync(target, ct) ?? throw new BackupException($"There is no backup on {target.Name}.");
            var restored = await restorer.RestoreAsync(target, key, newest.Id, new RestoreDestination(db.Kind, Path.Combine(scratch, "data"), connection), scratch, ct);
            var ended = clock.GetUtcNow().UtcDateTime;
            result = new DrillResult(target.Name, restored.BackupId, true, null, started, ended, watch.Elapsed, ended - restored.CreatedAt, restored.Rows, restored.Documents);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Any failure is a failed drill, recorded and shown (an unreachable target, a refused file, a bug): only a
            // cancelled drill (the app stopping) records nothing.
            BackupSummary? newest = null;
            try { newest = await NewestAsync(target, ct); }
            catch (Exception) when (!ct.IsCancellationRequested) { /* the target cannot even be listed: no recovery point */ }
            var ended = clock.GetUtcNow().UtcDateTime;
            result = new DrillResult(target.Name, newest?.Id, false, e is BackupException ? e.Message : $"{e.GetType().Name}: {e.Message}", started, ended, watch.Elapsed,
                newest is null ? null : ended - newest.CreatedAt, 0, 0);
        }
        finally
        {
            if (scratchDatabase is not null)
            {
                NpgsqlConnection.ClearAllPools();
                try { await db.ExecuteAsync($"DROP DATABASE IF EXISTS {scratchDatabase} WITH (FORCE)", null, CancellationToken.None); }
                catch (NpgsqlException e) { logger.LogWarning("The drill's scratch database {Database} could not be dropped: {Message}", scratchDatabase, e.Message); }
            }
            try { if (System.IO.Directory.Exists(scratch)) System.IO.Directory.Delete(scratch, recursive: true); }
            catch (IOException e) { logger.LogWarning("The drill's scratch folder could not be removed: {Message}", e.Message); }
        }
        await db.InTransactionAsync((c, tx) => audit.AppendAsync(c, tx, BackupRunner.Operator, new AuditEntry(result.Ok ? "backup.drill" : "backup.drill.failed", null, null, null,
            JsonSerializer.Serialize(new BackupStatus.DrillDetail(result.Target, result.BackupId, result.Started, result.Ended, Math.Round(result.RecoveryTime.TotalSeconds, 1),
                result.RecoveryPoint is { } p ? Math.Round(p.TotalHours, 2) : null, result.Rows, result.Documents, result.Problem), BackupStatus.DetailJson))), ct);
        if (result.Ok) logger.LogInformation("Restore drill of {Target}: backup {Id} restored and verified in {Seconds:0.0} s", result.Target, result.BackupId, result.RecoveryTime.TotalSeconds);
        else logger.LogWarning("Restore drill of {Target} failed", result.Target);
        return result;
    }

    private static async Task<BackupSummary?> NewestAsync(IBackupTarget target, CancellationToken ct)
    {
        try { return (await target.ListAsync(ct)).LastOrDefault(); }
        catch (BackupException) { return null; }
    }
}

/// <summary>What the administrators' page shows per target: the newest backup, its age and size, the last drill.</summary>
public sealed record TargetStatus(string Target, BackupSummary? Newest, TimeSpan? Age, bool TooOld, string? ListProblem, BackupStatus.DrillDetail? LastDrill, bool LastDrillFailed, int Backups);

public sealed class BackupStatus(Db db, BackupTargets targets, IOptions<BackupOptions> options, TimeProvider clock)
{
    public static readonly JsonSerializerOptions DetailJson = new(JsonSerializerDefaults.Web);

    public sealed record DrillDetail(string Target, string? Backup, DateTime Started, DateTime Ended, double Seconds, double? AgeHours, long Rows, int Documents, string? Problem);

    public async Task<IReadOnlyList<TargetStatus>> TargetsAsync(CancellationToken ct = default)
    {
        var drills = new Dictionary<string, (DrillDetail Detail, bool Failed)>(StringComparer.Ordinal);
        var rows = await db.QueryAsync<(string Action, string? Detail)>(
            "SELECT action, detail FROM audit_log WHERE action IN ('backup.drill', 'backup.drill.failed') ORDER BY seq DESC LIMIT 500", null, ct);
        foreach (var (action, detail) in rows)
        {
            if (detail is null) continue;
            DrillDetail? d;
            try { d = JsonSerializer.Deserialize<DrillDetail>(detail, DetailJson); }
            catch (JsonException) { continue; }
            if (d is not null && !drills.ContainsKey(d.Target)) drills[d.Target] = (d, action == "backup.drill.failed");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var list = new List<TargetStatus>();
        foreach (var target in targets.All)
        {
            BackupSummary? newest = null;
            string? problem = null;
            var count = 0;
            try
            {
                var all = await target.ListAsync(ct);
                newest = all.LastOrDefault();
                count = all.Count;
            }
            catch (Exception e) when (e is BackupException or IOException or HttpRequestException)
            {
                problem = e.Message;
            }
            var age = newest is null ? (TimeSpan?)null : now - newest.CreatedAt;
            var drill = drills.TryGetValue(target.Name, out var found) ? found : default;
            list.Add(new TargetStatus(target.Name, newest, age, age is null || age > TimeSpan.FromHours(options.Value.MaxAgeHours), problem, drill.Detail, drill.Failed, count));
        }
        return list;
    }

    /// <summary>When the last backup was recorded in the audit log (any target), or null.</summary>
    public async Task<DateTime?> LastAsync(string action, CancellationToken ct = default) =>
        await db.QuerySingleOrDefaultAsync<DateTime?>("SELECT MAX(at) FROM audit_log WHERE action = @Action", new { Action = action }, ct);
}

/// <summary>The schedule: a backup when the last one is <see cref="BackupOptions.IntervalHours"/> old (checked hourly).</summary>
public sealed class ScheduledBackup(BackupRunner runner, BackupStatus status, BackupTargets targets, IOptions<BackupOptions> options, TimeProvider clock) : IPeriodicJob
{
    public string Name => "backup";
    public TimeSpan Interval => TimeSpan.FromHours(1);

    public async Task<int> RunAsync(CancellationToken ct)
    {
        if (options.Value.IntervalHours == 0 || targets.All.Count == 0) return 0;
        if (await status.LastAsync("backup.run", ct) is { } last && clock.GetUtcNow().UtcDateTime - last < TimeSpan.FromHours(options.Value.IntervalHours)) return 0;
        return (await runner.RunAsync((string?)null, false, ct)).Count;
    }
}

/// <summary>The schedule: a restore drill when the last one is <see cref="BackupOptions.DrillIntervalDays"/> old, with the drill key (checked hourly).</summary>
public sealed class ScheduledDrill(BackupDrill drill, BackupStatus status, BackupTargets targets, IOptions<BackupOptions> options, TimeProvider clock) : IPeriodicJob
{
    public string Name => "backup-drill";
    public TimeSpan Interval => TimeSpan.FromHours(1);

    public async Task<int> RunAsync(CancellationToken ct)
    {
        if (options.Value.DrillIntervalDays == 0 || targets.All.Count == 0 || options.Value.DrillKeyFile is not { Length: > 0 } keyFile) return 0;
        var last = new[] { await status.LastAsync("backup.drill", ct), await status.LastAsync("backup.drill.failed", ct) }.Max();
        if (last is { } at && clock.GetUtcNow().UtcDateTime - at < TimeSpan.FromDays(options.Value.DrillIntervalDays)) return 0;
        using var key = BackupPrivateKey.ReadFile(keyFile);
        return (await drill.RunAsync(key, null, ct)).Count;
    }
}
