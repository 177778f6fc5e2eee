using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ward.Engine.Databases;
using Ward.Engine.Ports;

namespace Ward.Deploying.Databases;

/// <summary>Follows a database operation as it happens; the CLI prints it, the server streams it as operation events.</summary>
public interface IDatabaseProgress
{
    void Report(string phase, string message);
}

/// <summary>
/// Runs a ward-db job inside the cluster and follows it through the managers: its progress lines as they come, then
/// its result once its one task has ended. A job that cannot be scheduled, or whose task is lost with its node, fails
/// with the swarm's reason. The job is removed when its result is read; a job whose follower stops (ward killed, the
/// request cancelled) keeps running in the cluster, and is removed by the next operation of the environment.
/// </summary>
public sealed class JobRunner(IEngine engine, TimeProvider time)
{
    /// <summary>How long a job's task may wait for a node before the job is given up.</summary>
    public static readonly TimeSpan SchedulingLimit = TimeSpan.FromMinutes(3);

    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    private static readonly string[] Ended = ["complete", "failed", "rejected", "shutdown", "orphaned", "remove"];

    /// <summary>Runs the job to its end and returns ward-db's result document (<c>ok</c> says whether it succeeded).</summary>
    public async Task<JsonObject> RunAsync(JsonObject spec, IDatabaseProgress progress, CancellationToken cancellationToken)
    {
        await RemoveFinishedAsync(spec["Labels"]?[DatabaseNames.JobEnvironmentLabel]?.GetValue<string>(), cancellationToken);
        var id = await engine.CreateAsync(ObjectKind.Service, spec, cancellationToken);
        var reported = 0;
        var created = time.GetTimestamp();
        while (true)
        {
            await Task.Delay(Poll, time, cancellationToken);
            var task = (await engine.ListTasksAsync([id], cancellationToken)).MaxBy(t => t.Timestamp);
            var output = await engine.ServiceOutputAsync(id, cancellationToken);
            reported = ReportProgress(output, reported, progress);
            if (task is not null && Ended.Contains(task.State))
            {
                // The last lines may reach the managers a moment after the task ended.
                var result = ResultOf(output) ?? await WaitForResultAsync(id, cancellationToken);
                await RemoveQuietlyAsync(id);
                return result ?? throw new DatabaseOperationException(DatabaseFailureCodes.JobLost,
                    $"the job {spec["Name"]} ended ({task.State}{(task.Error is { Length: > 0 } error ? $": {error}" : "")}) without a result{LastLines(output)}");
            }

            if (task?.NodeId is { } nodeId && (await engine.ListNodesAsync(cancellationToken)).FirstOrDefault(n => n.Id == nodeId) is { State: "down" } node)
            {
                throw new DatabaseOperationException(DatabaseFailureCodes.JobLost,
                    $"the node running the job {spec["Name"]} ({node.Hostname}, {node.Address}) went down before the job ended{LastLines(output)}; it is left to end or be removed when the node is back");
            }

            if (task is null or { State: "new" or "pending" or "assigned" } && time.GetElapsedTime(created) > SchedulingLimit)
            {
                await RemoveQuietlyAsync(id);
                throw new DatabaseOperationException(DatabaseFailureCodes.JobLost,
                    $"the job {spec["Name"]} found no node to run on within {SchedulingLimit.TotalMinutes:0} minutes{(task?.Message is { } message ? $" ({message}{(task.Error is { Length: > 0 } e ? $": {e}" : "")})" : "")}; is its node up? see ward status");
            }
        }
    }

    /// <summary>Jobs of the environment that ended earlier without being removed (their follower stopped).</summary>
    private async Task RemoveFinishedAsync(string? environment, CancellationToken cancellationToken)
    {
        if (environment is null)
        {
            return;
        }

        var jobs = (await engine.ListAsync(ObjectKind.Service, null, cancellationToken))
            .Where(s => s.Labels.GetValueOrDefault(DatabaseNames.JobEnvironmentLabel) == environment)
            .ToList();
        if (jobs.Count == 0)
        {
            return;
        }

        var tasks = await engine.ListTasksAsync([.. jobs.Select(j => j.Id)], cancellationToken);
        foreach (var job in jobs.Where(j => tasks.Where(t => t.ServiceId == j.Id).All(t => Ended.Contains(t.State))))
        {
            await RemoveQuietlyAsync(job.Id);
        }
    }

    private async Task<JsonObject?> WaitForResultAsync(string id, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            await Task.Delay(Poll, time, cancellationToken);
            if (ResultOf(await engine.ServiceOutputAsync(id, cancellationToken)) is { } result)
            {
                return result;
            }
        }

        return null;
    }

    private async Task RemoveQuietlyAsync(string id)
    {
        try
        {
            await engine.RemoveAsync(ObjectKind.Service, id, CancellationToken.None);
        }
        catch (EngineNotFoundException)
        {
            // Gone already.
        }
    }

    /// <summary>Reports the progress lines after the first <paramref name="reported"/>; returns how many there are now.</summary>
    internal static int ReportProgress(string output, int reported, IDatabaseProgress progress)
    {
        var lines = Lines(output, "ward-progress ").ToList();
        foreach (var line in lines.Skip(reported))
        {
            try
            {
                var item = JsonNode.Parse(line)!;
                progress.Report(item["phase"]?.GetValue<string>() ?? "", item["message"]?.GetValue<string>() ?? "");
            }
            catch (JsonException)
            {
                // A line cut short by the log driver: the next ones still count.
            }
        }

        return lines.Count;
    }

    /// <summary>The result document the job printed (chunks of base64), or null when it has not printed all of it.</summary>
    internal static JsonObject? ResultOf(string output)
    {
        var chunks = new SortedDictionary<int, string>();
        var total = 0;
        foreach (var line in Lines(output, "ward-result "))
        {
            var parts = line.Split(' ', 3);
            if (parts.Length == 3 && int.TryParse(parts[0], out var index) && int.TryParse(parts[1], out var count))
            {
                chunks[index] = parts[2].Trim();
                total = count;
            }
        }

        if (total == 0 || chunks.Count != total)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(chunks.Values)))) as JsonObject;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    private static IEnumerable<string> Lines(string output, string prefix) => output
        .Split('\n')
        .Select(l => l.TrimEnd('\r'))
        .Where(l => l.StartsWith(prefix, StringComparison.Ordinal))
        .Select(l => l[prefix.Length..]);

    private static string LastLines(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("ward-", StringComparison.Ordinal)).TakeLast(3).ToList();
        return lines.Count == 0 ? "" : $"; its last words: {string.Join(" / ", lines)}";
    }
}
