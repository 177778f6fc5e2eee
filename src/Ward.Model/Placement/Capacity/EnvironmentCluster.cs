using Ward.Model.Catalog;
using Ward.Model.Placement.Simulation;
using Ward.Model.Spec;

namespace Ward.Model.Placement.Capacity;

/// <summary>
/// The nodes and services a capacity plan places: from the environment file (x-ward.nodes at their catalog sizes), or
/// from a live swarm (its nodes' real resources, and the tasks other stacks already run there).
/// </summary>
public sealed record EnvironmentCluster(IReadOnlyList<ClusterNode> Nodes, IReadOnlyList<ServiceDemand> Services, SizeCatalog Catalog)
{
    /// <summary>Tasks already on the nodes that are not the environment's (a live swarm's other stacks).</summary>
    public IReadOnlyList<ExistingTask> Existing { get; init; } = [];

    /// <summary>Where the nodes come from, for people: "the file's nodes" or "the swarm at unix:///...".</summary>
    public string Source { get; init; } = "the file's nodes";

    /// <summary>
    /// The file's cluster: each node at its catalog size, every service as it asks. Null when the file describes no
    /// nodes, or names a size the catalog does not have (there is then nothing to measure against).
    /// </summary>
    public static EnvironmentCluster? FromFile(EnvironmentSpec spec, SizeCatalog catalog)
    {
        if (spec.Nodes.Count == 0)
        {
            return null;
        }

        var nodes = new List<ClusterNode>(spec.Nodes.Count);
        foreach (var node in spec.Nodes)
        {
            if (catalog.FindSize(node.Size) is not { } size)
            {
                return null;
            }

            nodes.Add(Node(node.Name, size, node.Role, node.Labels) with { Availability = node.Availability, Address = node.Address });
        }

        return new EnvironmentCluster(nodes, ServicesOf(spec, catalog), catalog);
    }

    /// <summary>
    /// What each of the file's services asks of the scheduler, in file order, then what Ward adds for the databases it
    /// hosts. A service that runs a database Ward hosts asks what its tier reserves (Ward sets those reservations when
    /// it deploys it), not what the file says.
    /// </summary>
    public static IReadOnlyList<ServiceDemand> ServicesOf(EnvironmentSpec spec, SizeCatalog catalog) =>
        [.. spec.Services.Select(s => TierReservation(spec, s, catalog) is { } tier ? ServiceDemand.From(s, spec) with
        {
            NanoCpus = ServiceDemand.NanoCpusOf(tier.ReservedCpus),
            MemoryBytes = tier.ReservedMemoryBytes,
        } : ServiceDemand.From(s, spec)),
        .. AddedForDatabases(spec, catalog)];

    /// <summary>
    /// The services Ward adds for the PostgreSQL databases it hosts: the database's own when the file names none
    /// (<c>service:</c>), at its tier's reservation, and each backup repository. Both keep their data on their node.
    /// </summary>
    private static IEnumerable<ServiceDemand> AddedForDatabases(EnvironmentSpec spec, SizeCatalog catalog)
    {
        foreach (var database in spec.Databases.Where(d => d.IsHosted && d.Engine == DatabaseEngine.Postgres))
        {
            if (database.Service is null && catalog.FindTier(database.Tier) is { } tier)
            {
                var sizing = new DatabaseSizing(tier);
                yield return new ServiceDemand
                {
                    Name = database.Name,
                    Constraints = Eligibility.Parse(database.Placement),
                    NanoCpus = ServiceDemand.NanoCpusOf(sizing.ReservedCpus),
                    MemoryBytes = sizing.ReservedMemoryBytes,
                    KeepsDataOnNode = true,
                };
            }

            if (database.Backups is { } backups)
            {
                yield return new ServiceDemand
                {
                    Name = database.RepositoryService,
                    Constraints = Eligibility.Parse(backups.Placement),
                    NanoCpus = BackupRepositorySizing.ReservedNanoCpus,
                    MemoryBytes = BackupRepositorySizing.ReservedMemoryBytes,
                    KeepsDataOnNode = true,
                };
            }
        }
    }

    private static DatabaseSizing? TierReservation(EnvironmentSpec spec, ServiceSpec service, SizeCatalog catalog) =>
        spec.Databases.FirstOrDefault(d => d.IsHosted && d.Service == service.Name) is { } database && catalog.FindTier(database.Tier) is { } tier
            ? new DatabaseSizing(tier)
            : null;

    /// <summary>A ready, active node of a catalog size.</summary>
    public static ClusterNode Node(string name, NodeSize size, NodeRole role, IEnumerable<KeyValuePair<string, string>> labels) => new()
    {
        Name = name,
        Role = role,
        NanoCpus = ServiceDemand.NanoCpusOf(size.Vcpu),
        MemoryBytes = size.MemoryBytes,
        Labels = labels.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal),
        Size = size.Name,
        Hostname = name,
    };

    public ClusterNode? FindNode(string name) => Nodes.FirstOrDefault(n => n.Name == name);

    public ServiceDemand? FindService(string name) => Services.FirstOrDefault(s => s.Name == name);
}
