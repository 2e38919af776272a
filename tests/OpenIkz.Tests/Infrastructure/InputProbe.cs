using Dapper;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>What a refused request must not leave behind: rows in any table, files in the data directory (the data-protection keys aside).</summary>
public sealed record InputSnapshot(IReadOnlyDictionary<string, long> Rows, IReadOnlySet<string> Files)
{
    public static async Task<InputSnapshot> TakeAsync(OpenIkzApp app)
    {
        var db = app.Db;
        var tables = (await db.QueryAsync<string>(db.Kind == DatabaseKind.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name")).ToList();
        tables.Remove("data_protection_keys"); // like DATA/keys: a key Data Protection makes when it needs one is no stored input
        var sql = "SELECT " + string.Join(", ", tables.Select((t, i) => $"(SELECT COUNT(*) FROM \"{t}\") AS c{i}"));
        await using var c = await db.OpenAsync();
        var row = (IDictionary<string, object>)await c.QuerySingleAsync(sql);
        var rows = tables.Select((t, i) => (t, Convert.ToInt64(row[$"c{i}"], System.Globalization.CultureInfo.InvariantCulture))).ToDictionary(x => x.t, x => x.Item2);
        var files = System.IO.Directory.EnumerateFiles(app.DataDirectory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(app.DataDirectory, f))
            .Where(f => !Path.GetFileName(f).StartsWith("openikz.db", StringComparison.Ordinal) && !f.StartsWith("keys", StringComparison.Ordinal))
            .ToHashSet();
        return new InputSnapshot(rows, files);
    }

    /// <summary>The differences to a later snapshot, empty when nothing was added, changed in count or written.</summary>
    public IReadOnlyList<string> Diff(InputSnapshot after) =>
        after.Rows.Where(r => Rows.GetValueOrDefault(r.Key) != r.Value).Select(r => $"{r.Key}: {Rows.GetValueOrDefault(r.Key)} → {r.Value} rows")
            .Concat(after.Files.Except(Files).Select(f => "new file " + f))
            .ToList();
}
