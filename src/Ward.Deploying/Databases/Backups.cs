using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ward.Engine.Databases;
using Ward.Engine.Ports;

namespace Ward.Deploying.Databases;

/// <summary>The check of a backup: restored into a throwaway cluster and every table read, or why not.</summary>
/// <param name="Status">passed, failed, empty (nothing to restore), pending (not checked yet) or not-checked.</param>
/// <param name="At">When it was checked.</param>
/// <param name="Tables">Tables read.</param>
/// <param name="Rows">Rows read.</param>
/// <param name="DurationSeconds">How long the check took.</param>
/// <param name="Error">Why it failed, or was not checked.</param>
public sealed record BackupCheck(string Status, DateTimeOffset? At, int? Tables, long? Rows, double? DurationSeconds, string? Error);

/// <summary>A backup as the repository's catalog records it.</summary>
/// <param name="Status">ok (taken), failed, running or expired.</param>
/// <param name="Id">The catalog's id of the attempt.</param>
/// <param name="Label">pgBackRest's label.</param>
/// <param name="Kind">full or diff.</param>
/// <param name="Trigger">schedule, manual or safety.</param>
/// <param name="Started">When it started.</param>
/// <param name="Finished">When it ended.</param>
/// <param name="DurationSeconds">How long it took.</param>
/// <param name="Error">Why it failed.</param>
/// <param name="SizeBytes">The database's size it holds.</param>
/// <param name="RepositoryBytes">What it takes in the repository.</param>
/// <param name="StopTime">The last moment it covers: a point-in-time restore may start from it after this.</param>
/// <param name="Check">Its check by restore.</param>
public sealed record BackupEntry(
    string Id,
    string? Label,
    string Kind,
    string Trigger,
    DateTimeOffset Started,
    DateTimeOffset? Finished,
    double? DurationSeconds,
    string Status,
    string? Error,
    long? SizeBytes,
    long? RepositoryBytes,
    DateTimeOffset? StopTime,
    BackupCheck Check)
{
    /// <summary>Taken, checked, and holding data: the only state shown as a success.</summary>
    public bool IsGood => Status == "ok" && Check.Status == "passed";

    /// <summary>Restorable: taken completely (a point-in-time restore may start from it, checked or not).</summary>
    public bool IsRestorable => Status == "ok" && StopTime is not null;

    /// <summary>In a word, never "good" unless it is: good, failed, empty, unchecked, check failed, running or expired.</summary>
    public string Verdict => (Status, Check.Status) switch
    {
        ("ok", "passed") => "good",
        ("ok", "empty") => "empty",
        ("ok", "pending") => "unchecked",
        ("ok", _) => "check failed",
        ("running", _) => "running",
        ("expired", _) => "expired",
        _ => "failed",
    };

    /// <summary>Full or incremental (pgBackRest's differential: the changes since the last full).</summary>
    public string KindName => Kind == "full" ? "full" : "incremental";

    internal static BackupEntry From(JsonNode node) => new(
        node["id"]!.GetValue<string>(),
        node["label"]?.GetValue<string>(),
        node["kind"]?.GetValue<string>() ?? "full",
        node["trigger"]?.GetValue<string>() ?? "schedule",
        Time(node["started"]) ?? DateTimeOffset.MinValue,
        Time(node["finished"]),
        node["durationSeconds"]?.GetValue<double>(),
        node["status"]?.GetValue<string>() ?? "failed",
        node["error"]?.GetValue<string>(),
        node["sizeBytes"]?.GetValue<long>(),
        node["repositoryBytes"]?.GetValue<long>(),
        Time(node["stopTime"]),
        new BackupCheck(
            node["check"]?["status"]?.GetValue<string>() ?? "pending",
            Time(node["check"]?["at"]),
            node["check"]?["tables"]?.GetValue<int>(),
            node["check"]?["rows"]?.GetValue<long>(),
            node["check"]?["durationSeconds"]?.GetValue<double>(),
            node["check"]?["error"]?.GetValue<string>() ?? node["check"]?["reason"]?.GetValue<string>()));

    internal static DateTimeOffset? Time(JsonNode? node) =>
        node?.GetValue<string>() is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value : null;
}

/// <summary>A stretch of schedule with no backup attempted (the repository's task or node was down).</summary>
public sealed record SkippedBackups(DateTimeOffset From, DateTimeOffset To, string Reason);

/// <summary>What the repository holds and how its schedule fares: what <c>ward db backups</c> shows.</summary>
/// <param name="Backups">Newest first.</param>
/// <param name="SchedulerSeenAt">When the repository's schedule last ran (it runs every 20 seconds).</param>
/// <param name="NextBackupAt">When the schedule takes the next backup.</param>
/// <param name="Stanza">ready, or why the repository waits for the database.</param>
/// <param name="Repository">pgBackRest's word on the repository (ok, no valid backups, ...).</param>
/// <param name="Skipped">Stretches of schedule with no backup.</param>
/// <param name="RepositoryFreeBytes">Free space on the repository's volume.</param>
/// <param name="RepositoryTotalBytes">The repository's volume's size.</param>
public sealed record BackupListing(
    IReadOnlyList<BackupEntry> Backups,
    IReadOnlyList<SkippedBackups> Skipped,
    DateTimeOffset? SchedulerSeenAt,
    DateTimeOffset? NextBackupAt,
    string? Stanza,
    string? Repository,
    long? RepositoryFreeBytes,
    long? RepositoryTotalBytes)
{
    /// <summary>The earliest time a point-in-time restore can reach: the end of the oldest restorable backup.</summary>
    public DateTimeOffset? EarliestRestorePoint => Backups.Where(b => b.IsRestorable).Min(b => b.StopTime);

    /// <summary>The newest backup that is good (taken, checked, with data), if any.</summary>
    public BackupEntry? LastGood => Backups.Where(b => b.IsGood).MaxBy(b => b.Started);

    /// <summary>Whether a backup has run to a verdict of its check (good or not): one neither running nor waiting for its check.</summary>
    public bool HasChecked => Backups.Any(b => b.Status != "running" && b.Check.Status != "pending");

    internal static BackupListing From(JsonNode node) => new(
        [.. (node["backups"]?.AsArray() ?? []).OfType<JsonNode>().Select(BackupEntry.From).OrderByDescending(b => b.Started)],
        [.. (node["skipped"]?.AsArray() ?? []).OfType<JsonNode>().Select(s => new SkippedBackups(
            BackupEntry.Time(s["from"]) ?? DateTimeOffset.MinValue, BackupEntry.Time(s["to"]) ?? DateTimeOffset.MinValue, s["reason"]?.GetValue<string>() ?? ""))],
        BackupEntry.Time(node["scheduler"]?["heartbeat"]),
        BackupEntry.Time(node["scheduler"]?["next"]),
        node["scheduler"]?["stanza"]?.GetValue<string>(),
        node["repository"]?["status"]?.GetValue<string>(),
        node["repository"]?["freeBytes"]?.GetValue<long>(),
        node["repository"]?["totalBytes"]?.GetValue<long>());
}

/// <summary>
/// The backup use cases: take one now (<c>ward db backup</c>), as a Swarm job beside the repository, checked before it
/// counts; and list them (<c>ward db backups</c>) from the repository's catalog, read in its running task.
/// </summary>
public sealed class Backups(IEngine engine, INodeEngines nodes, TimeProvider time)
{
    private static readonly string[] Kinds = ["full", "incremental", "auto"];

    /// <summary>Takes a backup and checks it; returns its catalog entry (whose <see cref="BackupEntry.IsGood"/> says whether it succeeded).</summary>
    /// <param name="kind">full, incremental, or auto (incremental when a full exists).</param>
    /// <param name="trigger">manual, or safety (before an in-place restore).</param>
    /// <param name="environment">The environment.</param>
    /// <param name="database">The database's name in x-ward.databases.</param>
    /// <param name="progress">Follows the job.</param>
    /// <param name="cancellationToken">Stops following (the job goes on in the cluster).</param>
    public async Task<BackupEntry> TakeAsync(string environment, string database, string kind, string trigger, IDatabaseProgress progress, CancellationToken cancellationToken)
    {
        var deployed = await AdmitAsync(environment, database, kind, cancellationToken);
        var repository = deployed.RequireRepository();
        var (_, node) = repository.Running($"the backup repository of {database}");
        var spec = DatabaseJob.Spec(repository.Service.Spec, environment, database, JobId(), node.Id, ["backup", kind == "incremental" ? "diff" : kind, trigger]);
        var result = await new JobRunner(engine, time).RunAsync(spec, progress, cancellationToken);
        if (result["ok"]?.GetValue<bool>() != true || result["backup"] is not { } backup)
        {
            throw new DatabaseOperationException(DatabaseFailureCodes.BackupFailed, result["error"]?.GetValue<string>() ?? "the backup job reported no result");
        }

        return BackupEntry.From(backup);
    }

    /// <summary>
    /// Whether a backup may be taken, answered before anything runs (the server answers a bad request at once, then
    /// takes the backup as an operation): a known kind, a database the environment runs, with a repository.
    /// </summary>
    /// <exception cref="DatabaseRequestException">Bad input: nothing was run.</exception>
    public async Task<DeployedDatabase> AdmitAsync(string environment, string database, string kind, CancellationToken cancellationToken)
    {
        if (!Kinds.Contains(kind))
        {
            throw new DatabaseRequestException(DatabaseRequestCodes.InvalidBackupKind, $"backup kind '{kind}' is not one of {string.Join(", ", Kinds)}");
        }

        var deployed = await DatabaseLocator.FindAsync(engine, environment, database, cancellationToken);
        deployed.RequireRepository();
        return deployed;
    }

    /// <summary>The repository's catalog, read in its running task.</summary>
    public async Task<BackupListing> ListAsync(string environment, string database, CancellationToken cancellationToken) =>
        await ListAsync(await DatabaseLocator.FindAsync(engine, environment, database, cancellationToken), cancellationToken);

    public async Task<BackupListing> ListAsync(DeployedDatabase deployed, CancellationToken cancellationToken)
    {
        var (container, node) = deployed.RequireRepository().Running($"the backup repository of {deployed.Name}");
        using var engineOfNode = await nodes.ConnectAsync(node, cancellationToken);
        var answer = await engineOfNode.ExecAsync(container, ["/usr/local/bin/ward-db", "backups"], new Dictionary<string, string>(), cancellationToken);
        if (answer.ExitCode != 0)
        {
            throw new DatabaseOperationException(DatabaseFailureCodes.NotRunning, $"the repository of {deployed.Name} could not list its backups (exit {answer.ExitCode}): {answer.Stderr.Trim()}");
        }

        try
        {
            return BackupListing.From(JsonNode.Parse(answer.Stdout)!);
        }
        catch (JsonException e)
        {
            throw new DatabaseOperationException(DatabaseFailureCodes.NotRunning, $"the repository of {deployed.Name} answered with something that is not its catalog: {e.Message}");
        }
    }

    /// <summary>
    /// The catalog once a backup in it has been taken and checked (a new database's first, taken by the repository on
    /// its own), or as it is when <paramref name="timeout"/> passes first. A repository still starting is waited for.
    /// </summary>
    /// <exception cref="DatabaseOperationException">The repository never answered within the time.</exception>
    public async Task<BackupListing> WaitForCheckedAsync(string environment, string database, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            BackupListing? listing = null;
            try
            {
                listing = await ListAsync(environment, database, cancellationToken);
            }
            catch (DatabaseOperationException) when (time.GetUtcNow() < deadline)
            {
                // Its task is not running yet, or is starting: ask again.
            }

            if (listing is not null && (listing.HasChecked || time.GetUtcNow() >= deadline))
            {
                return listing;
            }

            await Task.Delay(TimeSpan.FromSeconds(5), time, cancellationToken);
        }
    }

    internal static string JobId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(5));
}
