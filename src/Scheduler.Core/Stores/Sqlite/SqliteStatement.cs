using Microsoft.Data.Sqlite;

namespace Scheduler.Stores;

/// <summary>
/// A command prepared once and executed many times with new parameter values: SQLite compiles the
/// statement on first use and keeps it, which is most of the speed of bulk adds and dispatches. Damage
/// that SQLite meets in the file, and a file out of reach (a full disk, an I/O error, a lock held too
/// long), become the store's own errors (<c>onError</c>), wherever they are met.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly SqliteCommand command;
    private readonly SqliteParameter[] parameters;
    private readonly Func<SqliteException, Exception> onError;

    public SqliteStatement(SqliteConnection connection, string sql, Func<SqliteException, Exception> onError, params string[] parameterNames)
    {
        this.onError = onError;
        command = connection.CreateCommand();
#pragma warning disable CA2100 // The SQL is a constant of the store; values are always parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        parameters = new SqliteParameter[parameterNames.Length];
        for (var i = 0; i < parameterNames.Length; i++)
        {
            parameters[i] = command.Parameters.Add(new SqliteParameter { ParameterName = parameterNames[i], Value = DBNull.Value });
        }
    }

    public SqliteStatement Set(int index, object? value)
    {
        parameters[index].Value = value ?? DBNull.Value;
        return this;
    }

    public SqliteStatement Set(int index, long value)
    {
        parameters[index].Value = value;
        return this;
    }

    public SqliteStatement Set(int index, long? value)
    {
        parameters[index].Value = value is { } some ? some : DBNull.Value;
        return this;
    }

    public int Execute()
    {
        try
        {
            return command.ExecuteNonQuery();
        }
        catch (SqliteException error) when (SqliteJobStore.IsStoreError(error))
        {
            throw onError(error);
        }
    }

    public object? Scalar()
    {
        try
        {
            return command.ExecuteScalar();
        }
        catch (SqliteException error) when (SqliteJobStore.IsStoreError(error))
        {
            throw onError(error);
        }
    }

    /// <summary>The rows; read them with the store's <c>Next</c>, which turns errors met on the way into its own too.</summary>
    public SqliteDataReader Query()
    {
        try
        {
            return command.ExecuteReader();
        }
        catch (SqliteException error) when (SqliteJobStore.IsStoreError(error))
        {
            throw onError(error);
        }
    }

    public void Dispose() => command.Dispose();
}
