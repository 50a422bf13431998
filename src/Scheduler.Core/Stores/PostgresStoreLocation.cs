using System.Data.Common;
using System.Text;
using Scheduler.Internal;

namespace Scheduler.Stores;

/// <summary>
/// A PostgreSQL store named the way a user names a store in one string (<c>schedhost --store</c>,
/// <c>SCHEDHOST_STORE</c>, the cmdlets' <c>-Store</c>): a connection string in either form, with an
/// optional <c>schema</c> parameter that picks the schema holding the store's tables —
/// <c>postgres://user@host/database?schema=jobs</c> or <c>Host=host;Database=database;Schema=jobs</c>.
/// The front-ends share this rule, as they share <see cref="DefaultStorePath"/>.
/// </summary>
/// <remarks>
/// One string names the whole store because everything that carries a store carries one string: an
/// environment variable, a systemd unit, a job object piped from one cmdlet to another. The schema
/// parameter is taken out before the rest reaches Npgsql, which does not know it; without it the store is
/// in <see cref="PostgresJobStoreOptions.Schema"/>'s default schema.
/// </remarks>
public sealed class PostgresStoreLocation
{
    private const string SchemaKey = "schema";

    private readonly string connectionString;

    private PostgresStoreLocation(string connectionString, string schema, string display)
    {
        this.connectionString = connectionString;
        Schema = schema;
        Display = display;
    }

    /// <summary>The schema that holds the store's tables: the one the location names, else the default (<c>scheduler</c>).</summary>
    public string Schema { get; }

    /// <summary>
    /// The location without its password, in Npgsql's form and with the schema
    /// (<c>Host=db1;Port=5432;Username=scheduler;Database=jobs;Schema=scheduler</c>): what messages and
    /// output show, and itself a location of the same store (the password then comes from a password file or
    /// <c>PGPASSWORD</c>).
    /// </summary>
    public string Display { get; }

    /// <summary>Reads a location; <see cref="JobStore.IsPostgresLocation"/> tells whether a store location is one.</summary>
    /// <param name="location"><c>postgres://</c> or <c>postgresql://</c> URI, or Npgsql's <c>Host=...;...</c>, with an optional schema parameter.</param>
    /// <exception cref="ArgumentNullException"><paramref name="location"/> is null.</exception>
    /// <exception cref="ArgumentException">The text is not a connection string, or the schema is not a plain identifier; the message never contains the password.</exception>
    public static PostgresStoreLocation Parse(string location)
    {
        if (location is null)
        {
            throw new ArgumentNullException(nameof(location));
        }

        var text = location.Trim();
        var isUri = text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase);
        string? named;
        string rest;
        Npgsql.NpgsqlConnectionStringBuilder builder;
        try
        {
            (rest, named) = isUri ? TakeFromUri(text) : TakeFromKeywords(text);
            builder = PostgresLocation.Parse(rest);
        }
        catch (ArgumentException)
        {
            // The parsers' messages may quote the text, password included; this one quotes all of it, without.
            throw new ArgumentException($"'{PostgresLocation.Redact(text)}' is not a PostgreSQL connection string: use postgres://user@host:5432/database?schema=NAME or Host=...;Database=...;Username=...;Schema=NAME.", nameof(location));
        }

        string schema;
        try
        {
            schema = named is null ? PostgresJobStoreOptions.Default.Schema : (PostgresJobStoreOptions.Default with { Schema = named }).Schema;
        }
        catch (ArgumentException invalid)
        {
            throw new ArgumentException($"The store '{Canonical(PostgresLocation.Display(builder))}' names a schema that cannot be used: {ExceptionText.FirstLine(invalid)}", nameof(location), invalid);
        }

        return new PostgresStoreLocation(rest, schema, $"{Canonical(PostgresLocation.Display(builder))};Schema={schema}");
    }

    /// <summary>Opens the store (see <see cref="JobStore.CreatePostgres"/>) in the location's <see cref="Schema"/>, whatever <paramref name="options"/> say.</summary>
    /// <param name="options">History, cluster timings and whether a missing schema is created; null for the defaults.</param>
    /// <exception cref="IOException">The server cannot be reached, or refuses the login or the schema.</exception>
    /// <exception cref="InvalidDataException">The schema was written by a newer version of Scheduler.</exception>
    /// <exception cref="FileNotFoundException">The schema holds no store and <see cref="PostgresJobStoreOptions.CreateIfMissing"/> is false.</exception>
    public JobStore Open(PostgresJobStoreOptions? options)
        => JobStore.CreatePostgres(connectionString, (options ?? PostgresJobStoreOptions.Default) with { Schema = Schema });

    /// <summary>The <see cref="Display"/> form: never the password.</summary>
    public override string ToString() => Display;

    /// <summary>
    /// The keywords in one order however the user wrote them (where the server is first, then the rest by
    /// name), so one store has one display form: the PowerShell module finds a store's open session by it.
    /// </summary>
    private static string Canonical(string display)
    {
        var keywords = new DbConnectionStringBuilder { ConnectionString = display };
        var first = new[] { "Host", "Port", "Database", "Username" };
        var ordered = new DbConnectionStringBuilder();
        foreach (var key in first.Concat(keywords.Keys.Cast<string>().Except(first, StringComparer.OrdinalIgnoreCase).OrderBy(key => key, StringComparer.OrdinalIgnoreCase)))
        {
            if (keywords.TryGetValue(key, out var value))
            {
                ordered[key] = value;
            }
        }

        return ordered.ConnectionString;
    }

    /// <summary>The URI without its schema parameter, and the schema it names.</summary>
    private static (string Remainder, string? Schema) TakeFromUri(string text)
    {
        var query = text.IndexOf('?');
        if (query < 0)
        {
            return (text, null);
        }

        string? schema = null;
        var kept = new List<string>();
        foreach (var pair in text.Substring(query + 1).Split(['&'], StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var key = Uri.UnescapeDataString(equals < 0 ? pair.AsSpan() : pair.AsSpan(0, equals));
            if (string.Equals(key, SchemaKey, StringComparison.OrdinalIgnoreCase))
            {
                schema = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair.AsSpan(equals + 1));
            }
            else
            {
                kept.Add(pair);
            }
        }

        var rest = new StringBuilder(text, 0, query, text.Length);
        if (kept.Count > 0)
        {
            rest.Append('?').Append(string.Join("&", kept));
        }

        return (rest.ToString(), schema);
    }

    /// <summary>The keyword form without its Schema keyword, and the schema it names.</summary>
    /// <exception cref="ArgumentException">The text is not a list of keywords and values.</exception>
    private static (string Remainder, string? Schema) TakeFromKeywords(string text)
    {
        var keywords = new DbConnectionStringBuilder { ConnectionString = text };
        if (!keywords.TryGetValue(SchemaKey, out var value))
        {
            return (text, null);
        }

        keywords.Remove(SchemaKey);
        return (keywords.ConnectionString, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
    }
}
