using System.CommandLine;
using Ward.Docker;
using Ward.Docker.Cluster;

namespace Ward.Cli.Commands;

/// <summary><c>ward cluster</c>: a real multi-node Docker Swarm on this machine.</summary>
internal static class ClusterCommand
{
    private sealed class ConsoleProgress : IClusterProgress
    {
        public void Report(string message) => Console.Error.WriteLine($"ward: {message}");
    }

    public static Command Create()
    {
        var workers = new Option<int>("--workers") { Description = "How many workers besides the manager.", DefaultValueFactory = _ => 2 };
        var subnet = new Option<string>("--subnet") { Description = "The subnet of the cluster's bridge (it must clash with no host route).", DefaultValueFactory = _ => ClusterLayout.DefaultSubnet };
        var up = new Command("up", "Create the local cluster: a manager and workers, each a Docker engine in its own network namespace, joined into one swarm. Quick when it is up already.") { workers, subnet };
        up.SetAction((parse, token) => Run(cluster => cluster.UpAsync(parse.GetValue(workers), token), new ClusterLayout { Subnet = parse.GetValue(subnet)! }));

        var down = new Command("down", "Remove the local cluster and everything it created (engines, namespaces, bridge, host rules, folders).");
        down.SetAction((_, token) => Run(cluster => cluster.DownAsync(token)));

        var status = new Command("status", "Show the local cluster's nodes: role, engine, swarm state and address.");
        status.SetAction((_, token) => StatusAsync(token));

        var size = new Option<string?>("--size") { Description = "The catalog size the new worker stands for (default large)." };
        var add = new Command("add-worker", "Add a worker: a new engine in its own namespace, joined to the swarm.") { size };
        add.SetAction((parse, token) => Run(cluster => cluster.AddWorkerAsync(parse.GetValue(size), token)));

        var node = new Argument<string>("NODE") { Description = "A node of the local cluster, e.g. worker-2." };
        var remove = new Command("remove-worker", "Remove a worker: it leaves the swarm and its engine and namespace are destroyed.") { node };
        remove.SetAction((parse, token) => Run(cluster => cluster.RemoveWorkerAsync(parse.GetValue(node)!, token)));

        var stopNode = new Argument<string>("NODE") { Description = "A node of the local cluster." };
        var stop = new Command("stop-node", "Stop a node's engine: a real node failure (the swarm marks it down and reschedules).") { stopNode };
        stop.SetAction((parse, token) => Run(cluster => cluster.StopNodeAsync(parse.GetValue(stopNode)!, token)));

        var startNode = new Argument<string>("NODE") { Description = "A node of the local cluster." };
        var start = new Command("start-node", "Start a stopped node's engine again; it rejoins the swarm.") { startNode };
        start.SetAction((parse, token) => Run(cluster => cluster.StartNodeAsync(parse.GetValue(startNode)!, token)));

        return new Command("cluster", "A real multi-node Docker Swarm on this machine, for trying Ward and for its tests.")
        {
            up, down, status, add, remove, stop, start,
        };
    }

    private static Task<int> Run(Func<LocalCluster, Task> operation, ClusterLayout? layout = null) => Failures.RunAsync(async () =>
    {
        await operation(new LocalCluster(layout ?? LocalCluster.Load() ?? new ClusterLayout(), new ConsoleProgress()));
        return ExitCodes.Ok;
    });

    private static async Task<int> StatusAsync(CancellationToken token)
    {
        if (LocalCluster.Load() is not { } layout)
        {
            Console.Out.WriteLine("no local cluster (ward cluster up creates one)");
            return ExitCodes.Ok;
        }

        Console.Out.WriteLine($"bridge {layout.Bridge} {layout.Subnet}, host {layout.HostAddress}");
        IReadOnlyList<Engine.Ports.ObservedNode> swarmNodes = [];
        try
        {
            using var manager = new DockerEngine(layout.Manager!.Endpoint, TimeSpan.FromSeconds(5));
            swarmNodes = await manager.ListNodesAsync(token);
        }
        catch (Engine.Ports.EngineException e)
        {
            Console.Out.WriteLine($"the manager does not answer: {e.Message}");
        }

        Console.Out.WriteLine($"{"NODE",-12} {"ROLE",-8} {"SIZE",-8} {"ADDRESS",-15} {"ENGINE",-8} {"SWARM",-8} AVAILABILITY");
        var healthy = true;
        foreach (var node in layout.Nodes)
        {
            var engine = NodeEngine.ReadPid(node) is null ? "stopped" : "running";
            var swarm = swarmNodes.FirstOrDefault(n => n.Address == node.Address);
            healthy &= engine == "running" && swarm?.State == "ready";
            Console.Out.WriteLine($"{node.Name,-12} {node.Role,-8} {node.Size,-8} {node.Address,-15} {engine,-8} {swarm?.State ?? "-",-8} {swarm?.Availability ?? "-"}");
        }

        return healthy ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
