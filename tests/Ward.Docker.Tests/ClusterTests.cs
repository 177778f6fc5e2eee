using System.Diagnostics;
using Ward.Docker.Cluster;
using Ward.Docker.Tests.Support;

namespace Ward.Docker.Tests;

/// <summary>ward cluster up is quick when the cluster is up, leaves the host as it was after down, and refuses a clashing subnet.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(TestCluster cluster)
{
    [Fact]
    public async Task Cluster_up_a_second_time_finds_the_cluster_and_returns_in_under_5_seconds()
    {
        cluster.Require();
        var result = await WardCli.RunAsync("cluster", "up");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("the cluster is up: 3 nodes on wardt0 (10.214.0.0/24)", result.Stderr, StringComparison.Ordinal);
        Figures.Write($"ward cluster up, second run: {result.Elapsed.TotalSeconds:0.00} s (the first, by the fixture: {cluster.UpTime.TotalSeconds:0.0} s)");
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(5), $"the second ward cluster up took {result.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task A_cluster_brought_up_and_down_leaves_the_host_exactly_as_it_was()
    {
        cluster.Require();
        var layout = new ClusterLayout { Bridge = "wardr0", Subnet = "10.215.0.0/24", StateDirectory = "/var/lib/ward/residue-cluster", RunDirectory = "/run/ward/residue-cluster" };
        string[] folders = [layout.StateDirectory, layout.RunDirectory];
        string[] foreign = [.. TestCluster.ForeignFolders, .. TestCluster.Folders];
        var log = new List<string>();
        var progress = new ListProgress(log);
        if (LocalCluster.Load(layout.StateDirectory) is not null)
        {
            // A run that died half-way left it: remove it before taking the "before" picture.
            await new LocalCluster(layout, progress).DownAsync(TestContext.Current.CancellationToken);
        }

        var before = await HostSnapshot.TakeAsync(folders, foreign);
        var clock = Stopwatch.StartNew();
        var residue = new LocalCluster(layout, progress);
        try
        {
            await residue.UpAsync(1, TestContext.Current.CancellationToken);
            var up = clock.Elapsed;
            Assert.True(await LocalCluster.IsHealthyAsync(LocalCluster.Load(layout.StateDirectory)!, TestContext.Current.CancellationToken), string.Join('\n', log));
            var during = await HostSnapshot.TakeAsync(folders, foreign);
            var made = HostSnapshot.Difference(before, during);
            Assert.Contains("+ link wardr0", made);
            Assert.Contains("+ netns wardr0-worker-1", made);
            Figures.Write($"residue cluster (manager + 1 worker) up in {up.TotalSeconds:0.0} s; it added {made.Count} host items");
        }
        finally
        {
            await residue.DownAsync(TestContext.Current.CancellationToken);
        }

        var after = await HostSnapshot.TakeAsync(folders, foreign);
        var difference = HostSnapshot.Difference(before, after);
        Assert.True(difference.Count == 0, "the host differs after cluster up and down:\n" + string.Join('\n', difference));
    }

    [Fact]
    public async Task Cluster_up_refuses_a_subnet_that_overlaps_a_host_route_and_leaves_nothing_behind()
    {
        cluster.Require();
        const string state = "/var/lib/ward/overlap-cluster";
        string[] folders = [state, "/run/ward/overlap-cluster"];
        string[] foreign = [.. TestCluster.ForeignFolders, .. TestCluster.Folders];
        var before = await HostSnapshot.TakeAsync(folders, foreign);

        // The test cluster's own subnet, asked for by another cluster (another state folder, so another bridge).
        var result = await WardCli.RunAsync(["cluster", "up", "--subnet", TestCluster.Subnet, "--workers", "1"], new Dictionary<string, string?> { ["WARD_CLUSTER_DIR"] = state });
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"the cluster subnet {TestCluster.Subnet} overlaps the host route '{TestCluster.Subnet} dev {TestCluster.Bridge}", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("choose another with --subnet", result.Stderr, StringComparison.Ordinal);
        WardCli.AssertNoStackTrace(result);

        var after = await HostSnapshot.TakeAsync(folders, foreign);
        var difference = HostSnapshot.Difference(before, after);
        Assert.True(difference.Count == 0, "the refused cluster up left something:\n" + string.Join('\n', difference));
        Assert.False(Directory.Exists(state));
    }

    private sealed class ListProgress(List<string> log) : IClusterProgress
    {
        public void Report(string message) => log.Add(message);
    }
}
