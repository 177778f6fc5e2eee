namespace Ward.Model.Spec;

public enum NodeRole
{
    Manager,
    Worker,
}

public enum NodeAvailability
{
    Active,
    Pause,
    Drain,
}

/// <summary>A node of the environment's cluster, from <c>x-ward.nodes</c>.</summary>
public sealed record NodeSpec
{
    public required string Name { get; init; }

    public NodeRole Role { get; init; } = NodeRole.Worker;

    /// <summary>A size from the catalog (small, medium, large, x-large, or a configured one).</summary>
    public required string Size { get; init; }

    /// <summary>The node's static address, when it has one.</summary>
    public string? Address { get; init; }

    public NodeAvailability Availability { get; init; } = NodeAvailability.Active;

    public ValueMap<string> Labels { get; init; } = ValueMap<string>.Empty;

    /// <summary>An availability zone, for spreading managers (NODE-005).</summary>
    public string? Zone { get; init; }
}

public enum DatabaseEngine
{
    Postgres,
    Mysql,
}

/// <summary>A database of the environment, from <c>x-ward.databases</c>.</summary>
public sealed record DatabaseSpec
{
    /// <summary>A database's name becomes part of service, volume and network names: lower-case letters, digits and hyphens, starting with a letter, at most 30 characters.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 30 && char.IsAsciiLetterLower(name[0]) && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') && !name.EndsWith('-');

    public required string Name { get; init; }

    public DatabaseEngine Engine { get; init; } = DatabaseEngine.Postgres;

    public string? Version { get; init; }

    /// <summary>A tier from the catalog (basic-1, general-purpose-2, ...).</summary>
    public required string Tier { get; init; }

    /// <summary>Placement constraints when Ward hosts the database on the cluster.</summary>
    public ValueList<string> Placement { get; init; } = ValueList<string>.Empty;

    /// <summary>Set when the database is outside the cluster and Ward only connects to it.</summary>
    public ExternalDatabase? External { get; init; }

    /// <summary>The compose service that runs this database, when it is one of the file's services.</summary>
    public string? Service { get; init; }

    /// <summary>Where and how Ward backs the database up; null when the file asks for no backups.</summary>
    public BackupSpec? Backups { get; init; }

    /// <summary>For a database Ward adds (no <see cref="Service"/>): the file's networks it joins (default: all of them).</summary>
    public ValueList<string> Networks { get; init; } = ValueList<string>.Empty;

    /// <summary>Whether Ward runs the database on the cluster (as opposed to connecting to an external one).</summary>
    public bool IsHosted => External is null;

    /// <summary>The service of its backup repository that Ward adds, by its name in the environment (deployed with the environment's prefix).</summary>
    public string RepositoryService => RepositoryServiceOf(Name);

    public static string RepositoryServiceOf(string database) => $"ward-backups-{database}";
}

public sealed record ExternalDatabase(string Host, int Port);

/// <summary>
/// A database's backups, from <c>x-ward.databases[].backups</c>: a repository on a node other than the database's
/// (chosen by placement; on a named volume, the file's own volume, or a host folder), a daily full backup, differential
/// ones in between, and how many hourly, daily and weekly points are kept.
/// </summary>
public sealed record BackupSpec
{
    /// <summary>Placement constraints of the repository's node; none of its nodes may run the database.</summary>
    public ValueList<string> Placement { get; init; } = ValueList<string>.Empty;

    /// <summary>A folder on the repository's node (bind-mounted), instead of a named volume.</summary>
    public string? Path { get; init; }

    /// <summary>A volume of the file (with its driver and options) for the repository, instead of Ward's own.</summary>
    public string? Volume { get; init; }

    /// <summary>When the daily full backup is taken (UTC).</summary>
    public TimeOnly FullAt { get; init; } = new(1, 0);

    /// <summary>How often a differential backup is taken between full ones.</summary>
    public TimeSpan IncrementalEvery { get; init; } = TimeSpan.FromHours(1);

    public int KeepHourly { get; init; } = 24;

    public int KeepDaily { get; init; } = 7;

    public int KeepWeekly { get; init; } = 4;
}

/// <summary>How a domain's certificate is obtained.</summary>
public enum DomainTls
{
    /// <summary>By ACME (HTTP-01) from the configured directory: the default for production.</summary>
    Acme,

    /// <summary>From the load balancer's own certificate authority: the default for staging and the local cluster.</summary>
    Internal,
}

/// <summary>A public domain routed to a service, from <c>x-ward.domains</c>.</summary>
public sealed record DomainSpec
{
    public required string Name { get; init; }

    public required string Service { get; init; }

    public int? Port { get; init; }

    /// <summary>Only requests under this path prefix go to the service (default: every path).</summary>
    public string? Path { get; init; }

    /// <summary>Other names that redirect permanently to this one (www.example.org → example.org).</summary>
    public ValueList<string> Redirects { get; init; } = ValueList<string>.Empty;

    /// <summary>How the certificate is obtained; null: ACME in production, the internal authority in staging.</summary>
    public DomainTls? Tls { get; init; }

    /// <summary>When the domain's A record was pointed at the manager node (declared in the file, not observed).</summary>
    public DateTimeOffset? MappedAt { get; init; }
}

/// <summary>The load balancer Ward runs on the manager for the domains, from <c>x-ward.load_balancer</c>.</summary>
public sealed record LoadBalancerSpec
{
    /// <summary>The ACME directory certificates are ordered from (default: Let's Encrypt's).</summary>
    public string? AcmeDirectory { get; init; }

    /// <summary>The address the ACME authority writes to about the certificates.</summary>
    public string? AcmeEmail { get; init; }

    /// <summary>
    /// A PEM file (relative to the environment file) with the root that the ACME directory's own HTTPS certificate
    /// chains to, for a private or test authority.
    /// </summary>
    public string? AcmeCaRoot { get; init; }

    /// <summary>Send Strict-Transport-Security; null: on in production, off in staging.</summary>
    public bool? Hsts { get; init; }
}

/// <summary>The production switchover plan, from <c>x-ward.switchover</c>.</summary>
public sealed record SwitchoverSpec
{
    public TimeWindow? Window { get; init; }

    public RestoreRehearsal? RestoreRehearsal { get; init; }

    /// <summary>Free text: the back-out plan (previous DNS target, restore point, owner).</summary>
    public string? RollbackPlan { get; init; }

    /// <summary>When the swarm state (/var/lib/docker/swarm) was last backed up.</summary>
    public DateTimeOffset? SwarmBackupAt { get; init; }
}

public sealed record TimeWindow(DateTimeOffset Start, DateTimeOffset End)
{
    public TimeSpan Length => End - Start;
}

public sealed record RestoreRehearsal(DateTimeOffset At, bool Passed);

/// <summary>An accepted finding, from <c>x-ward.waivers</c>: a rule, the path it names, a reason and an expiry.</summary>
public sealed record WaiverSpec
{
    public required string Rule { get; init; }

    /// <summary>The path that the finding names; empty or "*" waives the rule everywhere.</summary>
    public string Target { get; init; } = "";

    public required string Reason { get; init; }

    public DateOnly? Expires { get; init; }

    /// <summary>Where the waiver itself is written, e.g. <c>x-ward.waivers[0]</c>.</summary>
    public string Path { get; init; } = "";
}

/// <summary>What the team attests about the swarm's control plane (x-ward.swarm), for the CIS section 7 rules.</summary>
public sealed record SwarmAttestation
{
    public bool? Autolock { get; init; }

    public DateTimeOffset? UnlockKeyRotatedAt { get; init; }

    public string? ListenAddr { get; init; }

    public string? DataPathAddr { get; init; }

    public TimeSpan? CertExpiry { get; init; }

    public DateTimeOffset? CaRotatedAt { get; init; }
}
