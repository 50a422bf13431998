using Scheduler.Invocations;
using Scheduler.Jobs;
using Scheduler.Triggers;

namespace Scheduler.Tests.Jobs;

/// <summary>
/// Job values as plain data, the form the PowerShell module hands the engine (it cannot share the
/// engine's JSON types): what goes in is stored as JSON and comes back with the same shape.
/// </summary>
public sealed class JobDataTests
{
    private static readonly Trigger Hourly = new IntervalTrigger(TimeSpan.FromHours(1));

    [Fact]
    public void Maps_given_as_pairs_are_stored_as_objects_in_their_order_and_read_back_case_insensitively()
    {
        IReadOnlyList<KeyValuePair<string, object?>> map = [new("zeta", 1L), new("Alpha", "a"), new("nested", new List<object?> { 1L, null, true })];

        var arguments = JobArguments.Create([map], [new("Named", map)]);

        Assert.Equal(
            """{"positional":[{"zeta":1,"Alpha":"a","nested":[1,null,true]}],"named":{"Named":{"zeta":1,"Alpha":"a","nested":[1,null,true]}}}""",
            arguments.ToJson());
        var read = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(Assert.Single(arguments.PositionalData));
        Assert.Equal(["zeta", "Alpha", "nested"], read.Keys);
        Assert.Equal("a", read["ALPHA"]);
        Assert.Equal(new object?[] { 1, null, true }, Assert.IsType<object?[]>(read["nested"]));
        Assert.True(arguments.NamedData.ContainsKey("named"));
    }

    [Fact]
    public void Numbers_come_back_as_the_smallest_of_int_long_and_double()
    {
        var arguments = JobArguments.FromValues(7, 5_000_000_000L, 2.5, 12.75m, ulong.MaxValue);

        Assert.Equal(new object?[] { 7, 5_000_000_000L, 2.5, 12.75, 1.8446744073709552E+19 }, arguments.PositionalData);
    }

    [Fact]
    public void A_json_object_with_a_name_twice_reads_back_with_the_last_value()
    {
        var arguments = JobArguments.Parse("""{"positional":[{"a":1,"A":2}]}""");

        var read = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(Assert.Single(arguments.PositionalData));
        Assert.Equal(2, read["a"]);
        Assert.Single(read);
    }

    [Fact]
    public void Values_json_cannot_hold_are_refused_naming_the_value()
    {
        var error = Assert.Throws<ArgumentException>(() => JobArguments.FromNamed([new("ratio", new List<object?> { double.NaN })]));

        Assert.Contains("argument 'ratio'[0] is NaN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Using_values_given_as_data_are_stored_with_the_job_and_read_back()
    {
        var invocation = PowerShellInvocation.FromScript(
            "\"$using:Share $using:Limits\"",
            "Import-Module Reports",
            [new("Share", @"\\files\reports"), new("Limits", new List<KeyValuePair<string, object?>> { new("max", 3L) })]);

        var read = (PowerShellInvocation)JobJson.Read(JobJson.Write(new Job("j", "j", Hourly, invocation, JobArguments.None, JobOptions.Default, "default", "default"))).Invocation;

        Assert.Equal(@"\\files\reports", read.UsingData["share"]);
        Assert.Equal(3, Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(read.UsingData["Limits"])["max"]);
        Assert.Equal("Import-Module Reports", read.InitializationScript);
    }

    [Fact]
    public void A_using_value_given_twice_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => PowerShellInvocation.FromScript("$using:a", null, [new("a", 1L), new("A", 2L)]));

        Assert.Contains("$using:A is given twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Changing_the_initialization_script_keeps_the_script_and_its_using_values()
    {
        var invocation = PowerShellInvocation.FromScript("$using:a", "old", [new("a", "kept")]);

        var changed = invocation.WithInitializationScript("new");

        Assert.Equal("new", changed.InitializationScript);
        Assert.Equal("$using:a", changed.Text);
        Assert.Equal("kept", changed.UsingData["a"]);
        Assert.Null(invocation.WithInitializationScript(null).InitializationScript);
    }
}
