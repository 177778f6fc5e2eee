using System.Globalization;
using System.Text.Json.Nodes;
using Ward.Engine.Applying;
using Ward.Engine.Databases;
using Ward.Engine.Desired;
using Ward.Engine.Ports;
using Ward.Model.Spec;

namespace Ward.Deploying.Databases;

/// <summary>Follows a restore, and answers whether an in-place restore may go ahead.</summary>
public interface IRestoreObserver : IDatabaseProgress
{
    /// <summary>Asked once, before anything changes, when the restore would replace the live database.</summary>
    Task<bool> ConfirmAsync(string question, CancellationToken cancellationToken);
}

/// <param name="Target">latest, or a time with its zone (ISO 8601).</param>
/// <param name="Into">A new database to restore into; null restores in place.</param>
/// <param name="Environment">The environment.</param>
/// <param name="Database">The database to restore.</param>
public sealed record RestoreRequest(string Environment, string Database, string Target, string? Into = null);

/// <summary>An interrupted in-place restore, finished.</summary>
/// <param name="Database">The database.</param>
/// <param name="Id">The restore's id.</param>
/// <param name="Outcome">completed (swapped in now), swapped (it had been before the stop), or abandoned (it was not complete: the database runs the cluster it had).</param>
public sealed record ResumedRestore(string Database, string Id, string Outcome)
{
    /// <summary>The full backup taken once the restored database serves (see <see cref="RestoreResult.BaseBackup"/>).</summary>
    public BackupEntry? BaseBackup { get; init; }

    public string? BaseBackupError { get; init; }
}

/// <summary>What a restore did.</summary>
/// <param name="RestoredTo">The time of the last transaction restored, as PostgreSQL reported it.</param>
/// <param name="SafetyBackup">The backup taken first (in place only).</param>
/// <param name="Rows">Rows per database of the restored cluster, counted when it was checked.</param>
/// <param name="Database">The database restored.</param>
/// <param name="Target">The time asked for, or latest.</param>
/// <param name="Into">The new database, or null in place.</param>
/// <param name="Tables">Tables read when the restore was checked.</param>
/// <param name="Seconds">How long it all took.</param>
public sealed record RestoreResult(string Database, string Target, string? Into, string? RestoredTo, BackupEntry? SafetyBackup, int Tables, IReadOnlyDictionary<string, long> Rows, double Seconds)
{
    /// <summary>
    /// In place: the full backup taken once the restored database serves, the base of later restores on its new
    /// timeline; null when it failed (then <see cref="BaseBackupError"/> says why).
    /// </summary>
    public BackupEntry? BaseBackup { get; init; }

    /// <summary>Why the base backup after an in-place restore failed.</summary>
    public string? BaseBackupError { get; init; }
}

/// <summary>
/// Point-in-time restore (<c>ward db restore</c>), inside the cluster. The restore is made beside the live cluster
/// by a job on the database's node, recovered, promoted and read in full before anything else happens; in place, a
/// safety backup is taken first, and only then is the database stopped, the restore swapped in (one rename, finished
/// by the next start if interrupted) and the database started again: it never serves a half-restored cluster. Into a
/// new database, the restore becomes a new service of its own. A time in the future or before the first backup, or a
/// new name that is taken, is refused before anything runs.
/// </summary>
public sealed class Restorer(IEngine engine, INodeEngines nodes, TimeProvider time)
{
    /// <summary>How long the database may take to stop, or to run again after the swap.</summary>
    private static readonly TimeSpan ServiceWait = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Whether the restore may run, answered before anything runs (the server answers a bad request at once, then
    /// restores as an operation): a database the environment runs, a time it can reach, a new name that is free.
    /// </summary>
    /// <returns>The database and the time to restore to, as the restore job takes it.</returns>
    /// <exception cref="DatabaseRequestException">Bad input: nothing was run.</exception>
    public async Task<(DeployedDatabase Deployed, string Target)> AdmitAsync(RestoreRequest request, CancellationToken cancellationToken)
    {
        var deployed = await DatabaseLocator.FindAsync(engine, request.Environment, request.Database, cancellationToken);
        if (deployed.InterruptedRestore is { } interrupted)
        {
            throw new DatabaseOperationException(DatabaseFailureCodes.Busy,
                $"{request.Database} is stopped by the in-place restore {interrupted}, which did not finish: `ward db restore {request.Environment} {request.Database} --resume` finishes it first");
        }

        var target = await CheckTargetAsync(deployed, request.Target, cancellationToken);
        if (request.Into is { } into)
        {
            await CheckNewNameAsync(request.Environment, into, cancellationToken);
        }

        return (deployed, target);
    }

    public async Task<RestoreResult?> RestoreAsync(RestoreRequest request, IRestoreObserver observer, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var (deployed, target) = await AdmitAsync(request, cancellationToken);
        if (request.Into is { } into)
        {
            var copied = await RestoreIntoAsync(deployed, target, into, observer, cancellationToken);
            return Result(request, copied, null, time.GetElapsedTime(started));
        }

        if (!await observer.ConfirmAsync($"Restore {request.Database} of {request.Environment} in place to {target}? Writes after that time are undone (a safety backup is taken first).", cancellationToken))
        {
            return null;
        }

        await using var held = await EnvironmentLock.AcquireAsync(
            engine, request.Environment, TimeSpan.FromHours(6), TimeSpan.FromMinutes(2), time, LockHolder.Current, pid => Directory.Exists($"/proc/{pid}"), cancellationToken);
        observer.Report("safety", "taking a safety backup before anything changes");
        var safety = await new Backups(engine, nodes, time).TakeAsync(request.Environment, request.Database, "auto", "safety", observer, cancellationToken);
        if (safety.Status != "ok")
        {
            throw new DatabaseOperationException(DatabaseFailureCodes.RestoreFailed, $"the safety backup failed, so nothing was restored: {safety.Error}");
        }

        var restored = await RunRestoreAsync(deployed, target, into: null, deployed.Database.Running($"database {deployed.Name}").Node, observer, cancellationToken);
        await SwapInAsync(deployed, restored["id"]!.GetValue<string>(), observer, cancellationToken);
        await WaitServingAsync(request.Environment, request.Database, cancellationToken);
        var (baseBackup, baseError) = await BaseBackupAsync(request.Environment, request.Database, observer, cancellationToken);
        return Result(request, restored, safety, time.GetElapsedTime(started)) with { BaseBackup = baseBackup, BaseBackupError = baseError };
    }

    /// <summary>
    /// Finishes an in-place restore whose follower stopped (ward killed) after the database was stopped: swaps the
    /// restore in if it was complete (or finds it swapped already) and starts the database. The database served
    /// nothing meanwhile; either way it starts on one whole cluster, the restored one or the one it had.
    /// </summary>
    /// <exception cref="DatabaseRequestException">No in-place restore of the database is interrupted.</exception>
    public async Task<ResumedRestore> ResumeAsync(string environment, string database, IDatabaseProgress progress, CancellationToken cancellationToken)
    {
        await using var held = await EnvironmentLock.AcquireAsync(
            engine, environment, TimeSpan.FromHours(6), TimeSpan.FromMinutes(2), time, LockHolder.Current, pid => Directory.Exists($"/proc/{pid}"), cancellationToken);
        var deployed = await DatabaseLocator.FindAsync(engine, environment, database, cancellationToken);
        var id = deployed.InterruptedRestore
            ?? throw new DatabaseRequestException(DatabaseRequestCodes.NothingToResume, $"{database} of {environment} has no interrupted in-place restore to resume (ward db status {environment} {database} shows how it runs)");
        var node = deployed.InterruptedRestoreNode
            ?? throw new DatabaseOperationException(DatabaseFailureCodes.NotRunning, $"the service of {database} does not say which node holds the restore {id}; ward apply starts it again on the cluster its volume holds");
        progress.Report("resume", $"finishing the in-place restore {id} of {database}: the database is stopped");
        await ScaleAsync(deployed.Database.Service.Id, 0, (id, node), cancellationToken);
        await WaitForSwapJobsAsync(environment, database, cancellationToken);
        string outcome;
        try
        {
            var spec = DatabaseJob.Spec(deployed.Database.Service.Spec, environment, database, Backups.JobId(), node, ["swap", id]);
            var result = await new JobRunner(engine, time).RunAsync(spec, progress, cancellationToken);
            outcome = result["ok"]?.GetValue<bool>() == true
                ? result["already"]?.GetValue<bool>() == true ? "swapped" : "completed"
                : "abandoned";
            if (outcome == "abandoned")
            {
                progress.Report("resume", $"the restore {id} was not complete on the volume ({result["error"]?.GetValue<string>()}); the database starts on the cluster it had");
            }
        }
        finally
        {
            progress.Report("start", $"starting {database} again");
            await ScaleAsync(deployed.Database.Service.Id, 1, null, CancellationToken.None);
        }

        await WaitServingAsync(environment, database, cancellationToken);
        var (baseBackup, baseError) = outcome == "abandoned" ? (null, null) : await BaseBackupAsync(environment, database, progress, cancellationToken);
        return new ResumedRestore(database, id, outcome) { BaseBackup = baseBackup, BaseBackupError = baseError };
    }

    /// <summary>A swap job the killed ward had started goes on in the cluster: it ends before another touches the volume.</summary>
    private async Task WaitForSwapJobsAsync(string environment, string database, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var jobs = (await engine.ListAsync(ObjectKind.Service, null, cancellationToken))
                .Where(s => s.Labels.GetValueOrDefault(DatabaseNames.JobEnvironmentLabel) == environment
                    && s.Labels.GetValueOrDefault(DatabaseNames.DatabaseLabel) == database
                    && s.Labels.GetValueOrDefault(DatabaseNames.JobLabel) == "swap")
                .Select(s => s.Id)
                .ToList();
            IReadOnlyList<ObservedTask> tasks = jobs.Count == 0 ? [] : await engine.ListTasksAsync(jobs, cancellationToken);
            if (tasks.All(t => t.State is "complete" or "failed" or "rejected" or "shutdown" or "orphaned" or "remove"))
            {
                return;
            }

            if (time.GetElapsedTime(started) > ServiceWait)
            {
                throw new DatabaseOperationException(DatabaseFailureCodes.Busy, $"the swap job of the interrupted restore of {database} still runs after {ServiceWait.TotalMinutes:0} minutes; try --resume again later");
            }

            await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
        }
    }

    /// <summary>
    /// A full backup of the database as restored in place. The restore began a new timeline from a point before the
    /// newest backups (the safety backup among them), which a later restore cannot start from and follow that
    /// timeline: the next restore to latest, or to a time after this one, starts from this backup instead.
    /// </summary>
    private async Task<(BackupEntry? Backup, string? Error)> BaseBackupAsync(string environment, string database, IDatabaseProgress progress, CancellationToken cancellationToken)
    {
        progress.Report("base", $"taking a full backup of {database} as restored: later restores start from it");
        try
        {
            var entry = await new Backups(engine, nodes, time).TakeAsync(environment, database, "full", "restored", progress, cancellationToken);
            return entry.Status == "ok" ? (entry, null) : (null, entry.Error ?? "the backup failed");
        }
        catch (DatabaseOperationException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>Waits until the database accepts connections on its socket (its healthcheck), not merely until its task runs.</summary>
    private async Task WaitServingAsync(string environment, string database, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        string? why = null;
        while (time.GetElapsedTime(started) < ServiceWait)
        {
            try
            {
                var (container, node) = (await DatabaseLocator.FindAsync(engine, environment, database, cancellationToken)).Database.Running($"database {database}");
                using var engineOfNode = await nodes.ConnectAsync(node, cancellationToken);
                var answer = await engineOfNode.ExecAsync(container, ["/usr/local/bin/ward-db", "health"], new Dictionary<string, string>(), cancellationToken);
                if (answer.ExitCode == 0)
                {
                    return;
                }

                why = $"its healthcheck exits {answer.ExitCode}";
            }
            catch (Exception e) when (e is DatabaseOperationException or EngineNotFoundException)
            {
                why = e.Message;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
        }

        throw new DatabaseOperationException(DatabaseFailureCodes.RestoreFailed, $"{database} runs again but does not accept connections after {ServiceWait.TotalMinutes:0} minutes ({why}); see ward logs");
    }

    /// <summary>latest, or a time that is neither in the future nor before the first backup.</summary>
    private async Task<string> CheckTargetAsync(DeployedDatabase deployed, string target, CancellationToken cancellationToken)
    {
        if (target == "latest")
        {
            deployed.RequireRepository();
            return target;
        }

        if (!DateTimeOffset.TryParse(target, CultureInfo.InvariantCulture, DateTimeStyles.None, out var moment) || !HasZone(target))
        {
            throw new DatabaseRequestException(DatabaseRequestCodes.InvalidRestoreTarget, $"--to '{target}' is not a time with its zone (e.g. 2026-12-07T10:30:00Z) or latest");
        }

        if (moment > time.GetUtcNow())
        {
            throw new DatabaseRequestException(DatabaseRequestCodes.InvalidRestoreTarget, $"--to {moment.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} is in the future (it is {time.GetUtcNow().UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}); give a past time, or latest");
        }

        var listing = await new Backups(engine, nodes, time).ListAsync(deployed, cancellationToken);
        var earliest = listing.EarliestRestorePoint
            ?? throw new DatabaseRequestException(DatabaseRequestCodes.InvalidRestoreTarget, $"{deployed.Name} has no backup to restore from yet (ward db backup {deployed.Environment} {deployed.Name} takes one)");
        if (moment < earliest)
        {
            throw new DatabaseRequestException(DatabaseRequestCodes.InvalidRestoreTarget, $"--to {moment.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} is before the first backup of {deployed.Name}: the earliest point a restore can reach is {earliest.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} (or latest)");
        }

        return moment.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);
    }

    private static bool HasZone(string text) => text.EndsWith('Z') || text.EndsWith('z') || System.Text.RegularExpressions.Regex.IsMatch(text, @"[+-]\d\d:?\d\d$");

    private async Task CheckNewNameAsync(string environment, string into, CancellationToken cancellationToken)
    {
        if (!DatabaseSpec.IsValidName(into))
        {
            throw new DatabaseRequestException(DatabaseRequestCodes.RestoreTargetExists, $"--into '{into}' is not a name Ward can give a database: lower-case letters, digits and hyphens, starting with a letter, at most 30 characters");
        }

        if (await DatabaseLocator.NameTakenAsync(engine, environment, into, cancellationToken))
        {
            var names = (await engine.ListAsync(ObjectKind.Service, environment, cancellationToken)).Select(s => s.Name[(environment.Length + 1)..]).Order(StringComparer.Ordinal);
            throw new DatabaseRequestException(DatabaseRequestCodes.RestoreTargetExists, $"--into {into}: {environment} already has a service or database named {into} (taken: {string.Join(", ", names)}); choose a new name");
        }
    }

    /// <summary>Runs the restore job beside the live cluster (or into a new volume) and returns its result.</summary>
    private async Task<JsonObject> RunRestoreAsync(DeployedDatabase deployed, string target, string? into, ObservedNode node, IDatabaseProgress progress, CancellationToken cancellationToken)
    {
        var id = Backups.JobId();
        var spec = DatabaseJob.Spec(deployed.Database.Service.Spec, deployed.Environment, deployed.Name, id, node.Id, ["restore", id, target, .. into is null ? Array.Empty<string>() : ["into"]], container =>
        {
            if (into is not null)
            {
                DatabaseJob.Mount(container, DatabaseNames.DataVolume(deployed.Environment, into), DatabaseNames.DataPath, Labels(deployed.Environment));
            }
        });
        var result = await new JobRunner(engine, time).RunAsync(spec, progress, cancellationToken);
        if (result["ok"]?.GetValue<bool>() == true)
        {
            return result;
        }

        var error = result["error"]?.GetValue<string>() ?? "the restore job reported no result";
        throw result["code"]?.GetValue<string>() == "target-exists"
            ? new DatabaseRequestException(DatabaseRequestCodes.RestoreTargetExists, error)
            : new DatabaseOperationException(DatabaseFailureCodes.RestoreFailed, $"{error}; the live database was not touched");
    }

    /// <summary>Stops the database, swaps the restore in, and starts it again: never a half-restored cluster serving.</summary>
    private async Task SwapInAsync(DeployedDatabase deployed, string id, IDatabaseProgress progress, CancellationToken cancellationToken)
    {
        var (_, node) = deployed.Database.Running($"database {deployed.Name}");
        progress.Report("swap", $"stopping {deployed.Name} to swap the restored cluster in");
        await ScaleAsync(deployed.Database.Service.Id, 0, (id, node.Id), cancellationToken);
        try
        {
            var spec = DatabaseJob.Spec(deployed.Database.Service.Spec, deployed.Environment, deployed.Name, Backups.JobId(), node.Id, ["swap", id]);
            var result = await new JobRunner(engine, time).RunAsync(spec, progress, cancellationToken);
            if (result["ok"]?.GetValue<bool>() != true)
            {
                throw new DatabaseOperationException(DatabaseFailureCodes.RestoreFailed, $"the swap failed ({result["error"]?.GetValue<string>()}); the database starts again on the cluster it had");
            }
        }
        finally
        {
            progress.Report("start", $"starting {deployed.Name} again");
            await ScaleAsync(deployed.Database.Service.Id, 1, null, CancellationToken.None);
        }
    }

    /// <summary>
    /// Sets a service's replicas and waits until that many tasks run (0: until none does). The restore that stops the
    /// database is written on it in the same update (and removed in the one that starts it), so that a restore whose
    /// follower is killed in between is never mistaken for a database that is simply down.
    /// </summary>
    private async Task ScaleAsync(string serviceId, int replicas, (string Id, string NodeId)? restoring, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var service = (await engine.ListAsync(ObjectKind.Service, null, cancellationToken)).First(s => s.Id == serviceId);
            var spec = (JsonObject)service.Spec.DeepClone();
            spec["Mode"] = new JsonObject { ["Replicated"] = new JsonObject { ["Replicas"] = replicas } };
            var labels = spec["Labels"] as JsonObject ?? [];
            labels.Remove(DatabaseNames.RestoringLabel);
            labels.Remove(DatabaseNames.RestoringNodeLabel);
            if (restoring is { } restore)
            {
                labels[DatabaseNames.RestoringLabel] = restore.Id;
                labels[DatabaseNames.RestoringNodeLabel] = restore.NodeId;
            }

            spec["Labels"] = labels;
            try
            {
                await engine.UpdateServiceAsync(serviceId, service.Version, spec, cancellationToken);
                break;
            }
            catch (EngineConflictException) when (attempt < 5)
            {
                // Read again and retry: something else changed the service meanwhile.
            }
        }

        var started = time.GetTimestamp();
        while (time.GetElapsedTime(started) < ServiceWait)
        {
            var running = (await engine.ListTasksAsync([serviceId], cancellationToken)).Count(t => t.State == "running" && t.DesiredState == "running");
            var stopping = (await engine.ListTasksAsync([serviceId], cancellationToken)).Any(t => t.State is "running" or "starting" or "preparing" && t.DesiredState != "running");
            if (replicas == 0 ? running == 0 && !stopping : running >= replicas)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), time, cancellationToken);
        }

        throw new DatabaseOperationException(DatabaseFailureCodes.RestoreFailed, replicas == 0
            ? $"the database did not stop within {ServiceWait.TotalMinutes:0} minutes; nothing was swapped"
            : $"the database did not run again within {ServiceWait.TotalMinutes:0} minutes; see ward status");
    }

    /// <summary>Restores into a new volume, then makes the copy a service of its own beside the original.</summary>
    private async Task<JsonObject> RestoreIntoAsync(DeployedDatabase deployed, string target, string into, IDatabaseProgress progress, CancellationToken cancellationToken)
    {
        var node = await NodeForCopyAsync(deployed, cancellationToken);
        if (node.Id != deployed.Database.Node?.Id)
        {
            progress.Report("node", $"{deployed.Name} is not running (its node is down?): restoring into {into} on {node.Hostname}");
        }

        var result = await RunRestoreAsync(deployed, target, into, node, progress, cancellationToken);
        progress.Report("start", $"starting {into}, the restored copy of {deployed.Name}");
        var copy = CopySpec(deployed, into, node.Id, result["restoredTo"]?.GetValue<string>() ?? target);
        var id = await engine.CreateAsync(ObjectKind.Service, copy, cancellationToken);
        var started = time.GetTimestamp();
        while ((await engine.ListTasksAsync([id], cancellationToken)).All(t => t.State != "running"))
        {
            if (time.GetElapsedTime(started) > ServiceWait)
            {
                throw new DatabaseOperationException(DatabaseFailureCodes.RestoreFailed, $"{into} was restored but does not run after {ServiceWait.TotalMinutes:0} minutes; see ward status {deployed.Environment}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), time, cancellationToken);
        }

        return result;
    }

    /// <summary>
    /// Where a restore into a new database runs, and so where the copy lives (its volume is made there): the
    /// database's node while it runs; when it does not (its node is down, the case a restore from the repository is
    /// for), another ready node, one that does not hold the repository first, then a worker before a manager.
    /// </summary>
    private async Task<ObservedNode> NodeForCopyAsync(DeployedDatabase deployed, CancellationToken cancellationToken)
    {
        if (deployed.Database is { Task.ContainerId: not null, Node: { State: "ready" } running })
        {
            return running;
        }

        var repositoryNode = deployed.Repository?.Node?.Id;
        return (await engine.ListNodesAsync(cancellationToken))
            .Where(n => n is { State: "ready", Availability: "active" })
            .OrderBy(n => n.Id == repositoryNode)
            .ThenBy(n => n.Role == "manager")
            .ThenBy(n => n.Hostname, StringComparer.Ordinal)
            .FirstOrDefault()
            ?? throw new DatabaseOperationException(DatabaseFailureCodes.NotRunning, $"database {deployed.Name} is not running and no node is ready and active to restore it on; see ward status");
    }

    /// <summary>
    /// The restored copy's service: the original's spec on the new volume, pinned to the node that holds it, reachable
    /// by its own name on the original's networks, without backups or WAL archiving (it is not the original).
    /// </summary>
    private static JsonObject CopySpec(DeployedDatabase deployed, string into, string nodeId, string restoredTo)
    {
        var environment = deployed.Environment;
        var spec = (JsonObject)deployed.Database.Service.Spec.DeepClone();
        spec["Name"] = StackNames.Scoped(environment, into);
        var labels = Labels(environment);
        labels[DatabaseNames.DatabaseLabel] = into;
        labels[DatabaseNames.RoleLabel] = "copy";
        labels[DatabaseNames.RestoredFromLabel] = deployed.Name;
        labels[DatabaseNames.RestoredToLabel] = restoredTo;
        labels[Engine.Balancing.LoadBalancerService.PlatformLabel] = "database-copy";
        spec["Labels"] = labels;
        var task = (JsonObject)spec["TaskTemplate"]!;
        var container = (JsonObject)task["ContainerSpec"]!;
        container["Env"] = new JsonArray([.. (container["Env"]?.AsArray() ?? [])
            .Select(e => e!.GetValue<string>())
            .Where(e => !e.StartsWith("WARD_DB_REPOSITORY=", StringComparison.Ordinal) && !e.StartsWith("WARD_DB_TLS=", StringComparison.Ordinal) && !e.StartsWith("WARD_DB_NAME=", StringComparison.Ordinal))
            .Append($"WARD_DB_NAME={into}")
            .Append("WARD_DB_ARCHIVE=off")
            .Order(StringComparer.Ordinal)
            .Select(e => (JsonNode)e)]);
        container["Secrets"] = new JsonArray([.. (container["Secrets"]?.AsArray() ?? []).Where(s => s?["File"]?["Name"]?.GetValue<string>() != DatabaseNames.TlsFile).Select(s => s!.DeepClone())]);
        DatabaseJob.Mount(container, DatabaseNames.DataVolume(environment, into), DatabaseNames.DataPath, Labels(environment));
        // Where its volume is, and nowhere else: the original's placement may name the node the original lost.
        task["Placement"] = new JsonObject { ["Constraints"] = new JsonArray($"node.id == {nodeId}") };
        var network = DatabaseNames.Network(environment, deployed.Name);
        task["Networks"] = new JsonArray([.. (task["Networks"]?.AsArray() ?? [])
            .OfType<JsonObject>()
            .Where(n => n["Target"]?.GetValue<string>() != network && !IsNetworkId(n, deployed, network))
            .Select(n => (JsonNode)new JsonObject { ["Target"] = n["Target"]!.DeepClone(), ["Aliases"] = new JsonArray(into) })]);
        task.Remove("ForceUpdate");
        return spec;
    }

    /// <summary>The engine reports network targets by id: the database's own network is the one its repository also joins.</summary>
    private static bool IsNetworkId(JsonObject attachment, DeployedDatabase deployed, string network) =>
        deployed.Repository?.Service.Spec["TaskTemplate"]?["Networks"]?.AsArray().Any(r => r?["Target"]?.GetValue<string>() == attachment["Target"]?.GetValue<string>()) == true
        || attachment["Aliases"]?.AsArray().Any(a => a?.GetValue<string>() == DatabaseNames.DatabaseAlias(deployed.Name)) == true
        || attachment["Target"]?.GetValue<string>() == network;

    private static JsonObject Labels(string environment) => new() { [StackNames.NamespaceLabel] = environment };

    private static RestoreResult Result(RestoreRequest request, JsonObject restored, BackupEntry? safety, TimeSpan elapsed)
    {
        var rows = (restored["databases"]?.AsObject() ?? []).ToDictionary(d => d.Key, d => d.Value?["rows"]?.GetValue<long>() ?? 0, StringComparer.Ordinal);
        return new RestoreResult(
            request.Database,
            request.Target,
            request.Into,
            restored["restoredTo"]?.GetValue<string>(),
            safety,
            restored["tables"]?.GetValue<int>() ?? 0,
            rows,
            Math.Round(elapsed.TotalSeconds, 1));
    }
}
