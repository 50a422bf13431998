using System.Runtime.CompilerServices;
using Scheduler.Internal;
using Scheduler.Invocations;
using Scheduler.Jobs;

namespace Scheduler.Executors;

/// <summary>Runs .NET invocations (delegates and public static methods) and checks them when a job is added.</summary>
internal static class DotNetInvoker
{
    private static readonly ConditionalWeakTable<Delegate, MethodShape> DelegateShapes = new();

    [MethodImpl(DispatchPath.Optimized)]
    public static bool CanRun(InvocationKind kind) => kind is InvocationKind.Delegate or InvocationKind.Method;

    /// <summary>Resolves the invocation and binds the arguments, so a job that could never run is refused when added.</summary>
    /// <exception cref="ArgumentException">The delegate is not registered, the method cannot be found, or the arguments do not fit.</exception>
    public static void Validate(Invocation invocation, JobArguments arguments, DelegateRegistry registry)
    {
        switch (invocation)
        {
            case DelegateInvocation call:
                Delegate? target = call.Target;
                if (target is null && !registry.TryGet(call.Name, out target))
                {
                    throw new ArgumentException(
                        $"No delegate is registered under the name '{call.Name}'; register it with RegisterDelegate before adding the job.",
                        nameof(invocation));
                }

                if (arguments.IsEmpty && IsDirect(target!))
                {
                    return;
                }

                var shape = ShapeOf(target!);
                if (!shape.TryBind(arguments, out var bound, out var error) || !shape.TryConvertAll(bound!, out error))
                {
                    throw new ArgumentException(error, nameof(arguments));
                }

                return;
            case MethodInvocation method:
                MethodGroup.For(method).Bind(arguments, checkConversions: true);
                return;
            default:
                throw new ArgumentException($"A {invocation.Kind} invocation is not a .NET invocation.", nameof(invocation));
        }
    }

    /// <summary>Calls the job's invocation and awaits what it returns; the result is the return value, if any.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    public static ValueTask<object?> InvokeAsync(JobContext context, DelegateRegistry registry)
    {
        var job = context.Job;
        switch (job.Invocation)
        {
            case DelegateInvocation call:
                var target = call.Target ?? registry.Get(call.Name);
                if (job.Arguments.IsEmpty && TryInvokeDirect(target, context, out var result))
                {
                    return result;
                }

                var shape = ShapeOf(target);
                if (!shape.TryBind(job.Arguments, out var bound, out var error))
                {
                    throw new ArgumentException(error);
                }

                return bound!.InvokeAsync(context);
            case MethodInvocation method:
                return MethodGroup.For(method).Bind(job.Arguments, checkConversions: false).InvokeAsync(context);
            default:
                throw new NotSupportedException($"A {job.Invocation.Kind} invocation cannot run as .NET code.");
        }
    }

    private static MethodShape ShapeOf(Delegate target) => DelegateShapes.GetValue(target, static d => MethodShape.ForDelegate(d));

    [MethodImpl(DispatchPath.Optimized)]
    private static bool IsDirect(Delegate target)
        => target is Func<JobContext, CancellationToken, Task> or Func<JobContext, Task> or Func<CancellationToken, Task> or Func<Task> or Action<JobContext> or Action;

    // The common delegate shapes are called without reflection: the hot path of a no-op job.
    [MethodImpl(DispatchPath.Optimized)]
    private static bool TryInvokeDirect(Delegate target, JobContext context, out ValueTask<object?> result)
    {
        switch (target)
        {
            case Func<JobContext, CancellationToken, Task> f:
                result = Await(f(context, context.CancellationToken));
                return true;
            case Func<JobContext, Task> f:
                result = Await(f(context));
                return true;
            case Func<CancellationToken, Task> f:
                result = Await(f(context.CancellationToken));
                return true;
            case Func<Task> f:
                result = Await(f());
                return true;
            case Action<JobContext> a:
                a(context);
                result = default;
                return true;
            case Action a:
                a();
                result = default;
                return true;
            default:
                result = default;
                return false;
        }
    }

    private static ValueTask<object?> Await(Task? task)
    {
        if (task is null)
        {
            throw new InvalidOperationException("The job's delegate returned a null task.");
        }

        return task.Status == TaskStatus.RanToCompletion ? default : Slow(task);

        static async ValueTask<object?> Slow(Task task)
        {
            await task.ConfigureAwait(false);
            return null;
        }
    }
}
