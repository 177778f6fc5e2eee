using System.Text.Json.Nodes;
using Ward.Engine.Desired;
using Ward.Engine.Ports;

namespace Ward.Engine.Balancing;

/// <summary>
/// The load balancer's Swarm service, which Ward adds to an environment that has domains (the file does not declare
/// it): one task pinned to the manager, where public traffic enters, with ports 80 and 443 published on the manager
/// alone (host mode), small reservations and limits, on the networks of the services it routes to, and its
/// certificates and routes on a named volume there. Its spec does not change when routes do (Ward sends those to the
/// running task), so adding or removing a domain never restarts it.
/// </summary>
public static class LoadBalancerService
{
    /// <summary>Its key in the stack: the service is ENV_ward-lb, next to the file's services.</summary>
    public const string Key = "ward-lb";

    public const string Image = "ward/lb:2.6.2";

    /// <summary>The label that marks a service Ward runs itself (rules exempt it from manager and port rules).</summary>
    public const string PlatformLabel = "ward.platform";

    public static string ServiceName(string environment) => StackNames.Scoped(environment, Key);

    /// <param name="environment">The environment's name (its stack namespace).</param>
    /// <param name="networks">The networks of the services it routes to (their full names).</param>
    public static DesiredObject Desire(string environment, IReadOnlyCollection<string> networks)
    {
        var labels = StackConverter.Labels([], environment);
        labels[StackNames.ImageLabel] = Image;
        labels[PlatformLabel] = "load-balancer";
        var spec = new JsonObject
        {
            ["Name"] = ServiceName(environment),
            ["Labels"] = labels,
            ["TaskTemplate"] = new JsonObject
            {
                ["ContainerSpec"] = new JsonObject
                {
                    ["Image"] = Image,
                    ["Labels"] = StackConverter.Labels([], environment),
                    ["Mounts"] = new JsonArray(new JsonObject
                    {
                        ["Type"] = "volume",
                        ["Source"] = StackNames.Scoped(environment, "ward-lb-data"),
                        ["Target"] = CaddyConfig.DataPath,
                        ["VolumeOptions"] = new JsonObject { ["Labels"] = StackConverter.Labels([], environment) },
                    }),
                    // Ports 80 and 443 without root: the unprivileged user may bind them in the task's own network namespace.
                    ["Sysctls"] = new JsonObject { ["net.ipv4.ip_unprivileged_port_start"] = "0" },
                    ["StopGracePeriod"] = 30_000_000_000L,
                },
                ["Resources"] = new JsonObject
                {
                    ["Limits"] = new JsonObject { ["NanoCPUs"] = 1_000_000_000L, ["MemoryBytes"] = 256L * 1024 * 1024 },
                    ["Reservations"] = new JsonObject { ["NanoCPUs"] = 100_000_000L, ["MemoryBytes"] = 64L * 1024 * 1024 },
                },
                ["RestartPolicy"] = new JsonObject { ["Condition"] = "any", ["Delay"] = 5_000_000_000L, ["MaxAttempts"] = 0 },
                ["Placement"] = new JsonObject { ["Constraints"] = new JsonArray("node.role == manager") },
                ["Networks"] = new JsonArray([.. networks.Order(StringComparer.Ordinal).Select(n => (JsonNode)new JsonObject { ["Target"] = n, ["Aliases"] = new JsonArray(Key) })]),
                ["ForceUpdate"] = 0,
            },
            ["Mode"] = new JsonObject { ["Replicated"] = new JsonObject { ["Replicas"] = 1 } },
            // Ports bound on the manager itself: the old task must let go of them before the new one starts.
            ["UpdateConfig"] = new JsonObject { ["Parallelism"] = 1, ["FailureAction"] = "rollback", ["Order"] = "stop-first" },
            ["EndpointSpec"] = new JsonObject
            {
                ["Mode"] = "dnsrr",
                ["Ports"] = new JsonArray(Port(80), Port(443)),
            },
        };
        return new DesiredObject(ObjectKind.Service, ServiceName(environment), spec);
    }

    private static JsonObject Port(int port) => new()
    {
        ["Protocol"] = "tcp",
        ["TargetPort"] = port,
        ["PublishedPort"] = port,
        ["PublishMode"] = "host",
    };
}
