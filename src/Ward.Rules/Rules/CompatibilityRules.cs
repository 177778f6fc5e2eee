using Ward.Model.Compose;
using Ward.Model.Diagnostics;
using Ward.Model.Spec;

namespace Ward.Rules.Rules;

/// <summary>
/// CMP-002: what makes <c>docker stack deploy</c> abort. Forbidden keys make the file unreadable (the CLI refuses
/// it; the reader reports them under this id); an undeclared network, or a value the CLI cannot convert (a mode it
/// does not know, options of another mount type, replicas on a global service...), reads but cannot deploy. (A
/// missing or invalid image is ENG-001's.)
/// </summary>
public sealed class DeployBlockerRule : ReaderDiagnosticRule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "CMP-002",
        Title = "docker stack deploy refuses this",
        Severity = Severity.Error,
        BlocksDeploy = true,
        Why = "The deploy aborts, and docker stack deploy has by then created the networks: resource settings belong under deploy.resources, keys such as extends, volume_driver, volumes_from, mem_limit and cpu_shares are refused outright, and a service that joins an undeclared network or uses an undeclared secret or config, uses a mode, restart policy or CPU count the CLI cannot read, sets replicas on a global service, or gives a mount options of another type cannot be converted.",
        Fix = "Move mem_limit, cpu_shares, cpu_quota and cpuset to deploy.resources.limits/reservations; declare volumes under the top-level `volumes:` instead of volume_driver or volumes_from; write extended services out in full; declare every network, secret and config a service uses; fix the value the finding names.",
        Source = "docker/cli cli/compose/types (ForbiddenProperties); cli/compose/convert (\"undefined network\", \"undefined secret\", \"Unknown mode\", \"replicas can only be used with replicated or replicated-job mode\", \"unknown restart policy\", \"options are incompatible with type\").",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var finding in base.Evaluate(context))
        {
            yield return finding;
        }

        var networks = context.Spec.Networks.Select(n => n.Key).Append("default").ToHashSet(StringComparer.Ordinal);
        var secrets = context.Spec.Secrets.Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        var configs = context.Spec.Configs.Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var service in context.Spec.Services)
        {
            foreach (var network in service.Networks.Where(n => !networks.Contains(n.Name) && n.Name != "host"))
            {
                yield return Report(PathOf(service, "networks"), $"service '{service.Name}' joins the network '{network.Name}', which the top-level networks do not declare; docker stack deploy refuses it", subject: $"service {service.Name}", value: network.Name);
            }

            foreach (var (section, declared, references) in new[] { ("secrets", secrets, service.Secrets), ("configs", configs, service.Configs) })
            {
                for (var i = 0; i < references.Count; i++)
                {
                    if (!declared.Contains(references[i].Source))
                    {
                        yield return Report(PathOf(service, section) + $"[{i}]", $"service '{service.Name}' uses the {section.TrimEnd('s')} '{references[i].Source}', which the top-level {section} do not declare; docker stack deploy refuses it", subject: $"service {service.Name}", value: references[i].Source);
                    }
                }
            }
        }
    }
}

/// <summary>CMP-004: a bind source under ~ depends on who deploys.</summary>
public sealed class HomeBindSourceRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "CMP-004",
        Title = "Bind source depends on HOME",
        Severity = Severity.Warning,
        Why = "docker stack deploy, and Ward with it, replaces a leading ~ in a bind source by the HOME of whoever deploys (/root for root, ~user/x becomes /rootuser/x), and without HOME reads ~ as a folder of that name next to the file. The same file then mounts different host paths depending on who runs the deploy and from where.",
        Fix = "Write the absolute host path, e.g. `/srv/clinic/data:/data`, or use a named volume.",
        Source = "docker/cli cli/compose/loader expandUser (\"cannot expand '~', because the environment lacks HOME\"); checked with docker stack config 28.2.2.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            foreach (var (mount, path) in Mounts.Of(service).Where(m => m.Mount.Type == MountType.Bind && m.Mount.Source is { } source && HostPaths.DependsOnHome(source)))
            {
                yield return Report(path, $"service {service.Name} binds '{mount.Source}', which depends on the HOME of whoever deploys (or, without HOME, on a folder named ~ next to the file)", subject: $"service {service.Name}", value: mount.Source);
            }
        }
    }
}
