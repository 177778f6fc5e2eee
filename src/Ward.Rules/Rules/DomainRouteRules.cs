using Ward.Model.Diagnostics;

namespace Ward.Rules.Rules;

/// <summary>
/// NET-004: the load balancer can reach each domain's service on the port the domain goes to. The load balancer joins
/// the routed services' overlay networks and sends each request to a task's address on that port (tasks.SERVICE:PORT);
/// a port it has to guess, a port the service does not serve, or a service outside the overlay answers nothing, and
/// only a visitor would notice.
/// </summary>
public sealed class DomainRouteRule : Rule
{
    /// <summary>The port a route goes to when a domain names none and its service publishes no single one.</summary>
    private const int FallbackPort = 80;

    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "NET-004",
        Title = "Each domain reaches its service's port over the overlay",
        Severity = Severity.Error,
        Why = "Ward's load balancer joins the overlay networks of the services the domains name and sends each request to a task's address on the domain's port. A domain without a port whose service publishes none or several is routed to port 80 by guess; a port the service does not publish (when it publishes others) is most likely a typo; a service on the host network is not on any overlay the load balancer can join. Each of these deploys cleanly and then answers every visitor with 502.",
        Fix = "Give the domain the port the service listens on (x-ward.domains[].port), one of the targets in its `ports:` when it has any, and keep the service on overlay networks (no `network_mode: host` or host network).",
        Source = "Ward's load balancer (docs/reference/load-balancer.md); Docker networking: services reach each other's tasks only over networks they share.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        for (var i = 0; i < context.Spec.Domains.Count; i++)
        {
            var domain = context.Spec.Domains[i];

            // A domain naming a missing service is the reader's error, reported once there.
            if (context.Spec.FindService(domain.Service) is not { } service)
            {
                continue;
            }

            var subject = $"domain {domain.Name}";
            if (ServiceFacts.HostNetworkOf(service, context.Spec) is { } host)
            {
                yield return Report(Paths.Ward("domains", i, "service"), $"{domain.Name} goes to service {service.Name}, which is on the host network ({host.Name}): the load balancer reaches services over overlay networks only", subject: subject, value: service.Name);
                continue;
            }

            var targets = service.Ports.Select(p => p.Target).Distinct().Order().ToList();
            if (domain.Port is not { } port)
            {
                if (targets.Count != 1)
                {
                    var published = targets.Count == 0 ? "publishes no port" : $"publishes several ({string.Join(", ", targets)})";
                    yield return Report(Paths.Ward("domains", i), $"{domain.Name} names no port and service {service.Name} {published}: the route would go to port {FallbackPort} by guess", subject: subject);
                }
            }
            else if (targets.Count > 0 && !targets.Contains(port))
            {
                yield return Report(Paths.Ward("domains", i, "port"), $"{domain.Name} goes to port {port} of service {service.Name}, which publishes {string.Join(", ", targets)} and not {port}", subject: subject, value: port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }
}
