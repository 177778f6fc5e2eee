using Docker.DotNet.Models;

namespace Ward.Docker.Cluster;

/// <summary>
/// Starts and stops one node's Docker engine inside its network namespace. The engine gets its own data root,
/// exec root, pid file and socket, no default bridge, and manages iptables only inside its namespace (the host's
/// tables are left alone). It is started in its own session so Ctrl-C on Ward does not reach it.
/// </summary>
public static class NodeEngine
{
    internal static async Task StartAsync(LocalNode node, CancellationToken cancellationToken)
    {
        if (await AnswersAsync(node, cancellationToken))
        {
            return;
        }

        await WaitForExitAsync(node, TimeSpan.FromSeconds(30), cancellationToken);
        Directory.CreateDirectory(node.DataRoot);
        Directory.CreateDirectory(node.ExecRoot);
        string[] engine =
        [
            "setsid", "nsenter", $"--net=/var/run/netns/{node.Namespace}",
            "dockerd",
            "--data-root", node.DataRoot,
            "--exec-root", node.ExecRoot,
            "--pidfile", node.PidFile,
            "-H", $"unix://{node.Socket}",
            "--bridge", "none",
            "--containerd-namespace", $"ward-{node.Name}",
            "--containerd-plugins-namespace", $"ward-{node.Name}-plugins",
        ];

        var environment = new Dictionary<string, string> { ["DOCKER_SERVICE_PREFER_OFFLINE_IMAGE"] = "1" };
        var started = await HostCommand.RunAsync(LaunchShell, ["-c", DetachedLaunch(engine, node.LogFile)], cancellationToken, environment);
        if (!started.Succeeded)
        {
            throw new ClusterException($"could not start the engine of {node.Name}: {started.Error}");
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await AnswersAsync(node, cancellationToken))
        {
            if (DateTime.UtcNow > deadline)
            {
                var log = File.Exists(node.LogFile) ? string.Join('\n', File.ReadLines(node.LogFile).TakeLast(5)) : "(no log)";
                throw new ClusterException($"the engine of {node.Name} did not answer within 60 s; last lines of {node.LogFile}:\n{log}");
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>Stops the engine and waits for its pid file to go, as a restart must (the engine refuses to start twice).</summary>
    internal static async Task StopAsync(LocalNode node, TimeSpan patience, CancellationToken cancellationToken)
    {
        if (ReadPid(node) is not { } pid)
        {
            return;
        }

        await HostCommand.RunAsync("kill", cancellationToken, "-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!await WaitForExitAsync(node, patience, cancellationToken))
        {
            await HostCommand.RunAsync("kill", cancellationToken, "-KILL", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await WaitForExitAsync(node, TimeSpan.FromSeconds(10), cancellationToken);
            File.Delete(node.PidFile);
        }
    }

    internal static async Task<bool> AnswersAsync(LocalNode node, CancellationToken cancellationToken)
    {
        if (!File.Exists(node.Socket))
        {
            return false;
        }

        using var engine = new DockerEngine(node.Endpoint, TimeSpan.FromSeconds(3));
        try
        {
            await engine.Client.System.PingAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public static int? ReadPid(LocalNode node) =>
        File.Exists(node.PidFile) && int.TryParse(File.ReadAllText(node.PidFile).Trim(), out var pid) && Directory.Exists($"/proc/{pid}") ? pid : null;

    private static async Task<bool> WaitForExitAsync(LocalNode node, TimeSpan patience, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + patience;
        while (ReadPid(node) is not null)
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(200, cancellationToken);
        }

        return true;
    }

    /// <summary>The shell that runs <see cref="DetachedLaunch"/>.</summary>
    internal const string LaunchShell = "/bin/bash";

    /// <summary>
    /// A bash command that starts <paramref name="program"/> in the background, its output appended to
    /// <paramref name="logFile"/>, and without the files this process was given beyond stdin/out/err: the engine must
    /// outlive this process, and a caller's lock file or pipe would stay held as long as the engine runs (a `flock`
    /// around `ward cluster up` would never be released). Bash, not sh: dash cannot name a descriptor above 9 in a
    /// redirection, and a test host or CI runner hands down higher ones.
    /// </summary>
    internal static string DetachedLaunch(IEnumerable<string> program, string logFile) =>
        "for fd in /proc/$$/fd/*; do fd=${fd##*/}; if [ \"$fd\" -gt 2 ]; then eval \"exec $fd>&-\"; fi; done 2>/dev/null; " +
        $"exec {string.Join(' ', program.Select(Quote))} >>{Quote(logFile)} 2>&1 </dev/null &";

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

/// <summary>Swarm membership of the local nodes, through each node's Engine API.</summary>
internal static class SwarmMembership
{
    public static async Task EnsureAsync(ClusterLayout layout, CancellationToken cancellationToken)
    {
        var manager = layout.Manager ?? throw new ClusterException("the cluster has no manager");
        using var managerEngine = new DockerEngine(manager.Endpoint);
        var info = await managerEngine.InfoAsync(cancellationToken);
        if (info.SwarmState != "active")
        {
            await EngineErrors.Call(manager.Endpoint, () => managerEngine.Client.Swarm.InitSwarmAsync(
                new SwarmInitParameters { ListenAddr = $"{manager.Address}:2377", AdvertiseAddr = manager.Address }, cancellationToken), cancellationToken);
        }

        var swarm = await EngineErrors.Call(manager.Endpoint, () => managerEngine.Client.Swarm.InspectSwarmAsync(cancellationToken), cancellationToken);
        foreach (var node in layout.Nodes.Where(n => n.Role == "worker"))
        {
            await JoinAsync(node, manager, swarm.JoinTokens.Worker, cancellationToken);
        }

        await LabelAsync(layout, managerEngine, cancellationToken);
    }

    public static async Task JoinAsync(LocalNode node, LocalNode manager, string token, CancellationToken cancellationToken)
    {
        using var engine = new DockerEngine(node.Endpoint);
        var info = await engine.InfoAsync(cancellationToken);
        if (info.SwarmState is "active" or "pending")
        {
            return;
        }

        await EngineErrors.Call(node.Endpoint, () => engine.Client.Swarm.JoinSwarmAsync(new SwarmJoinParameters
        {
            RemoteAddrs = [$"{manager.Address}:2377"],
            JoinToken = token,
            ListenAddr = $"{node.Address}:2377",
            AdvertiseAddr = node.Address,
        }, cancellationToken), cancellationToken);
    }

    /// <summary>Labels each swarm node with the name and size of the local node it is, so environment files can match them.</summary>
    public static async Task LabelAsync(ClusterLayout layout, DockerEngine manager, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var nodes = await EngineErrors.Call(manager.Endpoint, () => manager.Client.Swarm.ListNodesAsync(cancellationToken), cancellationToken);
            var pending = 0;
            foreach (var local in layout.Nodes)
            {
                var swarmNode = nodes.FirstOrDefault(n => n.Status?.Addr == local.Address);
                if (swarmNode is null)
                {
                    pending++;
                    continue;
                }

                var spec = swarmNode.Spec ?? new NodeUpdateParameters();
                var existing = spec.Labels ?? new Dictionary<string, string>();
                var labels = new Dictionary<string, string>(existing, StringComparer.Ordinal)
                {
                    [Ward.Engine.Desired.StackNames.NodeLabel] = local.Name,
                    ["ward.size"] = local.Size,
                };
                if (labels.Count != existing.Count || !labels.All(l => existing.TryGetValue(l.Key, out var v) && v == l.Value))
                {
                    spec.Labels = labels;
                    await EngineErrors.Call(manager.Endpoint, () => manager.Client.Swarm.UpdateNodeAsync(swarmNode.ID, swarmNode.Version?.Index ?? 0, spec, cancellationToken), cancellationToken);
                }
            }

            if (pending == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new ClusterException($"{pending} node(s) did not appear in the swarm within 30 s");
            }

            await Task.Delay(500, cancellationToken);
        }
    }
}
