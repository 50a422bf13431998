using System.Globalization;
using System.Runtime.CompilerServices;
using Scheduler.Internal;
using Scheduler.Jobs;
using Scheduler.Stores;

namespace Scheduler.Executors;

/// <summary>
/// The scheduler's side of a run: its clock, and what it does when the run starts and ends. Executors
/// sit below the scheduler and know it only through this.
/// </summary>
internal interface IRunReporter
{
    TimeProvider TimeProvider { get; }

    /// <summary>The scheduler, as running jobs see it (<see cref="JobContext"/>).</summary>
    object Scheduler { get; }

    /// <summary>The delegates registered by name with the scheduler, for delegate invocations.</summary>
    DelegateRegistry Delegates { get; }

    void OnRunStarted(JobExecution execution);

    void OnRunEnded(JobExecution execution);
}

/// <summary>Why a run's cancellation token was cancelled.</summary>
internal enum CancelReason
{
    None = 0,
    Timeout = 1,
    Replaced = 2,
    Shutdown = 3,

    /// <summary>Stopped where it runs, by someone (<see cref="JobExecution.Stop"/>).</summary>
    Stopped = 4,
}

/// <summary>
/// One run handed to an executor. The executor calls <see cref="Begin"/> on its worker, runs the
/// invocation with <see cref="Context"/>, then calls one of the <c>End</c> methods; everything else
/// (start time, timeout, outcome, recording the run, reporting to the scheduler) happens here, once
/// for every executor.
/// </summary>
/// <remarks>
/// Made by the scheduler only. A custom executor derives from <see cref="QueuedJobExecutor"/> and is
/// handed executions in <see cref="QueuedJobExecutor.RunAsync"/>.
/// </remarks>
public sealed class JobExecution : IRunCancellation
{
    private const int Submitted = 0;
    private const int Running = 1;
    private const int Ended = 2;

    private readonly IRunReporter scheduler;
    // Made when someone asks for the token: most jobs never look at it, and every run pays for one.
    private CancellationTokenSource? cancellation;
    private ITimer? timeoutTimer;

    // What only some runs end with, made when the first of it is set: the runs waiting in an
    // executor's queue outlive garbage collections, and every byte of them is copied by each one.
    private Details? details;

    // UTC ticks, 0 until then (the scheduler's clock gives UTC times).
    private long startTicks;
    private long endTicks;
    private int state;
    private int cancelReason;
    private string? stopReason;

    [MethodImpl(DispatchPath.Optimized)]
    internal JobExecution(IRunReporter scheduler, Job job, JobRun run, JobStore store, JobExecutor? executor)
    {
        this.scheduler = scheduler;
        Job = job;
        Run = run;
        Store = store;
        Executor = executor;
    }

    /// <summary>The job, as it was when the run was submitted.</summary>
    public Job Job { get; }

    /// <summary>The run record as committed (Running).</summary>
    public JobRun Run { get; }

    /// <summary>What the running job sees; set by <see cref="Begin"/>, null before.</summary>
    public JobContext? Context { get; private set; }

    /// <summary>When the run started (set by <see cref="Begin"/>).</summary>
    public DateTimeOffset? StartTime
    {
        [MethodImpl(DispatchPath.Optimized)]
        get => startTicks == 0 ? null : new DateTimeOffset(startTicks, TimeSpan.Zero);
    }

    /// <summary>When the run ended, once it has.</summary>
    public DateTimeOffset? EndTime
    {
        [MethodImpl(DispatchPath.Optimized)]
        get => endTicks == 0 ? null : new DateTimeOffset(endTicks, TimeSpan.Zero);
    }

    internal JobStore Store { get; }

    /// <summary>The delegates registered with the scheduler running the job.</summary>
    internal DelegateRegistry Delegates => scheduler.Delegates;

    internal JobExecutor? Executor { get; }

    internal object? ReturnValue => details?.ReturnValue;

    internal Exception? Exception => details?.Exception;

    /// <summary>The run's record as it ended, once the scheduler has it (<see cref="ToEndedRun"/>).</summary>
    internal JobRun? EndedRun { get; set; }

    /// <summary>The exit code of a child process run; null for other runs.</summary>
    internal int? ExitCode => details?.ExitCode;

    /// <summary>Set by the scheduler (under its lock) when a newer run replaced this one and took its instance slot.</summary>
    internal bool Replaced { get; set; }

    /// <summary>
    /// A run of the schedule (not a retry, a recovery or a run started by hand): it is missed, not run,
    /// when a worker takes it up later than its scheduled time plus the job's misfire grace time.
    /// </summary>
    internal bool MissedIfLate { get; init; }

    internal CancelReason CancelReason
    {
        [MethodImpl(DispatchPath.Optimized)]
        get => (CancelReason)Volatile.Read(ref cancelReason);
    }

    internal bool HasEnded => Volatile.Read(ref state) == Ended;

    internal JobRunOutcome Outcome
    {
        [MethodImpl(DispatchPath.Optimized)]
        get
        {
            if (details?.ForcedOutcome is { } forced)
            {
                return forced;
            }

            if (startTicks == 0)
            {
                return JobRunOutcome.Cancelled;
            }

            return CancelReason switch
            {
                CancelReason.Timeout => JobRunOutcome.TimedOut,

                // Stopped on purpose: however the job went out (a stopped pipeline is an error), it did not fail.
                CancelReason.Stopped => JobRunOutcome.Cancelled,
                _ when details is null || (details.Exception is null && !details.ProcessFailed) => JobRunOutcome.Succeeded,
                CancelReason.None => JobRunOutcome.Failed,
                _ => JobRunOutcome.Cancelled,
            };
        }
    }

    /// <summary>The error text of the run, when it did not succeed.</summary>
    internal string? ErrorText
    {
        [MethodImpl(DispatchPath.Optimized)]
        get
        {
            if (details?.EndError is { } endError)
            {
                return endError;
            }

            var reason = Outcome switch
            {
                JobRunOutcome.TimedOut => string.Format(CultureInfo.InvariantCulture, "The run took longer than its timeout of {0}.", Job.Options.Timeout),
                JobRunOutcome.Cancelled => CancelReason switch
                {
                    CancelReason.Replaced => "The run was cancelled: a newer run replaced it.",
                    CancelReason.Stopped => Volatile.Read(ref stopReason),
                    _ => "The run was cancelled: the scheduler shut down.",
                },
                JobRunOutcome.Failed when details is { ProcessFailed: true } or { FailureText: not null } => null,
                JobRunOutcome.Failed => Exception is { } error ? $"{error.GetType().Name}: {error.Message}" : null,
                _ => null,
            };

            // The executor's own error text (a process's stderr, a script's error records) follows the
            // reason the run was stopped.
            var detail = details?.ProcessError ?? details?.FailureText;
            return reason is null ? detail : detail is null ? reason : reason + "\n" + detail;
        }
    }

    /// <summary>The run's record as it ended.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    internal JobRun ToEndedRun() => Run with
    {
        StartTime = StartTime,
        EndTime = EndTime,
        Outcome = Outcome,
        Output = JobRun.Bounded(details?.ReturnValue is { } value ? Convert.ToString(value, CultureInfo.InvariantCulture) : null),
        Error = JobRun.Bounded(ErrorText),
        ExitCode = details?.ExitCode,
    };

    /// <summary>
    /// Marks the run as started, on the worker that runs it. False when it was cancelled before it
    /// could start, or comes too late for the job's misfire grace time; it has then already been
    /// ended and reported.
    /// </summary>
    [MethodImpl(DispatchPath.Optimized)]
    public bool Begin()
    {
        if (Interlocked.CompareExchange(ref state, Running, Submitted) != Submitted)
        {
            return false;
        }

        if (CancelReason != CancelReason.None)
        {
            Finish(returnValue: null, exception: null);
            return false;
        }

        if (!Store.MayStart(Run))
        {
            // Fencing: another scheduler sharing the store took this one's runs over (it seemed dead).
            var fenced = details ??= new Details();
            fenced.ForcedOutcome = JobRunOutcome.Abandoned;
            fenced.EndError = "The run was not started: this scheduler lost its claim to it (another scheduler sharing the store took its runs over).";
            Finish(returnValue: null, exception: null);
            return false;
        }

        var time = scheduler.TimeProvider;
        var start = time.GetUtcNow();

        // The grace time holds until the run starts, not only until it is dispatched: a run that waited
        // in a full executor's queue, or behind a long run of its own job, is as late as one the
        // scheduler dispatched late.
        if (MissedIfLate && !Job.Options.IsOnTime(Run.ScheduledTime, start))
        {
            var missed = details ??= new Details();
            missed.ForcedOutcome = JobRunOutcome.Missed;
            missed.EndError = string.Format(
                CultureInfo.InvariantCulture,
                "The run was {0} late when a worker took it up, more than the misfire grace time of {1}.",
                TimeText.Elapsed(start - Run.ScheduledTime),
                TimeText.Elapsed(Job.Options.MisfireGraceTime!.Value));
            Finish(returnValue: null, exception: null);
            return false;
        }

        startTicks = start.UtcTicks;
        Context = new JobContext(scheduler.Scheduler, Job, Run, start, this);
        if (Job.Options.Timeout is { } timeout)
        {
            timeoutTimer = time.CreateTimer(static s => ((JobExecution)s!).Cancel(CancelReason.Timeout), this, timeout, Timeout.InfiniteTimeSpan);
        }

        scheduler.OnRunStarted(this);
        return true;
    }

    /// <summary>Records how the run ended (on the worker that ran it) and reports it.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    public void End(object? returnValue, Exception? exception)
    {
        if (Volatile.Read(ref state) != Running)
        {
            return;
        }

        Finish(returnValue, exception);
    }

    /// <summary>
    /// Records how the run ended, with the error text the executor collected (a script's error records)
    /// in place of the exception's message.
    /// </summary>
    public void End(object? returnValue, Exception? exception, string? failureText)
    {
        if (Volatile.Read(ref state) != Running)
        {
            return;
        }

        if (failureText is not null)
        {
            (details ??= new Details()).FailureText = failureText;
        }

        Finish(returnValue, exception);
    }

    /// <summary>
    /// Records how a child process ended (on the worker that ran it) and reports it: its standard
    /// output, its exit code (null when it never started), and its error text (standard error, or why
    /// it failed); <paramref name="failed"/> makes the run Failed unless it was cancelled.
    /// </summary>
    public void EndProcess(string? output, int? exitCode, string? error, bool failed)
    {
        if (Volatile.Read(ref state) != Running)
        {
            return;
        }

        var ended = details ??= new Details();
        ended.ExitCode = exitCode;
        ended.ProcessFailed = failed;
        ended.ProcessError = string.IsNullOrEmpty(error) ? null : error;
        Finish(string.IsNullOrEmpty(output) ? null : output, exception: null);
    }

    /// <summary>Ends a run that will never start (its executor is gone or stopped, the scheduler shut down).</summary>
    public void EndWithoutRunning(JobRunOutcome outcome, string error)
    {
        if (Interlocked.CompareExchange(ref state, Running, Submitted) != Submitted)
        {
            return;
        }

        var never = details ??= new Details();
        never.ForcedOutcome = outcome;
        never.EndError = error;
        Finish(returnValue: null, exception: null);
    }

    /// <summary>The run's cancellation token; cancelled when the run times out, is replaced, or the scheduler shuts down without waiting.</summary>
    public CancellationToken CancellationToken => (Volatile.Read(ref cancellation) ?? CreateCancellation()).Token;

    /// <summary>
    /// Stops the run at its executor's request, because someone stopped it where it runs (Stop-Job): its
    /// token is cancelled, and when the executor ends it, it is recorded as Cancelled with
    /// <paramref name="reason"/> as its error, and is not retried. Thread-safe. A run cancelled already
    /// (a timeout, a replacement, the scheduler shutting down) keeps that reason.
    /// </summary>
    /// <param name="reason">Why the run stopped, as its record and event say it.</param>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is null or empty.</exception>
    public void Stop(string reason)
    {
        if (string.IsNullOrEmpty(reason))
        {
            throw new ArgumentException("A stopped run needs the reason it was stopped.", nameof(reason));
        }

        Interlocked.CompareExchange(ref stopReason, reason, null);
        Cancel(CancelReason.Stopped);
    }

    /// <summary>Cancels the run's token (thread-safe); the first reason wins.</summary>
    internal void Cancel(CancelReason reason)
    {
        Interlocked.CompareExchange(ref cancelReason, (int)reason, (int)CancelReason.None);

        // Without a source yet, the reason is enough: a source made later starts cancelled.
        if (Volatile.Read(ref cancellation) is { } source)
        {
            CancelSource(source);
        }
    }

    private static void CancelSource(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (AggregateException)
        {
            // A callback the job registered on its token threw; the job sees the failure itself.
        }
    }

    private CancellationTokenSource CreateCancellation()
    {
        var created = new CancellationTokenSource();
        if (Interlocked.CompareExchange(ref cancellation, created, null) is { } existing)
        {
            created.Dispose();
            return existing;
        }

        // Both sides write with a full fence before they read the other's field, so a Cancel racing
        // with this either sees the new source or left a reason that is seen here (or both).
        if (CancelReason != CancelReason.None)
        {
            created.Cancel();
        }

        return created;
    }

    [MethodImpl(DispatchPath.Optimized)]
    private void Finish(object? returnValue, Exception? exception)
    {
        Volatile.Write(ref state, Ended);
        timeoutTimer?.Dispose();
        endTicks = scheduler.TimeProvider.GetUtcNow().UtcTicks;
        if (returnValue is not null || exception is not null)
        {
            var ended = details ??= new Details();
            ended.ReturnValue = returnValue;
            ended.Exception = exception;
        }

        scheduler.OnRunEnded(this);
    }

    /// <summary>How a run ended, beyond its times and outcome: written by the one thread that ends it.</summary>
    private sealed class Details
    {
        public string? EndError { get; set; }

        public string? FailureText { get; set; }

        public JobRunOutcome? ForcedOutcome { get; set; }

        public bool ProcessFailed { get; set; }

        public string? ProcessError { get; set; }

        public object? ReturnValue { get; set; }

        public Exception? Exception { get; set; }

        public int? ExitCode { get; set; }
    }
}
