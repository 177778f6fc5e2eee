using Ward.Model.Diagnostics;
using Ward.Model.Spec;
using static Ward.Model.Tests.Support.Reader;

namespace Ward.Model.Tests.Reading;

/// <summary>The x-ward section: bound into the spec, checked against the catalog and the file's services.</summary>
public sealed class WardSectionTests
{
    private const string Example = """
        version: "3.8"
        x-ward:
          environment:
            name: clinic-prod
            kind: production
          nodes:
            - name: manager-1
              role: manager
              size: medium
              address: 203.0.113.10
              zone: a
            - name: worker-1
              role: worker
              size: x-large
              labels: { database: "true", tier: 2, ssd: true }
            - name: worker-2
              size: x-large
              availability: drain
          databases:
            - name: records
              engine: postgres
              version: "15"
              tier: general-purpose-2
              placement: [ "node.labels.database == true" ]
              service: db
            - name: billing
              engine: mysql
              version: 8.0
              tier: basic-1
              external: { host: db.internal, port: 3306 }
          domains:
            - name: app.example.org
              service: web
              port: 8080
              mapped_at: 2026-11-20T09:00:00Z
          switchover:
            window: { start: 2026-12-05T02:00:00Z, end: "2026-12-05T05:00:00+01:00" }
            restore_rehearsal: { at: 2026-11-28T10:00:00Z, passed: true }
            rollback_plan: point DNS back at the old host
            swarm_backup_at: 2026-11-27T23:00:00Z
          waivers:
            - rule: rel-001
              target: services.worker
              reason: "a single consumer by design"
              expires: 2027-01-31
        services:
          web: { image: "registry.example.org/clinic/web:1.4.2" }
          db: { image: "postgres:15" }
        """;

    [Fact]
    public void The_whole_section_binds()
    {
        var spec = Reads(Example);
        Assert.Equal(("clinic-prod", EnvironmentKind.Production, true), (spec.Name, spec.Kind, spec.HasWardSection));
        Assert.Equal(new NodeSpec { Name = "manager-1", Role = NodeRole.Manager, Size = "medium", Address = "203.0.113.10", Zone = "a" }, spec.Nodes[0]);
        Assert.Equal((NodeRole.Worker, "true", "2", "true"), (spec.Nodes[1].Role, spec.Nodes[1].Labels["database"], spec.Nodes[1].Labels["tier"], spec.Nodes[1].Labels["ssd"]));
        Assert.Equal((NodeRole.Worker, NodeAvailability.Drain), (spec.Nodes[2].Role, spec.Nodes[2].Availability));
        Assert.Equal(new DatabaseSpec { Name = "records", Engine = DatabaseEngine.Postgres, Version = "15", Tier = "general-purpose-2", Placement = ValueList.Of("node.labels.database == true"), Service = "db" }, spec.Databases[0]);
        Assert.Equal((DatabaseEngine.Mysql, "8.0", new ExternalDatabase("db.internal", 3306)), (spec.Databases[1].Engine, spec.Databases[1].Version, spec.Databases[1].External));
        Assert.Equal(new DomainSpec { Name = "app.example.org", Service = "web", Port = 8080, MappedAt = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero) }, spec.Domains[0]);
        var switchover = spec.Switchover!;
        Assert.Equal(TimeSpan.FromHours(2), switchover.Window!.Length);
        Assert.Equal(new RestoreRehearsal(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero), true), switchover.RestoreRehearsal);
        Assert.Equal("point DNS back at the old host", switchover.RollbackPlan);
        Assert.NotNull(switchover.SwarmBackupAt);
        Assert.Equal(new WaiverSpec { Rule = "REL-001", Target = "services.worker", Reason = "a single consumer by design", Expires = new DateOnly(2027, 1, 31), Path = "x-ward.waivers[0]" }, spec.Waivers[0]);
    }

    [Fact]
    public void A_plain_stack_file_reads_with_defaults()
    {
        var spec = Spec("services:\n  web: { image: nginx }\n");
        Assert.Equal(("env", EnvironmentKind.Production, false), (spec.Name, spec.Kind, spec.HasWardSection));
        Assert.Empty(spec.Nodes);
    }

    private static EnvironmentSpec Spec(string yaml) => Reads(yaml);

    [Fact]
    public void An_unknown_size_names_the_allowed_sizes()
    {
        var error = Refused(WardFile("nodes: [{ name: m, role: manager, size: huge }]"), "WARD-SPEC", "x-ward.nodes[0].size");
        Names(error, "size 'huge' is not one of small, medium, large, x-large");
    }

    [Fact]
    public void An_unknown_tier_names_the_allowed_tiers()
    {
        var error = Refused(WardFile("databases: [{ name: d, tier: gold }]"), "WARD-SPEC", "x-ward.databases[0].tier");
        Names(error, "tier 'gold'", "basic-1", "general-purpose-2", "memory-optimized-16");
    }

    [Fact]
    public void Duplicate_node_names_are_refused()
    {
        var error = Refused(WardFile("nodes:\n    - { name: n, size: small }\n    - { name: n, size: small }"), "WARD-SPEC", "x-ward.nodes[1].name");
        Names(error, "'n'", "x-ward.nodes[0]");
    }

    [Fact]
    public void Duplicate_database_names_are_refused()
    {
        Refused(WardFile("databases:\n    - { name: d, tier: basic-1 }\n    - { name: d, tier: basic-1 }"), "WARD-SPEC", "x-ward.databases[1].name");
    }

    [Fact]
    public void A_domain_naming_an_unknown_service_lists_the_services()
    {
        var error = Refused(WardFile("domains: [{ name: a.example.org, service: api }]"), "WARD-SPEC", "x-ward.domains[0].service");
        Names(error, "'api'", "web");
    }

    [Fact]
    public void A_database_naming_an_unknown_service_is_refused()
    {
        Refused(WardFile("databases: [{ name: d, tier: basic-1, service: nope }]"), "WARD-SPEC", "x-ward.databases[0].service");
    }

    [Theory]
    [InlineData("colour: blue", "x-ward.colour")]
    [InlineData("nodes: [{ name: n, size: small, colour: blue }]", "x-ward.nodes[0].colour")]
    [InlineData("environment: { name: a, tier: gold }", "x-ward.environment.tier")]
    [InlineData("switchover: { windw: {} }", "x-ward.switchover.windw")]
    public void Unknown_ward_keys_are_warnings(string body, string path)
    {
        var warning = ReadsWith(WardFile(body), "READ-001", path);
        Assert.Equal(Severity.Warning, warning.Severity);
        Names(warning, path.Split('.')[^1]);
    }

    [Fact]
    public void An_unknown_ward_key_close_to_a_known_one_gets_a_suggestion()
    {
        Names(ReadsWith(WardFile("node: []"), "READ-001", "x-ward.node"), "did you mean 'nodes'?");
    }

    [Theory]
    [InlineData("environment: { name: Clinic_Prod }", "x-ward.environment.name", "'Clinic_Prod'")]
    [InlineData("environment: { kind: test }", "x-ward.environment.kind", "'test'")]
    [InlineData("nodes: [{ name: n, size: small, role: boss }]", "x-ward.nodes[0].role", "'boss'")]
    [InlineData("nodes: [{ name: n }]", "x-ward.nodes[0]", "'size' is required")]
    [InlineData("nodes: [{ name: n, size: small, availability: off }]", "x-ward.nodes[0].availability", "'off'")]
    [InlineData("databases: [{ name: d, tier: basic-1, engine: oracle }]", "x-ward.databases[0].engine", "'oracle'")]
    [InlineData("domains: [{ name: a, service: web, mapped_at: 2026-11-20T09:00:00 }]", "x-ward.domains[0].mapped_at", "zone")]
    [InlineData("switchover: { window: { start: 2026-12-05T02:00:00Z } }", "x-ward.switchover.window", "'end' is required")]
    [InlineData("waivers: [{ rule: REL-001, reason: x, expires: 31/01/2027 }]", "x-ward.waivers[0].expires", "'31/01/2027'")]
    [InlineData("nodes: { name: n }", "x-ward.nodes", "a list")]
    public void Ward_values_that_are_refused(string body, string path, string named)
    {
        Names(Refused(WardFile(body), "WARD-SCHEMA", path), named);
    }

    [Fact]
    public void A_custom_catalog_extends_the_sizes()
    {
        var catalog = Ward.Model.Catalog.SizeCatalog.BuiltIn.With([new Ward.Model.Catalog.NodeSize("huge", 9, "X", 64, 256, 100)], []);
        var options = Options() with { Catalog = catalog };
        var result = Ward.Model.Reading.EnvironmentFileReader.ReadBytes(System.Text.Encoding.UTF8.GetBytes(WardFile("nodes: [{ name: m, size: huge }]")), FileName, Path.GetTempPath(), options);
        Assert.Equal("huge", result.Spec!.Nodes[0].Size);
    }

    private static string WardFile(string body) =>
        $"version: \"3.8\"\nx-ward:\n  {body}\nservices:\n  web: {{ image: nginx }}\n";
}
