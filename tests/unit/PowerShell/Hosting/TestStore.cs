namespace Scheduler.PowerShell.Tests.Hosting;

/// <summary>
/// A job store file of its own for one test, in a fresh temporary folder: tests never touch the per-user
/// store or each other's jobs. Disposing stops a scheduler the test left running in the session and
/// deletes the folder.
/// </summary>
public sealed class TestStore : IDisposable
{
    private readonly ModuleSession session;

    public TestStore(ModuleSession session)
    {
        this.session = session;
        Folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "scheduler-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        Path = System.IO.Path.Combine(Folder, "jobs.db");
    }

    public string Folder { get; }

    /// <summary>The store's file, for -Store.</summary>
    public string Path { get; }

    /// <summary>Runs a script with <c>$store</c> bound to this store's path (declare <c>param($store, ...)</c>).</summary>
    public PowerShellResult Run(string script, params (string Name, object? Value)[] parameters)
        => session.Run(script, [("store", Path), .. parameters]);

    public void Dispose()
    {
        session.Run("Stop-Scheduler -NoWait").ShouldSucceed();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open (a store the session keeps) is left to the temp folder's cleanup.
        }
    }
}
