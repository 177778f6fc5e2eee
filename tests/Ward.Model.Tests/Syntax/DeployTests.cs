using Ward.Model.Spec;
using static Ward.Model.Tests.Support.Reader;

namespace Ward.Model.Tests.Syntax;

/// <summary>The deploy section: mode, replicas, placement, resources, restart, update and rollback.</summary>
public sealed class DeployTests
{
    private const string Full = """
        deploy:
          mode: replicated
          replicas: 3
          endpoint_mode: dnsrr
          labels: { com.example.team: web }
          placement:
            constraints: [node.role == worker, node.labels.zone == a]
            preferences: [{ spread: node.labels.zone }]
            max_replicas_per_node: 2
          resources:
            limits: { cpus: "1.5", memory: 1G, pids: 200 }
            reservations:
              cpus: "0.25"
              memory: 256M
              generic_resources: [{ discrete_resource_spec: { kind: gpu, value: 1 } }]
          restart_policy: { condition: on-failure, delay: 5s, max_attempts: 3, window: 2m }
          update_config: { parallelism: 2, delay: 10s, failure_action: rollback, monitor: 30s, max_failure_ratio: 0.2, order: start-first }
          rollback_config: { parallelism: 1, delay: 0s, failure_action: pause, monitor: 10s, max_failure_ratio: 0, order: stop-first }
        """;

    [Fact]
    public void Every_deploy_key_is_read()
    {
        var deploy = Service(WebService(Full)).Deploy;
        Assert.Equal((ServiceMode.Replicated, 3, "dnsrr", "web"), (deploy.Mode, deploy.Replicas!.Value, deploy.EndpointMode, deploy.Labels["com.example.team"]));
        Assert.Equal(["node.role == worker", "node.labels.zone == a"], deploy.Placement.Constraints);
        Assert.Equal(["node.labels.zone"], deploy.Placement.Spread);
        Assert.Equal(2, deploy.Placement.MaxReplicasPerNode);
        Assert.Equal(new ResourceValues { Cpus = 1.5, MemoryBytes = 1L << 30, Pids = 200 }, deploy.Resources.Limits);
        Assert.Equal(new ResourceValues { Cpus = 0.25, MemoryBytes = 256L << 20, GenericResources = ValueList.Of(new GenericResource("gpu", 1)) }, deploy.Resources.Reservations);
        Assert.Equal(new RestartPolicySpec { Condition = "on-failure", Delay = TimeSpan.FromSeconds(5), MaxAttempts = 3, Window = TimeSpan.FromMinutes(2) }, deploy.RestartPolicy);
        Assert.Equal(new UpdateConfigSpec { Parallelism = 2, Delay = TimeSpan.FromSeconds(10), FailureAction = "rollback", Monitor = TimeSpan.FromSeconds(30), MaxFailureRatio = 0.2, Order = "start-first" }, deploy.UpdateConfig);
        Assert.Equal(new UpdateConfigSpec { Parallelism = 1, Delay = TimeSpan.Zero, FailureAction = "pause", Monitor = TimeSpan.FromSeconds(10), MaxFailureRatio = 0, Order = "stop-first" }, deploy.RollbackConfig);
    }

    [Fact]
    public void Global_mode()
    {
        Assert.Equal(ServiceMode.Global, Service(WebService("deploy: { mode: global }")).Deploy.Mode);
    }

    [Fact]
    public void No_deploy_section_means_one_replica()
    {
        var deploy = Service(WebService("user: x")).Deploy;
        Assert.Equal((ServiceMode.Replicated, (int?)null, 1), (deploy.Mode, deploy.Replicas, deploy.EffectiveReplicas));
        Assert.Null(Service(WebService("deploy:")).Deploy.Replicas);
    }

    [Theory]
    [InlineData("3.0", 3)]
    [InlineData("1e2", 100)]
    [InlineData("0x10", 16)]
    [InlineData("\"${R}\"", 4)]
    [InlineData("\"${UNSET:-2}\"", 2)]
    public void Replicas_forms_the_cli_accepts(string text, int replicas)
    {
        Assert.Equal(replicas, Service(WebService($"deploy: {{ replicas: {text} }}"), variables: Vars("R=4")).Deploy.Replicas);
    }

    [Fact]
    public void Unquoted_interpolation_in_block_style()
    {
        Assert.Equal(4, Service(WebService("deploy:\n  replicas: ${R}"), variables: Vars("R=4")).Deploy.Replicas);
    }

    [Theory]
    [InlineData("\"3\"", "WARD-SCHEMA", "'3'")]
    [InlineData("2.5", "WARD-SCHEMA", "2.5")]
    [InlineData("-1", "WARD-SCHEMA", "-1")]
    [InlineData("\"${NEG}\"", "WARD-SCHEMA", "-2")]
    [InlineData("\"${UNSET}\"", "WARD-INTERP", "''")]
    [InlineData("\"${WORD}\"", "WARD-INTERP", "'x'")]
    public void Replicas_forms_the_cli_refuses(string text, string code, string named)
    {
        var error = Refused(WebService($"deploy: {{ replicas: {text} }}"), code, "services.web.deploy.replicas", Vars("NEG=-2", "WORD=x"));
        Names(error, named);
    }

    [Fact]
    public void Free_text_fields_are_not_checked_by_the_cli()
    {
        var deploy = Service(WebService("deploy:\n  endpoint_mode: whatever\n  restart_policy: { condition: sometimes }\n  update_config: { failure_action: shrug }\n  placement: { constraints: [\"this is not an expression\"] }")).Deploy;
        Assert.Equal("sometimes", deploy.RestartPolicy!.Condition);
    }

    [Fact]
    public void An_unknown_mode_reads_but_blocks_the_deploy()
    {
        Names(ReadsWith(WebService("deploy: { mode: bogus }"), "CMP-002", "services.web.deploy.mode"), "'bogus'", "replicated or global");
    }

    [Theory]
    [InlineData("deploy: { update_config: { order: first } }", "services.web.deploy.update_config.order", "'first'", "start-first, stop-first")]
    [InlineData("deploy: { placement: { constraints: \"node.role==manager\" } }", "services.web.deploy.placement.constraints", "'node.role==manager'", "a list")]
    [InlineData("deploy: { x-note: 1 }", "services.web.deploy.x-note", "x-note", "refuses")]
    [InlineData("deploy: { resources: { reservations: { devices: [] } } }", "services.web.deploy.resources.reservations.devices", "devices", "refuses")]
    [InlineData("deploy: { resources: { reservations: { generic_resources: [{ named_resource_spec: { kind: a, value: b } }] } } }", "services.web.deploy.resources.reservations.generic_resources[0].named_resource_spec", "named_resource_spec", "refuses")]
    [InlineData("deploy: { placement: { preferences: [{ spread: a, weight: 1 }] } }", "services.web.deploy.placement.preferences[0].weight", "weight", "refuses")]
    [InlineData("deploy: { cpu_shares: 5 }", "services.web.deploy.cpu_shares", "cpu_shares", "refuses")]
    [InlineData("deploy: { update_config: { parallelism: -1 } }", "services.web.deploy.update_config.parallelism", "-1", "minimum")]
    [InlineData("deploy: { restart_policy: { max_attempts: \"3\" } }", "services.web.deploy.restart_policy.max_attempts", "'3'", "an integer")]
    [InlineData("deploy: { update_config: { max_failure_ratio: \"0.1\" } }", "services.web.deploy.update_config.max_failure_ratio", "'0.1'", "a number")]
    public void Deploy_forms_the_cli_refuses(string body, string path, string found, string allowed)
    {
        Names(Refused(WebService(body), "WARD-SCHEMA", path), found, allowed);
    }

    [Theory]
    [InlineData("3.6", "deploy: { rollback_config: { parallelism: 1 } }", "services.web.deploy.rollback_config", "3.7")]
    [InlineData("3.3", "deploy: { update_config: { order: start-first } }", "services.web.deploy.update_config.order", "3.4")]
    [InlineData("3.2", "deploy: { placement: { preferences: [{ spread: a }] } }", "services.web.deploy.placement.preferences", "3.3")]
    [InlineData("3.7", "deploy: { placement: { max_replicas_per_node: 1 } }", "services.web.deploy.placement.max_replicas_per_node", "3.8")]
    [InlineData("3.1", "deploy: { endpoint_mode: dnsrr }", "services.web.deploy.endpoint_mode", "3.2")]
    [InlineData("3.8", "deploy: { resources: { limits: { pids: 5 } } }", "services.web.deploy.resources.limits.pids", "3.9")]
    [InlineData("3.4", "deploy: { resources: { reservations: { generic_resources: [] } } }", "services.web.deploy.resources.reservations.generic_resources", "3.5")]
    public void Deploy_keys_need_their_version(string version, string body, string path, string since)
    {
        Names(Refused(WebService(body, version), "CMP-003", path), since, $"\"{version}\"");
    }

    [Fact]
    public void Interpolated_counts_and_ratios_are_cast()
    {
        var deploy = Service(WebService("deploy:\n  placement: { max_replicas_per_node: \"${N}\" }\n  restart_policy: { max_attempts: \"${N}\" }\n  update_config: { parallelism: \"${N}\", max_failure_ratio: \"${F}\" }\n  rollback_config: { parallelism: \"${N}\", max_failure_ratio: \"${F}\" }"), variables: Vars("N=5", "F=0.25")).Deploy;
        Assert.Equal((5, 5L, 5L, 0.25, 5L, 0.25), (deploy.Placement.MaxReplicasPerNode!.Value, deploy.RestartPolicy!.MaxAttempts!.Value, deploy.UpdateConfig!.Parallelism!.Value, deploy.UpdateConfig.MaxFailureRatio!.Value, deploy.RollbackConfig!.Parallelism!.Value, deploy.RollbackConfig.MaxFailureRatio!.Value));
    }

    [Fact]
    public void Pids_may_be_negative_as_the_cli_stores_int64()
    {
        Assert.Equal(-1, Service(WebService("deploy: { resources: { limits: { pids: -1 } } }")).Deploy.Resources.Limits!.Pids);
    }
}
