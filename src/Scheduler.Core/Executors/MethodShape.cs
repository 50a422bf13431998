using System.Globalization;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Scheduler.Jobs;


namespace Scheduler.Executors;

/// <summary>
/// A callable .NET method or delegate with what the scheduler needs to call it: which parameters are
/// injected (context, token), which are bound from the job's arguments, and how to await its result.
/// </summary>
internal sealed class MethodShape
{
    private static readonly JsonSerializerOptions ConversionOptions = CreateConversionOptions();

    private readonly ParameterInfo[] parameters;
    private readonly ParameterRole[] roles;
    private readonly Delegate? target;
    private readonly PropertyInfo? resultProperty;
    private readonly MethodInfo? asTask;

    private MethodShape(MethodInfo method, ParameterInfo[] parameters, Delegate? target)
    {
        Method = method;
        this.parameters = parameters;
        this.target = target;
        roles = new ParameterRole[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            var type = parameters[i].ParameterType;
            roles[i] = type == typeof(JobContext) ? ParameterRole.Context
                : type == typeof(CancellationToken) ? ParameterRole.CancellationToken
                : ParameterRole.Value;
        }

        var returnType = method.ReturnType;
        if (returnType == typeof(void))
        {
            ReturnKind = ReturnKind.Void;
        }
        else if (returnType == typeof(Task))
        {
            ReturnKind = ReturnKind.Task;
        }
        else if (returnType == typeof(ValueTask))
        {
            ReturnKind = ReturnKind.ValueTask;
        }
        else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            ReturnKind = ReturnKind.TaskOfResult;
            resultProperty = returnType.GetProperty(nameof(Task<int>.Result));
        }
        else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            ReturnKind = ReturnKind.ValueTaskOfResult;
            asTask = returnType.GetMethod(nameof(ValueTask<int>.AsTask), Type.EmptyTypes);
            resultProperty = typeof(Task<>).MakeGenericType(returnType.GetGenericArguments()[0]).GetProperty(nameof(Task<int>.Result));
        }
        else
        {
            ReturnKind = ReturnKind.Value;
        }
    }

    public MethodInfo Method { get; }

    public ReturnKind ReturnKind { get; }

    /// <summary>How the signature reads in error messages: <c>Type.Method(int count, string name)</c>.</summary>
    public string Signature
    {
        get
        {
            var text = new StringBuilder();
            text.Append(Method.DeclaringType?.FullName).Append('.').Append(Method.Name).Append('(');
            for (var i = 0; i < parameters.Length; i++)
            {
                if (i > 0)
                {
                    text.Append(", ");
                }

                text.Append(parameters[i].ParameterType.Name).Append(' ').Append(parameters[i].Name);
            }

            return text.Append(')').ToString();
        }
    }

    public static MethodShape ForMethod(MethodInfo method) => new(method, method.GetParameters(), target: null);

    public static MethodShape ForDelegate(Delegate target)
    {
        var method = target.Method;
        var parameters = method.GetParameters();
        var invoke = target.GetType().GetMethod("Invoke")!;
        var invokeParameters = invoke.GetParameters();

        // A delegate closed over its first argument has one parameter fewer than its method; its
        // Invoke signature is the one callers bind to (the method's names are nicer when they match).
        return parameters.Length == invokeParameters.Length
            ? new MethodShape(method, parameters, target)
            : new MethodShape(invoke, invokeParameters, target);
    }

    /// <summary>Matches the job's arguments to the parameters, or says why they do not match.</summary>
    public bool TryBind(JobArguments arguments, out BoundCall? call, out string? error)
    {
        call = null;
        var sources = new ArgumentSource[parameters.Length];
        var valueCount = 0;
        foreach (var role in roles)
        {
            if (role == ParameterRole.Value)
            {
                valueCount++;
            }
        }

        var positional = arguments.Positional;
        if (positional.Count > valueCount)
        {
            error = $"{Signature} takes {Plural(valueCount, "argument")} but {positional.Count} positional were given.";
            return false;
        }

        foreach (var given in arguments.Named.Keys)
        {
            if (!HasValueParameter(given))
            {
                error = $"{Signature} has no parameter named '{given}'.";
                return false;
            }
        }

        var nextPositional = 0;
        for (var i = 0; i < parameters.Length; i++)
        {
            switch (roles[i])
            {
                case ParameterRole.Context:
                    sources[i] = ArgumentSource.Context;
                    continue;
                case ParameterRole.CancellationToken:
                    sources[i] = ArgumentSource.CancellationToken;
                    continue;
            }

            var name = parameters[i].Name ?? string.Empty;
            var named = arguments.Named.TryGetValue(name, out var namedValue);
            if (nextPositional < positional.Count)
            {
                if (named)
                {
                    error = $"The argument '{name}' of {Signature} is given both by position and by name.";
                    return false;
                }

                sources[i] = ArgumentSource.FromValue(positional[nextPositional++]);
            }
            else if (named)
            {
                sources[i] = ArgumentSource.FromValue(namedValue);
            }
            else if (parameters[i].IsOptional)
            {
                sources[i] = ArgumentSource.Default;
            }
            else
            {
                error = $"{Signature} needs the argument '{name}', which was not given.";
                return false;
            }
        }

        call = new BoundCall(this, sources);
        error = null;
        return true;
    }

    private bool HasValueParameter(string name)
    {
        for (var i = 0; i < parameters.Length; i++)
        {
            if (roles[i] == ParameterRole.Value && string.Equals(parameters[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Converts every bound value once, to report a value of the wrong type when the job is added.</summary>
    public bool TryConvertAll(BoundCall call, out string? error)
    {
        for (var i = 0; i < parameters.Length; i++)
        {
            if (call.Sources[i].Kind == ArgumentSourceKind.Value && !TryConvert(i, call.Sources[i].Value, out _, out error))
            {
                return false;
            }
        }

        error = null;
        return true;
    }

    public ValueTask<object?> InvokeAsync(ArgumentSource[] sources, JobContext context)
    {
        var values = new object?[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            var source = sources[i];
            values[i] = source.Kind switch
            {
                ArgumentSourceKind.Context => context,
                ArgumentSourceKind.CancellationToken => context.CancellationToken,
                ArgumentSourceKind.Default => DefaultFor(parameters[i]),
                _ => TryConvert(i, source.Value, out var converted, out var error)
                    ? converted
                    : throw new ArgumentException(error),
            };
        }

        object? returned;
        try
        {
            returned = target is null ? Method.Invoke(null, values) : target.DynamicInvoke(values);
        }
        catch (TargetInvocationException wrapped) when (wrapped.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(wrapped.InnerException).Throw();
            throw;
        }

        return AwaitResult(returned);
    }

    /// <summary>Awaits whatever the method returned, according to its declared return type.</summary>
    public ValueTask<object?> AwaitResult(object? returned)
    {
        switch (ReturnKind)
        {
            case ReturnKind.Void:
                return default;
            case ReturnKind.Value:
                return new ValueTask<object?>(returned);
            case ReturnKind.ValueTask:
                return AwaitTask(((ValueTask)returned!).AsTask(), resultProperty: null);
            case ReturnKind.ValueTaskOfResult:
                return AwaitTask((Task)asTask!.Invoke(returned, null)!, resultProperty);
            default:
                return returned is Task task
                    ? AwaitTask(task, resultProperty)
                    : throw new InvalidOperationException($"{Signature} returned a null task.");
        }
    }

    private static ValueTask<object?> AwaitTask(Task task, PropertyInfo? resultProperty)
    {
        if (task.Status == TaskStatus.RanToCompletion)
        {
            return new ValueTask<object?>(resultProperty?.GetValue(task));
        }

        return Slow(task, resultProperty);

        static async ValueTask<object?> Slow(Task task, PropertyInfo? resultProperty)
        {
            await task.ConfigureAwait(false);
            return resultProperty?.GetValue(task);
        }
    }

    private bool TryConvert(int index, JsonElement value, out object? converted, out string? error)
    {
        var parameter = parameters[index];
        try
        {
            converted = value.Deserialize(parameter.ParameterType, ConversionOptions);
            if (converted is null && parameter.ParameterType.IsValueType && Nullable.GetUnderlyingType(parameter.ParameterType) is null)
            {
                error = $"The argument '{parameter.Name}' of {Signature} cannot be null.";
                return false;
            }

            error = null;
            return true;
        }
        catch (Exception failure) when (failure is JsonException or NotSupportedException or InvalidOperationException or ArgumentException or FormatException)
        {
            converted = null;
            error = string.Format(
                CultureInfo.InvariantCulture,
                "The argument '{0}' of {1} ({2}) cannot be converted to {3}: {4}",
                parameter.Name,
                Signature,
                Truncate(value.GetRawText()),
                parameter.ParameterType.Name,
                failure.Message);
            return false;
        }
    }

    private static object? DefaultFor(ParameterInfo parameter)
    {
        if (parameter.HasDefaultValue && parameter.DefaultValue is not DBNull && parameter.DefaultValue is not System.Reflection.Missing)
        {
            return parameter.DefaultValue;
        }

        // default(T) of the method's own parameter type: never a type named by data.
        return parameter.ParameterType.IsValueType ? Activator.CreateInstance(parameter.ParameterType) : null;
    }

    private static string Truncate(string text) => text.Length <= 60 ? text : string.Concat(text.Substring(0, 57), "...");

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    private static JsonSerializerOptions CreateConversionOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNameCaseInsensitive = true,
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        return options;
    }
}

internal enum ParameterRole
{
    Value,
    Context,
    CancellationToken,
}

internal enum ReturnKind
{
    Void,
    Value,
    Task,
    TaskOfResult,
    ValueTask,
    ValueTaskOfResult,
}

internal enum ArgumentSourceKind
{
    Value,
    Default,
    Context,
    CancellationToken,
}

/// <summary>Where one parameter's value comes from.</summary>
internal readonly struct ArgumentSource
{
    private ArgumentSource(ArgumentSourceKind kind, JsonElement value)
    {
        Kind = kind;
        Value = value;
    }

    public static ArgumentSource Default => new(ArgumentSourceKind.Default, default);

    public static ArgumentSource Context => new(ArgumentSourceKind.Context, default);

    public static ArgumentSource CancellationToken => new(ArgumentSourceKind.CancellationToken, default);

    public ArgumentSourceKind Kind { get; }

    public JsonElement Value { get; }

    public static ArgumentSource FromValue(JsonElement value) => new(ArgumentSourceKind.Value, value);
}

/// <summary>A method with the job's arguments matched to its parameters.</summary>
internal sealed class BoundCall(MethodShape shape, ArgumentSource[] sources)
{
    public MethodShape Shape { get; } = shape;

    public ArgumentSource[] Sources { get; } = sources;

    public ValueTask<object?> InvokeAsync(JobContext context) => Shape.InvokeAsync(Sources, context);
}
