using Ward.Model.Diagnostics;

namespace Ward.Rules.Rules;

/// <summary>
/// A rule whose findings the reader makes while it reads the file (it sees keys and syntax the model no longer
/// holds). The rule turns those diagnostics into findings; diagnostics that make the file unreadable are reported
/// by the reader itself, with the same id, and the check stops there.
/// </summary>
public abstract class ReaderDiagnosticRule : Rule
{
    public override IEnumerable<Finding> Evaluate(RuleContext context) => context.ReaderDiagnostics
        .Where(d => d.Code == Descriptor.Id && !d.BlocksReading)
        .Select(d => Report(d.Path, d.Message, d.Severity) with { Location = d.Location });
}

/// <summary>CMP-001: keys that <c>docker stack deploy</c> ignores, so the author's intent silently does not apply.</summary>
public sealed class IgnoredKeysRule : ReaderDiagnosticRule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "CMP-001",
        Title = "Key ignored by docker stack deploy",
        Severity = Severity.Warning,
        Why = "The stack deployer drops these keys (build, privileged, security_opt, restart, network_mode, depends_on, ...) and deploys anyway, so a security or restart setting the author relied on does not apply. container_name and expose are deprecated and reported at info level.",
        Fix = "Remove the key, or express it the Swarm way: deploy.restart_policy instead of restart, cap_add instead of privileged, networks instead of network_mode or links, a pre-built image instead of build.",
        Source = "docker/cli cli/compose/types (UnsupportedProperties, DeprecatedProperties); Compose file v3 reference, \"not supported for docker stack deploy\".",
    };
}

/// <summary>CMP-003: keys newer than the file's declared compose version; the CLI refuses the file.</summary>
public sealed class ComposeVersionRule : ReaderDiagnosticRule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "CMP-003",
        Title = "Key needs a newer compose file version",
        Severity = Severity.Error,
        Why = "Each compose file version allows a fixed set of keys (update_config.order and healthcheck.start_period need 3.4, rollback_config and init 3.7, max_replicas_per_node 3.8, ...). docker stack deploy refuses a file that uses a key its declared version does not have, so Ward cannot read it either.",
        Fix = "Raise `version:` to the version the key needs (\"3.8\" covers everything Swarm supports today), or remove the key.",
        Source = "Compose file v3 reference (\"Added in version 3.x file format\"); the schemas config_schema_v3.0-3.13 of the Docker CLI.",
    };
}

/// <summary>READ-001: an unknown key in Ward's own section is ignored.</summary>
public sealed class UnknownWardKeyRule : ReaderDiagnosticRule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "READ-001",
        Title = "Unknown key in x-ward",
        Severity = Severity.Warning,
        Why = "Ward ignores keys it does not know in its own section, so a newer file still reads, but a misspelt key (sise: instead of size:) silently has no effect.",
        Fix = "Correct the key's spelling (the finding suggests the closest known key) or remove it.",
        Source = "Ward environment file format (docs/environment-file.md).",
    };
}

/// <summary>READ-002: an interpolation that reads, but probably not as meant.</summary>
public sealed class InterpolationRule : ReaderDiagnosticRule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "READ-002",
        Title = "Variable not set, or expression dropped",
        Severity = Severity.Warning,
        Why = "An unset ${VAR} becomes an empty string (an image tag, a password file path...), and docker stack deploy silently drops a malformed $ expression when a later one in the same value is fine. The deploy then runs with values nobody wrote.",
        Fix = "Set the variable (in the environment or with --env-file), give it a default (${VAR:-value}) or make it required (${VAR:?message}); write $$ for a literal dollar sign.",
        Source = "docker/cli cli/compose/template (interpolation rules); Compose file v3 reference, \"Variable substitution\".",
    };
}

/// <summary>READ-003: deprecated syntax that still reads.</summary>
public sealed class DeprecatedSyntaxRule : ReaderDiagnosticRule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "READ-003",
        Title = "Deprecated syntax",
        Severity = Severity.Info,
        Why = "external: {name: x} is deprecated in favour of name: x with external: true; later tools may stop reading it.",
        Fix = "Write `name: <the name>` and `external: true` instead of `external: {name: ...}`.",
        Source = "docker/cli cli/compose/loader (external.name deprecation warning).",
    };
}
