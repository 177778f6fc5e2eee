using System.Text.Json.Nodes;
using Ward.Engine.Desired;
using Ward.Engine.Planning;
using Ward.Engine.Ports;
using Ward.Engine.Tests.Support;

namespace Ward.Engine.Tests.Desired;

/// <summary>
/// The service Ward converts from the file of docs/reference/engine-api-notes.md B10 against the request body the real
/// docker CLI 28.2.2 sent for it (captured there), field by field.
/// </summary>
public sealed class CliParityTests : IDisposable
{
    /// <summary>The scratch compose file B10 describes, with the stack namespace "st".</summary>
    internal const string B10File = """
        version: "3.13"
        x-ward:
          environment:
            name: st
            kind: staging
        services:
          web:
            image: nginx
            entrypoint: /docker-entrypoint.sh
            command: ["nginx", "-g", "daemon off;"]
            environment:
              ZED: "1"
              ALPHA: two words
              EMPTY:
              SHARED: inline
            env_file: ./web.env
            labels:
              svc.container.label: c
            hostname: webhost
            working_dir: /srv
            user: "1000:1000"
            init: true
            stop_signal: SIGTERM
            tty: true
            stdin_open: true
            read_only: true
            stop_grace_period: 1m30s
            healthcheck:
              test: curl -f http://localhost
              interval: 30s
              timeout: 5s
              start_period: 10s
              retries: 3
            extra_hosts:
              - "somehost:162.242.195.82"
              - "otherhost:50.31.209.229"
              - "v6host:::1"
            dns: [8.8.8.8, 1.1.1.1]
            dns_search: example.com
            sysctls:
              net.core.somaxconn: 1024
            cap_add: [NET_ADMIN]
            cap_drop: [ALL]
            ulimits:
              nproc: 65535
              nofile:
                soft: 20000
                hard: 40000
            logging:
              driver: json-file
              options:
                max-size: 10m
            ports:
              - "8080:80"
              - "443:443/tcp"
              - target: 53
                published: 53
                protocol: udp
                mode: host
              - target: 9000
            volumes:
              - data:/var/lib/data
              - ./html:/usr/share/nginx/html:ro
              - type: tmpfs
                target: /tmp
                tmpfs:
                  size: 1000000
              - /anon
              - ext:/ext
              - named2:/n2:nocopy
            secrets:
              - s1
              - source: s2
                target: /run/secrets/custom
                uid: "103"
                gid: "103"
                mode: 0400
            configs:
              - c1
              - source: c1
                target: /etc/c1.conf
            networks:
              front:
                aliases: [www]
              back: {}
            deploy:
              mode: replicated
              replicas: 3
              endpoint_mode: VIP
              labels:
                svc.label: s
              resources:
                limits:
                  cpus: "0.5"
                  memory: 512M
                  pids: 100
                reservations:
                  cpus: "0.25"
                  memory: 128M
              restart_policy:
                condition: on-failure
                delay: 5s
                max_attempts: 3
                window: 120s
              placement:
                constraints: [node.role == worker]
                preferences:
                  - spread: node.labels.zone
                max_replicas_per_node: 2
              update_config:
                parallelism: 2
                delay: 10s
                order: start-first
              rollback_config:
                monitor: 20s
        networks:
          front:
            attachable: true
            driver_opts:
              encrypted: ""
            ipam:
              config:
                - subnet: 10.20.0.0/24
          back:
            name: custom-back
            internal: true
        volumes:
          data:
            driver: local
            labels:
              vol.label: v
          ext:
            external: true
            name: real-ext
          named2: {}
        secrets:
          s1:
            file: ./s1.txt
          s2:
            file: ./s2.txt
            name: explicit-secret-name
        configs:
          c1:
            file: ./c1.conf
        """;

    /// <summary>The request docker CLI 28.2.2 sent (B10), verbatim but for the ids and digest it elides.</summary>
    private const string CapturedRequest = """
        {"Name":"st_web","Labels":{"com.docker.stack.image":"nginx","com.docker.stack.namespace":"st","svc.label":"s"},
         "TaskTemplate":{"ContainerSpec":{"Image":"nginx:latest@sha256:aaaa","Labels":{"com.docker.stack.namespace":"st","svc.container.label":"c"},
           "Command":["/docker-entrypoint.sh"],"Args":["nginx","-g","daemon off;"],"Hostname":"webhost",
           "Env":["ALPHA=two words","EMPTY","FROM_FILE=1","SHARED=inline","ZED=1"],"Dir":"/srv","User":"1000:1000",
           "Privileges":{"CredentialSpec":null,"SELinuxContext":null,"NoNewPrivileges":false},"Init":true,"StopSignal":"SIGTERM",
           "TTY":true,"OpenStdin":true,"ReadOnly":true,
           "Mounts":[{"Type":"volume","Source":"st_data","Target":"/var/lib/data","VolumeOptions":{"Labels":{"com.docker.stack.namespace":"st","vol.label":"v"},"DriverConfig":{"Name":"local"}}},
                     {"Type":"bind","Source":"/abs/compose/dir/html","Target":"/usr/share/nginx/html","ReadOnly":true},
                     {"Type":"tmpfs","Target":"/tmp","TmpfsOptions":{"SizeBytes":1000000}},
                     {"Type":"volume","Target":"/anon"},
                     {"Type":"volume","Source":"real-ext","Target":"/ext","VolumeOptions":{}},
                     {"Type":"volume","Source":"st_named2","Target":"/n2","VolumeOptions":{"NoCopy":true,"Labels":{"com.docker.stack.namespace":"st"}}}],
           "StopGracePeriod":90000000000,
           "Healthcheck":{"Test":["CMD-SHELL","curl -f http://localhost"],"Interval":30000000000,"Timeout":5000000000,"StartPeriod":10000000000,"Retries":3},
           "Hosts":["162.242.195.82 somehost","50.31.209.229 otherhost","::1 v6host"],
           "DNSConfig":{"Nameservers":["8.8.8.8","1.1.1.1"],"Search":["example.com"]},
           "Secrets":[{"File":{"Name":"/run/secrets/custom","UID":"103","GID":"103","Mode":256},"SecretID":"x","SecretName":"explicit-secret-name"},
                      {"File":{"Name":"s1","UID":"0","GID":"0","Mode":292},"SecretID":"x","SecretName":"st_s1"}],
           "Configs":[{"File":{"Name":"c1","UID":"0","GID":"0","Mode":292},"ConfigID":"x","ConfigName":"st_c1"},
                      {"File":{"Name":"/etc/c1.conf","UID":"0","GID":"0","Mode":292},"ConfigID":"x","ConfigName":"st_c1"}],
           "Sysctls":{"net.core.somaxconn":"1024"},"CapabilityAdd":["CAP_NET_ADMIN"],"CapabilityDrop":["ALL"],
           "Ulimits":[{"Name":"nofile","Hard":40000,"Soft":20000},{"Name":"nproc","Hard":65535,"Soft":65535}]},
          "Resources":{"Limits":{"NanoCPUs":500000000,"MemoryBytes":536870912,"Pids":100},"Reservations":{"NanoCPUs":250000000,"MemoryBytes":134217728}},
          "RestartPolicy":{"Condition":"on-failure","Delay":5000000000,"MaxAttempts":3,"Window":120000000000},
          "Placement":{"Constraints":["node.role == worker"],"Preferences":[{"Spread":{"SpreadDescriptor":"node.labels.zone"}}],"MaxReplicas":2,
                       "Platforms":[{"Architecture":"amd64","OS":"linux"},{"OS":"linux"}]},
          "Networks":[{"Target":"custom-back","Aliases":["web"]},{"Target":"st_front","Aliases":["www","web"]}],
          "LogDriver":{"Name":"json-file","Options":{"max-size":"10m"}},"ForceUpdate":0},
         "Mode":{"Replicated":{"Replicas":3}},
         "UpdateConfig":{"Parallelism":2,"Delay":10000000000,"MaxFailureRatio":0,"Order":"start-first"},
         "RollbackConfig":{"Parallelism":1,"Monitor":20000000000,"MaxFailureRatio":0,"Order":""},
         "EndpointSpec":{"Mode":"vip","Ports":[{"TargetPort":9000},{"Protocol":"udp","TargetPort":53,"PublishedPort":53,"PublishMode":"host"},
           {"Protocol":"tcp","TargetPort":443,"PublishedPort":443,"PublishMode":"ingress"},{"Protocol":"tcp","TargetPort":80,"PublishedPort":8080,"PublishMode":"ingress"}]}}
        """;

    private readonly Environments _env = new();

    public CliParityTests()
    {
        _env.File("web.env", "FROM_FILE=1\nSHARED=file\n")
            .File("s1.txt", "one")
            .File("s2.txt", "two")
            .File("c1.conf", "conf")
            .File("html/index.html", "<p>hi</p>");
    }

    public void Dispose() => _env.Dispose();

    [Fact]
    public void The_service_matches_the_captured_request_field_by_field()
    {
        var converted = _env.Service(B10File);
        var expected = Comparable(Json.Parse(CapturedRequest.Replace("/abs/compose/dir", _env.Directory, StringComparison.Ordinal)));
        var actual = Comparable(converted);

        // The one difference: a long-syntax port without protocol or mode. The CLI leaves them empty and the engine
        // stores tcp and ingress (B8); Ward's model fills in the defaults when reading, so Ward sends them.
        var differences = JsonDiff.Compare(expected, actual);
        Assert.Equal(
            [new FieldChange("EndpointSpec.Ports[0].Protocol", null, "\"tcp\""), new FieldChange("EndpointSpec.Ports[0].PublishMode", null, "\"ingress\"")],
            differences);

        // ...which the engine stores identically, so what the CLI and Ward deploy compares equal.
        var identity = new Dictionary<string, string>();
        Json.Equal(SpecNormalizer.Service(expected, identity), SpecNormalizer.Service(actual, identity));
    }

    [Fact]
    public void Secret_and_config_references_name_their_content_versions()
    {
        var container = _env.Service(B10File).At("TaskTemplate.ContainerSpec")!;
        Assert.Matches("^explicit-secret-name_[0-9a-f]{10}$", container.Text("Secrets[0].SecretName"));
        Assert.Matches("^st_s1_[0-9a-f]{10}$", container.Text("Secrets[1].SecretName"));
        Assert.Matches("^st_c1_[0-9a-f]{10}$", container.Text("Configs[0].ConfigName"));
        Assert.Equal(container.Text("Configs[0].ConfigName"), container.Text("Configs[1].ConfigName"));
    }

    [Fact]
    public void Networks_are_created_as_the_cli_creates_them()
    {
        var networks = _env.Convert(B10File).Where(o => o.Kind == ObjectKind.Network).ToDictionary(o => o.Name, o => o.Spec);
        Assert.Equal(["custom-back", "st_front"], networks.Keys.Order(StringComparer.Ordinal));
        Json.Equal(
            Json.Parse("""
                {"Name":"st_front","Driver":"overlay","Labels":{"com.docker.stack.namespace":"st"},"Options":{"encrypted":""},
                 "Attachable":true,"IPAM":{"Config":[{"Subnet":"10.20.0.0/24"}]}}
                """),
            networks["st_front"]);
        Json.Equal(
            Json.Parse("""{"Name":"custom-back","Driver":"overlay","Labels":{"com.docker.stack.namespace":"st"},"Internal":true}"""),
            networks["custom-back"]);
    }

    [Fact]
    public void Secrets_and_configs_are_created_with_their_content_and_labels()
    {
        var objects = _env.Convert(B10File);
        var s1 = objects.Single(o => o.Kind == ObjectKind.Secret && o.Key == "s1");
        Assert.Equal("b25l", s1.Spec.Text("Data")); // base64 of "one"
        Json.Equal(
            Json.Parse("""{"com.docker.stack.namespace":"st","com.ward.key":"s1"}"""),
            s1.Spec["Labels"]);
        var c1 = objects.Single(o => o.Kind == ObjectKind.Config);
        Assert.Equal(("c1", "Y29uZg=="), (c1.Key, c1.Spec.Text("Data")));
    }

    [Fact]
    public void A_minimal_service_on_an_external_network_matches_the_cli()
    {
        var yaml = Environments.Yaml("st", """
            services:
              plain:
                image: redis:7
                networks: [outside]
            networks:
              outside:
                external: true
            """);
        var objects = _env.Convert(yaml);
        Assert.DoesNotContain(objects, o => o.Kind == ObjectKind.Network);
        var plain = Comparable(objects.Single().Spec);
        Json.Equal(
            Json.Parse("""
                {"Name":"st_plain","Labels":{"com.docker.stack.image":"redis:7","com.docker.stack.namespace":"st"},
                 "TaskTemplate":{"ContainerSpec":{"Image":"redis:7","Labels":{"com.docker.stack.namespace":"st"},"Privileges":{}},
                   "Resources":{},"Placement":{},"Networks":[{"Target":"outside","Aliases":["plain"]}],"ForceUpdate":0},
                 "Mode":{"Replicated":{}},"EndpointSpec":{}}
                """),
            plain);
    }

    [Fact]
    public void A_global_service_with_restart_always_matches_the_cli()
    {
        var spec = _env.Service(Environments.Yaml("st", """
            services:
              agent:
                image: redis:7
                restart: always
                deploy:
                  mode: global
            """), "agent");
        Json.Equal(Json.Parse("""{"Condition":"any"}"""), spec.At("TaskTemplate.RestartPolicy"));
        Json.Equal(Json.Parse("""{"Global":{}}"""), spec["Mode"]);
    }

    /// <summary>
    /// What B9 says to ignore when comparing with the CLI: ids, the digest and platforms of registry resolution, and the
    /// content-hash suffix of Ward's secret and config names; references sorted by (name, target), the CLI's order for
    /// two references of one object being random. Null members are absent members.
    /// </summary>
    internal static JsonObject Comparable(JsonObject spec)
    {
        var copy = (JsonObject)spec.DeepClone();
        var task = copy["TaskTemplate"]!.AsObject();
        var container = task["ContainerSpec"]!.AsObject();
        container["Image"] = container.Text("Image")!.Split('@')[0];
        (task["Placement"] as JsonObject)?.Remove("Platforms");
        if (container["Privileges"] is JsonObject privileges)
        {
            // Go sends nil pointers as null; Docker.DotNet sends a non-nullable false (engine-api-notes A9 #6).
            foreach (var (key, value) in privileges.ToList())
            {
                if (value is null || (key == "NoNewPrivileges" && !value.GetValue<bool>()))
                {
                    privileges.Remove(key);
                }
            }
        }

        foreach (var (list, name, id) in new[] { ("Secrets", "SecretName", "SecretID"), ("Configs", "ConfigName", "ConfigID") })
        {
            if (container[list] is not JsonArray references)
            {
                continue;
            }

            var sorted = references.Select(r => (JsonObject)r!.DeepClone()).ToList();
            foreach (var reference in sorted)
            {
                reference.Remove(id);
                reference[name] = System.Text.RegularExpressions.Regex.Replace(reference.Text(name)!, "_[0-9a-f]{10}$", "");
            }

            container[list] = new JsonArray([.. sorted.OrderBy(r => r.Text(name), StringComparer.Ordinal).ThenBy(r => r.Text("File.Name"), StringComparer.Ordinal)]);
        }

        return copy;
    }
}
