using Ward.Docker.Cluster;

namespace Ward.Bench.LoadBalancer;

/// <summary>
/// The benchmark's own swarm (a manager and two workers on the bridge wardb0, 10.215.0.0/24): the local cluster (ward0)
/// and the Docker tests' (wardt0) are used by others meanwhile, and their managers' ports 80 and 443 may be taken by
/// their own load balancers. Brought up at the start and taken down at the end (unless --keep-cluster).
/// </summary>
internal static class BenchCluster
{
    public static ClusterLayout Layout { get; } = new()
    {
        Bridge = "wardb0",
        Subnet = "10.215.0.0/24",
        StateDirectory = "/var/lib/ward/bench-lb",
        RunDirectory = "/run/ward/bench-lb",
    };

    public static Task<ClusterLayout> UpAsync(CancellationToken cancellationToken) => BenchSwarm.UpAsync(Layout, 2, cancellationToken);

    public static Task DownAsync(CancellationToken cancellationToken) => BenchSwarm.DownAsync(Layout, cancellationToken);
}
