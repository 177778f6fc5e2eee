using System.Text.RegularExpressions;
using Ward.Model.Diagnostics;
using Ward.Model.Spec;

namespace Ward.Rules.Rules;

/// <summary>The patterns that mark a name or a text as secret material.</summary>
internal static partial class SecretPatterns
{
    /// <summary>A name that says it holds a secret: DB_PASSWORD, API_KEY, jwt-secret, GITHUB_TOKEN...</summary>
    [GeneratedRegex(@"(^|[_.\-])(pass(wd|word)?|pwd|secret|token|bearer|credentials?)($|[_.\-])|api[_.\-]?key|access[_.\-]?key|private[_.\-]?key|secret[_.\-]?key", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex SecretName();

    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY-----", RegexOptions.CultureInvariant)]
    public static partial Regex PrivateKey();

    /// <summary>A line of text that assigns a secret-looking name a value: "password = hunter2", "token: abc".</summary>
    [GeneratedRegex(@"(?im)^\s*[\w.\-]*(pass(wd|word)?|secret|token|api[_.\-]?key|private[_.\-]?key)[\w.\-]*\s*[:=]\s*\S+")]
    public static partial Regex SecretAssignment();

    /// <summary>Values that are clearly settings, not secrets: lengths, flags, empty.</summary>
    public static bool IsHarmless(string value) =>
        value.Length == 0 || (value.Length <= 4 && value.All(char.IsAsciiDigit)) || value is "true" or "false" or "yes" or "no";
}

/// <summary>SEC-001: secrets are not set in plain environment variables.</summary>
public sealed class PlaintextSecretRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "SEC-001",
        Title = "No secrets in environment variables",
        Severity = Severity.Error,
        Why = "Environment variables are part of the service spec: anyone who can inspect the service, read its logs or a crash dump sees them. Swarm secrets are encrypted at rest and mounted in memory at /run/secrets.",
        Fix = "Create a Docker secret and pass its path: `secrets: [db_password]` and `DB_PASSWORD_FILE: /run/secrets/db_password` (most images read *_FILE variables).",
        Source = "MedStack Go to Production; Docker secrets (\"environment variables can unintentionally be leaked\"); Polaris sensitiveContainerEnvVar; dockle CIS-DI-0010; CIS Docker Benchmark 7.4.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            foreach (var (name, value) in service.Environment)
            {
                var path = PathOf(service, "environment", name);
                if (value is not null && SecretPatterns.PrivateKey().IsMatch(value))
                {
                    yield return Report(path, $"service {service.Name} puts a private key in the environment variable {name}", subject: $"service {service.Name}", value: name);
                    continue;
                }

                if (!SecretPatterns.SecretName().IsMatch(name) || name.EndsWith("_FILE", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (value is null)
                {
                    yield return Report(path, $"service {service.Name} copies {name} from the deploying shell into its environment, in plain text", subject: $"service {service.Name}", value: name);
                }
                else if (!SecretPatterns.IsHarmless(value) && !value.StartsWith("/run/secrets/", StringComparison.Ordinal))
                {
                    // The value itself is never shown: this message may end up in CI logs.
                    yield return Report(path, $"service {service.Name} sets {name} in its environment as plain text", subject: $"service {service.Name}", value: name);
                }
            }
        }
    }
}

/// <summary>SEC-002: secrets and configs are external in production, and used.</summary>
public sealed class SecretDeclarationRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "SEC-002",
        Title = "Secrets and configs are managed and used",
        Severity = Severity.Warning,
        Why = "In production a `file:` source means the secret lives on a workstation or in the repository (warning). A declared but unused one is clutter (information). (A reference to an undeclared secret or config is CMP-002's: the deploy is refused.)",
        Fix = "In production create secrets once (`ward secret set` or `docker secret create`) and declare them `external: true`; remove secrets and configs no service uses.",
        Source = "Docker secrets \"Defining and using secrets in compose files\"; Docker configs.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        var spec = context.Spec;
        foreach (var finding in Check(context, "secrets", spec.Secrets, s => s.Secrets))
        {
            yield return finding;
        }

        foreach (var finding in Check(context, "configs", spec.Configs, s => s.Configs))
        {
            yield return finding;
        }
    }

    private IEnumerable<Finding> Check(RuleContext context, string section, IReadOnlyList<FileObjectSpec> declared, Func<ServiceSpec, IReadOnlyList<FileReference>> references)
    {
        var kind = section.TrimEnd('s');
        var keys = declared.Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in context.Spec.Services)
        {
            var list = references(service);
            for (var i = 0; i < list.Count; i++)
            {
                // An undeclared one is CMP-002's: docker stack deploy refuses the file.
                used.Add(list[i].Source);
            }
        }

        foreach (var item in declared)
        {
            if (context.IsProduction && !item.External && item.File is not null)
            {
                yield return Report(Paths.Under(section, item.Key, "file"), $"{kind} {item.Key} is read from the file {item.File} at deploy time; in production create it once and declare it external", Severity.Warning, $"{kind} {item.Key}");
            }

            if (!used.Contains(item.Key))
            {
                yield return Report(Paths.Under(section, item.Key), $"{kind} {item.Key} is declared but no service uses it", Severity.Info, $"{kind} {item.Key}");
            }
        }
    }
}

/// <summary>SEC-003: no secret material in configs.</summary>
public sealed class ConfigSecretRule : Rule
{
    private const int MaxBytesRead = 512 * 1024;

    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "SEC-003",
        Title = "No secrets in configs",
        Severity = Severity.Error,
        Why = "Swarm configs are not encrypted at rest and anyone who can inspect them reads their content.",
        Fix = "Move the secret part into a Docker secret and reference it from the config (most software can read a password from a file).",
        Source = "Docker configs (\"they are not encrypted at rest\"); Polaris sensitiveConfigmapContent.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var config in context.Spec.Configs)
        {
            var path = Paths.Under("configs", config.Key);
            if (SecretPatterns.SecretName().IsMatch(config.Key))
            {
                yield return Report(path, $"config {config.Key} is named like a secret; configs are not encrypted", subject: $"config {config.Key}");
                continue;
            }

            if (config.File is not null && context.Files?.ReadText(config.File, MaxBytesRead) is { } content &&
                (SecretPatterns.PrivateKey().IsMatch(content) || SecretPatterns.SecretAssignment().IsMatch(content)))
            {
                yield return Report(path + ".file", $"config {config.Key} ({config.File}) contains what looks like a password, token or private key", subject: $"config {config.Key}");
            }
        }
    }
}

/// <summary>SEC-004: configuration files arrive as configs, not bind mounts.</summary>
public sealed partial class ConfigBindMountRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "SEC-004",
        Title = "Configuration files are Swarm configs",
        Severity = Severity.Warning,
        Why = "A bind-mounted configuration file must exist on every node the task may land on; a Swarm config is stored in the cluster, versioned and delivered to whichever node runs the task.",
        Fix = "Declare the file under the top-level `configs:` and mount it with `configs: [ { source: nginx_conf, target: /etc/nginx/nginx.conf } ]`.",
        Source = "Docker configs (\"without the need to bind-mount configuration files into the containers\"); Docker development best practices.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            foreach (var (mount, path) in Mounts.Of(service).Where(m => m.Mount.Type == MountType.Bind && m.Mount.Source is { } s && ConfigFile().IsMatch(s)))
            {
                yield return Report(path, $"service {service.Name} bind-mounts the configuration file {mount.Source}; make it a Swarm config", subject: $"service {service.Name}", value: mount.Source);
            }
        }
    }

    [GeneratedRegex(@"\.(conf|cfg|ya?ml|json|ini|toml|properties|xml)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ConfigFile();
}

/// <summary>SEC-005: secrets and configs fit the engine's size limits (500 KiB and 1000 KiB).</summary>
public sealed class SecretSizeRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "SEC-005",
        Title = "Secrets are under 500 KiB, configs under 1000 KiB",
        Severity = Severity.Error,
        BlocksDeploy = true,
        Why = "The engine refuses a secret of 500 KiB (512,000 bytes) or more and a config of 1000 KiB (1,024,000 bytes) or more, and the deploy fails part-way.",
        Fix = "Keep secrets and configs small; ship large files in the image or on a volume.",
        Source = "Docker secrets (\"up to 500 kb in size\"); swarmkit MaxSecretSize and MaxConfigSize (\"data must be larger than 0 and less than 512000 bytes\"), probed on the engine 20.10.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var (section, item, limit) in context.Spec.Secrets.Select(s => ("secrets", (FileObjectSpec)s, EngineLimits.SecretSizeLimit))
                     .Concat(context.Spec.Configs.Select(c => ("configs", (FileObjectSpec)c, EngineLimits.ConfigSizeLimit))))
        {
            if (!item.External && item.File is not null && context.Files?.Size(item.File) is { } size && size >= limit)
            {
                yield return Report(Paths.Under(section, item.Key, "file"), $"{section.TrimEnd('s')} {item.Key} ({item.File}) is {size} bytes; the engine takes less than {limit} ({limit / 1024} KiB)", subject: $"{section.TrimEnd('s')} {item.Key}", value: $"{size} bytes");
            }
        }
    }
}

/// <summary>SEC-006: rotation-friendly names and tight file modes.</summary>
public sealed partial class SecretHygieneRule : Rule
{
    private const int OwnerRead = 0x100; // 0400
    private const int GroupRead = 0x120; // 0440

    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "SEC-006",
        Title = "Secret names carry a version; mounts are not world-readable",
        Severity = Severity.Info,
        Why = "Secrets and configs are immutable: rotating means creating a new one, so an external secret's or config's name should carry a version or date. A mounted secret is readable by every user in the container (0444) unless the mount narrows it. (Ward versions the secrets it creates itself.)",
        Fix = "Name external secrets and configs like db_password_v2 or db_password_2026_11, and mount secrets in long syntax with `mode: 0400` (and uid/gid when the service runs as a non-root user).",
        Source = "Docker secrets (\"consider adding a version number or date to the secret name\"; default -r--r--r--).",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        // Configs are as immutable as secrets, so their names need a version for rotation too.
        var external = context.Spec.Secrets.Select(s => ("secret", (FileObjectSpec)s)).Concat(context.Spec.Configs.Select(c => ("config", (FileObjectSpec)c)));
        foreach (var (kind, item) in external.Where(e => e.Item2.External && !Versioned().IsMatch(e.Item2.Name ?? e.Item2.Key)))
        {
            yield return Report(Paths.Under(kind + "s", item.Key), $"external {kind} {item.Name ?? item.Key} carries no version or date in its name", subject: $"{kind} {item.Key}");
        }

        foreach (var service in context.Spec.Services)
        {
            for (var i = 0; i < service.Secrets.Count; i++)
            {
                var reference = service.Secrets[i];
                if (reference.Mode is not (OwnerRead or GroupRead))
                {
                    yield return Report(PathOf(service, "secrets") + $"[{i}]", $"service {service.Name} mounts the secret {reference.Source} with mode {(reference.Mode is { } mode ? "0" + Convert.ToString(mode, 8) : "0444 (default)")}; use 0400 or 0440", subject: $"service {service.Name}");
                }
                else if (service.User is { } user && user.Split(':')[0] is not ("root" or "0") && reference.Uid is null)
                {
                    yield return Report(PathOf(service, "secrets") + $"[{i}]", $"service {service.Name} runs as {user} but its secret {reference.Source} is owned by root; set uid/gid", subject: $"service {service.Name}");
                }
            }
        }
    }

    [GeneratedRegex(@"([._-]v?\d+|\d{4}[._-]?\d{2}([._-]?\d{2})?)$", RegexOptions.CultureInvariant)]
    private static partial Regex Versioned();
}
