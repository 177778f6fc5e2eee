namespace Ward.Cli;

/// <summary>
/// The exit status of every command, in one place, so scripts can rely on them.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Done; for check: no error-level finding; for plan: nothing to change.</summary>
    public const int Ok = 0;

    /// <summary>check: error-level findings. Other commands: the operation failed.</summary>
    public const int Failed = 1;

    /// <summary>The input could not be read (missing file, not YAML, wrong types) or names what does not exist.</summary>
    public const int InvalidInput = 2;

    /// <summary>
    /// plan: there are changes to apply. The same number as <see cref="InvalidInput"/> for compatibility with scripts
    /// written before it had a name; plan reports its own bad input as <see cref="Failed"/> instead.
    /// </summary>
    public const int PlanHasChanges = 2;

    /// <summary>The command line is wrong (unknown option, missing argument).</summary>
    public const int Usage = 64;

    /// <summary>A service Ward needs is not there (no Docker engine, not a swarm manager).</summary>
    public const int Unavailable = 69;

    /// <summary>A bug in Ward: please report it.</summary>
    public const int Internal = 70;

    /// <summary>Someone else holds the environment (a concurrent apply).</summary>
    public const int Conflict = 75;

    /// <summary>Interrupted by Ctrl-C; the state stays consistent.</summary>
    public const int Interrupted = 130;
}
