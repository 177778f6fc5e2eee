using System.Text.Json.Nodes;

namespace Ward.Engine.Ports;

/// <summary>
/// The narrow interface through which Ward speaks to Docker: everything planning and applying need, nothing more.
/// The real implementation (Ward.Docker) uses the Engine API; unit tests use a hand-written fake.
/// </summary>
public interface IEngine
{
    Task<EngineInfo> InfoAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<ObservedNode>> ListNodesAsync(CancellationToken cancellationToken);

    /// <summary>Replaces a node's spec (name, labels, role, availability); fails with a conflict on a stale version.</summary>
    Task UpdateNodeAsync(string id, long version, JsonObject spec, CancellationToken cancellationToken);

    /// <summary>Objects of a kind; with a namespace, only those labelled <c>com.docker.stack.namespace=namespace</c>.</summary>
    Task<IReadOnlyList<ObservedObject>> ListAsync(ObjectKind kind, string? stackNamespace, CancellationToken cancellationToken);

    /// <summary>Creates an object from its spec and returns its id; fails with a conflict when the name exists.</summary>
    Task<string> CreateAsync(ObjectKind kind, JsonObject spec, CancellationToken cancellationToken);

    /// <summary>Replaces a service's spec at a version index; fails with <see cref="EngineConflictException"/> when stale.</summary>
    Task UpdateServiceAsync(string id, long version, JsonObject spec, CancellationToken cancellationToken);

    Task RemoveAsync(ObjectKind kind, string id, CancellationToken cancellationToken);

    /// <summary>Tasks of the given services (all tasks when null).</summary>
    Task<IReadOnlyList<ObservedTask>> ListTasksAsync(IReadOnlyCollection<string>? serviceIds, CancellationToken cancellationToken);

    /// <summary>
    /// Runs a command in a container of this engine's own node (a task of a service pinned there) and returns its exit
    /// code and output. Fails with <see cref="EngineNotFoundException"/> when this engine has no such container.
    /// </summary>
    Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken);

    /// <summary>
    /// What a service's tasks wrote to stdout and stderr so far, wherever in the swarm they ran (the managers gather it
    /// from the nodes): Ward reads the progress and result of the jobs it runs this way.
    /// </summary>
    Task<string> ServiceLogsAsync(string serviceId, CancellationToken cancellationToken);
}

/// <summary>What a command run in a container said.</summary>
public sealed record ExecResult(long ExitCode, string Stdout, string Stderr);
