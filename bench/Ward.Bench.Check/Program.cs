using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Ward.Bench.Check;
using Ward.Model.Catalog;
using Ward.Model.Diagnostics;
using Ward.Model.Reading;
using Ward.Model.Spec;
using Ward.Model.Yaml;
using Ward.Rules;

// Reads and checks a generated environment of 5,000 services and 50 nodes in-process: warm-up rounds, then measured ones.
// Target (issue 2): read + check <= 300 ms, peak memory <= 300 MB.
const int Services = 5_000, Nodes = 50, Secrets = 200, Configs = 100, WarmUps = 3, Rounds = 10;
// As `ward check` runs: batch collection (see WardApp.Run).
GCSettings.LatencyMode = GCLatencyMode.Batch;
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
    var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var pauseBefore = GC.GetTotalPauseDuration();
    var clock = Stopwatch.StartNew();
    var read = EnvironmentFileReader.ReadBytes(bytes, "bench.yaml", directory, options);
    var readMs = clock.Elapsed.TotalMilliseconds;
    var allocatedByRead = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
    if (read.Spec is null)
    {
        Console.Error.WriteLine("the generated file did not read:\n" + string.Join("\n", read.Diagnostics.Take(10)));
        return 1;
    }

    clock.Restart();
    var context = new RuleContext(read.Spec, SizeCatalog.BuiltIn, EnvironmentKind.Production, now) { ReaderDiagnostics = read.Diagnostics };
    var result = Checker.Run(context, useWaivers: true, read.Locate);
    var checkMs = clock.Elapsed.TotalMilliseconds;
    var allocatedByCheck = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore - allocatedByRead;
    findings = result.Findings.Count;
    if (round <= 0)
    {
        // The first rounds compile and tune the code (tiered JIT); the figures are for the steady state.
        Console.WriteLine($"warm-up round {round + WarmUps} (not counted): read {readMs:0} ms, check {checkMs:0} ms");
        continue;
    }

    cpu += Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
    gcPause += GC.GetTotalPauseDuration() - pauseBefore;
    reads.Add(readMs);
    checks.Add(checkMs);
    readAllocations.Add(allocatedByRead);
    checkAllocations.Add(allocatedByCheck);
}

if (args.Contains("--by-rule"))
{
    // Where the check's time goes, rule by rule (one warm pass each).
    var read = EnvironmentFileReader.ReadBytes(bytes, "bench.yaml", directory, options);
    var context = new RuleContext(read.Spec!, SizeCatalog.BuiltIn, EnvironmentKind.Production, now) { ReaderDiagnostics = read.Diagnostics };
    foreach (var rule in RuleCatalog.All)
    {
        var clock = Stopwatch.StartNew();
        var count = rule.Evaluate(context).Count();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {rule.Descriptor.Id,-9} {clock.Elapsed.TotalMilliseconds,8:0.0} ms {count,6} findings"));
    }

    var locateClock = Stopwatch.StartNew();
    Checker.Run(context, useWaivers: true, read.Locate);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  Checker.Run total {locateClock.Elapsed.TotalMilliseconds:0.0} ms"));
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

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}
