using System.Text.Json.Nodes;
using Ward.Engine.Observing;
using Ward.Engine.Planning;
using Ward.Engine.Ports;

namespace Ward.Deploying.Nodes;

/// <summary>What became of a node change.</summary>
/// <param name="Node">The node's name for people.</param>
/// <param name="Before">Its spec before.</param>
/// <param name="After">Its spec as asked.</param>
/// <param name="Confirmed">The swarm shows the change (false: its managers did not commit it in time).</param>
public sealed record NodeChangeResult(string Node, JsonObject Before, JsonObject After, bool Confirmed);

/// <summary>
/// Changes a node's role, availability or labels, at the version read and never forced: a node changed meanwhile is
/// read again (a few times; a node that keeps changing is a conflict for the caller). A change the managers cannot commit before the swarm's deadline (a demotion with two managers often
/// cannot at first) may still be made: it is watched, and asked again at the node's current version, for a while.
/// </summary>
public sealed class NodeChanger(IEngine engine, TimeProvider time)
{
    /// <summary>How long a change past the swarm's deadline is watched for.</summary>
    public static readonly TimeSpan ConfirmationWait = TimeSpan.FromMinutes(2);

    private const int ConflictRetries = 5;

    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(2);

    /// <param name="reference">The node: Ward name, id, id prefix or hostname.</param>
    /// <param name="change">The change.</param>
    /// <param name="report">Says what is happening while a change is watched.</param>
    /// <param name="cancellationToken">Stops it.</param>
    /// <exception cref="DeployRequestException">No such node.</exception>
    public async Task<NodeChangeResult> ChangeAsync(string reference, NodeChange change, Action<string> report, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var node = NodeLookup.Find(await engine.ListNodesAsync(cancellationToken), reference);
            var before = NodeMatcher.SpecOf(node);
            var after = (JsonObject)before.DeepClone();
            change.ApplyTo(after);
            try
            {
                await engine.UpdateNodeAsync(node.Id, node.Version, (JsonObject)after.DeepClone(), cancellationToken);
                return new NodeChangeResult(EnvironmentStatus.NodeName(node), before, after, Confirmed: true);
            }
            catch (EngineConflictException) when (attempt < ConflictRetries)
            {
                // The node changed between the read and the update: the next round reads it again.
            }
            catch (EngineDeadlineException)
            {
                var name = EnvironmentStatus.NodeName(node);
                report($"{name}: the swarm did not confirm the change within its deadline; waiting up to {ConfirmationWait.TotalMinutes:0} minutes for it to show");
                var confirmed = await WaitForSpecAsync(node.Id, after, cancellationToken);
                return new NodeChangeResult(name, before, after, confirmed);
            }
        }
    }

    /// <summary>Watches the node until it shows the spec, asking again while it does not (the first request may never have been committed).</summary>
    private async Task<bool> WaitForSpecAsync(string id, JsonObject spec, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (time.GetElapsedTime(started) < ConfirmationWait)
        {
            await Task.Delay(WatchInterval, time, cancellationToken);
            if ((await engine.ListNodesAsync(cancellationToken)).FirstOrDefault(n => n.Id == id) is not { } node)
            {
                continue;
            }

            if (JsonNode.DeepEquals(NodeMatcher.SpecOf(node), spec))
            {
                return true;
            }

            try
            {
                await engine.UpdateNodeAsync(id, node.Version, (JsonObject)spec.DeepClone(), cancellationToken);
            }
            catch (EngineException)
            {
                // Still no quorum, or changed meanwhile: the next round reads the node again.
            }
        }

        return false;
    }
}
