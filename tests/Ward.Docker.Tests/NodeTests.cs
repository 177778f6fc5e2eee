using System.Diagnostics;
using System.Text.Json.Nodes;
using Ward.Docker.Cluster;
using Ward.Docker.Tests.Support;

namespace Ward.Docker.Tests;

/// <summary>Real node failure (an engine stopped) and node operations, seen through ward status and the swarm's node list.</summary>
[Collection(ClusterCollection.Name)]
public sealed class NodeTests(TestCluster cluster)
{
    private static string Yaml(string name) => $$"""
        version: "3.9"
        x-ward:
          environment: { name: {{name}}, kind: staging }
        services:
          app:
            image: ward/busybox:1.0
            command: ["sleep", "86400"]
            stop_grace_period: 1s
            deploy:
              replicas: 2
              placement:
                constraints: ["node.role == worker"]
                preferences: [{ spread: node.labels.ward.node }]
        """;

    [Fact]
    public async Task A_stopped_worker_is_reported_down_its_service_degraded_its_task_rescheduled_and_it_comes_back_ready()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        var environment = EnvironmentFile.Write("nodefail", Yaml("nodefail"));
        try
        {
            var apply = await WardCli.ApplyAsync(environment.Path);
            Assert.True(apply.ExitCode == 0, apply.ToString());
            Assert.Equal(["worker-1", "worker-2"], await TaskNodesAsync("nodefail_app"));

            var stop = await WardCli.RunAsync("cluster", "stop-node", "worker-2");
            Assert.True(stop.ExitCode == 0, stop.ToString());
            var stopped = Stopwatch.StartNew();

            // ward status reports the node down and the service degraded.
            JsonNode? seen = null;
            var detected = await Poll.UntilAsync(async () =>
            {
                var status = await WardCli.RunAsync("status", "nodefail", "--format", "json", "--host", TestCluster.ManagerHost);
                seen = JsonNode.Parse(status.Stdout);
                var node = seen?["nodes"]?.AsArray().FirstOrDefault(n => n?["name"]?.GetValue<string>() == "worker-2");
                var service = seen?["services"]?.AsArray().FirstOrDefault(s => s?["name"]?.GetValue<string>() == "nodefail_app");
                return node?["state"]?.GetValue<string>() == "down" && service?["state"]?.GetValue<string>() == "degraded" && status.ExitCode == 1;
            }, TimeSpan.FromSeconds(40), TimeSpan.FromMilliseconds(200));
            Figures.Write($"node down: ward status reported worker-2 down and nodefail_app degraded {(detected is null ? "never (40 s)" : $"{stopped.Elapsed.TotalSeconds:0.0} s")} after its engine stopped");
            Assert.True(detected is not null, $"ward status did not report worker-2 down and the service degraded within 40 s; last report:\n{seen}");
            Assert.True(stopped.Elapsed <= TimeSpan.FromSeconds(15), $"ward status took {stopped.Elapsed.TotalSeconds:0.0} s to report worker-2 down (at most 15 s)");
            Assert.Equal("degraded", seen!["verdict"]!.GetValue<string>());
            Assert.Contains(seen["reasons"]!.AsArray(), r => r!.GetValue<string>().StartsWith("node worker-2 is down", StringComparison.Ordinal));

            // The stopped node's engine does not answer: ward says so with exit 69.
            var dead = await WardCli.RunAsync("status", "nodefail", "--host", "unix://" + TestCluster.SocketOf("worker-2"));
            Assert.True(dead.ExitCode == 69, $"ward status on the stopped node: {dead}");
            Assert.Contains(TestCluster.SocketOf("worker-2"), dead.Stderr, StringComparison.Ordinal);
            WardCli.AssertNoStackTrace(dead);

            // Swarm moves the task to worker-1.
            var moved = await Poll.RequireAsync(
                "the task of worker-2 rescheduled on worker-1",
                async () => (await TaskNodesAsync("nodefail_app")).SequenceEqual(["worker-1", "worker-1"]),
                TimeSpan.FromSeconds(60));
            Figures.Write($"node down: the task rescheduled onto worker-1 {stopped.Elapsed.TotalSeconds:0.0} s after the engine stopped");
            _ = moved;

            var restart = Stopwatch.StartNew();
            var start = await WardCli.RunAsync("cluster", "start-node", "worker-2");
            Assert.True(start.ExitCode == 0, start.ToString());
            var engineUp = restart.Elapsed;
            await Poll.RequireAsync("worker-2 ready again", async () => await NodeStateAsync("worker-2") == "ready", TimeSpan.FromSeconds(60));
            Figures.Write($"node back: worker-2 Ready {restart.Elapsed.TotalSeconds:0.0} s after ward cluster start-node (engine answering after {engineUp.TotalSeconds:0.0} s)");
            var status = await WardCli.RunAsync("status", "nodefail", "--format", "json", "--host", TestCluster.ManagerHost);
            Assert.True(status.ExitCode == 0, status.ToString());
            Assert.Equal("converged", JsonNode.Parse(status.Stdout)!["verdict"]!.GetValue<string>());
        }
        finally
        {
            await WardCli.RunAsync("cluster", "start-node", "worker-2");
            await Stacks.RemoveAsync(cluster.Manager, "nodefail", token);
        }
    }

    [Fact]
    public async Task Node_drain_activate_label_promote_demote_and_adding_and_removing_a_worker_show_in_the_node_list()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        var environment = EnvironmentFile.Write("nodeops", Yaml("nodeops"));
        try
        {
            var apply = await WardCli.ApplyAsync(environment.Path);
            Assert.True(apply.ExitCode == 0, apply.ToString());

            // drain: the node takes no tasks, and its tasks move away.
            await NodeCommandAsync("drain", "worker-1");
            Assert.Equal("drain", (await NodeAsync("worker-1"))!["Spec"]!["Availability"]!.GetValue<string>());
            await Poll.RequireAsync("the tasks of drained worker-1 moved to worker-2", async () => (await TaskNodesAsync("nodeops_app")).SequenceEqual(["worker-2", "worker-2"]), TimeSpan.FromSeconds(60));
            await NodeCommandAsync("activate", "worker-1");
            Assert.Equal("active", (await NodeAsync("worker-1"))!["Spec"]!["Availability"]!.GetValue<string>());

            // label: set two, remove one; Ward's own labels stay.
            await NodeCommandAsync("label", "worker-1", "zone=a", "tier=test");
            var labels = (await NodeAsync("worker-1"))!["Spec"]!["Labels"]!.AsObject();
            Assert.Equal("a", labels["zone"]?.GetValue<string>());
            Assert.Equal("test", labels["tier"]?.GetValue<string>());
            await NodeCommandAsync("label", "worker-1", "zone-");
            labels = (await NodeAsync("worker-1"))!["Spec"]!["Labels"]!.AsObject();
            Assert.False(labels.ContainsKey("zone"));
            Assert.Equal("test", labels["tier"]?.GetValue<string>());
            Assert.Equal("worker-1", labels["ward.node"]?.GetValue<string>());
            await NodeCommandAsync("label", "worker-1", "tier-");

            // promote and demote.
            await NodeCommandAsync("promote", "worker-2");
            await Poll.RequireAsync("worker-2 a reachable manager", async () =>
            {
                var node = await NodeAsync("worker-2");
                return node?["Spec"]?["Role"]?.GetValue<string>() == "manager" && node["ManagerStatus"]?["Reachability"]?.GetValue<string>() == "reachable";
            }, TimeSpan.FromSeconds(60));
            var list = await WardCli.RunAsync("node", "ls", "--host", TestCluster.ManagerHost);
            Assert.Matches(@"worker-2\s+manager\s+ready", list.Stdout);
            await NodeCommandAsync("demote", "worker-2");
            await Poll.RequireAsync("worker-2 a ready worker again", async () =>
            {
                var node = await NodeAsync("worker-2");
                return node?["Spec"]?["Role"]?.GetValue<string>() == "worker" && node["ManagerStatus"] is null && node["Status"]?["State"]?.GetValue<string>() == "ready";
            }, TimeSpan.FromSeconds(60));
            Assert.Single(await cluster.Manager.NodesAsync(token), n => n["ManagerStatus"] is not null);

            // add a worker, then remove it.
            var add = await WardCli.RunAsync("cluster", "add-worker");
            Assert.True(add.ExitCode == 0, add.ToString());
            Assert.Contains("worker-3 joined the swarm at 10.214.0.13", add.Stderr, StringComparison.Ordinal);
            await Poll.RequireAsync("worker-3 ready in the swarm", async () => await NodeStateAsync("worker-3") == "ready", TimeSpan.FromSeconds(60));
            Assert.Equal(4, (await cluster.Manager.NodesAsync(token)).Count);
            Assert.Equal(3, LocalCluster.Load(TestCluster.StateDirectory)!.Nodes.Count(n => n.Role == "worker"));

            var remove = await WardCli.RunAsync("cluster", "remove-worker", "worker-3");
            Assert.True(remove.ExitCode == 0, remove.ToString());
            var nodes = await cluster.Manager.NodesAsync(token);
            Assert.Equal(3, nodes.Count);
            Assert.DoesNotContain(nodes, n => n["Status"]?["Addr"]?.GetValue<string>() == "10.214.0.13");
            Assert.All(nodes, n => Assert.Equal("ready", n["Status"]!["State"]!.GetValue<string>()));
            Assert.Equal(["worker-1", "worker-2"], LocalCluster.Load(TestCluster.StateDirectory)!.Nodes.Where(n => n.Role == "worker").Select(n => n.Name));
            var host = await HostSnapshot.TakeAsync(["/var/lib/ward/test-cluster/worker-3", "/run/ward/test-cluster/worker-3"], TestCluster.ForeignFolders);
            Assert.DoesNotContain(host, l => l.Contains("worker-3", StringComparison.Ordinal) || l.Contains("wv3-wardt0", StringComparison.Ordinal));
        }
        finally
        {
            await WardCli.RunAsync("node", "activate", "worker-1", "--host", TestCluster.ManagerHost);
            if ((await NodeAsync("worker-2"))?["Spec"]?["Role"]?.GetValue<string>() == "manager")
            {
                await WardCli.RunAsync("node", "demote", "worker-2", "--host", TestCluster.ManagerHost);
            }

            if (LocalCluster.Load(TestCluster.StateDirectory)?.Nodes.Any(n => n.Name == "worker-3") == true)
            {
                await WardCli.RunAsync("cluster", "remove-worker", "worker-3");
            }

            await Stacks.RemoveAsync(cluster.Manager, "nodeops", token);
        }
    }

    private static async Task NodeCommandAsync(string command, params string[] arguments)
    {
        var result = await WardCli.RunAsync(["node", command, .. arguments, "--host", TestCluster.ManagerHost], null);
        Assert.True(result.ExitCode == 0, $"ward node {command} {string.Join(' ', arguments)}: {result}");
    }

    /// <summary>The swarm node Ward named (label ward.node), as the engine reports it.</summary>
    private async Task<JsonObject?> NodeAsync(string name) =>
        (await cluster.Manager.NodesAsync(TestContext.Current.CancellationToken)).FirstOrDefault(n => n["Spec"]?["Labels"]?["ward.node"]?.GetValue<string>() == name);

    private async Task<string?> NodeStateAsync(string name) => (await NodeAsync(name))?["Status"]?["State"]?.GetValue<string>();

    /// <summary>The Ward names of the nodes a service's running tasks are on, sorted.</summary>
    private async Task<List<string>> TaskNodesAsync(string service)
    {
        var token = TestContext.Current.CancellationToken;
        var names = (await cluster.Manager.NodesAsync(token)).ToDictionary(n => n["ID"]!.GetValue<string>(), n => n["Spec"]?["Labels"]?["ward.node"]?.GetValue<string>() ?? "?");
        return [.. (await cluster.Manager.RunningTasksAsync(service, token)).Select(t => names.GetValueOrDefault(t["NodeID"]!.GetValue<string>(), "?")).Order(StringComparer.Ordinal)];
    }
}
