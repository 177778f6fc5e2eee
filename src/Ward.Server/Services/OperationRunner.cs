using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Ward.Deploying;
using Ward.Deploying.Databases;
using Ward.Deploying.Loading;
using Ward.Engine.Applying;
using Ward.Engine.Desired;
using Ward.Engine.Planning;
using Ward.Engine.Ports;
using Ward.Store;
using Ward.Store.Entities;

namespace Ward.Server.Services;

/// <summary>One progress event of an operation, as clients receive it.</summary>
public sealed record OperationEvent(long Sequence, DateTimeOffset At, string Type, object Data);

/// <summary>How an operation ended: its state (converged, succeeded, failed, ...) and one line of summary.</summary>
public sealed record OperationOutcome(string State, string Summary);

/// <summary>What an operation's work reports while it runs: events, stamped with the time and published to followers.</summary>
public sealed class OperationProgress(OperationRunner.LiveOperation live, TimeProvider time)
{
    public void Add(string type, object data) => live.Add(type, data, time.GetUtcNow());
}

/// <summary>
/// Runs applies and the databases' backups, restores and rehearsals as background operations. Each has an id and an
/// ordered list of events (an apply's plan, steps and per-service progress; a database job's phases; the result) that
/// clients poll or follow as server-sent events; the list is stored when the operation ends.
/// The apply itself is the core's (<see cref="Deployer"/>): two applies of one environment never interleave, the
/// swarm-side environment lock serialises them.
/// </summary>
public sealed partial class OperationRunner(EnvironmentService environments, StoreOptions store, StatusCache status, WardMetrics metrics, TimeProvider time, ILogger<OperationRunner> logger)
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

    /// <summary>Records an apply and starts it in the background; returns at once.</summary>
    public Task<Operation> StartApplyAsync(LoadedEnvironment environment, string actor, DeployRequest request, Func<Operation, Task> onFinished, CancellationToken cancellationToken) =>
        StartAsync(environment.Name, "apply", actor, async progress =>
            Outcome(await environments.Deployer().ApplyAsync(environment, request, new EventObserver(progress), CancellationToken.None)), onFinished, cancellationToken);

    /// <summary>
    /// Records an operation of an environment and starts its work in the background; returns at once. The work reports
    /// its progress as events and returns its end as a state and a summary; what the core throws for a failure of the
    /// swarm or a refused request ends it as failed with the core's message.
    /// </summary>
    public async Task<Operation> StartAsync(string environment, string kind, string actor, Func<OperationProgress, Task<OperationOutcome>> work, Func<Operation, Task> onFinished, CancellationToken cancellationToken)
    {
        var operation = new Operation
        {
            Environment = environment,
            Kind = kind,
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
        _ = Task.Run(() => RunAsync(operation, live, work, onFinished), CancellationToken.None);
        return operation;
    }

    private async Task RunAsync(Operation operation, LiveOperation live, Func<OperationProgress, Task<OperationOutcome>> work, Func<Operation, Task> onFinished)
    {
        string state;
        string summary;
        try
        {
            (state, summary) = await work(new OperationProgress(live, time));
        }
        catch (Exception e) when (e is EngineException or LockConflictException or DesiredStateException or DeployRequestException or DatabaseRequestException or DatabaseOperationException)
        {
            (state, summary) = ("failed", e.Message);
        }
        catch (Exception e)
        {
            LogOperationCrashed(logger, operation.Kind, operation.Id, e);
            (state, summary) = ("failed", "internal error; see the server log");
        }

        // The operation is stored as finished before anyone hears its result: a client that reads it after the
        // result event must never find it still running.
        var last = live.Next("result", new { state, summary }, time.GetUtcNow());
        operation.State = state;
        operation.Summary = summary;
        operation.FinishedAt = time.GetUtcNow();
        if (operation.Kind == "apply")
        {
            metrics.Apply(state, operation.FinishedAt.Value - operation.StartedAt);
        }

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
            LogSaveFailed(logger, operation.Kind, operation.Id, e);
        }

        live.Finish(last);
        _ = ForgetLaterAsync(operation.Id);
        await status.RefreshAsync(operation.Environment, CancellationToken.None);
        await onFinished(operation);
    }

    /// <summary>An apply's end as the operation's state and one line of summary.</summary>
    private static OperationOutcome Outcome(DeployResult result) => result.Status switch
    {
        DeployStatus.Converged when result.NothingChanged => new("converged", "nothing to change"),
        DeployStatus.Converged => new("converged", $"converged in {result.Applied!.Elapsed.TotalSeconds:0.0} s: {result.Applied.Services.Count} services, {result.Applied.Services.Sum(s => s.Running)} tasks running"),
        DeployStatus.TimedOut => new("timed-out", string.Join("; ", result.Applied!.Problems)),
        DeployStatus.RefusedByGate => new("failed", $"the readiness gate refused it: {result.Gate.Blocking.Count} error-level finding(s)"),
        DeployStatus.ImagesMissing => new("failed", $"no node of the local cluster has {string.Join(", ", result.Deployment!.Images.Missing)}"),
        DeployStatus.Declined => new("failed", "not confirmed"),
        _ => new("failed", string.Join("; ", result.Applied!.Problems)),
    };

    /// <summary>Drops a finished operation from memory after <see cref="FinishedRetention"/>, so memory does not grow with every apply.</summary>
    private async Task ForgetLaterAsync(Guid id)
    {
        await Task.Delay(FinishedRetention, time, CancellationToken.None);
        _live.TryRemove(id, out _);
    }

    /// <summary>Turns the apply's callbacks into operation events; the API's apply is confirmed when it is requested.</summary>
    private sealed class EventObserver(OperationProgress progress) : IDeployObserver
    {
        public void Planned(DeploymentPlan deployment, GateVerdict gate) => progress.Add("plan", PlanDocument.Of(deployment));

        public Task<bool> ConfirmAsync(DeploymentPlan deployment, CancellationToken cancellationToken) => Task.FromResult(true);

        public void StepStarted(PlanStep step)
        {
        }

        public void StepFinished(PlanStep step, string? error) =>
            progress.Add("step", new { change = step.Change.ToString().ToLowerInvariant(), target = step.Target.ToString().ToLowerInvariant(), name = step.Name, error });

        public void Waiting(IReadOnlyList<ServiceProgress> services) =>
            progress.Add("progress", services.Select(s => new { name = s.Name, running = s.Running, desired = s.Desired, state = s.State, lastError = s.LastError }).ToList());

        public void Note(string message) => progress.Add("note", new { message });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The {Kind} operation {Id} finished but could not be saved")]
    private static partial void LogSaveFailed(ILogger logger, string kind, Guid id, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The {Kind} operation {Id} crashed")]
    private static partial void LogOperationCrashed(ILogger logger, string kind, Guid id, Exception exception);
}
