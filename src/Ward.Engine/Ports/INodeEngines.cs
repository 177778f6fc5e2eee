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
    /// Runs a command in a container of this node with its standard streams joined to <paramref name="streams"/> (a
    /// terminal's, when <see cref="AttachedStreams.Terminal"/> is set), until it exits; returns its exit code.
    /// </summary>
    Task<long> AttachAsync(string containerId, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, AttachedStreams streams, CancellationToken cancellationToken);
}

/// <summary>What an attached command reads and writes.</summary>
/// <param name="Input">Copied to the command's standard input until it ends (then the command reads end of file).</param>
/// <param name="Output">Receives the command's standard output (and, with a terminal, everything it writes).</param>
/// <param name="Error">Receives the command's standard error when there is no terminal.</param>
/// <param name="Terminal">A pseudo-terminal of this size for the command (an interactive session), or none.</param>
public sealed record AttachedStreams(Stream Input, Stream Output, Stream Error, TerminalSize? Terminal);

/// <summary>A terminal's size in characters.</summary>
public sealed record TerminalSize(int Columns, int Rows);
