using Ward.Engine.Planning;

namespace Ward.Engine.Applying;

public enum ApplyOutcome
{
    /// <summary>Every step done and every service running its desired tasks on the current spec.</summary>
    Converged,

    /// <summary>A step failed, or a service cannot converge (rejected tasks, no suitable node, update rolled back).</summary>
    Failed,

    /// <summary>The services did not converge within the timeout.</summary>
    TimedOut,

    /// <summary>Every step done; convergence was not awaited (<see cref="ApplyOptions.AwaitConvergence"/> is off).</summary>
    Applied,
}

/// <summary>
/// What an apply achieved, with the tasks' own error text for each service that did not converge. When a step fails
/// the apply stops, and <see cref="Done"/> and <see cref="NotDone"/> say exactly which changes were made and which were
/// not (the problems say it in words too), so that the next apply, once the cause is fixed, is known to finish the job.
/// </summary>
public sealed record ApplyResult(ApplyOutcome Outcome, int StepsDone, IReadOnlyList<string> Problems, IReadOnlyList<ServiceProgress> Services, TimeSpan Elapsed)
{
    /// <summary>The steps carried out (objects created, updated or removed), in plan order.</summary>
    public IReadOnlyList<PlanStep> Done { get; init; } = [];

    /// <summary>The steps not carried out because the apply stopped: the failed ones and those never started.</summary>
    public IReadOnlyList<PlanStep> NotDone { get; init; } = [];

    /// <summary>A step in words, e.g. "create service clinic_web".</summary>
    public static string Describe(PlanStep step) => $"{step.Change.ToString().ToLowerInvariant()} {step.Target.ToString().ToLowerInvariant()} {step.Name}";
}

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

    /// <summary>
    /// Whether the apply waits for the services to converge after its steps (and only then removes old secret and
    /// config versions). Off, it returns once every step is done, as <c>docker stack deploy --detach</c> does.
    /// </summary>
    public bool AwaitConvergence { get; init; } = true;
}
