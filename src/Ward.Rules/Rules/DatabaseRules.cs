using Ward.Model.Catalog;
using Ward.Model.Diagnostics;

namespace Ward.Rules.Rules;

/// <summary>DB-001: production databases are general purpose (or memory optimised), never basic.</summary>
public sealed class DatabaseTierRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "DB-001",
        Title = "Production databases are general purpose",
        Severity = Severity.Error,
        Scope = RuleScope.ProductionOnly,
        Why = "Basic (burstable) tiers run out of CPU credits under sustained load, and the database then slows everything. General purpose tiers give steady CPU and 5 GB per vCore. A database Ward hosts on the cluster also lacks a managed service's backups and point-in-time restore, which is noted.",
        Fix = "Use `tier: general-purpose-2` or larger (or memory-optimized-*) for every production database.",
        Source = "MedStack Go to Production: \"(2) general purpose tier databases\".",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        for (var i = 0; i < context.Spec.Databases.Count; i++)
        {
            var database = context.Spec.Databases[i];
            if (context.Catalog.FindTier(database.Tier) is { Family: TierFamily.Basic } tier)
            {
                yield return Report(
                    Paths.Ward("databases", i, "tier"),
                    $"database {database.Name} uses the basic tier {tier.Name} ({tier.VCores} vCore, {tier.MemoryGb:0.#} GB); production needs general-purpose-2 or larger",
                    subject: $"database {database.Name}",
                    value: $"tier: {database.Tier}");
            }

            if (database.External is null)
            {
                yield return Report(
                    Paths.Ward("databases", i),
                    $"database {database.Name} runs on the cluster: make sure its backups and restore are rehearsed (SWO-001), or use a managed database (external:)",
                    Severity.Info,
                    $"database {database.Name}");
            }
        }
    }
}

/// <summary>DB-002: databases publish no ports.</summary>
public sealed class DatabasePortsRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "DB-002",
        Title = "Databases publish no ports",
        Severity = Severity.Error,
        Why = "Services reach a database over the overlay network without publishing anything. A published port is open on every node (routing mesh) or on its host, exposing the database beyond the cluster.",
        Fix = "Remove `ports:` from the database service; connect from other services by the service name on a shared network.",
        Source = "Docker networking (\"you do not need to publish the MySQL port\"); Docker services (routing mesh); CIS Docker Benchmark 5.9.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context) => context.Spec.Services
        .Where(s => s.Ports.Count > 0 && ServiceFacts.IsDatabaseLike(s, context.Spec))
        .Select(s => Report(
            PathOf(s, "ports"),
            $"database service {s.Name} publishes {string.Join(", ", s.Ports.Select(p => p.Published is { } published ? $"{published}->{p.Target}" : $"{p.Target}"))}",
            subject: $"service {s.Name}"));
}
