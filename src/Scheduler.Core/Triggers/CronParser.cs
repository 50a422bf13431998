using System.Globalization;
using System.Text.RegularExpressions;

namespace Scheduler.Triggers;

/// <summary>
/// Reads the cron dialect of docs/triggers.md ("Cron") into a <see cref="CronSchedule"/>. Every rejection is a
/// <see cref="FormatException"/> whose message names the expression, the field and the offending token.
/// </summary>
/// <remarks>
/// <para>Fields: 5 = minute hour day-of-month month day-of-week; 6 = second first, then the five;
/// 7 = the six, then year. Six fields are always read with seconds first (as Quartz and Cronos do),
/// never as five fields plus a year.</para>
/// <para>Each field is a list of elements: <c>*</c>, a value, a range <c>a-b</c>, each optionally with a
/// step (<c>*/15</c>, <c>10-40/10</c>, <c>5/10</c> = from 5 to the field's maximum). A range whose start
/// is after its end wraps around (<c>22-2</c> hours, <c>FRI-MON</c>, <c>NOV-FEB</c>), and a step continues
/// across the wrap (<c>23-2/2</c> = 23, 1). Months and weekdays take three-letter names in any case;
/// weekday 0 and 7 are both Sunday. <c>?</c> means <c>*</c>, in the two day fields only. The day-of-month
/// field also takes <c>L</c> (last day) and <c>L-n</c> (n days before it); the day-of-week field takes
/// <c>dL</c> (last weekday d of the month) and <c>d#n</c> (nth weekday d, n = 1..5); these may appear in
/// lists. A day field is restricted unless it is exactly <c>*</c> or <c>?</c> (so <c>*/2</c> is
/// restricted); when both are, a day matches if either does. The year field takes 1970-2099, without
/// wrap-around. Macros: <c>@yearly @annually @monthly @weekly @daily @midnight @hourly</c>.</para>
/// </remarks>
internal static class CronParser
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    private static readonly string[] MonthFullNames = CultureInfo.InvariantCulture.DateTimeFormat.MonthNames;

    private static readonly Field Second = new("second", 0, 59, 59, null);
    private static readonly Field Minute = new("minute", 0, 59, 59, null);
    private static readonly Field Hour = new("hour", 0, 23, 23, null);
    private static readonly Field DayOfMonth = new("day-of-month", 1, 31, 31, null);
    private static readonly Field Month = new("month", 1, 12, 12, MonthNames);
    private static readonly Field DayOfWeek = new("day-of-week", 0, 7, 7, DayNames);
    private static readonly Field Year = new("year", CronSchedule.MinYear, CronSchedule.MaxYear, CronSchedule.MaxYear - CronSchedule.MinYear + 1, null);

    private static readonly char[] Blanks = [' ', '\t'];

    // The shapes of L, W, # and ? in any dialect ('L', 'L-2', '5L', '15W', 'LW', '1#2', '?'): such a
    // token in the wrong field is a misplaced special character, any other token with letters a typo.
    private static readonly Regex SpecialToken = new(@"^(?:[0-9]*[LlWw]{1,2}(?:-[0-9]*)?|[0-9]*#[0-9]*|\?)$", RegexOptions.CultureInvariant);

    public static CronSchedule Parse(string expression)
    {
        var text = expression.Trim();
        if (text.Length == 0)
        {
            throw Error(expression, "the expression is empty");
        }

        if (text[0] == '@')
        {
            text = ExpandMacro(expression, text);
        }

        var fields = text.Split(Blanks, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is < 5 or > 7)
        {
            throw Error(
                expression,
                $"expected 5 fields (minute hour day-of-month month day-of-week), 6 (second first) or 7 (second first, year last), found {fields.Length}");
        }

        var reader = new Reader(expression);
        var index = 0;
        var hasSeconds = fields.Length >= 6;
        var intervalLike = false;
        var seconds = hasSeconds ? reader.Simple(Second, fields[index++], ref intervalLike) : 1UL;
        var minutes = reader.Simple(Minute, fields[index++], ref intervalLike);
        var hours = (uint)reader.Simple(Hour, fields[index++], ref intervalLike);
        var dayOfMonthText = fields[index++];
        var monthText = fields[index++];
        var dayOfWeekText = fields[index++];
        var yearText = fields.Length == 7 ? fields[index] : null;

        var notInterval = false;
        var (daysOfMonth, lastDayOffsets, dayOfMonthRestricted) = reader.DaysOfMonth(dayOfMonthText);
        var months = (ushort)reader.Simple(Month, monthText, ref notInterval);
        var (daysOfWeek, lastDaysOfWeek, nthDaysOfWeek, dayOfWeekRestricted) = reader.DaysOfWeek(dayOfWeekText);
        var years = yearText is null ? null : reader.Years(yearText);

        var days = new CronDays(daysOfMonth, lastDayOffsets, dayOfMonthRestricted, daysOfWeek, lastDaysOfWeek, nthDaysOfWeek, dayOfWeekRestricted);
        if (dayOfMonthRestricted && !dayOfWeekRestricted)
        {
            EnsureSomeMonthHasTheDay(expression, days, months, dayOfMonthText);
        }

        var schedule = new CronSchedule(seconds, minutes, hours, days, months, years, intervalLike);
        if (years is not null && !schedule.TryGetNextDate(new DateTime(CronSchedule.MinYear, 1, 1), out _))
        {
            throw Error(expression, $"never fires: no date in the years '{yearText}' matches the day-of-month, month and day-of-week fields");
        }

        return schedule;
    }

    private static string ExpandMacro(string expression, string text)
    {
        var blank = text.IndexOfAny(Blanks);
        var macro = blank < 0 ? text : text.Substring(0, blank);
        var expansion = macro.ToUpperInvariant() switch
        {
            "@YEARLY" or "@ANNUALLY" => "0 0 1 1 *",
            "@MONTHLY" => "0 0 1 * *",
            "@WEEKLY" => "0 0 * * 0",
            "@DAILY" or "@MIDNIGHT" => "0 0 * * *",
            "@HOURLY" => "0 * * * *",
            _ => throw Error(expression, $"unknown macro '{macro}' (use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)"),
        };

        if (blank >= 0)
        {
            throw Error(expression, $"the macro '{macro}' stands alone, but '{text.Substring(blank).Trim()}' follows it");
        }

        return expansion;
    }

    private static void EnsureSomeMonthHasTheDay(string expression, CronDays days, ushort months, string dayOfMonthText)
    {
        var impossible = new List<string>();
        for (var month = 1; month <= 12; month++)
        {
            if ((months & (1 << month)) == 0)
            {
                continue;
            }

            // 2000 is a leap year: the longest each month gets.
            var longest = DateTime.DaysInMonth(2000, month);
            for (var day = 1; day <= longest; day++)
            {
                if (days.MatchesDayOfMonth(day, longest))
                {
                    return;
                }
            }

            impossible.Add(MonthFullNames[month - 1]);
        }

        var verb = impossible.Count == 1 ? "has" : "have";
        throw Error(expression, $"never fires: {JoinWithAnd(impossible)} {verb} no day {dayOfMonthText}");
    }

    private static string JoinWithAnd(List<string> items)
        => items.Count == 1
            ? items[0]
            : string.Join(", ", items.Take(items.Count - 1)) + " and " + items[items.Count - 1];

    private static FormatException Error(string expression, string detail)
        => new($"Invalid cron expression '{expression}': {detail}.");

    private sealed class Field(string name, int min, int max, int maxStep, string[]? names)
    {
        public string Name { get; } = name;

        public int Min { get; } = min;

        public int Max { get; } = max;

        public int MaxStep { get; } = maxStep;

        public string[]? Names { get; } = names;
    }

    private readonly struct Reader(string expression)
    {
        /// <summary>A field of plain elements (no L, #, ?): bit v set for each value v.</summary>
        public ulong Simple(Field field, string text, ref bool intervalLike)
        {
            var values = Values(field, text, ref intervalLike);
            var bits = 0UL;
            for (var value = field.Min; value <= field.Max; value++)
            {
                if (values[value])
                {
                    bits |= 1UL << value;
                }
            }

            return bits;
        }

        public (uint Days, uint LastDayOffsets, bool Restricted) DaysOfMonth(string text)
        {
            if (text is "*" or "?")
            {
                return (AllDaysOfMonth, 0, false);
            }

            var values = new bool[DayOfMonth.Max + 1];
            var lastDayOffsets = 0U;
            foreach (var element in Elements(DayOfMonth, text))
            {
                if ((element.IndexOf('W') >= 0 || element.IndexOf('w') >= 0) && IsSpecialToken(element))
                {
                    throw Fail($"day-of-month '{element}' is not supported: 'W' (nearest weekday) is not part of this dialect");
                }

                if (element[0] is 'L' or 'l')
                {
                    lastDayOffsets |= 1U << LastDayOffset(element);
                    continue;
                }

                if ((element.IndexOf('L') >= 0 || element.IndexOf('l') >= 0) && IsSpecialToken(element))
                {
                    throw Fail($"day-of-month '{element}' is malformed: 'L' stands alone or as 'L-n'");
                }

                var ignored = false;
                Element(DayOfMonth, element, values, ref ignored);
            }

            var days = 0U;
            for (var day = 1; day <= 31; day++)
            {
                if (values[day])
                {
                    days |= 1U << day;
                }
            }

            return (days, lastDayOffsets, true);
        }

        public (byte Days, byte LastDays, ulong NthDays, bool Restricted) DaysOfWeek(string text)
        {
            if (text is "*" or "?")
            {
                return (AllDaysOfWeek, 0, 0, false);
            }

            var values = new bool[DayOfWeek.Max + 1];
            var lastDays = 0;
            var nthDays = 0UL;
            foreach (var element in Elements(DayOfWeek, text))
            {
                var hash = element.IndexOf('#');
                if (hash >= 0)
                {
                    var day = SingleWeekday(element, element.Substring(0, hash), "'#'");
                    var nText = element.Substring(hash + 1);
                    if (!TryDigits(nText, out var n) || n < 1 || n > 5)
                    {
                        throw Fail($"day-of-week '{element}' is out of range: '#n' takes n from 1 to 5");
                    }

                    nthDays |= 1UL << ((day * 5) + n - 1);
                    continue;
                }

                if (element[element.Length - 1] is 'L' or 'l')
                {
                    if (element.Length == 1)
                    {
                        throw Fail("day-of-week 'L' needs a weekday before it, e.g. '5L' or 'FRIL'");
                    }

                    lastDays |= 1 << SingleWeekday(element, element.Substring(0, element.Length - 1), "'L'");
                    continue;
                }

                var ignored = false;
                Element(DayOfWeek, element, values, ref ignored);
            }

            var days = 0;
            for (var day = 0; day <= 7; day++)
            {
                if (values[day])
                {
                    days |= 1 << (day % 7);
                }
            }

            return ((byte)days, (byte)lastDays, nthDays, true);
        }

        public bool[]? Years(string text)
        {
            if (text == "*")
            {
                return null;
            }

            var ignored = false;
            var values = Values(Year, text, ref ignored);
            var years = new bool[Year.Max - Year.Min + 1];
            for (var year = Year.Min; year <= Year.Max; year++)
            {
                years[year - Year.Min] = values[year];
            }

            return years;
        }

        private const uint AllDaysOfMonth = 0xFFFF_FFFEU;
        private const byte AllDaysOfWeek = 0x7F;

        private bool[] Values(Field field, string text, ref bool intervalLike)
        {
            var values = new bool[field.Max + 1];
            foreach (var element in Elements(field, text))
            {
                Element(field, element, values, ref intervalLike);
            }

            return values;
        }

        private string[] Elements(Field field, string text)
        {
            var elements = text.Split(',');
            foreach (var element in elements)
            {
                if (element.Length == 0)
                {
                    throw Fail($"{field.Name} '{text}' has an empty list element");
                }

                if (element == "?")
                {
                    throw field == DayOfMonth || field == DayOfWeek
                        ? Fail($"{field.Name} '{text}' is malformed: '?' stands for the whole field and cannot be part of a list")
                        : Fail($"{field.Name} '?' is not valid: '?' is only allowed in the day-of-month and day-of-week fields");
                }
            }

            return elements;
        }

        /// <summary>One element: <c>*</c>, a value or a range, with an optional step.</summary>
        private void Element(Field field, string element, bool[] values, ref bool intervalLike)
        {
            var slash = element.IndexOf('/');
            var range = slash < 0 ? element : element.Substring(0, slash);
            var step = 1;
            if (slash >= 0)
            {
                var stepText = element.Substring(slash + 1);
                if (!TryDigits(stepText, out step))
                {
                    throw Fail($"step '{stepText}' in {field.Name} '{element}' is not a number");
                }

                if (step < 1 || step > field.MaxStep)
                {
                    throw Fail($"step '{stepText}' in {field.Name} '{element}' is out of range 1-{field.MaxStep}");
                }
            }

            if (range.Length == 0)
            {
                throw Fail($"{field.Name} '{element}' is malformed: a step needs '*', a value or a range before it");
            }

            int low;
            int high;
            if (range == "*")
            {
                low = field.Min;
                high = field.Max;
                intervalLike = true;
            }
            else
            {
                var dash = range.IndexOf('-');
                if (dash >= 0)
                {
                    var lowText = range.Substring(0, dash);
                    var highText = range.Substring(dash + 1);
                    if (lowText.Length == 0 || highText.Length == 0 || highText.IndexOf('-') >= 0)
                    {
                        throw Fail($"{field.Name} '{element}' is malformed: a range is 'a-b'");
                    }

                    low = Value(field, lowText, element);
                    high = Value(field, highText, element);
                    intervalLike = true;
                }
                else
                {
                    low = Value(field, range, element);
                    high = slash >= 0 ? field.Max : low;
                    intervalLike |= slash >= 0;
                }
            }

            if (low > high && field == DayOfWeek && low == 7)
            {
                // 7 is Sunday, the first day of the week when read as 0.
                low = 0;
            }

            if (low <= high)
            {
                for (var value = low; value <= high; value += step)
                {
                    values[value] = true;
                }

                return;
            }

            if (field == Year)
            {
                throw Fail($"year '{element}' is a backwards range");
            }

            // Wrap-around: from low up to the field's last value, then on from its first; the step
            // continues across the wrap. The week wraps after Saturday (7 is Sunday again).
            var last = field == DayOfWeek ? 6 : field.Max;
            var size = last - field.Min + 1;
            var count = (last - low + 1) + (high - field.Min + 1);
            for (var offset = 0; offset < count; offset += step)
            {
                values[field.Min + ((low - field.Min + offset) % size)] = true;
            }
        }

        private int Value(Field field, string text, string element)
        {
            if (TryDigits(text, out var number))
            {
                if (number < field.Min || number > field.Max)
                {
                    throw Fail($"{field.Name} '{text}' is out of range {field.Min}-{field.Max}");
                }

                return number;
            }

            if (field.Names is { } names)
            {
                for (var i = 0; i < names.Length; i++)
                {
                    if (string.Equals(names[i], text, StringComparison.OrdinalIgnoreCase))
                    {
                        return field == Month ? i + 1 : i;
                    }
                }

                throw Fail($"unknown {field.Name} '{text}'");
            }

            // Only a token made of digits and special characters ('5L', '15W', '1#2') is a special
            // character in the wrong field; a word that happens to contain an L ('fault') is just not a number.
            if (IsSpecialToken(text))
            {
                foreach (var special in "LW#?")
                {
                    if (text.IndexOf(special) >= 0 || text.IndexOf(char.ToLowerInvariant(special)) >= 0)
                    {
                        throw Fail($"{field.Name} '{element}' is not valid: '{special}' is not allowed in the {field.Name} field");
                    }
                }
            }

            var where = text == element ? string.Empty : $" in '{element}'";
            throw Fail($"{field.Name} '{text}'{where} is not a number (expected {field.Min}-{field.Max})");
        }

        private static bool IsSpecialToken(string text) => SpecialToken.IsMatch(text);

        private int SingleWeekday(string element, string dayText, string suffix)
        {
            if (dayText.Length == 0 || dayText.IndexOfAny(['-', '/', '*']) >= 0)
            {
                throw Fail($"day-of-week '{element}' is malformed: {suffix} follows a single weekday, e.g. 'FRI#3' or 'FRIL'");
            }

            return Value(DayOfWeek, dayText, element) % 7;
        }

        private int LastDayOffset(string element)
        {
            if (element.Length == 1)
            {
                return 0;
            }

            if (element[1] != '-' || !TryDigits(element.Substring(2), out var offset))
            {
                throw Fail($"day-of-month '{element}' is malformed: use 'L' or 'L-n'");
            }

            if (offset > 30)
            {
                throw Fail($"day-of-month '{element}' is out of range: 'L-n' takes n from 0 to 30");
            }

            return offset;
        }

        private static bool TryDigits(string text, out int number)
        {
            number = 0;
            if (text.Length == 0 || text.Length > 6)
            {
                // Longer digit strings are out of range anyway; report them as such, not as overflow.
                if (text.Length > 6 && text.All(c => c is >= '0' and <= '9'))
                {
                    number = int.MaxValue;
                    return true;
                }

                return false;
            }

            foreach (var c in text)
            {
                if (c is < '0' or > '9')
                {
                    return false;
                }

                number = (number * 10) + (c - '0');
            }

            return true;
        }

        private FormatException Fail(string detail) => Error(expression, detail);
    }
}
