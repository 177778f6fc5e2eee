using Ward.Engine.Applying;
using Ward.Engine.Planning;

namespace Ward.Cli;

/// <summary>
/// Shows an apply as it happens, on stderr: each step, then one line per service while waiting. On a terminal the
/// service lines are redrawn in place; otherwise a line is printed whenever a service's state changes.
/// </summary>
/// <param name="live">Redraw the service lines in place (a terminal).</param>
/// <param name="quietWhenConverged">Show nothing while every service has converged (a check that usually finds nothing to wait for).</param>
internal sealed class ApplyConsole(bool live, bool quietWhenConverged = false) : IApplyObserver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _lastShown = new(StringComparer.Ordinal);
    private int _drawnLines;

    /// <summary>Whether nothing was shown yet (with <c>quietWhenConverged</c>: every service had converged all along).</summary>
    public bool ShowedNothing => _drawnLines == 0 && _lastShown.Count == 0;

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
        if (quietWhenConverged && ShowedNothing && services.All(s => s.Done))
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
