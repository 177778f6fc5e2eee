using Ward.Engine.Desired;
using Ward.Engine.Planning;
using Ward.Engine.Ports;
using Ward.Engine.Tests.Support;

namespace Ward.Engine.Tests.Planning;

/// <summary>x-ward.nodes against the swarm's nodes: matching, labels, availability, and what is only reported.</summary>
public sealed class NodePlanningTests
{
    private static readonly Dictionary<string, string> NoLabels = [];

    private static DesiredNode Want(string name, string? address = null, Dictionary<string, string>? labels = null, string availability = "active", string role = "worker") =>
        new(name, address, labels ?? NoLabels, availability, role);

    private static ObservedNode Node(string id, string hostname, string address, Dictionary<string, string>? labels = null, string role = "worker") =>
        FakeEngine.Node(id, role, hostname, address, labels ?? []);

    private static Plan PlanNodes(IReadOnlyList<ObservedNode> nodes, params DesiredNode[] wanted) =>
        Planner.Make("demo", [], wanted, new ObservedState { Nodes = nodes }, prune: false);

    [Fact]
    public void Nodes_match_by_ward_label_first_then_hostname_then_address()
    {
        var labelled = Node("a", "db-1", "10.0.0.1", new() { [StackNames.NodeLabel] = "db" });
        var byHostname = Node("b", "DB", "10.0.0.2");
        var byAddress = Node("c", "ip-10-0-0-3", "10.0.0.3");
        var nodes = new[] { byHostname, byAddress, labelled };
        var none = new HashSet<string>();

        Assert.Same(labelled, NodeMatcher.Match(Want("db", "10.0.0.3"), nodes, none));
        Assert.Same(byHostname, NodeMatcher.Match(Want("db", "10.0.0.3"), [byHostname, byAddress], none));
        Assert.Same(byAddress, NodeMatcher.Match(Want("cache", "10.0.0.3"), nodes, none));
        Assert.Null(NodeMatcher.Match(Want("cache"), nodes, none));
    }

    [Fact]
    public void A_node_Ward_labelled_for_another_file_node_is_not_taken_by_hostname_or_address()
    {
        var other = Node("a", "web", "10.0.0.1", new() { [StackNames.NodeLabel] = "api" });
        Assert.Null(NodeMatcher.Match(Want("web", "10.0.0.1"), [other], new HashSet<string>()));
    }

    [Fact]
    public void A_node_is_matched_once()
    {
        var plan = PlanNodes([Node("a", "web", "10.0.0.1")], Want("web"), Want("other", "10.0.0.1"));
        Assert.Equal(["web"], plan.Steps.Select(s => s.Name));
        Assert.Contains("node other of the file matches no swarm node", Assert.Single(plan.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void A_first_match_labels_the_node_with_its_file_name_and_the_labels_Ward_manages()
    {
        var plan = PlanNodes([Node("a", "web-host", "10.0.0.1")], Want("web", "10.0.0.1", new() { ["tier"] = "web", ["disk"] = "ssd" }));
        var step = Assert.Single(plan.Steps);
        Assert.Equal((ChangeKind.Update, StepTarget.Node, "web", "node-a", 1L), (step.Change, step.Target, step.Name, step.Id, step.Version));
        Assert.Equal(
            [
                new FieldChange("Labels.disk", null, "\"ssd\""),
                new FieldChange("Labels.tier", null, "\"web\""),
                new FieldChange("Labels.ward.managed-labels", null, "\"disk,tier\""),
                new FieldChange("Labels.ward.node", null, "\"web\""),
            ],
            step.Fields);
    }

    [Fact]
    public void Labels_Ward_set_before_that_the_file_dropped_are_removed_and_others_labels_stay()
    {
        var node = Node("a", "h", "10.0.0.1", new()
        {
            [StackNames.NodeLabel] = "web",
            [Planner.ManagedLabelsLabel] = "tier,zone",
            ["tier"] = "web",
            ["zone"] = "a",
            ["owner"] = "ops-team",
        });
        var step = Assert.Single(PlanNodes([node], Want("web", labels: new() { ["tier"] = "edge" })).Steps);
        Assert.Equal(
            [
                new FieldChange("Labels.tier", "\"web\"", "\"edge\""),
                new FieldChange("Labels.ward.managed-labels", "\"tier,zone\"", "\"tier\""),
                new FieldChange("Labels.zone", "\"a\"", null),
            ],
            step.Fields);
        Assert.Equal("ops-team", step.Spec!["Labels"]!["owner"]!.GetValue<string>());
    }

    [Fact]
    public void Dropping_every_label_removes_the_managed_list_too()
    {
        var node = Node("a", "h", "10.0.0.1", new() { [StackNames.NodeLabel] = "web", [Planner.ManagedLabelsLabel] = "tier", ["tier"] = "web" });
        var step = Assert.Single(PlanNodes([node], Want("web")).Steps);
        Assert.Equal(["Labels.tier", "Labels.ward.managed-labels"], step.Fields.Select(f => f.Path));
        Assert.All(step.Fields, f => Assert.Null(f.After));
    }

    [Fact]
    public void An_availability_change_is_an_update()
    {
        var node = Node("a", "h", "10.0.0.1", new() { [StackNames.NodeLabel] = "web" });
        var step = Assert.Single(PlanNodes([node], Want("web", availability: "drain")).Steps);
        Assert.Equal([new FieldChange("Availability", "\"active\"", "\"drain\"")], step.Fields);
    }

    [Fact]
    public void A_node_as_the_file_wants_it_needs_nothing()
    {
        var node = Node("a", "h", "10.0.0.1", new() { [StackNames.NodeLabel] = "web", [Planner.ManagedLabelsLabel] = "tier", ["tier"] = "web" });
        var plan = PlanNodes([node], Want("web", labels: new() { ["tier"] = "web" }));
        Assert.False(plan.HasChanges);
        Assert.Empty(plan.Warnings);
    }

    [Fact]
    public void A_file_node_without_a_match_is_a_warning_not_a_guess()
    {
        var plan = PlanNodes([Node("a", "h", "10.0.0.1")], Want("db", "10.9.9.9"));
        Assert.False(plan.HasChanges);
        Assert.Equal(
            ["node db of the file matches no swarm node (by label ward.node, hostname or address); services pinned to its labels cannot be placed"],
            plan.Warnings);
    }

    [Fact]
    public void A_role_mismatch_is_a_warning_and_the_role_is_left_alone()
    {
        var node = Node("a", "h", "10.0.0.1", new() { [StackNames.NodeLabel] = "web" });
        var plan = PlanNodes([node], Want("web", role: "manager", availability: "pause"));
        Assert.Equal(["node web (h) is a worker on the swarm but a manager in the file; change it with ward node promote/demote"], plan.Warnings);
        var step = Assert.Single(plan.Steps);
        Assert.Equal("worker", step.Spec!["Role"]!.GetValue<string>());
        Assert.DoesNotContain(step.Fields, f => f.Path == "Role");
    }

    [Fact]
    public async Task Applied_node_changes_reach_the_swarm_and_are_not_planned_again()
    {
        using var deployment = new Deployment();
        await deployment.DeployAsync(Deployment.V1);
        var worker1 = deployment.Engine.Nodes.Single(n => n.Id == "node-worker-1");
        Assert.Equal("web", worker1.Labels["tier"]);
        Assert.Equal("tier", worker1.Labels[Planner.ManagedLabelsLabel]);

        var plan = await deployment.PlanAsync(Deployment.V2, prune: true);
        Assert.Equal(
            [new FieldChange("Labels.tier", "\"web\"", "\"edge\"")],
            plan.Steps.Single(s => s.Target == StepTarget.Node && s.Name == "worker-1").Fields);
        Assert.Equal(
            [new FieldChange("Availability", "\"active\"", "\"drain\"")],
            plan.Steps.Single(s => s.Target == StepTarget.Node && s.Name == "worker-2").Fields);
        await deployment.ApplyAsync(plan);
        Assert.Equal("drain", deployment.Engine.Nodes.Single(n => n.Id == "node-worker-2").Availability);
        Assert.DoesNotContain((await deployment.PlanAsync(Deployment.V2, prune: true)).Steps, s => s.Target == StepTarget.Node);
    }
}
