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

        DefaultStorePath.PrepareFolder(store, perUser: store);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(store)!));
        Assert.False(File.Exists(store));
    }

    [Fact]
    public void The_folder_of_any_other_store_is_left_to_the_user_even_when_SCHEDHOST_STORE_names_it()
    {
        using var home = new Support.TempFolder();
        var perUser = Path.Combine(home.Path, ".local", "share", "scheduler", "scheduler.db");
        var named = Path.Combine(home.Path, "jobs", "jobs.db");

        DefaultStorePath.PrepareFolder(named, perUser);

        Assert.False(Directory.Exists(Path.GetDirectoryName(named)));
        Assert.False(Directory.Exists(Path.GetDirectoryName(perUser)));
    }

    [Fact]
    public void The_per_user_store_is_recognised_by_its_full_path()
    {
        var perUser = Path.Combine(Directory.GetCurrentDirectory(), "data", "scheduler", "scheduler.db");

        Assert.True(DefaultStorePath.IsPerUser(Path.Combine("data", "scheduler", "scheduler.db"), perUser));
        Assert.True(DefaultStorePath.IsPerUser(Path.Combine("data", ".", "scheduler", "..", "scheduler", "scheduler.db"), perUser));
        Assert.False(DefaultStorePath.IsPerUser(Path.Combine("data", "scheduler", "other.db"), perUser));
    }

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables)
        => name => variables.FirstOrDefault(v => v.Name == name).Value;
}
