namespace Ward.Engine.Applying;

public enum ApplyOutcome
{
    /// <summary>Every step done and every service running its desired tasks on the current spec.</summary>
    Converged,

    /// <summary>A step failed, or a service cannot converge (rejected tasks, no suitable node, update rolled back).</summary>
    Failed,

    /// <summary>The services did not converge within the timeout.</summary>
    TimedOut,
}

/// <summary>What an apply achieved, with the tasks' own error text for each service that did not converge.</summary>
public sealed record ApplyResult(ApplyOutcome Outcome, int StepsDone, IReadOnlyList<string> Problems, IReadOnlyList<ServiceProgress> Services, TimeSpan Elapsed);

/// <summary>How an apply behaves.</summary>
public sealed record ApplyOptions
{
    /// <summary>How long to wait for convergence after the steps are done.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often to look at the tasks while waiting.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How many independent steps run at once.</summary>
    public int Parallelism { get; init; } = 8;

    /// <summary>A task that stays pending with "no suitable node" this long fails the apply.</summary>
    public TimeSpan UnschedulableAfter { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A service whose tasks of the current spec failed this many times fails the apply.</summary>
    public int FailedTasksLimit { get; init; } = 3;

    /// <summary>Attempts for an update that meets a newer version index (read fresh state and retry, never force).</summary>
    public int ConflictRetries { get; init; } = 5;
}
