using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Ward.Bench.LoadBalancer;
using Ward.Testing;

// Issue 10's load balancer, measured on a swarm of the benchmark's own (BenchCluster) running the clinic's web front
// end (clinic/web:1.0, built by scripts/build-images.sh) behind Ward's load balancer on the manager.
//
//   dotnet run -c Release --project bench/Ward.Bench.LoadBalancer [-- --seconds 20 --rounds 3 --connections 32]
//       throughput and p50/p99 latency of the clinic's front page with wrk: through Ward's load balancer, direct to a
//       web task, and through nginx set up as CapRover sets it up; the ratios to nginx (targets: >= 0.8 of its
//       throughput, p99 <= 1.25 of its p99)
//   dotnet run -c Release --project bench/Ward.Bench.LoadBalancer -- --drops [rolling,domain,kill] [--updates 10]
//       no dropped requests: ~200 requests/s over HTTPS to the domain while (a) ten rolling updates of web in a row,
//       (b) another domain is added and removed, (c) a web task's container is killed; prints the counts
//
// --keep-cluster leaves the benchmark's swarm up afterwards (the next run reuses it).
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var cancellationToken = CancellationToken.None;
var root = BenchFiles.Root;
var layout = await BenchCluster.UpAsync(cancellationToken);
try
{
    await BenchCommands.RequireAsync(Path.Combine(root, "scripts", "build-images.sh"), ["lb", "web"], cancellationToken);
    var environment = BenchEnvironment.Write(Directory.CreateTempSubdirectory("ward-bench-lb-").FullName);
    await BenchCommands.WardAsync(["apply", environment.File, "--yes", "--host", "unix://" + layout.Manager!.Socket], cancellationToken, require: true);
    var rootPem = (await BenchCommands.WardAsync(["lb", "root", BenchEnvironment.Name, "--host", "unix://" + layout.Manager.Socket], cancellationToken, require: true)).Output;
    using var trustedRoot = X509Certificate2.CreateFromPem(rootPem);
    if (options.Drops)
    {
        return await Drops.RunAsync(new DropTarget(
            BenchEnvironment.Name,
            environment.File,
            "web",
            BenchEnvironment.WebPort,
            new Uri($"https://{BenchEnvironment.Domain}/"),
            layout,
            trustedRoot,
            (arguments, token) => BenchCommands.WardAsync(arguments, token, require: false),
            (arguments, token) => BenchCommands.RunAsync(BenchCommands.Docker, arguments, token),
            line => Console.WriteLine(line)), options, cancellationToken);
    }

    return await Throughput.RunAsync(layout, options, cancellationToken);
}
finally
{
    if (!options.KeepCluster)
    {
        await BenchCluster.DownAsync(cancellationToken);
    }
}

/// <summary>The benchmark's command line.</summary>
/// <param name="Drops">Measure dropped requests instead of throughput.</param>
/// <param name="Scenarios">Which disruptions (rolling, domain, kill): --drops takes an optional comma-separated list.</param>
/// <param name="Updates">How many rolling updates in a row.</param>
/// <param name="Seconds">How long each wrk run lasts.</param>
/// <param name="Rounds">How many wrk runs of each target, alternating.</param>
/// <param name="Connections">How many connections wrk keeps open.</param>
/// <param name="KeepCluster">Leave the benchmark's cluster up.</param>
internal sealed record BenchOptions(bool Drops, IReadOnlySet<string> Scenarios, int Updates, int Seconds, int Rounds, int Connections, bool KeepCluster)
{
    public static BenchOptions Parse(string[] args)
    {
        int Number(string name, int fallback) => args.SkipWhile(a => a != name).Skip(1).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).FirstOrDefault(fallback);
        // Only the argument right after --drops names scenarios ("--drops --updates 10" runs them all).
        var next = args.SkipWhile(a => a != "--drops").Skip(1).FirstOrDefault();
        var scenarios = (next is null || next.StartsWith("--", StringComparison.Ordinal) ? "rolling,domain,kill" : next).Split(',').ToHashSet(StringComparer.Ordinal);
        if (scenarios.Except(["rolling", "domain", "kill"]).FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"--drops {next}: '{unknown}' is not a scenario (rolling, domain, kill)");
        }

        return new BenchOptions(args.Contains("--drops"), scenarios, Number("--updates", 10), Number("--seconds", 20), Number("--rounds", 3), Number("--connections", 32), args.Contains("--keep-cluster"));
    }
}
