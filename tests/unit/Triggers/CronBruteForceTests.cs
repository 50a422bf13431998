using System.Globalization;
using System.Text;
using Scheduler.Triggers;
using Xunit.Abstractions;

namespace Scheduler.Tests.Triggers;

/// <summary>
/// Thousands of random expressions, evaluated by <see cref="CronTrigger"/> (in UTC) and by a naive
/// matcher that knows nothing of NCrontab or of the trigger's parser: the generator records the set
/// of values each element it writes stands for, and the matcher walks the calendar day by day and
/// each matching day minute by minute (second by second for six and seven fields).
/// </summary>
public sealed class CronBruteForceTests(ITestOutputHelper output)
{
    private const int FireTimesCompared = 10;
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    [Theory]
    [InlineData(20240101, 4000, false)]
    [InlineData(20240229, 2000, true)]
    public void The_trigger_agrees_with_a_naive_matcher(int seed, int expressions, bool withSeconds)
    {
        var random = new Random(seed);
        var failures = new List<string>();
        var impossible = 0;
        for (var i = 0; i < expressions && failures.Count < 10; i++)
        {
            var spec = Spec.Generate(random, withSeconds);
            var from = new DateTime(2019, 1, 1).AddTicks((long)(random.NextDouble() * (16 * 365 * TimeSpan.TicksPerDay)));
            if (random.Next(4) == 0)
            {
                // Whole seconds: at-or-after must include a fire time that falls exactly on them.
                from = new DateTime(from.Ticks - (from.Ticks % TimeSpan.TicksPerSecond));
            }

            CronTrigger trigger;
            try
            {
                trigger = new CronTrigger(spec.Text, TimeZoneInfo.Utc);
            }
            catch (FormatException error) when (error.Message.Contains("never fires", StringComparison.Ordinal))
            {
                impossible++;
                if (spec.FiresSomeDay())
                {
                    failures.Add($"'{spec.Text}' was rejected as never firing, but it does: {error.Message}");
                }

                continue;
            }

            var until = from.AddYears(withSeconds ? 3 : 12);
            var expected = spec.Matches(from, until).Take(FireTimesCompared).ToList();
            var actual = trigger.GetFireTimes(new DateTimeOffset(from, TimeSpan.Zero), FireTimesCompared)
                .Select(t => t.UtcDateTime)
                .Where(t => t < until)
                .ToList();
            if (!expected.SequenceEqual(actual))
            {
                failures.Add(
                    $"'{spec.Text}' from {from:O}:\n  naive   {string.Join(", ", expected.Select(Show))}\n  trigger {string.Join(", ", actual.Select(Show))}");
            }
        }

        output.WriteLine($"{expressions} expressions, {impossible} rejected as never firing.");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(impossible < expressions / 10, "The generator should mostly write expressions that fire.");
    }

    /// <summary>
    /// The same naive matcher in zones with DST, its wall-clock matches mapped to instants by the
    /// documented rule with nothing but <see cref="TimeZoneInfo.GetUtcOffset(DateTime)"/>: a time in a
    /// gap fires at the first instant after it, a time in an overlap in the first pass (and in the
    /// second too when the expression is interval-like). Most of these zones change their clocks at
    /// midnight, so the hours are mostly early ones and the day fields the ones that pick a single day
    /// of the month (L, L-n, #n, last weekday, lists); the searches start at, just before and just after
    /// the changes.
    /// </summary>
    [Theory]
    [InlineData("Asia/Amman", 31)]
    [InlineData("Asia/Beirut", 32)]
    [InlineData("America/Santiago", 33)]
    [InlineData("America/Havana", 34)]
    [InlineData("Africa/Cairo", 35)]
    [InlineData("America/Sao_Paulo", 36)]
    [InlineData("America/Asuncion", 37)]
    [InlineData("Asia/Tehran", 38)]
    [InlineData("Europe/Berlin", 39)]
    [InlineData("America/New_York", 40)]
    [InlineData("Australia/Lord_Howe", 41)]
    [InlineData("Pacific/Chatham", 42)]
    public void The_trigger_agrees_with_a_naive_matcher_across_dst_changes(string zoneId, int seed)
    {
        var zone = TimeZones.Resolve(zoneId);
        var changes = ZoneOffsetsTests.OffsetChanges(zone, 2000, 2030).Select(change => Exact(change, zone)).ToList();
        Assert.NotEmpty(changes);
        var random = new Random(seed);
        var failures = new List<string>();
        var atChange = 0;
        for (var i = 0; i < 300 && failures.Count < 10; i++)
        {
            var spec = Spec.Generate(random, withSeconds: random.Next(5) == 0, earlyHours: random.Next(4) != 0);
            CronTrigger trigger;
            try
            {
                trigger = new CronTrigger(spec.Text, zone);
            }
            catch (FormatException error) when (error.Message.Contains("never fires", StringComparison.Ordinal))
            {
                continue;
            }

            var change = changes[random.Next(changes.Count)];
            var from = random.Next(4) switch
            {
                0 => change,
                1 => change.AddMinutes(random.Next(-90, 91)),
                2 => change.AddTicks(random.Next(2) == 0 ? -1 : 1),
                _ => change.AddTicks((long)((random.NextDouble() - 0.75) * 4 * TimeSpan.TicksPerDay)),
            };
            from = TimeZoneInfo.ConvertTime(from, zone);
            atChange += from == change ? 1 : 0;
            var expected = NaiveFireTimes(spec, zone, from, FireTimesCompared).Select(Format).ToList();
            var actual = trigger.GetFireTimes(from, expected.Count).Select(Format).ToList();
            if (!expected.SequenceEqual(actual))
            {
                failures.Add(
                    $"'{spec.Text}' in {zoneId} from {Format(from)}:\n  naive   {string.Join(", ", expected)}\n  trigger {string.Join(", ", actual)}");
            }
        }

        output.WriteLine($"{atChange} searches started exactly at a change.");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Exactly_the_expressions_that_can_never_fire_are_rejected()
    {
        var random = new Random(20250228);
        var rejected = 0;
        for (var i = 0; i < 400; i++)
        {
            var spec = Spec.GenerateRare(random);
            bool accepted;
            try
            {
                _ = new CronTrigger(spec.Text, TimeZoneInfo.Utc);
                accepted = true;
            }
            catch (FormatException error) when (error.Message.Contains("never fires", StringComparison.Ordinal))
            {
                accepted = false;
                rejected++;
            }

            Assert.True(accepted == spec.FiresSomeDay(), $"'{spec.Text}' was {(accepted ? "accepted" : "rejected")}.");
        }

        output.WriteLine($"{rejected} of 400 rejected as never firing.");
        Assert.InRange(rejected, 40, 360);
    }

    private static string Format(DateTimeOffset instant) => instant.ToString("yyyy-MM-dd HH:mm:ss zzz ddd", CultureInfo.InvariantCulture);

    /// <summary>
    /// The first <paramref name="count"/> fire times at or after <paramref name="from"/> within two years,
    /// by the documented DST rule applied to every matching wall-clock time.
    /// </summary>
    private static List<DateTimeOffset> NaiveFireTimes(Spec spec, TimeZoneInfo zone, DateTimeOffset from, int count)
    {
        var fromWall = Wall(from.UtcDateTime, zone);
        var untilWall = fromWall.AddYears(2);
        var found = new SortedSet<DateTime>();
        DateTime? enoughAt = null;
        foreach (var wall in spec.Matches(fromWall.AddDays(-1), untilWall))
        {
            // Instants come out of wall-clock order only within an overlap or a gap, hours at most.
            if (enoughAt is { } enough && wall > enough.AddDays(1))
            {
                break;
            }

            foreach (var utc in Instants(wall, zone, spec.IntervalLike))
            {
                if (utc >= from.UtcDateTime)
                {
                    found.Add(utc);
                }
            }

            if (enoughAt is null && found.Count >= count)
            {
                enoughAt = wall;
            }
        }

        return found.Take(count).Select(utc => new DateTimeOffset(utc).ToOffset(zone.GetUtcOffset(utc))).ToList();
    }

    /// <summary>The instant of a change found to the minute, to the tick: a search from it must start exactly there.</summary>
    private static DateTimeOffset Exact(DateTimeOffset change, TimeZoneInfo zone)
    {
        var low = change.UtcDateTime.AddMinutes(-2);
        var high = change.UtcDateTime.AddMinutes(1);
        var before = zone.GetUtcOffset(low);
        while (high - low > TimeSpan.FromTicks(1))
        {
            var middle = low + ((high - low) / 2);
            (low, high) = zone.GetUtcOffset(middle) == before ? (middle, high) : (low, middle);
        }

        return new DateTimeOffset(high);
    }

    /// <summary>The instants (UTC) a matching wall-clock time fires at.</summary>
    private static SortedSet<DateTime> Instants(DateTime wall, TimeZoneInfo zone, bool intervalLike)
    {
        var passes = new SortedSet<DateTime>();
        foreach (var probe in new[] { wall.AddDays(-1), wall, wall.AddDays(1) })
        {
            var offset = zone.GetUtcOffset(DateTime.SpecifyKind(probe, DateTimeKind.Utc));
            var utc = DateTime.SpecifyKind(wall - offset, DateTimeKind.Utc);
            if (zone.GetUtcOffset(utc) == offset)
            {
                passes.Add(utc);
            }
        }

        if (passes.Count == 0)
        {
            // In a gap: the first instant whose wall-clock time is at or after it.
            var low = DateTime.SpecifyKind(wall.AddHours(-15), DateTimeKind.Utc);
            var high = DateTime.SpecifyKind(wall.AddHours(15), DateTimeKind.Utc);
            while (high - low > TimeSpan.FromTicks(1))
            {
                var middle = low + ((high - low) / 2);
                (low, high) = Wall(middle, zone) >= wall ? (low, middle) : (middle, high);
            }

            return [high];
        }

        return intervalLike ? passes : [passes.Min];
    }

    private static DateTime Wall(DateTime utc, TimeZoneInfo zone)
        => DateTime.SpecifyKind(utc + zone.GetUtcOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)), DateTimeKind.Unspecified);

    private static string Show(DateTime time) => time.ToString("yyyy-MM-dd HH:mm:ss ddd", CultureInfo.InvariantCulture);

    /// <summary>A random expression and the values each of its fields stands for.</summary>
    private sealed class Spec
    {
        private readonly bool[] seconds = new bool[60];
        private readonly bool[] minutes = new bool[60];
        private readonly bool[] hours = new bool[24];
        private readonly bool[] months = new bool[13];
        private readonly bool[] daysOfMonth = new bool[32];
        private readonly bool[] lastDayOffsets = new bool[31];
        private readonly bool[] daysOfWeek = new bool[7];
        private readonly bool[] lastDaysOfWeek = new bool[7];
        private readonly bool[,] nthDaysOfWeek = new bool[7, 6];
        private bool[]? years;
        private bool dayOfMonthRestricted;
        private bool dayOfWeekRestricted;

        public string Text { get; private set; } = "";

        /// <summary>A wildcard, range or step in the second, minute or hour field: fires in both passes of an overlap.</summary>
        public bool IntervalLike { get; private set; }

        public static Spec Generate(Random random, bool withSeconds, bool earlyHours = false)
        {
            var spec = new Spec();
            var fields = new List<string>();
            if (withSeconds)
            {
                fields.Add(Numeric(random, 0, 59, spec.seconds, null));
            }
            else
            {
                spec.seconds[0] = true;
            }

            fields.Add(Numeric(random, 0, 59, spec.minutes, null));
            fields.Add(earlyHours ? spec.EarlyHours(random) : Numeric(random, 0, 23, spec.hours, null));
            spec.IntervalLike = fields.Any(field => field.IndexOfAny(['*', '-', '/']) >= 0);
            fields.Add(spec.DayOfMonth(random));
            if (earlyHours && random.Next(2) == 0)
            {
                // Every month, so the day fields decide whether the day of a clock change matches.
                Mark(spec.months, 1, 12, 1);
                fields.Add("*");
            }
            else
            {
                fields.Add(Numeric(random, 1, 12, spec.months, MonthNames));
            }

            fields.Add(spec.DayOfWeek(random));
            if (withSeconds && random.Next(3) == 0)
            {
                fields.Add(spec.Year(random));
            }

            spec.Text = string.Join(" ", fields);
            return spec;
        }

        /// <summary>Day fields near the edge of possible: late days, few months, fifth weekdays, few years.</summary>
        public static Spec GenerateRare(Random random)
        {
            var spec = new Spec();
            spec.seconds[0] = true;
            spec.minutes[0] = true;
            spec.hours[0] = true;
            var monthChoices = new[] { "2", "FEB", "4,6", "2,4", "9,11", "2,9", "1,2", "4-6", "*" };
            var dayChoices = new[] { "29", "30", "31", "30,31", "L-28", "L-29", "L-30", "29-31", "31,L-29", "*" };
            var weekdayChoices = new[] { "*", "?", "MON#5", "THU#5", "SAT#5", "FRIL", "*" };
            var yearChoices = new[] { "", "", "2025", "2024", "2025-2027", "2099", "2030,2031,2033", "*" };
            var months = monthChoices[random.Next(monthChoices.Length)];
            var days = dayChoices[random.Next(dayChoices.Length)];
            var weekdays = weekdayChoices[random.Next(weekdayChoices.Length)];
            var year = yearChoices[random.Next(yearChoices.Length)];

            // Re-read the chosen fields through the generator's own bookkeeping.
            spec.dayOfMonthRestricted = days != "*";
            foreach (var element in days.Split(','))
            {
                if (element == "*")
                {
                    Array.Fill(spec.daysOfMonth, true);
                }
                else if (element.StartsWith("L-", StringComparison.Ordinal))
                {
                    spec.lastDayOffsets[int.Parse(element[2..], CultureInfo.InvariantCulture)] = true;
                }
                else if (element.Contains('-', StringComparison.Ordinal))
                {
                    Mark(spec.daysOfMonth, int.Parse(element[..2], CultureInfo.InvariantCulture), int.Parse(element[3..], CultureInfo.InvariantCulture), 1);
                }
                else
                {
                    spec.daysOfMonth[int.Parse(element, CultureInfo.InvariantCulture)] = true;
                }
            }

            foreach (var element in months.Split(','))
            {
                if (element == "*")
                {
                    Mark(spec.months, 1, 12, 1);
                }
                else if (element == "FEB")
                {
                    spec.months[2] = true;
                }
                else if (element.Contains('-', StringComparison.Ordinal))
                {
                    Mark(spec.months, element[0] - '0', element[2] - '0', 1);
                }
                else
                {
                    spec.months[int.Parse(element, CultureInfo.InvariantCulture)] = true;
                }
            }

            spec.dayOfWeekRestricted = weekdays is not ("*" or "?");
            switch (weekdays)
            {
                case "*" or "?":
                    Array.Fill(spec.daysOfWeek, true);
                    break;
                case "FRIL":
                    spec.lastDaysOfWeek[5] = true;
                    break;
                default:
                    spec.nthDaysOfWeek[Array.IndexOf(DayNames, weekdays[..3]), 5] = true;
                    break;
            }

            var fields = $"0 0 0 {days} {months} {weekdays}";
            if (year.Length > 0)
            {
                spec.years = new bool[2100];
                foreach (var element in year.Split(','))
                {
                    if (element == "*")
                    {
                        Mark(spec.years, 1970, 2099, 1);
                    }
                    else if (element.Contains('-', StringComparison.Ordinal))
                    {
                        Mark(spec.years, int.Parse(element[..4], CultureInfo.InvariantCulture), int.Parse(element[5..], CultureInfo.InvariantCulture), 1);
                    }
                    else
                    {
                        spec.years[int.Parse(element, CultureInfo.InvariantCulture)] = true;
                    }
                }

                fields += " " + year;
            }

            spec.Text = fields;
            return spec;
        }

        /// <summary>Every matching time in [from, until), walking the calendar.</summary>
        public IEnumerable<DateTime> Matches(DateTime from, DateTime until)
        {
            for (var date = from.Date; date < until; date = date.AddDays(1))
            {
                if (!MatchesDay(date))
                {
                    continue;
                }

                var step = TimeSpan.FromMinutes(1);
                if (seconds.Count(s => s) > 1 || !seconds[0])
                {
                    step = TimeSpan.FromSeconds(1);
                }

                for (var time = date; time < date.AddDays(1); time += step)
                {
                    if (!hours[time.Hour])
                    {
                        // Nothing this hour; the walk stays naive, it just does not dawdle.
                        time = time.AddHours(1).AddMinutes(-time.Minute).AddSeconds(-time.Second) - step;
                        continue;
                    }

                    if (!minutes[time.Minute])
                    {
                        time = time.AddMinutes(1).AddSeconds(-time.Second) - step;
                        continue;
                    }

                    if (seconds[time.Second] && time >= from && time < until)
                    {
                        yield return time;
                    }
                }
            }
        }

        /// <summary>Whether any day in the years the expression can name matches (for "never fires" rejections).</summary>
        public bool FiresSomeDay()
        {
            var first = years is null ? new DateTime(2000, 1, 1) : new DateTime(1970, 1, 1);
            var last = years is null ? new DateTime(2401, 1, 1) : new DateTime(2100, 1, 1);
            for (var date = first; date < last; date = date.AddDays(1))
            {
                if (MatchesDay(date))
                {
                    return true;
                }
            }

            return false;
        }

        private bool MatchesDay(DateTime date)
        {
            if (years is not null && (date.Year >= years.Length || !years[date.Year]))
            {
                return false;
            }

            if (!months[date.Month])
            {
                return false;
            }

            var daysInMonth = DateTime.DaysInMonth(date.Year, date.Month);
            var dayOfMonth = daysOfMonth[date.Day];
            for (var n = 0; n <= 30; n++)
            {
                dayOfMonth |= lastDayOffsets[n] && date.Day == daysInMonth - n;
            }

            var weekday = (int)date.DayOfWeek;
            var sameWeekdaysSoFar = 0;
            for (var day = new DateTime(date.Year, date.Month, 1); day <= date; day = day.AddDays(1))
            {
                sameWeekdaysSoFar += day.DayOfWeek == date.DayOfWeek ? 1 : 0;
            }

            var dayOfWeek = daysOfWeek[weekday]
                || (lastDaysOfWeek[weekday] && date.AddDays(7).Month != date.Month)
                || nthDaysOfWeek[weekday, sameWeekdaysSoFar];

            return (dayOfMonthRestricted, dayOfWeekRestricted) switch
            {
                (true, true) => dayOfMonth || dayOfWeek,
                (true, false) => dayOfMonth,
                (false, true) => dayOfWeek,
                _ => true,
            };
        }

        private string DayOfMonth(Random random)
        {
            switch (random.Next(10))
            {
                case < 4:
                    Array.Fill(daysOfMonth, true);
                    return "*";
                case 4:
                    Array.Fill(daysOfMonth, true);
                    return "?";
            }

            dayOfMonthRestricted = true;
            var elements = new List<string>();
            for (var count = 1 + random.Next(3); elements.Count < count;)
            {
                switch (random.Next(6))
                {
                    case 0:
                        lastDayOffsets[0] = true;
                        elements.Add(random.Next(2) == 0 ? "L" : "l");
                        break;
                    case 1:
                        var n = random.Next(4) == 0 ? random.Next(31) : random.Next(5);
                        lastDayOffsets[n] = true;
                        elements.Add($"L-{n}");
                        break;
                    default:
                        elements.Add(Element(random, 1, 31, 31, daysOfMonth, null));
                        break;
                }
            }

            return string.Join(",", elements);
        }

        private string DayOfWeek(Random random)
        {
            switch (random.Next(10))
            {
                case < 4:
                    Array.Fill(daysOfWeek, true);
                    return "*";
                case 4:
                    Array.Fill(daysOfWeek, true);
                    return "?";
            }

            dayOfWeekRestricted = true;
            var elements = new List<string>();
            var values = new bool[8];
            for (var count = 1 + random.Next(3); elements.Count < count;)
            {
                var day = random.Next(8);
                switch (random.Next(6))
                {
                    case 0:
                        lastDaysOfWeek[day % 7] = true;
                        elements.Add(Weekday(random, day) + (random.Next(2) == 0 ? "L" : "l"));
                        break;
                    case 1:
                        var nth = 1 + random.Next(5);
                        nthDaysOfWeek[day % 7, nth] = true;
                        elements.Add($"{Weekday(random, day)}#{nth}");
                        break;
                    default:
                        elements.Add(Element(random, 0, 7, 6, values, DayNames));
                        break;
                }
            }

            for (var day = 0; day < 8; day++)
            {
                daysOfWeek[day % 7] |= values[day];
            }

            return string.Join(",", elements);
        }

        /// <summary>Hours around midnight, where the clocks of many zones change.</summary>
        private string EarlyHours(Random random)
        {
            (string Text, int[] Values)[] choices =
            [
                ("0", [0]), ("1", [1]), ("0,1", [0, 1]), ("0-2", [0, 1, 2]), ("23,0", [23, 0]), ("22-1", [22, 23, 0, 1]),
                ("*/2", [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]), ("0/3", [0, 3, 6, 9, 12, 15, 18, 21]), ("*", Enumerable.Range(0, 24).ToArray()), ("2,3", [2, 3]),
            ];
            var (text, values) = choices[random.Next(choices.Length)];
            foreach (var value in values)
            {
                hours[value] = true;
            }

            return text;
        }

        private string Year(Random random)
        {
            years = new bool[2100];
            if (random.Next(5) == 0)
            {
                for (var year = 1970; year < 2100; year++)
                {
                    years[year] = true;
                }

                return "*";
            }

            var elements = new List<string>();
            for (var count = 1 + random.Next(3); elements.Count < count;)
            {
                var low = 2018 + random.Next(18);
                var high = low + random.Next(6);
                var step = 1 + random.Next(3);
                switch (random.Next(4))
                {
                    case 0:
                        years[low] = true;
                        elements.Add(low.ToString(CultureInfo.InvariantCulture));
                        break;
                    case 1:
                        Mark(years, low, high, step);
                        elements.Add(step == 1 ? $"{low}-{high}" : $"{low}-{high}/{step}");
                        break;
                    case 2:
                        Mark(years, low, 2099, step + 4);
                        elements.Add($"{low}/{step + 4}");
                        break;
                    default:
                        Mark(years, 1970, 2099, step + 10);
                        elements.Add($"*/{step + 10}");
                        break;
                }
            }

            return string.Join(",", elements);
        }

        private static string Numeric(Random random, int min, int max, bool[] values, string[]? names)
        {
            if (random.Next(6) == 0)
            {
                Mark(values, min, max, 1);
                return "*";
            }

            var elements = new List<string>();
            for (var count = 1 + random.Next(3); elements.Count < count;)
            {
                elements.Add(Element(random, min, max, max, values, names));
            }

            return string.Join(",", elements);
        }

        /// <summary>
        /// One element (value, range, wrapped range, each with or without a step, or a stepped star),
        /// marking the values it stands for. <paramref name="wrapAfter"/> is the last value before a
        /// wrapped range starts again at <paramref name="min"/> (Saturday for the week).
        /// </summary>
        private static string Element(Random random, int min, int max, int wrapAfter, bool[] values, string[]? names)
        {
            var span = max - min + 1;
            var step = random.Next(3) == 0 ? 1 + random.Next(Math.Min(span - 1, 20)) : 1 + random.Next(Math.Min(span - 1, 4));
            var low = min + random.Next(span);
            var high = min + random.Next(span);
            switch (random.Next(7))
            {
                case 0:
                    Mark(values, min, max, step);
                    return $"*/{step}";
                case 1:
                    Mark(values, low, max, step);
                    return $"{Value(random, low, names, min)}/{step}";
                case 2 or 3:
                    if (low > high)
                    {
                        (low, high) = (high, low);
                    }

                    Mark(values, low, high, step);
                    return $"{Value(random, low, names, min)}-{Value(random, high, names, min)}" + (step == 1 ? "" : $"/{step}");
                case 4:
                    // Wrap-around: start after the end; walk the cycle and keep every step-th value.
                    low = min + 1 + random.Next(wrapAfter - min);
                    high = min + random.Next(low - min);
                    var cycle = new List<int>();
                    for (var value = low; ; value = value == wrapAfter ? min : value + 1)
                    {
                        cycle.Add(value);
                        if (value == high)
                        {
                            break;
                        }
                    }

                    for (var i = 0; i < cycle.Count; i += step)
                    {
                        values[cycle[i]] = true;
                    }

                    return $"{Value(random, low, names, min)}-{Value(random, high, names, min)}" + (step == 1 ? "" : $"/{step}");
                default:
                    values[low] = true;
                    return Value(random, low, names, min);
            }
        }

        private static void Mark(bool[] values, int low, int high, int step)
        {
            for (var value = low; value <= high; value += step)
            {
                values[value] = true;
            }
        }

        private static string Weekday(Random random, int day) => Value(random, day, DayNames, 0);

        private static string Value(Random random, int value, string[]? names, int first)
        {
            var index = value - first;
            if (names is null || index >= names.Length || random.Next(2) == 0)
            {
                return value.ToString(CultureInfo.InvariantCulture);
            }

            var name = new StringBuilder(names[index]);
            for (var i = 0; i < name.Length; i++)
            {
                if (random.Next(3) == 0)
                {
                    name[i] = char.ToLowerInvariant(name[i]);
                }
            }

            return name.ToString();
        }
    }
}
