using Ward.Docker.Cluster;
using Ward.Engine.Ports;

namespace Ward.Docker;

/// <summary>
/// Reaches a swarm node's own engine: on the local cluster by its socket; on a swarm Ward talks to over tcp, at the
/// node's address on the manager's port with the same TLS files; behind a plain socket, only the node of that engine.
/// </summary>
public sealed class NodeEngines(EngineEndpoint manager, ClusterLayout? local) : INodeEngines
{
    /// <summary>A session can last hours (an open psql): node engines get no request timeout of their own.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromHours(12);

    /// <summary>The node engines of the swarm whose manager is at <paramref name="manager"/>.</summary>
    public static NodeEngines For(EngineEndpoint manager) =>
        new(manager, LocalCluster.Load() is { Manager: { } node } layout && node.Endpoint.Address == manager.Address ? layout : null);

    public async Task<INodeEngine> ConnectAsync(ObservedNode node, CancellationToken cancellationToken)
    {
        if (local is not null)
        {
            var found = local.Nodes.FirstOrDefault(n => n.Address == node.Address)
                ?? throw new EngineUnavailableException($"node {node.Hostname} ({node.Address}) is not one of the local cluster's nodes ({string.Join(", ", local.Nodes.Select(n => $"{n.Name} {n.Address}"))})");
            return new DockerEngine(found.Endpoint, Timeout);
        }

        if (manager.Address.Scheme is "tcp" or "https" && !string.IsNullOrEmpty(node.Address))
        {
            return new DockerEngine(manager with { Address = new UriBuilder(manager.Address) { Host = node.Address }.Uri }, Timeout);
        }

        using (var engine = new DockerEngine(manager))
        {
            if ((await engine.InfoAsync(cancellationToken)).NodeId == node.Id)
            {
                return new DockerEngine(manager, Timeout);
            }
        }

        throw new EngineUnavailableException(
            $"the task runs on node {node.Hostname} ({node.Address ?? "no address"}), whose engine Ward cannot reach from {manager}: point DOCKER_HOST (or --host) at a manager over tcp with TLS, and let every node's engine listen on the same port with certificates from the same authority");
    }
}
