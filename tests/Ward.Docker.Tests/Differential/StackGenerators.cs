using CsCheck;

namespace Ward.Docker.Tests.Differential;

/// <summary>
/// A service's share of a generated stack: its keys, the top-level objects it uses (by section and key; the first
/// declaration of a key wins), its side files and the variables of the deploying process it relies on.
/// </summary>
internal sealed record Part(
    IReadOnlyList<(string Key, object? Value)> Keys,
    IReadOnlyList<(string Section, string Key, object? Value)> Declarations,
    IReadOnlyList<(string Name, string Content)> Files,
    IReadOnlyList<(string Name, string Value)> Variables)
{
    public static readonly Part Empty = new([], [], [], []);

    public static Part Key(string key, object? value) => new([(key, value)], [], [], []);

    public Part With(Part other) => new([.. Keys, .. other.Keys], [.. Declarations, .. other.Declarations], [.. Files, .. other.Files], [.. Variables, .. other.Variables]);

    public Part Declare(string section, string key, object? value) => this with { Declarations = [.. Declarations, (section, key, value)] };

    public Part File(string name, string content) => this with { Files = [.. Files, (name, content)] };

    public Part Variable(string name, string value) => this with { Variables = [.. Variables, (name, value)] };
}

/// <summary>
/// CsCheck generators of stack files over the compose format's service keys: ports in both syntaxes, mounts of every
/// type with relative, absolute and ~ sources, environment and env files, secrets and configs with targets and modes,
/// healthchecks, deploy settings, networks with aliases, labels, ulimits, sysctls, devices, logging, resources and
/// placement, plus keys docker stack deploy ignores. Replicated services run 0 replicas and global ones are
/// constrained to a node label no node has, so that nothing is ever scheduled: what is compared is the specs.
/// Most values are valid; a few (in about one file in five) are ones the CLI or the engine refuses, so that "both
/// refuse" is checked too.
/// </summary>
internal static class StackGenerators
{
    /// <summary>Objects the differential run creates once on the swarm, for files that declare them external.</summary>
    public const string ExternalNetwork = "diff-ext-net";

    public const string ExternalSecret = "diff-ext-secret";

    public const string ExternalConfig = "diff-ext-config";

    /// <summary>The constraint that keeps a global service's tasks off every node.</summary>
    public const string NoNode = "node.labels.differential == never";

    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static readonly string[][] ServiceNames = [["web", "app"], ["api-v2", "api_2"], ["worker", "queue-1"], ["cache", "x"]];

    public static readonly Gen<StackCase> Case =
        Gen.Int[1, 4].SelectMany(count => Combine([.. Enumerable.Range(0, count).Select(Service)]))
            .SelectMany(services => Gen.Bool.Select(home => Assemble(services, home)));

    private static StackCase Assemble(List<(string Name, Part Part)> services, bool home)
    {
        var root = new YamlMap()
            .Add("version", "3.13")
            .Add("x-ward", new YamlMap().Add("environment", new YamlMap().Add("name", "dw-«C»").Add("kind", "staging")));
        var serviceMap = new YamlMap();
        var sections = new Dictionary<string, YamlMap>(StringComparer.Ordinal);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, part) in services)
        {
            var service = new YamlMap();
            foreach (var (key, value) in part.Keys)
            {
                service.Add(key, value);
            }

            serviceMap.Add(name, service);
            foreach (var (section, key, value) in part.Declarations)
            {
                var map = sections.TryGetValue(section, out var existing) ? existing : sections[section] = new YamlMap();
                if (!map.Has(key))
                {
                    map.Add(key, value);
                }
            }

            foreach (var (file, content) in part.Files)
            {
                files.TryAdd(file, content);
            }

            foreach (var (variable, value) in part.Variables)
            {
                variables.TryAdd(variable, value);
            }
        }

        root.Add("services", serviceMap);
        foreach (var section in new[] { "networks", "volumes", "secrets", "configs" })
        {
            if (sections.TryGetValue(section, out var map))
            {
                root.Add(section, map);
            }
        }

        return new StackCase(YamlText.Write(root), files, variables, home);
    }

    /// <summary>One service (the <paramref name="index"/>th): an image and a deploy section always, the other keys often.</summary>
    private static Gen<(string Name, Part Part)> Service(int index) =>
        Gen.Select(Gen.OneOf(ServiceNames[index]), Gen.Bool, Gen.Frequency((6, Gen.Const("vip")), (2, Gen.Const("dnsrr")), (1, Gen.Const("")), (1, Gen.Const("VIP"))))
            .SelectMany((name, global, endpoint) => Combine(
                [
                    Image,
                    Deploy(global, endpoint),
                    Sometimes(Ports(index, endpoint == "dnsrr")),
                    Sometimes(Volumes),
                    Sometimes(Environment),
                    Sometimes(Command),
                    Sometimes(Labels),
                    Sometimes(Secrets),
                    Sometimes(Configs),
                    Sometimes(Healthcheck),
                    Sometimes(Networks),
                    Sometimes(Runtime),
                    Sometimes(Limits),
                    Sometimes(Logging),
                    Sometimes(Ignored),
                ])
                .Select(parts => (name, parts.Aggregate(Part.Empty, (all, part) => all.With(part)))));

    private static Gen<Part> Sometimes(Gen<Part> part) => Gen.Frequency((3, Gen.Const(Part.Empty)), (2, part));

    private static Gen<List<T>> Combine<T>(IReadOnlyList<Gen<T>> gens) =>
        gens.Aggregate(Gen.Const(new List<T>()), (all, gen) => all.SelectMany(list => gen.Select(item => (List<T>)[.. list, item])));

    private static Gen<T> Pick<T>(params T[] values) => Gen.OneOf(values);

    private static readonly Gen<Part> Image = Gen.Frequency(
        (40, Pick(
            "ward/busybox:1.0", "nginx", "nginx:1.27", "docker.io/library/redis:7.2", "registry.example.org:5000/team/app:v1.2_rc-1",
            "localhost/tool", "index.docker.io/library/alpine", $"app@{Digest}", $"ghcr.io/org/app:1.0@{Digest}", "Registry.Example.org/app:TAG")
            .Select(image => Part.Key("image", image))),
        (4, Pick("ward/busybox:${DIFF_TAG}", "${DIFF_REGISTRY:-docker.io}/library/nginx:1.27")
            .Select(image => Part.Key("image", image).Variable("DIFF_TAG", "1.0"))),
        // docker stack deploy refuses the whole file for these, before it creates anything.
        (1, Pick<object?>("busybox:", "Busybox:1", "$DIFF_UNSET_IMAGE", null)
            .Select(image => image is null ? Part.Empty : Part.Key("image", image))));

    private static readonly Gen<Part> Command = Gen.Select(
        Pick<object?>(null, L("sleep", "3600"), "sh -c 'echo \"a b\" && sleep 1'", L(), L("echo", "$$HOME", "${DIFF_TAG}")),
        Pick<object?>(null, L("/bin/sh", "-c"), "/entry.sh --flag 'two words'"),
        (command, entrypoint) => Opt("command", command).With(Opt("entrypoint", entrypoint)));

    private static readonly Gen<Part> Environment = Gen.Select(
        Pick<object?>(
            M(("A", "1"), ("B", ""), ("C", null), ("FROM_SHELL", null), ("NUM", 5), ("SHARED", "inline")),
            L("A=1", "B=", "C", "FROM_SHELL", "D=two words", "A=2"),
            M(("EMPTY_SET", ""), ("INTERPOLATED", "${DIFF_TAG}-x"), ("ESCAPED", "$$HOME")),
            M(("EQUALS", "a=b=c"), ("UNICODE", "café ✓"), ("COLON", "x: y # not a comment"))),
        Gen.Bool,
        (environment, envFile) =>
        {
            var part = Part.Key("environment", environment).Variable("FROM_SHELL", "from-shell").Variable("EMPTY_SET", "filled").Variable("DIFF_TAG", "1.0");
            return envFile
                ? part.With(Part.Key("env_file", L("./app.env"))).File("app.env", "E1=x\nE2=with spaces\n# a comment\n\nE3\nFROM_SHELL\nSHARED=from-file\nQUOTED=\"q\"\n")
                : part;
        });

    private static readonly Gen<Part> Labels =
        Pick<object>(M(("com.example.team", "web"), ("empty", ""), ("tag", "${DIFF_TAG}")), L("com.example.a=1", "com.example.b"), M(("money", "$$5"), ("unicode", "zürich"), ("url", "http://x:80/#y")))
            .Select(labels => Part.Key("labels", labels).Variable("DIFF_TAG", "1.0"));

    /// <summary>Ports of service <paramref name="index"/>, published on its own block of the case's ports; only host mode for dnsrr.</summary>
    private static Gen<Part> Ports(int index, bool dnsrr)
    {
        string P(int k) => $"«P{(index * 8) + k}»";
        var entries = dnsrr
            ? Pick<object>(
                M(("target", 80), ("published", new YamlRaw(P(0))), ("mode", "host")),
                M(("target", 53), ("published", new YamlRaw(P(1))), ("protocol", "udp"), ("mode", "host")),
                M(("target", 81), ("published", new YamlRaw(P(2))), ("protocol", "sctp"), ("mode", "host")))
            : Pick<object>(
                $"{P(0)}:80",
                $"{P(1)}:80/udp",
                $"127.0.0.1:{P(2)}:81",
                "8080",
                $"{P(3)}-{P(4)}:9000-9001",
                M(("target", 90), ("published", new YamlRaw(P(5))), ("protocol", "tcp"), ("mode", "ingress")),
                M(("target", 91), ("published", new YamlRaw(P(6))), ("mode", "host")),
                M(("target", 92)),
                M(("target", 93), ("published", new YamlRaw(P(7))), ("protocol", "UDP"), ("mode", "HOST")),
                $"{P(3)}-{P(4)}:70",
                M(("target", 94), ("published", 0)));
        return Gen.Frequency(
            (40, entries.List[1, 3].Select(list => Part.Key("ports", Distinct(list)))),
            // The engine refuses a port published twice; docker stack deploy then stops part-way.
            (1, Gen.Const(Part.Key("ports", L($"{P(0)}:80", $"{P(0)}:81")))));
    }

    private static readonly Gen<Part> Volumes = Gen.Frequency(
        (40, Pick(
            Mount("data:/data", ("volumes", "data", M())),
            Mount("data:/data-ro:ro", ("volumes", "data", M())),
            Mount("cache:/cache:nocopy", ("volumes", "cache", M(("driver", "local"), ("driver_opts", M(("type", "tmpfs"), ("device", "tmpfs")))))),
            Mount("named:/named", ("volumes", "named", M(("name", "diff-«C»-named"), ("labels", M(("a", "b")))))),
            Mount("outside:/outside", ("volumes", "outside", M(("external", true), ("name", "diff-ext-vol")))),
            Mount("/anon"),
            Mount("./logs:/logs"),
            Mount("./logs/:/logs-slash:rw"),
            Mount("/srv/abs:/abs:rshared"),
            Mount("/srv/x/../y//z/:/abs-raw"),
            Mount("~/home-data:/home-data"),
            Mount("~/h/:/home-slash:ro"),
            Mount("~user/q:/other-home"),
            Mount(".:/cwd"),
            Mount("../up:/up"),
            Mount("./z:/z:z"),
            Mount("/srv/abs/:/abs-slash"),
            Mount(M(("type", "bind"), ("source", "./cfg/"), ("target", "/cfg"), ("read_only", true), ("bind", M(("propagation", "rslave"))))),
            Mount(M(("type", "bind"), ("source", "~/long/"), ("target", "/home-long"), ("consistency", "cached"))),
            Mount(M(("type", "volume"), ("source", "data2"), ("target", "/d2"), ("volume", M(("nocopy", true)))), ("volumes", "data2", M(("labels", L("x=y"))))),
            Mount(M(("type", "tmpfs"), ("target", "/tmp/x"), ("tmpfs", M(("size", 1048576))))),
            Mount(M(("type", "tmpfs"), ("target", "/tmp/y"))),
            Mount(M(("type", "volume"), ("target", "/anon-long"))))
            .List[1, 4].Select(mounts =>
            {
                var chosen = mounts.DistinctBy(m => m.Target).ToList();
                var part = Part.Key("volumes", chosen.Select(m => m.Value).ToList());
                return chosen.SelectMany(m => m.Declarations).Aggregate(part, (all, d) => all.Declare(d.Section, d.Key, d.Value));
            })),
        // The engine refuses two mounts on one target.
        (1, Gen.Const(Part.Key("volumes", L("data:/same", "/srv/other:/same")).Declare("volumes", "data", M()))));

    /// <summary>A mount in short or long syntax, with its target (no two per service) and the volumes it needs declared.</summary>
    private sealed record MountChoice(string Target, object? Value, (string Section, string Key, object? Value)[] Declarations);

    private static MountChoice Mount(object mount, params (string Section, string Key, object? Value)[] declarations) =>
        new(mount is YamlMap map ? (string)map["target"]! : ((string)mount).Split(':') switch { [var only] => only, var parts => parts[1] }, mount, declarations);

    private static readonly Gen<Part> Secrets = Pick<object>(
            "token",
            M(("source", "token"), ("target", "custom_token"), ("uid", "1000"), ("gid", "1000"), ("mode", 256)),
            M(("source", "named_token"), ("mode", 288)),
            M(("source", "outside"), ("target", "outside.txt")))
        .List[1, 2].Select(list => Distinct(list).Aggregate(Part.Key("secrets", Distinct(list)), (part, reference) => part.With(DeclareSecret(reference))));

    private static Part DeclareSecret(object? reference) => (reference is YamlMap map ? (string)map["source"]! : (string)reference!) switch
    {
        "token" => Part.Empty.Declare("secrets", "token", M(("file", "./token.txt"), ("labels", M(("rotation", "monthly"))))).File("token.txt", "s3cret\n"),
        "named_token" => Part.Empty.Declare("secrets", "named_token", M(("file", "./token.txt"), ("name", "diff-«C»-token"))).File("token.txt", "s3cret\n"),
        _ => Part.Empty.Declare("secrets", "outside", M(("external", true), ("name", ExternalSecret))),
    };

    private static readonly Gen<Part> Configs = Pick<object>(
            "settings",
            M(("source", "settings"), ("target", "/etc/app/settings.ini"), ("mode", 292)),
            M(("source", "template"), ("target", "/etc/app/template.conf")),
            M(("source", "outside"), ("target", "/etc/outside.conf")))
        .List[1, 2].Select(list => Distinct(list).Aggregate(Part.Key("configs", Distinct(list)), (part, reference) => part.With(DeclareConfig(reference))));

    private static Part DeclareConfig(object? reference) => (reference is YamlMap map ? (string)map["source"]! : (string)reference!) switch
    {
        "settings" => Part.Empty.Declare("configs", "settings", M(("file", "./settings.ini"))).File("settings.ini", "[app]\nport = 80\n"),
        "template" => Part.Empty.Declare("configs", "template", M(("file", "./template.conf"), ("template_driver", "golang"))).File("template.conf", "service {{.Service.Name}}\n"),
        _ => Part.Empty.Declare("configs", "outside", M(("external", true), ("name", ExternalConfig))),
    };

    private static readonly Gen<Part> Healthcheck = Gen.Frequency(
        (70, Gen.Select(
            Pick<object?>(L("CMD", "true"), "wget -q -O- http://localhost/ || exit 1", L("CMD-SHELL", "exit 0"), L("NONE"), null),
            Pick<object?>(null, "30s", "1m30s", "500ms", "0s"),
            Pick<object?>(null, "5s", "1ms"),
            Pick<object?>(null, 3, 0, 2.7),
            Pick<object?>(null, "10s"),
            Pick<object?>(null, "2s"),
            (test, interval, timeout, retries, startPeriod, startInterval) => Part.Key("healthcheck", Compact(
                ("test", test), ("interval", interval), ("timeout", timeout), ("retries", retries), ("start_period", startPeriod), ("start_interval", startInterval))))),
        (10, Gen.Const(Part.Key("healthcheck", M(("disable", true))))),
        (5, Gen.Const(Part.Key("healthcheck", M(("retries", 5), ("interval", "1m"))))),
        // docker stack deploy refuses a healthcheck both disabled and with a test.
        (1, Gen.Const(Part.Key("healthcheck", M(("disable", true), ("test", L("NONE")))))),
        // The engine refuses an interval under 1ms.
        (1, Gen.Const(Part.Key("healthcheck", M(("test", L("CMD", "true")), ("interval", "100us"))))));

    /// <summary>The deploy section: always there, so that no task is ever scheduled (0 replicas, or a global service on no node).</summary>
    private static Gen<Part> Deploy(bool global, string endpoint) => Gen.Select(
            Gen.Select(
                Pick<object?>(null, M(("com.example.deploy", "1")), L("com.example.list=x"), M(("traefik.enable", "true"), ("com.docker.stack.namespace", "overridden"))),
                Pick<object?>(null, M(("parallelism", 2), ("delay", "10s"), ("failure_action", "rollback"), ("monitor", "30s"), ("max_failure_ratio", 0.25), ("order", "start-first")), M(("parallelism", 0)), M(("failure_action", "continue"), ("order", "stop-first"))),
                Pick<object?>(null, M(("parallelism", 1), ("delay", "0s"), ("failure_action", "pause"), ("monitor", "5s"), ("max_failure_ratio", 0), ("order", "stop-first")))),
            Gen.Frequency(
                (50, Pick<object?>(null, M(("condition", "on-failure"), ("delay", "5s"), ("max_attempts", 3), ("window", "2m")), M(("condition", "none")), M(("condition", "any"), ("max_attempts", 0), ("window", "0s")), M(("delay", "1s")))),
                // The engine refuses a restart condition it does not know.
                (1, Gen.Const<object?>(M(("condition", "always"))))),
            Pick<object?>(
                null,
                M(("limits", M(("cpus", "0.5"), ("memory", "512M"), ("pids", 100))), ("reservations", M(("cpus", "0.25"), ("memory", "128M")))),
                M(("limits", M(("cpus", "2"), ("memory", "1G")))),
                M(("limits", M(("cpus", "0.001"), ("memory", "64MiB")))),
                M(("limits", M(("cpus", "1.25"), ("pids", 0))), ("reservations", M(("cpus", "0.125")))),
                M(("reservations", M(("memory", "4M"), ("generic_resources", L(M(("discrete_resource_spec", M(("kind", "gpu"), ("value", 1)))))))))),
            Gen.Frequency(
                (50, Pick<object?>(L(), L("node.role == worker"), L("node.labels.zone != a", " node.hostname==h-1 "), L("engine.labels.x == y", "node.platform.os==linux"))),
                // The engine refuses a constraint with a single '='.
                (1, Gen.Const<object?>(L("node.role=worker")))),
            Pick<object?>(null, L(M(("spread", "node.labels.zone"))), L(M(("spread", "node.labels.zone")), M(("spread", "node.labels.rack")))),
            Pick<object?>(null, 2))
        .Select((general, restart, resources, constraints, preferences, maxPerNode) =>
        {
            var (labels, update, rollback) = general;
            var placement = new List<object?>((List<object?>)constraints!);
            if (global)
            {
                placement.Add(NoNode);
            }

            var deploy = Compact(
                ("mode", global ? "global" : "replicated"),
                ("replicas", global ? null : 0),
                ("endpoint_mode", endpoint.Length == 0 ? null : endpoint),
                ("labels", labels),
                ("update_config", update),
                ("rollback_config", rollback),
                ("restart_policy", restart),
                ("resources", resources),
                ("placement", Compact(("constraints", placement.Count == 0 ? null : placement), ("preferences", preferences), ("max_replicas_per_node", global ? null : maxPerNode))));
            return Part.Key("deploy", deploy);
        });

    private static readonly Gen<Part> Networks = Pick(
        Part.Key("networks", L("front")).Declare("networks", "front", M()),
        Part.Key("networks", L("back", "front")).Declare("networks", "back", M(("driver", "overlay"), ("attachable", true), ("labels", M(("tier", "back"))))).Declare("networks", "front", M()),
        Part.Key("networks", M(("front", M(("aliases", L("fe", "fe-2")))), ("named", null))).Declare("networks", "front", M()).Declare("networks", "named", M(("name", "diff-«C»-named"), ("internal", true), ("driver_opts", M(("com.docker.network.driver.mtu", "1400"))))),
        Part.Key("networks", M(("outside", M(("aliases", L("ext")))), ("subnetted", M()))).Declare("networks", "outside", M(("external", true), ("name", ExternalNetwork))).Declare("networks", "subnetted", M(("ipam", M(("config", L(M(("subnet", "172.28.«N».0/24")))))))),
        Part.Key("networks", L("default", "front")).Declare("networks", "front", M()),
        Part.Key("networks", M(("default", M(("aliases", L("d1")))))).Declare("networks", "default", M(("driver", "overlay"), ("attachable", true), ("labels", L("custom=default")))),
        Part.Key("networks", L("ipam")).Declare("networks", "ipam", M(("ipam", M(("driver", "default"), ("config", L(M(("subnet", "172.29.«N».0/24")))))))));

    private static readonly Gen<Part> Runtime = Gen.Select(
        Pick<object?>(null, "myhost"),
        Pick<object?>(null, "1000:1000", "nobody"),
        Pick<object?>(null, "/srv"),
        Pick<object?>(null, "SIGQUIT", "9"),
        Pick<object?>(null, "1m30s", "0s", "-5s"),
        Pick<object?>(null, L("NET_ADMIN", "sys_time"), L("cap_chown")),
        Pick<object?>(null, L("ALL"), L("MKNOD", "NET_ADMIN")),
        Gen.Select(
            Pick<object?>(null, true, false),
            Pick<object?>(null, true),
            Pick<object?>(null, "8.8.8.8", L("1.1.1.1", "8.8.4.4")),
            Pick<object?>(null, "example.org"),
            Pick<object?>(null, L("somehost:162.242.195.82", "other=10.0.0.1"), M(("mapped", "10.0.0.2")), L("host6:::1")),
            Pick<object?>(null, "default"),
            Pick<object?>(null, "on-failure:3", "always", "unless-stopped", "no", "on-failure")),
        (hostname, user, workingDir, stopSignal, grace, capAdd, capDrop, more) =>
        {
            var (init, tty, dns, dnsSearch, extraHosts, isolation, restart) = more;
            (string Key, object? Value)[] keys =
            [
                ("hostname", hostname), ("user", user), ("working_dir", workingDir), ("stop_signal", stopSignal), ("stop_grace_period", grace),
                ("cap_add", capAdd), ("cap_drop", capDrop), ("init", init), ("tty", tty), ("stdin_open", tty), ("read_only", tty), ("dns", dns),
                ("dns_search", dnsSearch), ("extra_hosts", extraHosts), ("isolation", isolation), ("restart", restart),
            ];
            return new Part([.. keys.Where(k => k.Value is not null)], [], [], []);
        });

    private static readonly Gen<Part> Limits = Gen.Select(
        Pick<object?>(null, M(("nofile", M(("soft", 1024), ("hard", 4096))), ("nproc", 512))),
        Pick<object?>(null, M(("net.core.somaxconn", 1024), ("net.ipv4.tcp_syncookies", "0")), L("net.core.somaxconn=512")),
        Pick<object?>(null, L("/dev/fuse:/dev/fuse")),
        (ulimits, sysctls, devices) => Opt("ulimits", ulimits).With(Opt("sysctls", sysctls)).With(Opt("devices", devices)));

    private static readonly Gen<Part> Logging = Pick(
        Part.Key("logging", M(("driver", "json-file"), ("options", M(("max-size", "10m"), ("max-file", "3"))))),
        Part.Key("logging", M(("driver", "syslog"))),
        Part.Key("logging", M(("options", M(("tag", "x"))))),
        Part.Key("logging", M(("driver", "none"))));

    /// <summary>Keys docker stack deploy ignores (and warns about), and an extension key.</summary>
    private static readonly Gen<Part> Ignored = Pick(
        Part.Key("privileged", true).With(Part.Key("security_opt", L("no-new-privileges:true"))),
        Part.Key("container_name", "fixed").With(Part.Key("expose", L("80", 81))),
        Part.Key("domainname", "example.org").With(Part.Key("x-note", M(("anything", L(1, 2))))),
        Part.Key("tmpfs", L("/run", "/tmp")).With(Part.Key("oom_score_adj", 100)).With(Part.Key("shm_size", "64m")));

    private static Part Opt(string key, object? value) => value is null ? Part.Empty : Part.Key(key, value);

    private static YamlMap Compact(params (string Key, object? Value)[] entries)
    {
        var map = new YamlMap();
        foreach (var (key, value) in entries.Where(e => e.Value is not null && e.Value is not YamlMap { Count: 0 }))
        {
            map.Add(key, value);
        }

        return map;
    }

    private static List<object?> Distinct(List<object> items) => [.. items.DistinctBy(YamlText.Text)];

    private static List<object?> L(params object?[] items) => [.. items];

    private static YamlMap M(params (string Key, object? Value)[] entries)
    {
        var map = new YamlMap();
        foreach (var (key, value) in entries)
        {
            map.Add(key, value);
        }

        return map;
    }
}
