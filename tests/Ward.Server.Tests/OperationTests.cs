using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Ward.Engine.Ports;
using Ward.Server.Services;
using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>
/// Applies as operations, over a fake swarm and a clock the test moves: the result is stored before anyone hears it,
/// finished operations leave memory, node changes at a stale version are 409, and an environment with nothing on the
/// swarm is "not-deployed".
/// </summary>
public sealed class OperationTests(OperationTests.Fixture world) : IClassFixture<OperationTests.Fixture>
{
    [Fact]
    public async Task The_result_event_is_published_only_after_the_finished_operation_is_stored()
    {
        var owner = await world.OwnerAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        world.Swarm.BeforeCreate = async (kind, spec) =>
        {
            if (kind == ObjectKind.Config && spec["Name"]!.GetValue<string>().StartsWith("ward-lock.", StringComparison.Ordinal))
            {
                await gate.Task;
                throw new EngineUnavailableException("the fake swarm went away");
            }
        };
        try
        {
            var id = (await owner.PostAsync("/api/v1/environments/ops/applies", new { prune = false }).Expect(202)).Json!["id"]!.GetValue<Guid>();
            var live = world.Runner.Live(id);
            Assert.NotNull(live);
            await using var events = live.FollowAsync(TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
            var next = events.MoveNextAsync().AsTask();
            Assert.False(next.IsCompleted, "an event before the apply even took its lock");

            // While the store takes no writes, the apply fails: its result must wait for the store.
            await using (await BlockStoreWritesAsync())
            {
                gate.SetResult();
                var first = await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken));
                Assert.True(first != next, $"the {events.Current?.Type} event was published before the finished operation could be stored");
            }

            Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
            Assert.Equal("result", events.Current!.Type);

            // Whoever hears the result and reads the operation finds it finished, with the result among its events.
            await using (var db = world.Host.Store.CreateContext())
            {
                var stored = await db.Operations.AsNoTracking().SingleAsync(o => o.Id == id, TestContext.Current.CancellationToken);
                Assert.Equal("failed", stored.State);
                Assert.NotNull(stored.FinishedAt);
                Assert.Contains("the fake swarm went away", stored.Summary, StringComparison.Ordinal);
                Assert.Equal("result", JsonNode.Parse(stored.EventsJson)!.AsArray()[^1]!["type"]!.GetValue<string>());
            }

            var shown = (await owner.GetAsync($"/api/v1/operations/{id}").Expect(200)).Json!;
            Assert.Equal("failed", shown["state"]!.GetValue<string>());
            Assert.Equal("result", shown["events"]!.AsArray()[^1]!["type"]!.GetValue<string>());
            Assert.False(await events.MoveNextAsync(), "events after the result");
        }
        finally
        {
            world.Swarm.BeforeCreate = null;
            gate.TrySetResult();
            await world.SettleAsync();
        }
    }

    [Fact]
    public async Task A_finished_operation_leaves_memory_after_the_retention_and_is_then_served_from_the_store()
    {
        var owner = await world.OwnerAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var id = (await owner.PostAsync("/api/v1/environments/ops/applies", new { prune = false }).Expect(202)).Json!["id"]!.GetValue<Guid>();
            var finished = await WardHost.WaitForOperationAsync(owner, id);
            Assert.Equal("failed", finished["state"]!.GetValue<string>());
            await world.SettleAsync();
            ids.Add(id);
        }

        // Kept a while for followers that read it as running a moment ago...
        Assert.All(ids, id => Assert.True(world.Runner.Live(id) is { Finished: true }));
        world.Clock.Advance(OperationRunner.FinishedRetention - TimeSpan.FromSeconds(1));
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.All(ids, id => Assert.NotNull(world.Runner.Live(id)));

        // ...then dropped.
        world.Clock.Advance(TimeSpan.FromSeconds(2));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (ids.Any(id => world.Runner.Live(id) is not null) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.All(ids, id => Assert.Null(world.Runner.Live(id)));

        // The store has every event, so nothing is lost for readers.
        var shown = (await owner.GetAsync($"/api/v1/operations/{ids[0]}").Expect(200)).Json!;
        var types = shown["events"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()).ToList();
        Assert.Equal("plan", types[0]);
        Assert.Equal("result", types[^1]);
        Assert.Contains("step", types);
        var stream = await owner.GetAsync($"/api/v1/operations/{ids[0]}/events").Expect(200);
        Assert.Equal("text/event-stream", stream.ContentType);
        var frames = stream.Body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(types.Count, frames.Length);
        Assert.Contains("\nevent: plan\n", frames[0], StringComparison.Ordinal);
        Assert.Contains("\nevent: result\n", frames[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_environment_with_nothing_on_the_swarm_is_not_deployed()
    {
        var owner = await world.OwnerAsync();
        var status = (await owner.GetAsync("/api/v1/environments/ops/status").Expect(200)).Json!;
        Assert.Equal("not-deployed", status["verdict"]!.GetValue<string>());
        Assert.Empty(status["services"]!.AsArray());
        Assert.Equal(2, status["nodes"]!.AsArray().Count);

        var listed = (await owner.GetAsync("/api/v1/environments").Expect(200)).Json!.AsArray().Single(e => e!["name"]!.GetValue<string>() == "ops")!;
        Assert.Equal("not-deployed", listed["verdict"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_node_change_at_a_stale_version_is_made_on_fresh_state_and_409_when_the_node_keeps_changing()
    {
        var owner = await world.OwnerAsync();
        await owner.PutAsync("/api/v1/nodes/worker-1/labels", new { labels = new Dictionary<string, string> { ["database"] = "true" } }).Expect(200);
        world.Swarm.NodeUpdateFailure = new EngineConflictException("update out of sequence");
        await owner.PutAsync("/api/v1/nodes/worker-1/availability", new { availability = "drain" }).Expect(200);
        Assert.Null(world.Swarm.NodeUpdateFailure);
        (world.Swarm.NodeUpdateFailure, world.Swarm.NodeUpdateFailureRepeats) = (new EngineConflictException("update out of sequence"), 100);
        await owner.PutAsync("/api/v1/nodes/worker-1/availability", new { availability = "drain" }).Expect(409, "stale_version");
        (world.Swarm.NodeUpdateFailure, world.Swarm.NodeUpdateFailureRepeats) = (null, 1);
        await owner.PutAsync("/api/v1/nodes/worker-1/availability", new { availability = "sideways" }).Expect(400, "invalid_node_change");
        await owner.PutAsync("/api/v1/nodes/worker-9/availability", new { availability = "drain" }).Expect(404, "node_not_found");
    }

    /// <summary>Holds the SQLite store's write lock from another connection until disposed.</summary>
    private async Task<IAsyncDisposable> BlockStoreWritesAsync()
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(world.Host.DataDirectory, "ward.db")};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "BEGIN EXCLUSIVE";
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        return new Blocker(connection);
    }

    private sealed class Blocker(SqliteConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "ROLLBACK";
                await command.ExecuteNonQueryAsync();
            }

            await connection.DisposeAsync();
        }
    }

    public sealed class Fixture : IAsyncLifetime
    {
        internal FakeSwarm Swarm { get; } = new();

        internal FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        internal WardHost Host { get; private set; } = null!;

        internal OperationRunner Runner => Host.App.Services.GetRequiredService<OperationRunner>();

        private string _ownerSecret = "";

        public async ValueTask InitializeAsync()
        {
            Host = await WardHost.StartAsync(new HostOptions { Engine = Swarm, Clock = Clock });
            var owner = await Host.CreateOwnerAsync();
            _ownerSecret = owner.TotpSecret!;
            await WardHost.RegisterAsync(owner, Environments.File("ops"));
            await owner.PutAsync("/api/v1/environments/ops/secrets/token", new { value = "operations" }).Expect(200);
        }

        /// <summary>A fresh owner session (the clock moves between tests).</summary>
        internal Task<ApiClient> OwnerAsync() => Host.SignInAsync("owner", WardHost.Password, totpSecret: _ownerSecret);

        /// <summary>
        /// Waits until every finished apply has written its last audit entry, so no two audit writes race (their retry
        /// waits on the clock, which only the test moves).
        /// </summary>
        internal async Task SettleAsync()
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (DateTime.UtcNow < deadline)
            {
                await using var db = Host.Store.CreateContext();
                var started = await db.Audit.CountAsync(e => e.Action == "apply-started", TestContext.Current.CancellationToken);
                var finished = await db.Audit.CountAsync(e => e.Action == "apply-finished", TestContext.Current.CancellationToken);
                if (started == finished)
                {
                    return;
                }

                await Task.Delay(20, TestContext.Current.CancellationToken);
            }

            Assert.Fail("an apply never recorded its end in the audit log");
        }

        public async ValueTask DisposeAsync() => await Host.DisposeAsync();
    }
}

/// <summary>
/// With no Docker engine where the server is told to look, engine-bound requests answer with a clear problem without
/// waiting for the engine client's 30 s timeout.
/// </summary>
public sealed class EngineUnavailableTests : IAsyncLifetime
{
    private WardHost _host = null!;
    private ApiClient _owner = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await WardHost.StartAsync();
        _owner = await _host.CreateOwnerAsync();
        await WardHost.RegisterAsync(_owner, Environments.File("nowhere"));
        await _owner.PutAsync("/api/v1/environments/nowhere/secrets/token", new { value = "somewhere" }).Expect(200);
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Engine_bound_requests_answer_with_a_problem_naming_the_missing_engine()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        foreach (var reply in new[]
                 {
                     await _owner.PostAsync("/api/v1/environments/nowhere/plans", new { prune = false }),
                     await _owner.GetAsync("/api/v1/nodes"),
                     await _owner.PutAsync("/api/v1/nodes/worker-1/availability", new { availability = "drain" }),
                 })
        {
            reply.Expect(503, "engine_unavailable");
            Assert.Equal("application/problem+json", reply.ContentType);
            Assert.Contains("/nonexistent/ward-server-tests/docker.sock", reply.Json!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        // Status says the swarm cannot be read, instead of inventing a verdict.
        var status = (await _owner.GetAsync("/api/v1/environments/nowhere/status").Expect(200)).Json!;
        Assert.Equal("unknown", status["verdict"]!.GetValue<string>());
        Assert.Contains("socket does not exist", status["error"]!.GetValue<string>(), StringComparison.Ordinal);
        var listed = (await _owner.GetAsync("/api/v1/environments").Expect(200)).Json!.AsArray().Single()!;
        Assert.Equal("unknown", listed["verdict"]!.GetValue<string>());

        // An apply is accepted and fails with the reason.
        var id = (await _owner.PostAsync("/api/v1/environments/nowhere/applies", new { prune = false }).Expect(202)).Json!["id"]!.GetValue<Guid>();
        var operation = await WardHost.WaitForOperationAsync(_owner, id);
        Assert.Equal("failed", operation["state"]!.GetValue<string>());
        Assert.Contains("socket does not exist", operation["summary"]!.GetValue<string>(), StringComparison.Ordinal);
        // The engine client waits 30 s for an answer; all of this taking less than that shows nothing waited on it.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }
}
