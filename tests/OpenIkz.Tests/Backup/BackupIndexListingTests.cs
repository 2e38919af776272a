using System.Text;
using System.Text.Json;
using OpenIkz.Backup;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Backup;

/// <summary>
/// The listing of a directory target reads only the beginning of each index (an index of 100,000 documents is about
/// 17 MB): size and object count are written ahead of the object list. Older indexes without them are read whole.
/// </summary>
public sealed class BackupIndexListingTests
{
    private static async Task<(DirectoryBackupTarget Target, BackupIndex Index)> CommittedAsync(int objects)
    {
        var target = new DirectoryBackupTarget("listing", TestEnvironment.NewTempDirectory("backup-listing"));
        var refs = new List<BackupObjectRef>();
        for (var i = 0; i < objects; i++)
        {
            var name = BackupStreams.NewObjectName();
            var bytes = Encoding.UTF8.GetBytes($"verschlüsseltes Objekt {i}");
            await target.PutObjectAsync(name, new MemoryStream(bytes));
            refs.Add(new BackupObjectRef(name, bytes.Length, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))));
        }
        var createdAt = new DateTime(2026, 12, 4, 18, 30, 15, 123, DateTimeKind.Utc);
        var index = new BackupIndex("20261204t183015123z-0a1b2c3d", createdAt, refs);
        await target.CommitAsync(index);
        return (target, index);
    }

    private static string IndexFile(DirectoryBackupTarget target, string id) => Path.Combine(target.Root, DirectoryBackupTarget.BackupsFolder, id + ".json");

    [Fact]
    public async Task CommittedIndex_HasItsSummaryAheadOfTheObjects_AndListsAsItsSummary()
    {
        var (target, index) = await CommittedAsync(3);
        var text = await File.ReadAllTextAsync(IndexFile(target, index.Id));
        var objects = text.IndexOf("\"objects\"", StringComparison.Ordinal);
        foreach (var field in new[] { "\"id\"", "\"createdAt\"", "\"bytes\"", "\"objectCount\"" })
            Assert.InRange(text.IndexOf(field, StringComparison.Ordinal), 0, objects);

        Assert.Equal(new BackupSummary(index.Id, index.CreatedAt, 3, index.Bytes), DirectoryBackupTarget.ReadSummary(IndexFile(target, index.Id)));
        Assert.Equal(index.Summary, Assert.Single(await target.ListAsync()));
        var read = await target.GetIndexAsync(index.Id);
        Assert.Equal(index.Objects, read.Objects);
    }

    [Fact]
    public async Task IndexWithADamagedObjectList_IsListedFromItsBeginning_ButCannotBeRead()
    {
        var (target, index) = await CommittedAsync(200); // about 34 KB: the damage lies far behind the first 4 KB
        var path = IndexFile(target, index.Id);
        var bytes = await File.ReadAllBytesAsync(path);
        Assert.True(bytes.Length > 16_384);
        var middle = Array.IndexOf(bytes, (byte)'{', bytes.Length / 2);
        bytes[middle] = (byte)'#'; // no JSON any more, but whole: its end is still there
        await File.WriteAllBytesAsync(path, bytes);

        Assert.Equal(index.Summary, Assert.Single(await target.ListAsync()));
        var refused = await Assert.ThrowsAsync<BackupException>(() => target.GetIndexAsync(index.Id));
        Assert.Contains("cannot be read", refused.Message);
        var absent = await Assert.ThrowsAsync<BackupException>(() => target.GetIndexAsync("20200101t000000000z-00000000"));
        Assert.Contains("no backup", absent.Message);
    }

    [Fact]
    public async Task IndexCutOff_IsNotListed()
    {
        var (target, index) = await CommittedAsync(200);
        var path = IndexFile(target, index.Id);
        var bytes = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length / 2)]);
        Assert.Null(DirectoryBackupTarget.ReadSummary(path));
        Assert.Empty(await target.ListAsync());
    }

    [Fact]
    public async Task IndexFile_HoldsNoSummaryObject()
    {
        var (target, index) = await CommittedAsync(1);
        Assert.DoesNotContain("\"summary\"", await File.ReadAllTextAsync(IndexFile(target, index.Id)));
    }

    [Fact]
    public async Task IndexWrittenWithTheObjectsFirst_IsReadWhole_WithTheRightCountAndSize()
    {
        var (target, index) = await CommittedAsync(2);
        // The order of the first format: id, createdAt, objects, bytes (no object count).
        var old = JsonSerializer.Serialize(new { id = index.Id, createdAt = index.CreatedAt, objects = index.Objects, bytes = index.Bytes }, BackupNames.Json);
        await File.WriteAllTextAsync(IndexFile(target, index.Id), old);

        Assert.Null(DirectoryBackupTarget.ReadSummary(IndexFile(target, index.Id)));
        Assert.Equal(new BackupSummary(index.Id, index.CreatedAt, 2, index.Bytes), Assert.Single(await target.ListAsync()));
    }

    [Fact]
    public async Task IndexUnderAnotherName_OrNoJson_IsNotListed()
    {
        var (target, index) = await CommittedAsync(1);
        File.Move(IndexFile(target, index.Id), IndexFile(target, "20261204t183015123z-ffffffff"));
        await File.WriteAllTextAsync(IndexFile(target, "20261204t190000000z-00000001"), "kein JSON");
        Assert.Empty(await target.ListAsync());
    }
}
