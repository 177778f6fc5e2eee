namespace Ward.Engine.Ports;

/// <summary>Which of a service's log lines to read.</summary>
/// <param name="Follow">Keep reading new lines until cancelled, after the history.</param>
/// <param name="Since">Only lines written at or after this time.</param>
/// <param name="Tail">Only the last lines of each task (null: all of them).</param>
public sealed record ServiceLogOptions(bool Follow = false, DateTimeOffset? Since = null, int? Tail = null);

/// <summary>One line a task of a service wrote, as the manager gathered it from the task's node.</summary>
/// <param name="Time">When the task wrote it (the engine's timestamp).</param>
/// <param name="NodeId">The node the task ran on.</param>
/// <param name="TaskId">The task that wrote it.</param>
/// <param name="StdErr">Written to standard error rather than standard output.</param>
/// <param name="Text">The line, without its line break.</param>
public sealed record ServiceLogLine(DateTimeOffset Time, string? NodeId, string? TaskId, bool StdErr, string Text);

/// <summary>A service's output as text, for the jobs Ward runs and reads the progress and result of.</summary>
public static class ServiceOutput
{
    /// <summary>
    /// What a service's tasks wrote so far (standard output and error, in time order, a line each), wherever in the
    /// swarm they ran: the managers gather it from the nodes.
    /// </summary>
    public static async Task<string> ServiceOutputAsync(this IEngine engine, string serviceId, CancellationToken cancellationToken)
    {
        var text = new System.Text.StringBuilder();
        await foreach (var line in engine.ServiceLogsAsync(serviceId, new ServiceLogOptions(), cancellationToken))
        {
            text.Append(line.Text).Append('\n');
        }

        return text.ToString();
    }
}
