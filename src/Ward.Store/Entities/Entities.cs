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

    /// <summary>The TOTP shared secret, encrypted with the server's data protection keys; null until enrolled.</summary>
    public string? TotpSecret { get; set; }

    public bool TotpEnabled { get; set; }

    public int FailedSignIns { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }

    public bool Disabled { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
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

    /// <summary>A hash of the value, to name the Docker secret version (not reversible).</summary>
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
