using Ward.Docker.Cluster;
using Ward.Docker.Tests.Support;

namespace Ward.Docker.Tests;

/// <summary>A changed secret is a new version: services move to it without downtime, and the old version goes.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SecretRotationTests(TestCluster cluster)
{
    private const string Yaml = """
        version: "3.9"
        x-ward:
          environment: { name: rotate, kind: staging }
        services:
          app:
            image: ward/busybox:1.0
            command: ["sleep", "86400"]
            stop_grace_period: 1s
            secrets: [{ source: key, target: key.txt }]
            deploy:
              replicas: 2
              update_config: { parallelism: 1, order: start-first }
        secrets:
          key: { file: ./key.txt }
        """;

    [Fact]
    public async Task Changing_a_secret_moves_the_service_to_the_new_version_removes_the_old_and_never_stops_all_tasks()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        var environment = EnvironmentFile.Write("rotate", Yaml, new Dictionary<string, string> { ["key.txt"] = "first-key" });
        try
        {
            var first = await WardCli.ApplyAsync(environment.Path);
            Assert.True(first.ExitCode == 0, first.ToString());
            Assert.Equal(["first-key", "first-key"], await SecretContentsAsync("rotate_app", "key.txt"));

            // Count the running tasks all through the rotation.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
            var samples = new List<int>();
            var monitor = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    samples.Add((await cluster.Manager.RunningTasksAsync("rotate_app", CancellationToken.None)).Count);
                    await Task.Delay(100, CancellationToken.None);
                }
            }, CancellationToken.None);

            environment.WriteFile("key.txt", "second-key");
            var rotation = await WardCli.ApplyAsync(environment.Path);
            await Task.Delay(500, token);
            await stop.CancelAsync();
            await monitor;
            Assert.True(rotation.ExitCode == 0, rotation.ToString());
            Assert.Contains($"+ secret {environment.VersionedName("key", "second-key")}", rotation.Stderr, StringComparison.Ordinal);

            TestContext.Current.TestOutputHelper?.WriteLine($"running tasks during the rotation: min {samples.Min()}, max {samples.Max()}, {samples.Count} samples");
            Figures.Write($"secret rotation (2 replicas, start-first): running tasks never below {samples.Min()} ({samples.Count} samples, max {samples.Max()})");
            Assert.True(samples.Min() >= 1, $"the service dropped to {samples.Min()} running tasks during the rotation: {string.Join(' ', samples)}");

            Assert.Equal([environment.VersionedName("key", "second-key")], await EnvironmentState.NamesAsync(cluster.Manager, "secrets", "rotate", token));
            var service = (await cluster.Manager.ListStackAsync("services", "rotate", token)).Single();
            var reference = service["Spec"]!["TaskTemplate"]!["ContainerSpec"]!["Secrets"]!.AsArray().Single()!;
            Assert.Equal(environment.VersionedName("key", "second-key"), reference["SecretName"]!.GetValue<string>());
            Assert.Null(await EnvironmentState.NotConvergedAsync(cluster.Manager, "rotate", token));
            Assert.Equal(["second-key", "second-key"], await SecretContentsAsync("rotate_app", "key.txt"));
        }
        finally
        {
            await Stacks.RemoveAsync(cluster.Manager, "rotate", token);
        }
    }

    /// <summary>The secret file as each running task's container sees it (docker exec on the task's node).</summary>
    private async Task<List<string>> SecretContentsAsync(string service, string target)
    {
        var token = TestContext.Current.CancellationToken;
        var layout = LocalCluster.Load(TestCluster.StateDirectory)!;
        var nodes = await cluster.Manager.NodesAsync(token);
        var contents = new List<string>();
        foreach (var task in await cluster.Manager.RunningTasksAsync(service, token))
        {
            var address = nodes.First(n => n["ID"]!.GetValue<string>() == task["NodeID"]!.GetValue<string>())["Status"]!["Addr"]!.GetValue<string>();
            var node = layout.Nodes.First(n => n.Address == address);
            var container = task["Status"]!["ContainerStatus"]!["ContainerID"]!.GetValue<string>();
            var read = await DockerCli.RunOnAsync("unix://" + node.Socket, "exec", container, "cat", $"/run/secrets/{target}");
            Assert.True(read.ExitCode == 0, read.ToString());
            contents.Add(read.Stdout.TrimEnd('\n'));
        }

        return contents;
    }
}
