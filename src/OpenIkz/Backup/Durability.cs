using System.Runtime.InteropServices;

namespace OpenIkz.Backup;

/// <summary>
/// Makes many written files durable at once. A backup or restore writes up to hundreds of thousands of files; an
/// fsync per file costs a journal commit each (on this project's test machine about 4 ms, so 100,000 documents would
/// spend minutes waiting for the disk). On Linux the files are written without their own fsync and the whole file
/// system is flushed once with <c>syncfs(2)</c> before the step that makes them count (the backup's index, the restored
/// database moved into place). Elsewhere every file is flushed as it is written.
/// </summary>
internal static class Durability
{
    /// <summary>Whether <see cref="FlushFileSystem"/> makes every earlier write on the file system durable.</summary>
    public static bool FlushesWholeFileSystem { get; } = OperatingSystem.IsLinux();

    /// <summary>Flushes the file system that holds the file <paramref name="path"/>. Throws on an I/O error.</summary>
    public static void FlushFileSystem(string path)
    {
        if (!FlushesWholeFileSystem) return;
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        if (SyncFs((int)handle.DangerousGetHandle()) != 0)
            throw new IOException($"The file system of {path} could not be flushed (errno {Marshal.GetLastPInvokeError()}).");
    }

    /// <summary>Whether a single file must be flushed as it is written (where the file system cannot be flushed at once).</summary>
    public static bool FlushEachFile => !FlushesWholeFileSystem;

    [DllImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static extern int SyncFs(int fd);
}
