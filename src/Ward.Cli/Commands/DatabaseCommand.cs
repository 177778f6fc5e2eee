using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ward.Deploying.Databases;

namespace Ward.Cli.Commands;

/// <summary><c>ward db</c>: the databases Ward runs in an environment (status, backups, point-in-time restores).</summary>
internal static class DatabaseCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web) { WriteIndented = true };

    public static Command Create() => new("db", "The databases Ward runs on the cluster (x-ward.databases): their tier measured, backups and point-in-time restores.")
    {
        Status(),
        Backup(),
        Backups(),
        Restore(),
        Rehearse(),
        Rehearsals(),
        Shell(),
    };

    private sealed record Inputs(Argument<string> Environment, Argument<string> Database, Option<string?> Host);

    private static Inputs Common(Command command)
    {
        var inputs = new Inputs(
            new Argument<string>("ENV") { Description = "The environment's name (or its file)." },
            new Argument<string>("DB") { Description = "The database's name in x-ward.databases." },
            new Option<string?>("--host") { Description = "The engine to use (a manager of the swarm); default DOCKER_HOST, else the local cluster, else /var/run/docker.sock." });
        command.Arguments.Add(inputs.Environment);
        command.Arguments.Add(inputs.Database);
        command.Options.Add(inputs.Host);
        return inputs;
    }

    /// <summary>Runs a database command with the environment's name resolved; bad input exits 2 without touching anything.</summary>
    private static void Act(Command command, Inputs inputs, Func<ParseResult, EngineTarget, string, string, CancellationToken, Task<int>> work) =>
        command.SetAction((parse, token) => Failures.RunAsync(async () =>
        {
            if (EnvironmentInput.NameOf(parse.GetValue(inputs.Environment)!) is not { } environment)
            {
                return ExitCodes.InvalidInput;
            }

            using var target = EngineTarget.Resolve(parse.GetValue(inputs.Host));
            return await work(parse, target, environment, parse.GetValue(inputs.Database)!, token);
        }));

    private static Command Status()
    {
        var format = CommonOptions.Format("text", "json");
        var command = new Command("status", "The database's tier and the PostgreSQL settings it derives, as the running database reports them, its size and WAL archiving.") { format };
        var inputs = Common(command);
        Act(command, inputs, async (parse, target, environment, database, token) =>
        {
            var status = await new DatabaseInspector(target.Engine, target.Nodes()).StatusAsync(environment, database, token);
            if (parse.GetValue(format) == "json")
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(status, Json));
                return ExitCodes.Ok;
            }

            Console.Out.WriteLine($"{status.Database}: {status.Version}, tier {status.Tier ?? "(none)"}, on {status.Node}{(status.InRecovery ? ", in recovery" : "")}");
            Console.Out.WriteLine($"  data {Megabytes(status.DatabaseBytes)}, volume {Megabytes(status.VolumeFreeBytes)} free of {Megabytes(status.VolumeTotalBytes)}");
            Console.Out.WriteLine($"  WAL archived: {status.ArchivedWal} segment(s), last {status.LastArchivedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "never"}, {status.FailedWal} failed");
            Console.Out.WriteLine($"  {"setting",-32} {"tier",-12} running");
            foreach (var setting in status.Settings)
            {
                var mark = setting.Expected is null ? "" : setting.Matches ? "  ok" : "  DIFFERS";
                Console.Out.WriteLine($"  {setting.Name,-32} {setting.Expected ?? "-",-12} {setting.Measured ?? "(not reported)"}{mark}");
            }

            return status.Settings.Any(s => s.Expected is not null && !s.Matches) ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return command;
    }

    private static Command Backup()
    {
        var kind = new Option<string>("--kind") { Description = "full, incremental (the changes since the last full) or auto (incremental when a full exists).", DefaultValueFactory = _ => "auto" };
        var command = new Command("backup", "Take a backup now, inside the cluster beside the repository, and check it by restoring it into a throwaway database.") { kind };
        var inputs = Common(command);
        Act(command, inputs, async (parse, target, environment, database, token) =>
        {
            var entry = await new Backups(target.Engine, target.Nodes(), TimeProvider.System).TakeAsync(environment, database, parse.GetValue(kind)!, "manual", new PrintedProgress(), token);
            Console.Out.WriteLine(Line(entry));
            if (!entry.IsGood)
            {
                // A backup that failed says why it failed; one taken says why its check did not pass.
                var why = entry.Status == "ok" ? entry.Check.Error ?? entry.Error : entry.Error ?? entry.Check.Error;
                Console.Error.WriteLine($"ward: the backup of {database} is {entry.Verdict}{(why is null ? "" : $": {why}")}");
                return ExitCodes.Failed;
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Backups()
    {
        var format = CommonOptions.Format("text", "json");
        var wait = new Option<int?>("--wait") { Description = "Wait up to this many seconds until a backup has been taken and checked (a new database's first one); exit 1 if none has by then.", HelpName = "SECONDS" };
        var command = new Command("backups", "The database's backups (time, kind, size, duration, checked), newest first; the earliest point a restore can reach.") { format, wait };
        var inputs = Common(command);
        Act(command, inputs, async (parse, target, environment, database, token) =>
        {
            var backups = new Backups(target.Engine, target.Nodes(), TimeProvider.System);
            var seconds = parse.GetValue(wait);
            if (seconds is < 0)
            {
                Console.Error.WriteLine($"ward: --wait {seconds} is not a number of seconds (0 or more)");
                return ExitCodes.InvalidInput;
            }

            var listing = seconds is { } limit
                ? await backups.WaitForCheckedAsync(environment, database, TimeSpan.FromSeconds(limit), token)
                : await backups.ListAsync(environment, database, token);
            var waitedInVain = seconds is not null && !listing.HasChecked;
            if (waitedInVain)
            {
                Console.Error.WriteLine($"ward: no backup of {database} was taken and checked within {seconds} s");
            }

            if (parse.GetValue(format) == "json")
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new { listing.Backups, listing.Skipped, listing.EarliestRestorePoint, listing.NextBackupAt, listing.SchedulerSeenAt, listing.Stanza, listing.Repository, listing.RepositoryFreeBytes, listing.RepositoryTotalBytes }, Json));
                return waitedInVain ? ExitCodes.Failed : ExitCodes.Ok;
            }

            Console.Out.WriteLine($"{database}: {listing.Backups.Count} backup(s); repository {listing.Repository ?? "unknown"}, {Megabytes(listing.RepositoryFreeBytes)} free; next backup {Time(listing.NextBackupAt)}");
            Console.Out.WriteLine($"  earliest restore point: {Time(listing.EarliestRestorePoint)}");
            foreach (var entry in listing.Backups)
            {
                Console.Out.WriteLine("  " + Line(entry));
            }

            foreach (var skipped in listing.Skipped)
            {
                Console.Out.WriteLine($"  skipped {Time(skipped.From)} to {Time(skipped.To)}: {skipped.Reason}");
            }

            return waitedInVain ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return command;
    }

    private static Command Restore()
    {
        var to = new Option<string?>("--to") { Description = "A time with its zone (e.g. 2026-12-07T10:30:00Z), or latest." };
        var into = new Option<string?>("--into") { Description = "Restore into a new database of this name beside the original (the original is untouched); without it, restore in place." };
        var yes = new Option<bool>("--yes") { Description = "Restore in place without asking (a safety backup is still taken first)." };
        var resume = new Option<bool>("--resume") { Description = "Finish an in-place restore that was interrupted (ward stopped) while the database was stopped, and start the database." };
        var command = new Command("restore", "Restore the database to a point in time, inside the cluster: into a new database, or in place after a safety backup (never serving a half-restored database).") { to, into, yes, resume };
        var inputs = Common(command);
        Act(command, inputs, async (parse, target, environment, database, token) =>
        {
            var restorer = new Restorer(target.Engine, target.Nodes(), TimeProvider.System);
            if (parse.GetValue(resume))
            {
                if (parse.GetValue(to) is not null || parse.GetValue(into) is not null)
                {
                    Console.Error.WriteLine("ward: --resume finishes the interrupted restore as it was asked; give it without --to and --into");
                    return ExitCodes.InvalidInput;
                }

                var resumed = await restorer.ResumeAsync(environment, database, new PrintedProgress(), token);
                Console.Out.WriteLine(resumed.Outcome switch
                {
                    "abandoned" => $"{database} runs again on the cluster it had: the restore {resumed.Id} was not complete when it was interrupted",
                    _ => $"{database} runs again on the restored cluster of {resumed.Id}",
                });
                return BaseBackup(resumed.Outcome != "abandoned", resumed.BaseBackup, resumed.BaseBackupError);
            }

            if (parse.GetValue(to) is not { } moment)
            {
                Console.Error.WriteLine("ward: give --to TIME (with its zone, e.g. 2026-12-07T10:30:00Z) or --to latest, or --resume to finish an interrupted in-place restore");
                return ExitCodes.InvalidInput;
            }

            var request = new RestoreRequest(environment, database, moment, parse.GetValue(into));
            var result = await restorer.RestoreAsync(request, new PrintedProgress(parse.GetValue(yes)), token);
            if (result is null)
            {
                Console.Error.WriteLine("ward: nothing was restored");
                return ExitCodes.Failed;
            }

            var rows = string.Join(", ", result.Rows.Select(r => $"{r.Key}: {r.Value} rows"));
            Console.Out.WriteLine($"restored {result.Database} to {result.RestoredTo ?? result.Target}{(result.Into is { } copy ? $" into {copy}" : " in place")} in {result.Seconds:0.0} s ({result.Tables} tables; {rows})");
            if (result.SafetyBackup is { } safety)
            {
                Console.Out.WriteLine($"safety backup first: {Line(safety)}");
            }

            return BaseBackup(result.Into is null, result.BaseBackup, result.BaseBackupError);
        });
        return command;
    }

    /// <summary>The full backup after an in-place restore: restored, but a later restore needs it (exit 1 when it failed).</summary>
    private static int BaseBackup(bool taken, BackupEntry? entry, string? error)
    {
        if (!taken)
        {
            return ExitCodes.Ok;
        }

        if (entry is not null)
        {
            Console.Out.WriteLine($"base backup after: {Line(entry)}");
            return ExitCodes.Ok;
        }

        Console.Error.WriteLine($"ward: the database is restored and serving, but its base backup failed ({error}): until a backup succeeds (ward db backup), a later restore cannot reach past this one");
        return ExitCodes.Failed;
    }

    private static Command Rehearse()
    {
        var from = new Option<string>("--from") { Description = "The current (legacy) database: postgresql://USER:PASSWORD@HOST:PORT/DATABASE. It reaches the job as a secret, never printed or recorded.", Required = true };
        var format = CommonOptions.Format("text", "json");
        var command = new Command("rehearse", "The migration rehearsal, inside the cluster: dump the current database, restore it into a scratch database with the tier's settings, compare every table (rows and a checksum), sequence, extension and owner, time each phase; recorded for the switchover's gate.") { from, format };
        var inputs = Common(command);
        Act(command, inputs, async (parse, target, environment, database, token) =>
        {
            var record = await new Deploying.Databases.Rehearsals(target.Engine, TimeProvider.System)
                .RunAsync(environment, database, parse.GetValue(from)!, Environment.UserName, new PrintedProgress(), token);
            if (parse.GetValue(format) == "json")
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(record, Json));
            }
            else
            {
                Console.Out.WriteLine(Line(record));
            }

            return record.Verified ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    private static Command Rehearsals()
    {
        var format = CommonOptions.Format("text", "json");
        var command = new Command("rehearsals", "The migration rehearsals Ward ran and recorded for the database, newest first.") { format };
        var inputs = Common(command);
        Act(command, inputs, async (parse, target, environment, database, token) =>
        {
            await Deploying.Databases.DatabaseLocator.FindAsync(target.Engine, environment, database, token);
            var records = await new Deploying.Databases.Rehearsals(target.Engine, TimeProvider.System).ListAsync(environment, database, token);
            if (parse.GetValue(format) == "json")
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(records, Json));
                return ExitCodes.Ok;
            }

            Console.Out.WriteLine($"{database}: {records.Count} rehearsal(s)");
            foreach (var record in records)
            {
                Console.Out.WriteLine("  " + Line(record));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Shell()
    {
        var statement = new Option<string?>("--command", "-c") { Description = "Run this statement, print its result and exit (psql -c); without it, psql reads the terminal, or statements piped in." };
        var command = new Command("shell", "psql inside the database's running task (through the engine of its node), as the superuser on the application's database; exits with psql's exit code.") { statement };
        var inputs = Common(command);
        Act(command, inputs, async (parse, target, environment, database, token) =>
        {
            var sql = parse.GetValue(statement);
            var interactive = sql is null && !Console.IsInputRedirected && !Console.IsOutputRedirected;
            await using var input = Console.OpenStandardInput();
            await using var output = Console.OpenStandardOutput();
            await using var error = Console.OpenStandardError();
            var streams = new Engine.Ports.AttachedStreams(sql is null ? input : Stream.Null, output, error, interactive ? RawTerminal.Size() : null);
            using var raw = interactive ? RawTerminal.Enter() : null;
            var exit = await new DatabaseShell(target.Engine, target.Nodes()).RunAsync(environment, database, sql, streams, token);
            return (int)Math.Clamp(exit, 0, 255);
        });
        return command;
    }

    private static string Line(RehearsalRecord record)
    {
        var verdict = record.Verified ? "verified" : record.Failure is { } failure ? $"failed: {failure}" : $"differs: {record.Difference}";
        var phases = string.Join(", ", record.Phases.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:0.0} s")));
        return string.Create(CultureInfo.InvariantCulture,
            $"{Time(record.At)}  from {record.Source}  {verdict}; {Megabytes(record.SourceBytes)}, {record.Tables} tables, {record.Rows} rows; {record.TotalSeconds:0.0} s ({phases}); {record.ThroughputMBps:0.0} MB/s; by {record.By ?? "?"}");
    }

    private static string Line(BackupEntry entry) => string.Create(CultureInfo.InvariantCulture,
        $"{Time(entry.Started)}  {entry.KindName,-11} {entry.Verdict,-12} {Megabytes(entry.SizeBytes),10} ({Megabytes(entry.RepositoryBytes)} stored)  {entry.DurationSeconds ?? 0:0.0} s  checked: {entry.Check.Status}{(entry.Check.Rows is { } rows ? $" ({entry.Check.Tables} tables, {rows} rows, {entry.Check.DurationSeconds ?? 0:0.0} s)" : "")}  {entry.Id}");

    private static string Megabytes(long? bytes) => bytes is { } b ? string.Create(CultureInfo.InvariantCulture, $"{b / 1_000_000.0:0.0} MB") : "?";

    private static string Time(DateTimeOffset? moment) => moment?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    /// <summary>Progress on standard error; an in-place restore asks on the terminal unless --yes.</summary>
    private sealed class PrintedProgress(bool yes = false) : IRestoreObserver
    {
        public void Report(string phase, string message) => Console.Error.WriteLine($"  {phase}: {message}");

        public Task<bool> ConfirmAsync(string question, CancellationToken cancellationToken) => Task.FromResult(yes || Questions.Confirm(question));
    }
}
