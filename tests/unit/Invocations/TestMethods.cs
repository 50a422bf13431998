using Scheduler.Jobs;

namespace Scheduler.Tests.Invocations;

#pragma warning disable CA1822, CA1068, IDE0060 // Shapes that method invocations must accept or reject.

/// <summary>Methods that method-invocation tests name by import string.</summary>
public static class TestMethods
{
    public const string Type = "Scheduler.Tests.Invocations.TestMethods";

    public static int Add(int a, int b) => a + b;

    public static string Greet(string name, string greeting = "Hello") => $"{greeting}, {name}!";

    public static async Task<string> DescribeAsync(JobContext context, CancellationToken token, string label)
    {
        await Task.Yield();
        return $"{label} attempt {context.Attempt} cancelled {token.IsCancellationRequested}";
    }

    public static ValueTask<int> CountAsync(int[] values) => new(values.Length);

    public static Task Nothing() => Task.CompletedTask;

    public static DayOfWeek Next(DayOfWeek day) => (DayOfWeek)(((int)day + 1) % 7);

    public static string Overloaded(int number) => "int";

    public static string Overloaded(string text) => "string";

    public static void Fail() => throw new InvalidOperationException("the method failed");

    public static Point Mirror(Point point) => new(point.Y, point.X);

    internal static void Hidden()
    {
    }
}

public sealed record Point(int X, int Y);

public sealed class InstanceMethods
{
    public int Instance() => 1;
}
#pragma warning restore CA1822, CA1068, IDE0060
