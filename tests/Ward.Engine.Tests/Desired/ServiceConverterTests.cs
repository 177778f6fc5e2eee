using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Ward.Engine.Desired;
using Ward.Engine.Ports;
using Ward.Engine.Tests.Support;
using Ward.Model.Spec;

namespace Ward.Engine.Tests.Desired;

/// <summary>Each conversion rule of docs/reference/engine-api-notes.md B6, one at a time.</summary>
public sealed class ServiceConverterTests : IDisposable
{
    private readonly Environments _env = new();

    public void Dispose() => _env.Dispose();

    /// <summary>A file with one service <c>web</c> (image nginx:1.27) in environment <c>st</c>; <paramref name="top"/> adds top-level keys.</summary>
    private static string File(string body, string top = "") => Environments.Yaml("st", $"""
        services:
          web:
            image: nginx:1.27
        {Indent(body, 4)}
        {top}
        """);

    private static string Indent(string text, int spaces) =>
        string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? l : new string(' ', spaces) + l));

    private JsonObject Web(string body, string top = "") => _env.Service(File(body, top));

    private JsonNode Container(string body, string top = "") => Web(body, top).At("TaskTemplate.ContainerSpec")!;

    [Fact]
    public void Entrypoint_becomes_Command_and_command_becomes_Args_split_like_a_shell()
    {
        var container = Container("""
            entrypoint: sh -c 'echo "hello world"'
            command: ["--port", "80"]
            """);
        Assert.Equal(["sh", "-c", "echo \"hello world\""], container.Strings("Command"));
        Assert.Equal(["--port", "80"], container.Strings("Args"));
    }

    [Fact]
    public void Without_entrypoint_or_command_the_image_defaults_stay()
    {
        var container = Container("hostname: h");
        Assert.Null(container["Command"]);
        Assert.Null(container["Args"]);
    }

    [Fact]
    public void Env_is_sorted_ordinally_and_bare_names_take_the_deploying_process_value()
    {
        _env.Variable("FROM_SHELL", "shell value").Variable("EMPTY_SET", "filled");
        var container = Container("""
            environment:
              b_lower: "x"
              ZED: "1"
              ALPHA: two words
              FROM_SHELL:
              UNSET:
              EMPTY_SET: ""
              EMPTY_UNSET: ""
            """);
        Assert.Equal(
            ["ALPHA=two words", "EMPTY_SET=filled", "EMPTY_UNSET=", "FROM_SHELL=shell value", "UNSET", "ZED=1", "b_lower=x"],
            container.Strings("Env"));
    }

    [Fact]
    public void Env_files_are_merged_under_the_environment_key()
    {
        _env.File("app.env", "FROM_FILE=1\nSHARED=file\n");
        var container = Container("""
            env_file: app.env
            environment:
              SHARED: inline
            """);
        Assert.Equal(["FROM_FILE=1", "SHARED=inline"], container.Strings("Env"));
    }

    [Fact]
    public void The_service_name_is_appended_to_each_network_alias_list_and_networks_are_sorted_by_target()
    {
        var web = Web(
            """
            networks:
              zeta:
                aliases: [z1, z2]
              alpha: {}
              named: {}
            """,
            """
            networks:
              zeta: {}
              alpha: {}
              named:
                name: Custom-Net
            """);
        Json.Equal(
            JsonNode.Parse("""
                [{"Target":"Custom-Net","Aliases":["web"]},{"Target":"st_alpha","Aliases":["web"]},{"Target":"st_zeta","Aliases":["z1","z2","web"]}]
                """),
            web.At("TaskTemplate.Networks"));
    }

    [Fact]
    public void Built_in_networks_get_no_aliases()
    {
        var web = Web("networks: [hostnet]", """
            networks:
              hostnet:
                external: true
                name: host
            """);
        Json.Equal(JsonNode.Parse("""[{"Target":"host"}]"""), web.At("TaskTemplate.Networks"));
    }

    [Fact]
    public void A_service_without_networks_joins_the_environment_default_network()
    {
        var objects = _env.Convert(File("hostname: h"));
        var web = objects.Single(o => o.Kind == ObjectKind.Service).Spec;
        Json.Equal(JsonNode.Parse("""[{"Target":"st_default","Aliases":["web"]}]"""), web.At("TaskTemplate.Networks"));
        var network = Assert.Single(objects, o => o.Kind == ObjectKind.Network);
        Assert.Equal(StackNames.DefaultNetwork("st"), network.Name);
        Json.Equal(Json.Parse("""{"Name":"st_default","Driver":"overlay","Labels":{"com.docker.stack.namespace":"st"}}"""), network.Spec);
    }

    [Fact]
    public void Declared_networks_no_service_uses_are_not_created()
    {
        var objects = _env.Convert(File("networks: [front]", """
            networks:
              front: {}
              unused: {}
            """));
        Assert.Equal(["st_front"], objects.Where(o => o.Kind == ObjectKind.Network).Select(o => o.Name));
    }

    [Fact]
    public void Privileges_Resources_Placement_and_EndpointSpec_are_always_present_and_the_rest_absent_when_unset()
    {
        var web = Web("hostname: h");
        Json.Equal(new JsonObject(), web.At("TaskTemplate.ContainerSpec.Privileges"));
        Json.Equal(new JsonObject(), web.At("TaskTemplate.Resources"));
        Json.Equal(new JsonObject(), web.At("TaskTemplate.Placement"));
        Json.Equal(new JsonObject(), web["EndpointSpec"]);
        foreach (var absent in new[]
                 {
                     "UpdateConfig", "RollbackConfig", "TaskTemplate.RestartPolicy", "TaskTemplate.LogDriver", "TaskTemplate.ContainerSpec.Healthcheck",
                     "TaskTemplate.ContainerSpec.StopGracePeriod", "TaskTemplate.ContainerSpec.Init", "TaskTemplate.ContainerSpec.DNSConfig",
                     "TaskTemplate.ContainerSpec.Mounts", "TaskTemplate.ContainerSpec.Secrets", "TaskTemplate.ContainerSpec.Env",
                 })
        {
            Assert.True(web.At(absent) is null, $"{absent} should be absent: {web.At(absent)?.ToJsonString()}");
        }
    }

    [Fact]
    public void Replicas_are_absent_when_unset_so_the_engine_runs_one()
    {
        Json.Equal(Json.Parse("""{"Replicated":{}}"""), Web("hostname: h")["Mode"]);
        Json.Equal(Json.Parse("""{"Replicated":{"Replicas":0}}"""), Web("deploy:\n  replicas: 0")["Mode"]);
        Json.Equal(Json.Parse("""{"Global":{}}"""), Web("deploy:\n  mode: global")["Mode"]);
    }

    [Fact]
    public void An_update_config_without_parallelism_gets_parallelism_1()
    {
        var web = Web("""
            deploy:
              update_config:
                delay: 5s
                failure_action: rollback
              rollback_config:
                parallelism: 0
            """);
        Json.Equal(Json.Parse("""{"Parallelism":1,"Delay":5000000000,"FailureAction":"rollback","MaxFailureRatio":0,"Order":""}"""), web["UpdateConfig"]);
        Json.Equal(Json.Parse("""{"Parallelism":0,"MaxFailureRatio":0,"Order":""}"""), web["RollbackConfig"]);
    }

    [Theory]
    [InlineData("always", """{"Condition":"any"}""")]
    [InlineData("unless-stopped", """{"Condition":"any"}""")]
    [InlineData("on-failure", """{"Condition":"on-failure","MaxAttempts":0}""")]
    [InlineData("on-failure:3", """{"Condition":"on-failure","MaxAttempts":3}""")]
    [InlineData("\"on-failure:-1\"", """{"Condition":"on-failure","MaxAttempts":18446744073709551615}""")]
    [InlineData("\"always:5\"", """{"Condition":"any"}""")]
    [InlineData("\"no:3\"", null)]
    [InlineData("\"no\"", null)]
    public void The_restart_key_is_converted_when_there_is_no_restart_policy(string restart, string? expected)
    {
        var policy = Web($"restart: {restart}").At("TaskTemplate.RestartPolicy");
        Json.Equal(expected is null ? null : JsonNode.Parse(expected), policy);
    }

    [Fact]
    public void An_undeclared_secret_or_config_refuses_the_file_as_the_CLI_does()
    {
        // docker stack deploy: "service web: undefined secret \"nope\"" (after creating the networks; Ward before anything).
        var secret = _env.Read(File("secrets: [nope]"));
        Assert.Equal("undefined secret \"nope\": declare it under the top-level secrets", Assert.Throws<DesiredStateException>(() => _env.Converter().Convert(secret)).Message);
        var config = _env.Read(File("configs: [nope]"));
        Assert.Equal("undefined config \"nope\": declare it under the top-level configs", Assert.Throws<DesiredStateException>(() => _env.Converter().Convert(config)).Message);
    }

    [Fact]
    public void A_restart_policy_wins_over_the_restart_key()
    {
        var policy = Web("""
            restart: always
            deploy:
              restart_policy:
                condition: none
                delay: 2s
            """).At("TaskTemplate.RestartPolicy");
        Json.Equal(Json.Parse("""{"Condition":"none","Delay":2000000000}"""), policy);
    }

    [Fact]
    public void Ports_are_sorted_by_published_port_keeping_the_file_order_of_equal_ones()
    {
        // As docker stack deploy 28.2.2 sent this very list (issue 15's differential test found Ward also sorting by
        // target, protocol and mode): sort.Slice by published port, which for a short list keeps ties in file order.
        var ports = Web("""
            ports:
              - "9090:90"
              - "80:80/udp"
              - "3000-3001:4000-4001"
              - "80:80"
              - target: 7000
                published: 80
                protocol: sctp
                mode: host
              - "8080"
              - target: 92
              - "8079"
            """)["EndpointSpec"]!["Ports"]!.AsArray()
            .Select(p => $"{p!["PublishedPort"]?.ToJsonString() ?? "0"}:{p["TargetPort"]}/{p["Protocol"]}/{p["PublishMode"]}");
        Assert.Equal(
            ["0:8080/tcp/ingress", "0:92/tcp/ingress", "0:8079/tcp/ingress", "80:80/udp/ingress", "80:80/tcp/ingress", "80:7000/sctp/host", "3000:4000/tcp/ingress", "3001:4001/tcp/ingress", "9090:90/tcp/ingress"],
            ports);
    }

    [Fact]
    public void The_endpoint_mode_is_lower_cased()
    {
        Json.Equal(Json.Parse("""{"Mode":"dnsrr"}"""), Web("deploy:\n  endpoint_mode: DNSRR")["EndpointSpec"]);
    }

    [Theory]
    [InlineData("[net_admin, CAP_SYS_TIME, NET_ADMIN]", "[]", "CAP_NET_ADMIN,CAP_SYS_TIME", "")]
    [InlineData("[NET_ADMIN, all]", "[]", "ALL", "")]
    [InlineData("[]", "[chown, ALL]", "", "ALL")]
    [InlineData("[NET_ADMIN]", "[NET_ADMIN, chown]", "CAP_NET_ADMIN", "CAP_CHOWN")]
    [InlineData("[ALL]", "[ALL]", "ALL", "")]
    [InlineData("[ALL, NET_ADMIN]", "[NET_ADMIN]", "ALL", "CAP_NET_ADMIN")]
    public void Capabilities_are_normalised_sorted_and_an_added_capability_is_not_dropped(string add, string drop, string expectedAdd, string expectedDrop)
    {
        var container = Container($"cap_add: {add}\ncap_drop: {drop}");
        Assert.Equal(expectedAdd, string.Join(',', container.Strings("CapabilityAdd")));
        Assert.Equal(expectedDrop, string.Join(',', container.Strings("CapabilityDrop")));
    }

    [Fact]
    public void Ulimits_are_sorted_by_name_and_a_single_number_sets_both_limits()
    {
        var container = Container("""
            ulimits:
              nproc: 65535
              nofile:
                soft: 20000
                hard: 40000
              core: 0
            """);
        Json.Equal(
            JsonNode.Parse("""[{"Name":"core","Hard":0,"Soft":0},{"Name":"nofile","Hard":40000,"Soft":20000},{"Name":"nproc","Hard":65535,"Soft":65535}]"""),
            container["Ulimits"]);
    }

    [Fact]
    public void Extra_hosts_become_ip_host_lines_in_file_order()
    {
        var container = Container("""
            extra_hosts:
              - "b:10.0.0.2"
              - "a:10.0.0.1"
              - "v6host:::1"
              - "c=10.0.0.3"
            """);
        Assert.Equal(["10.0.0.2 b", "10.0.0.1 a", "::1 v6host", "10.0.0.3 c"], container.Strings("Hosts"));
    }

    [Fact]
    public void Secret_and_config_references_default_to_root_and_0444_and_are_sorted_by_name()
    {
        _env.File("z.txt", "z").File("a.txt", "a").File("app.conf", "conf");
        var container = Container(
            """
            secrets:
              - zeta
              - source: alpha
                target: custom
                uid: "1000"
                mode: 0440
            configs:
              - source: conf
                target: /etc/app.conf
            """,
            """
            secrets:
              zeta:
                file: ./z.txt
              alpha:
                file: ./a.txt
            configs:
              conf:
                file: ./app.conf
            """);
        var secrets = container["Secrets"]!.AsArray();
        Assert.Equal(2, secrets.Count);
        Assert.StartsWith("st_alpha_", secrets[0].Text("SecretName"), StringComparison.Ordinal);
        Json.Equal(Json.Parse("""{"Name":"custom","UID":"1000","GID":"0","Mode":288}"""), secrets[0]!["File"]);
        Assert.StartsWith("st_zeta_", secrets[1].Text("SecretName"), StringComparison.Ordinal);
        Json.Equal(Json.Parse("""{"Name":"zeta","UID":"0","GID":"0","Mode":292}"""), secrets[1]!["File"]);
        Json.Equal(Json.Parse("""{"Name":"/etc/app.conf","UID":"0","GID":"0","Mode":292}"""), container.At("Configs[0].File"));
        Assert.Null(secrets[0]!["SecretID"]);
    }

    [Fact]
    public void External_secrets_are_referenced_by_their_name_and_not_created()
    {
        var objects = _env.Convert(File("secrets: [token, other]", """
            secrets:
              token:
                external: true
                name: prod-token
              other:
                external: true
            """));
        Assert.DoesNotContain(objects, o => o.Kind == ObjectKind.Secret);
        var web = objects.Single(o => o.Kind == ObjectKind.Service).Spec;
        Assert.Equal(["other", "prod-token"], web["TaskTemplate"]!["ContainerSpec"]!["Secrets"]!.AsArray().Select(s => s.Text("SecretName")));
    }

    [Fact]
    public void Named_volumes_carry_the_namespace_and_their_labels_and_driver()
    {
        var mounts = Container(
            """
            volumes:
              - data:/var/lib/data
              - cache:/cache:ro,nocopy
              - ext:/ext
              - /anon
            """,
            """
            volumes:
              data:
                driver: local
                driver_opts:
                  type: nfs
                  o: addr=10.0.0.1
                labels:
                  backup: daily
              cache: {}
              ext:
                external: true
            """)["Mounts"];
        Json.Equal(
            JsonNode.Parse("""
                [{"Type":"volume","Source":"st_data","Target":"/var/lib/data","VolumeOptions":{"Labels":{"backup":"daily","com.docker.stack.namespace":"st"},"DriverConfig":{"Name":"local","Options":{"type":"nfs","o":"addr=10.0.0.1"}}}},
                 {"Type":"volume","Source":"st_cache","Target":"/cache","ReadOnly":true,"VolumeOptions":{"NoCopy":true,"Labels":{"com.docker.stack.namespace":"st"}}},
                 {"Type":"volume","Source":"ext","Target":"/ext","VolumeOptions":{}},
                 {"Type":"volume","Target":"/anon"}]
                """),
            mounts);
    }

    [Fact]
    public void A_named_volume_with_a_name_uses_it_verbatim()
    {
        var mount = Container("volumes: [data:/d]", "volumes:\n  data:\n    name: shared-data").At("Mounts[0]")!;
        Assert.Equal("shared-data", mount.Text("Source"));
    }

    [Fact]
    public void Bind_sources_are_made_absolute_against_the_environment_directory_and_home()
    {
        _env.Variable("HOME", "/home/me");
        var mounts = Container("""
            volumes:
              - ./html:/html:ro
              - ../up:/up
              - /abs/path:/abs:rshared
              - ~/cfg:/cfg
            """)["Mounts"]!.AsArray();
        Assert.Equal(
            [Path.Combine(_env.Directory, "html"), Path.GetFullPath(Path.Combine(_env.Directory, "..", "up")), "/abs/path", "/home/me/cfg"],
            mounts.Select(m => m.Text("Source")));
        Assert.All(mounts, m => Assert.Equal("bind", m.Text("Type")));
        Assert.True(mounts[0]!["ReadOnly"]!.GetValue<bool>());
        Json.Equal(Json.Parse("""{"Propagation":"rshared"}"""), mounts[2]!["BindOptions"]);
        Assert.Null(mounts[0]!["BindOptions"]);
    }

    [Fact]
    public void A_relative_bind_source_is_joined_and_cleaned_as_the_CLI_does_and_an_absolute_one_is_kept_as_written()
    {
        // docker stack config prints /dir/logs for ./logs/ (filepath.Join cleans it) but keeps /abs/x/ and
        // /abs/../y//z as written, and the engine stores what it is sent (issue 15, seen in 3 real-world files).
        var mounts = Container("""
            volumes:
              - ./logs/:/d1
              - ./a/../b/./c:/d2
              - .:/d3
              - /abs/x/:/d4
              - /abs/../y//z:/d5
              - type: bind
                source: rel/x/
                target: /d6
            """)["Mounts"]!.AsArray();
        Assert.Equal(
            [$"{_env.Directory}/logs", $"{_env.Directory}/b/c", _env.Directory, "/abs/x/", "/abs/../y//z", $"{_env.Directory}/rel/x"],
            mounts.Select(m => m.Text("Source")));
    }

    [Fact]
    public void A_tilde_in_a_bind_source_is_replaced_by_HOME_as_written_as_the_CLI_does()
    {
        _env.Variable("HOME", "/home/u/");
        var mounts = Container("""
            volumes:
              - ~/data:/d1
              - ~/data/:/d2
              - ~user/q:/d3
            """)["Mounts"]!.AsArray();
        Assert.Equal(["/home/u//data", "/home/u//data/", "/home/u/user/q"], mounts.Select(m => m.Text("Source")));
    }

    [Fact]
    public void Without_HOME_a_tilde_bind_source_is_joined_to_the_environment_directory_as_the_CLI_does()
    {
        // The CLI warns "cannot expand '~', because the environment lacks HOME" and treats the path as relative.
        var mounts = Container("""
            volumes:
              - ~/data/:/d1
              - ~user/q:/d2
            """)["Mounts"]!.AsArray();
        Assert.Equal([$"{_env.Directory}/~/data", $"{_env.Directory}/~user/q"], mounts.Select(m => m.Text("Source")));
    }

    [Fact]
    public void A_relative_or_empty_HOME_is_used_as_the_CLI_uses_it()
    {
        _env.Variable("HOME", "rel");
        Assert.Equal($"{_env.Directory}/rel/data", Container("volumes: [\"~/data:/d\"]").At("Mounts[0]")!.Text("Source"));
        _env.Variable("HOME", "");
        Assert.Equal("/data/", Container("volumes: [\"~/data/:/d\"]").At("Mounts[0]")!.Text("Source"));
    }

    [Theory]
    [InlineData("image: $UNSET_IMAGE", "no image specified")]
    [InlineData("environment: { A: b }", "no image specified")]
    [InlineData("image: \"\"", "no image specified")]
    [InlineData("image: \"busybox:\"", "invalid reference format")]
    [InlineData("image: \"Busybox:1\"", "invalid reference format: repository name (library/Busybox) must be lowercase")]
    [InlineData("image: \"${UNSET_IMAGE}:1.0\"", "invalid reference format")]
    public void An_invalid_image_reference_refuses_the_whole_file_as_the_CLI_does(string image, string why)
    {
        // docker stack deploy refuses the file before it creates anything: "invalid image reference for service X: ...".
        var spec = _env.Read(Environments.Yaml("st", $$"""
            services:
              good:
                image: nginx:1.27
              bad:
                {{image}}
            networks:
              extra: {}
            """));
        var error = Assert.Throws<DesiredStateException>(() => _env.Converter().Convert(spec));
        Assert.Equal($"invalid image reference for service bad: {why}", error.Message);
    }

    [Fact]
    public void Every_invalid_image_reference_is_named_at_once()
    {
        var spec = _env.Read(Environments.Yaml("st", """
            services:
              a: { image: "x:" }
              b: { image: "B" }
              c: { image: "ok:1" }
            """));
        var error = Assert.Throws<DesiredStateException>(() => _env.Converter().Convert(spec));
        Assert.Equal(
            "invalid image reference for service a: invalid reference format; invalid image reference for service b: invalid reference format: repository name (library/B) must be lowercase",
            error.Message);
    }

    [Fact]
    public void A_tmpfs_mount_carries_its_size()
    {
        var mounts = Container("""
            volumes:
              - type: tmpfs
                target: /tmp
                tmpfs:
                  size: 1048576
              - type: tmpfs
                target: /run
            """)["Mounts"];
        Json.Equal(
            JsonNode.Parse("""[{"Type":"tmpfs","Target":"/tmp","TmpfsOptions":{"SizeBytes":1048576}},{"Type":"tmpfs","Target":"/run"}]"""),
            mounts);
    }

    [Fact]
    public void Labels_carry_the_namespace_and_the_image_as_written_and_the_namespace_wins()
    {
        var spec = _env.Service(Environments.Yaml("st", """
            services:
              web:
                image: docker.io/library/nginx
                labels:
                  com.docker.stack.namespace: mine
                  app: web
                deploy:
                  labels:
                    team: core
            """));
        Json.Equal(Json.Parse("""{"team":"core","com.docker.stack.namespace":"st","com.docker.stack.image":"docker.io/library/nginx"}"""), spec["Labels"]);
        Json.Equal(Json.Parse("""{"app":"web","com.docker.stack.namespace":"st"}"""), spec.At("TaskTemplate.ContainerSpec.Labels"));
        Assert.Equal("nginx:latest", spec.Text("TaskTemplate.ContainerSpec.Image"));
    }

    [Theory]
    [InlineData("nginx", "nginx:latest")]
    [InlineData("nginx:1.27", "nginx:1.27")]
    [InlineData("docker.io/library/busybox:1.36", "busybox:1.36")]
    [InlineData("index.docker.io/library/busybox", "busybox:latest")]
    [InlineData("docker.io/myorg/app", "myorg/app:latest")]
    [InlineData("myorg/app:2", "myorg/app:2")]
    [InlineData("localhost:5000/team/app", "localhost:5000/team/app:latest")]
    [InlineData("localhost:5000/app:2", "localhost:5000/app:2")]
    [InlineData("ghcr.io/o/a@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "ghcr.io/o/a@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("nginx:1.27@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "nginx:1.27@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Images_take_the_familiar_tagged_form(string image, string expected) =>
        Assert.Equal(expected, ImageReference.Familiar(image));

    [Fact]
    public void Healthchecks_convert_durations_to_nanoseconds_and_disable_to_NONE()
    {
        var check = Container("""
            healthcheck:
              test: ["CMD", "curl", "-f", "http://localhost"]
              interval: 1m
              retries: 2
            """)["Healthcheck"];
        Json.Equal(Json.Parse("""{"Test":["CMD","curl","-f","http://localhost"],"Interval":60000000000,"Timeout":0,"StartPeriod":0,"Retries":2}"""), check);
        Json.Equal(Json.Parse("""{"Test":["NONE"]}"""), Container("healthcheck:\n  disable: true")["Healthcheck"]);
    }

    [Fact]
    public void A_test_of_NONE_keeps_the_durations_as_the_CLI_does()
    {
        // Found by the differential test (issue 15): only disable: true gives the bare NONE; a NONE test is converted
        // like any other, durations and retries included.
        var check = Container("""
            healthcheck:
              test: ["NONE"]
              interval: 1m30s
              timeout: 1ms
              retries: 3
              start_period: 10s
            """)["Healthcheck"];
        Json.Equal(Json.Parse("""{"Test":["NONE"],"Interval":90000000000,"Timeout":1000000,"StartPeriod":10000000000,"Retries":3}"""), check);
    }

    [Fact]
    public void A_variable_listed_twice_keeps_its_last_value_once_as_the_CLI_does()
    {
        // Found by the differential test (issue 15): the CLI reads the list into a map.
        var container = Container("""
            environment:
              - A=1
              - B=x
              - A=2
            """);
        Assert.Equal(["A=2", "B=x"], container.Strings("Env"));
    }

    [Fact]
    public void Generic_resources_are_reserved_as_the_CLI_reserves_them()
    {
        // Found by the differential test (issue 15): Ward dropped deploy.resources.reservations.generic_resources.
        var resources = Web("""
            deploy:
              resources:
                reservations:
                  memory: 64M
                  generic_resources:
                    - discrete_resource_spec: { kind: gpu, value: 2 }
                    - discrete_resource_spec: { kind: fpga, value: 1 }
            """).At("TaskTemplate.Resources.Reservations");
        Json.Equal(
            Json.Parse("""{"MemoryBytes":67108864,"GenericResources":[{"DiscreteResourceSpec":{"Kind":"gpu","Value":2}},{"DiscreteResourceSpec":{"Kind":"fpga","Value":1}}]}"""),
            resources);
    }

    [Fact]
    public void Logging_options_without_a_driver_are_sent_as_the_CLI_sends_them()
    {
        // Found by the differential test (issue 15): the CLI sends a log driver whenever logging is given.
        Json.Equal(Json.Parse("""{"Options":{"tag":"x"}}"""), Web("logging:\n  options:\n    tag: x").At("TaskTemplate.LogDriver"));
    }

    [Fact]
    public void Init_false_is_kept_and_stop_grace_period_is_in_nanoseconds()
    {
        var container = Container("init: false\nstop_grace_period: 1m30s");
        Assert.False(container["Init"]!.GetValue<bool>());
        Assert.Equal(90_000_000_000L, container["StopGracePeriod"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("0.5", 500_000_000L)]
    [InlineData("0.1", 100_000_000L)]
    [InlineData("1.5", 1_500_000_000L)]
    [InlineData("0.001", 1_000_000L)]
    [InlineData("3", 3_000_000_000L)]
    public void Cpus_become_exact_nano_cpus(string cpus, long expected)
    {
        var resources = Web($"deploy:\n  resources:\n    limits:\n      cpus: \"{cpus}\"\n    reservations:\n      memory: 64M").At("TaskTemplate.Resources")!;
        Assert.Equal(expected, resources["Limits"]!["NanoCPUs"]!.GetValue<long>());
        Json.Equal(Json.Parse("""{"MemoryBytes":67108864}"""), resources["Reservations"]);
    }

    [Fact]
    public void Content_hash_names_are_stable_for_the_same_content_and_change_with_it()
    {
        var yaml = File("secrets: [token]\nconfigs: [conf]", "secrets:\n  token:\n    file: ./token.txt\nconfigs:\n  conf:\n    file: ./token.txt");
        _env.File("token.txt", "s3cret");
        string NameOf(ObjectKind kind) => _env.Convert(yaml).Single(o => o.Kind == kind).Name;

        var first = NameOf(ObjectKind.Secret);
        Assert.Equal(first, NameOf(ObjectKind.Secret));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("s3cret")))[..StackConverter.HashLength];
        Assert.Equal($"st_token_{hash}", first);
        Assert.Equal($"st_conf_{hash}", NameOf(ObjectKind.Config));

        // The same content in another directory (another checkout) gives the same name.
        using (var other = new Environments())
        {
            other.File("token.txt", "s3cret");
            Assert.Equal(first, other.Convert(yaml).Single(o => o.Kind == ObjectKind.Secret).Name);
        }

        _env.File("token.txt", "s3cret2");
        var second = NameOf(ObjectKind.Secret);
        Assert.NotEqual(first, second);
        Assert.StartsWith("st_token_", second, StringComparison.Ordinal);
    }

    [Fact]
    public void An_undefined_volume_is_reported()
    {
        var spec = _env.Read(File("volumes: [data:/d]", "volumes:\n  data: {}"));
        var error = Assert.Throws<DesiredStateException>(() => _env.Converter().Convert(spec with { Volumes = ValueList<VolumeSpec>.Empty }));
        Assert.Contains("undefined volume \"data\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_secret_file_is_reported_with_its_path()
    {
        var spec = _env.Read(File("secrets: [token]", "secrets:\n  token:\n    file: ./missing.txt"));
        var error = Assert.Throws<DesiredStateException>(() => _env.Converter().Convert(spec));
        Assert.Contains("secret token", error.Message, StringComparison.Ordinal);
        Assert.Contains("./missing.txt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Logging_dns_sysctls_and_the_plain_fields_are_copied()
    {
        var web = Web("""
            hostname: webhost
            user: "1000"
            working_dir: /srv
            stop_signal: SIGQUIT
            read_only: true
            tty: false
            dns: 8.8.8.8
            dns_search: [a.example, b.example]
            sysctls:
              net.core.somaxconn: 1024
            logging:
              driver: json-file
              options:
                max-size: 10m
            """);
        var container = web.At("TaskTemplate.ContainerSpec")!;
        Assert.Equal(("webhost", "1000", "/srv", "SIGQUIT"), (container.Text("Hostname"), container.Text("User"), container.Text("Dir"), container.Text("StopSignal")));
        Assert.True(container["ReadOnly"]!.GetValue<bool>());
        Assert.Null(container["TTY"]);
        Json.Equal(Json.Parse("""{"Nameservers":["8.8.8.8"],"Search":["a.example","b.example"]}"""), container["DNSConfig"]);
        Json.Equal(Json.Parse("""{"net.core.somaxconn":"1024"}"""), container["Sysctls"]);
        Json.Equal(Json.Parse("""{"Name":"json-file","Options":{"max-size":"10m"}}"""), web.At("TaskTemplate.LogDriver"));
    }
}
