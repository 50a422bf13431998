using System.Runtime.InteropServices;
using System.Text;

namespace Scheduler.Internal;

/// <summary>
/// Tells whether the file this process opened at a path is still the file at that path. A file
/// replaced under an open handle (<c>mv backup.db jobs.db</c>, or deleted and created anew) leaves
/// the handle on the old file, which nothing else reaches: a path check alone sees a file there and
/// cannot tell. Linux shows an open file whose name was unlinked as <c>PATH (deleted)</c> in
/// <c>/proc/self/fd</c>; elsewhere nothing can be told and the check says so.
/// </summary>
/// <remarks>
/// The descriptors found on the file are remembered, so a check reads those links, not every
/// descriptor of the process, until one of them no longer names the file.
/// </remarks>
internal sealed class OpenFileCheck
{
    private const string DescriptorFolder = "/proc/self/fd";

    private readonly string path;
    private readonly byte[] inPlace;
    private readonly byte[] unlinked;
    private readonly byte[] buffer;
    private List<string> descriptors = [];

    // Set once a look through every descriptor found none naming the path while the file is open here: a
    // path through a symbolic link (the links name the file by its real path) cannot be told this way,
    // and reading every descriptor at each check would cost the idle scheduler what it is meant to save.
    private bool cannotTell;

    public OpenFileCheck(string path)
    {
        this.path = path;
        inPlace = Encoding.UTF8.GetBytes(path);
        unlinked = Encoding.UTF8.GetBytes(path + " (deleted)");
        buffer = new byte[unlinked.Length + 1];
    }

    /// <summary>Whether a look through every descriptor found none naming the path, so that checks give false from then on.</summary>
    internal bool GaveUp => cannotTell;

    /// <summary>Whether checks can be made here (Linux, with /proc).</summary>
    public static bool IsAvailable { get; } = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && Directory.Exists(DescriptorFolder);

    /// <summary>Whether the file open here is at its path, gone from it, or replaced there (a replacement told on Linux only).</summary>
    public OpenFileState State()
        => !File.Exists(path) ? OpenFileState.Missing
            : HeldButUnlinked() ? OpenFileState.Replaced
            : OpenFileState.InPlace;

    /// <summary>
    /// True when this process holds the file that was at the path open and that file is no longer
    /// there (deleted or replaced); false when what it holds is the file at the path, or checks cannot
    /// be made here. Ask it only while the file is open in this process: a first look that finds no
    /// descriptor of it gives up for good.
    /// </summary>
    public bool HeldButUnlinked()
    {
        if (!IsAvailable || cannotTell)
        {
            return false;
        }

        if (descriptors.Count > 0 && Check(descriptors, remember: null) is { } known)
        {
            return known;
        }

        var found = new List<string>();
        bool? unlinkedHeld = null;
        try
        {
            unlinkedHeld = Check(Directory.EnumerateFileSystemEntries(DescriptorFolder), found);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
        }

        descriptors = found;
        cannotTell = unlinkedHeld is null;
        return unlinkedHeld ?? false;
    }

    /// <summary>
    /// Reads the descriptors' links: true when one names the file unlinked, false when one names it in
    /// place (and none unlinked), null when none names it. Found ones are added to <paramref name="remember"/>.
    /// </summary>
    private bool? Check(IEnumerable<string> links, List<string>? remember)
    {
        bool? result = null;
        foreach (var link in links)
        {
            var length = ReadLink(link);
            if (Matches(unlinked, length))
            {
                remember?.Add(link);
                return true;
            }

            if (Matches(inPlace, length))
            {
                remember?.Add(link);
                result = false;
            }
        }

        return result;
    }

    private int ReadLink(string link)
    {
        try
        {
            return (int)NativeMethods.readlink(Encoding.UTF8.GetBytes(link + "\0"), buffer, buffer.Length);
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            return -1;
        }
    }

    private bool Matches(byte[] expected, int length)
    {
        if (length != expected.Length)
        {
            return false;
        }

        for (var i = 0; i < length; i++)
        {
            if (buffer[i] != expected[i])
            {
                return false;
            }
        }

        return true;
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = false)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SA1300, IDE1006 // The C library's name.
        internal static extern nint readlink(byte[] path, byte[] buffer, nint size);
#pragma warning restore SA1300, IDE1006
    }
}

/// <summary>Where a file open in this process is, as <see cref="OpenFileCheck.State"/> finds it.</summary>
internal enum OpenFileState
{
    /// <summary>At its path.</summary>
    InPlace,

    /// <summary>Deleted or moved away.</summary>
    Missing,

    /// <summary>Another file is at its path.</summary>
    Replaced,
}
