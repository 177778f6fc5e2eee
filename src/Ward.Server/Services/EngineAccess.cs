using Microsoft.Extensions.Options;
using Ward.Docker;
using Ward.Docker.Images;
using Ward.Engine.Ports;

namespace Ward.Server.Services;

/// <summary>The one engine the server manages environments on, chosen like the CLI chooses it; its client is shared.</summary>
public sealed class EngineAccess : IDisposable
{
    private readonly IEngine _engine;

    public EngineAccess(IOptions<ServerOptions> options, WardMetrics metrics)
    {
        var (endpoint, description) = EngineSelection.Resolve(options.Value.EngineHost);
        Description = description;
        _engine = new CountingEngine(new DockerEngine(endpoint, TimeSpan.FromSeconds(30)), metrics);
        Images = ImageSources.For(endpoint);
        Nodes = NodeEngines.For(endpoint);
    }

    /// <summary>A given engine: tests host the server over a fake one.</summary>
    internal EngineAccess(IEngine engine, string description, IImageSource? images = null, INodeEngines? nodes = null)
    {
        _engine = engine;
        Description = description;
        Images = images ?? TagsAsWritten.Instance;
        Nodes = nodes ?? new UnreachableNodes();
    }

    public IEngine Engine => _engine;

    /// <summary>How deployments' images are found on this engine (pinned on the local cluster, by tag elsewhere).</summary>
    public IImageSource Images { get; }

    /// <summary>The engines of the swarm's nodes, for commands in a task's container (a database's status, its backups).</summary>
    public INodeEngines Nodes { get; }

    public string Description { get; }

    public void Dispose() => (_engine as IDisposable)?.Dispose();
}

/// <summary>Node engines where none can be reached: what a server over a given engine has unless a test gives its own.</summary>
internal sealed class UnreachableNodes : INodeEngines
{
    public Task<INodeEngine> ConnectAsync(ObservedNode node, CancellationToken cancellationToken) =>
        Task.FromException<INodeEngine>(new EngineUnavailableException($"the engine of node {node.Hostname} cannot be reached from here"));
}
