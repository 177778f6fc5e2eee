namespace Ward.Model.Catalog;

/// <summary>A named node size. <paramref name="Rank"/> orders sizes ("at least medium").</summary>
public sealed record NodeSize(string Name, int Rank, string? CloudSize, double Vcpu, double MemoryGb, double DiskGb)
{
    public long MemoryBytes => (long)(MemoryGb * 1024 * 1024 * 1024);
}

/// <summary>The family of a database tier; only general purpose (or larger) is fit for production.</summary>
public enum TierFamily
{
    Basic,
    GeneralPurpose,
    MemoryOptimized,
}

/// <summary>A named database tier.</summary>
public sealed record DatabaseTier(string Name, TierFamily Family, int VCores, double MemoryGb);
