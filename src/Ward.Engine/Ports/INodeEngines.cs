namespace Ward.Engine.Ports;

/// <summary>
/// The engines of the swarm's nodes themselves, for what the managers cannot do for a task on another node: run a
/// command in its container (the Engine API has no exec across nodes). The local cluster's nodes are always
/// reachable; elsewhere a node's engine must listen where the manager's does (tcp with the same TLS files).
/// </summary>
public interface INodeEngines
{
    /// <summary>The engine of the node, or an <see cref="EngineUnavailableException"/> that says how to make it reachable.</summary>
    Task<INodeEngine> ConnectAsync(ObservedNode node, CancellationToken cancellationToken);
}

/// <summary>One node's engine: commands in its containers, captured or attached to a terminal.</summary>
public interface INodeEngine : IDisposable
{
    /// <summary>Where it is, for people.</summary>
    string Description { get; }

    /// <summary>Runs a command in a container of this node and returns its exit code and output.</summary>
    Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken);

    /// <summary>
    /// Runs a command in a container of this node with its standard input and output joined to the given streams (a
    /// terminal's, when <paramref name="tty"/>), until it exits; returns its exit code.
    /// </summary>
    Task<long> AttachAsync(string containerId, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, Stream input, Stream output, bool tty, CancellationToken cancellationToken);
}
