using System.Globalization;
using Scheduler.Internal;
using Scheduler.Tests.Support;

namespace Scheduler.Tests.Internal;

/// <summary>Giving a finished file its name only if no file has it yet: what lets many processes create one store at once.</summary>
public sealed class FilePlacementTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Of_many_placers_racing_for_one_name_exactly_one_wins_and_the_name_keeps_its_file()
    {
        // Each round releases twelve placers at once. File.Move on Unix checks for the target and then
        // renames, which replaces a file placed in between: with it, 161 rounds of 200 had two to six
        // winners here, and the name kept only the last one's file.
        const int Placers = 12;
        for (var round = 0; round < 200; round++)
        {
            var target = folder.File($"store-{round}.db");
            var sources = Enumerable.Range(0, Placers).Select(i => folder.File($".store-{round}.{i}.new")).ToArray();
            for (var i = 0; i < Placers; i++)
            {
                File.WriteAllText(sources[i], i.ToString(CultureInfo.InvariantCulture));
            }

            var placed = new bool[Placers];
            using (var ready = new Barrier(Placers))
            {
                var threads = Enumerable.Range(0, Placers).Select(i => new Thread(() =>
                {
                    ready.SignalAndWait();
                    placed[i] = FilePlacement.TryPlace(sources[i], target);
                })).ToList();
                threads.ForEach(t => t.Start());
                threads.ForEach(t => t.Join());
            }

            var winners = Enumerable.Range(0, Placers).Where(i => placed[i]).ToList();
            Assert.Single(winners);
            Assert.Equal(winners[0].ToString(CultureInfo.InvariantCulture), File.ReadAllText(target));
        }
    }

    [Fact]
    public void A_name_that_is_taken_keeps_its_file_and_the_source_is_left_as_it_was()
    {
        var target = folder.File("store.db");
        var source = folder.File(".store.new");
        File.WriteAllText(target, "first");
        File.WriteAllText(source, "second");

        Assert.False(FilePlacement.TryPlace(source, target));

        Assert.Equal("first", File.ReadAllText(target));
        Assert.Equal("second", File.ReadAllText(source));
    }

    [Fact]
    public void A_free_name_gets_the_file()
    {
        var target = folder.File("store.db");
        var source = folder.File(".store.new");
        File.WriteAllText(source, "made");

        Assert.True(FilePlacement.TryPlace(source, target));

        Assert.Equal("made", File.ReadAllText(target));
    }
}
