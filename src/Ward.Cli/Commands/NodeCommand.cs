using System.CommandLine;
using Ward.Deploying.Nodes;
using Ward.Engine.Observing;

namespace Ward.Cli.Commands;

/// <summary><c>ward node</c>: operations on the nodes of any swarm Ward manages, through the core's <see cref="NodeChanger"/>.</summary>
internal static class NodeCommand
{
    public static Command Create()
    {
        var host = new Option<string?>("--host") { Description = "The engine to use; default DOCKER_HOST, else the local cluster, else /var/run/docker.sock." };
        var list = new Command("ls", "List the swarm's nodes: name, role, state, availability, address and labels.") { host };
        list.SetAction((parse, token) => Failures.RunAsync(async () =>
        {
            using var target = EngineTarget.Resolve(parse.GetValue(host));
            var nodes = await target.Engine.ListNodesAsync(token);
            Console.Out.WriteLine($"{"NODE",-20} {"ROLE",-8} {"STATE",-8} {"AVAILABILITY",-12} {"ADDRESS",-15} LABELS");
            foreach (var node in nodes.OrderBy(n => n.Role).ThenBy(EnvironmentStatus.NodeName, StringComparer.Ordinal))
            {
                var labels = string.Join(",", node.Labels.Where(l => !l.Key.StartsWith("ward.", StringComparison.Ordinal)).Select(l => $"{l.Key}={l.Value}"));
                Console.Out.WriteLine($"{EnvironmentStatus.NodeName(node),-20} {node.Role + (node.IsLeader ? "*" : ""),-8} {node.State,-8} {node.Availability,-12} {node.Address,-15} {labels}");
            }

            return ExitCodes.Ok;
        }));

        return new Command("node", "Operations on the swarm's nodes (ward cluster add-worker/remove-worker creates and destroys local ones).")
        {
            list,
            Change("drain", "Drain a node: its tasks move to other nodes and no new ones land on it.", host, _ => NodeChange.Availability("drain")),
            Change("activate", "Make a node accept tasks again.", host, _ => NodeChange.Availability("active")),
            Change("pause", "Keep a node's tasks but place no new ones on it.", host, _ => NodeChange.Availability("pause")),
            Change("promote", "Make a worker a manager.", host, _ => NodeChange.Role("manager")),
            Change("demote", "Make a manager a worker.", host, _ => NodeChange.Role("worker")),
            LabelCommand(host),
        };
    }

    private static Command Change(string name, string description, Option<string?> host, Func<ParseResult, NodeChange> change)
    {
        var node = new Argument<string>("NODE") { Description = "The node: its Ward name (e.g. worker-1), hostname or id." };
        var command = new Command(name, description) { node, host };
        command.SetAction((parse, token) => RunAsync(parse.GetValue(host), parse.GetValue(node)!, () => change(parse), token));
        return command;
    }

    private static Command LabelCommand(Option<string?> host)
    {
        var node = new Argument<string>("NODE") { Description = "The node: its Ward name (e.g. worker-1), hostname or id." };
        var labels = new Argument<string[]>("LABEL") { Description = "key=value to set, key- to remove.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("label", "Set (key=value) or remove (key-) labels on a node.") { node, labels, host };
        command.SetAction((parse, token) => RunAsync(parse.GetValue(host), parse.GetValue(node)!, () => NodeChange.EditLabels(parse.GetValue(labels)!), token));
        return command;
    }

    private static Task<int> RunAsync(string? host, string node, Func<NodeChange> change, CancellationToken token) => Failures.RunAsync(async () =>
    {
        var wanted = change();
        using var target = EngineTarget.Resolve(host);
        var result = await new NodeChanger(target.Engine, TimeProvider.System).ChangeAsync(node, wanted, message => Console.Error.WriteLine($"ward: {message}"), token);
        if (!result.Confirmed)
        {
            Console.Error.WriteLine($"ward: {result.Node}: the swarm has not made the change after {NodeChanger.ConfirmationWait.TotalMinutes:0} minutes; its managers cannot commit changes (see ward node ls: are they all reachable?)");
            return ExitCodes.Failed;
        }

        Console.Error.WriteLine($"ward: {result.Node}: role {result.After["Role"]}, availability {result.After["Availability"]}");
        return ExitCodes.Ok;
    });
}
