using Ward.Model.Spec;

namespace Ward.Deploying.Switchover;

/// <summary>A switchover the file cannot plan (bad input: nothing was asked of the swarm, nothing changed).</summary>
/// <param name="code">Stable for clients: see <see cref="SwitchoverRequestCodes"/>.</param>
/// <param name="message">The value found and what is needed, for people.</param>
public sealed class SwitchoverRequestException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>The codes of <see cref="SwitchoverRequestException"/>.</summary>
public static class SwitchoverRequestCodes
{
    /// <summary>The file has no x-ward.switchover section: nothing is being migrated.</summary>
    public const string NoSwitchover = "no_switchover";

    /// <summary>No window, one shorter than the minimum, or one that has already started.</summary>
    public const string InvalidWindow = "invalid_switchover_window";

    /// <summary>No back-out plan (x-ward.switchover.rollback_plan).</summary>
    public const string NoRollbackPlan = "no_rollback_plan";
}

/// <summary>What the file must say before a switchover can be planned at all.</summary>
internal static class SwitchoverRequest
{
    /// <exception cref="SwitchoverRequestException">No switchover section, no window or a window too short or started, no rollback plan.</exception>
    public static (TimeWindow Window, string RollbackPlan) Validate(EnvironmentSpec spec, DateTimeOffset now, SwitchoverOptions options)
    {
        if (spec.Switchover is not { } switchover)
        {
            throw new SwitchoverRequestException(SwitchoverRequestCodes.NoSwitchover,
                $"{spec.Name} has no switchover section (x-ward.switchover): add a window of at least {Hours(options.MinimumWindow)} and a rollback_plan, e.g. `switchover: {{ window: {{ start: 2027-01-09T02:00:00Z, end: 2027-01-09T05:00:00Z }}, rollback_plan: \"...\" }}`");
        }

        if (switchover.Window is not { } window)
        {
            throw new SwitchoverRequestException(SwitchoverRequestCodes.InvalidWindow,
                "x-ward.switchover has no window: give window: { start: TIME, end: TIME } (UTC, at least " + Hours(options.MinimumWindow) + ")");
        }

        if (window.Length < options.MinimumWindow)
        {
            throw new SwitchoverRequestException(SwitchoverRequestCodes.InvalidWindow,
                $"x-ward.switchover.window is {Hours(window.Length)} ({window.Start:u} to {window.End:u}); it must be at least {Hours(options.MinimumWindow)}");
        }

        if (window.Start <= now)
        {
            throw new SwitchoverRequestException(SwitchoverRequestCodes.InvalidWindow,
                $"x-ward.switchover.window starts {window.Start:u}, which is not in the future (now {now:u}): plan a window that starts later");
        }

        if (string.IsNullOrWhiteSpace(switchover.RollbackPlan))
        {
            throw new SwitchoverRequestException(SwitchoverRequestCodes.NoRollbackPlan,
                "x-ward.switchover.rollback_plan is missing: name the back-out plan (the previous DNS target, the restore point, who decides)");
        }

        return (window, switchover.RollbackPlan);
    }

    private static string Hours(TimeSpan length) =>
        length.TotalMinutes < 120 ? $"{length.TotalMinutes:0} minutes" : $"{length.TotalHours:0.##} hours";
}
