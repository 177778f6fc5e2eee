using System.Globalization;
using Ward.Docker.Tests.Support;
using Ward.Engine.Applying;
using Ward.Engine.Desired;
using Ward.Engine.Observing;
using Ward.Engine.Placement;
using Ward.Engine.Planning;
using Ward.Engine.Ports;
using Ward.Model.Catalog;
using Ward.Model.Placement.Simulation;
using Ward.Model.Reading;
using Ward.Model.Spec;

namespace Ward.Docker.Tests;

/// <summary>
/// The placement simulator against the real scheduler: environments deployed to the test cluster (a manager and four
/// workers) through Ward's StackConverter, Planner and Applier, and, once the scheduler has settled, the tasks of each
/// service on each node compared with the simulator's, run on the live nodes (their real resources: every node here
/// reports the whole machine). Where Swarm breaks ties at random only what is determined is compared: the simulator runs
/// with random ties and a random service order, and a count (a node's tasks of a service, a label value's, a service's
/// pending tasks) is determined when every run gives the same. The agreement is printed as a figure and must be 100%.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PlacementAgreementTests(TestCluster cluster)
{
    private const int RandomRuns = 200;

    private const string Nodes = """
          nodes:
            - { name: manager-1, role: manager, size: medium{{manager}} }
            - { name: worker-1, role: worker, size: large{{worker-1}} }
            - { name: worker-2, role: worker, size: large{{worker-2}} }
            - { name: worker-3, role: worker, size: large{{worker-3}} }
            - { name: worker-4, role: worker, size: large{{worker-4}} }
        """;

    private const string Task = """
            image: ward/busybox:1.0
            command: ["sleep", "3600"]
            stop_grace_period: 1s
        """;

    /// <summary>Each scenario: its name, the extra node settings ({{node}} in <see cref="Nodes"/>), and its services.</summary>
    private static readonly (string Name, Dictionary<string, string> Nodes, string Services)[] Scenarios =
    [
        ("spread", [], """
          web:
        {{task}}
            deploy:
              replicas: 8
              placement: { constraints: [ "node.role != manager" ] }
          api:
        {{task}}
            deploy:
              replicas: 3
          one:
        {{task}}
            deploy:
              replicas: 5
              placement: { max_replicas_per_node: 1 }
        """),
        ("preferences", new() { ["manager"] = ", labels: { zone: c }", ["worker-1"] = ", labels: { zone: a }", ["worker-2"] = ", labels: { zone: a }", ["worker-3"] = ", labels: { zone: b }", ["worker-4"] = ", labels: { zone: b }" }, """
          front:
        {{task}}
            deploy:
              replicas: 6
              placement: { constraints: [ "node.role != manager" ], preferences: [ { spread: node.labels.zone } ] }
          back:
        {{task}}
            deploy:
              replicas: 4
              placement: { constraints: [ "node.role != manager" ], max_replicas_per_node: 1, preferences: [ { spread: node.labels.zone } ] }
          everywhere:
        {{task}}
            deploy:
              replicas: 9
              placement: { preferences: [ { spread: node.labels.zone } ] }
        """),
        ("unlabelled-manager", new() { ["worker-1"] = ", labels: { zone: a }", ["worker-2"] = ", labels: { zone: a }", ["worker-3"] = ", labels: { zone: b }", ["worker-4"] = ", labels: { zone: b }" }, """
          front:
        {{task}}
            deploy:
              replicas: 6
              placement: { constraints: [ "node.role != manager" ], preferences: [ { spread: node.labels.zone } ] }
        """),
        ("constraints", new() { ["worker-1"] = ", labels: { pool: x }", ["worker-2"] = ", labels: { pool: x }", ["worker-3"] = ", labels: { pool: y }", ["worker-4"] = ", availability: drain" }, """
          x:
        {{task}}
            deploy:
              replicas: 4
              placement: { constraints: [ "node.labels.pool == x" ] }
          y:
        {{task}}
            deploy:
              replicas: 2
              placement: { constraints: [ "node.labels.pool == y" ], max_replicas_per_node: 1 }
          not-x:
        {{task}}
            deploy:
              replicas: 3
              placement: { constraints: [ "node.labels.pool != x", "node.role == worker" ] }
        """),
        ("reservations", [], """
          big:
        {{task}}
            deploy:
              replicas: 9
              placement: { constraints: [ "node.role != manager" ] }
              resources: { reservations: { cpus: "0.7" } }
          small:
        {{task}}
            deploy:
              replicas: 2
              placement: { constraints: [ "node.role != manager" ] }
              resources: { reservations: { cpus: "0.5" } }
          on-manager:
        {{task}}
            deploy:
              replicas: 3
              placement: { constraints: [ "node.role == manager" ] }
              resources: { reservations: { cpus: "0.8" } }
        """),
        ("global-and-ports", new() { ["worker-4"] = ", availability: drain" }, """
          agent:
        {{task}}
            deploy:
              mode: global
              resources: { reservations: { cpus: "0.25" } }
          edge:
        {{task}}
            ports: [ { target: 8080, published: 18080, mode: host } ]
            deploy:
              replicas: 2
              placement: { constraints: [ "node.role != manager" ] }
          edge-too:
        {{task}}
            ports: [ { target: 8080, published: 18080, mode: host } ]
            deploy:
              replicas: 2
              placement: { constraints: [ "node.role != manager" ] }
        """),
    ];

    [Fact]
    public async Task The_simulator_places_as_the_swarm_does_wherever_the_swarm_does_not_choose_at_random()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        await GrowAsync(token);
        var agreed = 0;
        var compared = 0;
        var undetermined = 0;
        var reasons = (Agreed: 0, Compared: 0);
        var disagreements = new List<string>();
        using var engine = new DockerEngine(EngineEndpoint.Socket(TestCluster.ManagerSocket), TimeSpan.FromSeconds(30));
        try
        {
            foreach (var (name, nodes, services) in Scenarios)
            {
                var environment = $"place-{name}";
                var spec = await DeployAsync(engine, environment, nodes, services, token);
                var observed = await SettledAsync(engine, environment, spec, token);
                var live = await LiveCluster.ReadAsync(engine, spec, SizeCatalog.BuiltIn, "the test cluster", token);
                var runs = Enumerable.Range(0, RandomRuns).Select(seed => Simulate(live.Nodes, live.Services, live.Existing, new Random(seed))).ToList();
                foreach (var (key, count) in observed.Counts)
                {
                    var simulated = runs.Select(r => r.Counts.GetValueOrDefault(key)).Distinct().ToList();
                    if (simulated.Count > 1)
                    {
                        undetermined++;
                        continue;
                    }

                    compared++;
                    if (simulated[0] == count)
                    {
                        agreed++;
                    }
                    else
                    {
                        disagreements.Add($"{name}: {key}: the swarm has {count}, the simulator always {simulated[0]}");
                    }
                }

                foreach (var (service, error) in observed.Reasons)
                {
                    var simulated = runs.Select(r => r.Reasons.GetValueOrDefault(service)).Distinct().ToList();
                    if (simulated.Count == 1)
                    {
                        reasons.Compared++;
                        reasons.Agreed += simulated[0] == error ? 1 : 0;
                        if (simulated[0] != error)
                        {
                            disagreements.Add($"{name}: {service}'s pending reason: the swarm says '{error}', the simulator '{simulated[0]}'");
                        }
                    }
                }

                TestContext.Current.TestOutputHelper?.WriteLine($"{name}: {string.Join(", ", observed.Counts.Where(c => c.Key.Contains("@node:", StringComparison.Ordinal) && c.Value > 0).Select(c => $"{c.Key}={c.Value}"))}");
                await Stacks.RemoveAsync(cluster.Manager, environment, token);
            }
        }
        finally
        {
            await ResetNodesAsync(engine, CancellationToken.None);
            await ShrinkAsync();
        }

        Figures.Write(string.Create(CultureInfo.InvariantCulture, $"placement agreement: {agreed} of {compared} determined counts ({100.0 * agreed / Math.Max(1, compared):0.0}%) in {Scenarios.Length} environments; {undetermined} counts left to Swarm's random tie-breaks; pending reasons {reasons.Agreed} of {reasons.Compared}"));
        Assert.True(compared >= 60, $"only {compared} counts were determined; the scenarios compare too little");
        Assert.True(disagreements.Count == 0, string.Join("\n", disagreements));
    }

    /// <summary>Counts per service and node, per service and spread-label value, and pending per service; and pending reasons.</summary>
    private sealed record Layout(Dictionary<string, int> Counts, Dictionary<string, string> Reasons);

    private static Layout Simulate(IReadOnlyList<ClusterNode> nodes, IReadOnlyList<ServiceDemand> services, IReadOnlyList<ExistingTask> existing, Random ties)
    {
        var scheduler = new Scheduler(nodes, services, existing, ties);
        scheduler.PlaceAll();
        var result = scheduler.Result();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in result.Services)
        {
            foreach (var node in nodes)
            {
                counts[$"{service.Name}@node:{node.Name}"] = service.On(node.Name);
            }

            foreach (var label in service.Service.Spread.Select(s => s["node.labels.".Length..]))
            {
                foreach (var group in nodes.GroupBy(n => n.Labels.GetValueOrDefault(label, "")))
                {
                    counts[$"{service.Name}@{label}={group.Key}"] = group.Sum(n => service.On(n.Name));
                }
            }

            counts[$"{service.Name}@pending"] = service.Pending;
            if (service.Reason is { } reason && !service.Service.IsGlobal)
            {
                reasons[service.Name] = reason;
            }
        }

        return new Layout(counts, reasons);
    }

    private static async Task<EnvironmentSpec> DeployAsync(IEngine engine, string environment, Dictionary<string, string> nodes, string services, CancellationToken token)
    {
        var nodeLines = Nodes;
        foreach (var node in new[] { "manager", "worker-1", "worker-2", "worker-3", "worker-4" })
        {
            nodeLines = nodeLines.Replace($"{{{{{node}}}}}", nodes.GetValueOrDefault(node, ""), StringComparison.Ordinal);
        }

        var yaml = $"version: \"3.9\"\nx-ward:\n  environment: {{ name: {environment}, kind: staging }}\n{nodeLines}\nservices:\n{services.Replace("{{task}}", Task, StringComparison.Ordinal)}";
        var file = EnvironmentFile.Write(environment, yaml);
        var read = EnvironmentFileReader.Read(file.Path, new ReaderOptions());
        Assert.True(read.Spec is not null, string.Join("\n", read.Diagnostics));
        var spec = read.Spec!;
        var desired = new StackConverter(file.Folder, _ => null, path => File.Exists(path) ? File.ReadAllBytes(path) : null).Convert(spec);
        var desiredNodes = spec.Nodes.Select(n => new DesiredNode(n.Name, n.Address, n.Labels, n.Availability.ToString().ToLowerInvariant(), n.Role.ToString().ToLowerInvariant())).ToList();
        var plan = Planner.Make(environment, desired, desiredNodes, await StateReader.ReadAsync(engine, environment, token), prune: false);

        // Pending tasks are part of some scenarios: the apply then reports them; only the placement is compared here.
        await new Applier(engine, TimeProvider.System).ApplyAsync(plan, new ApplyOptions { Timeout = TimeSpan.FromSeconds(60), UnschedulableAfter = TimeSpan.FromSeconds(3) }, SilentObserver.Instance, token);
        return spec;
    }

    /// <summary>Where the swarm put each service's tasks, once every task has a node or waits with Swarm's reason, twice alike.</summary>
    private static async Task<Layout> SettledAsync(IEngine engine, string environment, EnvironmentSpec spec, CancellationToken token)
    {
        Layout? last = null;
        Layout? settled = null;
        await Poll.RequireAsync($"the scheduler to settle the tasks of {environment}", async () =>
        {
            var now = await ObserveAsync(engine, environment, spec, token);
            if (now is not null && last is not null && Same(now, last))
            {
                settled = now;
                return true;
            }

            last = now;
            return false;
        }, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(2));
        return settled!;
    }

    private static bool Same(Layout a, Layout b) =>
        a.Counts.Count == b.Counts.Count && a.Counts.All(c => b.Counts.GetValueOrDefault(c.Key, -1) == c.Value) &&
        a.Reasons.Count == b.Reasons.Count && a.Reasons.All(r => b.Reasons.GetValueOrDefault(r.Key) == r.Value);

    private static readonly HashSet<string> Holding = new(StringComparer.Ordinal) { "assigned", "accepted", "preparing", "ready", "starting", "running" };

    /// <summary>The swarm's layout now, or null while some task is still on its way (neither on a node nor waiting with a reason).</summary>
    private static async Task<Layout?> ObserveAsync(IEngine engine, string environment, EnvironmentSpec spec, CancellationToken token)
    {
        var nodes = await engine.ListNodesAsync(token);
        var nameOf = nodes.ToDictionary(n => n.Id, n => n.Labels.GetValueOrDefault(StackNames.NodeLabel, n.Hostname), StringComparer.Ordinal);
        var services = (await engine.ListAsync(ObjectKind.Service, environment, token)).ToDictionary(s => s.Id, s => s.Name[(environment.Length + 1)..], StringComparer.Ordinal);
        var tasks = (await engine.ListTasksAsync([.. services.Keys], token)).Where(t => t.DesiredState == "running").ToList();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in spec.Services)
        {
            var mine = tasks.Where(t => services.GetValueOrDefault(t.ServiceId) == service.Name).ToList();
            if (mine.Any(t => !(t.NodeId is { Length: > 0 } && Holding.Contains(t.State)) && !(t.State == "pending" && !string.IsNullOrEmpty(t.Error))))
            {
                return null;
            }

            var placed = mine.Where(t => t.NodeId is { Length: > 0 } && Holding.Contains(t.State)).ToList();
            var replicated = service.Deploy.Mode == ServiceMode.Replicated;
            if (replicated && mine.Count != service.Deploy.EffectiveReplicas)
            {
                return null;
            }

            foreach (var node in spec.Nodes)
            {
                counts[$"{service.Name}@node:{node.Name}"] = placed.Count(t => nameOf.GetValueOrDefault(t.NodeId!) == node.Name);
            }

            foreach (var label in service.Deploy.Placement.Spread.Select(s => s["node.labels.".Length..]))
            {
                foreach (var group in spec.Nodes.GroupBy(n => n.Labels.TryGetValue(label, out var value) ? value : ""))
                {
                    counts[$"{service.Name}@{label}={group.Key}"] = placed.Count(t => group.Any(n => n.Name == nameOf.GetValueOrDefault(t.NodeId!)));
                }
            }

            var pending = mine.Where(t => t.State == "pending").ToList();
            counts[$"{service.Name}@pending"] = pending.Count;
            if (replicated && pending.Select(t => t.Error).Distinct().ToList() is [{ } error])
            {
                reasons[service.Name] = error;
            }
        }

        return new Layout(counts, reasons);
    }

    /// <summary>Two more workers, with the test image, for five nodes in all.</summary>
    private static async Task GrowAsync(CancellationToken token)
    {
        foreach (var _ in new[] { 3, 4 })
        {
            var add = await WardCli.RunAsync("cluster", "add-worker");
            Assert.True(add.ExitCode == 0, add.ToString());
        }

        var sync = await WardCli.RunAsync("image", "sync", TestCluster.Image);
        Assert.True(sync.ExitCode == 0, sync.ToString());
        using var manager = new RawEngine(TestCluster.ManagerSocket);
        await Poll.RequireAsync("five ready nodes", async () =>
            (await manager.NodesAsync(token)).Count(n => n["Status"]?["State"]?.GetValue<string>() == "ready") == 5, TimeSpan.FromSeconds(60));
    }

    private static async Task ShrinkAsync()
    {
        foreach (var worker in new[] { "worker-4", "worker-3" })
        {
            if (Ward.Docker.Cluster.LocalCluster.Load(TestCluster.StateDirectory)?.Nodes.Any(n => n.Name == worker) == true)
            {
                await WardCli.RunAsync("cluster", "remove-worker", worker);
            }
        }
    }

    /// <summary>The nodes as the other tests expect them: active, without the labels the scenarios set.</summary>
    private static async Task ResetNodesAsync(IEngine engine, CancellationToken token)
    {
        var nodes = await engine.ListNodesAsync(token);
        var reset = nodes.Select(n => new DesiredNode(n.Labels.GetValueOrDefault(StackNames.NodeLabel, n.Hostname), null, new Dictionary<string, string>(), "active", n.Role)).ToList();
        var plan = Planner.Make("place-reset", [], reset, await StateReader.ReadAsync(engine, "place-reset", token), prune: false);
        await new Applier(engine, TimeProvider.System).ApplyAsync(plan, new ApplyOptions { Timeout = TimeSpan.FromSeconds(30) }, SilentObserver.Instance, token);
    }
}
