using CsCheck;
using Ward.Model.Catalog;
using Ward.Model.Spec;
using Ward.Rules.Reports;

namespace Ward.Rules.Tests;

/// <summary>
/// Random environments, valid and not (unknown sizes, broken constraints, dangling references, negative counts,
/// zero durations), through every rule and every report: no rule may throw, which the checker would turn into an
/// "internal error" finding.
/// </summary>
public sealed class PropertyTests
{
    private static readonly string[] NodeNames = ["manager-1", "worker-1", "worker-2", "worker-3", "n5"];

    private static readonly Gen<NodeSpec> Node =
        from name in Gen.OneOf(NodeNames)
        from role in Gen.Enum<NodeRole>()
        from size in Gen.OneOf("small", "medium", "large", "x-large", "huge", "")
        from availability in Gen.Enum<NodeAvailability>()
        from address in Gen.OneOf("203.0.113.10", "203.0.113.11", "").Null(0.3)
        from zone in Gen.OneOf("1", "2", "3").Null(0.5)
        from labels in Gen.OneOf("database", "zone", "edge", "cache").Array[0, 3]
        select new NodeSpec
        {
            Name = name,
            Role = role,
            Size = size,
            Availability = availability,
            Address = address,
            Zone = zone,
            Labels = Map(labels.Distinct().Select(l => (l, l == "zone" ? "1" : "true"))),
        };

    private static readonly Gen<string> ConstraintText = Gen.OneOf(
        "node.role != manager", "node.role == worker", "node.role == manager", "node.role == boss", "node.labels.database == true",
        "node.labels.zone != 1", "node.hostname == worker-1", "node.id == abc", "engine.labels.ssd == true", "node.platform.os == linux",
        "node.labels. == x", "== worker", "node.role", "node.role !== manager", "", " ", "node.labels.database==TRUE");

    private static readonly Gen<MountSpec> Mount =
        from type in Gen.Enum<MountType>()
        from source in Gen.OneOf("records", "cache", "undeclared", "/", "/etc", "/etc/nginx/nginx.conf", "./app.yml", "/var/run/docker.sock", "/run/docker.sock/", "relative", "").Null(0.2)
        from target in Gen.OneOf("/var/lib/postgresql/data", "/data", "/", "", "/srv", "/var/lib/mysql/")
        from propagation in Gen.OneOf("shared", "rslave", "private", "").Null(0.6)
        select new MountSpec { Type = type, Source = source, Target = target, Propagation = propagation };

    private static readonly Gen<FileReference> Reference =
        from source in Gen.OneOf("db_password", "api_key", "settings", "missing", "")
        from mode in Gen.OneOf(0x100, 0x120, 0x124, 0, -1).Nullable(0.4)
        from uid in Gen.OneOf("10001", "0", "").Null(0.5)
        select new FileReference { Source = source, Mode = mode, Uid = uid, LongSyntax = mode is not null };

    private static readonly Gen<PortSpec> Port =
        from target in Gen.Int[0, 70000]
        from published in Gen.OneOf(80, 443, 5432, 8080, 0, -1).Nullable(0.3)
        from mode in Gen.OneOf("ingress", "host", "")
        select new PortSpec { Target = target, Published = published, Mode = mode };

    private static readonly Gen<TimeSpan?> Duration = Gen.OneOf(TimeSpan.Zero, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30), TimeSpan.FromHours(-1), TimeSpan.MaxValue).Nullable(0.4);

    private static readonly Gen<HealthcheckSpec?> Healthcheck =
        from disabled in Gen.Bool
        from interval in Duration
        from timeout in Duration
        from start in Duration
        from retries in Gen.Long[-1, 5].Nullable(0.3)
        select new HealthcheckSpec { Disabled = disabled, Interval = interval, Timeout = timeout, StartPeriod = start, Retries = retries, Test = ValueList.Of("CMD", "true") }
        into check
        from maybe in Gen.Const(check).Null(0.3)
        select maybe;

    private static readonly Gen<ResourceValues?> Resources =
        from cpus in Gen.OneOf(0.0, 0.25, 1.5, 4, 64, -1, double.NaN, double.MaxValue).Nullable(0.3)
        from memory in Gen.OneOf(0L, 128L << 20, 2L << 30, 64L << 30, long.MaxValue, -1L).Nullable(0.3)
        from pids in Gen.OneOf(0L, 200L, -1L).Nullable(0.5)
        select new ResourceValues { Cpus = cpus, MemoryBytes = memory, Pids = pids }
        into values
        from maybe in Gen.Const(values).Null(0.3)
        select maybe;

    private static readonly Gen<UpdateConfigSpec?> Update =
        from parallelism in Gen.Long[-1, 4].Nullable(0.3)
        from delay in Duration
        from action in Gen.OneOf("continue", "rollback", "pause", "").Null(0.3)
        from monitor in Duration
        from order in Gen.OneOf("start-first", "stop-first", "sideways").Null(0.3)
        select new UpdateConfigSpec { Parallelism = parallelism, Delay = delay, FailureAction = action, Monitor = monitor, Order = order }
        into update
        from maybe in Gen.Const(update).Null(0.3)
        select maybe;

    private static readonly Gen<DeploySpec> Deploy =
        from mode in Gen.Enum<ServiceMode>()
        from replicas in Gen.Int[-1, 12].Nullable(0.3)
        from constraints in ConstraintText.Array[0, 3]
        from spread in Gen.OneOf("node.labels.zone", "node.labels.missing", "node.id", "").Array[0, 2]
        from perNode in Gen.Int[-1, 3].Nullable(0.6)
        from limits in Resources
        from reservations in Resources
        from restart in Gen.OneOf("on-failure", "any", "none", "").Null(0.3)
        from attempts in Gen.Long[0, 10].Nullable(0.4)
        from update in Update
        from rollback in Update
        from platform in Gen.Bool
        select new DeploySpec
        {
            Mode = mode,
            Replicas = replicas,
            Placement = new PlacementSpec { Constraints = constraints.ToValueList(), Spread = spread.ToValueList(), MaxReplicasPerNode = perNode },
            Resources = new ResourcesSpec { Limits = limits, Reservations = reservations },
            RestartPolicy = restart is null ? null : new RestartPolicySpec { Condition = restart, MaxAttempts = attempts, Window = attempts is null ? null : TimeSpan.FromSeconds(60) },
            UpdateConfig = update,
            RollbackConfig = rollback,
            Labels = platform ? Map([("ward.platform", "true")]) : ValueMap<string>.Empty,
        };

    private static readonly Gen<ServiceSpec> Service =
        from name in Gen.OneOf("web", "api", "db", "cache", "worker", "")
        from image in Gen.OneOf("postgres", "postgres:15", "redis:latest", "registry.example.org/a/web:1.0", "localhost:5000/x@sha256:abc", "mysql:8@", ":", "/", "a/b/c:", "").Null(0.1)
        from user in Gen.OneOf("root", "0", "10001:10001", ":", "").Null(0.4)
        from environment in Gen.OneOf("DB_PASSWORD", "API_KEY", "TOKEN_FILE", "LOG_LEVEL", "PRIVATE").Array[0, 3]
        from value in Gen.OneOf("secret-value", "/run/secrets/x", "-----BEGIN RSA PRIVATE KEY-----", "", "12").Null(0.2)
        from ports in Port.Array[0, 2]
        from volumes in Mount.Array[0, 3]
        from secrets in Reference.Array[0, 2]
        from configs in Reference.Array[0, 2]
        from networks in Gen.OneOf("frontend", "backend", "host", "default", "undeclared").Array[0, 2]
        from deploy in Deploy
        from healthcheck in Healthcheck
        from capabilities in Gen.OneOf("SYS_ADMIN", "cap_net_admin", "NET_BIND_SERVICE", "ALL", "").Array[0, 2]
        from readOnly in Gen.Bool.Nullable(0.3)
        from database in Gen.Bool
        select new ServiceSpec
        {
            Name = name,
            Image = image,
            User = user,
            Environment = new ValueMap<string?>(environment.Distinct().Select(k => new KeyValuePair<string, string?>(k, value))),
            Ports = ports.ToValueList(),
            Volumes = volumes.ToValueList(),
            Secrets = secrets.ToValueList(),
            Configs = configs.ToValueList(),
            Networks = networks.Select(n => new ServiceNetwork { Name = n }).ToValueList(),
            Deploy = deploy,
            Healthcheck = healthcheck,
            CapAdd = capabilities.ToValueList(),
            CapDrop = capabilities.Length > 1 ? ValueList.Of("ALL") : ValueList<string>.Empty,
            ReadOnly = readOnly,
            Labels = database ? Map([("ward.role", "database")]) : ValueMap<string>.Empty,
        };

    private static readonly Gen<WaiverSpec> Waiver =
        from rule in Gen.OneOf("REL-001", "IMG-001", "WVR-002", "NOPE-1", "")
        from target in Gen.OneOf("", "*", "services", "services.web", "services.web.image", "x-ward")
        from expires in Gen.OneOf(new DateOnly(2026, 1, 1), new DateOnly(2026, 11, 27), new DateOnly(2027, 1, 1)).Nullable(0.5)
        from index in Gen.Int[0, 3]
        select new WaiverSpec { Rule = rule, Target = target, Reason = "r", Expires = expires, Path = $"x-ward.waivers[{index}]" };

    private static readonly Gen<DateTimeOffset> Time = Gen.OneOf(
        WardCheck.Now, WardCheck.Now.AddDays(-60), WardCheck.Now.AddHours(-1), WardCheck.Now.AddDays(8), DateTimeOffset.MinValue, DateTimeOffset.MaxValue);

    private static readonly Gen<SwitchoverSpec?> Switchover =
        from start in Time
        from end in Time
        from rehearsal in Time
        from passed in Gen.Bool
        from backup in Time.Nullable(0.4)
        from plan in Gen.OneOf("plan", " ", "").Null(0.3)
        select new SwitchoverSpec { Window = new TimeWindow(start, end), RestoreRehearsal = new RestoreRehearsal(rehearsal, passed), SwarmBackupAt = backup, RollbackPlan = plan }
        into switchover
        from maybe in Gen.Const(switchover).Null(0.3)
        select maybe;

    private static readonly Gen<EnvironmentSpec> Environment =
        from nodes in Node.Array[0, 6]
        from services in Service.Array[0, 5]
        from volumes in Gen.OneOf("records", "cache", "shared").Array[0, 3]
        from driver in Gen.OneOf("local", "azurefile", "").Null(0.5)
        from device in Gen.OneOf("/etc", "/mnt/data", "", "/").Null(0.6)
        from secrets in Gen.OneOf("db_password", "api_key", "plain").Array[0, 3]
        from external in Gen.Bool
        from networks in Gen.OneOf("frontend", "backend", "host").Array[0, 3]
        from encrypted in Gen.Bool
        from domains in Gen.OneOf("app.example.org", "old.example.org", "").Array[0, 2]
        from mapped in Time.Nullable(0.3)
        from databaseTier in Gen.OneOf("basic-1", "general-purpose-2", "unknown").Array[0, 2]
        from switchover in Switchover
        from waivers in Waiver.Array[0, 3]
        from listen in Gen.OneOf("0.0.0.0:2377", "10.0.0.1:2377", "").Null(0.3)
        select new EnvironmentSpec
        {
            Name = "random",
            Version = ComposeVersion.Latest,
            Nodes = nodes.ToValueList(),
            Services = services.ToValueList(),
            Volumes = volumes.Distinct().Select(v => new VolumeSpec { Key = v, Driver = driver, DriverOpts = device is null ? ValueMap<string>.Empty : Map([("device", device)]) }).ToValueList(),
            Secrets = secrets.Distinct().Select(s => new SecretSpec { Key = s, External = external, File = external ? null : s + ".txt", Name = external ? s : null }).ToValueList(),
            Configs = secrets.Distinct().Select(s => new ConfigSpec { Key = "settings", External = !external, File = external ? "settings.ini" : null }).Take(1).ToValueList(),
            Networks = networks.Distinct().Select(n => new NetworkSpec { Key = n, External = n == "host", Name = n == "host" ? "host" : null, DriverOpts = encrypted ? Map([("encrypted", "true")]) : ValueMap<string>.Empty }).ToValueList(),
            Domains = domains.Select(d => new DomainSpec { Name = d, Service = "web", MappedAt = mapped }).ToValueList(),
            Databases = databaseTier.Select((t, i) => new DatabaseSpec { Name = $"db{i}", Tier = t, Service = i == 0 ? "db" : null, External = i == 1 ? new ExternalDatabase("db.example.org", 5432) : null }).ToValueList(),
            Switchover = switchover,
            Waivers = waivers.ToValueList(),
            Swarm = listen is null ? null : new SwarmAttestation { ListenAddr = listen, Autolock = listen.Length > 0 },
        };

    private static readonly Gen<(EnvironmentSpec, bool, bool, bool, bool)> Case =
        from spec in Environment
        from staging in Gen.Bool
        from useWaivers in Gen.Bool
        from live in Gen.Bool
        from files in Gen.Bool
        select (spec, staging, useWaivers, live, files);

    [Fact]
    public void No_rule_fails_on_a_random_environment()
    {
        Case.Sample((spec, staging, useWaivers, live, files) =>
        {
            var context = new RuleContext(spec, SizeCatalog.BuiltIn, staging ? EnvironmentKind.Staging : EnvironmentKind.Production, WardCheck.Now)
            {
                Live = live ? new RandomCluster() : null,
                Files = files ? new RandomFiles() : null,
            };
            var result = Checker.Run(context, useWaivers, _ => null);
            var broken = result.Findings.Where(f => f.Message.Contains("internal error", StringComparison.Ordinal)).Select(f => $"{f.Rule}: {f.Message}").ToList();
            Assert.True(broken.Count == 0, string.Join("\n", broken));

            // The reports must cope with whatever the rules produced.
            var input = new ReportInput("random.yaml", spec.Name, result);
            JsonReport.Write(Stream.Null, input);
            SarifReport.Write(Stream.Null, input);
            new TextReport(TextWriter.Null, color: false).Write(input);
        }, iter: 2000);
    }

    private static ValueMap<string> Map(IEnumerable<(string Key, string Value)> pairs) =>
        new(pairs.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)));

    /// <summary>A cluster that knows some images and domains, with sizes and records that vary by name.</summary>
    private sealed class RandomCluster : ILiveFacts
    {
        public long? ImageSize(string image) => image.Length % 3 == 0 ? null : image.Length * 100_000_000L;

        public IReadOnlyList<string>? ResolveA(string domain) => (domain.Length % 3) switch
        {
            0 => null,
            1 => Array.Empty<string>(),
            _ => new[] { "203.0.113.10", "198.51.100.7" },
        };
    }

    /// <summary>Side files of every size, some missing, some with secret-looking content.</summary>
    private sealed class RandomFiles : ISideFiles
    {
        public long? Size(string path) => path.Length % 2 == 0 ? null : path.Length * 100_000L;

        public string? ReadText(string path, int maxBytes) => path.Length % 2 == 0 ? null : "password = x\n-----BEGIN PRIVATE KEY-----";
    }
}
