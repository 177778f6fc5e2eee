using System.Collections.Concurrent;
using Ward.Model.Catalog;
using Ward.Model.Diagnostics;
using Ward.Model.Placement;
using Ward.Model.Placement.Capacity;
using Ward.Model.Placement.Simulation;
using Ward.Model.Spec;

namespace Ward.Rules;

/// <summary>Facts that only a live cluster or DNS can give; absent when Ward is not connected.</summary>
public interface ILiveFacts
{
    /// <summary>The size in bytes of an image on the cluster's nodes, or null when unknown.</summary>
    long? ImageSize(string image);

    /// <summary>The A records of a domain, or null when it could not be resolved.</summary>
    IReadOnlyList<string>? ResolveA(string domain);

    /// <summary>Since when Ward has seen the domain's A record point at the manager (the control plane's observations); null when it has not, or does not keep them.</summary>
    DateTimeOffset? MappedSince(string domain) => null;

    /// <summary>The certificate the load balancer holds for the domain, or null when unknown.</summary>
    DomainCertificate? Certificate(string domain) => null;

    /// <summary>The migration rehearsals Ward ran and recorded for a database, newest first; null when Ward did not look.</summary>
    IReadOnlyList<ObservedRehearsal>? Rehearsals(string database) => null;
}

/// <summary>A migration rehearsal as Ward ran and recorded it (<c>ward db rehearse</c>), as SWO-001 judges it.</summary>
/// <param name="At">When it ended.</param>
/// <param name="Source">The database it dumped (user@host:port/database).</param>
/// <param name="Verified">Whether the restored copy matched the source.</param>
/// <param name="Problem">The first difference, or why it could not run, when it did not verify.</param>
/// <param name="SourceBytes">The source's size.</param>
/// <param name="TotalSeconds">Dump, restore and verification, end to end.</param>
public sealed record ObservedRehearsal(DateTimeOffset At, string Source, bool Verified, string? Problem, long SourceBytes, double TotalSeconds);

/// <summary>A domain's certificate as the load balancer holds it.</summary>
/// <param name="Issuer">Who signed it.</param>
/// <param name="NotAfter">Until when it is valid.</param>
/// <param name="Acme">It comes from an ACME authority (the load balancer's own renews itself every few hours).</param>
/// <param name="LastError">The last error ordering or renewing it, if any.</param>
public sealed record DomainCertificate(string Issuer, DateTimeOffset NotAfter, bool Acme, string? LastError);

/// <summary>Everything a rule may look at. Rules are pure functions of this.</summary>
public sealed class RuleContext
{
    // Rules run in parallel (see Checker.Run): the caches they share are concurrent.
    private readonly ConcurrentDictionary<string, List<Constraint>> _constraints = new(StringComparer.Ordinal);

    // Services share a few constraint sets; each set's eligible nodes are worked out once (keyed by the constraints' text).
    private readonly ConcurrentDictionary<string, IReadOnlyList<NodeSpec>> _eligible = new(StringComparer.Ordinal);

    // And each service's set is found once, not once per rule that asks (by reference: a spec's own equality compares it whole).
    private readonly ConcurrentDictionary<ServiceSpec, IReadOnlyList<NodeSpec>> _eligibleByService = new(ReferenceEqualityComparer.Instance);

    // The file's cluster and where Swarm would put every task: worked out once, by the first capacity rule that asks.
    private readonly Lazy<(EnvironmentCluster Cluster, Scheduler Scheduler, PlacementResult Placement)?> _capacity;
    private int _schedulerTaken;

    public RuleContext(EnvironmentSpec spec, SizeCatalog catalog, EnvironmentKind profile, DateTimeOffset now, RuleOptions? options = null)
    {
        _capacity = new(() =>
        {
            if (EnvironmentCluster.FromFile(spec, catalog) is not { } cluster)
            {
                return null;
            }

            var scheduler = CapacityPlanner.Place(cluster);
            return (cluster, scheduler, scheduler.Result());
        });
        Spec = spec;
        Catalog = catalog;
        Profile = profile;
        Now = now;
        Options = options ?? new RuleOptions();
        Managers = [.. spec.Nodes.Where(n => n.Role == NodeRole.Manager)];
        Workers = [.. spec.Nodes.Where(n => n.Role == NodeRole.Worker)];
    }

    public EnvironmentSpec Spec { get; }

    public SizeCatalog Catalog { get; }

    /// <summary>The effective profile: <c>--profile</c> if given, else <c>x-ward.environment.kind</c>.</summary>
    public EnvironmentKind Profile { get; }

    public bool IsProduction => Profile == EnvironmentKind.Production;

    public DateTimeOffset Now { get; }

    public RuleOptions Options { get; }

    /// <summary>Diagnostics from reading the file (CMP-001/002/003 rules report them as findings).</summary>
    public IReadOnlyList<Diagnostic> ReaderDiagnostics { get; init; } = [];

    public ILiveFacts? Live { get; init; }

    /// <summary>Secret and config source files; null when the rules may not read files (their content checks are then skipped).</summary>
    public ISideFiles? Files { get; init; }

    public IReadOnlyList<NodeSpec> Managers { get; }

    public IReadOnlyList<NodeSpec> Workers { get; }

    /// <summary>The file's nodes at their catalog sizes and its services; null without nodes, or with a size the catalog lacks.</summary>
    public EnvironmentCluster? Cluster => _capacity.Value?.Cluster;

    /// <summary>Where Swarm's scheduler would put every task of the file on its nodes (null as <see cref="Cluster"/>).</summary>
    public PlacementResult? Placement => _capacity.Value?.Placement;

    /// <summary>
    /// A scheduler holding <see cref="Placement"/>, for one rule to try what-ifs on (each undone with Rollback): the
    /// context's own to the first rule that asks, which saves placing everything again, and a fresh one to any other.
    /// </summary>
    public Scheduler? PlacedScheduler()
    {
        if (_capacity.Value is not { } capacity)
        {
            return null;
        }

        return Interlocked.Exchange(ref _schedulerTaken, 1) == 0 ? capacity.Scheduler : CapacityPlanner.Place(capacity.Cluster);
    }

    /// <summary>The parsed placement constraints of a service (cached; invalid ones left out).</summary>
    public IReadOnlyList<Constraint> ConstraintsOf(ServiceSpec service) =>
        _constraints.GetOrAdd(service.Name, static (_, s) => Eligibility.Parse(s.Deploy.Placement.Constraints), service);

    /// <summary>The file's nodes where the service's tasks may run.</summary>
    public IReadOnlyList<NodeSpec> EligibleNodes(ServiceSpec service) =>
        _eligibleByService.GetOrAdd(service, static (s, context) => context.EligibleNodesOfSet(s), this);

    private IReadOnlyList<NodeSpec> EligibleNodesOfSet(ServiceSpec service) =>
        _eligible.GetOrAdd(
            string.Join('\n', service.Deploy.Placement.Constraints),
            static (_, state) => Eligibility.EligibleNodes(state.Context.Spec.Nodes, state.Context.ConstraintsOf(state.Service)),
            (Context: this, Service: service));

    /// <summary>Whether the service is a platform service Ward runs itself (exempt from some rules).</summary>
    public bool IsPlatformService(ServiceSpec service) =>
        service.Labels.ContainsKey(Options.PlatformLabel) || service.Deploy.Labels.ContainsKey(Options.PlatformLabel);
}
