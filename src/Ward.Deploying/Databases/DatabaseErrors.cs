namespace Ward.Deploying.Databases;

/// <summary>A database request that names what is not there or cannot be (bad input: nothing was changed).</summary>
/// <param name="code">Stable for clients: see <see cref="DatabaseRequestCodes"/>.</param>
/// <param name="message">The value found and what is allowed, for people.</param>
public sealed class DatabaseRequestException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>A database operation that ran and failed (the live database untouched, or back as it was).</summary>
/// <param name="code">Stable for clients: see <see cref="DatabaseFailureCodes"/>.</param>
/// <param name="message">What failed and why, in the words of the component that failed; never a secret.</param>
public sealed class DatabaseOperationException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>The codes of <see cref="DatabaseRequestException"/>.</summary>
public static class DatabaseRequestCodes
{
    /// <summary>The environment runs no database of that name.</summary>
    public const string DatabaseNotFound = "database_not_found";

    /// <summary>The database has no backups declared (x-ward.databases[].backups).</summary>
    public const string NoBackups = "backups_not_configured";

    /// <summary>A restore time in the future, before the first backup, or not a time.</summary>
    public const string InvalidRestoreTarget = "invalid_restore_target";

    /// <summary>A restore into a name that a service, database or volume of the environment already has, or no valid name.</summary>
    public const string RestoreTargetExists = "restore_target_exists";

    /// <summary>A backup kind other than full, incremental or auto.</summary>
    public const string InvalidBackupKind = "invalid_backup_kind";

    /// <summary>--resume of a database with no interrupted in-place restore.</summary>
    public const string NothingToResume = "no_interrupted_restore";

    /// <summary>A connection string to rehearse from that names no host, or is not one.</summary>
    public const string InvalidSource = "invalid_source";
}

/// <summary>The codes of <see cref="DatabaseOperationException"/>.</summary>
public static class DatabaseFailureCodes
{
    /// <summary>The database's or its repository's service has no running task to work beside.</summary>
    public const string NotRunning = "database_not_running";

    /// <summary>A job could not be scheduled, or its task was lost (its node went down).</summary>
    public const string JobLost = "database_job_lost";

    public const string BackupFailed = "backup_failed";

    public const string RestoreFailed = "restore_failed";

    /// <summary>The rehearsal could not run to its verification (the source refused or could not be reached, ...).</summary>
    public const string RehearsalFailed = "rehearsal_failed";

    /// <summary>Another restore or apply holds the environment.</summary>
    public const string Busy = "database_busy";
}
