using System.Diagnostics;
using System.Globalization;
using Ward.Bench;
using Ward.Bench.Database;
using Ward.Docker;

// Issue 11's database benchmark, on a swarm of its own (BenchDatabase.Cluster) with a database declared in
// x-ward.databases on Ward's image (images/db: PostgreSQL 15 and pgBackRest, built by scripts/build-images.sh):
//
//   dotnet run -c Release --project bench/Ward.Bench.Database [-- --scale 70] [--keep-cluster]
//
// pgbench's tables at the scale (70: about 1 GB) in a legacy database, then
//   (a) ward db rehearse (verification included) against the plain pg_dump -Fc + pg_restore -j 2 on the same data,
//       in the cluster alike; target: the rehearsal in at most 1.3 times the plain copy
//   (b) a full backup and a point-in-time restore into a new database, in MB/s of the database's size
//   (c) the recovery point when the database's node stops, as the tests stop a node and with PostgreSQL killed at the
//       same moment (a crash): every row committed more than 60 s before the stop must be restored (PASS/FAIL)
// Use a small --scale (e.g. 5) while developing. Everything it made goes at the end, on failure too: the whole
// cluster, or with --keep-cluster (reused by the next run) the environment, its volumes and its rehearsal records.
var scale = args.SkipWhile(a => a != "--scale").Skip(1).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).FirstOrDefault(70);
var keepCluster = args.Contains("--keep-cluster");
if (scale is < 1 or > 1000)
{
    Console.Error.WriteLine($"--scale {scale}: give pgbench's scale from 1 to 1000 (70 is about 1 GB)");
    return 2;
}

var clock = Stopwatch.StartNew();
var layout = await BenchSwarm.UpAsync(BenchDatabase.Cluster, 2, CancellationToken.None);
using var engine = new DockerEngine(layout.Manager!.Endpoint);
var database = new BenchDatabase(layout, engine);
TickWriter? writer = null;
try
{
    await Leftovers.RemoveAsync(layout, database);
    await Shell.RequireAsync("bash", [Path.Combine(BenchTools.FindRoot(), "scripts", "build-images.sh"), "db"], CancellationToken.None);
    var file = BenchDatabase.WriteFile(Directory.CreateTempSubdirectory("ward-bench-db-").FullName);
    await Shell.WardAsync("apply", file, "--yes", "--host", database.Host);
    await database.WaitAnswersAsync();
    Console.WriteLine($"the database answers {clock.Elapsed.TotalSeconds:0} s after the start; generating pgbench's tables at scale {scale}");

    var generated = await Generator.RunAsync(database, scale);
    Console.WriteLine($"legacy: {generated.Accounts} accounts, {BenchDatabase.Megabytes(generated.LegacyBytes)} (the cluster {BenchDatabase.Megabytes(generated.ClusterBytes)}), generated in {generated.Took.TotalSeconds:0} s; at rest {clock.Elapsed.TotalSeconds:0} s after the start");

    var migration = await Migration.RunAsync(database, engine, generated);
    var backups = await BackupAndRestore.RunAsync(database, generated, async () => writer = await TickWriter.StartAsync(await database.DatabaseAsync()));
    var stopped = await RecoveryPoint.RunAsync(database, writer!, crash: false, "records-rpo");

    // The node back, the database recovered and running on it again, and the same with a crash.
    await Shell.WardAsync("cluster", "start-node", "worker-1");
    await database.WaitAnswersAsync();
    writer?.Dispose();
    writer = await TickWriter.StartAsync(await database.DatabaseAsync());
    var crashed = await RecoveryPoint.RunAsync(database, writer, crash: true, "records-crash");
    var recovery = stopped && crashed;
    Console.WriteLine($"done in {clock.Elapsed.TotalMinutes:0.0} min (target: under 15): rehearsal {(migration ? "met" : "NOT met")}, backup and restore {(backups ? "good" : "NOT good")}, recovery point {(recovery ? "PASS" : "FAIL")}");
    return migration && backups && recovery ? 0 : 1;
}
catch (Exception e)
{
    // Caught, so that the clean-up below runs (an unhandled exception ends the process before it).
    Console.Error.WriteLine($"the benchmark failed after {clock.Elapsed.TotalMinutes:0.0} min: {e.Message}");
    return 1;
}
finally
{
    writer?.Dispose();
    if (keepCluster)
    {
        await Leftovers.RemoveAsync(layout, database);
    }
    else
    {
        await BenchSwarm.DownAsync(BenchDatabase.Cluster, CancellationToken.None);
    }
}
