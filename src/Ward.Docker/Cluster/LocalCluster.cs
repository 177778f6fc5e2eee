using System.Net;
using System.Text.Json;
using Docker.DotNet.Models;
using Ward.Engine.Ports;

namespace Ward.Docker.Cluster;

/// <summary>Progress of a cluster operation, for the CLI to show.</summary>
public interface IClusterProgress
{
    void Report(string message);
}

/// <summary>
/// A real multi-node Docker Swarm on this machine: a manager and workers, each its own engine in its own network
/// namespace, on a bridge and subnet that Ward owns. It never touches the host's own engine; the host keeps one
/// iptables rule (bridge traffic forwarded) that <see cref="DownAsync"/> removes with everything else.
/// </summary>
public sealed class LocalCluster(ClusterLayout layout, IClusterProgress progress)
{
    private static readonly JsonSerializerOptions StateJson = new() { WriteIndented = true };

    public ClusterLayout Layout { get; private set; } = layout;

    /// <summary>Where cluster state lives unless a layout says otherwise: WARD_CLUSTER_DIR, else /var/lib/ward/cluster.</summary>
    public static string DefaultStateDirectory =>
        Environment.GetEnvironmentVariable("WARD_CLUSTER_DIR") is { Length: > 0 } directory ? directory : "/var/lib/ward/cluster";

    /// <summary>The recorded cluster, or null when none is up.</summary>
    public static ClusterLayout? Load(string? stateDirectory = null)
    {
        var file = Path.Combine(stateDirectory ?? DefaultStateDirectory, "cluster.json");
        return File.Exists(file) ? JsonSerializer.Deserialize<ClusterLayout>(File.ReadAllText(file)) : null;
    }

    /// <summary>
    /// Creates the cluster, or finds it complete and returns quickly. A failed attempt removes what it made, so the
    /// host is left as it was.
    /// </summary>
    public async Task UpAsync(int workers, CancellationToken cancellationToken)
    {
        var recorded = Load(Layout.StateDirectory);
        if (recorded is not null && recorded.Nodes.Count(n => n.Role == "worker") == workers && await IsHealthyAsync(recorded, cancellationToken))
        {
            Layout = recorded;
            progress.Report($"the cluster is up: {recorded.Nodes.Count} nodes on {recorded.Bridge} ({recorded.Subnet})");
            return;
        }

        // A recorded cluster is repaired on its own bridge and subnet, which are the ones to check against the host.
        var fresh = recorded is null;
        if (!fresh)
        {
            Layout = recorded!;
        }

        await CheckHostAsync(cancellationToken);

        var nodes = Layout.Nodes.Count > 0 ? Layout.Nodes : [Layout.NewNode("manager-1", "manager", "medium", 0)];
        for (var i = nodes.Count(n => n.Role == "worker") + 1; i <= workers; i++)
        {
            nodes.Add(Layout.NewNode($"worker-{i}", "worker", "large", i));
        }

        Layout = Layout with { Nodes = nodes };
        Save();
        try
        {
            await CreateBridgeAsync(cancellationToken);
            foreach (var node in Layout.Nodes)
            {
                await CreateNamespaceAsync(node, cancellationToken);
            }

            progress.Report($"starting {Layout.Nodes.Count} Docker engines");
            await Task.WhenAll(Layout.Nodes.Select(n => NodeEngine.StartAsync(n, cancellationToken)));
            progress.Report("forming the swarm");
            await SwarmMembership.EnsureAsync(Layout, cancellationToken);
            Save();
            progress.Report($"the cluster is up: {string.Join(", ", Layout.Nodes.Select(n => $"{n.Name} {n.Address}"))}");
        }
        catch (Exception e) when (fresh && e is ClusterException or EngineException or IOException)
        {
            progress.Report("cluster up failed; removing what it created");
            await DownAsync(CancellationToken.None);
            throw;
        }
    }

    /// <summary>Removes everything the cluster made: engines, their processes and mounts, namespaces, bridge, host rules, folders.</summary>
    public async Task DownAsync(CancellationToken cancellationToken)
    {
        var recorded = Load(Layout.StateDirectory) ?? Layout;
        progress.Report($"stopping {recorded.Nodes.Count} engines");
        await Task.WhenAll(recorded.Nodes.Select(n => NodeEngine.StopAsync(n, TimeSpan.FromSeconds(20), cancellationToken)));
        await KillLeftoversAsync(recorded, cancellationToken);
        await UnmountAsync(recorded, cancellationToken);
        foreach (var node in recorded.Nodes)
        {
            await HostCommand.RunAsync("ip", cancellationToken, "netns", "del", node.Namespace);
            await HostCommand.RunAsync("ip", cancellationToken, "link", "del", node.HostInterface);
        }

        await HostCommand.RunAsync("ip", cancellationToken, "link", "del", recorded.Bridge);
        foreach (var rule in recorded.HostRules)
        {
            await HostCommand.RunAsync("iptables", ["-D", .. rule], cancellationToken);
        }

        foreach (var directory in new[] { recorded.RunDirectory, recorded.StateDirectory })
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            // The parent (/var/lib/ward, /run/ward) goes too when nothing else of Ward's is in it.
            if (Path.GetDirectoryName(directory) is { } parent && Directory.Exists(parent) && !Directory.EnumerateFileSystemEntries(parent).Any())
            {
                Directory.Delete(parent);
            }
        }

        progress.Report("the cluster is down; nothing of it is left on the host");
    }

    /// <summary>Adds a worker: a new namespace and engine, joined to the swarm.</summary>
    public async Task<LocalNode> AddWorkerAsync(string? size, CancellationToken cancellationToken)
    {
        Layout = Load(Layout.StateDirectory) ?? throw new ClusterException("no local cluster is up; run ward cluster up first");
        var index = Layout.Nodes.Where(n => n.Role == "worker").Select(n => int.Parse(n.Name["worker-".Length..], System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max() + 1;
        var node = Layout.NewNode($"worker-{index}", "worker", size ?? "large", index);
        Layout.Nodes.Add(node);
        Save();
        await CreateNamespaceAsync(node, cancellationToken);
        await NodeEngine.StartAsync(node, cancellationToken);
        await SwarmMembership.EnsureAsync(Layout, cancellationToken);
        progress.Report($"{node.Name} joined the swarm at {node.Address}");
        return node;
    }

    /// <summary>Removes a worker: it leaves the swarm, its engine stops, its namespace and files go.</summary>
    public async Task RemoveWorkerAsync(string name, CancellationToken cancellationToken)
    {
        Layout = Load(Layout.StateDirectory) ?? throw new ClusterException("no local cluster is up");
        var node = Layout.Nodes.FirstOrDefault(n => n.Name == name) ?? throw new ClusterException($"the local cluster has no node {name} (nodes: {string.Join(", ", Layout.Nodes.Select(n => n.Name))})");
        if (node.Role == "manager")
        {
            throw new ClusterException($"{name} is the manager; remove workers only (ward cluster down removes the whole cluster)");
        }

        using (var engine = new DockerEngine(node.Endpoint, TimeSpan.FromSeconds(15)))
        {
            if (await NodeEngine.AnswersAsync(node, cancellationToken))
            {
                await EngineErrors.Call(node.Endpoint, () => engine.Client.Swarm.LeaveSwarmAsync(new SwarmLeaveParameters { Force = true }, cancellationToken), cancellationToken);
            }
        }

        using (var manager = new DockerEngine(Layout.Manager!.Endpoint))
        {
            var nodes = await manager.ListNodesAsync(cancellationToken);
            foreach (var gone in nodes.Where(n => n.Address == node.Address))
            {
                await EngineErrors.Call(manager.Endpoint, () => manager.Client.Swarm.RemoveNodeAsync(gone.Id, true, cancellationToken), cancellationToken);
            }
        }

        await NodeEngine.StopAsync(node, TimeSpan.FromSeconds(20), cancellationToken);
        var single = Layout with { Nodes = [node], HostRules = [] };
        await KillLeftoversAsync(single, cancellationToken);
        await UnmountAsync(single, cancellationToken);
        await HostCommand.RunAsync("ip", cancellationToken, "netns", "del", node.Namespace);
        await HostCommand.RunAsync("ip", cancellationToken, "link", "del", node.HostInterface);
        foreach (var directory in new[] { node.RunDirectory, Path.GetDirectoryName(node.DataRoot)! })
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        Layout.Nodes.Remove(node);
        Save();
        progress.Report($"{name} left the swarm and was removed");
    }

    /// <summary>Stops a node's engine: a real node failure, as the swarm sees it.</summary>
    public Task StopNodeAsync(string name, CancellationToken cancellationToken) =>
        NodeEngine.StopAsync(Find(name), TimeSpan.FromSeconds(20), cancellationToken);

    /// <summary>Starts a stopped node's engine again; it rejoins the swarm by itself.</summary>
    public Task StartNodeAsync(string name, CancellationToken cancellationToken) => NodeEngine.StartAsync(Find(name), cancellationToken);

    public static async Task<bool> IsHealthyAsync(ClusterLayout layout, CancellationToken cancellationToken)
    {
        foreach (var node in layout.Nodes)
        {
            if (!await NodeEngine.AnswersAsync(node, cancellationToken))
            {
                return false;
            }
        }

        using var manager = new DockerEngine(layout.Manager!.Endpoint, TimeSpan.FromSeconds(10));
        try
        {
            var nodes = await manager.ListNodesAsync(cancellationToken);
            return layout.Nodes.All(local => nodes.Any(n => n.Address == local.Address && n.State == "ready"));
        }
        catch (EngineException)
        {
            return false;
        }
    }

    private LocalNode Find(string name)
    {
        Layout = Load(Layout.StateDirectory) ?? throw new ClusterException("no local cluster is up");
        return Layout.Nodes.FirstOrDefault(n => n.Name == name) ?? throw new ClusterException($"the local cluster has no node {name} (nodes: {string.Join(", ", Layout.Nodes.Select(n => n.Name))})");
    }

    private void Save()
    {
        Directory.CreateDirectory(Layout.StateDirectory);
        var temporary = Layout.StateFile + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(Layout, StateJson));
        File.Move(temporary, Layout.StateFile, overwrite: true);
    }

    /// <summary>Root, the tools, and a subnet that clashes with no route the host already has.</summary>
    private async Task CheckHostAsync(CancellationToken cancellationToken)
    {
        if (Environment.UserName != "root")
        {
            throw new ClusterException("the local cluster needs root (network namespaces, bridges and engines); run as root");
        }

        var missing = new[] { ("ip", "iproute2"), ("iptables", "iptables"), ("nsenter", "util-linux"), ("setsid", "util-linux"), ("dockerd", "docker.io") }
            .Where(t => !HostCommand.Exists(t.Item1)).ToList();
        if (missing.Count > 0)
        {
            throw new ClusterException($"missing on this machine: {string.Join(", ", missing.Select(m => m.Item1))}. Run scripts/setup.sh, or apt-get install -y {string.Join(' ', missing.Select(m => m.Item2).Distinct())}");
        }

        var routes = await HostCommand.RequireAsync("ip", cancellationToken, "-o", "-4", "route", "show");
        foreach (var line in routes.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var device = words.SkipWhile(w => w != "dev").Skip(1).FirstOrDefault();
            if (words[0] == "default" || device == Layout.Bridge)
            {
                continue;
            }

            if (Overlaps(words[0], Layout.Subnet))
            {
                throw new ClusterException($"the cluster subnet {Layout.Subnet} overlaps the host route '{line.Trim()}'; choose another with --subnet (e.g. 10.214.0.0/24)");
            }
        }
    }

    private static bool Overlaps(string a, string b)
    {
        static (uint Start, uint End) Range(string cidr)
        {
            var parts = cidr.Split('/');
            var bytes = IPAddress.Parse(parts[0]).GetAddressBytes();
            var address = (uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3];
            var prefix = parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 32;
            var mask = prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
            return (address & mask, (address & mask) | ~mask);
        }

        if (!IPAddress.TryParse(a.Split('/')[0], out _))
        {
            return false;
        }

        var (s1, e1) = Range(a);
        var (s2, e2) = Range(b);
        return s1 <= e2 && s2 <= e1;
    }

    private async Task CreateBridgeAsync(CancellationToken cancellationToken)
    {
        if (!(await HostCommand.RunAsync("ip", cancellationToken, "link", "show", Layout.Bridge)).Succeeded)
        {
            await HostCommand.RequireAsync("ip", cancellationToken, "link", "add", Layout.Bridge, "type", "bridge");
            await HostCommand.RequireAsync("ip", cancellationToken, "addr", "add", $"{Layout.HostAddress}/{Layout.PrefixLength}", "dev", Layout.Bridge);
        }

        await HostCommand.RequireAsync("ip", cancellationToken, "link", "set", Layout.Bridge, "up");

        // A host engine sets the FORWARD policy to DROP; traffic between the nodes' ports on the bridge must pass.
        List<string> rule = ["FORWARD", "-i", Layout.Bridge, "-o", Layout.Bridge, "-j", "ACCEPT"];
        if (!(await HostCommand.RunAsync("iptables", ["-C", .. rule], cancellationToken)).Succeeded)
        {
            await HostCommand.RequireAsync("iptables", cancellationToken, ["-I", .. rule]);
        }

        if (!Layout.HostRules.Any(r => r.SequenceEqual(rule)))
        {
            Layout.HostRules.Add(rule);
            Save();
        }
    }

    /// <summary>A namespace with one veth on the bridge, the node's address, loopback up, and no default route.</summary>
    private async Task CreateNamespaceAsync(LocalNode node, CancellationToken cancellationToken)
    {
        if ((await HostCommand.RunAsync("ip", cancellationToken, "netns", "exec", node.Namespace, "ip", "-o", "addr", "show", "dev", "eth0")).Output.Contains(node.Address + "/", StringComparison.Ordinal))
        {
            return;
        }

        await HostCommand.RunAsync("ip", cancellationToken, "netns", "add", node.Namespace);
        await HostCommand.RunAsync("ip", cancellationToken, "link", "del", node.HostInterface);
        await HostCommand.RequireAsync("ip", cancellationToken, "link", "add", node.HostInterface, "type", "veth", "peer", "name", "eth0", "netns", node.Namespace);
        await HostCommand.RequireAsync("ip", cancellationToken, "link", "set", node.HostInterface, "master", Layout.Bridge, "up");
        await HostCommand.RequireAsync("ip", cancellationToken, "netns", "exec", node.Namespace, "ip", "addr", "add", $"{node.Address}/{Layout.PrefixLength}", "dev", "eth0");
        await HostCommand.RequireAsync("ip", cancellationToken, "netns", "exec", node.Namespace, "ip", "link", "set", "eth0", "up");
        await HostCommand.RequireAsync("ip", cancellationToken, "netns", "exec", node.Namespace, "ip", "link", "set", "lo", "up");
    }

    /// <summary>containerd and shims of the engines can outlive them; anything that names the cluster's folders goes.</summary>
    private static async Task KillLeftoversAsync(ClusterLayout layout, CancellationToken cancellationToken)
    {
        foreach (var node in layout.Nodes)
        {
            foreach (var folder in new[] { node.RunDirectory, node.DataRoot })
            {
                await HostCommand.RunAsync("pkill", cancellationToken, "-KILL", "-f", folder);
            }
        }

        await Task.Delay(300, cancellationToken);
    }

    /// <summary>Unmounts everything below the cluster's folders (overlay layers, namespace files), deepest first.</summary>
    private static async Task UnmountAsync(ClusterLayout layout, CancellationToken cancellationToken)
    {
        var roots = layout.Nodes.SelectMany(n => new[] { n.RunDirectory, Path.GetDirectoryName(n.DataRoot)! }).Append(layout.RunDirectory).ToList();
        var mounts = File.ReadAllLines("/proc/mounts")
            .Select(line => line.Split(' ')[1].Replace("\\040", " ", StringComparison.Ordinal))
            .Where(point => roots.Any(root => point == root || point.StartsWith(root + "/", StringComparison.Ordinal)))
            .OrderByDescending(point => point.Length);
        foreach (var point in mounts)
        {
            await HostCommand.RunAsync("umount", cancellationToken, "-l", point);
        }
    }
}
