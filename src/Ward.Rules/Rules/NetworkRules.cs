using Ward.Model.Diagnostics;
using Ward.Model.Spec;

namespace Ward.Rules.Rules;

/// <summary>NET-001: overlay traffic between nodes is encrypted.</summary>
public sealed class EncryptedOverlayRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "NET-001",
        Title = "Overlay networks are encrypted",
        Severity = Severity.Warning,
        Why = "Application traffic between nodes crosses the overlay unencrypted by default, and the stack's default network is created without encryption. In healthcare that traffic carries patient data.",
        Fix = "Declare the networks services use with encryption:\n  networks:\n    backend:\n      driver: overlay\n      driver_opts: { encrypted: \"true\" }\nand attach every service to one (services without `networks:` use the unencrypted default). Waive with a reason if the IPsec cost is not acceptable.",
        Source = "CIS Docker Benchmark 7.3; Docker networking \"Configure encryption of application data\".",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var network in context.Spec.Networks.Where(n => !n.External && n.Driver is null or "overlay" && !n.Encrypted))
        {
            yield return Report(Paths.Under("networks", network.Key), $"network {network.Key} carries traffic between nodes unencrypted", subject: $"network {network.Key}");
        }

        foreach (var service in context.Spec.Services.Where(s => s.Networks.Count == 0))
        {
            yield return Report(PathOf(service, "networks"), $"service {service.Name} uses the stack's default network, which is not encrypted", subject: $"service {service.Name}");
        }
    }
}

/// <summary>NET-002: services are segmented.</summary>
public sealed class SegmentationRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "NET-002",
        Title = "Networks separate the edge from the data",
        Severity = Severity.Info,
        Why = "When the public-facing services and the databases share one network, a compromised front end reaches the database directly.",
        Fix = "Put edge services on a front network and databases on a back network; only the services in between join both.",
        Source = "KICS networks_not_set; CIS Docker Benchmark 5.30; Docker networking.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        var edge = context.Spec.Services.Where(s => ServiceFacts.IsEdge(s, context.Spec) || s.Ports.Count > 0).ToList();
        foreach (var database in context.Spec.Services.Where(s => ServiceFacts.IsDatabaseLike(s, context.Spec)))
        {
            var networks = NetworksOf(database);
            var shared = edge.Where(e => e.Name != database.Name && NetworksOf(e).Overlaps(networks)).Select(e => e.Name).ToList();
            if (shared.Count > 0)
            {
                yield return Report(PathOf(database, "networks"), $"database {database.Name} shares a network with the public-facing {string.Join(", ", shared)}", subject: $"service {database.Name}");
            }
        }
    }

    private static HashSet<string> NetworksOf(ServiceSpec service) =>
        service.Networks.Count == 0 ? ["default"] : service.Networks.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
}

/// <summary>NET-003: only edge services publish ports.</summary>
public sealed class PublishedPortsRule : Rule
{
    private const int PrivilegedPortLimit = 1024;

    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "NET-003",
        Title = "Only edge services publish ports",
        Severity = Severity.Warning,
        Why = "Every published port is open on every node (or on the node in host mode): each one is a way in. Public traffic belongs behind the load balancer on the manager; internal services talk over the overlay.",
        Fix = "Remove `ports:` from internal services. A service meant to take public traffic is named by a domain in x-ward.domains or labelled ward.edge=true; ports below 1024 belong to the load balancer.",
        Source = "CIS Docker Benchmark 5.8, 5.9; KICS privileged_ports_mapped_in_container; Docker networking.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services.Where(s => s.Ports.Count > 0 && !context.IsPlatformService(s)))
        {
            if (ServiceFacts.IsDatabaseLike(service, context.Spec))
            {
                continue; // DB-002 reports databases, as an error.
            }

            var edge = ServiceFacts.IsEdge(service, context.Spec);
            var published = service.Ports.Select(p => p.Published ?? p.Target).ToList();
            if (!edge)
            {
                yield return Report(PathOf(service, "ports"), $"service {service.Name} publishes {string.Join(", ", published)} but is not an edge service (no domain names it)", subject: $"service {service.Name}");
            }
            else if (published.FirstOrDefault(p => p < PrivilegedPortLimit) is > 0 and var low)
            {
                yield return Report(PathOf(service, "ports"), $"edge service {service.Name} publishes the privileged port {low}; ports below 1024 belong to the load balancer", subject: $"service {service.Name}", value: $"{low}");
            }
        }
    }
}
