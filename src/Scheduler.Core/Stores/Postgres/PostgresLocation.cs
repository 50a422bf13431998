using System.Globalization;
using Npgsql;

namespace Scheduler.Stores;

/// <summary>
/// Where a PostgreSQL store lives: a connection string in either form users write it —
/// <c>postgres://user:password@host:5432/database?sslmode=require</c> or Npgsql's
/// <c>Host=...;Database=...;Username=...</c> — and the same without its password, for every message.
/// </summary>
internal static class PostgresLocation
{
    /// <summary>Whether the text names a PostgreSQL store rather than a file.</summary>
    public static bool IsPostgres(string? location)
    {
        if (string.IsNullOrWhiteSpace(location))
        {
            return false;
        }

        var text = location!.TrimStart();
        if (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // Npgsql's key=value form names a host; a file path does not.
        return text.IndexOf('=') > 0 && text.IndexOf("host=", StringComparison.OrdinalIgnoreCase) >= 0;
    }

    /// <summary>The Npgsql connection string for a location in either form.</summary>
    /// <exception cref="ArgumentException">The text is not a connection string; the message never contains a password.</exception>
    public static NpgsqlConnectionStringBuilder Parse(string location)
    {
        if (location is null)
        {
            throw new ArgumentNullException(nameof(location));
        }

        var text = location.Trim();
        try
        {
            return text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
                ? FromUri(text)
                : new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception error) when (error is ArgumentException or FormatException or UriFormatException or KeyNotFoundException)
        {
            // The parsers' messages may quote the text, password included.
            throw new ArgumentException($"'{Redact(text)}' is not a PostgreSQL connection string: use postgres://user@host:5432/database or Host=...;Database=...;Username=....", nameof(location));
        }
    }

    /// <summary>The connection string without its password: what messages, logs and errors show.</summary>
    public static string Display(NpgsqlConnectionStringBuilder builder)
    {
        var shown = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Password = null };
        return shown.ConnectionString;
    }

    /// <summary>Text that may hold a password with every password in it replaced, for an error about unreadable input.</summary>
    public static string Redact(string text)
    {
        // A password may hold an unescaped '@' (the user info ends at the last one before the path) and,
        // quoted, a ';' (a quoted value ends at its closing quote; a doubled quote stands for one).
        var uri = System.Text.RegularExpressions.Regex.Replace(text, @"(://[^:/@]*:)[^/?#]*@", "$1***@");
        return System.Text.RegularExpressions.Regex.Replace(uri, @"(?i)(password|pwd)\s*=\s*(""(?:[^""]|"""")*""?|'(?:[^']|'')*'?|[^;]*)", "$1=***");
    }

    private static NpgsqlConnectionStringBuilder FromUri(string text)
    {
        var uri = new Uri(text);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
        };
        var path = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (path.Length > 0)
        {
            builder.Database = path;
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':');
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo.AsSpan() : uri.UserInfo.AsSpan(0, colon));
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo.AsSpan(colon + 1));
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split(['&'], StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var key = Uri.UnescapeDataString(equals < 0 ? pair.AsSpan() : pair.AsSpan(0, equals));
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair.AsSpan(equals + 1));
            builder[Keyword(key)] = value;
        }

        return builder;
    }

    // The URI parameters libpq users know, mapped to Npgsql's keywords; others are passed as they are.
    private static string Keyword(string key) => key.ToLowerInvariant() switch
    {
        "sslmode" => "SSL Mode",
        "connect_timeout" => "Timeout",
        "application_name" => "Application Name",
        "target_session_attrs" => "Target Session Attributes",
        "options" => "Options",
        _ => key.ToString(CultureInfo.InvariantCulture),
    };
}
