using Ward.Model.Diagnostics;

namespace Ward.Rules.Rules;

/// <summary>
/// CMP-002: what makes <c>docker stack deploy</c> abort. Forbidden keys make the file unreadable (the CLI refuses
/// it; the reader reports them under this id); a service without an image, or a value the engine refuses, reads
/// but cannot deploy.
/// </summary>
public sealed class DeployBlockerRule : ReaderDiagnosticRule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "CMP-002",
        Title = "docker stack deploy refuses this",
        Severity = Severity.Error,
        Why = "The deploy aborts: stacks accept only pre-built images, resource settings belong under deploy.resources, and keys such as extends, volume_driver, volumes_from, mem_limit and cpu_shares are refused outright.",
        Fix = "Give every service an `image:`; move mem_limit, cpu_shares, cpu_quota and cpuset to deploy.resources.limits/reservations; declare volumes under the top-level `volumes:` instead of volume_driver or volumes_from; write extended services out in full.",
        Source = "docker/cli cli/compose/types (ForbiddenProperties); stack deploy convert (\"no image specified\").",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var finding in base.Evaluate(context))
        {
            yield return finding;
        }

        var networks = context.Spec.Networks.Select(n => n.Key).Append("default").ToHashSet(StringComparer.Ordinal);
        foreach (var service in context.Spec.Services)
        {
            foreach (var network in service.Networks.Where(n => !networks.Contains(n.Name) && n.Name != "host"))
            {
                yield return Report(PathOf(service, "networks"), $"service '{service.Name}' joins the network '{network.Name}', which the top-level networks do not declare; docker stack deploy refuses it", subject: $"service {service.Name}", value: network.Name);
            }

            if (string.IsNullOrWhiteSpace(service.Image))
            {
                yield return Report(
                    PathOf(service),
                    $"service '{service.Name}' has no image; docker stack deploy refuses a service without one",
                    subject: $"service {service.Name}");
            }
        }
    }
}
