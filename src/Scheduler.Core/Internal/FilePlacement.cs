using System.Runtime.InteropServices;

namespace Scheduler.Internal;

/// <summary>
/// Gives a finished file its name only if no file has that name yet, in one atomic step: of several
/// processes placing a file under one name at once, exactly one succeeds, and the others find its file.
/// </summary>
/// <remarks>
/// <c>File.Move</c> does not do that on Unix: it checks that the target is missing, then renames, and a
/// rename replaces a file that appeared in between. Two placers could both succeed, the second silently
/// replacing the first one's file and whatever had been written to it meanwhile (a store's first jobs).
/// A hard link fails when the name is taken. On Windows a move that does not replace is one call already.
/// </remarks>
internal static class FilePlacement
{
    // EEXIST, the same number on Linux and macOS.
    private const int NameTaken = 17;

    /// <summary>
    /// Gives <paramref name="source"/> the name <paramref name="target"/> unless a file already has it
    /// (false). On Unix the source keeps its own name as well: remove it afterwards.
    /// </summary>
    public static bool TryPlace(string source, string target)
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && TryLink(source, target) is { } linked)
        {
            return linked;
        }

        // Windows; or no hard links on this file system (some network and FAT ones), or no C library
        // found to make one: the move, whose only window on Unix is between its check and its rename.
        try
        {
            File.Move(source, target);
            return true;
        }
        catch (IOException) when (File.Exists(target))
        {
            return false;
        }
    }

    /// <summary>True: linked; false: the name is taken; null: no hard link could be made here.</summary>
    private static bool? TryLink(string source, string target)
    {
        try
        {
            if (NativeMethods.link(PathBytes(source), PathBytes(target)) == 0)
            {
                return true;
            }
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }

        return Marshal.GetLastWin32Error() == NameTaken ? false : null;
    }

    // The C library takes paths as NUL-terminated UTF-8 (the netstandard2.0 build has no marshaling to UTF-8).
    private static byte[] PathBytes(string path) => System.Text.Encoding.UTF8.GetBytes(path + "\0");

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SA1300, IDE1006 // The C library's name.
        internal static extern int link(byte[] existing, byte[] created);
#pragma warning restore SA1300, IDE1006
    }
}
