using System.Diagnostics;
using System.Globalization;
using Ward.Bench;
using Ward.Docker.Cluster;

// Issue 16's logs benchmark: `ward logs ENV --tail 10000` across 20 tasks on the workers (target <= 2 s, the whole
// ward process as a person runs it). Each of the 20 tasks writes 600 lines at start (12,000 in all), so the tail is
// taken over more than it returns. Runs on the local cluster (./ward cluster up), or the one WARD_CLUSTER_DIR names,
// whose nodes must have ward/busybox:1.0 (./ward up and the test cluster put it there).
// Run: dotnet run -c Release --project bench/Ward.Bench.Logs [-- --rounds N]
const int Tasks = 20, LinesPerTask = 600, Tail = 10_000;
const string Name = "logbench";
var rounds = args.SkipWhile(a => a != "--rounds").Skip(1).Select(int.Parse).FirstOrDefault(3);
var root = BenchTools.FindRoot();
var ward = Path.Combine(root, "ward");
var layout = LocalCluster.Load() ?? throw new InvalidOperationException("no local cluster: run ./ward cluster up first (or set WARD_CLUSTER_DIR)");
var host = $"unix://{layout.Manager!.Socket}";
var folder = Directory.CreateTempSubdirectory("ward-bench-logs-").FullName;
var file = Path.Combine(folder, "logbench.yaml");
File.WriteAllText(file, $$"""
    version: "3.9"
    x-ward:
      environment: { name: {{Name}}, kind: staging }
    services:
      chatter:
        image: ward/busybox:1.0
        command: ["sh", "-c", "i=0; while [ $$i -lt {{LinesPerTask}} ]; do echo \"request $$i served by $$(hostname) in 12 ms, status 200, bytes 5120\"; i=$$((i+1)); done; sleep 86400"]
        stop_grace_period: 1s
        deploy:
          replicas: {{Tasks}}
          placement: { constraints: ["node.role == worker"] }
    """);

try
{
    // ward apply returns once every task runs; each writes its 600 lines within a second of starting.
    await Run(ward, ["apply", file, "--yes", "--host", host]);
    await Task.Delay(TimeSpan.FromSeconds(5));

    Console.WriteLine($"{Tasks} tasks of {Name}_chatter on {layout.Nodes.Count - 1} workers, {Tasks * LinesPerTask} lines written; {rounds} rounds");
    var seconds = new List<double>();
    var fewest = int.MaxValue;
    for (var round = 1; round <= rounds; round++)
    {
        var timer = Stopwatch.StartNew();
        var lines = CountLines(await Run(ward, ["logs", file, "--tail", Tail.ToString(CultureInfo.InvariantCulture), "--host", host]));
        seconds.Add(timer.Elapsed.TotalSeconds);
        fewest = Math.Min(fewest, lines);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: {lines} lines in {seconds[^1]:0.00} s"));
    }

    // The engine's service logs (the manager gathering every task's log from its node) are the floor: the same
    // request through the Docker CLI, for reference.
    var reference = Stopwatch.StartNew();
    var cli = CountLines(await Run(File.Exists("/usr/local/bin/docker") ? "/usr/local/bin/docker" : "docker", ["-H", host, "service", "logs", "--tail", Tail.ToString(CultureInfo.InvariantCulture), $"{Name}_chatter"]));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"reference: docker service logs --tail {Tail}: {cli} lines in {reference.Elapsed.TotalSeconds:0.00} s"));

    var median = BenchTools.Median(seconds);
    var met = median <= 2 && fewest == Tail;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ward logs --tail {Tail} across {Tasks} tasks (whole ward process): median {median:0.00} s (min {seconds.Min():0.00}, max {seconds.Max():0.00}), at least {fewest} lines; target <= 2 s with all {Tail} lines: {(met ? "met" : "NOT met")}"));
    return met ? 0 : 1;
}
finally
{
    await Run(ward, ["destroy", Name, "--yes", "--host", host]);
    Directory.Delete(folder, recursive: true);
}

static int CountLines(string output) => output.Count(c => c == '\n');

static async Task<string> Run(string program, string[] arguments)
{
    var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
    arguments.ToList().ForEach(start.ArgumentList.Add);
    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEndAsync();
    var error = process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{await output}{await error}");
    }

    return await output;
}
