using System.Text.Json;
using Scheduler.Events;
using Scheduler.Invocations;
using Scheduler.Jobs;
using Scheduler.Tests.Support;
using Scheduler.Triggers;

namespace Scheduler.Tests.Invocations;

public sealed class MethodInvocationTests
{
    private static readonly DateTimeOffset T0 = TestScheduler.Epoch;

    [Fact]
    public async Task Arguments_bind_by_position()
    {
        Assert.Equal(5, await RunAsync("Add", JobArguments.FromValues(2, 3)));
    }

    [Fact]
    public async Task Arguments_bind_by_name_in_any_order_and_case()
    {
        var arguments = JobArguments.FromNamed(new Dictionary<string, object?> { ["B"] = 3, ["a"] = 2 });

        Assert.Equal(5, await RunAsync("Add", arguments));
    }

    [Fact]
    public async Task Positional_and_named_arguments_combine_and_defaults_fill_the_rest()
    {
        Assert.Equal("Hello, Ada!", await RunAsync("Greet", JobArguments.FromValues("Ada")));
        Assert.Equal("Hi, Ada!", await RunAsync("Greet", JobArguments.Create(["Ada"], [new("greeting", "Hi")])));
    }

    [Fact]
    public async Task The_context_and_the_token_are_injected_and_a_task_result_is_awaited()
    {
        var result = await RunAsync("DescribeAsync", JobArguments.FromNamed([new("label", "run")]));

        Assert.Equal("run attempt 1 cancelled False", result);
    }

    [Fact]
    public async Task Values_convert_to_arrays_enums_and_records_and_value_tasks_are_awaited()
    {
        Assert.Equal(3, await RunAsync("CountAsync", JobArguments.FromValues(new[] { 1, 2, 3 })));
        Assert.Equal(DayOfWeek.Monday, await RunAsync("Next", JobArguments.Parse("""{"positional": ["Sunday"]}""")));
        Assert.Equal(new Point(2, 1), await RunAsync("Mirror", JobArguments.Parse("""{"named": {"point": {"x": 1, "y": 2}}}""")));
        Assert.Null(await RunAsync("Nothing", JobArguments.None));
    }

    [Fact]
    public async Task Overloads_are_told_apart_by_the_values_given()
    {
        Assert.Equal("int", await RunAsync("Overloaded", JobArguments.FromValues(5)));
        Assert.Equal("string", await RunAsync("Overloaded", JobArguments.FromValues("five")));
    }

    [Fact]
    public async Task An_exception_of_the_method_fails_the_run_with_its_own_message()
    {
        await using var test = new TestScheduler();
        test.Scheduler.AddJob(new DateTrigger(T0.AddMinutes(1)), new MethodInvocation($"{TestMethods.Type}::Fail, Scheduler.Tests"), "failing", executor: "inline");
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(1));
        var error = await test.WaitFor(SchedulerEventType.JobError, "failing");

        Assert.IsType<InvalidOperationException>(error.GetException());
        Assert.Equal("InvalidOperationException: the method failed", error.Error);
    }

    [Theory]
    [InlineData("Scheduler.Tests.Invocations.Missing::Add, Scheduler.Tests", "'Scheduler.Tests.Invocations.Missing' was not found")]
    [InlineData("Scheduler.Tests.Invocations.TestMethods::Add, No.Such.Assembly", "No.Such.Assembly")]
    [InlineData("Scheduler.Tests.Invocations.TestMethods::Subtract, Scheduler.Tests", "no method named 'Subtract'")]
    [InlineData("Scheduler.Tests.Invocations.TestMethods::Hidden, Scheduler.Tests", "is not public")]
    [InlineData("Scheduler.Tests.Invocations.InstanceMethods::Instance, Scheduler.Tests", "is not static")]
    [InlineData("Scheduler.Tests.Invocations.TestMethods::Add", null)]
    public void The_method_is_resolved_when_the_job_is_added_with_a_clear_error(string importString, string? expected)
    {
        var scheduler = new Scheduler.Scheduling.JobScheduler();

        var add = () => scheduler.AddJob(new DateTrigger(T0.AddYears(100)), new MethodInvocation(importString), arguments: JobArguments.FromValues(1, 2));

        if (expected is null)
        {
            Assert.NotNull(add());
        }
        else
        {
            Assert.Contains(expected, Assert.ThrowsAny<ArgumentException>(add).Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Add", """{"positional": [1]}""", "needs the argument 'b'")]
    [InlineData("Add", """{"positional": [1, 2, 3]}""", "takes 2 arguments but 3 positional were given")]
    [InlineData("Add", """{"positional": [1], "named": {"c": 2}}""", "no parameter named 'c'")]
    [InlineData("Add", """{"positional": [1, 2], "named": {"a": 2}}""", "'a'")]
    [InlineData("Add", """{"positional": ["one", 2]}""", "The argument 'a'")]
    [InlineData("Add", """{"positional": [null, 2]}""", "(null) cannot be converted to Int32")]
    [InlineData("Overloaded", """{"positional": ["5"]}""", "fit several overloads")]
    [InlineData("Overloaded", """{"positional": [true]}""", "No overload")]
    public void Arguments_that_do_not_fit_are_refused_when_the_job_is_added(string method, string arguments, string expected)
    {
        var scheduler = new Scheduler.Scheduling.JobScheduler();

        var error = Assert.ThrowsAny<ArgumentException>(() => scheduler.AddJob(
            new DateTrigger(T0.AddYears(100)),
            new MethodInvocation($"{TestMethods.Type}::{method}, Scheduler.Tests"),
            arguments: JobArguments.Parse(arguments)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NoSeparator")]
    [InlineData("::Method")]
    [InlineData("Type::")]
    [InlineData("Type::Method, ")]
    public void A_malformed_import_string_is_rejected_naming_it(string importString)
    {
        var error = Assert.Throws<ArgumentException>(() => new MethodInvocation(importString));

        Assert.Contains($"'{importString}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registered_delegate_is_looked_up_by_name_and_bound_like_a_method()
    {
        await using var test = new TestScheduler();
        test.Scheduler.RegisterDelegate("multiply", (Func<int, int, int>)((x, y) => x * y));
        test.Scheduler.AddJob(new DateTrigger(T0.AddMinutes(1)), new DelegateInvocation("multiply"), "product", arguments: JobArguments.FromNamed([new("y", 6), new("x", 7)]), executor: "inline");
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(1));
        var executed = await test.WaitFor(SchedulerEventType.JobExecuted, "product");

        Assert.Equal(42, executed.ReturnValue);
        Assert.Equal("42", test.Scheduler.GetJobRuns("product")[0].Output);
    }

    [Fact]
    public void A_delegate_name_that_is_not_registered_is_refused_when_the_job_is_added()
    {
        var scheduler = new Scheduler.Scheduling.JobScheduler();

        var error = Assert.Throws<ArgumentException>(() => scheduler.AddJob(new DateTrigger(T0.AddYears(100)), new DelegateInvocation("nobody")));

        Assert.Contains("'nobody'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Arguments_round_trip_through_their_json_form()
    {
        var arguments = JobArguments.Create([1, "two", new[] { 3 }], [new("four", 4.5), new("five", null)]);

        var copy = JobArguments.Parse(arguments.ToJson());

        Assert.Equal(arguments.ToJson(), copy.ToJson());
        Assert.Equal(JsonValueKind.Null, copy.Named["FIVE"].ValueKind);
        Assert.Equal("two", copy.Positional[1].GetString());
    }

    [Theory]
    [InlineData("[1, 2]", "must be a JSON object")]
    [InlineData("""{"positional": {}}""", "'positional' must be a JSON array")]
    [InlineData("""{"args": []}""", "Unknown property 'args'")]
    [InlineData("""{"named": {"a": 1, "A": 2}}""", "given twice")]
    [InlineData("{", "not valid JSON")]
    public void Malformed_arguments_json_is_rejected_with_the_reason(string json, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => JobArguments.Parse(json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static async Task<object?> RunAsync(string method, JobArguments arguments)
    {
        await using var test = new TestScheduler();
        var id = "m-" + method;
        test.Scheduler.AddJob(new DateTrigger(T0.AddMinutes(1)), new MethodInvocation($"{TestMethods.Type}::{method}, Scheduler.Tests"), id, arguments: arguments, executor: "inline");
        test.Scheduler.Start();
        test.Time.Advance(TimeSpan.FromMinutes(1));
        var ended = await test.WaitFor(e => e.JobId == id && e.Type is SchedulerEventType.JobExecuted or SchedulerEventType.JobError);
        Assert.True(ended.Type == SchedulerEventType.JobExecuted, ended.Error);
        return ended.ReturnValue;
    }
}
