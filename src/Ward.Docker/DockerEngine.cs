using System.Text.Json.Nodes;
using Docker.DotNet;
using Docker.DotNet.Models;
using Ward.Engine.Desired;
using Ward.Engine.Ports;

namespace Ward.Docker;

/// <summary>
/// The engine port over the Docker Engine API (Docker.DotNet.Enhanced). Specs travel as the API's own JSON, converted
/// with the library's serializer, so what Ward plans is byte for byte what it sends.
/// </summary>
public sealed class DockerEngine : IEngine, INodeEngine
{
    private readonly DockerClient _client;

    public DockerEngine(EngineEndpoint endpoint, TimeSpan? timeout = null)
    {
        Endpoint = endpoint;
        _client = endpoint.CreateClient(timeout ?? TimeSpan.FromSeconds(60));
    }

    public EngineEndpoint Endpoint { get; }

    public string Description => Endpoint.ToString();

    internal DockerClient Client => _client;

    public void Dispose() => _client.Dispose();

    public Task<EngineInfo> InfoAsync(CancellationToken cancellationToken) => Call(async () =>
    {
        var version = await _client.System.GetVersionAsync(cancellationToken);
        var info = await _client.System.GetSystemInfoAsync(cancellationToken);
        var swarm = info.Swarm;
        return new EngineInfo(version.Version, version.APIVersion, swarm?.LocalNodeState ?? "inactive", swarm?.ControlAvailable ?? false, swarm?.NodeID, swarm?.NodeAddr);
    }, cancellationToken);

    public Task<IReadOnlyList<ObservedNode>> ListNodesAsync(CancellationToken cancellationToken) => Call(async () =>
    {
        var nodes = await _client.Swarm.ListNodesAsync(cancellationToken);
        return (IReadOnlyList<ObservedNode>)[.. nodes.Select(ToNode)];
    }, cancellationToken);

    public Task UpdateNodeAsync(string id, long version, JsonObject spec, CancellationToken cancellationToken) => Call(async () =>
    {
        // The update replaces the whole spec: keep the node's name, which Ward does not manage.
        var current = await _client.Swarm.InspectNodeAsync(id, cancellationToken);
        var update = Json.FromJson<NodeUpdateParameters>(spec);
        update.Name = current.Spec?.Name;
        await _client.Swarm.UpdateNodeAsync(id, (ulong)version, update, cancellationToken);
    }, cancellationToken);

    public Task<IReadOnlyList<ObservedObject>> ListAsync(ObjectKind kind, string? stackNamespace, CancellationToken cancellationToken) => Call(async () =>
    {
        IEnumerable<ObservedObject> objects = kind switch
        {
            ObjectKind.Service => (await _client.Swarm.ListServicesAsync(new ServiceListParameters { Filters = LabelFilter(stackNamespace) }, cancellationToken)).Select(ToService),
            ObjectKind.Network => (await _client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = LabelFilter(stackNamespace) }, cancellationToken)).Where(n => !IsLeftover(n)).Select(ToNetwork),
            ObjectKind.Secret => (await _client.Secrets.ListAsync(cancellationToken)).Select(s => ToObserved(ObjectKind.Secret, s.ID, s.Version, Json.ToJson(s.Spec), s.Spec.Labels)),
            _ => (await _client.Configs.ListConfigsAsync(cancellationToken)).Select(c => ToObserved(ObjectKind.Config, c.ID, c.Version, Json.ToJson(c.Spec), c.Spec.Labels)),
        };
        return (IReadOnlyList<ObservedObject>)[.. objects.Where(o => stackNamespace is null || (o.Labels.TryGetValue(StackNames.NamespaceLabel, out var ns) && ns == stackNamespace))];
    }, cancellationToken);

    public Task<string> CreateAsync(ObjectKind kind, JsonObject spec, CancellationToken cancellationToken) => Call(async () => kind switch
    {
        ObjectKind.Service => (await _client.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = Json.FromJson<ServiceSpec>(spec) }, cancellationToken)).ID,
        ObjectKind.Network => (await _client.Networks.CreateNetworkAsync(Json.FromJson<NetworksCreateParameters>(spec), cancellationToken)).ID,
        ObjectKind.Secret => (await _client.Secrets.CreateAsync(Json.FromJson<SwarmSecretSpec>(spec), cancellationToken)).ID,
        _ => (await _client.Configs.CreateConfigAsync(new SwarmCreateConfigParameters { Config = Json.FromJson<SwarmConfigSpec>(spec) }, cancellationToken)).ID,
    } ?? "", cancellationToken);

    public Task UpdateServiceAsync(string id, long version, JsonObject spec, CancellationToken cancellationToken) => Call(() =>
        _client.Swarm.UpdateServiceAsync(id, new ServiceUpdateParameters { Service = Json.FromJson<ServiceSpec>(spec), Version = version }, cancellationToken), cancellationToken);

    public Task RemoveAsync(ObjectKind kind, string id, CancellationToken cancellationToken) => Call(() => kind switch
    {
        ObjectKind.Service => _client.Swarm.RemoveServiceAsync(id, cancellationToken),
        ObjectKind.Network => _client.Networks.DeleteNetworkAsync(id, cancellationToken),
        ObjectKind.Secret => _client.Secrets.DeleteAsync(id, cancellationToken),
        _ => _client.Configs.RemoveConfigAsync(id, cancellationToken),
    }, cancellationToken);

    public Task<IReadOnlyList<ObservedTask>> ListTasksAsync(IReadOnlyCollection<string>? serviceIds, CancellationToken cancellationToken) => Call(async () =>
    {
        var parameters = new TasksListParameters();
        if (serviceIds is not null)
        {
            parameters.Filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = serviceIds.ToDictionary(id => id, _ => true) };
        }

        var tasks = await _client.Tasks.ListAsync(parameters, cancellationToken);
        return (IReadOnlyList<ObservedTask>)[.. tasks.Select(ToTask)];
    }, cancellationToken);

    public Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken) => Call(async () =>
    {
        var created = await _client.Exec.CreateContainerExecAsync(containerId, new ContainerExecCreateParameters
        {
            Cmd = [.. command],
            Env = [.. environment.Select(e => $"{e.Key}={e.Value}")],
            AttachStdout = true,
            AttachStderr = true,
        }, cancellationToken);
        using var stream = await _client.Exec.StartContainerExecAsync(created.ID, new ContainerExecStartParameters(), cancellationToken);
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(cancellationToken);
        var inspected = await _client.Exec.InspectContainerExecAsync(created.ID, cancellationToken);
        return new ExecResult(inspected.ExitCode ?? -1, stdout, stderr);
    }, cancellationToken);

    public async IAsyncEnumerable<ServiceLogLine> ServiceLogsAsync(string serviceId, ServiceLogOptions options, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parameters = new ServiceLogsParameters
        {
            ShowStdout = true,
            ShowStderr = true,
            Timestamps = true,
            Details = true,
            Follow = options.Follow,
            Since = options.Since is { } since ? (since.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : null,
            Tail = options.Tail?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all",
        };
        using var stream = await Call(() => _client.Swarm.GetServiceLogsAsync(serviceId, false, parameters, cancellationToken), cancellationToken);
        var lines = ServiceLogStream.ReadAsync(stream, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                ServiceLogLine line;
                try
                {
                    if (!await lines.MoveNextAsync())
                    {
                        break;
                    }

                    line = lines.Current;
                }
                catch (Exception e) when (EngineErrors.Translate(Endpoint, e, cancellationToken) is { } translated)
                {
                    throw translated;
                }

                yield return line;
            }
        }
        finally
        {
            await lines.DisposeAsync();
        }
    }

    public Task<long> AttachAsync(string containerId, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, AttachedStreams streams, CancellationToken cancellationToken) => Call(async () =>
    {
        var tty = streams.Terminal is not null;
        var created = await _client.Exec.CreateContainerExecAsync(containerId, new ContainerExecCreateParameters
        {
            Cmd = [.. command],
            Env = [.. environment.Select(e => $"{e.Key}={e.Value}")],
            AttachStdin = true,
            AttachStdout = true,
            AttachStderr = true,
            TTY = tty,
        }, cancellationToken);
        using var stream = await _client.Exec.StartContainerExecAsync(created.ID, new ContainerExecStartParameters { TTY = tty }, cancellationToken);
        if (streams.Terminal is { } size)
        {
            // The pseudo-terminal starts at 0x0 on older engines: give it the caller's size, as docker exec -it does.
            await _client.Exec.ResizeExecTtyAsync(created.ID, new ContainerResizeParameters { Width = size.Columns, Height = size.Rows }, cancellationToken);
        }

        // Input is copied until it ends (then the command sees end of file) or the command exits, whichever is first.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _ = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            try
            {
                int read;
                while ((read = await streams.Input.ReadAsync(buffer, stop.Token)) > 0)
                {
                    await stream.WriteAsync(buffer, 0, read, stop.Token);
                }

                stream.CloseWrite();
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
            {
                // The command ended first.
            }
        }, CancellationToken.None);
        await stream.CopyOutputToAsync(Stream.Null, streams.Output, streams.Error, cancellationToken);
        await stop.CancelAsync();
        var inspected = await _client.Exec.InspectContainerExecAsync(created.ID, cancellationToken);
        return inspected.ExitCode ?? -1;
    }, cancellationToken);

    private Task<T> Call<T>(Func<Task<T>> call, CancellationToken cancellationToken) => EngineErrors.Call(Endpoint, call, cancellationToken);

    private Task Call(Func<Task> call, CancellationToken cancellationToken) => EngineErrors.Call(Endpoint, call, cancellationToken);

    private static Dictionary<string, IDictionary<string, bool>>? LabelFilter(string? stackNamespace) => stackNamespace is null
        ? null
        : new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{StackNames.NamespaceLabel}={stackNamespace}"] = true } };

    private static ObservedObject ToObserved(ObjectKind kind, string id, global::Docker.DotNet.Models.Version? version, JsonObject spec, IDictionary<string, string>? labels) =>
        new(kind, id, spec["Name"]?.GetValue<string>() ?? id, (long)(version?.Index ?? 0), spec)
        {
            Labels = new Dictionary<string, string>(labels ?? new Dictionary<string, string>(), StringComparer.Ordinal),
        };

    private static ObservedObject ToService(SwarmService service) =>
        ToObserved(ObjectKind.Service, service.ID, service.Version, Json.ToJson(service.Spec), service.Spec?.Labels) with
        {
            UpdateState = service.UpdateStatus?.State,
            UpdateMessage = service.UpdateStatus?.Message,
        };

    /// <summary>
    /// A manager lists the swarm's networks (from the cluster, without containers) and then those of its own engine
    /// that the cluster does not list. A removed overlay network stays in the engine until its last task there has
    /// stopped (up to the stop grace period): listed like a swarm network, but services can no longer use it, so an
    /// apply right after a destroy must create it again rather than count on it.
    /// </summary>
    private static bool IsLeftover(NetworkResponse network) => network.Scope == "swarm" && network.Containers is not null;

    /// <summary>A network in the shape of its create body, so desired and observed compare field by field.</summary>
    private static ObservedObject ToNetwork(NetworkResponse network)
    {
        var spec = new JsonObject
        {
            ["Name"] = network.Name,
            ["Driver"] = network.Driver,
            ["Internal"] = network.Internal,
            ["Attachable"] = network.Attachable,
        };
        if (network.Options is { Count: > 0 } options)
        {
            spec["Options"] = StackConverterMap(options);
        }

        spec["Labels"] = StackConverterMap(network.Labels ?? new Dictionary<string, string>());
        return new ObservedObject(ObjectKind.Network, network.ID, network.Name, 0, spec)
        {
            Labels = new Dictionary<string, string>(network.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal),
        };
    }

    private static JsonObject StackConverterMap(IDictionary<string, string> values)
    {
        var result = new JsonObject();
        foreach (var (key, value) in values)
        {
            result[key] = value;
        }

        return result;
    }

    private static ObservedNode ToNode(NodeListResponse node) => new()
    {
        Id = node.ID,
        Version = (long)(node.Version?.Index ?? 0),
        Hostname = node.Description?.Hostname ?? "",
        Role = node.Spec?.Role ?? "worker",
        Availability = node.Spec?.Availability ?? "active",
        State = node.Status?.State ?? "unknown",
        Address = node.Status?.Addr,
        Labels = new Dictionary<string, string>(node.Spec?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal),
        IsLeader = node.ManagerStatus?.Leader ?? false,
        ManagerReachability = node.ManagerStatus?.Reachability,
        Cpus = (node.Description?.Resources?.NanoCPUs ?? 0) / 1e9,
        NanoCpus = node.Description?.Resources?.NanoCPUs ?? 0,
        MemoryBytes = node.Description?.Resources?.MemoryBytes ?? 0,
        Os = node.Description?.Platform?.OS,
        Architecture = node.Description?.Platform?.Architecture,
        EngineLabels = new Dictionary<string, string>(node.Description?.Engine?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal),
        EngineVersion = node.Description?.Engine?.EngineVersion,
        Message = node.Status?.Message,
    };

    private static ObservedTask ToTask(TaskResponse task) => new()
    {
        Id = task.ID,
        ServiceId = task.ServiceID ?? "",
        NodeId = task.NodeID,
        Slot = task.Slot,
        DesiredState = EnumText(task.DesiredState) ?? "unknown",
        State = EnumText(task.Status?.State) ?? "unknown",
        Message = task.Status?.Message,
        Error = task.Status?.Err,
        Timestamp = task.Status?.Timestamp is { } stamp ? new DateTimeOffset(DateTime.SpecifyKind(stamp, DateTimeKind.Utc)) : DateTimeOffset.MinValue,
        Spec = task.Spec is null ? null : Json.ToJson(task.Spec),
        ContainerId = task.Status?.ContainerStatus?.ContainerID,
    };

    private static string? EnumText(TaskState? state) => state?.ToString().ToLowerInvariant();
}
