using System.Globalization;
using System.Text;

namespace Scheduler.Benchmarks.Engine;

/// <summary>Prints a workload's result as one JSON line.</summary>
internal static class Json
{
    public static void Print(string workload, string system, params (string Name, object Value)[] fields)
    {
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"{{\"workload\":\"{workload}\",\"system\":\"{system}\"");
        foreach (var (name, value) in fields)
        {
            line.Append(",\"").Append(name).Append("\":");
            line.Append(value switch
            {
                string text => $"\"{text}\"",
                bool flag => flag ? "true" : "false",
                double number => number.ToString("0.####", CultureInfo.InvariantCulture),
                IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
                _ => $"\"{value}\"",
            });
        }

        Console.WriteLine(line.Append('}').ToString());
    }
}
