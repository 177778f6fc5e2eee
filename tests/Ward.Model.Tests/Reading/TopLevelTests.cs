using Ward.Model.Spec;
using static Ward.Model.Tests.Support.Reader;

namespace Ward.Model.Tests.Reading;

/// <summary>Top-level networks, volumes, secrets and configs, with the external forms and the CLI's conflict checks.</summary>
public sealed class TopLevelTests
{
    [Fact]
    public void Networks_with_every_key()
    {
        var spec = Reads("""
            version: "3.8"
            services: {}
            networks:
              front:
                driver: overlay
                attachable: true
                internal: true
                driver_opts: { encrypted: "" }
                labels: [com.example=1]
                ipam: { driver: default, config: [{ subnet: 10.10.0.0/24 }] }
              plain:
              named: { name: shared-net, external: true }
            """);
        var front = spec.Networks[0];
        Assert.Equal(("front", "overlay", true, true, true), (front.Key, front.Driver, front.Attachable, front.Internal, front.Encrypted));
        Assert.Equal(["10.10.0.0/24"], front.Subnets);
        Assert.Equal(new NetworkSpec { Key = "plain" }, spec.Networks[1]);
        Assert.Equal((true, "shared-net"), (spec.Networks[2].External, spec.Networks[2].Name));
    }

    [Fact]
    public void Volumes_with_every_key()
    {
        var spec = Reads("""
            version: "3.8"
            volumes:
              data: { driver: rexray, driver_opts: { size: 10 }, labels: { backup: daily } }
              local:
              old: { external: { name: legacy-data } }
              named: { name: app-data }
            """);
        Assert.Equal(("data", "rexray", "10", false), (spec.Volumes[0].Key, spec.Volumes[0].Driver, spec.Volumes[0].DriverOpts["size"], spec.Volumes[0].IsNodeLocal));
        Assert.True(spec.Volumes[1].IsNodeLocal);
        Assert.Equal((true, "legacy-data"), (spec.Volumes[2].External, spec.Volumes[2].Name));
        Assert.Equal("app-data", spec.Volumes[3].Name);
    }

    [Fact]
    public void Secrets_and_configs_from_files_or_external()
    {
        var spec = Reads("""
            version: "3.8"
            secrets:
              db: { file: ./secrets/db.txt, labels: { rotated: "2026-01" } }
              api: { external: true, name: api-key-v2 }
              tpl: { file: ./t.txt, template_driver: golang }
              plugin: { driver: vault, driver_opts: { path: secret/app } }
              empty: {}
            configs:
              nginx: { file: ./nginx.conf }
              shared: { external: true }
            """);
        Assert.Equal(new SecretSpec { Key = "db", File = "./secrets/db.txt", Labels = new ValueMap<string>([new("rotated", "2026-01")]) }, spec.Secrets[0]);
        Assert.Equal((true, "api-key-v2"), (spec.Secrets[1].External, spec.Secrets[1].Name));
        Assert.Equal(("golang", "vault"), (spec.Secrets[2].TemplateDriver, spec.Secrets[3].Driver));
        Assert.Equal(new SecretSpec { Key = "empty" }, spec.Secrets[4]);
        Assert.Equal(("./nginx.conf", true), (spec.Configs[0].File, spec.Configs[1].External));
    }

    [Theory]
    [InlineData("networks: { n: { external: {} } }")]
    [InlineData("networks: { n: { external: true, name: x } }")]
    [InlineData("networks: { n: { external: true, driver: overlay } }")]
    [InlineData("secrets: { s: { external: true, file: ./x } }")]
    [InlineData("secrets: { s: { external: { name: x, foo: 1 } } }")]
    [InlineData("secrets: { s: { external: true, driver: x, file: ./y } }")]
    [InlineData("volumes: { v: { external: false, driver: local } }")]
    [InlineData("volumes: { v: { external: true, driver: \"\", driver_opts: {}, labels: [] } }")]
    [InlineData("secrets: { s: { driver: \"\", file: ./x } }")]
    public void External_forms_the_cli_accepts(string section)
    {
        Reads("version: \"3.8\"\n" + section);
    }

    [Fact]
    public void External_with_an_empty_mapping_counts_as_external()
    {
        Assert.True(Reads("networks: { n: { external: {} } }").Networks[0].External);
    }

    [Theory]
    [InlineData("volumes: { v: { external: true, driver: local } }", "volumes.v.driver", "'driver'")]
    [InlineData("volumes: { v: { external: true, driver_opts: { a: b } } }", "volumes.v.driver_opts", "'driver_opts'")]
    [InlineData("volumes: { v: { external: true, labels: { a: b } } }", "volumes.v.labels", "'labels'")]
    [InlineData("volumes: { v: { external: { name: x }, driver: local } }", "volumes.v.driver", "'driver'")]
    [InlineData("networks: { n: { external: { name: x }, name: y } }", "networks.n.external", "name")]
    [InlineData("volumes: { v: { external: { name: x }, name: y } }", "volumes.v.external", "name")]
    [InlineData("secrets: { s: { external: { name: x }, name: y } }", "secrets.s.external", "name")]
    [InlineData("configs: { c: { external: { name: x }, name: y } }", "configs.c.external", "name")]
    [InlineData("secrets: { s: { driver: vault, file: ./x } }", "secrets.s.driver", "'file'")]
    public void Conflicts_the_cli_refuses(string section, string path, string named)
    {
        Names(Refused("version: \"3.8\"\n" + section, "WARD-SCHEMA", path), named);
    }

    [Fact]
    public void External_name_alone_is_deprecated_from_3_5_for_networks()
    {
        ReadsWith("version: \"3.5\"\nnetworks: { n: { external: { name: x } } }", "READ-003", "networks.n.external.name");
        Assert.DoesNotContain(Read("version: \"3.4\"\nnetworks: { n: { external: { name: x } } }").Diagnostics, d => d.Code == "READ-003");
        ReadsWith("version: \"3.4\"\nvolumes: { v: { external: { name: x } } }", "READ-003", "volumes.v.external.name");
    }

    [Theory]
    [InlineData("networks: { n: { enable_ipv6: true } }", "networks.n.enable_ipv6")]
    [InlineData("networks: { n: { ipam: { config: [{ subnet: 10.0.0.0/24, gateway: 10.0.0.1 }] } } }", "networks.n.ipam.config[0].gateway")]
    [InlineData("networks: { n: { external: { name: x, foo: 1 } } }", "networks.n.external.foo")]
    [InlineData("networks: { n: { driver_opts: { a: null } } }", "networks.n.driver_opts.a")]
    [InlineData("configs: { c: { driver: x } }", "configs.c.driver")]
    [InlineData("secrets: { s: { content: x } }", "secrets.s.content")]
    [InlineData("secrets: { s: }", "secrets.s")]
    [InlineData("volumes: { \"bad name\": {} }", "volumes.bad name")]
    [InlineData("services:", "services")]
    [InlineData("networks:", "networks")]
    public void Top_level_forms_the_cli_refuses(string section, string path)
    {
        Refused("version: \"3.8\"\n" + section, "WARD-SCHEMA", path);
    }

    [Fact]
    public void Network_names_outside_the_pattern_bypass_the_schema_but_are_still_decoded()
    {
        Assert.Equal("bad name!", Reads("networks: { \"bad name!\": { foo: bar } }").Networks[0].Key);
        Refused("networks: { \"bad name!\": 5 }", "WARD-SCHEMA", "networks.bad name!");
        Refused("networks: { \"bad name!\": { driver: 5 } }", "WARD-SCHEMA", "networks.bad name!.driver");
    }

    [Fact]
    public void Null_networks_and_volumes_are_empty_definitions()
    {
        var spec = Reads("networks: { n: }\nvolumes: { v: }");
        Assert.Equal(("n", "v"), (spec.Networks[0].Key, spec.Volumes[0].Key));
    }

    [Theory]
    [InlineData("3.0", "secrets: {}", "secrets", "3.1")]
    [InlineData("3.2", "configs: {}", "configs", "3.3")]
    [InlineData("3.4", "networks: { n: { name: x } }", "networks.n.name", "3.5")]
    [InlineData("3.3", "volumes: { v: { name: x } }", "volumes.v.name", "3.4")]
    [InlineData("3.1", "networks: { n: { attachable: true } }", "networks.n.attachable", "3.2")]
    [InlineData("3.7", "secrets: { s: { file: ./a, template_driver: golang } }", "secrets.s.template_driver", "3.8")]
    [InlineData("3.6", "networks: { n: { x-note: 1 } }", "networks.n.x-note", "3.7")]
    [InlineData("3.6", "volumes: { v: { x-cluster-spec: {} } }", "volumes.v.x-cluster-spec", "3.7")]
    public void Top_level_keys_need_their_version(string version, string section, string path, string since)
    {
        Names(Refused($"version: \"{version}\"\n{section}", "CMP-003", path), since);
    }

    [Fact]
    public void Cluster_volume_specs_are_decoded_in_every_version_that_allows_them()
    {
        Reads("version: \"3.13\"\nvolumes:\n  v:\n    x-cluster-spec:\n      group: g\n      access_mode: { scope: single, sharing: none, mount_volume: { fs_type: ext4, mount_flags: [ro] } }\n      capacity_range: { required_bytes: 1G, limit_bytes: 2G }\n      extra: anything");
        Reads("version: \"3.8\"\nvolumes:\n  v:\n    x-cluster-spec: { capacity_range: { required_bytes: 1G } }");
        Names(Refused("version: \"3.13\"\nvolumes: { v: { x-cluster-spec: { capacity_range: { required_bytes: lots } } } }", "WARD-SCHEMA", "volumes.v.x-cluster-spec.capacity_range.required_bytes"), "'lots'");
        Refused("version: \"3.8\"\nvolumes: { v: { x-cluster-spec: { group: 5 } } }", "WARD-SCHEMA", "volumes.v.x-cluster-spec.group");
        Refused("version: \"3.13\"\nvolumes: { v: { x-cluster-spec: 5 } }", "WARD-SCHEMA", "volumes.v.x-cluster-spec");
    }
}
