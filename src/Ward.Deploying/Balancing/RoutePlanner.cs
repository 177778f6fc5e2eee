using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Ward.Deploying.Loading;
using Ward.Engine.Balancing;
using Ward.Engine.Desired;
using Ward.Engine.Ports;
using Ward.Model.Spec;

namespace Ward.Deploying.Balancing;

/// <summary>
/// What the file's domains ask of the load balancer: a route per domain (to the service's tasks on its port, under
/// its path prefix, with its redirects), the TLS each one asks for, and the load balancer's own service on the
/// networks of the routed services.
/// </summary>
public static class RoutePlanner
{
    /// <summary>The port a domain goes to: the one it names, else the service's only published target port.</summary>
    public static int? PortOf(DomainSpec domain, ServiceSpec? service)
    {
        if (domain.Port is { } port)
        {
            return port;
        }

        var targets = (service?.Ports.Select(p => p.Target) ?? []).Distinct().ToList();
        return targets.Count == 1 ? targets[0] : null;
    }

    /// <summary>The load balancer's service added to the file's objects when there are domains (none otherwise).</summary>
    public static IReadOnlyList<DesiredObject> WithLoadBalancer(EnvironmentSpec spec, IReadOnlyList<DesiredObject> objects)
    {
        if (spec.Domains.Count == 0)
        {
            return objects;
        }

        var routed = spec.Domains.Select(d => StackNames.Scoped(spec.Name, d.Service)).ToHashSet(StringComparer.Ordinal);
        var networks = objects
            .Where(o => o.Kind == ObjectKind.Service && routed.Contains(o.Name))
            .SelectMany(o => (o.Spec["TaskTemplate"]?["Networks"] as JsonArray ?? []).Select(n => n?["Target"]?.GetValue<string>()))
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        return [.. objects, LoadBalancerService.Desire(spec.Name, networks)];
    }

    /// <summary>The routes as the file asks, before readiness: each ACME domain as ready (the sync decides for real).</summary>
    public static IReadOnlyList<Route> Routes(EnvironmentSpec spec, Func<DomainSpec, RouteTls> tls)
    {
        var hsts = spec.LoadBalancer?.Hsts;
        return [.. spec.Domains.Select(d =>
        {
            var mode = tls(d);
            return new Route(
                d.Name,
                StackNames.Scoped(spec.Name, d.Service),
                PortOf(d, spec.FindService(d.Service)) ?? 80,
                d.Path,
                d.Redirects,
                mode,
                hsts ?? (spec.Kind == EnvironmentKind.Production && mode == RouteTls.Acme));
        })];
    }

    /// <summary>The TLS a domain asks for: as written, else ACME in production and the internal authority in staging.</summary>
    public static RouteTls WantedTls(EnvironmentSpec spec, DomainSpec domain) => domain.Tls switch
    {
        DomainTls.Internal => RouteTls.Internal,
        DomainTls.Acme => RouteTls.Acme,
        _ => spec.Kind == EnvironmentKind.Production ? RouteTls.Acme : RouteTls.Internal,
    };

    /// <summary>The load balancer's settings for an environment: its ACME directory and root, and its probe token.</summary>
    public static BalancerSettings Settings(LoadedEnvironment environment)
    {
        var balancer = environment.Spec.LoadBalancer;
        var root = balancer?.AcmeCaRoot is { } file ? File.ReadAllText(Path.Combine(environment.Source.Directory, file)) : null;
        return new BalancerSettings(balancer?.AcmeDirectory ?? BalancerSettings.LetsEncrypt, balancer?.AcmeEmail, root, ProbeToken(environment.Name));
    }

    /// <summary>Not a secret: it tells this environment's load balancer from any other server a domain might reach.</summary>
    public static string ProbeToken(string environment) =>
        "ward-probe-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(environment)))[..16];
}
