using System.Diagnostics;
using System.Globalization;
using Ward.Model.Catalog;
using Ward.Model.Placement.Capacity;
using Ward.Model.Placement.Simulation;
using Ward.Model.Reading;
using Ward.Model.Spec;

// Placement only: the simulator's Scheduler built over the nodes and services, then PlaceAll. Inputs are made before the
// clock starts; each round starts from a collected heap. Targets (issue 13): 1,000 services x 100 replicas on 5,000
// nodes with a spread preference over a 3-valued label and reservations <= 250 ms (SwarmKit's scheduler: 2.49 s on
// this machine); the clinic <= 20 ms; 1 service x 100,000 replicas on 1,000 nodes (SwarmKit: 0.34 s).
const int WarmUps = 3, Rounds = 10;
var cases = new List<(string Name, ClusterNode[] Nodes, ServiceDemand[] Services, double TargetMs)>
{
    ("1,000 services x 100 replicas, 5,000 nodes, spread over 3 zones, reservations", Nodes(5_000, zones: 3), Services(1_000, 100, spread: true), 250),
    ("1 service x 100,000 replicas, 1,000 nodes", Nodes(1_000, zones: 0), Services(1, 100_000, spread: false), double.NaN),
    ("the clinic (examples/production.yaml): 4 services, 7 tasks, 3 nodes", Clinic.Nodes, Clinic.Services, 20),
};

var met = true;
foreach (var (name, nodes, services, target) in cases)
{
    var times = new List<double>();
    var pending = 0;
    var placed = 0;
    for (var round = 1 - WarmUps; round <= Rounds; round++)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var clock = Stopwatch.StartNew();
        var scheduler = new Scheduler(nodes, services);
        scheduler.PlaceAll();
        var elapsed = clock.Elapsed.TotalMilliseconds;
        pending = scheduler.PendingTasks;
        if (round > 0)
        {
            times.Add(elapsed);
            placed = scheduler.Result().Services.Sum(s => s.Placed);
        }
    }

    times.Sort();
    var median = times[times.Count / 2];
    var verdict = double.IsNaN(target) ? "" : median <= target ? $"; target <= {target} ms: met" : $"; target <= {target} ms: NOT met";
    var precise = median < 1 ? string.Create(CultureInfo.InvariantCulture, $" ({median * 1000:0} µs)") : "";
    met &= double.IsNaN(target) || median <= target;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {placed:N0} tasks placed, {pending} pending; median {median:0.0} ms{precise} (min {times[0]:0.0}, max {times[^1]:0.0}) over {Rounds} rounds{verdict}"));
}

using var process = Process.GetCurrentProcess();
process.Refresh();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak working set: {process.PeakWorkingSet64 / 1048576.0:0} MB; collections gen0/1/2: {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}"));
return met ? 0 : 1;

// x-large nodes (4 vCPU, 16 GB), the first a manager; with zones, label zone cycles over z0, z1, z2.
static ClusterNode[] Nodes(int count, int zones) => [.. Enumerable.Range(0, count).Select(i => new ClusterNode
{
    Name = $"node-{i}",
    Role = i == 0 ? NodeRole.Manager : NodeRole.Worker,
    NanoCpus = 4_000_000_000,
    MemoryBytes = 16L << 30,
    Labels = zones == 0 ? new Dictionary<string, string>() : new Dictionary<string, string> { ["zone"] = $"z{i % zones}" },
})];

static ServiceDemand[] Services(int count, int replicas, bool spread) => [.. Enumerable.Range(0, count).Select(i => new ServiceDemand
{
    Name = $"svc-{i}",
    Replicas = replicas,
    Spread = spread ? ["node.labels.zone"] : [],
    NanoCpus = spread ? 10_000_000 : 0,
    MemoryBytes = spread ? 16L << 20 : 0,
})];

/// <summary>The clinic of examples/production.yaml, read as ward reads it: its nodes at catalog sizes and its services.</summary>
internal static class Clinic
{
    private static readonly EnvironmentCluster Cluster = Read();

    public static ClusterNode[] Nodes => [.. Cluster.Nodes];

    public static ServiceDemand[] Services => [.. Cluster.Services];

    private static EnvironmentCluster Read()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Ward.slnx")))
        {
            directory = directory.Parent;
        }

        var file = Path.Combine(directory?.FullName ?? throw new InvalidOperationException("run the benchmark from the repository"), "examples", "production.yaml");
        var spec = EnvironmentFileReader.Read(file, new ReaderOptions()).Spec ?? throw new InvalidOperationException($"{file} cannot be read");
        return EnvironmentCluster.FromFile(spec, SizeCatalog.BuiltIn)!;
    }
}
