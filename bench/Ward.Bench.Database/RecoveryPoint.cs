using System.Globalization;
using System.Text.Json.Nodes;

namespace Ward.Bench.Database;

/// <summary>
/// (c) The data lost when the database's node stops: the tick writer has run for over a minute when worker-1's
/// engine is stopped (as the Docker tests stop a node); once the swarm sees it down, `ward db restore --to latest
/// --into NEW` restores from the repository on worker-2 onto a surviving node. The newest recovered tick's age at the
/// stop is the recovery point; every tick acknowledged more than 60 s before the stop must be there. Twice: a stop as
/// the tests make it (the engine stops its containers: PostgreSQL shuts down, and archives its last WAL as it does),
/// then a crash (every process of PostgreSQL killed at once as the node stops: nothing more is archived), which is
/// what WAL archiving's timeout is for.
/// </summary>
internal static class RecoveryPoint
{
    public static readonly TimeSpan Objective = TimeSpan.FromSeconds(60);

    public static async Task<bool> RunAsync(BenchDatabase database, TickWriter writer, bool crash, string copyName)
    {
        var status = await database.StatusAsync();
        Console.WriteLine($"(c) recovery point, {(crash ? "PostgreSQL killed as the node stops" : "the node stopped as the tests stop it")}: archive_timeout {Setting(status, "archive_timeout")}, archive_mode {Setting(status, "archive_mode")}; ticks every 100 ms since {writer.Started:HH:mm:ss}");
        var running = DateTimeOffset.UtcNow - writer.Started;
        if (running < Objective + TimeSpan.FromSeconds(15))
        {
            await Task.Delay(Objective + TimeSpan.FromSeconds(15) - running);
        }

        var container = await database.DatabaseAsync();
        var stopped = DateTimeOffset.UtcNow;
        if (crash)
        {
            // As the database's user in its task: every process but the supervisor (PID 1), with no shutdown.
            await Shell.RunAsync(Shell.Docker, ["-H", container.Host, "exec", container.Id, "sh", "-c", "kill -KILL -1"], CancellationToken.None);
        }

        await Shell.WardAsync("cluster", "stop-node", "worker-1");
        await writer.EndedAsync(TimeSpan.FromSeconds(30));
        await database.WaitDownAsync("worker-1");
        var acknowledged = writer.Acknowledged;
        Console.WriteLine(Invariant($"    worker-1 stopped at {stopped:HH:mm:ss.fff} after {acknowledged.Count} acknowledged ticks (the last at {acknowledged[^1].At:HH:mm:ss.fff}); the swarm saw it down {(DateTimeOffset.UtcNow - stopped).TotalSeconds:0.0} s later"));

        var restore = await database.DbAsync("restore", "--to", "latest", "--into", copyName);
        var copy = await database.RunningAsync(copyName);
        var recovered = (await copy.PsqlAsync("records", "SELECT id FROM ticks")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(i => long.Parse(i, CultureInfo.InvariantCulture)).ToHashSet();
        var newest = acknowledged.Where(t => recovered.Contains(t.Id)).Select(t => t.At).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        var cutoff = stopped - Objective;
        var missing = acknowledged.Where(t => t.At <= cutoff && !recovered.Contains(t.Id)).ToList();
        var lost = acknowledged.Count(t => !recovered.Contains(t.Id));
        Console.WriteLine(Invariant($"    restore to latest into {copyName} on a surviving node: {restore.Elapsed.TotalSeconds:0.0} s ({BackupAndRestore.PhaseTimes(restore)})"));
        var age = (stopped - newest).TotalSeconds;
        var lostSince = lost == 0 ? "" : Invariant($", written from {(stopped - acknowledged.First(t => !recovered.Contains(t.Id)).At).TotalSeconds:0.0} s before the stop on");
        var point = newest == DateTimeOffset.MinValue
            ? "no recovery point: none of them was restored"
            : Invariant($"recovery point {Math.Max(0, age):0.0} s (the newest recovered tick {(age >= 0 ? $"{age:0.0} s before the stop" : $"{-age:0.0} s after it, during the shutdown")})");
        Console.WriteLine(Invariant($"    recovered {recovered.Count(id => acknowledged.Any(t => t.Id == id))} of the {acknowledged.Count} acknowledged ticks; {point}; {lost} lost{lostSince}"));
        var pass = missing.Count == 0 && newest != DateTimeOffset.MinValue;
        Console.WriteLine($"    every tick acknowledged more than {Objective.TotalSeconds:0} s before the stop recovered: {(pass ? "PASS" : $"FAIL ({missing.Count} missing, the oldest at {missing.FirstOrDefault().At:HH:mm:ss.fff})")}");
        return pass;
    }

    private static string Setting(JsonNode status, string name) =>
        status["settings"]!.AsArray().FirstOrDefault(s => s!["name"]!.GetValue<string>() == name)?["measured"]?.GetValue<string>() ?? "(not reported)";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
