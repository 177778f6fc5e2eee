using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Ward.Bench.Check;
using Ward.Model.Catalog;
using Ward.Model.Compose;
using Ward.Model.Compose.Schema;
using Ward.Model.Diagnostics;
using Ward.Model.Reading;
using Ward.Model.Spec;
using Ward.Model.Yaml;
using Ward.Rules;

// Reads and checks a generated environment of 5,000 services and 50 nodes in-process: warm-up rounds, then measured ones.
// Target (issue 2): read + check <= 300 ms, peak memory <= 300 MB.
const int Services = 5_000, Nodes = 50, Secrets = 200, Configs = 100, WarmUps = 10, Rounds = 20;
var text = EnvironmentGenerator.Generate(Services, Nodes, Secrets, Configs);
var bytes = System.Text.Encoding.UTF8.GetBytes(text);
if (args.SkipWhile(a => a != "--save").Skip(1).FirstOrDefault() is { } savePath)
{
    // For running `ward check` on the same file, or profiling.
    File.WriteAllBytes(savePath, bytes);
}

var directory = Path.GetTempPath();
Console.WriteLine($"environment: {Services:N0} services, {Nodes} nodes, {Secrets} secrets, {Configs} configs; {bytes.Length / 1024.0 / 1024.0:0.0} MB of YAML");

var now = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
var options = new ReaderOptions();
var reads = new List<double>();
var checks = new List<double>();
var readAllocations = new List<long>();
var cpu = TimeSpan.Zero;
var gcPause = TimeSpan.Zero;
var checkAllocations = new List<long>();
var findings = 0;
for (var round = 1 - WarmUps; round <= Rounds; round++)
{
    // Each round starts from a collected heap, as a fresh `ward check` process does; the collection is not timed.
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    var measured = MeasureRound(bytes, directory, options, now);
    if (measured is null)
    {
        return 1;
    }

    findings = measured.Findings;
    if (round <= 0)
    {
        // The first rounds compile and tune the code (tiered JIT with profile-guided optimisation: after three rounds the
        // findings' sort and locate loops still ran unoptimised, several times slower); the figures are for the steady state.
        Console.WriteLine($"warm-up round {round + WarmUps} (not counted): read {measured.ReadMs:0} ms, check {measured.CheckMs:0} ms");
        continue;
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round,2}: read {measured.ReadMs,5:0} ms, check {measured.CheckMs,5:0} ms; collections during the round gen0/1/2: {measured.Collections}"));
    cpu += measured.Cpu;
    gcPause += measured.GcPause;
    reads.Add(measured.ReadMs);
    checks.Add(measured.CheckMs);
    readAllocations.Add(measured.ReadAllocated);
    checkAllocations.Add(measured.CheckAllocated);
}

if (args.Contains("--by-rule"))
{
    // Where the check's time goes, rule by rule (the fastest of three warm passes each, and the first on a fresh context).
    var read = EnvironmentFileReader.ReadBytes(bytes, "bench.yaml", directory, options);
    var context = new RuleContext(read.Spec!, SizeCatalog.BuiltIn, EnvironmentKind.Production, now) { ReaderDiagnostics = read.Diagnostics };
    foreach (var rule in RuleCatalog.All)
    {
        var best = double.MaxValue;
        var count = 0;
        // The first pass on a fresh context also fills the context's caches (parsed constraints, eligible nodes).
        var fresh = new RuleContext(read.Spec!, SizeCatalog.BuiltIn, EnvironmentKind.Production, now) { ReaderDiagnostics = read.Diagnostics };
        var firstClock = Stopwatch.StartNew();
        rule.Evaluate(fresh).Count();
        var first = firstClock.Elapsed.TotalMilliseconds;
        for (var pass = 0; pass < 3; pass++)
        {
            var clock = Stopwatch.StartNew();
            count = rule.Evaluate(context).Count();
            best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {rule.Descriptor.Id,-9} {best,8:0.0} ms (first pass on a fresh context {first,6:0.0} ms) {count,6} findings"));
    }

    var locateClock = Stopwatch.StartNew();
    Checker.Run(context, useWaivers: true, read.Locate);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  Checker.Run total {locateClock.Elapsed.TotalMilliseconds:0.0} ms"));
}

if (args.Contains("--phases"))
{
    // Where the read's time goes, phase by phase (medians of warm passes, each phase on the previous one's output): the
    // steps of EnvironmentFileReader.Run, called one by one; keep them in step with it.
    var phases = new Dictionary<string, List<double>> { ["decode"] = [], ["yaml tree"] = [], ["schema and interpolation"] = [], ["binding"] = [] };
    for (var round = 0; round < Rounds; round++)
    {
        var bag = new DiagnosticBag();
        var clock = Stopwatch.StartNew();
        var decoded = YamlTreeBuilder.Decode(bytes, "bench.yaml", bag)!;
        phases["decode"].Add(clock.Elapsed.TotalMilliseconds);
        clock.Restart();
        var root = (YMapping)YamlTreeBuilder.Build(decoded, "bench.yaml", bag)!;
        phases["yaml tree"].Add(clock.Elapsed.TotalMilliseconds);
        clock.Restart();
        var version = EnvironmentFileReader.DetectVersion(root, bag);
        var tree = (YMapping)new TreeValidator(version, bag, new Interpolator(options.Variables), decodesAsCli: true).Validate(root, ComposeSchema.Root, ModelPath.Root);
        var ward = new TreeValidator(version, bag, null).Validate(tree.Get("x-ward")!, WardSectionSchema.Section, ModelPath.Root.Child("x-ward"));
        phases["schema and interpolation"].Add(clock.Elapsed.TotalMilliseconds);
        clock.Restart();
        EnvironmentFileReader.Bind(tree, ward, version, "bench.yaml", directory, options, bag);
        phases["binding"].Add(clock.Elapsed.TotalMilliseconds);
    }

    foreach (var (phase, times) in phases)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {phase,-26} median {Median(times),6:0.0} ms (min {times.Min():0.0})"));
    }
}

var fastPath = YamlTreeBuilder.BuildWithFastPath(text, "bench.yaml", out var declinedAt) is not null;
Console.WriteLine($"YAML read by the fast reader: {(fastPath ? "yes" : $"no (declined at {declinedAt})")}");

// How much of the read is YAML (decoding and building the tree); the rest is interpolation, schema and binding.
var yaml = new List<double>();
for (var round = 0; round < Rounds; round++)
{
    var clock = Stopwatch.StartNew();
    var decoded = YamlTreeBuilder.Decode(bytes, "bench.yaml", new DiagnosticBag());
    YamlTreeBuilder.Build(decoded!, "bench.yaml", new DiagnosticBag());
    yaml.Add(clock.Elapsed.TotalMilliseconds);
}

var totals = reads.Zip(checks, (r, c) => r + c).ToList();
using var process = Process.GetCurrentProcess();
process.Refresh();
var peakMb = process.PeakWorkingSet64 / 1024.0 / 1024.0;
Console.WriteLine($"findings per round: {findings:N0}");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"allocated per round: read {readAllocations.Average() / 1048576:0} MB, check {checkAllocations.Average() / 1048576:0} MB; collections gen0/1/2: {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read:  median {Median(reads):0.0} ms (min {reads.Min():0.0}, max {reads.Max():0.0}); of which YAML to tree: median {Median(yaml):0.0} ms"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"check: median {Median(checks):0.0} ms (min {checks.Min():0.0}, max {checks.Max():0.0})"));
// CPU time tells a slow machine from a busy one: when it is far below the wall time, other processes held the cores.
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"process CPU time per warm round (all threads, GC included): {cpu.TotalMilliseconds / Rounds:0} ms, of which the garbage collector paused the program {gcPause.TotalMilliseconds / Rounds:0} ms"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read + check: median {Median(totals):0.0} ms over {Rounds} warm rounds; target <= 300 ms: {(Median(totals) <= 300 ? "met" : "NOT met")}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak working set: {peakMb:0} MB; target <= 300 MB: {(peakMb <= 300 ? "met" : "NOT met")}"));
return 0;

// A method of its own, so that nothing of one round (its tree, spec and findings) stays reachable in the next.
[MethodImpl(MethodImplOptions.NoInlining)]
static RoundFigures? MeasureRound(byte[] bytes, string directory, ReaderOptions options, DateTimeOffset now)
{
    var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var pauseBefore = GC.GetTotalPauseDuration();
    int[] collectionsBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
    var clock = Stopwatch.StartNew();
    var read = EnvironmentFileReader.ReadBytes(bytes, "bench.yaml", directory, options);
    var readMs = clock.Elapsed.TotalMilliseconds;
    var allocatedByRead = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
    if (read.Spec is null)
    {
        Console.Error.WriteLine("the generated file did not read:\n" + string.Join("\n", read.Diagnostics.Take(10)));
        return null;
    }

    clock.Restart();
    var context = new RuleContext(read.Spec, SizeCatalog.BuiltIn, EnvironmentKind.Production, now) { ReaderDiagnostics = read.Diagnostics };
    var result = Checker.Run(context, useWaivers: true, read.Locate);
    var checkMs = clock.Elapsed.TotalMilliseconds;
    var allocatedByCheck = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore - allocatedByRead;
    return new RoundFigures(
        readMs,
        checkMs,
        allocatedByRead,
        allocatedByCheck,
        Process.GetCurrentProcess().TotalProcessorTime - cpuBefore,
        GC.GetTotalPauseDuration() - pauseBefore,
        result.Findings.Count,
        string.Join('/', Enumerable.Range(0, 3).Select(g => GC.CollectionCount(g) - collectionsBefore[g])));
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

internal sealed record RoundFigures(double ReadMs, double CheckMs, long ReadAllocated, long CheckAllocated, TimeSpan Cpu, TimeSpan GcPause, int Findings, string Collections);
