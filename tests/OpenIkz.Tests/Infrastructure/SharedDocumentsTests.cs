using Microsoft.Extensions.Options;
using OpenIkz.Infrastructure;
using OpenIkz.Infrastructure.Files;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>
/// <c>OpenIkz:DocumentsDirectory</c>: instances with their own data folders and one documents folder they all reach
/// (a shared mount) see each other's documents; without the setting the documents stay in the instance's data folder.
/// </summary>
public sealed class SharedDocumentsTests
{
    private static FileSystemFileStore Store(string data, string? documents) =>
        new(Options.Create(new OpenIkzOptions { DataDirectory = data, DocumentsDirectory = documents }));

    [Fact]
    public async Task TwoInstances_WithOneDocumentsFolder_ReadWhatTheOtherStored_AndDeleteIt()
    {
        var shared = TestEnvironment.NewTempDirectory("shared-documents");
        var first = Store(TestEnvironment.NewTempDirectory("instance-1"), shared);
        var second = Store(TestEnvironment.NewTempDirectory("instance-2"), shared);
        var content = "%PDF-1.7\nNachweis über die Zulassung"u8.ToArray();

        var sha = await first.SaveAsync(content);
        Assert.True(File.Exists(Path.Combine(shared, sha[..2], sha[2..4], sha)));
        Assert.True(second.Exists(sha));
        await using (var read = second.OpenRead(sha)!)
        {
            var copy = new MemoryStream();
            await read.CopyToAsync(copy);
            Assert.Equal(content, copy.ToArray());
        }
        Assert.Contains(sha, second.List().Select(f => f.Sha256));
        second.Delete(sha);
        Assert.False(first.Exists(sha));
    }

    [Fact]
    public async Task WithoutTheSetting_DocumentsStayInTheDataFolder_AndAnotherInstanceDoesNotSeeThem()
    {
        var data = TestEnvironment.NewTempDirectory("instance-own");
        var own = Store(data, null);
        var sha = await own.SaveAsync("eigener Bescheid"u8.ToArray());
        Assert.True(File.Exists(Path.Combine(data, "documents", sha[..2], sha[2..4], sha)));
        Assert.False(Store(TestEnvironment.NewTempDirectory("instance-other"), null).Exists(sha));
        Assert.Equal(Path.Combine(Path.GetFullPath(data), "documents"), new OpenIkzOptions { DataDirectory = data }.ResolvedDocumentsDirectory);
    }
}
