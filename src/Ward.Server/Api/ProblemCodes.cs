using System.Reflection;

namespace Ward.Server.Api;

/// <summary>
/// Every <c>code</c> an API error can carry, in one list. Clients match on these (never on the message text), so a code
/// is never renamed; a new one is added here first.
/// </summary>
public static class ProblemCodes
{
    // Who is calling.
    public const string Unauthenticated = "unauthenticated";
    public const string Forbidden = "forbidden";
    public const string Csrf = "csrf";
    public const string InvalidCredentials = "invalid_credentials";
    public const string TwoFactorRequired = "two_factor_required";
    public const string InvalidTwoFactor = "invalid_two_factor";

    /// <summary>Changing a second factor that is in use needs a code from it (or a recovery code).</summary>
    public const string CurrentFactorRequired = "current_factor_required";
    public const string NotEnrolling = "not_enrolling";
    public const string SignInBackoff = "sign_in_backoff";
    public const string RateLimited = "rate_limited";
    public const string SetupDone = "setup_done";

    // What was sent.
    public const string InvalidRequest = "invalid_request";
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string InvalidJson = "invalid_json";
    public const string MissingBody = "missing_body";
    public const string MissingField = "missing_field";
    public const string InvalidField = "invalid_field";
    public const string InvalidQuery = "invalid_query";
    public const string InvalidPath = "invalid_path";
    public const string BodyTooLarge = "body_too_large";
    public const string UriTooLong = "uri_too_long";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string InvalidUserName = "invalid_user_name";
    public const string InvalidDisplayName = "invalid_display_name";
    public const string InvalidTokenName = "invalid_token_name";
    public const string InvalidFileName = "invalid_file_name";
    public const string InvalidEnvironmentName = "invalid_environment_name";
    public const string InvalidLabel = "invalid_label";
    public const string InvalidPassword = "invalid_password";
    public const string WeakPassword = "weak_password";
    public const string InvalidRole = "invalid_role";
    public const string InvalidLimit = "invalid_limit";
    public const string InvalidFormat = "invalid_format";
    public const string TokenLifetime = "token_lifetime";
    public const string EmptySecret = "empty_secret";
    public const string SecretTooLarge = "secret_too_large";
    public const string InvalidSecretKey = "invalid_secret_key";
    public const string InvalidNodeChange = "invalid_node_change";

    /// <summary>A restart names a service the environment's file lacks.</summary>
    public const string UnknownService = "unknown_service";

    /// <summary>Several nodes go by the name given.</summary>
    public const string AmbiguousNode = "ambiguous_node";

    /// <summary>A capacity what-if naming a node, size or service that does not exist, or a scale below zero.</summary>
    public const string InvalidWhatIf = "invalid_what_if";

    /// <summary>Capacity asked of a source other than file or swarm; a rehearsal's source that is not a PostgreSQL connection string.</summary>
    public const string InvalidSource = "invalid_source";

    /// <summary>A restore time that is not one, in the future, or before the first backup.</summary>
    public const string InvalidRestoreTarget = "invalid_restore_target";

    /// <summary>A restore into a name the environment already has (a service or a database), or that is no valid name.</summary>
    public const string RestoreTargetExists = "restore_target_exists";

    /// <summary>A backup kind other than full, incremental or auto.</summary>
    public const string InvalidBackupKind = "invalid_backup_kind";

    /// <summary>A backup or restore of a database whose file declares no backups (x-ward.databases[].backups).</summary>
    public const string BackupsNotConfigured = "backups_not_configured";

    /// <summary>A resumed restore (<c>ward db restore --resume</c>) of a database that no killed restore left stopped.</summary>
    public const string NoInterruptedRestore = "no_interrupted_restore";

    /// <summary>A restore in place without <c>confirm: true</c> (it undoes every write after the time).</summary>
    public const string ConfirmationRequired = "confirmation_required";

    /// <summary>Capacity asked of a file that describes no nodes.</summary>
    public const string NoNodes = "no_nodes";

    /// <summary>A DNS resolver that is not an address with an optional port.</summary>
    public const string InvalidResolver = "invalid_resolver";
    public const string InvalidProfile = "invalid_profile";

    /// <summary>A log query out of range (a tail too long, a time that is not one).</summary>
    public const string InvalidLogQuery = "invalid_log_query";

    /// <summary>A database's placement names a node label no node of the swarm has.</summary>
    public const string UnknownPlacementLabel = "unknown_placement_label";

    /// <summary>A silence shorter than a minute or longer than 7 days.</summary>
    public const string InvalidSilence = "invalid_silence";
    public const string InvalidDesiredState = "invalid_desired_state";
    public const string InvalidEnvironmentFile = "invalid_environment_file";
    public const string NameChanged = "name_changed";

    // What is stored.
    public const string UserNotFound = "user_not_found";
    public const string GrantNotFound = "grant_not_found";
    public const string TokenNotFound = "token_not_found";
    public const string EnvironmentNotFound = "environment_not_found";

    /// <summary>A silence or acknowledgement of an alert Ward does not have (or, for an ack, that is not firing).</summary>
    public const string AlertNotFound = "alert_not_found";
    public const string OperationNotFound = "operation_not_found";
    public const string NodeNotFound = "node_not_found";

    /// <summary>The environment declares no database of that name (x-ward.databases).</summary>
    public const string DatabaseNotFound = "database_not_found";
    public const string StaleVersion = "stale_version";
    public const string UserExists = "user_exists";
    public const string GrantExists = "grant_exists";
    public const string EnvironmentExists = "environment_exists";
    public const string LastOwner = "last_owner";
    public const string ReadinessGate = "readiness_gate";

    /// <summary>The environment plans no switchover (x-ward.switchover): SwitchoverRequestCodes.NoSwitchover.</summary>
    public const string NoSwitchover = "no_switchover";

    /// <summary>No switchover window, one shorter than two hours, or one already started: SwitchoverRequestCodes.InvalidWindow.</summary>
    public const string InvalidSwitchoverWindow = "invalid_switchover_window";

    /// <summary>The switchover names no back-out plan: SwitchoverRequestCodes.NoRollbackPlan.</summary>
    public const string NoRollbackPlan = "no_rollback_plan";

    // The swarm.
    public const string EngineUnavailable = "engine_unavailable";

    /// <summary>Another apply (or a destroy) holds the environment's lock.</summary>
    public const string EnvironmentLocked = "environment_locked";

    /// <summary>An object of the swarm that the request needs is gone.</summary>
    public const string EngineObjectNotFound = "engine_object_not_found";

    /// <summary>The swarm's managers did not commit a change within their deadline (it may still happen).</summary>
    public const string NotConfirmed = "not_confirmed";

    /// <summary>The engine refused a request (an invalid spec, an object in use, ...).</summary>
    public const string EngineRefused = "engine_refused";

    /// <summary>The database (or its backup repository) has no running task to read or work beside.</summary>
    public const string DatabaseNotRunning = "database_not_running";

    /// <summary>A database job could not be scheduled, or its task was lost with its node.</summary>
    public const string DatabaseJobLost = "database_job_lost";

    /// <summary>Another restore or apply holds the database's environment.</summary>
    public const string DatabaseBusy = "database_busy";

    public const string BackupFailed = "backup_failed";

    public const string RestoreFailed = "restore_failed";

    /// <summary>A rehearsal could not run to its verification (the source refused, or could not be reached).</summary>
    public const string RehearsalFailed = "rehearsal_failed";

    // The server.
    public const string InternalError = "internal_error";

    /// <summary>Every code above.</summary>
    public static IReadOnlySet<string> All { get; } = typeof(ProblemCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet(StringComparer.Ordinal);
}
