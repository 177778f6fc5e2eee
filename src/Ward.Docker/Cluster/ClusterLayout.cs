using System.Net;
using System.Text.Json.Serialization;

namespace Ward.Docker.Cluster;

/// <summary>One node of the local cluster: its engine, namespace, address and files.</summary>
public sealed record LocalNode
{
    public required string Name { get; init; }

    /// <summary>manager or worker.</summary>
    public required string Role { get; init; }

    /// <summary>The catalog size it stands for (every node reports the whole machine to the scheduler).</summary>
    public required string Size { get; init; }

    public required string Address { get; init; }

    /// <summary>The network namespace, named after the node.</summary>
    public required string Namespace { get; init; }

    /// <summary>The host end of the node's veth pair.</summary>
    public required string HostInterface { get; init; }

    public required string DataRoot { get; init; }

    public required string RunDirectory { get; init; }

    [JsonIgnore]
    public string Socket => Path.Combine(RunDirectory, "docker.sock");

    [JsonIgnore]
    public string PidFile => Path.Combine(RunDirectory, "docker.pid");

    [JsonIgnore]
    public string LogFile => Path.Combine(RunDirectory, "dockerd.log");

    [JsonIgnore]
    public string ExecRoot => Path.Combine(RunDirectory, "exec");

    [JsonIgnore]
    public EngineEndpoint Endpoint => EngineEndpoint.Socket(Socket);
}

/// <summary>
/// Where the local cluster lives: a bridge Ward owns on a subnet of its own, and per node a namespace, an engine and
/// its folders. Recorded in a state file so that <c>cluster down</c> removes exactly what <c>cluster up</c> made.
/// </summary>
public sealed record ClusterLayout
{
    public const string DefaultSubnet = "10.213.0.0/24";
    public const string DefaultBridge = "ward0";

    public string Bridge { get; init; } = DefaultBridge;

    public string Subnet { get; init; } = DefaultSubnet;

    public string StateDirectory { get; init; } = LocalCluster.DefaultStateDirectory;

    /// <summary>Engines' sockets and pid files: beside the state, under /run (WARD_CLUSTER_DIR=/var/lib/ward/x gives /run/ward/x).</summary>
    public string RunDirectory { get; init; } = Path.Combine("/run/ward", Path.GetFileName(LocalCluster.DefaultStateDirectory.TrimEnd('/')));

    public List<LocalNode> Nodes { get; init; } = [];

    /// <summary>The iptables rules Ward added on the host, each as its arguments, so down removes exactly them.</summary>
    public List<List<string>> HostRules { get; init; } = [];

    [JsonIgnore]
    public string StateFile => Path.Combine(StateDirectory, "cluster.json");

    [JsonIgnore]
    public LocalNode? Manager => Nodes.FirstOrDefault(n => n.Role == "manager");

    /// <summary>The host's own address on the bridge (the first address of the subnet).</summary>
    [JsonIgnore]
    public string HostAddress => AddressAt(1);

    [JsonIgnore]
    public int PrefixLength => int.Parse(Subnet.Split('/')[1], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The subnet's n-th address: managers from .10, workers from .11 on.</summary>
    public string AddressAt(int offset)
    {
        var parts = Subnet.Split('/');
        var bytes = IPAddress.Parse(parts[0]).GetAddressBytes();
        var value = ((uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3]) + (uint)offset;
        return new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]).ToString();
    }

    public LocalNode NewNode(string name, string role, string size, int index) => new()
    {
        Name = name,
        Role = role,
        Size = size,
        Address = AddressAt(10 + index),
        Namespace = $"{Bridge}-{name}",
        HostInterface = $"wv{index}-{Bridge}",
        DataRoot = Path.Combine(StateDirectory, name, "docker"),
        RunDirectory = Path.Combine(RunDirectory, name),
    };
}
