using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Scheduler.Host;
using Scheduler.Tests.Support;

namespace Scheduler.Tests.Host;

/// <summary>The admin verbs in-process on a real store file (the daemon and several processes: <see cref="SchedHostProcessTests"/>).</summary>
public sealed class HostCommandTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);

    private readonly TempFolder folder = new();
    private readonly string store;

    public HostCommandTests()
    {
        store = folder.File("jobs.db");
    }

    public void Dispose() => folder.Dispose();

    [Fact]
    public void An_added_command_job_is_listed_with_its_next_run()
    {
        var added = Succeeds("add", "--id", "backup", "--name", "Nightly backup", "--cron", "0 2 * * *", "--timezone", "Europe/Berlin", "--", "/usr/bin/backup", "--full", "two words");

        Assert.Equal(["Added job 'backup'; next run 2024-05-02T02:00:00+02:00."], added);
        var list = Succeeds("list");
        Assert.Equal("ID      NAME            STATE      NEXT RUN                   TRIGGER                           RUNS", list[0]);
        Assert.Equal("backup  Nightly backup  Scheduled  2024-05-02T02:00:00+02:00  cron '0 2 * * *' (Europe/Berlin)  /usr/bin/backup --full 'two words'", list[1]);
    }

    [Fact]
    public void Next_lists_a_stored_jobs_fire_times_in_its_zone_and_refuses_a_job_and_a_trigger_together()
    {
        Succeeds("add", "--id", "backup", "--cron", "0 2 * * *", "--timezone", "Europe/Berlin", "--end", "2024-05-03T12:00", "--", "/bin/true");

        Assert.Equal(["2024-05-02T02:00:00+02:00", "2024-05-03T02:00:00+02:00"], Succeeds("next", "backup"));
        Assert.Equal(["[\"2024-05-03T02:00:00+02:00\"]"], Succeeds("next", "backup", "--after", "2024-05-02T03:00", "--json"));
        Assert.Equal("schedhost: give a job id or a trigger, not both: 'backup' and --cron '0 9 * * *'", Fails("next", "backup", "--cron", "0 9 * * *"));
        Assert.Equal("schedhost: give a job id or a trigger, not both: 'backup' and --timezone 'UTC'", Fails("next", "backup", "--timezone", "UTC"));
        Assert.Equal($"schedhost: there is no job with the id 'nope' in the store '{store}'", Fails("next", "nope"));
    }

    [Fact]
    public void List_json_has_the_documented_fields()
    {
        Succeeds("add", "--id", "a", "--interval", "5m", "--timezone", "UTC", "--", "/bin/true");
        Succeeds("add", "--id", "b", "--interval", "5m", "--timezone", "UTC", "--paused", "--", "/bin/true");

        using var json = JsonDocument.Parse(string.Join("\n", Succeeds("list", "--json")));

        var jobs = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(["a", "b"], jobs.Select(j => j.GetProperty("id").GetString()));
        Assert.Equal("a", jobs[0].GetProperty("name").GetString());
        Assert.Equal("Scheduled", jobs[0].GetProperty("state").GetString());
        Assert.Equal("2024-05-01T10:05:00+00:00", jobs[0].GetProperty("nextRunTime").GetString());
        Assert.Equal("Paused", jobs[1].GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, jobs[1].GetProperty("nextRunTime").ValueKind);
        Assert.Equal("process", jobs[0].GetProperty("executor").GetString());
    }

    [Fact]
    public void Options_are_stored_with_the_job_and_shown()
    {
        Succeeds(
            "add", "--id", "opt", "--interval", "1h", "--jitter", "30s", "--misfire-grace", "5m", "--coalesce", "earliest", "--max-instances", "2",
            "--overlap", "queue", "--timeout", "90s", "--retries", "3", "--retry-delay", "10s", "--recover", "--working-directory", "/tmp", "--env", "A=b=c",
            "--", "/bin/echo", "hi");

        var show = Succeeds("show", "opt");

        Assert.Contains(show, l => l.StartsWith("Trigger:       every 1h (", StringComparison.Ordinal) && l.EndsWith(") jitter 30s", StringComparison.Ordinal));
        Assert.Contains("Directory:     /tmp", show);
        Assert.Contains("Environment:   A=b=c", show);
        Assert.Contains("Misfire grace: 5m", show);
        Assert.Contains("Coalesce:      Earliest", show);
        Assert.Contains("Max instances: 2", show);
        Assert.Contains("Overlap:       Queue", show);
        Assert.Contains("Timeout:       1m30s", show);
        Assert.Contains("Retries:       3 (10s apart)", show);
        Assert.Contains("Recover:       yes (re-run when abandoned)", show);
        using var json = JsonDocument.Parse(Succeeds("show", "opt", "--json")[0]);
        Assert.Equal("opt", json.RootElement.GetProperty("id").GetString());
        Assert.Equal("command", json.RootElement.GetProperty("invocation").GetProperty("kind").GetString());
    }

    [Fact]
    public void A_powershell_job_keeps_its_arguments_and_parameters()
    {
        Succeeds("add", "--id", "ps", "--interval", "1h", "--pwsh-command", "param($Path, $Mode) \"$Path $Mode\"", "--param", "Mode=fast", "--", "/var/log");

        var show = Succeeds("show", "ps");

        Assert.Contains("Runs:          pwsh { param($Path, $Mode) \"$Path $Mode\" }", show);
        Assert.Contains("Arguments:     {\"positional\":[\"/var/log\"],\"named\":{\"Mode\":\"fast\"}}", show);
    }

    [Fact]
    public void Pause_resume_and_remove_change_the_job_and_say_so()
    {
        Succeeds("add", "--id", "j", "--interval", "10m", "--timezone", "UTC", "--", "/bin/true");

        Assert.Equal(["Paused job 'j'."], Succeeds("pause", "j"));
        Assert.Equal("Paused", Job("j").GetProperty("state").GetString());
        Assert.Equal(["Job 'j' was already paused."], Succeeds("pause", "j"));
        Assert.Equal(["Resumed job 'j'; next run 2024-05-01T10:10:00+00:00."], Succeeds("resume", "j"));
        using (var resumed = JsonDocument.Parse(Succeeds("pause", "j", "--json")[0]))
        {
            Assert.Equal("Paused", resumed.RootElement.GetProperty("state").GetString());
        }

        Assert.Equal(["Removed job 'j'."], Succeeds("remove", "j"));
        Assert.Equal([$"No jobs in {store}."], Succeeds("list"));
    }

    [Fact]
    public void A_job_without_runs_has_an_empty_history()
    {
        Succeeds("add", "--id", "j", "--interval", "10m", "--", "/bin/true");

        Assert.Equal(["No runs yet."], Succeeds("runs", "j"));
        Assert.Equal(["[]"], Succeeds("runs", "--json"));
        Assert.Equal(["[]"], Succeeds("events", "--json"));
    }

    [Fact]
    public void Trigger_without_a_running_daemon_fails_and_records_nothing()
    {
        Succeeds("add", "--id", "j", "--interval", "10m", "--", "/bin/true");

        var (exit, output, error) = Host("trigger", "j");

        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Equal($"schedhost: no scheduler is running on the store '{store}'; start one with 'schedhost run'", error.Trim());
    }

    [Theory]
    [InlineData("show")]
    [InlineData("remove")]
    [InlineData("pause")]
    [InlineData("resume")]
    [InlineData("trigger")]
    [InlineData("runs")]
    public void An_unknown_id_is_bad_input(string verb)
    {
        Succeeds("add", "--id", "known", "--interval", "10m", "--", "/bin/true");

        var error = Fails(verb, "nope");

        Assert.Equal($"schedhost: there is no job with the id 'nope' in the store '{store}'", error);
    }

    public static TheoryData<string[], string> BadAdds => new()
    {
        { ["--interval", "5m", "--", "/bin/true"], "Option '--id' is required." },
        { ["--id", "x", "--", "/bin/true"], "give a trigger: one of --cron, --interval, --at, --calendar-interval or --trigger-json" },
        { ["--id", "x", "--interval", "5m"], "give what to run: -- COMMAND [ARG...], --pwsh-command TEXT or --pwsh-file PATH" },
        { ["--id", "x", "--cron", "0 25 * * *", "--", "/bin/true"], "'25'" },
        { ["--id", "x", "--interval", "soon", "--", "/bin/true"], "--interval: 'soon' is not a duration" },
        { ["--id", "x", "--interval", "5m", "--timezone", "Mars/Olympus", "--", "/bin/true"], "unknown time zone 'Mars/Olympus'" },
        { ["--id", "x", "--interval", "5m", "--coalesce", "newest", "--", "/bin/true"], "--coalesce 'newest' is not one of latest, earliest, all" },
        { ["--id", "x", "--interval", "5m", "--overlap", "wait", "--", "/bin/true"], "--overlap 'wait' is not one of skip, queue, replace" },
        { ["--id", "x", "--interval", "5m", "--max-instances", "0", "--", "/bin/true"], "--max-instances must be at least 1, not '0'" },
        { ["--id", "x", "--interval", "5m", "--max-instances", "many", "--", "/bin/true"], "many" },
        { ["--id", "x", "--interval", "5m", "--timeout", "0s", "--", "/bin/true"], "--timeout: The duration '0s' must be positive." },
        { ["--id", "x", "--interval", "5m", "--retries", "-1", "--", "/bin/true"], "--retries must not be negative, not '-1'" },
        { ["--id", "x", "--interval", "5m", "--retry-delay", "5s", "--", "/bin/true"], "--retry-delay '5s' applies only with --retries" },
        { ["--id", "x", "--interval", "5m", "--misfire-grace", "-5s", "--", "/bin/true"], "--misfire-grace '-5s' must not be negative" },
        { ["--id", "x", "--interval", "5m", "--jitter", "later", "--", "/bin/true"], "--jitter: 'later' is not a duration" },
        { ["--id", "x", "--trigger-json", "{\"type\":\"interval\",\"seconds\":60}", "--jitter", "5s", "--", "/bin/true"], "--jitter '5s' does not combine with --trigger-json" },
        { ["--id", "x", "--interval", "5m", "--env", "NOEQUALS", "--", "/bin/true"], "--env 'NOEQUALS' must be NAME=VALUE" },
        { ["--id", "x", "--interval", "5m", "--pwsh-command", "1", "--pwsh-file", "a.ps1"], "give only one of --pwsh-command and --pwsh-file" },
        { ["--id", "x", "--interval", "5m", "--pwsh-command", "1", "--env", "A=1"], "--env 'A=1' applies only to a command after --" },
        { ["--id", "x", "--interval", "5m", "--param", "A=1", "--", "/bin/true"], "--param 'A=1' applies only to --pwsh-command and --pwsh-file" },
        { ["--id", " ", "--interval", "5m", "--", "/bin/true"], "--id must not be empty" },
        { ["--id", "x", "--interval", "5m", "--pwsh-file", "/no/such/script.ps1"], "--pwsh-file '/no/such/script.ps1' does not exist" },
        { ["--id", "x", "--interval", "5m", "--working-directory", "/no/such/folder", "--", "/bin/true"], "--working-directory '/no/such/folder' does not exist" },
        { ["--id", "existing", "--interval", "5m", "--", "/bin/true"], "a job with the id 'existing' already exists in the store" },
        { ["--id", "existing", "--replace", "--trigger-json", NeverAgree, "--", "/bin/true"], "The triggers of this all-trigger never agree on a fire time" },
        { ["--id", "x", "--trigger-json", NeverAgree, "--", "/bin/true"], "The triggers of this all-trigger never agree on a fire time" },
    };

    // Nine o'clock and ten o'clock every day: never the same instant.
    private const string NeverAgree = """{"type":"all","triggers":[{"type":"cron","expression":"0 9 * * *","timezone":"UTC"},{"type":"cron","expression":"0 10 * * *","timezone":"UTC"}]}""";

    [Theory]
    [MemberData(nameof(BadAdds))]
    public void A_bad_add_is_rejected_naming_the_problem_and_leaves_the_store_unchanged(string[] args, string expected)
    {
        Succeeds("add", "--id", "existing", "--interval", "1h", "--", "/bin/true");
        var before = File.ReadAllBytes(store);
        var listBefore = Succeeds("list", "--json");

        var error = Fails(["add", .. args]);

        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Equal(listBefore, Succeeds("list", "--json"));
        Assert.Equal(before, File.ReadAllBytes(store));
    }

    [Fact]
    public void A_date_in_the_past_is_added_and_due_at_once()
    {
        // Not bad input: a missed one-off date runs when the daemon sees it (subject to the misfire grace time).
        Assert.Equal(["Added job 'late'; next run 2024-04-01T00:00:00+00:00."], Succeeds("add", "--id", "late", "--at", "2024-04-01T00:00:00Z", "--timezone", "UTC", "--", "/bin/true"));
    }

    [Fact]
    public void Replace_overwrites_a_job_with_the_same_id()
    {
        Succeeds("add", "--id", "j", "--interval", "10m", "--", "/bin/true");

        Succeeds("add", "--id", "j", "--interval", "20m", "--replace", "--", "/bin/false");

        Assert.Contains("Runs:          /bin/false", Succeeds("show", "j"));
    }

    [Fact]
    public void A_store_in_a_missing_folder_is_bad_input_and_nothing_is_created()
    {
        var missing = folder.File(Path.Combine("missing", "jobs.db"));

        var error = Fails("list", "--store", missing);

        Assert.Equal($"schedhost: the folder of the store '{missing}' does not exist", error);
        Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));
    }

    [Fact]
    public void A_file_that_is_not_a_store_is_bad_input_and_is_not_modified()
    {
        var notAStore = folder.File("notes.txt");
        File.WriteAllText(notAStore, "just some text, not SQLite\n");

        var error = Fails("list", "--store", notAStore);

        Assert.StartsWith($"schedhost: The file '{notAStore}' is not a SQLite database (or it is damaged): ", error, StringComparison.Ordinal);
        Assert.Equal("just some text, not SQLite\n", File.ReadAllText(notAStore));
    }

    [Theory]
    [InlineData("list")]
    [InlineData("show", "j")]
    [InlineData("runs")]
    [InlineData("events")]
    [InlineData("remove", "j")]
    [InlineData("pause", "j")]
    [InlineData("resume", "j")]
    [InlineData("trigger", "j")]
    public void A_verb_that_does_not_add_creates_no_store(params string[] args)
    {
        var error = Fails(args);

        Assert.Equal($"schedhost: the store '{store}' does not exist (schedhost add or run creates it)", error);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Theory]
    [InlineData("list")]
    [InlineData("add", "--id", "j", "--interval", "1h", "--", "/bin/true")]
    public void An_empty_file_is_bad_input_and_stays_empty(params string[] args)
    {
        File.WriteAllBytes(store, []);

        var error = Fails(args);

        Assert.Equal($"schedhost: The file '{store}' is empty: it is not a job store, and it is left as it is. Remove it to create a new store there.", error);
        Assert.Equal(0, new FileInfo(store).Length);
        Assert.Equal([store], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void Control_characters_from_the_store_are_escaped_in_text_and_exact_in_json()
    {
        // A name that would colour the operator's terminal, forge a line of the table and ring the bell.
        const string Name = "\u001b[31mred\u001b[0m\nforged line\u0007";
        const string Id = "evil\u001b[2J";
        const string Escaped = @"\e[31mred\e[0m\nforged line\x07";
        var added = Succeeds("add", "--id", Id, "--name", Name, "--interval", "1h", "--timezone", "UTC", "--", "/bin/echo", "\u001b]0;title\u0007");
        Stores.SqliteJobStoreTests.Execute(
            store,
            "INSERT INTO events (sequence, type, timestamp, job_id, job_name, attempt, message) VALUES (1, $type, $time, $id, $name, 1, $message)",
            ("$type", (long)global::Scheduler.Events.SchedulerEventType.JobAdded),
            ("$time", Now.UtcTicks),
            ("$id", Id),
            ("$name", Name),
            ("$message", "added \u009b31m" + Name));

        var list = Succeeds("list");
        var show = Succeeds("show", Id);
        var events = Succeeds("events");

        Assert.Equal([@"Added job 'evil\e[2J'; next run 2024-05-01T11:00:00+00:00."], added);
        Assert.Equal(2, list.Length);
        Assert.Contains(Escaped, list[1], StringComparison.Ordinal);
        Assert.Contains(@"/bin/echo \e]0;title\x07", list[1], StringComparison.Ordinal);
        Assert.Contains("Name:          " + Escaped, show);
        Assert.Contains(@"Id:            evil\e[2J", show);
        var line = Assert.Single(events);
        Assert.Contains(@" JobAdded evil\e[2J: added \u009b31m\e[31mred", line, StringComparison.Ordinal);
        Assert.All(list.Concat(show).Concat(events), text => Assert.False(text.Any(char.IsControl), $"'{text}' has a control character"));

        using var json = JsonDocument.Parse(Succeeds("list", "--json")[0]);
        Assert.Equal(Name, json.RootElement[0].GetProperty("name").GetString());
        Assert.Equal(Id, json.RootElement[0].GetProperty("id").GetString());
    }

    [Fact]
    public void Runs_last_must_be_positive()
    {
        Assert.Equal("schedhost: --last must be at least 1, not '0'", Fails("runs", "--last", "0"));
    }

    [Fact]
    public void Run_max_workers_must_be_positive()
    {
        Assert.Equal("schedhost: --max-workers must be at least 1, not '0'", Fails("run", "--max-workers", "0"));
    }

    [Fact]
    public void Backup_and_restore_put_a_stores_jobs_back_as_they_were()
    {
        Succeeds("add", "--id", "a", "--interval", "5m", "--timezone", "UTC", "--", "/bin/true");
        Succeeds("add", "--id", "b", "--interval", "1h", "--timezone", "UTC", "--", "/bin/true");
        var backup = folder.File("backup.db");

        Assert.Equal([$"Backed up 2 jobs from '{store}' to '{backup}'."], Succeeds("backup", backup));
        Succeeds("remove", "a");
        Succeeds("add", "--id", "c", "--interval", "1h", "--timezone", "UTC", "--", "/bin/true");
        using var json = JsonDocument.Parse(Succeeds("restore", backup, "--json")[0]);

        Assert.Equal(store, json.RootElement.GetProperty("store").GetString());
        Assert.Equal(backup, json.RootElement.GetProperty("backup").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("jobs").GetInt32());
        Assert.Equal(["a", "b"], JsonDocument.Parse(Succeeds("list", "--json")[0]).RootElement.EnumerateArray().Select(j => j.GetProperty("id").GetString()));
    }

    [Fact]
    public void Backup_refuses_to_replace_a_file_unless_forced_and_names_a_store_that_is_missing()
    {
        Succeeds("add", "--id", "a", "--interval", "5m", "--timezone", "UTC", "--", "/bin/true");
        var backup = folder.File("backup.db");
        File.WriteAllText(backup, "an older backup");

        Assert.Equal($"schedhost: the backup '{backup}' already exists; give another file, or --force to replace it", Fails("backup", backup));
        Assert.Equal("an older backup", File.ReadAllText(backup));
        Assert.Equal([$"Backed up 1 job from '{store}' to '{backup}'."], Succeeds("backup", backup, "--force"));

        var missing = folder.File("missing.db");
        Assert.Equal($"schedhost: The store '{missing}' does not exist.", Fails("backup", folder.File("other.db"), "--store", missing));
        Assert.Equal($"schedhost: The backup '{missing}' does not exist.", Fails("restore", missing));
        Assert.Equal(
            "schedhost: backup works on SQLite stores; back up and restore a PostgreSQL store with the server's tools (pg_dump --schema, pg_restore)",
            Fails("backup", backup, "--store", "postgres://user@localhost/db"));
    }

    private JsonElement Job(string id)
    {
        using var json = JsonDocument.Parse(Succeeds("list", "--json")[0]);
        return json.RootElement.EnumerateArray().Single(j => j.GetProperty("id").GetString() == id).Clone();
    }

    private string[] Succeeds(params string[] args)
    {
        var (exit, output, error) = Host(args);
        Assert.True(exit == 0, $"schedhost {string.Join(' ', args)} exited {exit}: {error}");
        Assert.Empty(error);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Runs a verb that must be rejected as bad input: exit 2 and exactly one line on stderr, which is returned.</summary>
    private string Fails(params string[] args)
    {
        var (exit, output, error) = Host(args);
        Assert.True(exit == 2, $"schedhost {string.Join(' ', args)} exited {exit}: {error}");
        Assert.Empty(output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        return lines[0];
    }

    private (int Exit, string Output, string Error) Host(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var withStore = args.Contains("--store") ? args : [.. args.TakeWhile(a => a != "--"), "--store", store, .. args.SkipWhile(a => a != "--")];
        var exit = SchedHost.Run(withStore, output, error, new FakeTimeProvider(Now));
        return (exit, output.ToString().Replace("\r", string.Empty, StringComparison.Ordinal), error.ToString().Replace("\r", string.Empty, StringComparison.Ordinal));
    }
}
