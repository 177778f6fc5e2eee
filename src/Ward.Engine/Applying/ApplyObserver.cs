using Ward.Engine.Planning;

namespace Ward.Engine.Applying;

/// <summary>One service's progress towards convergence.</summary>
public sealed record ServiceProgress(string Name, int Running, int Desired, string State, string? LastError)
{
    public bool Done => State == "converged";
}

/// <summary>Receives what an apply does as it does it (the CLI draws it, the server streams it).</summary>
public interface IApplyObserver
{
    void StepStarted(PlanStep step);

    void StepFinished(PlanStep step, string? error);

    void Waiting(IReadOnlyList<ServiceProgress> services);

    void Note(string message);
}

/// <summary>An observer that ignores everything.</summary>
public sealed class SilentObserver : IApplyObserver
{
    public static SilentObserver Instance { get; } = new();

    public void StepStarted(PlanStep step)
    {
    }

    public void StepFinished(PlanStep step, string? error)
    {
    }

    public void Waiting(IReadOnlyList<ServiceProgress> services)
    {
    }

    public void Note(string message)
    {
    }
}
