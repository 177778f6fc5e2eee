namespace Ward.Rules;

/// <summary>
/// What stops a deploy before it creates anything: the findings of rules whose descriptor says they block deploys
/// (<see cref="RuleDescriptor.BlocksDeploy"/>), the things the engine or docker stack deploy would refuse part-way.
/// The deploy core calls <see cref="Find"/> on the check it ran and refuses to apply while the list is not empty,
/// whatever the profile, waivers or --force.
/// </summary>
public static class DeployBlockers
{
    /// <summary>The blocking findings of a check, in the check's order (most severe, then file order).</summary>
    public static IReadOnlyList<Finding> Find(CheckResult result) => [.. result.Findings.Where(f => IsBlocking(f.Rule))];

    /// <summary>Whether findings of the rule with this id block deploys.</summary>
    public static bool IsBlocking(string ruleId) => RuleCatalog.Find(ruleId)?.Descriptor.BlocksDeploy == true;
}
