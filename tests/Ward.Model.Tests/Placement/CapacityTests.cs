using Ward.Model.Catalog;
using Ward.Model.Placement.Capacity;
using Ward.Model.Spec;
using Ward.Model.Tests.Support;

namespace Ward.Model.Tests.Placement;

/// <summary>The capacity use case over an environment file: sizes from the catalog, what-ifs, what no longer fits and the smallest fix.</summary>
public sealed class CapacityTests
{
    private const string Clinic = """
        version: "3.9"
        x-ward:
          environment: { name: clinic, kind: production }
          nodes:
            - { name: manager-1, role: manager, size: medium }
            - { name: worker-1, role: worker, size: large, labels: { database: "true" } }
            - { name: worker-2, role: worker, size: large }
        volumes:
          records: {}
        services:
          api:
            image: api:1
            deploy:
              replicas: 2
              placement: { constraints: [ "node.role != manager" ], max_replicas_per_node: 1 }
              resources: { reservations: { cpus: "1.5", memory: 2G } }
          db:
            image: postgres:15
            volumes: [ "records:/var/lib/postgresql/data" ]
            deploy:
              placement: { constraints: [ "node.role != manager", "node.labels.database == true" ] }
              resources: { reservations: { cpus: "0.25", memory: 1G } }
        """;

    private static EnvironmentCluster ClusterOf(string yaml) => EnvironmentCluster.FromFile(Reader.Reads(yaml), SizeCatalog.BuiltIn)!;

    private static WhatIf WhatIfOf(EnvironmentCluster cluster, string[]? without = null, string[]? addWorker = null, string[]? scale = null)
    {
        var (whatIf, errors) = WhatIf.Parse(without ?? [], addWorker ?? [], scale ?? [], cluster);
        Assert.Empty(errors);
        return whatIf!;
    }

    [Fact]
    public void A_database_Ward_hosts_reserves_what_its_tier_does_not_what_its_service_says()
    {
        // basic-1 is 1 vCore and 2 GB: Ward reserves half the vCores and all the memory when it deploys the service.
        var yaml = Clinic.Replace("""
            volumes:
              records: {}
            """, """
              databases:
                - { name: records, engine: postgres, version: "15", tier: basic-1, service: db }
            volumes:
              records: {}
            """, StringComparison.Ordinal);
        var cluster = ClusterOf(yaml);

        var db = cluster.Services.Single(s => s.Name == "db");
        Assert.Equal(500_000_000, db.NanoCpus);
        Assert.Equal(2L << 30, db.MemoryBytes);
        Assert.Equal(1_500_000_000 + 500_000_000, CapacityPlanner.Plan(cluster).Shown.Node("worker-1")!.ReservedNanoCpus);
    }

    [Fact]
    public void The_services_Ward_adds_for_a_database_are_counted_where_their_placement_sends_them()
    {
        // A database without `service:` gets one Ward adds, at its tier; its backups get a repository on another node.
        var yaml = Clinic.Replace("""
            volumes:
              records: {}
            """, """
              databases:
                - name: ledger
                  engine: postgres
                  version: "15"
                  tier: basic-1
                  placement: [ "node.labels.database == true" ]
                  backups: { repository: { placement: [ "node.hostname == worker-2" ] } }
            volumes:
              records: {}
            """, StringComparison.Ordinal);
        var cluster = ClusterOf(yaml.Replace("name: worker-1, role: worker, size: large", "name: worker-1, role: worker, size: x-large", StringComparison.Ordinal));

        var ledger = cluster.Services.Single(s => s.Name == "ledger");
        Assert.Equal((500_000_000L, 2L << 30, true), (ledger.NanoCpus, ledger.MemoryBytes, ledger.KeepsDataOnNode));
        var repository = cluster.Services.Single(s => s.Name == "ward-backups-ledger");
        Assert.Equal((BackupRepositorySizing.ReservedNanoCpus, BackupRepositorySizing.ReservedMemoryBytes), (repository.NanoCpus, repository.MemoryBytes));
        var plan = CapacityPlanner.Plan(cluster).Shown;
        Assert.Equal(1_500_000_000L + 250_000_000 + 500_000_000, plan.Node("worker-1")!.ReservedNanoCpus);
        Assert.Equal(1_500_000_000L + BackupRepositorySizing.ReservedNanoCpus, plan.Node("worker-2")!.ReservedNanoCpus);
    }

    [Fact]
    public void The_files_nodes_have_their_catalog_sizes_and_the_plan_says_everything_fits()
    {
        var cluster = ClusterOf(Clinic);
        var manager = cluster.FindNode("manager-1")!;
        Assert.Equal(2_000_000_000, manager.NanoCpus);
        Assert.Equal(4L << 30, manager.MemoryBytes);
        Assert.Equal("medium", manager.Size);

        var report = CapacityPlanner.Plan(cluster);
        Assert.True(report.Fits);
        Assert.Null(report.Fix);
        Assert.Null(report.Scenario);
        Assert.Equal(new ManagerShare(0, 3, 0, 3_250_000_000, 0, 5L << 30), report.ManagerShare);
        Assert.Equal(1_750_000_000, report.Shown.Node("worker-1")!.ReservedNanoCpus);
    }

    [Fact]
    public void Losing_a_worker_names_what_no_longer_fits_and_the_smallest_worker_that_fixes_it()
    {
        var cluster = ClusterOf(Clinic);
        var report = CapacityPlanner.Plan(cluster, WhatIfOf(cluster, without: ["worker-2"]));
        Assert.False(report.Fits);
        var api = Assert.Single(report.NoLongerFits);
        Assert.Equal(new Shortfall("api", 2, 1, 0, "no suitable node (1 node not available for new tasks; insufficient resources on 1 node; scheduling constraints not satisfied on 1 node)"), api);

        // Each node counts once, under the first filter it fails, and filters failed equally often keep the pipeline's
        // order. A small worker (1 vCPU) cannot hold 1.5 CPU; a medium one can. Raising max_replicas_per_node does not
        // help: worker-1 has 0.25 CPU left.
        Assert.Equal(new AddedWorkers(SizeCatalog.BuiltIn.FindSize("medium")!, 1), report.Fix!.Workers);
        Assert.Empty(report.Fix.Changes);
        Assert.Equal("add 1 medium (B2s: 2 vCPU, 4 GB) worker", report.Fix.Describe());
    }

    [Fact]
    public void Losing_the_databases_node_leaves_it_waiting_for_that_node_and_no_fix_moves_it_from_its_data()
    {
        var cluster = ClusterOf(Clinic);
        var report = CapacityPlanner.Plan(cluster, WhatIfOf(cluster, without: ["worker-1"]));
        Assert.Contains(report.NoLongerFits, s => s.Service == "db");
        Assert.Equal(Ward.Model.Placement.Simulation.NodeStatus.Down, report.Shown.Node("worker-1")!.Node.Status);
        var fix = report.Fix!;
        Assert.DoesNotContain("database", fix.Labels.Keys);
        Assert.DoesNotContain(fix.Changes, c => c.Service == "db");
        Assert.Contains(new ServiceChange("db", "its data is on a node-local volume; it waits for worker-1 to come back"), fix.Unfixable);
    }

    [Fact]
    public void A_database_too_large_for_its_node_is_told_to_grow_that_node()
    {
        var cluster = ClusterOf(Clinic.Replace("cpus: \"0.25\", memory: 1G", "cpus: \"0.25\", memory: 7G", StringComparison.Ordinal));
        var report = CapacityPlanner.Plan(cluster);
        Assert.Equal(["db"], report.Pending.Select(p => p.Service));
        Assert.Equal([new ServiceChange("db", "make worker-1 at least x-large (D4s_v3: 4 vCPU, 16 GB)")], report.Fix!.Changes);
        Assert.Null(report.Fix.Workers);
    }

    [Fact]
    public void Added_workers_and_scaling_change_the_cluster_before_the_lost_nodes_fail()
    {
        var cluster = ClusterOf(Clinic);
        var report = CapacityPlanner.Plan(cluster, WhatIfOf(cluster, without: ["worker-2"], addWorker: ["largex2"], scale: ["api=3"]));
        Assert.True(report.Fits, string.Join("; ", report.Pending));
        Assert.Equal(["manager-1", "worker-1", "worker-2", "new-worker-1", "new-worker-2"], report.Shown.Nodes.Select(n => n.Node.Name));
        Assert.Equal(3, report.Shown.Service("api")!.Placed);
        Assert.Equal(0, report.Shown.Node("worker-2")!.TaskCount);
        Assert.Equal("without worker-2, with 2 more large workers, api at 3 replicas", report.WhatIf.Describe());
    }

    [Fact]
    public void A_relaxed_limit_is_offered_when_a_worker_is_not_the_only_way()
    {
        var cluster = ClusterOf(Clinic.Replace("cpus: \"1.5\", memory: 2G", "cpus: \"0.5\", memory: 1G", StringComparison.Ordinal));
        var report = CapacityPlanner.Plan(cluster, WhatIfOf(cluster, scale: ["api=3"]));
        var fix = report.Fix!;
        Assert.Equal("small", fix.Workers!.Size.Name);
        Assert.Contains(new ServiceChange("api", "raise max_replicas_per_node from 1 to 2"), fix.Changes);
        Assert.Equal("add 1 small (B1ms: 1 vCPU, 2 GB) worker; or service by service, api: raise max_replicas_per_node from 1 to 2", fix.Describe());
    }

    [Fact]
    public void A_global_task_that_does_not_fit_its_node_asks_for_a_larger_node_not_a_worker()
    {
        var cluster = ClusterOf(Clinic + """

              agent:
                image: agent:1
                deploy:
                  mode: global
                  resources: { reservations: { memory: 5G } }
            """);
        var report = CapacityPlanner.Plan(cluster);
        var agent = Assert.Single(report.Pending);
        Assert.Equal("agent", agent.Service);
        Assert.Equal("manager-1: insufficient resources on 1 node", agent.Reason);

        // No worker helps a task bound to the manager; a larger manager does.
        Assert.Null(report.Fix!.Workers);
        Assert.Equal([new ServiceChange("agent", "make manager-1 at least large (D2s_v3: 2 vCPU, 8 GB)")], report.Fix.Changes);
    }

    [Fact]
    public void What_nothing_fixes_is_said_with_swarms_reason()
    {
        var cluster = ClusterOf(Clinic + """

              huge:
                image: huge:1
                deploy:
                  resources: { reservations: { memory: 20G } }
            """);
        var fix = CapacityPlanner.Plan(cluster).Fix!;
        Assert.False(fix.HasRemedy);
        Assert.Equal("nothing Ward tried (workers added, constraints relaxed, nodes made larger) makes these fit: huge (no suitable node (insufficient resources on 3 nodes))", fix.Advice);
    }

    [Theory]
    [InlineData("without", "worker-9", "there is no node named 'worker-9'; the nodes are manager-1, worker-1, worker-2")]
    [InlineData("add-worker", "huge", "'huge' is not a node size; the sizes are small, medium, large, x-large (SIZE or SIZExN, e.g. largex2)")]
    [InlineData("add-worker", "hugex2", "'huge' is not a node size; the sizes are small, medium, large, x-large (SIZE or SIZExN, e.g. largex2)")]
    [InlineData("add-worker", "largex0", "asks for 0 workers; give a count from 1 to 100 (SIZE or SIZExN, e.g. largex2)")]
    [InlineData("scale", "web=3", "there is no service named 'web'; the services are api, db")]
    [InlineData("scale", "api=-1", "-1 replicas: a replica count is 0 or more")]
    [InlineData("scale", "api=two", "'two' is not a replica count; give a whole number from 0 up")]
    [InlineData("scale", "api", "needs a replica count: SERVICE=N, e.g. api=3")]
    public void A_what_if_that_names_what_does_not_exist_is_refused_with_the_choices(string parameter, string value, string message)
    {
        var cluster = ClusterOf(Clinic);
        var (whatIf, errors) = WhatIf.Parse(
            parameter == "without" ? [value] : [],
            parameter == "add-worker" ? [value] : [],
            parameter == "scale" ? [value] : [],
            cluster);
        Assert.Null(whatIf);
        Assert.Equal(new WhatIfError(parameter, value, message), Assert.Single(errors));
    }

    [Fact]
    public void Sizes_with_an_x_of_their_own_read_with_and_without_a_count()
    {
        var cluster = ClusterOf(Clinic);
        var whatIf = WhatIfOf(cluster, addWorker: ["x-large", "x-largex3", "mediumx2"]);
        Assert.Equal(["x-large:1", "x-large:3", "medium:2"], whatIf.AddWorkers.Select(w => $"{w.Size.Name}:{w.Count}"));
    }

    [Fact]
    public void A_file_without_nodes_or_with_a_size_not_in_the_catalog_has_no_cluster_to_measure()
    {
        Assert.Null(EnvironmentCluster.FromFile(Reader.Reads("services: { web: { image: a } }"), SizeCatalog.BuiltIn));
        var spec = Reader.Reads(Clinic);
        var odd = spec with { Nodes = ValueList.Of(spec.Nodes[0] with { Size = "huge" }) };
        Assert.Null(EnvironmentCluster.FromFile(odd, SizeCatalog.BuiltIn));
    }
}
