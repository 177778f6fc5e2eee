using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ward.Bench;
using Ward.Docker;
using Ward.Docker.Cluster;
using Ward.Engine.Ports;

// Issue 3's deploy benchmark on the local cluster (./ward cluster up): the same 30-service stack of 2 replicas each,
// deployed with `docker stack deploy --detach=false` (the Docker CLI, the reference) and with `ward apply`, each
// timed from start to converged over several rounds; the ratio Ward/CLI (target <= 0.3) and how long each tool took
// after the last task was running (Ward's target: within 10 s). Then a no-change apply of a 200-service environment
// (target: <= 1 s to report nothing to do). Run: dotnet run -c Release --project bench/Ward.Bench.Apply [-- --rounds N]
const int Services = 30, Replicas = 2, LargeServices = 200;
var rounds = args.SkipWhile(a => a != "--rounds").Skip(1).Select(int.Parse).FirstOrDefault(3);
var root = BenchTools.FindRoot();
var layout = LocalCluster.Load() ?? throw new InvalidOperationException("no local cluster: run ./ward cluster up first");
var socket = layout.Manager!.Socket;
var docker = File.Exists("/usr/local/bin/docker") ? "/usr/local/bin/docker" : "docker";
var folder = Directory.CreateTempSubdirectory("ward-bench-apply-").FullName;
using var engine = new DockerEngine(layout.Manager.Endpoint);

await Run(Path.Combine(root, "ward"), ["image", "import", await BusyboxRootfs(folder), "-t", "ward/busybox:1.0", "-c", "ENV PATH=/bin"], null);
var stackFile = Path.Combine(folder, "bench30.yaml");
File.WriteAllText(stackFile, Stack("bench30", Services, Replicas));
Console.WriteLine($"stack: {Services} services x {Replicas} replicas of ward/busybox:1.0 on {layout.Nodes.Count} nodes; {rounds} rounds each, alternating");

var cli = new List<(double Total, double AfterLastTask)>();
var ward = new List<(double Total, double AfterLastTask)>();
for (var round = 1; round <= rounds; round++)
{
    var c = await Measure("cli", () => Run(docker, ["-H", $"unix://{socket}", "stack", "deploy", "--detach=false", "--resolve-image", "never", "-c", stackFile, "bench30"], null));
    cli.Add(c);
    await Remove();
    var w = await Measure("ward", () => Run(Path.Combine(root, "ward"), ["apply", stackFile, "--yes", "--host", $"unix://{socket}"], null));
    ward.Add(w);
    await Remove();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: cli {c.Total:0.0} s (last task running {c.AfterLastTask:0.0} s before it returned); ward {w.Total:0.0} s (after the last task: {w.AfterLastTask:0.0} s)"));
}

var cliMedian = BenchTools.Median(cli.Select(x => x.Total));
var wardMedian = BenchTools.Median(ward.Select(x => x.Total));
var lag = ward.Max(x => x.AfterLastTask);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"docker stack deploy --detach=false: median {cliMedian:0.0} s"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ward apply: median {wardMedian:0.0} s"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio ward/cli: {wardMedian / cliMedian:0.00}; target <= 0.30: {(wardMedian / cliMedian <= 0.30 ? "met" : "NOT met")}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ward finished at most {lag:0.0} s after the last task was running; target <= 10 s: {(lag <= 10 ? "met" : "NOT met")}"));

// No-change apply of a 200-service environment: deploy it once (0 replicas: the plan is what is measured, not tasks).
var largeFile = Path.Combine(folder, "bench200.yaml");
File.WriteAllText(largeFile, Stack("bench200", LargeServices, 0));
await Run(Path.Combine(root, "ward"), ["apply", largeFile, "--yes", "--host", $"unix://{socket}"], null);
var noChange = new List<double>();
for (var i = 0; i < 5; i++)
{
    var clock = Stopwatch.StartNew();
    var output = await Run(Path.Combine(root, "ward"), ["apply", largeFile, "--yes", "--host", $"unix://{socket}"], null);
    noChange.Add(clock.Elapsed.TotalSeconds);
    if (!output.Contains("nothing to do", StringComparison.Ordinal))
    {
        Console.WriteLine("the second apply found changes:\n" + output);
    }
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"no-change apply of {LargeServices} services (whole ward process): median {BenchTools.Median(noChange):0.00} s (min {noChange.Min():0.00}); target <= 1 s: {(BenchTools.Median(noChange) <= 1 ? "met" : "NOT met")}"));
await Run(Path.Combine(root, "ward"), ["destroy", "bench200", "--yes", "--host", $"unix://{socket}"], null);
Directory.Delete(folder, recursive: true);
return 0;

// Times a deploy and finds when its last task started running (from the tasks' own timestamps).
async Task<(double Total, double AfterLastTask)> Measure(string tool, Func<Task> deploy)
{
    var started = DateTimeOffset.UtcNow;
    var clock = Stopwatch.StartNew();
    await deploy();
    var finished = started + clock.Elapsed;
    var services = await engine.ListAsync(ObjectKind.Service, "bench30", CancellationToken.None);
    var tasks = await engine.ListTasksAsync([.. services.Select(s => s.Id)], CancellationToken.None);
    var running = tasks.Where(t => t.DesiredState == "running" && t.State == "running").ToList();
    if (running.Count != Services * Replicas)
    {
        Console.WriteLine($"{tool}: only {running.Count} of {Services * Replicas} tasks running when it returned");
    }

    var lastRunning = running.Count == 0 ? finished : running.Max(t => t.Timestamp);
    return (clock.Elapsed.TotalSeconds, (finished - lastRunning).TotalSeconds);
}

async Task Remove()
{
    await Run(Path.Combine(root, "ward"), ["destroy", "bench30", "--yes", "--host", $"unix://{socket}"], null);

    // Wait until the removed tasks are gone from the nodes, so rounds do not overlap.
    for (var i = 0; i < 120 && (await engine.ListTasksAsync(null, CancellationToken.None)).Any(t => t.DesiredState == "running" && t.Spec?.ToJsonString().Contains("bench30", StringComparison.Ordinal) == true); i++)
    {
        await Task.Delay(500);
    }

    await Task.Delay(3000);
}

static string Stack(string name, int services, int replicas)
{
    var text = new StringBuilder("version: \"3.8\"\nx-ward:\n  environment: { name: " + name + ", kind: staging }\nservices:\n");
    for (var i = 1; i <= services; i++)
    {
        text.Append(CultureInfo.InvariantCulture, $"  s{i:00}:\n    image: ward/busybox:1.0\n    command: [\"sleep\", \"86400\"]\n    deploy:\n      replicas: {replicas}\n      placement: {{ constraints: [ \"node.role != manager\" ] }}\n");
    }

    return text.ToString();
}

static async Task<string> BusyboxRootfs(string folder)
{
    var rootfs = Path.Combine(folder, "rootfs");
    Directory.CreateDirectory(Path.Combine(rootfs, "bin"));
    File.Copy("/usr/bin/busybox", Path.Combine(rootfs, "bin", "busybox"));
    foreach (var applet in new[] { "sh", "sleep", "echo", "cat" })
    {
        File.CreateSymbolicLink(Path.Combine(rootfs, "bin", applet), "busybox");
    }

    var tar = Path.Combine(folder, "busybox.tar");
    await Run("tar", ["-C", rootfs, "-cf", tar, "."], null);
    return tar;
}

static async Task<string> Run(string program, string[] arguments, string? directory)
{
    var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory ?? Environment.CurrentDirectory };
    arguments.ToList().ForEach(start.ArgumentList.Add);
    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEndAsync();
    var error = process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    var all = await output + await error;
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{all}");
    }

    return all;
}
