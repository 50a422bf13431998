using System.Management.Automation;
using System.Reflection;

namespace Scheduler.PowerShell;

/// <summary>
/// Lets scripts in PowerShell 7 name the engine's public types (<c>[Scheduler.Triggers.CronTrigger]</c>,
/// <c>[Scheduler.Jobs.OverlapPolicy]::Queue</c>) although the engine lives in the module's own load
/// context, whose types PowerShell's type-name lookup does not search.
/// </summary>
/// <remarks>
/// Each public type is registered as a type accelerator under its full name, so a script spells it as it
/// would if the engine were in the default context. PowerShell keeps accelerators in an internal class
/// that modules commonly use this way; should a version not have it, names simply stay unresolved, and
/// every cmdlet works as before. They stay after Remove-Module, as the engine's types would in the
/// default context: the assembly stays loaded, and objects of its types may still be in variables.
/// </remarks>
internal static class EngineTypeNames
{
    private static readonly object Gate = new();
    private static bool registered;

    public static void Register(Assembly engine)
    {
        lock (Gate)
        {
            if (registered || Accelerators() is not { } accelerators)
            {
                return;
            }

            var add = accelerators.GetMethod("Add", [typeof(string), typeof(Type)]);
            var existing = accelerators.GetProperty("Get")?.GetValue(null) as IDictionary<string, Type>;
            if (add is null || existing is null)
            {
                return;
            }

            foreach (var type in engine.GetExportedTypes())
            {
                if (type.IsGenericTypeDefinition || type.FullName is not { } name || existing.ContainsKey(name))
                {
                    continue;
                }

                add.Invoke(null, [name, type]);
            }

            registered = true;
        }
    }

    private static Type? Accelerators() => typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");
}
