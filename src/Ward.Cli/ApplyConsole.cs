using Ward.Deploying;
using Ward.Engine.Applying;
using Ward.Engine.Planning;

namespace Ward.Cli;

/// <summary>
/// Shows an apply as it happens, on stderr: the gate and the plan, the question (on a terminal, without --yes), each
/// step, then one line per service while waiting. On a terminal the service lines are redrawn in place; otherwise a
/// line is printed whenever a service's state changes. While there is nothing to change and every service has
/// converged it stays quiet after the plan.
/// </summary>
internal sealed class ApplyConsole(string target, bool live, bool ask) : IDeployObserver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _lastShown = new(StringComparer.Ordinal);
    private int _drawnLines;
    private bool _quietWhenConverged;

    /// <summary>Whether no service line was shown (there was nothing to wait for).</summary>
    public bool ShowedNoProgress => _drawnLines == 0 && _lastShown.Count == 0;

    public void Planned(DeploymentPlan deployment, GateVerdict gate)
    {
        if (gate.Forced)
        {
            Console.Error.WriteLine($"ward: --force given: applying despite {gate.Blocking.Count} error-level finding(s)");
        }

        PlanPrinter.Text(Console.Error, deployment, target, Terminal.UseColor("auto"));
        _quietWhenConverged = !deployment.Plan.HasChanges;
    }

    public Task<bool> ConfirmAsync(DeploymentPlan deployment, CancellationToken cancellationToken) =>
        Task.FromResult(!ask || Questions.Confirm("Apply these changes?"));

    public void StepStarted(PlanStep step)
    {
    }

    public void StepFinished(PlanStep step, string? error)
    {
        lock (_gate)
        {
            var mark = error is null ? "✓" : "✗";
            Console.Error.WriteLine($"  {mark} {step.Change.ToString().ToLowerInvariant()} {step.Target.ToString().ToLowerInvariant()} {step.Name}{(error is null ? "" : $": {error}")}");
        }
    }

    public void Waiting(IReadOnlyList<ServiceProgress> services)
    {
        if (_quietWhenConverged && ShowedNoProgress && services.All(s => s.Done))
        {
            return;
        }

        lock (_gate)
        {
            if (live)
            {
                if (_drawnLines > 0)
                {
                    Console.Error.Write($"\e[{_drawnLines}A");
                }

                foreach (var service in services)
                {
                    Console.Error.WriteLine($"\e[2K  {Line(service)}");
                }

                _drawnLines = services.Count;
                return;
            }

            foreach (var service in services)
            {
                var line = Line(service);
                if (!_lastShown.TryGetValue(service.Name, out var previous) || previous != line)
                {
                    _lastShown[service.Name] = line;
                    Console.Error.WriteLine($"  {line}");
                }
            }
        }
    }

    public void Note(string message)
    {
        lock (_gate)
        {
            Console.Error.WriteLine($"ward: {message}");
            _drawnLines = 0;
        }
    }

    private static string Line(ServiceProgress service)
    {
        var mark = service.State switch
        {
            "converged" => "✓",
            "failed" => "✗",
            _ => "…",
        };
        var error = service.LastError is null || service.State == "converged" ? "" : $"  {service.LastError}";
        return $"{mark} {service.Name,-32} {service.Running}/{service.Desired} running  {service.State}{error}";
    }
}
