using Ward.Deploying.Balancing;
using Ward.Engine.Observing;
using Ward.Model.Spec;

namespace Ward.Deploying.Alerts;

/// <summary>A rule's condition as it holds now for one subject (a node, a service): what an alert is made from.</summary>
/// <param name="Rule">The rule's id (see <see cref="AlertCatalog"/>).</param>
/// <param name="Subject">What it is about: a node's or a service's name.</param>
/// <param name="Detail">What was seen, for people.</param>
public sealed record AlertCondition(string Rule, string Subject, string Detail)
{
    public string Key => $"{Rule}|{Subject}";
}

/// <summary>
/// The rules that the swarm's own state answers (no metrics needed): a node down, an application task on a manager,
/// a service degraded or failed; and the certificate rule, from the load balancer's certificates and errors. The
/// metric rules (manager CPU, memory, disk; disk filling) and the backup rule need facts this does not read.
/// </summary>
public static class AlertConditions
{
    public static IReadOnlyList<AlertCondition> From(EnvironmentStatusReport status)
    {
        var conditions = new List<AlertCondition>();
        foreach (var node in status.Nodes.Where(n => n.State != "ready"))
        {
            conditions.Add(new("node-down", EnvironmentStatus.NodeName(node), $"the node is {node.State}{(string.IsNullOrEmpty(node.Message) ? "" : $" ({node.Message})")}"));
        }

        var managers = status.Nodes.Where(n => n.Role == "manager").Select(EnvironmentStatus.NodeName).ToHashSet(StringComparer.Ordinal);
        foreach (var service in status.Services)
        {
            var name = Operations.LogReader.ShortName(status.Environment, service.Name);
            var running = $"{service.Running} of {service.Desired} tasks running{(service.LastError is null ? "" : $"; last error: {service.LastError}")}";
            if (service.State == "failed" || (service.Desired > 0 && service.Running == 0 && service.State != "progressing"))
            {
                conditions.Add(new("service-failed", name, running));
            }
            else if (service.State == "degraded")
            {
                conditions.Add(new("service-degraded", name, running));
            }

            // Ward's own load balancer is pinned to the manager: that is where it belongs, not application work.
            var application = name != Ward.Engine.Balancing.LoadBalancerService.Key;
            foreach (var manager in service.Nodes.Where(n => application && managers.Contains(n)).Distinct(StringComparer.Ordinal))
            {
                conditions.Add(new("task-on-manager", $"{name}@{manager}", $"a task of {name} runs on the manager {manager}"));
            }
        }

        return conditions;
    }

    public const string CertificateRule = "certificate-expiring";

    /// <summary>
    /// A domain whose ACME certificate expires within the rule's threshold (days) without having been renewed, or
    /// whose last order or renewal failed: renewal starts 30 days ahead, so either means it has been failing.
    /// </summary>
    public static IReadOnlyList<AlertCondition> FromCertificates(IEnumerable<DomainStatus> domains, AlertsSpec? settings, DateTimeOffset now)
    {
        var days = settings?.Rules.FirstOrDefault(r => r.Rule == CertificateRule)?.Threshold ?? AlertCatalog.Find(CertificateRule)!.Threshold!.Value;
        var conditions = new List<AlertCondition>();
        foreach (var domain in domains.Where(d => d.Authority == "acme"))
        {
            if (domain.Problem(now, TimeSpan.FromDays(days)) is { } problem)
            {
                conditions.Add(new(CertificateRule, domain.Domain, problem));
            }
            else if (domain.LastError is { } error)
            {
                conditions.Add(new(CertificateRule, domain.Domain, $"the last certificate order or renewal failed: {error}"));
            }
        }

        return conditions;
    }
}
