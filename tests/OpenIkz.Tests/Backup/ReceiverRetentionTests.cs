using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenIkz.Backup;
using OpenIkz.Infrastructure;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Backup;

/// <summary>The retention job on real files: what it removes from a partner's space and what it leaves.</summary>
public sealed class ReceiverRetentionTests : IDisposable
{
    private static readonly DateTime Now = new(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc);
    private readonly string _data = TestEnvironment.NewTempDirectory("retention");

    public void Dispose()
    {
        try { System.IO.Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    private sealed class FixedClock(DateTime utc) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(utc);
    }

    [Fact]
    public async Task Run_RemovesTheIndexesNotKept_ThenOldObjectsNoKeptIndexNames_AndKeepsYoungUploads()
    {
        var options = Options.Create(new BackupOptions { Receive = new BackupReceiveOptions { Enabled = true, Daily = 2, Weekly = 0, Monthly = 0 } });
        var store = new ReceiverStore(options, Options.Create(new OpenIkzOptions { DataDirectory = _data }));
        var target = store.For("partner");
        async Task<BackupObjectRef> ObjectAsync(string name, DateTime writtenUtc)
        {
            var bytes = Encoding.UTF8.GetBytes("inhalt " + name);
            await target.PutObjectAsync(name, new MemoryStream(bytes));
            File.SetLastWriteTimeUtc(Path.Combine(target.Root, "objects", name), writtenUtc);
            return ReceiverFixture.Ref(name, bytes);
        }
        // A document stored long ago and named by every backup (incremental), one object per backup, 5 daily backups.
        var shared = await ObjectAsync("shared", Now.AddDays(-30));
        var ids = new List<string>();
        for (var day = 4; day >= 0; day--)
        {
            var at = Now.AddDays(-day).Date.AddHours(9);
            var own = await ObjectAsync($"day-{day}", at);
            var index = new BackupIndex($"{at:yyyyMMdd}t090000z-0000000{day}", at, [shared, own]);
            await target.CommitAsync(index);
            ids.Add(index.Id);
        }
        // An upload in progress (no index yet) and a stale one from an upload that never committed.
        await ObjectAsync("in-progress", Now.AddHours(-1));
        await ObjectAsync("abandoned", Now.AddDays(-3));
        System.IO.Directory.CreateDirectory(Path.Combine(target.Root, "tmp"));
        var cutOff = Path.Combine(target.Root, "tmp", "cut-off");
        await File.WriteAllTextAsync(cutOff, "halb");
        File.SetLastWriteTimeUtc(cutOff, Now.AddDays(-2));

        var job = new ReceiverRetention(store, options, new FixedClock(Now), NullLogger<ReceiverRetention>.Instance);
        var removed = await job.RunAsync(CancellationToken.None);

        // Two days kept (2 and 3 December); three indexes, their three own objects, the abandoned object and the cut-off upload removed.
        Assert.Equal(ids[^2..], (await target.ListAsync()).Select(b => b.Id));
        Assert.Equal(["day-0", "day-1", "in-progress", "shared"], System.IO.Directory.EnumerateFiles(Path.Combine(target.Root, "objects")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(System.IO.Directory.EnumerateFiles(Path.Combine(target.Root, "tmp")));
        Assert.Equal(3 + 3 + 1 + 1, removed);
        // Again: nothing more to do.
        Assert.Equal(0, await job.RunAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Run_WhenAnIndexCannotBeRead_RemovesNoObjects()
    {
        var options = Options.Create(new BackupOptions { Receive = new BackupReceiveOptions { Enabled = true, Daily = 1, Weekly = 0, Monthly = 0 } });
        var store = new ReceiverStore(options, Options.Create(new OpenIkzOptions { DataDirectory = _data }));
        var target = store.For("partner");
        await target.PutObjectAsync("orphan", new MemoryStream([1, 2, 3]));
        File.SetLastWriteTimeUtc(Path.Combine(target.Root, "objects", "orphan"), Now.AddDays(-10));
        await File.WriteAllTextAsync(Path.Combine(target.Root, "backups", "20261101t000000z-broken.json"), "{ kaputt");

        await new ReceiverRetention(store, options, new FixedClock(Now), NullLogger<ReceiverRetention>.Instance).RunAsync(CancellationToken.None);

        Assert.True(File.Exists(Path.Combine(target.Root, "objects", "orphan")));
        Assert.True(File.Exists(Path.Combine(target.Root, "backups", "20261101t000000z-broken.json")));
    }

    [Fact]
    public async Task Run_WhenAKeptIndexIsDamagedInsideItsObjectList_RemovesNothing()
    {
        // Daily 1: only the newest of the day would be kept and the older one removed. The newest is listed (its
        // beginning is whole) but cannot be read: removing the older, intact one would leave the day without a backup.
        var options = Options.Create(new BackupOptions { Receive = new BackupReceiveOptions { Enabled = true, Daily = 1, Weekly = 0, Monthly = 0 } });
        var store = new ReceiverStore(options, Options.Create(new OpenIkzOptions { DataDirectory = _data }));
        var target = store.For("partner");
        var bytes = Encoding.UTF8.GetBytes("inhalt");
        await target.PutObjectAsync("object", new MemoryStream(bytes));
        var older = new BackupIndex("20261203t080000z-00000001", Now.AddHours(-4), [ReceiverFixture.Ref("object", bytes)]);
        var newer = new BackupIndex("20261203t090000z-00000002", Now.AddHours(-3), [ReceiverFixture.Ref("object", bytes)]);
        await target.CommitAsync(older);
        await target.CommitAsync(newer);
        var path = Path.Combine(target.Root, "backups", newer.Id + ".json");
        var text = await File.ReadAllTextAsync(path);
        var objects = text.IndexOf("\"objects\"", StringComparison.Ordinal);
        await File.WriteAllTextAsync(path, text[..objects] + text[objects..].Replace("\"name\"", "\"name\" kaputt"));
        Assert.Equal([older.Id, newer.Id], (await target.ListAsync()).Select(b => b.Id));

        Assert.Equal(0, await new ReceiverRetention(store, options, new FixedClock(Now), NullLogger<ReceiverRetention>.Instance).RunAsync(CancellationToken.None));
        Assert.True(File.Exists(Path.Combine(target.Root, "backups", older.Id + ".json")));
        Assert.True(File.Exists(Path.Combine(target.Root, "objects", "object")));
    }
}
