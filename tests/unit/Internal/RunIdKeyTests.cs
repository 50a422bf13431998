namespace Scheduler.Tests.Internal;

public sealed class RunIdKeyTests
{
    [Fact]
    public void Generated_ids_round_trip_through_their_bits()
    {
        for (var i = 0; i < 1000; i++)
        {
            var id = Ids.New();

            Assert.Equal(id, RunIdKey.From(id).ToString());
            Assert.Equal(RunIdKey.From(id), RunIdKey.From(new string(id.ToCharArray())));
        }
    }

    [Theory]
    [InlineData("ABCDEF0123456789")]
    [InlineData("0123456789abcde")]
    [InlineData("0123456789abcdef0")]
    [InlineData("run-1")]
    [InlineData("")]
    public void Ids_of_any_other_form_are_kept_as_given(string id)
    {
        Assert.Equal(id, RunIdKey.From(id).ToString());
        Assert.NotEqual(RunIdKey.From(id), RunIdKey.From("0000000000000000"));
    }

    [Fact]
    public void No_id_stays_no_id_and_differs_from_every_id()
    {
        Assert.True(RunIdKey.From(null).IsEmpty);
        Assert.Null(RunIdKey.From(null).ToString());
        Assert.NotEqual(RunIdKey.From(null), RunIdKey.From("0000000000000000"));
        Assert.NotEqual(RunIdKey.From(null), RunIdKey.From(string.Empty));
    }
}
