using Scheduler.Stores;

namespace Scheduler.Tests.Stores;

public sealed class DefaultStorePathTests
{
    [Fact]
    public void The_environment_variable_wins_on_every_platform()
    {
        var path = DefaultStorePath.Get(Environment(("SCHEDHOST_STORE", "/srv/jobs.db"), ("XDG_DATA_HOME", "/data")), StorePlatform.Unix, "/home/ann");

        Assert.Equal("/srv/jobs.db", path);
    }

    [Fact]
    public void On_linux_it_is_under_xdg_data_home_else_under_local_share()
    {
        Assert.Equal("/data/scheduler/scheduler.db", DefaultStorePath.Get(Environment(("XDG_DATA_HOME", "/data")), StorePlatform.Unix, "/home/ann"));
        Assert.Equal("/home/ann/.local/share/scheduler/scheduler.db", DefaultStorePath.Get(Environment(), StorePlatform.Unix, "/home/ann"));

        // The XDG spec: a relative XDG_DATA_HOME is invalid and ignored.
        Assert.Equal("/home/ann/.local/share/scheduler/scheduler.db", DefaultStorePath.Get(Environment(("XDG_DATA_HOME", "data")), StorePlatform.Unix, "/home/ann"));
    }

    [Fact]
    public void On_windows_it_is_under_local_app_data()
    {
        var path = DefaultStorePath.Get(Environment(("LOCALAPPDATA", "/users/ann/AppData/Local")), StorePlatform.Windows, "/users/ann");

        Assert.Equal(Path.Combine("/users/ann/AppData/Local", "Scheduler", "scheduler.db"), path);
    }

    [Fact]
    public void On_macos_it_is_under_application_support()
    {
        var path = DefaultStorePath.Get(Environment(("XDG_DATA_HOME", "/ignored")), StorePlatform.MacOS, "/Users/ann");

        Assert.Equal("/Users/ann/Library/Application Support/Scheduler/scheduler.db", path);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_folder_of_the_per_user_store_is_created_for_its_owner_only()
    {
        using var home = new Support.TempFolder();
        var store = Path.Combine(home.Path, ".local", "share", "scheduler", "scheduler.db");

        DefaultStorePath.CreateFolder(store);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(store)!));
        Assert.False(File.Exists(store));
    }

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables)
        => name => variables.FirstOrDefault(v => v.Name == name).Value;
}
