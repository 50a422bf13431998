using System.CommandLine;
using Scheduler.Jobs;
using Scheduler.Triggers;

namespace Scheduler.Host.Commands;

/// <summary>
/// The flags that set a job's options (<c>--misfire-grace</c>, <c>--coalesce</c>, <c>--max-instances</c>,
/// <c>--overlap</c>, <c>--timeout</c>, <c>--retries</c>, <c>--retry-delay</c>, <c>--recover</c>) and how it
/// is added (<c>--paused</c>, <c>--replace</c>).
/// </summary>
internal sealed class JobOptionFlags
{
    private readonly Option<string> misfireGrace = new("--misfire-grace")
    {
        HelpName = "DURATION",
        Description = "A run starting later than this after its time is skipped and recorded as Missed (default: unlimited).",
    };

    private readonly Option<string> coalesce = new("--coalesce")
    {
        HelpName = "latest|earliest|all",
        Description = "Which runs run when several are due at once after downtime (default: latest).",
    };

    private readonly Option<int?> maxInstances = new("--max-instances")
    {
        HelpName = "N",
        Description = "How many runs of the job may be in progress at once (default: 1).",
    };

    private readonly Option<string> overlap = new("--overlap")
    {
        HelpName = "skip|queue|replace",
        Description = "What happens to a run when --max-instances runs are in progress (default: skip).",
    };

    private readonly Option<string> timeout = new("--timeout")
    {
        HelpName = "DURATION",
        Description = "A run taking longer is stopped (its process tree killed) and recorded as TimedOut.",
    };

    private readonly Option<int?> retries = new("--retries")
    {
        HelpName = "N",
        Description = "How many times a failed run is run again.",
    };

    private readonly Option<string> retryDelay = new("--retry-delay")
    {
        HelpName = "DURATION",
        Description = "The wait between a failed attempt and the next (with --retries).",
    };

    private readonly Option<bool> recover = new("--recover")
    {
        Description = "Run again a run that a crashed daemon left unfinished (recorded as Abandoned).",
    };

    private readonly Option<bool> paused = new("--paused") { Description = "Add the job paused (resume it with 'schedhost resume')." };

    private readonly Option<bool> replace = new("--replace") { Description = "Overwrite a job with the same id." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { misfireGrace, coalesce, maxInstances, overlap, timeout, retries, retryDelay, recover, paused, replace })
        {
            command.Options.Add(option);
        }
    }

    public bool Paused(ParseResult result) => result.GetValue(paused);

    public bool Replace(ParseResult result) => result.GetValue(replace);

    /// <summary>The options the flags describe; a bad value is <see cref="BadInputException"/> naming the flag.</summary>
    public JobOptions Build(ParseResult result)
    {
        var options = JobOptions.Default;
        if (result.GetValue(misfireGrace) is { } graceText)
        {
            var grace = TriggerOptions.Parse(misfireGrace, graceText, TriggerText.ParseDuration);
            options = options with { MisfireGraceTime = grace < TimeSpan.Zero ? throw new BadInputException($"--misfire-grace '{graceText}' must not be negative") : grace };
        }

        if (result.GetValue(coalesce) is { } coalesceText)
        {
            options = options with { Coalesce = ParseEnum<CoalescePolicy>(coalesce, coalesceText) };
        }

        if (result.GetValue(maxInstances) is { } instances)
        {
            options = options with { MaxInstances = instances < 1 ? throw new BadInputException($"--max-instances must be at least 1, not '{instances}'") : instances };
        }

        if (result.GetValue(overlap) is { } overlapText)
        {
            options = options with { Overlap = ParseEnum<OverlapPolicy>(overlap, overlapText) };
        }

        if (result.GetValue(timeout) is { } timeoutText)
        {
            options = options with { Timeout = TriggerOptions.Parse(timeout, timeoutText, TriggerText.ParsePositiveDuration) };
        }

        if (result.GetValue(retries) is { } retryCount)
        {
            options = options with { RetryCount = retryCount < 0 ? throw new BadInputException($"--retries must not be negative, not '{retryCount}'") : retryCount };
        }

        if (result.GetValue(retryDelay) is { } delayText)
        {
            if (options.RetryCount == 0)
            {
                throw new BadInputException($"--retry-delay '{delayText}' applies only with --retries");
            }

            var delay = TriggerOptions.Parse(retryDelay, delayText, TriggerText.ParseDuration);
            options = options with { RetryDelay = delay < TimeSpan.Zero ? throw new BadInputException($"--retry-delay '{delayText}' must not be negative") : delay };
        }

        if (result.GetValue(recover))
        {
            options = options with { Recover = true };
        }

        return options;
    }

    private static T ParseEnum<T>(Option option, string text)
        where T : struct, Enum
    {
        var names = Enum.GetNames<T>();
        var match = names.FirstOrDefault(n => string.Equals(n, text.Trim(), StringComparison.OrdinalIgnoreCase));
        return match is not null
            ? Enum.Parse<T>(match)
            : throw new BadInputException($"{option.Name} '{text}' is not one of {string.Join(", ", names.Select(n => n.ToLowerInvariant()))}");
    }
}
