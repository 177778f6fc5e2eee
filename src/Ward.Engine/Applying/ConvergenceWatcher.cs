using System.Text.Json.Nodes;
using Ward.Engine.Ports;

namespace Ward.Engine.Applying;

/// <summary>
/// Waits until an environment has really converged: every service runs its desired number of tasks, on its current
/// spec (a task whose spec differs from the service's is an old one), with no update in progress. A task reaches
/// "running" only after its healthcheck passes, so running means healthy where a check exists. Fails early, with
/// the tasks' own error text, when a service cannot converge: tasks rejected or failing, no suitable node, an image
/// missing on a node, an update paused or rolled back.
/// </summary>
public sealed class ConvergenceWatcher(IEngine engine, TimeProvider time)
{
    public async Task<ApplyResult> WaitAsync(string environment, ApplyOptions options, IApplyObserver observer, int stepsDone, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var pendingSince = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        while (true)
        {
            var services = await engine.ListAsync(ObjectKind.Service, environment, cancellationToken);
            var tasks = services.Count == 0 ? [] : await engine.ListTasksAsync([.. services.Select(s => s.Id)], cancellationToken);
            var now = time.GetUtcNow();
            var progress = services.OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => Assess(s, tasks.Where(t => t.ServiceId == s.Id).ToList(), options, pendingSince, now)).ToList();
            observer.Waiting(progress);
            var elapsed = time.GetElapsedTime(started);
            var failed = progress.Where(p => p.State == "failed").ToList();
            if (failed.Count > 0)
            {
                return new ApplyResult(ApplyOutcome.Failed, stepsDone, [.. failed.Select(f => $"{f.Name}: {f.LastError}")], progress, elapsed);
            }

            if (progress.All(p => p.Done))
            {
                return new ApplyResult(ApplyOutcome.Converged, stepsDone, [], progress, elapsed);
            }

            if (elapsed >= options.Timeout)
            {
                var problems = progress.Where(p => !p.Done).Select(p => $"{p.Name}: {p.Running}/{p.Desired} running after {options.Timeout.TotalSeconds:0} s{(p.LastError is null ? "" : $"; last error: {p.LastError}")}");
                return new ApplyResult(ApplyOutcome.TimedOut, stepsDone, [.. problems], progress, elapsed);
            }

            await Task.Delay(options.PollInterval, time, cancellationToken);
        }
    }

    /// <summary>One service's state from its tasks; see the class comment for what counts.</summary>
    /// <param name="service">The service.</param>
    /// <param name="tasks">Its tasks.</param>
    /// <param name="options">The limits that make a service fail.</param>
    /// <param name="pendingSince">Since when each service has had unschedulable tasks, kept between calls.</param>
    /// <param name="now">The current time, of the same clock as <paramref name="pendingSince"/>.</param>
    public static ServiceProgress Assess(ObservedObject service, IReadOnlyList<ObservedTask> tasks, ApplyOptions options, Dictionary<string, DateTimeOffset> pendingSince, DateTimeOffset now)
    {
        var template = service.Spec["TaskTemplate"] as JsonObject;
        var current = tasks.Where(t => IsCurrent(t, template)).ToList();
        var wanted = current.Where(t => t.DesiredState == "running").ToList();
        var running = wanted.Count(t => t.State == "running");
        var desired = DesiredCount(service, wanted.Count);
        var lastError = current.OrderByDescending(t => t.Timestamp).Select(t => t.Error).FirstOrDefault(e => !string.IsNullOrEmpty(e));
        string? failure = null;

        if (service.UpdateState is "paused" or "rollback_paused" or "rollback_completed" or "rollback_started")
        {
            failure = $"the update {service.UpdateState.Replace('_', ' ')}: {service.UpdateMessage}";
        }
        else if (current.FirstOrDefault(t => t.State == "rejected" && (t.Error ?? "").Contains("No such image", StringComparison.OrdinalIgnoreCase)) is { } missing)
        {
            failure = $"the image is missing on a node (no registry to pull from): {missing.Error}";
        }
        else if (current.Count(t => t.State is "failed" or "rejected") >= options.FailedTasksLimit)
        {
            failure = $"{current.Count(t => t.State is "failed" or "rejected")} tasks failed: {lastError ?? "no error text"}";
        }
        else if (wanted.FirstOrDefault(t => t.State == "pending" && (t.Error ?? "").Contains("no suitable node", StringComparison.OrdinalIgnoreCase)) is { } stuck)
        {
            pendingSince.TryAdd(service.Id, now);
            if (now - pendingSince[service.Id] >= options.UnschedulableAfter)
            {
                failure = $"no node can run its tasks: {stuck.Error}";
            }
        }
        else
        {
            pendingSince.Remove(service.Id);
        }

        var updating = service.UpdateState is "updating";
        var state = failure is not null ? "failed"
            : running >= desired && wanted.Count == desired && !updating && tasks.All(t => t.DesiredState != "running" || IsCurrent(t, template)) ? "converged"
            : updating ? "updating"
            : "starting";
        return new ServiceProgress(service.Name, running, desired, state, failure ?? lastError);
    }

    private static int DesiredCount(ObservedObject service, int scheduled)
    {
        var mode = service.Spec["Mode"];
        if (mode?["Replicated"] is JsonObject replicated)
        {
            return replicated["Replicas"] is JsonValue value && value.TryGetValue<long>(out var replicas) ? (int)replicas : 1;
        }

        // A global service runs one task per eligible node; the scheduler's own count of them is the target.
        return Math.Max(scheduled, 1);
    }

    /// <summary>Whether a task was made from the service's current task template (old tasks linger during updates).</summary>
    public static bool IsCurrent(ObservedTask task, JsonObject? template)
    {
        if (task.Spec is null || template is null)
        {
            return true;
        }

        return JsonNode.DeepEquals(Comparable(task.Spec), Comparable(template));
    }

    private static JsonObject Comparable(JsonObject taskSpec)
    {
        var copy = (JsonObject)taskSpec.DeepClone();
        copy.Remove("Networks");
        copy.Remove("Runtime");
        if (copy["Placement"] is JsonObject placement)
        {
            placement.Remove("Platforms");
        }

        return copy;
    }
}
