using System.Globalization;

namespace Ward.Bench.Database;

/// <summary>
/// (b) A full backup (`ward db backup --kind full`, which also checks it by restoring it) and a point-in-time restore
/// into a new database (`ward db restore --to TIME --into records-pit`), each in MB/s of the database's size. The
/// restore's target is a time while the tick writer runs, so the restore replays WAL past the backup and must stop
/// exactly there: the copy holds the acknowledged ticks up to that time and none after.
/// </summary>
internal static class BackupAndRestore
{
    public const string Copy = "records-pit";

    public static async Task<bool> RunAsync(BenchDatabase database, Generated generated, Func<Task<TickWriter>> startWriter)
    {
        var size = generated.ClusterBytes;
        Console.WriteLine($"(b) full backup and point-in-time restore of the database's cluster ({BenchDatabase.Megabytes(size)})");
        var backup = await database.DbAsync("backup", "--kind", "full");
        var entry = (await database.BackupsAsync()).First(b => b!["trigger"]!.GetValue<string>() == "manual")!;
        var seconds = entry["durationSeconds"]!.GetValue<double>();
        var check = entry["check"]!;
        Console.WriteLine(Invariant($"    backup: {entry["status"]}, {BenchDatabase.Megabytes(entry["sizeBytes"]!.GetValue<long>())} ({BenchDatabase.Megabytes(entry["repositoryBytes"]!.GetValue<long>())} stored) in {seconds:0.0} s: {size / 1e6 / seconds:0.0} MB/s"));
        Console.WriteLine(Invariant($"    its check (restored and read in full): {check["status"]}, {check["rows"]} rows in {check["durationSeconds"]} s; the whole command {backup.Elapsed.TotalSeconds:0.0} s"));

        var writer = await startWriter();
        var container = await database.DatabaseAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var target = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(2));
        await Generator.ArchivedAsync(container);
        var restore = await database.DbAsync("restore", "--to", target.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture), "--into", Copy);
        var copy = await database.RunningAsync(Copy);
        var restored = (await copy.PsqlAsync("records", "SELECT count(*), coalesce(max(id), 0) FROM ticks")).Split('|');
        var expected = writer.Acknowledged.Count(t => t.At <= target);
        var accounts = long.Parse(await copy.PsqlAsync("legacy", "SELECT count(*) FROM pgbench_accounts"), CultureInfo.InvariantCulture);
        var exact = restored[0] == expected.ToString(CultureInfo.InvariantCulture) && accounts == generated.Accounts;
        Console.WriteLine(Invariant($"    restore to {target:HH:mm:ss.fff} into {Copy}: {restore.Elapsed.TotalSeconds:0.0} s: {size / 1e6 / restore.Elapsed.TotalSeconds:0.0} MB/s ({PhaseTimes(restore)})"));
        Console.WriteLine(Invariant($"    the copy holds {restored[0]} ticks (written up to the target: {expected}) and {accounts} accounts (of {generated.Accounts}): {(exact ? "exact" : "NOT exact")}"));
        return entry["status"]!.GetValue<string>() == "ok" && check["status"]!.GetValue<string>() == "passed" && exact;
    }

    /// <summary>Seconds between ward's progress lines ("  phase: message" on its error output), phase by phase.</summary>
    public static string PhaseTimes(Ran ran)
    {
        var marks = ran.StderrLines.Where(l => l.Line.StartsWith("  ", StringComparison.Ordinal) && l.Line.Contains(':', StringComparison.Ordinal))
            .Select(l => (l.At, Phase: l.Line.Trim().Split(':')[0]))
            .ToList();
        var phases = new List<string>();
        for (var i = 0; i < marks.Count; i++)
        {
            if (i > 0 && marks[i].Phase == marks[i - 1].Phase)
            {
                continue;
            }

            var end = marks.Skip(i + 1).FirstOrDefault(m => m.Phase != marks[i].Phase).At;
            phases.Add(Invariant($"{marks[i].Phase} {((end == default ? ran.Elapsed : end) - marks[i].At).TotalSeconds:0.0} s"));
        }

        return string.Join(", ", phases);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
