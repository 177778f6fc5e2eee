using System.Net.Sockets;
using Ward.Docker.Tests.Support;

namespace Ward.Docker.Tests;

/// <summary>
/// Faults end with one clear message (no stack trace) and their exit code, and leave the swarm consistent: the
/// fixed file then applies cleanly.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class FaultTests(TestCluster cluster)
{
    private static string Yaml(string name, string image = TestCluster.Image, string? constraint = null) => $$"""
        version: "3.9"
        x-ward:
          environment: { name: {{name}}, kind: staging }
        services:
          app:
            image: {{image}}
            command: ["sleep", "86400"]
            stop_grace_period: 1s
            secrets: [token]
            deploy:
              replicas: 2
              placement: { constraints: [{{(constraint is null ? "node.role == worker" : $"\"{constraint}\"")}}] }
        secrets:
          token: { file: ./token.txt }
        """;

    private static readonly Dictionary<string, string> TokenFile = new() { ["token.txt"] = "fault-token" };

    [Fact]
    public async Task No_engine_a_dead_socket_or_a_worker_exit_69_with_one_clear_message_and_change_nothing()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        var environment = EnvironmentFile.Write("fault-engine", Yaml("fault-engine"), TokenFile);
        try
        {
            // The socket does not exist.
            foreach (var command in new[] { new[] { "apply", environment.Path, "--yes" }, ["plan", environment.Path], ["status", "fault-engine"], ["destroy", "fault-engine", "--yes"] })
            {
                var missing = await WardCli.RunAsync([.. command, "--host", "unix:///tmp/ward-tests-nope.sock"], null);
                Assert.True(missing.ExitCode == 69, $"ward {command[0]} with a missing socket: {missing}");
                Assert.Contains("no Docker engine at /tmp/ward-tests-nope.sock: the socket does not exist", missing.Stderr, StringComparison.Ordinal);
                WardCli.AssertNoStackTrace(missing);
            }

            // A socket file with nothing listening behind it (an engine that died without removing it): bound, never listening.
            var dead = Path.Combine(Scratch.Folder("dead-socket"), "docker.sock");
            ProcessResult refused;
            using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                socket.Bind(new UnixDomainSocketEndPoint(dead));
                refused = await WardCli.RunAsync(["apply", environment.Path, "--yes", "--host", "unix://" + dead], null);
            }

            Assert.True(refused.ExitCode == 69, $"ward apply with a dead socket: {refused}");
            Assert.Contains($"no Docker engine answers on {dead} (the socket exists but nothing listens: is dockerd running?)", refused.Stderr, StringComparison.Ordinal);
            WardCli.AssertNoStackTrace(refused);

            // An engine that is a worker of the swarm, not a manager.
            var worker = await WardCli.RunAsync(["apply", environment.Path, "--yes", "--host", "unix://" + TestCluster.SocketOf("worker-1")], null);
            Assert.True(worker.ExitCode == 69, $"ward apply on a worker: {worker}");
            Assert.Contains("not a manager", worker.Stderr, StringComparison.Ordinal);
            Assert.Contains("docker node promote", worker.Stderr, StringComparison.Ordinal);
            Assert.Contains("docker swarm init", worker.Stderr, StringComparison.Ordinal);
            WardCli.AssertNoStackTrace(worker);

            Assert.All(await Stacks.CountAsync(cluster.Manager, "fault-engine", token), c => Assert.Equal(0, c.Value));
            Assert.Null(await EnvironmentState.LockAsync(cluster.Manager, "fault-engine", token));
            var fixedApply = await WardCli.ApplyAsync(environment.Path);
            Assert.True(fixedApply.ExitCode == 0, fixedApply.ToString());
        }
        finally
        {
            await Stacks.RemoveAsync(cluster.Manager, "fault-engine", token);
        }
    }

    [Fact]
    public async Task An_image_missing_on_the_nodes_fails_with_the_tasks_No_such_image_and_the_fixed_file_then_applies()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        var environment = EnvironmentFile.Write("fault-image", Yaml("fault-image", image: "ward/nope:1.0"), TokenFile);
        try
        {
            // Through DOCKER_HOST, with no local cluster recorded, Ward does not copy images to the nodes: they lack it.
            var apply = await WardCli.RunAsync(
                ["apply", environment.Path, "--yes"],
                new Dictionary<string, string?> { ["DOCKER_HOST"] = TestCluster.ManagerHost, ["WARD_CLUSTER_DIR"] = "/var/lib/ward/no-such-cluster" });
            Assert.True(apply.ExitCode == 1, $"ward apply of a missing image: {apply}");
            Assert.Contains("No such image", apply.Stderr, StringComparison.Ordinal);
            Assert.Contains("ward/nope:1.0", apply.Stderr, StringComparison.Ordinal);
            Assert.Contains("ward: fault-image failed after", apply.Stderr, StringComparison.Ordinal);
            WardCli.AssertNoStackTrace(apply);
            Figures.Write($"missing image: ward apply failed after {apply.Elapsed.TotalSeconds:0.0} s");

            await AssertFixedFileAppliesAsync(environment, Yaml("fault-image"));
        }
        finally
        {
            await Stacks.RemoveAsync(cluster.Manager, "fault-image", token);
        }
    }

    [Fact]
    public async Task An_image_no_node_of_the_local_cluster_has_is_named_before_anything_is_created()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        var sync = await WardCli.RunAsync("image", "sync", "ward/nowhere:1.0");
        Assert.True(sync.ExitCode != 0, $"ward image sync of an image no node has: {sync}");
        Assert.Contains("no node has ward/nowhere:1.0", sync.Stderr, StringComparison.Ordinal);
        WardCli.AssertNoStackTrace(sync);

        var environment = EnvironmentFile.Write("fault-nowhere", Yaml("fault-nowhere", image: "ward/nowhere:1.0"), TokenFile);
        try
        {
            // Through the local cluster, Ward copies images to the nodes before it creates anything: here none has it.
            var apply = await WardCli.ApplyAsync(environment.Path);
            Assert.True(apply.ExitCode == 1, $"ward apply of an image no node has: {apply}");
            Assert.Contains("no node of the local cluster has ward/nowhere:1.0", apply.Stderr, StringComparison.Ordinal);
            WardCli.AssertNoStackTrace(apply);
            Assert.All(await Stacks.CountAsync(cluster.Manager, "fault-nowhere", token), c => Assert.Equal(0, c.Value));
        }
        finally
        {
            await Stacks.RemoveAsync(cluster.Manager, "fault-nowhere", token);
        }
    }

    [Fact]
    public async Task A_constraint_no_node_satisfies_fails_with_no_suitable_node_once_the_unschedulable_window_has_passed()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        var environment = EnvironmentFile.Write("fault-place", Yaml("fault-place", constraint: "node.labels.gpu == yes"), TokenFile);
        try
        {
            var apply = await WardCli.ApplyAsync(environment.Path);
            Assert.True(apply.ExitCode == 1, $"ward apply with an unsatisfiable constraint: {apply}");
            Assert.Contains("no suitable node", apply.Stderr, StringComparison.Ordinal);
            Assert.Contains("ward: fault-place failed after", apply.Stderr, StringComparison.Ordinal);
            WardCli.AssertNoStackTrace(apply);
            Figures.Write($"unsatisfiable constraint: ward apply failed after {apply.Elapsed.TotalSeconds:0.0} s (unschedulable window 15 s)");

            // Pending with no suitable node for the 15 s window fails the apply: not before (Swarm may still place a task
            // that waits for a node a moment), and not at the 5-minute convergence timeout either (the process starts in
            // about a second; 35 s leaves room for a slow machine).
            var window = new Engine.Applying.ApplyOptions().UnschedulableAfter;
            Assert.True(apply.Elapsed >= window, $"the apply gave up after {apply.Elapsed.TotalSeconds:0.0} s, before the {window.TotalSeconds:0} s window");
            Assert.True(apply.Elapsed < window + TimeSpan.FromSeconds(20), $"the apply took {apply.Elapsed.TotalSeconds:0.0} s to give up");

            await AssertFixedFileAppliesAsync(environment, Yaml("fault-place"));
        }
        finally
        {
            await Stacks.RemoveAsync(cluster.Manager, "fault-place", token);
        }
    }

    [Fact]
    public async Task An_apply_right_after_a_destroy_creates_the_networks_again_although_the_manager_still_lists_the_old_ones()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;

        // A global service has a task on the manager; sleep as PID 1 ignores SIGTERM, so its task takes the default
        // 10 s grace to stop, and meanwhile the manager's engine still lists the removed network.
        var environment = EnvironmentFile.Write("fault-again", """
            version: "3.9"
            x-ward:
              environment: { name: fault-again, kind: staging }
            services:
              everywhere:
                image: ward/busybox:1.0
                command: ["sleep", "86400"]
                networks: [mesh]
                deploy: { mode: global }
            networks:
              mesh: {}
            """);
        try
        {
            var first = await WardCli.ApplyAsync(environment.Path);
            Assert.True(first.ExitCode == 0, first.ToString());
            var destroy = await WardCli.DestroyAsync("fault-again");
            Assert.True(destroy.ExitCode == 0, destroy.ToString());

            // ward destroy waits for the tasks to stop before it removes the network: nothing of it lingers.
            Assert.Empty(await cluster.Manager.ListStackAsync("networks", "fault-again", token, leftovers: true));
            var redeploy = await WardCli.ApplyAsync(environment.Path);
            Assert.True(redeploy.ExitCode == 0, $"ward apply right after ward destroy: {redeploy}");

            // Removed as docker stack rm removes a stack: the services, then at once the network while their tasks stop.
            await RemoveLikeStackRmAsync("fault-again", token);
            Assert.NotEmpty(await cluster.Manager.ListStackAsync("networks", "fault-again", token, leftovers: true));

            var again = await WardCli.ApplyAsync(environment.Path);
            Assert.True(again.ExitCode == 0, $"ward apply right after the stack was removed: {again}");
            Assert.Contains("+ network fault-again_mesh", again.Stderr, StringComparison.Ordinal);
            Assert.Null(await EnvironmentState.NotConvergedAsync(cluster.Manager, "fault-again", token));
        }
        finally
        {
            await Stacks.RemoveAsync(cluster.Manager, "fault-again", token);
        }
    }

    /// <summary>After a failed apply the fixed file converges, with one version of the secret and nothing to do after.</summary>
    private async Task AssertFixedFileAppliesAsync(EnvironmentFile environment, string fixedYaml)
    {
        var token = TestContext.Current.CancellationToken;
        environment.Update(fixedYaml);
        var fixedApply = await WardCli.ApplyAsync(environment.Path);
        Assert.True(fixedApply.ExitCode == 0, $"the fixed file: {fixedApply}");
        Assert.Null(await EnvironmentState.NotConvergedAsync(cluster.Manager, environment.Name, token));
        Assert.Equal([$"{environment.Name}_app"], await EnvironmentState.NamesAsync(cluster.Manager, "services", environment.Name, token));
        Assert.Equal([environment.VersionedName("token", "fault-token")], await EnvironmentState.NamesAsync(cluster.Manager, "secrets", environment.Name, token));
        Assert.Null(await EnvironmentState.LockAsync(cluster.Manager, environment.Name, token));
        var plan = await WardCli.RunAsync("plan", environment.Path, "--host", TestCluster.ManagerHost);
        Assert.True(plan.ExitCode == 0, $"after the fixed file, ward plan should have nothing to do: {plan}");
    }

    private async Task RemoveLikeStackRmAsync(string stack, CancellationToken token)
    {
        foreach (var service in await cluster.Manager.ListStackAsync("services", stack, token))
        {
            await cluster.Manager.DeleteAsync($"services/{service["ID"]!.GetValue<string>()}", token);
        }

        await Poll.RequireAsync($"the networks of {stack} removed", async () =>
        {
            foreach (var network in await cluster.Manager.ListStackAsync("networks", stack, token))
            {
                try
                {
                    await cluster.Manager.DeleteAsync($"networks/{network["Id"]!.GetValue<string>()}", token);
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }

            return (await cluster.Manager.ListStackAsync("networks", stack, token)).Count == 0;
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
    }
}
