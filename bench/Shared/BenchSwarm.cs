using Ward.Docker.Cluster;

namespace Ward.Bench;

/// <summary>
/// A benchmark's own swarm (a manager and workers on a bridge and subnet of the benchmark's layout, apart from the
/// local cluster and the Docker tests'): brought up at the start, or found up and reused, and taken down at the end.
/// </summary>
internal static class BenchSwarm
{
    public static async Task<ClusterLayout> UpAsync(ClusterLayout layout, int workers, CancellationToken cancellationToken)
    {
        var cluster = new LocalCluster(layout, new Progress());
        await cluster.UpAsync(workers, cancellationToken);
        return cluster.Layout;
    }

    public static Task DownAsync(ClusterLayout layout, CancellationToken cancellationToken) => new LocalCluster(layout, new Progress()).DownAsync(cancellationToken);

    private sealed class Progress : IClusterProgress
    {
        public void Report(string message) => Console.WriteLine($"cluster: {message}");
    }
}
