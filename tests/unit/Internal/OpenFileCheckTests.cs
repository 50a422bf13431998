using Scheduler.Internal;
using Scheduler.Tests.Support;

namespace Scheduler.Tests.Internal;

/// <summary>Telling whether a file open here is still the one at its path.</summary>
public sealed class OpenFileCheckTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [LinuxFact("reads /proc/self/fd")]
    public void A_file_replaced_at_its_path_is_told_from_one_in_place()
    {
        var path = folder.File("jobs.db");
        File.WriteAllText(path, "old");
        using var open = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var check = new OpenFileCheck(path);

        Assert.False(check.HeldButUnlinked());
        Assert.False(check.GaveUp);

        var other = folder.File("other.db");
        File.WriteAllText(other, "new");
        File.Move(other, path, overwrite: true);

        Assert.True(check.HeldButUnlinked());
    }

    [LinuxFact("reads /proc/self/fd")]
    public void A_path_through_a_symbolic_link_cannot_be_told_and_is_not_looked_through_again()
    {
        var real = Directory.CreateDirectory(folder.File("real")).FullName;
        var linked = folder.File("linked");
        Directory.CreateSymbolicLink(linked, real);
        var path = Path.Combine(linked, "jobs.db");
        File.WriteAllText(path, "old");
        using var open = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var check = new OpenFileCheck(path);

        Assert.False(check.HeldButUnlinked());
        Assert.True(check.GaveUp);
    }
}
