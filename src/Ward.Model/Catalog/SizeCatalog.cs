namespace Ward.Model.Catalog;

/// <summary>
/// The node sizes and database tiers an environment may name. Built in from the product's tables, and
/// extendable by configuration (<c>--catalog FILE</c> or <c>WARD_CATALOG</c>), never by the environment file.
/// </summary>
public sealed class SizeCatalog
{
    /// <summary>The size below which a manager is too small for production (NODE-002, NODE-003).</summary>
    public const string MinimumProductionSize = "medium";

    private readonly Dictionary<string, NodeSize> _sizes;
    private readonly Dictionary<string, DatabaseTier> _tiers;

    public SizeCatalog(IEnumerable<NodeSize> sizes, IEnumerable<DatabaseTier> tiers)
    {
        _sizes = sizes.ToDictionary(s => s.Name, StringComparer.Ordinal);
        _tiers = tiers.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>MedStack Control's node sizes (Azure) and the managed-database tiers of the product brief.</summary>
    public static SizeCatalog BuiltIn { get; } = new(
        [
            new NodeSize("small", 1, "B1ms", 1, 2, 30),
            new NodeSize("medium", 2, "B2s", 2, 4, 30),
            new NodeSize("large", 3, "D2s_v3", 2, 8, 30),
            new NodeSize("x-large", 4, "D4s_v3", 4, 16, 30),
        ],
        [
            new DatabaseTier("basic-1", TierFamily.Basic, 1, 2),
            new DatabaseTier("basic-2", TierFamily.Basic, 2, 4),
            new DatabaseTier("general-purpose-2", TierFamily.GeneralPurpose, 2, 10),
            new DatabaseTier("general-purpose-4", TierFamily.GeneralPurpose, 4, 20),
            new DatabaseTier("general-purpose-8", TierFamily.GeneralPurpose, 8, 40),
            new DatabaseTier("general-purpose-16", TierFamily.GeneralPurpose, 16, 80),
            new DatabaseTier("general-purpose-32", TierFamily.GeneralPurpose, 32, 160),
            new DatabaseTier("memory-optimized-2", TierFamily.MemoryOptimized, 2, 20),
            new DatabaseTier("memory-optimized-4", TierFamily.MemoryOptimized, 4, 40),
            new DatabaseTier("memory-optimized-8", TierFamily.MemoryOptimized, 8, 80),
            new DatabaseTier("memory-optimized-16", TierFamily.MemoryOptimized, 16, 160),
        ]);

    public IEnumerable<NodeSize> Sizes => _sizes.Values.OrderBy(s => s.Rank).ThenBy(s => s.Name, StringComparer.Ordinal);

    public IEnumerable<DatabaseTier> Tiers => _tiers.Values.OrderBy(t => t.Family).ThenBy(t => t.VCores);

    public NodeSize? FindSize(string name) => _sizes.GetValueOrDefault(name);

    public DatabaseTier? FindTier(string name) => _tiers.GetValueOrDefault(name);

    public string SizeNames => string.Join(", ", Sizes.Select(s => s.Name));

    public string TierNames => string.Join(", ", Tiers.Select(t => t.Name));

    /// <summary>True when <paramref name="size"/> is at least <paramref name="minimum"/>; unknown sizes are not.</summary>
    public bool IsAtLeast(string size, string minimum) =>
        FindSize(size) is { } s && FindSize(minimum) is { } m && s.Rank >= m.Rank;

    /// <summary>A catalog with these sizes and tiers added; an entry with an existing name replaces it.</summary>
    public SizeCatalog With(IEnumerable<NodeSize> sizes, IEnumerable<DatabaseTier> tiers)
    {
        var mergedSizes = new Dictionary<string, NodeSize>(_sizes, StringComparer.Ordinal);
        foreach (var size in sizes)
        {
            mergedSizes[size.Name] = size;
        }

        var mergedTiers = new Dictionary<string, DatabaseTier>(_tiers, StringComparer.Ordinal);
        foreach (var tier in tiers)
        {
            mergedTiers[tier.Name] = tier;
        }

        return new SizeCatalog(mergedSizes.Values, mergedTiers.Values);
    }
}
