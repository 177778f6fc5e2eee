using Ward.Deploying;
using Ward.Deploying.Balancing;
using Ward.Deploying.Live;
using Ward.Docker;
using Ward.Docker.Images;
using Ward.Engine.Ports;

namespace Ward.Cli;

/// <summary>The engine a command talks to (--host, DOCKER_HOST, the local cluster, the host's socket), and its images.</summary>
internal sealed class EngineTarget : IDisposable
{
    private readonly DockerEngine _engine;
    private readonly EngineEndpoint _endpoint;

    private EngineTarget(EngineEndpoint endpoint, string description)
    {
        Description = description;
        _endpoint = endpoint;
        _engine = new DockerEngine(endpoint);
        Images = ImageSources.For(endpoint);
    }

    public IEngine Engine => _engine;

    /// <summary>Where the command goes, said to the user ("the local cluster (manager-1, ...)").</summary>
    public string Description { get; }

    public IImageSource Images { get; }

    /// <summary>The core's deploy use cases on this engine, with the load balancer's routes kept (DNS through WARD_DNS_RESOLVER, else the system's).</summary>
    public Deployer Deployer() => new(Engine, Images, TimeProvider.System, balancer: Balancer());

    /// <summary>The load balancers' routes on this engine (DNS through WARD_DNS_RESOLVER, else the system's).</summary>
    public LoadBalancerSync Balancer() => new(Engine, DnsResolver.Create(null), Probe);

    /// <summary>The engines of the swarm's nodes, for commands in a task's container (a database's status, its backups).</summary>
    public INodeEngines Nodes() => NodeEngines.For(_endpoint);

    private static HttpRouteProbe Probe { get; } = new();

    public static EngineTarget Resolve(string? host)
    {
        var (endpoint, description) = EngineSelection.Resolve(host);
        return new EngineTarget(endpoint, description);
    }

    public void Dispose() => _engine.Dispose();
}
