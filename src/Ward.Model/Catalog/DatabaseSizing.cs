using System.Globalization;

namespace Ward.Model.Catalog;

/// <summary>
/// What a database tier means on the swarm: the service's limits and reservations, and PostgreSQL's memory and
/// parallelism settings, derived from the tier's vCores and memory alone (so the plan, the check and the running
/// database agree).
/// </summary>
/// <remarks>
/// Limits are the tier. Memory is reserved whole: the buffers and caches sized from it must fit on the node, and an
/// overcommitted database is the first process the kernel kills. CPU is reserved at half the vCores: Swarm's CPU
/// reservation only steers scheduling, and a database's CPU use comes in bursts that the limit still allows.
/// The settings follow the usual rules of thumb: shared_buffers a quarter of the memory, effective_cache_size three
/// quarters, maintenance_work_mem a sixteenth (at most 2 GB), 25 connections per GB (50 to 5,000), and work_mem what
/// is left after shared_buffers spread over three sorts per connection (at least 4 MB).
/// </remarks>
public sealed record DatabaseSizing(DatabaseTier Tier)
{
    private const long Mebibyte = 1024 * 1024;

    public long MemoryBytes => (long)(Tier.MemoryGb * 1024 * Mebibyte);

    public double LimitCpus => Tier.VCores;

    public double ReservedCpus => Tier.VCores / 2.0;

    public long ReservedMemoryBytes => MemoryBytes;

    /// <summary>The size of the tmpfs at /dev/shm (PostgreSQL's parallel queries share memory there; Docker gives 64 MB).</summary>
    public long SharedMemoryBytes => Math.Clamp(MemoryBytes / 8, 64 * Mebibyte, 2048 * Mebibyte);

    public int MaxConnections => (int)Math.Clamp(Math.Round(Tier.MemoryGb * 25), 50, 5000);

    public long SharedBuffersMb => MemoryBytes / 4 / Mebibyte;

    /// <summary>The PostgreSQL settings, in the order the plan shows them.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Settings
    {
        get
        {
            var memoryMb = MemoryBytes / Mebibyte;
            var workMemMb = Math.Max(4, (memoryMb - SharedBuffersMb) / (MaxConnections * 3L));
            var parallel = Math.Max(1, Tier.VCores / 2);
            return
            [
                Setting("shared_buffers", $"{SharedBuffersMb}MB"),
                Setting("effective_cache_size", $"{memoryMb * 3 / 4}MB"),
                Setting("work_mem", $"{workMemMb}MB"),
                Setting("maintenance_work_mem", $"{Math.Min(2048, memoryMb / 16)}MB"),
                Setting("max_connections", MaxConnections.ToString(CultureInfo.InvariantCulture)),
                Setting("max_worker_processes", Math.Max(8, Tier.VCores).ToString(CultureInfo.InvariantCulture)),
                Setting("max_parallel_workers", Tier.VCores.ToString(CultureInfo.InvariantCulture)),
                Setting("max_parallel_workers_per_gather", parallel.ToString(CultureInfo.InvariantCulture)),
                Setting("max_parallel_maintenance_workers", parallel.ToString(CultureInfo.InvariantCulture)),
            ];
        }
    }

    /// <summary>Whether a node of this size can hold the database's reservations.</summary>
    public bool FitsOn(NodeSize size) => size.MemoryBytes >= ReservedMemoryBytes && size.Vcpu >= ReservedCpus;

    /// <summary>For people: "general-purpose-2: 2 vCore, 10 GB".</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Tier.Name} ({Tier.VCores} vCore, {Tier.MemoryGb:0.#} GB)");

    private static KeyValuePair<string, string> Setting(string name, string value) => new(name, value);
}

/// <summary>
/// What a database's backup repository (pgBackRest's, one task beside its storage) reserves and may use: it archives
/// WAL and moves backups, mostly waiting on disk and network, so it reserves little and is capped at one core and 1 GB.
/// The plan and the capacity view count it with these figures, so they must be the service's.
/// </summary>
public static class BackupRepositorySizing
{
    public const long ReservedNanoCpus = 100_000_000;

    public const long ReservedMemoryBytes = 128L * 1024 * 1024;

    public const long LimitNanoCpus = 1_000_000_000;

    public const long LimitMemoryBytes = 1024L * 1024 * 1024;
}
