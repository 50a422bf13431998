using System.Diagnostics;
using Npgsql;

namespace Scheduler.Tests.Support;

/// <summary>
/// The PostgreSQL server of the tests: the one <c>SCHEDULER_TEST_POSTGRES</c> names (CI starts one), else a
/// throwaway cluster started for this test run with tests/postgres/cluster.sh and stopped when it ends.
/// Each test takes a schema of its own, so tests never see each other's tables.
/// </summary>
public static class PostgresServer
{
    /// <summary>The environment variable with the connection string of a running server.</summary>
    public const string EnvironmentVariable = "SCHEDULER_TEST_POSTGRES";

    private static readonly Lazy<string> LazyConnectionString = new(Start);

    /// <summary>The connection string of the test database (with its password).</summary>
    public static string ConnectionString => LazyConnectionString.Value;

    /// <summary>A new schema name for one test.</summary>
    public static string NewSchema() => "t_" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>Drops a test's schema (best effort).</summary>
    public static void DropSchema(string schema)
    {
        try
        {
            using var connection = new NpgsqlConnection(ConnectionString);
            connection.Open();
            using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
            command.ExecuteNonQuery();
        }
        catch (NpgsqlException)
        {
        }
    }

    private static string Start()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            return given;
        }

        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Scheduler.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("No Scheduler.sln above the test assembly.");
        }

        var script = Path.Combine(root, "tests", "postgres", "cluster.sh");
        var folder = Path.Combine(Path.GetTempPath(), "scheduler-pg-" + Guid.NewGuid().ToString("N")[..8]);
        var output = RunScript(script, "start", folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => RunScript(script, "stop", folder);
        return output.Trim();
    }

    private static string RunScript(string script, string verb, string folder)
    {
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(verb);
        start.ArgumentList.Add(folder);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"No PostgreSQL server for the tests: set {EnvironmentVariable} to a connection string, or install PostgreSQL so tests/postgres/cluster.sh can start one. It said: {error.Trim()}");
        }

        return output;
    }
}
