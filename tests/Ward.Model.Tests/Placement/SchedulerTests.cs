using Ward.Model.Placement.Simulation;
using Ward.Model.Spec;
using static Ward.Model.Tests.Placement.Cluster;

namespace Ward.Model.Tests.Placement;

/// <summary>
/// The scheduler simulation against SwarmKit's behaviour, case by case (manager/scheduler: filter.go, pipeline.go,
/// nodeset.go, scheduler.go). Where SwarmKit's own tests fix an outcome (TestPreferences, TestMultiplePreferences,
/// TestMultiplePreferencesScaleUp), the same cluster is placed here and must come out the same.
/// </summary>
public sealed class SchedulerTests
{
    [Fact]
    public void Tasks_go_to_the_nodes_with_the_fewest_tasks_of_the_service_then_the_fewest_in_all()
    {
        var nodes = new[] { Node("w1"), Node("w2"), Node("w3") };
        var scheduler = new Scheduler(nodes, [Service("web", replicas: 2)], [new ExistingTask("w1", "other", 0, 0), new ExistingTask("w1", "other", 0, 0)]);
        scheduler.PlaceAll();
        Assert.Equal("w2=1 w3=1", Layout(scheduler.Result(), "web"));
    }

    [Fact]
    public void A_node_with_fewer_tasks_of_the_service_wins_over_one_with_fewer_tasks_in_all()
    {
        // Scaling web from 1 to 3: w2 is busier than w1 but runs no web task yet.
        var nodes = new[] { Node("w1"), Node("w2"), Node("w3") };
        ExistingTask[] running = [new("w1", "web", 0, 0), new("w2", "other", 0, 0), new("w2", "other", 0, 0), new("w2", "other", 0, 0)];
        var scheduler = new Scheduler(nodes, [Service("web", replicas: 3)], running);
        scheduler.PlaceAll();
        Assert.Equal("w1=1 w2=1 w3=1", Layout(scheduler.Result(), "web"));
    }

    [Fact]
    public void A_spread_preference_splits_tasks_evenly_over_label_values_not_nodes()
    {
        // SwarmKit's testPreferences: one node in az1, four in az2, eight tasks.
        var nodes = new[]
        {
            Node("id1", labels: ("az", "az1")), Node("id2", labels: ("az", "az2")), Node("id3", labels: ("az", "az2")),
            Node("id4", labels: ("az", "az2")), Node("id5", labels: ("az", "az2")),
        };
        var result = Place(nodes, Service("s", replicas: 8, spread: ["node.labels.az"]));
        Assert.Equal("id1=4 id2=1 id3=1 id4=1 id5=1", Layout(result, "s"));
    }

    [Fact]
    public void Nested_preferences_fill_what_a_branch_can_hold_and_give_the_rest_to_the_others()
    {
        // SwarmKit's testMultiplePreferences: az1 holds 5 tasks (id0 none, id1 five), the other 7 go to az2's racks.
        var nodes = new[]
        {
            Node("id0", cpus: 1, memoryGb: 1e8 / Gb, labels: [("az", "az1"), ("rack", "rack1")]),
            Node("id1", cpus: 1, memoryGb: 1e9 / Gb, labels: [("az", "az1"), ("rack", "rack1")]),
            Node("id2", cpus: 1, memoryGb: 1e9 / Gb, labels: [("az", "az2"), ("rack", "rack1")]),
            Node("id3", cpus: 1, memoryGb: 1e9 / Gb, labels: [("az", "az2"), ("rack", "rack1")]),
            Node("id4", cpus: 1, memoryGb: 1e9 / Gb, labels: [("az", "az2"), ("rack", "rack1")]),
            Node("id5", cpus: 1, memoryGb: 1e9 / Gb, labels: [("az", "az2"), ("rack", "rack2")]),
            Node("id6", cpus: 1, memoryGb: 1e9 / Gb, labels: [("az", "az2"), ("rack", "rack2")]),
        };
        var service = Service("s", replicas: 12, memoryGb: 2e8 / Gb, spread: ["node.labels.az", "node.labels.rack"]);
        string[] allowed =
        [
            "id1=5 id2=2 id3=1 id4=1 id5=2 id6=1", "id1=5 id2=1 id3=2 id4=1 id5=2 id6=1", "id1=5 id2=1 id3=1 id4=2 id5=2 id6=1",
            "id1=5 id2=2 id3=1 id4=1 id5=1 id6=2", "id1=5 id2=1 id3=2 id4=1 id5=1 id6=2", "id1=5 id2=1 id3=1 id4=2 id5=1 id6=2",
            "id1=5 id2=1 id3=1 id4=1 id5=2 id6=2",
        ];
        Assert.Contains(Layout(Place(nodes, service), "s"), allowed);
        for (var seed = 0; seed < 50; seed++)
        {
            var scheduler = new Scheduler(nodes, [service], ties: new Random(seed));
            scheduler.PlaceAll();
            Assert.Contains(Layout(scheduler.Result(), "s"), allowed);
        }
    }

    [Fact]
    public void Scaling_up_an_unbalanced_spread_ends_instead_of_looping()
    {
        // SwarmKit's TestMultiplePreferencesScaleUp: 3, 1 and 3 tasks run; two more go to id12 and id21 between them.
        var nodes = new[]
        {
            Node("id11", labels: [("az", "dc1"), ("rack", "r1")]), Node("id12", labels: [("az", "dc1"), ("rack", "r2")]), Node("id21", labels: [("az", "dc2"), ("rack", "r1")]),
        };
        var running = new[] { ("id11", 3), ("id12", 1), ("id21", 3) }.SelectMany(r => Enumerable.Repeat(new ExistingTask(r.Item1, "s", 0, 0), r.Item2)).ToList();
        var scheduler = new Scheduler(nodes, [Service("s", replicas: 9, spread: ["node.labels.az", "node.labels.rack"])], running);
        scheduler.PlaceAll();
        var result = scheduler.Result().Service("s")!;
        Assert.Equal(0, result.Pending);
        Assert.Equal(2, result.On("id12") - 1 + result.On("id21") - 3);
    }

    [Fact]
    public void A_node_without_the_spread_label_forms_a_branch_of_its_own_which_skews_the_split()
    {
        // The manager has no zone label, so the tree has a "" branch; it takes nothing (the constraint), but it counted
        // when the tasks were divided, and the branches' counts are not updated while the group is placed.
        var unlabelled = new[] { Manager(), Node("w-a", labels: ("zone", "a")), Node("w-b", labels: ("zone", "b")), Node("w-c", labels: ("zone", "c")) };
        var service = Service("s", replicas: 6, constraints: ["node.role != manager"], spread: ["node.labels.zone"]);
        Assert.Equal("w-a=3 w-b=2 w-c=1", Layout(Place(unlabelled, service), "s"));

        var labelled = unlabelled.Select(n => n.IsManager ? n with { Labels = new Dictionary<string, string> { ["zone"] = "a" } } : n).ToArray();
        Assert.Equal("w-a=2 w-b=2 w-c=2", Layout(Place(labelled, service), "s"));
    }

    [Fact]
    public void Max_replicas_per_node_leaves_the_rest_pending_with_swarms_reason()
    {
        var result = Place([Manager(), Node("w1"), Node("w2")], Service("api", replicas: 3, maxPerNode: 1, constraints: ["node.role != manager"]));
        var api = result.Service("api")!;
        Assert.Equal("w1=1 w2=1", Layout(result, "api"));
        Assert.Equal(1, api.Pending);
        Assert.Equal("no suitable node (max replicas per node limit exceed; scheduling constraints not satisfied on 1 node)", api.Reason);
    }

    [Fact]
    public void A_host_mode_port_allows_one_task_per_node_across_services()
    {
        var result = Place(
            [Manager(), Node("w1"), Node("w2"), Node("w3")],
            Service("web", replicas: 2, hostPorts: [8080], constraints: ["node.role != manager"]),
            Service("admin", replicas: 2, hostPorts: [8080], constraints: ["node.role != manager"]));
        Assert.Equal("w1=1 w2=1", Layout(result, "web"));
        Assert.Equal("w3=1", Layout(result, "admin"));
        Assert.Equal("no suitable node (host-mode port already in use on 3 nodes; scheduling constraints not satisfied on 1 node)", result.Service("admin")!.Reason);
    }

    [Fact]
    public void Reservations_fill_nodes_and_the_rest_is_pending_for_insufficient_resources()
    {
        var result = Place([Manager(), Node("w1"), Node("w2")], Service("api", replicas: 3, cpus: 1.5, constraints: ["node.role != manager"]));
        var api = result.Service("api")!;
        Assert.Equal(2, api.Placed);
        Assert.Equal("no suitable node (insufficient resources on 2 nodes; scheduling constraints not satisfied on 1 node)", api.Reason);
        Assert.All(result.Nodes, n => Assert.True(n.ReservedNanoCpus <= n.Node.NanoCpus));
        Assert.Equal(1_500_000_000, result.Node("w1")!.ReservedNanoCpus);
    }

    [Fact]
    public void A_node_is_counted_under_the_first_filter_it_fails()
    {
        // The manager fails both the resource filter and the constraint: it counts once, under resources.
        var result = Place([Manager() with { NanoCpus = 1_000_000_000 }, Node("w1", cpus: 1)], Service("big", cpus: 1.5, constraints: ["node.role != manager"]));
        Assert.Equal("no suitable node (insufficient resources on 2 nodes)", result.Service("big")!.Reason);
    }

    [Fact]
    public void A_node_that_is_not_ready_or_not_active_takes_no_task()
    {
        var result = Place([Node("w1", status: NodeStatus.Down), Node("w2"), Node("w3", availability: NodeAvailability.Pause)], Service("api", replicas: 2, maxPerNode: 1));
        Assert.Equal("w2=1", Layout(result, "api"));
        Assert.Equal("no suitable node (2 nodes not available for new tasks; max replicas per node limit exceed)", result.Service("api")!.Reason);
    }

    [Fact]
    public void A_global_service_runs_on_every_eligible_node_and_a_task_that_does_not_fit_waits_on_its_node()
    {
        var result = Place(
            [Manager(), Node("w1"), Node("w2", cpus: 0.5), Node("w3", availability: NodeAvailability.Drain)],
            Service("agent", global: true, cpus: 1, constraints: ["node.role != manager"]));
        var agent = result.Service("agent")!;
        Assert.Equal("w1=1", Layout(result, "agent"));
        Assert.Equal(["w2"], agent.PendingNodes);
        Assert.Equal(2, agent.Desired);
        Assert.Equal("w2: insufficient resources on 1 node", agent.Reason);
    }

    [Fact]
    public void Services_take_resources_in_deploy_order_and_global_tasks_go_first()
    {
        var first = Place([Node("w1")], Service("a", cpus: 1.5), Service("b", cpus: 1.5));
        Assert.Equal(0, first.Service("a")!.Pending);
        Assert.Equal(1, first.Service("b")!.Pending);

        var global = Place([Node("w1")], Service("a", cpus: 1.5), Service("g", cpus: 1.5, global: true));
        Assert.Equal(1, global.Service("a")!.Pending);
        Assert.Equal(0, global.Service("g")!.Pending);
    }

    [Fact]
    public void Losing_a_node_moves_its_tasks_to_the_others_and_a_rollback_brings_the_placement_back()
    {
        var scheduler = new Scheduler(
            [Manager(), Node("w1"), Node("w2"), Node("w3")],
            [Service("api", replicas: 3, constraints: ["node.role != manager"]), Service("agent", global: true)]);
        scheduler.PlaceAll();
        var before = scheduler.Result();
        Assert.Equal("w1=1 w2=1 w3=1", Layout(before, "api"));

        var mark = scheduler.Checkpoint();
        scheduler.Lose("w2");
        var after = scheduler.Result();
        Assert.Equal("w1=2 w3=1", Layout(after, "api"));
        Assert.Equal("manager-1=1 w1=1 w3=1", Layout(after, "agent"));
        Assert.False(after.Node("w2")!.TakesTasks);

        scheduler.Rollback(mark);
        Assert.Equivalent(before, scheduler.Result(), strict: true);
    }

    [Fact]
    public void A_node_added_takes_the_pending_tasks_and_its_global_task()
    {
        var scheduler = new Scheduler([Node("w1", cpus: 1)], [Service("api", replicas: 2, cpus: 1), Service("agent", global: true)]);
        scheduler.PlaceAll();
        Assert.Equal(1, scheduler.PendingTasks);
        scheduler.Add(Node("w2", cpus: 1));
        var result = scheduler.Result();
        Assert.Equal(0, scheduler.PendingTasks);
        Assert.Equal("w1=1 w2=1", Layout(result, "api"));
        Assert.Equal("w1=1 w2=1", Layout(result, "agent"));
    }

    [Fact]
    public void A_constraint_on_something_the_file_cannot_tell_counts_as_satisfied_and_a_live_node_decides_it()
    {
        var service = Service("ssd", constraints: ["engine.labels.disk == ssd"]);
        Assert.Equal(0, Place([Node("w1")], service).PendingTasks);
        var live = Node("w1") with { EngineLabels = new Dictionary<string, string> { ["disk"] = "hdd" } };
        Assert.Equal("no suitable node (scheduling constraints not satisfied on 1 node)", Place([live], service).Service("ssd")!.Reason);
    }

    [Fact]
    public void Ties_broken_at_random_still_honour_every_rule()
    {
        var nodes = new[] { Manager(), Node("w1"), Node("w2"), Node("w3") };
        var layouts = new HashSet<string>();
        for (var seed = 0; seed < 40; seed++)
        {
            var scheduler = new Scheduler(nodes, [Service("api", replicas: 4, constraints: ["node.role != manager"])], ties: new Random(seed));
            scheduler.PlaceAll();
            var layout = Layout(scheduler.Result(), "api");
            layouts.Add(layout);
            Assert.Equal(4, scheduler.Result().Service("api")!.Placed);
        }

        // Which worker gets the second task is Swarm's random choice: all three happen.
        Assert.Equal(["w1=1 w2=1 w3=2", "w1=1 w2=2 w3=1", "w1=2 w2=1 w3=1"], layouts.Order());
    }
}
