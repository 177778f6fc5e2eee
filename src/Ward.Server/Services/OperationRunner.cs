using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Ward.Engine.Applying;
using Ward.Engine.Planning;
using Ward.Store;
using Ward.Store.Entities;

namespace Ward.Server.Services;

/// <summary>One progress event of an operation, as clients receive it.</summary>
public sealed record OperationEvent(long Sequence, DateTimeOffset At, string Type, object Data);

/// <summary>
/// Runs applies as background operations. Each has an id and an ordered list of events (plan, steps, per-service
/// progress, result) that clients poll or follow as server-sent events; the list is stored when the operation ends.
/// Two applies of one environment never interleave: the swarm-side environment lock serialises them.
/// </summary>
public sealed partial class OperationRunner(EngineAccess engine, EnvironmentService environments, StoreOptions store, StatusCache status, TimeProvider time, ILogger<OperationRunner> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// How long a finished operation stays in memory: a follower that read it as running a moment ago still reaches it.
    /// After that it is served from the store, which holds every event by then.
    /// </summary>
    internal static readonly TimeSpan FinishedRetention = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<Guid, LiveOperation> _live = new();

    /// <summary>An operation in progress: its events so far and the readers following it.</summary>
    public sealed class LiveOperation(Guid id)
    {
        private readonly Lock _gate = new();
        private readonly List<OperationEvent> _events = [];
        private readonly List<Channel<OperationEvent>> _followers = [];

        public Guid Id { get; } = id;

        public bool Finished { get; private set; }

        public IReadOnlyList<OperationEvent> Events
        {
            get
            {
                lock (_gate)
                {
                    return [.. _events];
                }
            }
        }

        public void Add(string type, object data, DateTimeOffset at)
        {
            lock (_gate)
            {
                var item = new OperationEvent(_events.Count + 1, at, type, data);
                _events.Add(item);
                foreach (var follower in _followers)
                {
                    follower.Writer.TryWrite(item);
                }
            }
        }

        /// <summary>The event <see cref="Add"/> would publish next, numbered but not yet published.</summary>
        public OperationEvent Next(string type, object data, DateTimeOffset at)
        {
            lock (_gate)
            {
                return new OperationEvent(_events.Count + 1, at, type, data);
            }
        }

        /// <summary>Publishes the last event (made by <see cref="Next"/>) and ends the operation for its followers.</summary>
        public void Finish(OperationEvent last)
        {
            lock (_gate)
            {
                _events.Add(last);
                Finished = true;
                foreach (var follower in _followers)
                {
                    follower.Writer.TryWrite(last);
                    follower.Writer.TryComplete();
                }
            }
        }

        /// <summary>Every event so far, then new ones as they come, until the operation ends.</summary>
        public async IAsyncEnumerable<OperationEvent> FollowAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var channel = Channel.CreateUnbounded<OperationEvent>();
            List<OperationEvent> backlog;
            lock (_gate)
            {
                backlog = [.. _events];
                if (Finished)
                {
                    channel.Writer.TryComplete();
                }
                else
                {
                    _followers.Add(channel);
                }
            }

            foreach (var item in backlog)
            {
                yield return item;
            }

            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
    }

    public LiveOperation? Live(Guid id) => _live.GetValueOrDefault(id);

    /// <summary>Records the operation and starts it in the background; returns at once.</summary>
    public async Task<Operation> StartApplyAsync(LoadedEnvironment environment, string actor, bool prune, ApplyOptions options, Func<Operation, Task> onFinished, CancellationToken cancellationToken)
    {
        var operation = new Operation
        {
            Environment = environment.Spec.Name,
            Kind = "apply",
            State = "running",
            StartedBy = actor,
            StartedAt = time.GetUtcNow(),
        };
        await using (var context = store.CreateContext())
        {
            context.Operations.Add(operation);
            await context.SaveChangesAsync(cancellationToken);
        }

        var live = new LiveOperation(operation.Id);
        _live[operation.Id] = live;
        _ = Task.Run(() => RunAsync(operation, live, environment, prune, options, onFinished), CancellationToken.None);
        return operation;
    }

    private async Task RunAsync(Operation operation, LiveOperation live, LoadedEnvironment environment, bool prune, ApplyOptions options, Func<Operation, Task> onFinished)
    {
        var observer = new EventObserver(live, time);
        string state;
        string summary;
        try
        {
            await using var held = await EnvironmentLock.AcquireAsync(engine.Engine, environment.Spec.Name, options.Timeout + TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(2), time, LockHolder.Current, pid => Directory.Exists($"/proc/{pid}"), CancellationToken.None);
            var plan = await environments.PlanAsync(environment, prune, CancellationToken.None);
            live.Add("plan", PlanDocument.Of(plan), time.GetUtcNow());
            if (!plan.HasChanges)
            {
                (state, summary) = ("converged", "nothing to change");
            }
            else
            {
                var result = await new Applier(engine.Engine, time).ApplyAsync(plan, options, observer, CancellationToken.None);
                state = result.Outcome switch
                {
                    ApplyOutcome.Converged when result.Problems.Count == 0 => "converged",
                    ApplyOutcome.TimedOut => "timed-out",
                    _ => "failed",
                };
                summary = state == "converged"
                    ? $"converged in {result.Elapsed.TotalSeconds:0.0} s: {result.Services.Count} services, {result.Services.Sum(s => s.Running)} tasks running"
                    : string.Join("; ", result.Problems);
            }
        }
        catch (Exception e) when (e is Engine.Ports.EngineException or LockConflictException or Engine.Desired.DesiredStateException)
        {
            (state, summary) = ("failed", e.Message);
        }
        catch (Exception e)
        {
            LogApplyCrashed(logger, operation.Id, e);
            (state, summary) = ("failed", "internal error; see the server log");
        }

        // The operation is stored as finished before anyone hears its result: a client that reads it after the
        // result event must never find it still running.
        var last = live.Next("result", new { state, summary }, time.GetUtcNow());
        operation.State = state;
        operation.Summary = summary;
        operation.FinishedAt = time.GetUtcNow();
        operation.EventsJson = JsonSerializer.Serialize<IReadOnlyList<OperationEvent>>([.. live.Events, last], Json);
        try
        {
            await using var context = store.CreateContext();
            context.Operations.Update(operation);
            await context.SaveChangesAsync();
        }
        catch (Exception e)
        {
            // Followers must still hear the end, or they would wait forever.
            LogSaveFailed(logger, operation.Id, e);
        }

        live.Finish(last);
        _ = ForgetLaterAsync(operation.Id);
        await status.RefreshAsync(environment.Spec.Name, CancellationToken.None);
        await onFinished(operation);
    }

    /// <summary>Drops a finished operation from memory after <see cref="FinishedRetention"/>, so memory does not grow with every apply.</summary>
    private async Task ForgetLaterAsync(Guid id)
    {
        await Task.Delay(FinishedRetention, time, CancellationToken.None);
        _live.TryRemove(id, out _);
    }

    /// <summary>Turns the applier's callbacks into operation events.</summary>
    private sealed class EventObserver(LiveOperation live, TimeProvider time) : IApplyObserver
    {
        public void StepStarted(PlanStep step)
        {
        }

        public void StepFinished(PlanStep step, string? error) =>
            live.Add("step", new { change = step.Change.ToString().ToLowerInvariant(), target = step.Target.ToString().ToLowerInvariant(), name = step.Name, error }, time.GetUtcNow());

        public void Waiting(IReadOnlyList<ServiceProgress> services) =>
            live.Add("progress", services.Select(s => new { name = s.Name, running = s.Running, desired = s.Desired, state = s.State, lastError = s.LastError }).ToList(), time.GetUtcNow());

        public void Note(string message) => live.Add("note", new { message }, time.GetUtcNow());
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Apply operation {Id} finished but could not be saved")]
    private static partial void LogSaveFailed(ILogger logger, Guid id, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Apply operation {Id} crashed")]
    private static partial void LogApplyCrashed(ILogger logger, Guid id, Exception exception);
}

/// <summary>A plan as the API returns it.</summary>
public static class PlanDocument
{
    public static object Of(Plan plan) => new
    {
        environment = plan.Environment,
        hasChanges = plan.HasChanges,
        steps = plan.Steps.Select(s => new
        {
            change = s.Change.ToString().ToLowerInvariant(),
            target = s.Target.ToString().ToLowerInvariant(),
            name = s.Name,
            reason = s.Reason,
            fields = s.Fields.Select(f => new { path = f.Path, before = f.Before, after = f.After }),
        }),
        warnings = plan.Warnings,
        summary = new { create = plan.Count(ChangeKind.Create), update = plan.Count(ChangeKind.Update), remove = plan.Count(ChangeKind.Remove) },
    };
}
