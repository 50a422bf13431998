using System.Diagnostics;
using System.Runtime.CompilerServices;
using Scheduler.Events;
using Scheduler.Executors;
using Scheduler.Internal;
using Scheduler.Invocations;
using Scheduler.Jobs;
using Scheduler.Stores;
using Scheduler.Triggers;

namespace Scheduler.Scheduling;

/// <summary>
/// Owns job stores and executors, wakes up when the next job is due, applies the misfire, coalesce
/// and overlap rules, hands due runs to executors and raises events. Runs in the background
/// (<see cref="Start"/>), blocking in the foreground (<see cref="Run"/>) or as an awaitable task
/// (<see cref="RunAsync"/>).
/// </summary>
/// <remarks>
/// <para>A store and an executor named <c>"default"</c> exist from the start: a memory store and a
/// thread-pool executor with <see cref="SchedulerOptions.MaxWorkers"/> workers.</para>
/// <para>Pausing (the scheduler or a job) does not queue up runs: when it resumes, the next run is
/// computed from the time of resumption, and runs whose time fell inside the pause are not made up.
/// Downtime is different: when a stopped scheduler starts again, runs it missed are coalesced and
/// subject to the misfire grace time.</para>
/// <para>Every member is thread-safe and can be called from a job or an event listener. Called there,
/// <see cref="Shutdown"/> and <see cref="Dispose"/> start the shutdown without waiting for it (it
/// would wait for the caller); an asynchronous job must likewise not await <see cref="ShutdownAsync"/>.</para>
/// </remarks>
public sealed partial class JobScheduler : IDisposable, IAsyncDisposable
{
    /// <summary>The name of the store and the executor that exist from the start.</summary>
    public const string DefaultName = Job.DefaultComponentName;

    private readonly object gate = new();
    private readonly EventHub events;
    private readonly Dictionary<string, JobStore> stores = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JobExecutor> executors = new(StringComparer.Ordinal);
    private volatile DelegateInvocation? lastBound;
    private volatile NamedStore[] storeList = [];
    private readonly RunTracker runs;
    private readonly DispatchLoop loop;
    private SchedulerState state;
    private TaskCompletionSource<bool>? stoppedSignal;

    /// <summary>Creates a stopped scheduler with the default options and the system clock.</summary>
    /// <remarks>
    /// A separate overload so callers that never name a clock do not bind to the <see cref="TimeProvider"/>
    /// type (the PowerShell module, whose load context does not share it with the engine's).
    /// </remarks>
    public JobScheduler()
        : this(null, null)
    {
    }

    /// <summary>Creates a stopped scheduler.</summary>
    /// <param name="options">Its options; null for the defaults.</param>
    /// <param name="timeProvider">Its clock; null for the system clock. Tests pass a fake clock they advance.</param>
    public JobScheduler(SchedulerOptions? options = null, TimeProvider? timeProvider = null)
    {
        Options = options ?? SchedulerOptions.Default;
        TimeProvider = timeProvider ?? TimeProvider.System;
        Id = Options.SchedulerId ?? DefaultId();
        events = new EventHub(Options.EventLogCapacity);
        runs = new RunTracker(this);
        loop = new DispatchLoop(this, runs);
        lock (gate)
        {
            AttachStoreLocked(DefaultName, JobStore.CreateMemory(Options.RunHistoryLimit));
            AttachExecutorLocked(DefaultName, JobExecutor.CreateThreadPool(Options.MaxWorkers));
        }
    }

    /// <summary>The scheduler's id, recorded with every run it makes.</summary>
    public string Id { get; }

    /// <summary>The options the scheduler was created with.</summary>
    public SchedulerOptions Options { get; }

    /// <summary>The clock the scheduler takes every time from.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The recent events, readable by sequence number and awaitable.</summary>
    public EventLog Events => events.Log;

    /// <summary>Whether the scheduler is stopped, running or paused.</summary>
    public SchedulerState State
    {
        get
        {
            lock (gate)
            {
                return state;
            }
        }
    }

    internal DelegateRegistry Delegates { get; } = new();

    /// <summary>
    /// The time on the scheduler's clock (<see cref="TimeProvider"/>'s UTC reading), which stamps its runs
    /// and events: what a front end that takes no clock of its own counts from.
    /// </summary>
    public DateTimeOffset Now
    {
        [MethodImpl(DispatchPath.Optimized)]
        get => TimeProvider.GetUtcNow();
    }

    // ---------------------------------------------------------------- for the loop and the run tracker

    /// <summary>The one lock of the scheduler, shared by its loop and its run tracker.</summary>
    internal object Gate => gate;

    internal EventHub Hub => events;

    internal DispatchLoop Loop => loop;

    internal RunTracker Runs => runs;

    /// <summary>Whether a shutdown is under way (read under the lock).</summary>
    internal bool StoppingLocked => stopping;

    /// <summary>The state (read under the lock).</summary>
    internal SchedulerState StateLocked => state;

    internal NamedStore[] StoreList => storeList;

    internal bool HasStoreLocked(string name) => stores.ContainsKey(name);

    // ---------------------------------------------------------------- jobs

    /// <summary>Adds a job.</summary>
    /// <param name="trigger">When the job fires. An interval without a start fires one interval after now.</param>
    /// <param name="invocation">What the job runs.</param>
    /// <param name="id">The job's id; null to generate one.</param>
    /// <param name="name">A display name; null for the id.</param>
    /// <param name="arguments">The invocation's arguments; null for none.</param>
    /// <param name="options">The job's options; null for <see cref="SchedulerOptions.JobDefaults"/>.</param>
    /// <param name="executor">The executor's name; null for <see cref="DefaultName"/>.</param>
    /// <param name="store">The store's name; null for <see cref="DefaultName"/>.</param>
    /// <param name="paused">Add the job paused (no next run time) instead of scheduled.</param>
    /// <param name="replaceExisting">Replace a job with the same id instead of failing.</param>
    /// <returns>The job as stored, with its next run time.</returns>
    /// <exception cref="ArgumentException">The id is empty; the store or executor is unknown; the executor cannot run the invocation; the invocation or its arguments are invalid; the trigger never fires.</exception>
    /// <exception cref="InvalidOperationException">A job with that id exists and <paramref name="replaceExisting"/> is false.</exception>
    public Job AddJob(
        Trigger trigger,
        Invocation invocation,
        string? id = null,
        string? name = null,
        JobArguments? arguments = null,
        JobOptions? options = null,
        string? executor = null,
        string? store = null,
        bool paused = false,
        bool replaceExisting = false)
    {
        if (trigger is null)
        {
            throw new ArgumentNullException(nameof(trigger));
        }

        if (invocation is null)
        {
            throw new ArgumentNullException(nameof(invocation));
        }

        RequireName(id, nameof(id), "job id");
        RequireName(name, nameof(name), "job name");
        id ??= Ids.New();
        arguments ??= JobArguments.None;
        options ??= Options.JobDefaults;
        executor ??= DefaultName;
        store ??= DefaultName;

        Job job;
        lock (gate)
        {
            var target = StoreLocked(store, nameof(store));
            CheckExecutorLocked(executor, invocation, nameof(executor));
            ValidateInvocation(invocation, arguments);
            if (storeList.Length > 1)
            {
                foreach (var other in storeList)
                {
                    if (other.Store != target && other.Store.Get(id) is not null)
                    {
                        throw new InvalidOperationException($"A job with the id '{id}' already exists in the store '{other.Name}'.");
                    }
                }
            }

            var now = Now;
            var anchored = trigger.AnchoredAt(now);
            DateTimeOffset? runTime = null;
            long jitterTicks = 0;
            if (!paused)
            {
                var first = FirstFireTime(anchored, now)
                    ?? throw new ArgumentException($"The trigger has no fire time at or after {now:O}: the job would never run.", nameof(trigger));
                runTime = loop.JitteredLocked(anchored, first);
                jitterTicks = runTime.Value.UtcTicks - first.UtcTicks;
            }

            job = new Job(id, name ?? id, anchored, invocation, arguments, options, executor, store)
            {
                NextRunTime = runTime,
                JitterTicks = jitterTicks,
                State = paused ? JobState.Paused : JobState.Scheduled,
            };

            target.Add(job, replaceExisting);
            events.Publish(JobEvent(SchedulerEventType.JobAdded, job));
        }

        events.Flush();
        loop.WakeIfEarlier(job.NextRunTime);
        return job;
    }

    /// <summary>
    /// Groups the writes that follow into one transaction per persistent store, committed when the
    /// returned scope is disposed: adding many jobs to a SQLite store inside a batch costs one commit
    /// instead of one per job (tens of thousands of jobs a second instead of about fifteen thousand).
    /// </summary>
    /// <remarks>
    /// Everything else behaves as without a batch: each add is checked and announced at once, and a
    /// failing add (a duplicate id) fails alone. A due job that is dispatched commits what the batch
    /// wrote so far, so no run waits for the batch. Other processes see the batch's jobs only when it
    /// ends, a crash before that loses them all, and the store's file stays locked for writing by
    /// other processes meanwhile: keep a batch to the adds themselves. Batches may nest; the
    /// outermost commits. Stores added after the batch began are not in it.
    /// </remarks>
    /// <returns>The batch; dispose it to commit (disposing twice does nothing).</returns>
    public IDisposable BeginBatch()
    {
        var scopes = new List<IDisposable>();
        lock (gate)
        {
            foreach (var named in storeList)
            {
                if (named.Store.BeginBatch() is { } scope)
                {
                    scopes.Add(scope);
                }
            }
        }

        return new StoreBatch(scopes);
    }

    /// <summary>Adds a job that runs an asynchronous .NET delegate, given the run's context and cancellation token.</summary>
    /// <inheritdoc cref="AddJob(Trigger, Invocation, string?, string?, JobArguments?, JobOptions?, string?, string?, bool, bool)" path="/exception"/>
    public Job AddJob(string? id, Trigger trigger, Func<JobContext, CancellationToken, Task> action, JobOptions? options = null)
        => AddJob(trigger, Bind(action), id, options: options);

    /// <summary>Adds a job that runs an asynchronous .NET delegate, given the run's context.</summary>
    /// <inheritdoc cref="AddJob(Trigger, Invocation, string?, string?, JobArguments?, JobOptions?, string?, string?, bool, bool)" path="/exception"/>
    public Job AddJob(string? id, Trigger trigger, Func<JobContext, Task> action, JobOptions? options = null)
        => AddJob(trigger, Bind(action), id, options: options);

    /// <summary>Adds a job that runs a synchronous .NET delegate, given the run's context.</summary>
    /// <inheritdoc cref="AddJob(Trigger, Invocation, string?, string?, JobArguments?, JobOptions?, string?, string?, bool, bool)" path="/exception"/>
    public Job AddJob(string? id, Trigger trigger, Action<JobContext> action, JobOptions? options = null)
        => AddJob(trigger, Bind(action), id, options: options);

    /// <summary>The job with that id, or null.</summary>
    public Job? GetJob(string id)
    {
        if (id is null)
        {
            throw new ArgumentNullException(nameof(id));
        }

        foreach (var target in storeList)
        {
            if (target.Store.Get(id) is { } job)
            {
                return job;
            }
        }

        return null;
    }

    /// <summary>The jobs of every store, or of the named one, each store's ordered by next run time.</summary>
    /// <exception cref="ArgumentException">There is no store with that name.</exception>
    public IReadOnlyList<Job> GetJobs(string? store = null) => FromStores(store, static target => target.GetAll());

    /// <summary>
    /// The jobs of every store, or of the named one, whose name satisfies <paramref name="nameMatches"/>,
    /// ordered as <see cref="GetJobs"/> orders them. A store loads only the matching jobs, so finding a
    /// job by name in a large SQLite store does not parse every definition.
    /// </summary>
    /// <param name="nameMatches">Whether a job's name is wanted (a wildcard or prefix match, for instance).</param>
    /// <param name="store">The store to search; null for every store.</param>
    /// <exception cref="ArgumentNullException"><paramref name="nameMatches"/> is null.</exception>
    /// <exception cref="ArgumentException">There is no store with that name.</exception>
    public IReadOnlyList<Job> FindJobsByName(Func<string, bool> nameMatches, string? store = null)
    {
        if (nameMatches is null)
        {
            throw new ArgumentNullException(nameof(nameMatches));
        }

        return FromStores(store, target => target.GetByName(nameMatches));
    }

    /// <summary>What <paramref name="query"/> returns from the named store, or from every store one after the other.</summary>
    private IReadOnlyList<Job> FromStores(string? store, Func<JobStore, IReadOnlyList<Job>> query)
    {
        if (store is not null)
        {
            lock (gate)
            {
                return query(StoreLocked(store, nameof(store)));
            }
        }

        var current = storeList;
        if (current.Length == 1)
        {
            return query(current[0].Store);
        }

        var all = new List<Job>();
        foreach (var target in current)
        {
            all.AddRange(query(target.Store));
        }

        return all;
    }

    /// <summary>
    /// How many jobs the stores keep and the earliest next run time of any of them (null when none is
    /// scheduled), asked of the stores without reading a job: what a status line shows, cheap for a large store.
    /// </summary>
    public (int Count, DateTimeOffset? NextRunTime) GetJobCountAndNextRunTime()
    {
        var count = 0;
        DateTimeOffset? next = null;
        foreach (var target in storeList)
        {
            count += target.Store.Count;
            if (target.Store.GetNextRunTime() is { } time && (next is null || time < next))
            {
                next = time;
            }
        }

        return (count, next);
    }

    /// <summary>The latest runs of a job, newest first.</summary>
    public IReadOnlyList<JobRun> GetJobRuns(string id, int maxCount = JobStore.DefaultRunHistoryLimit)
    {
        if (id is null)
        {
            throw new ArgumentNullException(nameof(id));
        }

        if (maxCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"The maximum count must not be negative, not {maxCount}.");
        }

        foreach (var target in storeList)
        {
            var runs = target.Store.GetRuns(id, maxCount);
            if (runs.Count > 0)
            {
                return runs;
            }
        }

        return [];
    }

    /// <summary>
    /// The ids of jobs that ended (a one-off job after its run, any job after its trigger's last fire
    /// time) and whose runs are still kept, over all stores, the most recently ended of each store
    /// first; read their runs with <see cref="GetJobRuns"/>. See <see cref="JobStore.GetEndedJobIds"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxCount"/> is negative.</exception>
    public IReadOnlyList<string> GetEndedJobIds(int maxCount = 1000)
    {
        if (maxCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"The maximum count must not be negative, not {maxCount}.");
        }

        var ids = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var target in storeList)
        {
            foreach (var id in target.Store.GetEndedJobIds(maxCount - ids.Count))
            {
                // An id ended in one store may be a job of another: its runs are read as that job's.
                if (seen.Add(id) && !storeList.Any(other => other != target && other.Store.Get(id) is not null))
                {
                    ids.Add(id);
                }
            }
        }

        return ids;
    }

    /// <summary>Changes what a job runs or how; arguments left null keep their value.</summary>
    /// <returns>The job as stored.</returns>
    /// <exception cref="KeyNotFoundException">There is no job with that id.</exception>
    /// <exception cref="ArgumentException">The name is empty; the executor is unknown or cannot run the invocation; the invocation or its arguments are invalid.</exception>
    public Job ModifyJob(string id, string? name = null, Invocation? invocation = null, JobArguments? arguments = null, JobOptions? options = null, string? executor = null)
    {
        RequireName(name, nameof(name), "job name");
        Job updated;
        lock (gate)
        {
            var (target, job) = FindLocked(id);
            var newInvocation = invocation ?? job.Invocation;
            var newArguments = arguments ?? job.Arguments;
            var newExecutor = executor ?? job.Executor;
            CheckExecutorLocked(newExecutor, newInvocation, nameof(executor));
            if (invocation is not null || arguments is not null)
            {
                ValidateInvocation(newInvocation, newArguments);
            }

            updated = job with
            {
                Name = name ?? job.Name,
                Invocation = newInvocation,
                Arguments = newArguments,
                Options = options ?? job.Options,
                Executor = newExecutor,
            };
            target.Store.Update(updated);
            events.Publish(JobEvent(SchedulerEventType.JobModified, updated));
        }

        events.Flush();
        return updated;
    }

    /// <summary>Gives a job a new trigger and recomputes its next run time from now (a paused job stays paused).</summary>
    /// <exception cref="KeyNotFoundException">There is no job with that id.</exception>
    /// <exception cref="ArgumentException">The trigger never fires.</exception>
    public Job RescheduleJob(string id, Trigger trigger)
    {
        if (trigger is null)
        {
            throw new ArgumentNullException(nameof(trigger));
        }

        Job updated;
        lock (gate)
        {
            var (target, job) = FindLocked(id);
            var now = Now;
            var anchored = trigger.AnchoredAt(now);
            updated = job with { Trigger = anchored };
            if (job.State != JobState.Paused)
            {
                var first = FirstFireTime(anchored, now)
                    ?? throw new ArgumentException($"The trigger has no fire time at or after {now:O}: the job would never run.", nameof(trigger));
                updated = loop.WithNextFireLocked(updated, first);
            }

            target.Store.Update(updated);
            events.Publish(JobEvent(SchedulerEventType.JobModified, updated, "The job has a new trigger."));
        }

        events.Flush();
        loop.WakeIfEarlier(updated.NextRunTime);
        return updated;
    }

    /// <summary>Pauses a job: it keeps its definition and has no next run time until resumed.</summary>
    /// <exception cref="KeyNotFoundException">There is no job with that id.</exception>
    public Job PauseJob(string id)
    {
        Job updated;
        lock (gate)
        {
            var (target, job) = FindLocked(id);
            if (job.State != JobState.Scheduled)
            {
                return job;
            }

            updated = job with { NextRunTime = null, JitterTicks = 0, State = JobState.Paused };
            target.Store.Update(updated);
            events.Publish(JobEvent(SchedulerEventType.JobPaused, updated));
        }

        events.Flush();
        return updated;
    }

    /// <summary>
    /// Resumes a paused job: its next run time is the trigger's first fire time from now, so runs
    /// that fell inside the pause are not made up. A job whose trigger has no further fire time is
    /// removed (reported as JobRemoved). A scheduled job is returned unchanged.
    /// </summary>
    /// <exception cref="KeyNotFoundException">There is no job with that id.</exception>
    /// <exception cref="InvalidOperationException">The job is broken (its store could not load it).</exception>
    public Job ResumeJob(string id)
    {
        Job result;
        lock (gate)
        {
            var (target, job) = FindLocked(id);
            if (job.State == JobState.Broken)
            {
                throw new InvalidOperationException($"The job '{id}' is broken and cannot be resumed: {job.LoadError}");
            }

            if (job.State == JobState.Scheduled)
            {
                return job;
            }

            result = loop.RecomputeFromLocked(target, job, Now) ?? job;
            if (!ReferenceEquals(result, job))
            {
                events.Publish(JobEvent(SchedulerEventType.JobResumed, result));
            }
        }

        events.Flush();
        loop.WakeIfEarlier(result.NextRunTime);
        return result;
    }

    /// <summary>Removes a job. Its runs in progress continue.</summary>
    /// <exception cref="KeyNotFoundException">There is no job with that id.</exception>
    public void RemoveJob(string id)
    {
        lock (gate)
        {
            var (target, job) = FindLocked(id);
            target.Store.Remove(id);
            events.Publish(JobEvent(SchedulerEventType.JobRemoved, job));
        }

        events.Flush();
    }

    /// <summary>Removes every job of every store, or of the named one. Runs in progress continue.</summary>
    /// <exception cref="ArgumentException">There is no store with that name.</exception>
    public void RemoveAllJobs(string? store = null)
    {
        lock (gate)
        {
            if (store is not null)
            {
                StoreLocked(store, nameof(store)).RemoveAll();
            }
            else
            {
                foreach (var target in storeList)
                {
                    target.Store.RemoveAll();
                }
            }

            events.Publish(new SchedulerEventData(SchedulerEventType.AllJobsRemoved, Now) { SchedulerId = Id, StoreName = store });
        }

        events.Flush();
    }

    /// <summary>
    /// Runs a job now, in addition to its schedule (its next run time does not change). The job's
    /// maximum instances and overlap policy apply.
    /// </summary>
    /// <returns>The run: Running, or Skipped when the job has its maximum number of runs in progress.</returns>
    /// <exception cref="KeyNotFoundException">There is no job with that id.</exception>
    /// <exception cref="InvalidOperationException">The scheduler is not running.</exception>
    public JobRun RunJobNow(string id)
    {
        var work = new RunWork();
        JobRun run;
        lock (gate)
        {
            if (state == SchedulerState.Stopped || stopping)
            {
                throw new InvalidOperationException($"The scheduler '{Id}' is not running; start it before running a job now.");
            }

            var (target, job) = FindLocked(id);
            if (job.State == JobState.Broken)
            {
                throw new InvalidOperationException($"The job '{id}' is broken and cannot run: {job.LoadError}");
            }

            run = loop.SubmitOneLocked(target, job, Now, attempt: 1, work);
        }

        runs.Perform(work);
        return run;
    }

    /// <summary>
    /// Registers a delegate that <see cref="DelegateInvocation"/> jobs name; a later registration
    /// under the same name replaces it. Jobs look the name up each time they run.
    /// </summary>
    public void RegisterDelegate(string name, Delegate target) => Delegates.Register(name, target);

    /// <summary>Removes a registered delegate; false when none had that name.</summary>
    public bool UnregisterDelegate(string name) => Delegates.Unregister(name);

    // ---------------------------------------------------------------- stores and executors

    /// <summary>Adds a job store under a name.</summary>
    /// <exception cref="ArgumentException">The name is empty or taken, or the store belongs to another scheduler.</exception>
    public void AddJobStore(string name, JobStore store)
    {
        RequireName(name ?? throw new ArgumentNullException(nameof(name)), nameof(name), "store name");
        if (store is null)
        {
            throw new ArgumentNullException(nameof(store));
        }

        var work = new RunWork();
        lock (gate)
        {
            if (stores.ContainsKey(name))
            {
                throw new ArgumentException($"A job store named '{name}' already exists.", nameof(name));
            }

            if (store.Owner is not null)
            {
                throw new ArgumentException($"The job store for '{name}' already belongs to a scheduler.", nameof(store));
            }

            var target = AttachStoreLocked(name, store);
            if (state != SchedulerState.Stopped)
            {
                try
                {
                    store.AttachScheduler(Id, TimeProvider, events.Log);
                }
                catch
                {
                    DetachStoreObjectLocked(name, store);
                    throw;
                }
            }

            events.Publish(new SchedulerEventData(SchedulerEventType.StoreAdded, Now) { SchedulerId = Id, StoreName = name });
            if (state != SchedulerState.Stopped)
            {
                loop.AbandonUnfinishedRunsLocked(target, work);
            }
        }

        runs.Perform(work);
        loop.Wake();
    }

    /// <summary>Removes a job store; its jobs stay in it but are no longer scheduled.</summary>
    /// <exception cref="ArgumentException">There is no store with that name.</exception>
    public void RemoveJobStore(string name)
    {
        lock (gate)
        {
            var store = StoreLocked(name, nameof(name));
            if (state != SchedulerState.Stopped)
            {
                DetachStoreLocked(storeList.First(s => s.Store == store));
            }

            DetachStoreObjectLocked(name, store);
            events.Publish(new SchedulerEventData(SchedulerEventType.StoreRemoved, Now) { SchedulerId = Id, StoreName = name });
        }

        events.Flush();
    }

    /// <summary>Adds an executor under a name.</summary>
    /// <exception cref="ArgumentException">The name is empty or taken, or the executor belongs to another scheduler.</exception>
    public void AddExecutor(string name, JobExecutor executor)
    {
        RequireName(name ?? throw new ArgumentNullException(nameof(name)), nameof(name), "executor name");
        if (executor is null)
        {
            throw new ArgumentNullException(nameof(executor));
        }

        lock (gate)
        {
            if (executors.ContainsKey(name))
            {
                throw new ArgumentException($"An executor named '{name}' already exists.", nameof(name));
            }

            if (executor.Owner is not null)
            {
                throw new ArgumentException($"The executor for '{name}' already belongs to a scheduler.", nameof(executor));
            }

            AttachExecutorLocked(name, executor);
            if (state != SchedulerState.Stopped)
            {
                executor.Start();
            }

            events.Publish(new SchedulerEventData(SchedulerEventType.ExecutorAdded, Now) { SchedulerId = Id, ExecutorName = name });
        }

        events.Flush();
    }

    /// <summary>Removes an executor. Its runs in progress finish; later runs of jobs naming it fail.</summary>
    /// <exception cref="ArgumentException">There is no executor with that name.</exception>
    public void RemoveExecutor(string name)
    {
        JobExecutor executor;
        lock (gate)
        {
            if (name is null || !executors.TryGetValue(name, out executor!))
            {
                throw new ArgumentException($"There is no executor named '{name}'. Known executors: {string.Join(", ", executors.Keys)}.", nameof(name));
            }

            executors.Remove(name);
            executor.Owner = null;
            events.Publish(new SchedulerEventData(SchedulerEventType.ExecutorRemoved, Now) { SchedulerId = Id, ExecutorName = name });
        }

        _ = executor.StopAsync();
        events.Flush();
    }

    // ---------------------------------------------------------------- events

    /// <summary>
    /// Calls <paramref name="listener"/> for each event whose type is in <paramref name="mask"/>, in
    /// sequence order, one event at a time. A listener that throws is recorded as a SchedulerError
    /// event and keeps receiving events. Dispose the result to unsubscribe.
    /// </summary>
    public IDisposable Subscribe(Action<SchedulerEvent> listener, SchedulerEventType mask = SchedulerEventType.All)
        => events.Subscribe(listener, mask);

    /// <summary>Removes every subscription of <paramref name="listener"/>; false when it had none.</summary>
    public bool Unsubscribe(Action<SchedulerEvent> listener) => events.Unsubscribe(listener ?? throw new ArgumentNullException(nameof(listener)));

    // ---------------------------------------------------------------- helpers

    /// <summary>
    /// The first fire time of a job added or rescheduled now. A date that has passed is due now (and
    /// subject to the misfire grace time). A trigger that cannot find one (an all-trigger whose triggers
    /// never agree) is an invalid argument, as one that never fires: an <see cref="InvalidOperationException"/>
    /// would read as the job's id being taken.
    /// </summary>
    private static DateTimeOffset? FirstFireTime(Trigger trigger, DateTimeOffset now)
    {
        try
        {
            return trigger.GetFireTimeAtOrAfter(now) ?? (trigger is DateTrigger date ? date.At : null);
        }
        catch (InvalidOperationException failed)
        {
            throw new ArgumentException(failed.Message, nameof(trigger), failed);
        }
    }

    private static void RequireName(string? value, string parameter, string what)
    {
        if (value is not null && string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"The {what} must not be empty or white space, not '{value}'.", parameter);
        }
    }

    private static string DefaultId()
    {
        using var process = Process.GetCurrentProcess();
        return $"{Environment.MachineName}-{process.Id}-{Ids.New().Substring(0, 6)}";
    }

    /// <summary>The invocation of a bound delegate; jobs added in a row with the same delegate share one.</summary>
    private DelegateInvocation Bind(Delegate action)
    {
        if (action is null)
        {
            throw new ArgumentNullException(nameof(action));
        }

        var last = lastBound;
        if (last is not null && ReferenceEquals(last.Target, action))
        {
            return last;
        }

        var invocation = new DelegateInvocation(action);
        lastBound = invocation;
        return invocation;
    }

    private void ValidateInvocation(Invocation invocation, JobArguments arguments)
    {
        if (DotNetInvoker.CanRun(invocation.Kind))
        {
            DotNetInvoker.Validate(invocation, arguments, Delegates);
        }
        else
        {
            ProcessJobExecutor.Validate(invocation, arguments);
        }
    }

    private JobStore StoreLocked(string name, string parameter)
        => name is not null && stores.TryGetValue(name, out var store)
            ? store
            : throw new ArgumentException($"There is no job store named '{name}'. Known stores: {string.Join(", ", stores.Keys)}.", parameter);

    private void CheckExecutorLocked(string name, Invocation invocation, string parameter)
    {
        if (!executors.TryGetValue(name, out var executor))
        {
            throw new ArgumentException($"There is no executor named '{name}'. Known executors: {string.Join(", ", executors.Keys)}.", parameter);
        }

        if (!executor.CanRun(invocation.Kind))
        {
            throw new ArgumentException($"The executor '{name}' cannot run {invocation.Kind} invocations ({invocation}).", parameter);
        }
    }

    private (NamedStore Target, Job Job) FindLocked(string id)
    {
        if (id is null)
        {
            throw new ArgumentNullException(nameof(id));
        }

        foreach (var target in storeList)
        {
            if (target.Store.Get(id) is { } job)
            {
                return (target, job);
            }
        }

        throw new KeyNotFoundException($"There is no job with the id '{id}'.");
    }

    private NamedStore AttachStoreLocked(string name, JobStore store)
    {
        stores.Add(name, store);
        store.Owner = this;
        store.Changed += OnStoreChanged;
        store.JobLoadFailed += OnJobLoadFailed;
        store.ErrorOccurred += OnStoreError;
        var target = new NamedStore(name, store);
        storeList = [.. storeList, target];
        return target;
    }

    private void DetachStoreObjectLocked(string name, JobStore store)
    {
        store.Changed -= OnStoreChanged;
        store.JobLoadFailed -= OnJobLoadFailed;
        store.ErrorOccurred -= OnStoreError;
        store.Owner = null;
        stores.Remove(name);
        storeList = storeList.Where(s => s.Store != store).ToArray();
    }

    private void AttachExecutorLocked(string name, JobExecutor executor)
    {
        executors.Add(name, executor);
        executor.Owner = this;
    }

    private void OnStoreChanged(object? sender, EventArgs e)
    {
        loop.Wake();
        if (sender is JobStore store)
        {
            ServeStoreRequests(store);
        }
    }

    private void OnJobLoadFailed(object? sender, JobLoadFailedEventArgs e)
    {
        var name = storeList.FirstOrDefault(s => s.Store == sender)?.Name;
        events.Publish(new SchedulerEventData(SchedulerEventType.JobLoadFailed, Now)
        {
            SchedulerId = Id,
            JobId = e.JobId,
            StoreName = name,
            Error = e.Error,
            Exception = e.Exception,
            Message = $"The job '{e.JobId}' could not be loaded from the store '{name}' and is kept as broken: {e.Error}",
        });
        events.Flush();
    }

    private void OnStoreError(object? sender, StoreErrorEventArgs e)
    {
        events.Publish(new SchedulerEventData(SchedulerEventType.SchedulerError, Now)
        {
            SchedulerId = Id,
            StoreName = storeList.FirstOrDefault(s => s.Store == sender)?.Name,
            Error = e.Exception?.Message,
            Exception = e.Exception,
            Message = e.Message,
        });
        events.Flush();
    }

    [MethodImpl(DispatchPath.Optimized)]
    internal SchedulerEventData JobEvent(SchedulerEventType type, Job job, string? message = null) => JobEvent(type, job, Now, message);

    [MethodImpl(DispatchPath.Optimized)]
    internal SchedulerEventData JobEvent(SchedulerEventType type, Job job, DateTimeOffset at, string? message) => new(type, at)
    {
        SchedulerId = Id,
        JobId = job.Id,
        JobName = job.Name,
        StoreName = job.Store,
        ExecutorName = job.Executor,
        ScheduledTime = job.NextRunTime,
        Message = message,
    };

    /// <summary>The batches of the stores that had one; ends each once.</summary>
    private sealed class StoreBatch(List<IDisposable> scopes) : IDisposable
    {
        private int ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref ended, 1) == 0)
            {
                foreach (var scope in scopes)
                {
                    scope.Dispose();
                }
            }
        }
    }
}
