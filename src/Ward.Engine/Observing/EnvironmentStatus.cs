using Ward.Engine.Applying;
using Ward.Engine.Ports;

namespace Ward.Engine.Observing;

/// <summary>The overall state of an environment.</summary>
public enum Verdict
{
    /// <summary>Every service runs its desired tasks on its current spec, every node is ready.</summary>
    Converged,

    /// <summary>Tasks are being started or updated.</summary>
    Progressing,

    /// <summary>Something is down: a node, or tasks of a service that are not coming back by themselves.</summary>
    Degraded,

    /// <summary>A service cannot converge: rejected or failing tasks, no suitable node, an update paused or rolled back.</summary>
    Failed,
}

/// <param name="Name">The service's scoped name.</param>
/// <param name="Running">Tasks running its current spec.</param>
/// <param name="Desired">Tasks it should run.</param>
/// <param name="State">converged, progressing, degraded or failed.</param>
/// <param name="LastError">The error its tasks or its update last reported.</param>
/// <param name="Nodes">Where its running tasks are.</param>
/// <param name="Image">The image as written in the file, with the ID it is pinned to when it is.</param>
public sealed record ServiceStatus(string Name, int Running, int Desired, string State, string? LastError, IReadOnlyList<string> Nodes, string? Image)
{
    /// <summary>What to do when it is not running as it should (see <see cref="FailureAdvice"/>).</summary>
    public string? Advice => FailureAdvice.For(Name, State, LastError);
}

public sealed record EnvironmentStatusReport(string Environment, Verdict Verdict, IReadOnlyList<ObservedNode> Nodes, IReadOnlyList<ServiceStatus> Services, IReadOnlyList<string> Reasons);

/// <summary>Reads an environment's nodes, services and tasks, and judges them.</summary>
public static class EnvironmentStatus
{
    public static async Task<EnvironmentStatusReport> ReadAsync(IEngine engine, string environment, CancellationToken cancellationToken)
    {
        var nodesTask = engine.ListNodesAsync(cancellationToken);
        var services = await engine.ListAsync(ObjectKind.Service, environment, cancellationToken);
        var tasks = services.Count == 0 ? [] : await engine.ListTasksAsync([.. services.Select(s => s.Id)], cancellationToken);
        var nodes = await nodesTask;
        return Judge(environment, nodes, services, tasks, TimeProvider.System.GetUtcNow());
    }

    public static EnvironmentStatusReport Judge(string environment, IReadOnlyList<ObservedNode> nodes, IReadOnlyList<ObservedObject> services, IReadOnlyList<ObservedTask> tasks, DateTimeOffset now)
    {
        var nodeNames = nodes.ToDictionary(n => n.Id, NodeName, StringComparer.Ordinal);
        var downNodes = nodes.Where(n => n.State != "ready").Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var options = new ApplyOptions { UnschedulableAfter = TimeSpan.Zero };
        var statuses = new List<ServiceStatus>();
        var reasons = new List<string>();
        foreach (var service in services.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var own = tasks.Where(t => t.ServiceId == service.Id).ToList();
            var progress = ConvergenceWatcher.Assess(service, own, options, [], now);
            var running = own.Where(t => t.DesiredState == "running" && t.State == "running").ToList();
            var onDownNode = own.Any(t => t.DesiredState == "running" && t.NodeId is not null && downNodes.Contains(t.NodeId));
            // A task on a down node still reads "running" (its last report) until Swarm replaces it: not healthy.
            var state = progress.State switch
            {
                "failed" => "failed",
                _ when onDownNode => "degraded",
                "converged" => "converged",
                _ when progress.Running < progress.Desired && service.UpdateState is not "updating" && !own.Any(Starting) => "degraded",
                _ => "progressing",
            };
            if (state != "converged")
            {
                reasons.Add($"{service.Name}: {progress.Running}/{progress.Desired} running, {state}{(progress.LastError is null ? "" : $" ({progress.LastError})")}");
            }

            statuses.Add(new ServiceStatus(
                service.Name,
                progress.Running,
                progress.Desired,
                state,
                progress.LastError,
                [.. running.Select(t => t.NodeId is null ? "?" : nodeNames.GetValueOrDefault(t.NodeId, t.NodeId)).Order(StringComparer.Ordinal)],
                ImageOf(service)));
        }

        foreach (var node in nodes.Where(n => n.State != "ready"))
        {
            reasons.Insert(0, $"node {NodeName(node)} is {node.State}{(string.IsNullOrEmpty(node.Message) ? "" : $" ({node.Message})")}");
        }

        var verdict = statuses.Any(s => s.State == "failed") ? Verdict.Failed
            : downNodes.Count > 0 || statuses.Any(s => s.State == "degraded") ? Verdict.Degraded
            : statuses.Any(s => s.State == "progressing") ? Verdict.Progressing
            : Verdict.Converged;
        return new EnvironmentStatusReport(environment, verdict, nodes, statuses, reasons);
    }

    /// <summary>The image as the file names it (the stack's image label), and the ID it is pinned to when pinned.</summary>
    private static string? ImageOf(ObservedObject service)
    {
        var image = service.Spec["TaskTemplate"]?["ContainerSpec"]?["Image"]?.GetValue<string>();
        var written = service.Labels.GetValueOrDefault(Desired.StackNames.ImageLabel);
        return image is not null && written is { Length: > 0 } && image.StartsWith("sha256:", StringComparison.Ordinal)
            ? $"{written} ({ImageResolution.ShortId(image)})"
            : image;
    }

    /// <summary>A node's name for people: the name Ward matched it to, else its hostname and short id.</summary>
    public static string NodeName(ObservedNode node) =>
        node.Labels.TryGetValue(Desired.StackNames.NodeLabel, out var name) ? name : $"{node.Hostname}/{node.Id[..Math.Min(8, node.Id.Length)]}";

    private static bool Starting(ObservedTask task) =>
        task.DesiredState == "running" && task.State is "new" or "allocated" or "pending" or "assigned" or "accepted" or "preparing" or "ready" or "starting" && string.IsNullOrEmpty(task.Error);
}
