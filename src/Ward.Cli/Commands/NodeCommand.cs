using System.CommandLine;
using System.Text.Json.Nodes;
using Ward.Engine.Observing;
using Ward.Engine.Planning;
using Ward.Engine.Ports;

namespace Ward.Cli.Commands;

/// <summary><c>ward node</c>: operations on the nodes of any swarm Ward manages.</summary>
internal static class NodeCommand
{
    public static Command Create()
    {
        var host = new Option<string?>("--host") { Description = "The engine to use; default DOCKER_HOST, else the local cluster, else /var/run/docker.sock." };
        var list = new Command("ls", "List the swarm's nodes: name, role, state, availability, address and labels.") { host };
        list.SetAction((parse, token) => WithEngine(parse.GetValue(host), async engine =>
        {
            var nodes = await engine.ListNodesAsync(token);
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
            Change("drain", "Drain a node: its tasks move to other nodes and no new ones land on it.", host, (spec, _) => spec["Availability"] = "drain"),
            Change("activate", "Make a node accept tasks again.", host, (spec, _) => spec["Availability"] = "active"),
            Change("pause", "Keep a node's tasks but place no new ones on it.", host, (spec, _) => spec["Availability"] = "pause"),
            Change("promote", "Make a worker a manager.", host, (spec, _) => spec["Role"] = "manager"),
            Change("demote", "Make a manager a worker.", host, (spec, _) => spec["Role"] = "worker"),
            LabelCommand(host),
        };
    }

    private static Command Change(string name, string description, Option<string?> host, Action<JsonObject, string[]> change)
    {
        var node = new Argument<string>("NODE") { Description = "The node: its Ward name (e.g. worker-1), hostname or id." };
        var command = new Command(name, description) { node, host };
        command.SetAction((parse, token) => WithEngine(parse.GetValue(host), engine => UpdateAsync(engine, parse.GetValue(node)!, spec => change(spec, []), token)));
        return command;
    }

    private static Command LabelCommand(Option<string?> host)
    {
        var node = new Argument<string>("NODE") { Description = "The node: its Ward name (e.g. worker-1), hostname or id." };
        var labels = new Argument<string[]>("LABEL") { Description = "key=value to set, key- to remove.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("label", "Set (key=value) or remove (key-) labels on a node.") { node, labels, host };
        command.SetAction((parse, token) => WithEngine(parse.GetValue(host), engine => UpdateAsync(engine, parse.GetValue(node)!, spec =>
        {
            var current = (JsonObject)spec["Labels"]!;
            foreach (var label in parse.GetValue(labels)!)
            {
                if (label.EndsWith('-'))
                {
                    current.Remove(label[..^1]);
                }
                else if (label.Split('=', 2) is [var key, var value] && key.Length > 0)
                {
                    current[key] = value;
                }
                else
                {
                    throw new ArgumentException($"'{label}' is not key=value or key-");
                }
            }
        }, token)));
        return command;
    }

    /// <summary>Reads the node and updates it at the version read; a node changed meanwhile is read again (never forced).</summary>
    private static async Task<int> UpdateAsync(IEngine engine, string name, Action<JsonObject> change, CancellationToken token)
    {
        for (var attempt = 1; ; attempt++)
        {
            var nodes = await engine.ListNodesAsync(token);
            var node = nodes.FirstOrDefault(n => EnvironmentStatus.NodeName(n) == name || n.Id == name || n.Id.StartsWith(name, StringComparison.Ordinal) || n.Hostname == name);
            if (node is null)
            {
                Console.Error.WriteLine($"ward: the swarm has no node {name} (nodes: {string.Join(", ", nodes.Select(EnvironmentStatus.NodeName))})");
                return ExitCodes.Failed;
            }

            var spec = NodeMatcher.SpecOf(node);
            try
            {
                change(spec);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"ward: {e.Message}");
                return ExitCodes.Usage;
            }

            try
            {
                await engine.UpdateNodeAsync(node.Id, node.Version, spec, token);
                Console.Error.WriteLine($"ward: {EnvironmentStatus.NodeName(node)}: role {spec["Role"]}, availability {spec["Availability"]}");
                return ExitCodes.Ok;
            }
            catch (EngineConflictException) when (attempt < 5)
            {
                await Task.Delay(200, token);
            }
            catch (EngineRequestException e) when (e.Message.Contains("DeadlineExceeded", StringComparison.Ordinal))
            {
                // The change goes through the managers' Raft log. When it cannot commit in time (with two managers, a
                // demotion often cannot at first) the swarm gives up waiting but may still make it: watch the node, asking again.
                Console.Error.WriteLine($"ward: {EnvironmentStatus.NodeName(node)}: the swarm did not confirm the change within its deadline; waiting up to 2 minutes for it to show");
                return await WaitForSpecAsync(engine, node.Id, spec, EnvironmentStatus.NodeName(node), token);
            }
        }
    }

    /// <summary>
    /// After the swarm gave up waiting for a change to commit: watches the node for up to 2 minutes, and asks again at
    /// the node's current version while the change has not shown (the first request may never have been committed).
    /// </summary>
    private static async Task<int> WaitForSpecAsync(IEngine engine, string id, JsonObject spec, string name, CancellationToken token)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(2000, token);
            if ((await engine.ListNodesAsync(token)).FirstOrDefault(n => n.Id == id) is not { } node)
            {
                continue;
            }

            if (JsonNode.DeepEquals(NodeMatcher.SpecOf(node), spec))
            {
                Console.Error.WriteLine($"ward: {name}: role {spec["Role"]}, availability {spec["Availability"]}");
                return ExitCodes.Ok;
            }

            try
            {
                await engine.UpdateNodeAsync(id, node.Version, (JsonObject)spec.DeepClone(), token);
            }
            catch (EngineException)
            {
                // Still no quorum, or changed meanwhile: the next round reads the node again.
            }
        }

        Console.Error.WriteLine($"ward: {name}: the swarm has not made the change after 2 minutes; its managers cannot commit changes (see ward node ls: are they all reachable?)");
        return ExitCodes.Failed;
    }

    private static Task<int> WithEngine(string? host, Func<IEngine, Task<int>> run) => EngineCalls.WithEngine(host, (engine, _) => run(engine));
}
