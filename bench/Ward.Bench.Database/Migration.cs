using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Ward.Deploying.Databases;
using Ward.Docker;

namespace Ward.Bench.Database;

/// <summary>
/// (a) The migration rehearsal against the plain copy, on the same data in one run. The reference is what a person
/// would do by hand: pg_dump -Fc, then pg_restore -j 2 (parallel restore needs a file: it cannot read a pipe),
/// run by ward-db as the same kind of job, on the same node, network and scratch volume, into the same throwaway
/// PostgreSQL with the tier's settings, so both pay the same network and disk. The rehearsal is `ward db rehearse`
/// as a person runs it, verification included. Target: the rehearsal in at most 1.3 times the plain copy.
/// </summary>
internal static class Migration
{
    public const double Target = 1.3;

    public static async Task<bool> RunAsync(BenchDatabase database, DockerEngine engine, Generated generated)
    {
        var container = await database.DatabaseAsync();
        // The application's password, read from its secret in the database's task: it goes into the connection
        // string the rehearsal is given, and is never printed.
        var password = (await container.ShAsync("cat /run/secrets/ward-db-password")).Stdout.Trim();
        var source = $"postgresql://records:{Uri.EscapeDataString(password)}@ward-db-records:5432/legacy";
        Console.WriteLine($"(a) migration of legacy ({BenchDatabase.Megabytes(generated.LegacyBytes)}): the plain copy, then ward db rehearse");

        var clock = Stopwatch.StartNew();
        var plain = await new Rehearsals(engine, TimeProvider.System).PlainCopyAsync(BenchDatabase.Environment, BenchDatabase.Name, source, new Printed(clock), CancellationToken.None);
        var plainWall = clock.Elapsed.TotalSeconds;
        if (plain["ok"]?.GetValue<bool>() != true)
        {
            throw new InvalidOperationException($"the plain copy failed: {plain["error"]}");
        }

        var rehearsal = await database.DbAsync("rehearse", "--from", source, "--format", "json");
        var record = JsonNode.Parse(rehearsal.Stdout)!;
        var verified = record["verified"]!.GetValue<bool>();
        var plainTotal = plain["totalSeconds"]!.GetValue<double>();
        var rehearsalTotal = record["totalSeconds"]!.GetValue<double>();
        var ratio = rehearsalTotal / plainTotal;
        Console.WriteLine(Invariant($"    plain pg_dump -Fc + pg_restore -j 2: {plainTotal:0.0} s ({Phases(plain["phases"]!)}; its target already running), dump {BenchDatabase.Megabytes(plain["dumpBytes"]!.GetValue<long>())}; the job end to end {plainWall:0.0} s"));
        Console.WriteLine(Invariant($"    ward db rehearse (verified: {verified}, {record["tables"]} tables, {record["rows"]} rows): {rehearsalTotal:0.0} s ({Phases(record["phases"]!)}; its target made meanwhile), {record["throughputMBps"]} MB/s; the command end to end {rehearsal.Elapsed.TotalSeconds:0.0} s"));
        Console.WriteLine(Invariant($"    ratio rehearsal / plain: {ratio:0.00} (end to end {rehearsal.Elapsed.TotalSeconds / plainWall:0.00}); target <= {Target:0.0}: {(ratio <= Target && verified ? "met" : "NOT met")}"));
        return verified && ratio <= Target;
    }

    private static string Phases(JsonNode phases) => string.Join(", ", phases.AsObject().Select(p => Invariant($"{p.Key} {p.Value!.GetValue<double>():0.0} s")));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed class Printed(Stopwatch clock) : IDatabaseProgress
    {
        public void Report(string phase, string message) => Console.WriteLine(Invariant($"    [{clock.Elapsed.TotalSeconds,5:0.0} s] plain {phase}: {message}"));
    }
}
