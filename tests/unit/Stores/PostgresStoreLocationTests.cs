using Npgsql;
using Scheduler.Stores;
using Scheduler.Tests.Support;

namespace Scheduler.Tests.Stores;

public sealed class PostgresStoreLocationTests
{
    [Theory]
    [InlineData("postgres://ann:s3cret@db1:5433/jobs?schema=nightly&sslmode=prefer", "nightly")]
    [InlineData("postgresql://ann:s3cret@db1:5433/jobs?SCHEMA=nightly", "nightly")]
    [InlineData("Host=db1;Port=5433;Username=ann;Password=s3cret;Database=jobs;Schema=nightly", "nightly")]
    [InlineData("schema=nightly;host=db1;port=5433;user id=ann;pwd=s3cret;database=jobs", "nightly")]
    [InlineData("postgres://ann:s3cret@db1:5433/jobs", "scheduler")]
    [InlineData("Host=db1;Port=5433;Username=ann;Password=s3cret;Database=jobs", "scheduler")]
    public void A_location_names_its_schema_and_is_shown_without_its_password(string text, string schema)
    {
        var location = PostgresStoreLocation.Parse(text);

        Assert.Equal(schema, location.Schema);
        Assert.Equal($"Host=db1;Port=5433;Database=jobs;Username=ann;Schema={schema}", RemoveSslMode(location.Display));
        Assert.Equal(location.Display, location.ToString());
        Assert.DoesNotContain("s3cret", location.Display, StringComparison.Ordinal);
    }

    [Fact]
    public void The_display_form_names_the_same_store()
    {
        var location = PostgresStoreLocation.Parse("postgres://ann:s3cret@db1/jobs?schema=nightly&application_name=x");

        var again = PostgresStoreLocation.Parse(location.Display);

        Assert.Equal(location.Display, again.Display);
        Assert.Equal("nightly", again.Schema);
        Assert.True(JobStore.IsPostgresLocation(location.Display));
    }

    [Theory]
    [InlineData("postgres://ann:s3cret@db1/jobs?schema=1bad")]
    [InlineData("postgres://ann:s3cret@db1/jobs?schema=")]
    [InlineData("Host=db1;Password=s3cret;Schema=no-dashes")]
    [InlineData("Host=db1;Password=s3cret;Bogus=1")]
    [InlineData("Host=db1;Password=s3cret;Port=notaport")]
    [InlineData("postgres://ann:s3cret@[db1/jobs")]
    [InlineData("Host=db1;Password='s3cret")]
    [InlineData("postgres://ann:s3@cret@[db1/jobs")]
    [InlineData("Host=db1;Password='s3;cret';Bogus=1")]
    [InlineData("Host=db1;Password=\"s3;cret\";Bogus=1")]
    [InlineData("Host=db1;Password='it''s;cret';Bogus=1")]
    public void A_location_that_cannot_be_used_is_refused_without_its_password(string text)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => PostgresStoreLocation.Parse(text));

        Assert.DoesNotContain("cret", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Open_makes_the_tables_in_the_named_schema()
    {
        var schema = PostgresServer.NewSchema();
        try
        {
            var location = PostgresStoreLocation.Parse(PostgresServer.ConnectionString + ";Schema=" + schema);
            using (var store = location.Open(null))
            {
                Assert.Equal(0, store.Count);
            }

            using var connection = new NpgsqlConnection(PostgresServer.ConnectionString);
            connection.Open();
            using var command = new NpgsqlCommand("SELECT to_regclass(@table) IS NOT NULL", connection);
            command.Parameters.AddWithValue("table", $"\"{schema}\".jobs");
            Assert.True((bool)command.ExecuteScalar()!);
        }
        finally
        {
            PostgresServer.DropSchema(schema);
        }
    }

    [Fact]
    public void Open_without_creating_finds_no_store_in_an_empty_schema()
    {
        var location = PostgresStoreLocation.Parse(PostgresServer.ConnectionString + ";Schema=" + PostgresServer.NewSchema());

        Assert.Throws<FileNotFoundException>(() => location.Open(PostgresJobStoreOptions.Default with { CreateIfMissing = false }));
    }

    private static string RemoveSslMode(string display)
        => string.Join(";", display.Split(';').Where(part => !part.StartsWith("SSL Mode=", StringComparison.OrdinalIgnoreCase) && !part.StartsWith("Application Name=", StringComparison.OrdinalIgnoreCase)));
}
