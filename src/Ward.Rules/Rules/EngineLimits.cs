using System.Text.RegularExpressions;

namespace Ward.Rules.Rules;

/// <summary>
/// What the Docker engine accepts, as it checks it (swarmkit's controlapi, the daemon's spec conversion, the container
/// executor, runc). Each value was probed on the engine the tests run (20.10, API 1.41); the ENG rules use them, and
/// docs/reference/stack-config-behaviour.md (section 9) lists what was seen.
/// </summary>
internal static partial class EngineLimits
{
    /// <summary>The shortest healthcheck interval, timeout or start period other than 0 (unset).</summary>
    public static readonly TimeSpan MinimumHealthcheckDuration = TimeSpan.FromMilliseconds(1);

    /// <summary>The smallest CPU count other than 0: 1,000,000 nano-CPUs.</summary>
    public const double MinimumCpus = 0.001;

    /// <summary>The smallest memory limit or reservation other than 0.</summary>
    public const long MinimumMemoryBytes = 4 * 1024 * 1024;

    /// <summary>Secret data must be shorter than this (swarmkit MaxSecretSize).</summary>
    public const long SecretSizeLimit = 500 * 1024;

    /// <summary>Config data must be shorter than this (swarmkit MaxConfigSize).</summary>
    public const long ConfigSizeLimit = 1000 * 1024;

    /// <summary>Services and swarm networks: a DNS label of at most 63 characters.</summary>
    public const int DnsNameLength = 63;

    /// <summary>Secrets and configs: at most 64 characters.</summary>
    public const int ObjectNameLength = 64;

    /// <summary>What Ward appends to a secret or config name it creates: '_' and the content hash.</summary>
    public const int ContentHashSuffixLength = 11;

    public static readonly HashSet<string> RestartConditions = new(StringComparer.Ordinal) { "none", "on-failure", "any" };

    public static readonly HashSet<string> FailureActions = new(StringComparer.Ordinal) { "pause", "continue", "rollback" };

    public static readonly HashSet<string> EndpointModes = new(StringComparer.OrdinalIgnoreCase) { "vip", "dnsrr" };

    public static readonly HashSet<string> Propagations = new(StringComparer.OrdinalIgnoreCase) { "private", "rprivate", "shared", "rshared", "slave", "rslave" };

    /// <summary>Linux capabilities (without CAP_); PERFMON, BPF and CHECKPOINT_RESTORE need an engine newer than 20.10.</summary>
    public static readonly HashSet<string> Capabilities = new(StringComparer.Ordinal)
    {
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
        "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
        "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
        "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
        "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
        "CHECKPOINT_RESTORE",
    };

    /// <summary>Resource limits runc knows (RLIMIT_ + the name in upper case).</summary>
    public static readonly HashSet<string> Ulimits = new(StringComparer.OrdinalIgnoreCase)
    {
        "as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio",
        "rttime", "sigpending", "stack",
    };

    /// <summary>Signal names the engine parses (case-insensitive, with or without SIG), besides numbers other than 0.</summary>
    private static readonly HashSet<string> Signals = new(StringComparer.OrdinalIgnoreCase)
    {
        "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL", "PIPE", "POLL",
        "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1",
        "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX",
    };

    /// <summary>Sysctls a container may set (runc: the IPC ones, fs.mqueue.*, net.* and kernel.domainname).</summary>
    private static readonly HashSet<string> IpcSysctls = new(StringComparer.Ordinal)
    {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
    };

    /// <summary>A service or swarm network name: swarmkit's DNS-component pattern and length.</summary>
    public static bool IsDnsName(string name) => name.Length <= DnsNameLength && DnsName().IsMatch(name);

    /// <summary>A secret or config name: swarmkit's pattern and length.</summary>
    public static bool IsObjectName(string name) => name.Length <= ObjectNameLength && ObjectName().IsMatch(name);

    /// <summary>A volume name the local driver accepts.</summary>
    public static bool IsLocalVolumeName(string name) => LocalVolumeName().IsMatch(name);

    public static bool IsSignal(string signal)
    {
        if (int.TryParse(signal, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return number != 0;
        }

        var name = signal.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? signal[3..] : signal;
        return Signals.Contains(name) || RealTimeSignal().IsMatch(name);
    }

    public static bool IsNamespacedSysctl(string name) =>
        IpcSysctls.Contains(name) || name.StartsWith("fs.mqueue.", StringComparison.Ordinal) || name.StartsWith("net.", StringComparison.Ordinal) || name == "kernel.domainname";

    /// <summary>
    /// An address range as Go's net.ParseCIDR reads it: an IPv4 address in four decimal parts without leading zeros, or
    /// an IPv6 address without zone, then '/' and a prefix length in decimal (leading zeros allowed) that fits it.
    /// </summary>
    public static bool IsCidr(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || slash == text.Length - 1 || text.AsSpan(slash + 1).ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }

        var address = text[..slash];
        int bits;
        if (address.Contains(':', StringComparison.Ordinal))
        {
            if (address.Contains('%', StringComparison.Ordinal) || !System.Net.IPAddress.TryParse(address, out var parsed) || parsed.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                return false;
            }

            bits = 128;
        }
        else
        {
            var parts = address.Split('.');
            if (parts.Length != 4 || !Array.TrueForAll(parts, p => p.Length is > 0 and <= 3 && !p.AsSpan().ContainsAnyExceptInRange('0', '9') && (p.Length == 1 || p[0] != '0') && int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) <= 255))
            {
                return false;
            }

            bits = 32;
        }

        var prefix = text[(slash + 1)..].TrimStart('0');
        return prefix.Length <= 3 && (prefix.Length == 0 || int.Parse(prefix, System.Globalization.CultureInfo.InvariantCulture) <= bits);
    }

    /// <summary>
    /// Why swarmkit's constraint parser refuses a placement constraint, or null: "==" is looked for before "!=", the key
    /// and the value must match its patterns (the texts are swarmkit's own).
    /// </summary>
    public static string? ConstraintProblem(string constraint)
    {
        foreach (var op in new[] { "==", "!=" })
        {
            var at = constraint.IndexOf(op, StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            var key = constraint[..at].Trim();
            var value = constraint[(at + 2)..].Trim();
            return !ConstraintKey().IsMatch(key) ? $"key '{key}' is invalid"
                : !ConstraintValue().IsMatch(value) ? $"value '{value}' is invalid"
                : null;
        }

        return "constraint expected one operator from ==, !=";
    }

    // \z, not $ (which .NET also matches before a final line break); ASCII classes only.
    [GeneratedRegex(@"\A[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex DnsName();

    [GeneratedRegex(@"\A[a-zA-Z0-9]+(?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex ObjectName();

    [GeneratedRegex(@"\A[a-zA-Z0-9][a-zA-Z0-9_.-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex LocalVolumeName();

    [GeneratedRegex(@"\A(?:RTMIN\+(?:[1-9]|1[0-5])|RTMAX-(?:[1-9]|1[0-4]))\z", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex RealTimeSignal();

    [GeneratedRegex(@"\A[a-zA-Z_][a-zA-Z0-9\-_.]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex ConstraintKey();

    [GeneratedRegex(@"\A[a-zA-Z0-9:\-_\t\n\f\r .*()?+\[\]\\^$|/]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex ConstraintValue();
}
