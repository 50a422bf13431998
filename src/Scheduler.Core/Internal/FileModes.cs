#if !NET
using System.Reflection;
using System.Runtime.InteropServices;
#endif

namespace Scheduler.Internal;

/// <summary>
/// Unix permission bits of files and folders. A job store holds job definitions in clear text
/// (commands, arguments, environment values), so it is made readable by its owner only, whatever the
/// umask; on Windows the per-user folders are private already and nothing is changed.
/// </summary>
/// <remarks>
/// The netstandard2.0 build (the PowerShell module) cannot name <c>File.SetUnixFileMode</c>, which
/// .NET 7 added; PowerShell 7 on Unix runs on a runtime that has it, so that build finds it by reflection.
/// </remarks>
internal static class FileModes
{
    /// <summary>rw------- (0600).</summary>
    public const int OwnerReadWrite = 0x180;

    /// <summary>rwx------ (0700).</summary>
    public const int OwnerOnlyFolder = 0x1C0;

#if !NET
    private static readonly MethodInfo? GetMode = typeof(File).GetMethod("GetUnixFileMode", [typeof(string)]);
    private static readonly MethodInfo? SetMode = GetMode is null ? null : typeof(File).GetMethod("SetUnixFileMode", [typeof(string), GetMode.ReturnType]);
#endif

    /// <summary>Whether the permission bits can be read and set here (Unix, on a runtime that can).</summary>
    public static bool Supported
    {
        get
        {
#if NET
            return !OperatingSystem.IsWindows();
#else
            return SetMode is not null && !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
#endif
        }
    }

    /// <summary>The permission bits of a file or folder, or null where they are not <see cref="Supported"/>.</summary>
    public static int? Get(string path)
    {
#if NET
        return OperatingSystem.IsWindows() ? null : (int)File.GetUnixFileMode(path);
#else
        return Supported ? Convert.ToInt32(Invoke(GetMode!, [path]), System.Globalization.CultureInfo.InvariantCulture) : null;
#endif
    }

    /// <summary>Sets the permission bits of a file or folder; does nothing where they are not <see cref="Supported"/>.</summary>
    public static void Set(string path, int mode)
    {
#if NET
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)mode);
        }
#else
        if (Supported)
        {
            Invoke(SetMode!, [path, Enum.ToObject(GetMode!.ReturnType, mode)]);
        }
#endif
    }

    /// <summary>Creates a folder (not its parents) with these permission bits where they are <see cref="Supported"/>.</summary>
    public static void CreateFolder(string path, int mode)
    {
#if NET
        if (!OperatingSystem.IsWindows())
        {
            // Made with its mode (less the umask), so it is never open to others even for a moment.
            Directory.CreateDirectory(path, (UnixFileMode)mode);
            return;
        }

        Directory.CreateDirectory(path);
#else
        // Empty until its mode is set: nothing of the store can be read in it before.
        Directory.CreateDirectory(path);
        Set(path, mode);
#endif
    }

#if !NET
    private static object? Invoke(MethodInfo method, object[] arguments)
    {
        try
        {
            return method.Invoke(null, arguments);
        }
        catch (TargetInvocationException error) when (error.InnerException is { } inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(inner).Throw();
            throw;
        }
    }
#endif
}
