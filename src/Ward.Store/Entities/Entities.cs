namespace Ward.Store.Entities;

/// <summary>A person who signs in to the console or owns API tokens.</summary>
public sealed class User : Versioned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    /// <summary>Unique, lower case.</summary>
    public required string UserName { get; set; }

    public string DisplayName { get; set; } = "";

    /// <summary>A slow, salted hash (PBKDF2-SHA512); never the password.</summary>
    public required string PasswordHash { get; set; }

    /// <summary>The TOTP shared secret in use, encrypted with the server's data protection keys; null until enrolled.</summary>
    public string? TotpSecret { get; set; }

    public bool TotpEnabled { get; set; }

    /// <summary>
    /// A secret whose enrolment has started but is not confirmed yet (encrypted). It replaces <see cref="TotpSecret"/>
    /// only when a code from it is confirmed, so starting an enrolment never weakens the factor in use.
    /// </summary>
    public string? PendingTotpSecret { get; set; }

    /// <summary>The last 30-second step whose code was accepted: a code is accepted once, and never one of an earlier step.</summary>
    public long? TotpLastStep { get; set; }

    public bool Disabled { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// A signed-in console session. The cookie names it; a request whose session is gone from the store is not signed in,
/// so signing out, or a change to the user's password, second factor or roles, ends it on every replica at once.
/// </summary>
public sealed class Session
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid UserId { get; set; }

    /// <summary>full, or enroll (the user must enrol a second factor and may do nothing else).</summary>
    public required string Stage { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the session was last used, to within a minute.</summary>
    public DateTimeOffset LastSeenAt { get; set; }
}

/// <summary>A second-factor recovery code: shown once, stored as its SHA-256, good for one sign-in or factor change.</summary>
public sealed class RecoveryCode
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid UserId { get; set; }

    /// <summary>SHA-256 of the normalised code, hex (the codes carry 80 random bits, so a plain hash does not help guessing).</summary>
    public required string Hash { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>
/// Failed sign-ins counted under one key (a user name and a client address, a user name and a device, or an address):
/// after a threshold, each further failure doubles how long that key is held back. Nothing is ever locked for everyone.
/// </summary>
public sealed class SignInFailure
{
    public required string Key { get; set; }

    public int Failures { get; set; }

    public DateTimeOffset LastFailureAt { get; set; }

    public DateTimeOffset? BlockedUntil { get; set; }
}

/// <summary>
/// The one row (Id 1) that says the store has its first owner. Its primary key decides first-run setup once for every
/// replica: a second setup cannot insert it again.
/// </summary>
public sealed class Installation
{
    public const int TheOnly = 1;

    public int Id { get; set; } = TheOnly;

    public DateTimeOffset SetUpAt { get; set; }

    public Guid OwnerId { get; set; }
}

/// <summary>A role given to a user, everywhere (Environment null) or in one environment.</summary>
public sealed class RoleGrant : Versioned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid UserId { get; set; }

    /// <summary>owner, admin, deployer or viewer.</summary>
    public required string Role { get; set; }

    public string? Environment { get; set; }
}

/// <summary>A personal API token: shown once, stored as a hash, scoped and expiring.</summary>
public sealed class ApiToken : Versioned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid UserId { get; set; }

    public required string Name { get; set; }

    /// <summary>The token's first characters, to recognise it in lists; the rest is never stored.</summary>
    public required string Prefix { get; set; }

    /// <summary>SHA-256 of the token, hex.</summary>
    public required string Hash { get; set; }

    /// <summary>The most the token may do (a role at most the user's own).</summary>
    public required string Role { get; set; }

    /// <summary>Limits the token to one environment when set.</summary>
    public string? Environment { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public bool Revoked { get; set; }
}

/// <summary>An environment registered from its file.</summary>
public sealed class StoredEnvironment : Versioned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string Name { get; set; }

    public required string Kind { get; set; }

    public required string FileName { get; set; }

    /// <summary>The environment file as registered.</summary>
    public required string Content { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string UpdatedBy { get; set; } = "";
}

/// <summary>A secret's value, encrypted; it is written and rotated, never read back through the API.</summary>
public sealed class StoredSecret : Versioned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string Environment { get; set; }

    public required string Key { get; set; }

    /// <summary>The value, encrypted with the server's data protection keys.</summary>
    public required string ProtectedValue { get; set; }

    /// <summary>A keyed hash of the value (HMAC with the installation's key), to tell versions apart; useless for guessing the value.</summary>
    public required string ContentHash { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string UpdatedBy { get; set; } = "";
}

/// <summary>A long-running operation (an apply), with its progress.</summary>
public sealed class Operation : Versioned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string Environment { get; set; }

    public required string Kind { get; set; }

    /// <summary>running, converged, failed, timed-out or interrupted.</summary>
    public required string State { get; set; }

    public required string StartedBy { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public string? Summary { get; set; }

    /// <summary>The progress events as a JSON array, kept when the operation ends.</summary>
    public string EventsJson { get; set; } = "[]";
}

/// <summary>
/// One audit log entry. Entries are only ever appended; each holds the hash of the previous one, so an edited,
/// removed or reordered entry breaks the chain (see <see cref="Audit.AuditChain"/>).
/// </summary>
public sealed class AuditEntry
{
    /// <summary>1, 2, 3, ... with no gaps; the primary key, so two writers cannot append the same position.</summary>
    public long Sequence { get; set; }

    public DateTimeOffset At { get; set; }

    public required string Actor { get; set; }

    public string? Source { get; set; }

    public required string Action { get; set; }

    public required string Target { get; set; }

    /// <summary>The object before the change, as JSON without secret values.</summary>
    public string? Before { get; set; }

    public string? After { get; set; }

    public required string PreviousHash { get; set; }

    public required string Hash { get; set; }
}

/// <summary>
/// What a domain's A records were, from when until when (the last look that found the same): one row per change, so
/// the history stays short however often Ward looks. The first row of the current run that points at the manager says
/// since when the domain has been mapped, observed rather than declared in the file.
/// </summary>
public sealed class DomainObservation
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string Environment { get; set; }

    public required string Domain { get; set; }

    /// <summary>The A records, sorted, comma-separated; empty when the name has none.</summary>
    public required string Records { get; set; }

    /// <summary>Every record is the manager's address.</summary>
    public bool PointsAtManager { get; set; }

    /// <summary>The first look that found these records.</summary>
    public DateTimeOffset Since { get; set; }

    /// <summary>The last look that found these records.</summary>
    public DateTimeOffset LastSeen { get; set; }
}
