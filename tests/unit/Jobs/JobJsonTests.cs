using System.Text.Json;
using Scheduler.Invocations;
using Scheduler.Jobs;
using Scheduler.Triggers;

namespace Scheduler.Tests.Jobs;

public sealed class JobJsonTests
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Trigger Daily = new CronTrigger("0 9 * * *", TimeZones.Resolve("Europe/Berlin"));

    public static TheoryData<string> Invocations => new()
    {
        "delegate", "method", "command", "command-full", "pwsh-script", "pwsh-file", "pwsh-command",
    };

    [Theory]
    [MemberData(nameof(Invocations))]
    public void Every_invocation_kind_reads_back_as_written(string kind)
    {
        var invocation = MakeInvocation(kind);
        var json = JobJson.Write(JobWith(invocation));

        var read = JobJson.Read(json).Invocation;

        Assert.Equal(invocation.GetType(), read.GetType());
        Assert.Equal(Describe(invocation), Describe(read));
        Assert.Equal(json, JobJson.Write(JobWith(read)));
    }

    [Fact]
    public void The_documented_shape_reads()
    {
        var job = JobJson.Read("""
            { "version": 1, "id": "backup", "name": "Nightly backup",
              "trigger": { "version": 1, "type": "cron", "expression": "0 2 * * *", "timezone": "Europe/Berlin" },
              "invocation": { "kind": "command", "executable": "tar", "arguments": ["-czf", "/b.tgz", "/data"] },
              "options": { "timeout": 600, "recover": true },
              "executor": "process", "store": "default" }
            """);

        Assert.Equal("backup", job.Id);
        Assert.Equal("Nightly backup", job.Name);
        Assert.Equal("0 2 * * *", Assert.IsType<CronTrigger>(job.Trigger).Expression);
        Assert.Equal(["-czf", "/b.tgz", "/data"], Assert.IsType<CommandInvocation>(job.Invocation).Arguments);
        Assert.Equal(TimeSpan.FromMinutes(10), job.Options.Timeout);
        Assert.True(job.Options.Recover);
        Assert.Equal("process", job.Executor);
        Assert.Null(job.NextRunTime);
        Assert.Equal(JobState.Scheduled, job.State);
    }

    [Fact]
    public void Only_the_options_that_differ_from_the_defaults_are_written_and_all_read_back()
    {
        var options = new JobOptions
        {
            MisfireGraceTime = TimeSpan.FromSeconds(30),
            Coalesce = CoalescePolicy.All,
            MaxInstances = 4,
            Overlap = OverlapPolicy.Queue,
            Timeout = TimeSpan.FromMinutes(2),
            RetryCount = 3,
            RetryDelay = TimeSpan.FromSeconds(5),
            Recover = true,
        };
        var defaults = JobJson.Write(JobWith(new DelegateInvocation("f")));
        var changed = JobJson.Write(JobWith(new DelegateInvocation("f")) with { Options = options });

        Assert.DoesNotContain("options", defaults, StringComparison.Ordinal);
        Assert.Equal(options, JobJson.Read(changed).Options);
        Assert.Same(JobOptions.Default, JobJson.Read(defaults).Options);
        using var document = JsonDocument.Parse(JobJson.Write(JobWith(new DelegateInvocation("f")) with { Options = JobOptions.Default with { MaxInstances = 2 } }));
        Assert.Equal(["maxInstances"], document.RootElement.GetProperty("options").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Name_trigger_arguments_executor_and_store_read_back()
    {
        var arguments = JobArguments.Create([1, "two"], [new KeyValuePair<string, object?>("path", "/tmp")]);
        var job = new Job("id-1", "A name", Daily, new DelegateInvocation("f"), arguments, JobOptions.Default, "pool", "disk");

        var read = JobJson.Read(JobJson.Write(job));

        Assert.Equal("id-1", read.Id);
        Assert.Equal("A name", read.Name);
        Assert.Equal(Daily.ToJson(), read.Trigger.ToJson());
        Assert.Equal(arguments.ToJson(), read.Arguments.ToJson());
        Assert.Equal("pool", read.Executor);
        Assert.Equal("disk", read.Store);
    }

    [Fact]
    public void A_job_bound_to_an_in_process_delegate_is_refused_with_the_way_out()
    {
        var job = JobWith(new DelegateInvocation(() => { })) with { Id = "local" };

        var error = Assert.Throws<ArgumentException>(() => JobJson.Write(job));

        Assert.Contains("'local'", error.Message, StringComparison.Ordinal);
        Assert.Contains("in-process delegate", error.Message, StringComparison.Ordinal);
        Assert.Contains("register the delegate by name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_method_invocation_keeps_its_import_string_without_loading_the_type()
    {
        var job = JobJson.Read(Document(invocation: """{"kind":"method","method":"No.Such.Type::Run, NoSuchAssembly"}"""));

        Assert.Equal("No.Such.Type::Run, NoSuchAssembly", Assert.IsType<MethodInvocation>(job.Invocation).ImportString);
    }

    [Fact]
    public void The_schedule_is_written_for_display_and_ignored_when_read()
    {
        var job = JobWith(new DelegateInvocation("f")) with { NextRunTime = T0, State = JobState.Scheduled };

        var json = JobJson.Write(job, includeSchedule: true);
        var read = JobJson.Read(json);

        Assert.Contains("\"nextRunTime\":\"2024-05-01T00:00:00.0000000+00:00\"", json, StringComparison.Ordinal);
        Assert.Contains("\"state\":\"Scheduled\"", json, StringComparison.Ordinal);
        Assert.Null(read.NextRunTime);
    }

    [Fact]
    public void Job_ToJson_and_FromJson_are_this_format()
    {
        var job = JobWith(new DelegateInvocation("f")) with { NextRunTime = T0 };

        Assert.Equal(JobJson.Write(job), job.ToJson());
        Assert.Equal(JobJson.Write(job, includeSchedule: true), job.ToJson(includeSchedule: true));
        Assert.Equal(job.ToJson(), Job.FromJson(job.ToJson()).ToJson());
    }

    [Theory]
    [InlineData("""[]""", "must be an object")]
    [InlineData("""{"id":"a","trigger":{"type":"cron","expression":"* * * * *"}}""", "'invocation' is missing")]
    [InlineData("""{"trigger":{"type":"cron","expression":"* * * * *"},"invocation":{"kind":"delegate","name":"f"}}""", "'id' is missing")]
    [InlineData("""{"id":" ","trigger":{"type":"cron","expression":"* * * * *"},"invocation":{"kind":"delegate","name":"f"}}""", "'id' must not be empty")]
    [InlineData("""{"id":"a","invocation":{"kind":"delegate","name":"f"}}""", "'trigger' is missing")]
    [InlineData("""{"id":"a","trigger":{"type":"weekly"},"invocation":{"kind":"delegate","name":"f"}}""", "'trigger.type' has the unknown value 'weekly'")]
    [InlineData("""{"id":"a","trigger":{"type":"cron","expression":"61 * * * *"},"invocation":{"kind":"delegate","name":"f"}}""", "'trigger.expression' is invalid")]
    [InlineData("""{"id":"a","trigger":{"type":"cron","expression":"* * * * *"},"invocation":{"kind":"shell"}}""", "'invocation.kind' has the unknown value 'shell'")]
    [InlineData("""{"id":"a","trigger":{"type":"cron","expression":"* * * * *"},"invocation":{"name":"f"}}""", "'invocation.kind' is missing")]
    [InlineData("""{"id":"a","trigger":{"type":"cron","expression":"* * * * *"},"invocation":{"kind":"method","method":"NoSeparator"}}""", "'invocation.method' is invalid")]
    [InlineData("""{"id":"a","trigger":{"type":"cron","expression":"* * * * *"},"invocation":{"kind":"command","executable":""}}""", "'invocation.executable' is invalid")]
    [InlineData("""{"id":"a","trigger":{"type":"cron","expression":"* * * * *"},"invocation":{"kind":"command","executable":"x","arguments":[1]}}""", "'invocation.arguments[0]' must be a string")]
    [InlineData("""{"id":"a","trigger":{"type":"cron","expression":"* * * * *"},"invocation":{"kind":"command","executable":"x","environment":{"A=B":"c"}}}""", "'invocation.environment' is invalid")]
    [InlineData("""{"id":"a","trigger":{"type":"cron","expression":"* * * * *"},"invocation":{"kind":"powershell"}}""", "needs one of 'script', 'file' or 'command'")]
    [InlineData("""{"id":"a","trigger":{"type":"cron","expression":"* * * * *"},"invocation":{"kind":"powershell","script":"1","file":"x.ps1"}}""", "only one of 'script', 'file' or 'command'")]
    [InlineData("""{"id":"a","trigger":{"type":"cron","expression":"* * * * *"},"invocation":{"kind":"powershell","file":"x.ps1","using":{"a":1}}}""", "'invocation.using' applies only to a script")]
    [InlineData("""{"id":"a","trigger":{"type":"cron","expression":"* * * * *"},"invocation":{"kind":"delegate","name":"f","extra":1}}""", "'invocation.extra' is unknown")]
    [InlineData("""{"id":"a","trigger":{"type":"cron","expression":"* * * * *"},"invocation":{"kind":"delegate","name":"f"},"options":{"maxInstances":0}}""", "'options' is invalid: Invalid 'maxInstances'")]
    [InlineData("""{"id":"a","trigger":{"type":"cron","expression":"* * * * *"},"invocation":{"kind":"delegate","name":"f"},"options":{"speed":1}}""", "'options' is invalid: Unknown property 'speed'")]
    [InlineData("""{"id":"a","trigger":{"type":"cron","expression":"* * * * *"},"invocation":{"kind":"delegate","name":"f"},"arguments":{"positional":1}}""", "'arguments' is invalid")]
    [InlineData("""{"id":"a","trigger":{"type":"cron","expression":"* * * * *"},"invocation":{"kind":"delegate","name":"f"},"colour":"red"}""", "'colour' is unknown")]
    [InlineData("""{"id":"a","id":"b","trigger":{"type":"cron","expression":"* * * * *"},"invocation":{"kind":"delegate","name":"f"}}""", "'id' appears twice")]
    [InlineData("""{"version":2,"id":"a","trigger":{"type":"cron","expression":"* * * * *"},"invocation":{"kind":"delegate","name":"f"}}""", "version 2, which is newer")]
    [InlineData("""{"version":"1","id":"a","trigger":{"type":"cron","expression":"* * * * *"},"invocation":{"kind":"delegate","name":"f"}}""", "'version' has the invalid value")]
    [InlineData("""{"id":"a",""", "not valid JSON")]
    public void A_bad_document_is_a_format_error_naming_the_field(string json, string expected)
    {
        var error = Assert.Throws<FormatException>(() => JobJson.Read(json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static string Document(string invocation)
        => $$"""{"version":1,"id":"a","trigger":{"type":"cron","expression":"* * * * *","timezone":"UTC"},"invocation":{{invocation}}}""";

    private static Job JobWith(Invocation invocation)
        => new("job", "job", Daily, invocation, JobArguments.None, JobOptions.Default, "default", "default");

    private static Invocation MakeInvocation(string kind) => kind switch
    {
        "delegate" => new DelegateInvocation("nightly"),
        "method" => new MethodInvocation("Scheduler.Tests.Invocations.TestMethods::Add, Scheduler.Tests"),
        "command" => new CommandInvocation("echo"),
        "command-full" => new CommandInvocation("tar", ["-czf", "a b.tgz", "\"quoted\""], "/var/data", [new KeyValuePair<string, string>("LANG", "C"), new KeyValuePair<string, string>("EMPTY", "")]),
        "pwsh-script" => PowerShellInvocation.FromScript(
            "param($n) Get-Item $using:path | Select-Object -First $n",
            "Import-Module Foo",
            new Dictionary<string, JsonElement> { ["path"] = JsonDocument.Parse("\"/tmp\"").RootElement.Clone(), ["n"] = JsonDocument.Parse("[1,2]").RootElement.Clone() }),
        "pwsh-file" => PowerShellInvocation.FromFile("/scripts/backup.ps1"),
        _ => PowerShellInvocation.FromCommand("Microsoft.PowerShell.Management\\Get-Process", "Import-Module X"),
    };

    private static string Describe(Invocation invocation) => invocation switch
    {
        DelegateInvocation d => $"delegate {d.Name} {d.Target is null}",
        MethodInvocation m => $"method {m.ImportString}",
        CommandInvocation c => $"command {c.Executable} [{string.Join("|", c.Arguments)}] {c.WorkingDirectory} {string.Join(";", c.Environment.OrderBy(p => p.Key).Select(p => p.Key + "=" + p.Value))}",
        PowerShellInvocation p => $"pwsh {p.Source} {p.Text} {p.InitializationScript} {string.Join(";", p.UsingValues.OrderBy(v => v.Key).Select(v => v.Key + "=" + v.Value.GetRawText()))}",
        _ => invocation.ToString()!,
    };
}
