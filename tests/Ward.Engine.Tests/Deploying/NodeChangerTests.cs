using Microsoft.Extensions.Time.Testing;
using Ward.Deploying;
using Ward.Deploying.Nodes;
using Ward.Engine.Ports;

namespace Ward.Engine.Tests.Deploying;

/// <summary>Node changes as both hosts make them: finding the node, changing it at the version read, the Raft deadline.</summary>
public sealed class NodeChangerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("worker-1", "node-worker-1")]
    [InlineData("node-worker-2", "node-worker-2")]
    [InlineData("node-w", null)]
    [InlineData("node-manag", "node-manager-1")]
    [InlineData("host-a", "node-worker-1")]
    public void A_node_is_found_by_ward_name_id_unique_id_prefix_or_hostname(string reference, string? id)
    {
        ObservedNode[] nodes =
        [
            FakeEngine.Node("manager-1", "manager", hostname: "host-m"),
            FakeEngine.Node("worker-1", "worker", hostname: "host-a"),
            FakeEngine.Node("worker-2", "worker", hostname: "host-b"),
        ];
        if (id is null)
        {
            var ambiguous = Assert.Throws<DeployRequestException>(() => NodeLookup.Find(nodes, reference));
            Assert.Equal(DeployRequestCodes.AmbiguousNode, ambiguous.Code);
            Assert.Contains("worker-1, worker-2", ambiguous.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(id, NodeLookup.Find(nodes, reference).Id);
        }
    }

    [Fact]
    public void An_unknown_node_is_named_with_the_nodes_there_are()
    {
        var missing = Assert.Throws<DeployRequestException>(() => NodeLookup.Find(new FakeEngine().Nodes, "worker-9"));
        Assert.Equal(DeployRequestCodes.NodeNotFound, missing.Code);
        Assert.Equal("the swarm has no node 'worker-9' (nodes: manager-1, worker-1, worker-2)", missing.Message);
    }

    [Fact]
    public void A_short_id_prefix_is_not_taken_for_a_node()
    {
        Assert.Equal(DeployRequestCodes.NodeNotFound, Assert.Throws<DeployRequestException>(() => NodeLookup.Find(new FakeEngine().Nodes, "nod")).Code);
    }

    [Theory]
    [InlineData("sideways")]
    [InlineData(null)]
    public void Availability_and_role_are_checked_when_the_change_is_made(string? value)
    {
        Assert.Equal(DeployRequestCodes.InvalidNodeChange, Assert.Throws<DeployRequestException>(() => NodeChange.Availability(value)).Code);
        Assert.Equal(DeployRequestCodes.InvalidNodeChange, Assert.Throws<DeployRequestException>(() => NodeChange.Role(value)).Code);
    }

    [Theory]
    [InlineData("zone")]
    [InlineData("=x")]
    [InlineData("a b=c")]
    [InlineData("-")]
    public void A_label_edit_of_neither_form_is_refused(string edit) =>
        Assert.Equal(DeployRequestCodes.InvalidNodeChange, Assert.Throws<DeployRequestException>(() => NodeChange.EditLabels([edit])).Code);

    [Fact]
    public void Labels_replaced_with_nothing_are_refused_with_how_to_remove_them_all()
    {
        var refused = Assert.Throws<DeployRequestException>(() => NodeChange.ReplaceLabels(null));
        Assert.Contains("send {} to remove every label", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Label_edits_set_and_remove_keys_and_keep_the_others()
    {
        var engine = new FakeEngine();
        var changer = new NodeChanger(engine, TimeProvider.System);
        await changer.ChangeAsync("worker-1", NodeChange.EditLabels(["zone=a", "rack=r1"]), _ => { }, Token);
        var result = await changer.ChangeAsync("worker-1", NodeChange.EditLabels(["zone-", "tier=db"]), _ => { }, Token);
        Assert.True(result.Confirmed);
        var labels = engine.Nodes.Single(n => n.Id == "node-worker-1").Labels;
        Assert.Equal("r1", labels["rack"]);
        Assert.Equal("db", labels["tier"]);
        Assert.False(labels.ContainsKey("zone"));
    }

    [Fact]
    public async Task A_node_changed_meanwhile_is_read_again_and_changed_at_its_new_version()
    {
        var engine = new FakeEngine();
        engine.Fail("Update Node node-worker-1", new EngineConflictException("update out of sequence"));
        engine.Fail("Update Node node-worker-1", new EngineConflictException("update out of sequence"));
        var result = await new NodeChanger(engine, TimeProvider.System).ChangeAsync("worker-1", NodeChange.Availability("drain"), _ => { }, Token);
        Assert.True(result.Confirmed);
        Assert.Equal("drain", engine.Nodes.Single(n => n.Id == "node-worker-1").Availability);
        Assert.Equal(3, engine.Calls.Count(c => c == "Update Node node-worker-1"));
    }

    [Fact]
    public async Task A_node_that_keeps_changing_is_a_conflict_for_the_caller()
    {
        var engine = new FakeEngine();
        for (var i = 0; i < 10; i++)
        {
            engine.Fail("Update Node node-worker-1", new EngineConflictException("update out of sequence"));
        }

        await Assert.ThrowsAsync<EngineConflictException>(() => new NodeChanger(engine, TimeProvider.System).ChangeAsync("worker-1", NodeChange.Availability("drain"), _ => { }, Token));
    }

    [Fact]
    public async Task A_change_past_the_raft_deadline_is_watched_and_asked_again_until_it_shows()
    {
        var engine = new FakeEngine();
        var clock = new FakeTimeProvider();
        var reports = new List<string>();

        // The first request is not committed in time; the managers have quorum again by the second.
        engine.Fail("Update Node node-manager-1", new EngineDeadlineException("context deadline exceeded"));
        var change = new NodeChanger(engine, clock).ChangeAsync("manager-1", NodeChange.Role("worker"), reports.Add, Token);
        await AdvanceUntilDoneAsync(clock, change);

        var result = await change;
        Assert.True(result.Confirmed);
        Assert.Equal("worker", engine.Nodes.Single(n => n.Id == "node-manager-1").Role);
        Assert.Equal(["manager-1: the swarm did not confirm the change within its deadline; waiting up to 2 minutes for it to show"], reports);
        Assert.Equal(2, engine.Calls.Count(c => c == "Update Node node-manager-1"));
    }

    [Fact]
    public async Task A_change_that_never_shows_is_reported_unconfirmed_after_two_minutes()
    {
        var engine = new FakeEngine();
        var clock = new FakeTimeProvider();
        for (var i = 0; i < 200; i++)
        {
            engine.Fail("Update Node node-manager-1", new EngineDeadlineException("context deadline exceeded"));
        }

        var change = new NodeChanger(engine, clock).ChangeAsync("manager-1", NodeChange.Role("worker"), _ => { }, Token);
        var started = clock.GetUtcNow();
        await AdvanceUntilDoneAsync(clock, change);

        var result = await change;
        Assert.False(result.Confirmed);
        Assert.Equal("manager", engine.Nodes.Single(n => n.Id == "node-manager-1").Role);
        Assert.InRange(clock.GetUtcNow() - started, NodeChanger.ConfirmationWait, NodeChanger.ConfirmationWait + TimeSpan.FromSeconds(4));
    }

    /// <summary>Moves the fake clock on in the watcher's steps until the change returns (at most an hour of fake time).</summary>
    private static async Task AdvanceUntilDoneAsync(FakeTimeProvider clock, Task change)
    {
        for (var step = 0; step < 1800 && !change.IsCompleted; step++)
        {
            await Task.Delay(1, Token);
            clock.Advance(TimeSpan.FromSeconds(2));
        }

        Assert.True(change.IsCompleted, "the node change did not end");
    }
}
