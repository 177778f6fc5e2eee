using System.Text.Json;
using System.Text.Json.Nodes;
using Ward.Deploying.Databases;
using Ward.Engine.Ports;
using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>
/// /api/v1/environments/{name}/databases: the declared databases; a database's status and backups as its running
/// task reports them (ward-db, through the node's engine); backups, restores and rehearsals as audited operations,
/// with bad input refused before anything runs; and the rehearsals recorded on the swarm (a config per rehearsal, as
/// ward db rehearse leaves them), that database's only, newest first.
/// </summary>
public sealed class DatabaseEndpointTests
{
    private const string File = """
        version: "3.9"
        x-ward:
          environment: { name: clinic, kind: staging }
          databases:
            - { name: records, engine: postgres, version: "15", tier: basic-1 }
        services:
          api:
            image: registry.example.org/api:1.0
        """;

    /// <summary>records with backups to another node; cache without any.</summary>
    private const string Declared = """
        version: "3.9"
        x-ward:
          environment: { name: clinic, kind: staging }
          databases:
            - name: records
              engine: postgres
              version: "15"
              tier: general-purpose-2
              backups:
                repository: { placement: [ "node.labels.ward.node == worker-1" ] }
            - { name: cache, engine: postgres, version: "15", tier: basic-1 }
        services:
          api:
            image: registry.example.org/api:1.0
        """;

    private const string Password = "hunter2-never-shown";

    [Fact]
    public async Task The_declared_databases_are_listed_with_their_tier_and_backups()
    {
        await using var world = await StartAsync();
        var (owner, viewer) = (world.Owner, world.Viewer);

        var list = (await viewer.GetAsync("/api/v1/environments/clinic/databases").Expect(200)).Json!.AsArray();
        Assert.Equal(["records", "cache"], list.Select(d => d!["name"]!.GetValue<string>()));
        Assert.Equal(["general-purpose-2", "basic-1"], list.Select(d => d!["tier"]!.GetValue<string>()));
        Assert.Equal([true, false], list.Select(d => d!["backups"]!.GetValue<bool>()));
        Assert.Equal("clinic_records", list[0]!["service"]!.GetValue<string>());
        Assert.True(list[0]!["hosted"]!.GetValue<bool>());
        await owner.GetAsync("/api/v1/environments/nowhere/databases").Expect(404, "environment_not_found");
    }

    [Fact]
    public async Task Status_and_backups_are_read_in_the_running_tasks_expected_beside_measured_with_the_verdicts()
    {
        await using var world = await StartAsync();
        var viewer = world.Viewer;

        var status = (await viewer.GetAsync("/api/v1/environments/clinic/databases/records").Expect(200)).Json!;
        Assert.Equal("general-purpose-2", status["tier"]!.GetValue<string>());
        Assert.Equal("worker-1", status["node"]!.GetValue<string>());
        Assert.Equal(10_000_000_000, status["volumeTotalBytes"]!.GetValue<long>());
        var settings = status["settings"]!.AsArray().ToDictionary(s => s!["name"]!.GetValue<string>(), s => s!);
        Assert.Equal("1GB", settings["shared_buffers"]!["expected"]!.GetValue<string>());
        Assert.Equal("131072 8kB", settings["shared_buffers"]!["measured"]!.GetValue<string>());
        Assert.True(settings["shared_buffers"]!["matches"]!.GetValue<bool>());
        Assert.False(settings["max_connections"]!["matches"]!.GetValue<bool>());

        var listing = (await viewer.GetAsync("/api/v1/environments/clinic/databases/records/backups").Expect(200)).Json!;
        var backups = listing["backups"]!.AsArray();
        Assert.Equal(["b2", "b1"], backups.Select(b => b!["id"]!.GetValue<string>()));
        Assert.Equal(["empty", "good"], backups.Select(b => b!["verdict"]!.GetValue<string>()));
        Assert.Equal("2026-12-07T09:05:00+00:00", listing["earliestRestorePoint"]!.GetValue<string>());
        Assert.Equal("2026-12-07T12:00:00+00:00", listing["nextBackupAt"]!.GetValue<string>());
        Assert.Equal("b1", listing["lastGood"]!["id"]!.GetValue<string>());

        // A database the file declares but the swarm does not run: the core's own answer, named.
        var cache = await viewer.GetAsync("/api/v1/environments/clinic/databases/cache").Expect(404, "database_not_found");
        Assert.Contains("its databases are records", cache.Json!["detail"]!.GetValue<string>());
        await viewer.GetAsync("/api/v1/environments/clinic/databases/orders/backups").Expect(404, "database_not_found");
    }

    [Fact]
    public async Task Bad_input_is_refused_with_its_code_before_anything_runs_and_only_a_deployer_may_act()
    {
        await using var world = await StartAsync();
        var (host, swarm, owner, viewer, deployer) = world;
        const string path = "/api/v1/environments/clinic/databases/records";

        await viewer.PostAsync($"{path}/backups", new { kind = "full" }).Expect(403, "forbidden");
        await viewer.PostAsync($"{path}/restores", new { to = "latest", into = "copy" }).Expect(403, "forbidden");
        await viewer.PostAsync($"{path}/rehearsals", new { from = "postgresql://legacy/records" }).Expect(403, "forbidden");

        var kind = await deployer.PostAsync($"{path}/backups", new { kind = "weekly" }).Expect(400, "invalid_backup_kind");
        Assert.Contains("'weekly' is not one of full, incremental, auto", kind.Json!["detail"]!.GetValue<string>());
        await deployer.PostAsync("/api/v1/environments/clinic/databases/orders/backups", new { }).Expect(404, "database_not_found");
        var none = await deployer.PostAsync("/api/v1/environments/clinic/databases/cache/backups", new { }).Expect(404, "database_not_found");
        Assert.Contains("runs no database named 'cache'", none.Json!["detail"]!.GetValue<string>());

        var notTime = await deployer.PostAsync($"{path}/restores", new { to = "yesterday", into = "copy" }).Expect(400, "invalid_restore_target");
        Assert.Contains("--to 'yesterday' is not a time", notTime.Json!["detail"]!.GetValue<string>());
        var future = await deployer.PostAsync($"{path}/restores", new { to = "2099-01-01T00:00:00Z", into = "copy" }).Expect(400, "invalid_restore_target");
        Assert.Contains("is in the future", future.Json!["detail"]!.GetValue<string>());
        var early = await deployer.PostAsync($"{path}/restores", new { to = "2026-12-07T09:00:00Z", into = "copy" }).Expect(400, "invalid_restore_target");
        Assert.Contains("the earliest point a restore can reach is 2026-12-07T09:05:00Z", early.Json!["detail"]!.GetValue<string>());
        var taken = await deployer.PostAsync($"{path}/restores", new { to = "latest", into = "api" }).Expect(400, "restore_target_exists");
        Assert.Contains("already has a service or database named api", taken.Json!["detail"]!.GetValue<string>());
        var inPlace = await deployer.PostAsync($"{path}/restores", new { to = "latest" }).Expect(400, "confirmation_required");
        Assert.Contains("send confirm: true", inPlace.Json!["detail"]!.GetValue<string>());
        await deployer.PostAsync($"{path}/restores", new { to = "latest", confirm = false }).Expect(400, "confirmation_required");
        await deployer.PostAsync($"{path}/restores", new { into = "copy" }).Expect(400, "missing_field");

        var source = await deployer.PostAsync($"{path}/rehearsals", new { from = $"mysql://legacy:{Password}@old.example.org/records" }).Expect(400, "invalid_source");
        Assert.Contains("is not a PostgreSQL connection string", source.Json!["detail"]!.GetValue<string>());

        // Nothing ran: no job, no secret, no operation, nothing audited but the sign-ins and grants; the password nowhere.
        Assert.Empty(swarm.Created);
        Assert.Empty((await owner.GetAsync("/api/v1/environments/clinic/operations").Expect(200)).Json!.AsArray());
        Assert.DoesNotContain("database-", (await owner.GetAsync("/api/v1/audit").Expect(200)).Body);
        Assert.DoesNotContain(Password, string.Join('\n', host.Transcript));
        Assert.DoesNotContain(Password, string.Join('\n', host.Logs.Lines));
    }

    [Fact]
    public async Task A_backup_and_a_rehearsal_run_as_operations_audited_with_the_user_and_the_source_password_never_shown()
    {
        await using var world = await StartAsync();
        var (host, swarm, owner, _, deployer) = world;
        const string path = "/api/v1/environments/clinic/databases/records";

        var started = await deployer.PostAsync($"{path}/backups", new { kind = "full" }).Expect(202);
        var id = started.Json!["id"]!.GetValue<Guid>();
        Assert.Contains($"/api/v1/operations/{id}", started.Headers);
        var backup = await WardHost.WaitForOperationAsync(deployer, id);
        Assert.Equal("backup", backup["kind"]!.GetValue<string>());
        Assert.Equal("shipper", backup["startedBy"]!.GetValue<string>());

        // The fake swarm runs no services, so the job is refused: the operation fails with the swarm's words.
        Assert.Equal("failed", backup["state"]!.GetValue<string>());
        Assert.Contains("the fake swarm runs no services", backup["summary"]!.GetValue<string>());
        var job = Assert.Single(swarm.Created, c => c["Labels"]?["ward.job"] is not null);
        Assert.Equal("backup", job["Labels"]!["ward.job"]!.GetValue<string>());

        var rehearsal = await deployer.PostAsync($"{path}/rehearsals", new { from = $"postgresql://legacy:{Password}@old.example.org:5432/records" }).Expect(202);
        var rehearsed = await WardHost.WaitForOperationAsync(deployer, rehearsal.Json!["id"]!.GetValue<Guid>());
        Assert.Equal("rehearsal", rehearsed["kind"]!.GetValue<string>());
        Assert.Equal("failed", rehearsed["state"]!.GetValue<string>());

        var audit = await AuditAsync(owner, "database-rehearsal-finished");
        Assert.Contains("database-backup-started", audit);
        Assert.Contains("database-backup-finished", audit);
        Assert.Contains("database-rehearsal-started", audit);
        Assert.Contains("shipper", audit);
        Assert.Contains("database records of environment clinic", audit);

        // The source's password went to the swarm as the job's secret only: not in an answer, the log or the audit.
        Assert.DoesNotContain(Password, string.Join('\n', host.Transcript));
        Assert.DoesNotContain(Password, string.Join('\n', host.Logs.Lines));
        Assert.DoesNotContain(Password, audit);
        Assert.DoesNotContain(swarm.Created, c => c["Labels"]?["ward.job"] is not null && c.ToJsonString().Contains(Password, StringComparison.Ordinal));
    }

    /// <summary>A server over a swarm that runs records (<see cref="Deployed"/>), clinic registered, its owner, a viewer and a deployer of clinic.</summary>
    private sealed record World(WardHost Host, FakeSwarm Swarm, ApiClient Owner, ApiClient Viewer, ApiClient Deployer) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Host.DisposeAsync();
    }

    private static async Task<World> StartAsync()
    {
        var swarm = new FakeSwarm();
        var host = await WardHost.StartAsync(new HostOptions { Engine = swarm, Nodes = Deployed(swarm) });
        var owner = await host.CreateOwnerAsync();
        await WardHost.RegisterAsync(owner, Declared);
        return new World(host, swarm, owner, await host.UserWithRoleAsync(owner, "reader", "viewer", "clinic"), await host.UserWithRoleAsync(owner, "shipper", "deployer", "clinic"));
    }

    /// <summary>The audit log as JSON, once it holds the given action (an operation records its end after its result).</summary>
    private static async Task<string> AuditAsync(ApiClient owner, string action)
    {
        for (var attempt = 0; ; attempt++)
        {
            var body = (await owner.GetAsync("/api/v1/audit/export?format=json").Expect(200)).Body;
            if (body.Contains(action, StringComparison.Ordinal) || attempt > 100)
            {
                return body;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>
    /// records deployed as Ward deploys it: its service (tier, settings) on worker-1 and its repository on the
    /// manager, each with a running task, and the api service; the node engines answer ward-db as the image does.
    /// </summary>
    private static FakeNodes Deployed(FakeSwarm swarm)
    {
        Dictionary<string, string> Labels(string? role) => role is null
            ? new() { ["com.docker.stack.namespace"] = "clinic" }
            : new() { ["com.docker.stack.namespace"] = "clinic", ["ward.database"] = "records", ["ward.database.role"] = role, ["ward.database.tier"] = "general-purpose-2" };
        JsonObject Spec(string name) => new()
        {
            ["Name"] = name,
            ["TaskTemplate"] = new JsonObject { ["ContainerSpec"] = new JsonObject { ["Image"] = "ward/db:15.20-2.45", ["Env"] = new JsonArray("POSTGRES_DB=records", "WARD_DB_SETTINGS=shared_buffers=1GB max_connections=100") } },
        };
        swarm.Seed(new ObservedObject(ObjectKind.Service, "s-db", "clinic_records", 3, Spec("clinic_records")) { Labels = Labels("database") });
        swarm.Seed(new ObservedObject(ObjectKind.Service, "s-repo", "clinic_ward-backups-records", 3, Spec("clinic_ward-backups-records")) { Labels = Labels("repository") });
        swarm.Seed(new ObservedObject(ObjectKind.Service, "s-api", "clinic_api", 3, new JsonObject { ["Name"] = "clinic_api" }) { Labels = Labels(null) });
        swarm.Tasks.Enqueue(new ObservedTask { Id = "t-db", ServiceId = "s-db", NodeId = "n-worker-1", DesiredState = "running", State = "running", ContainerId = "c-db" });
        swarm.Tasks.Enqueue(new ObservedTask { Id = "t-repo", ServiceId = "s-repo", NodeId = "n-manager-1", DesiredState = "running", State = "running", ContainerId = "c-repo" });
        return new FakeNodes(new Dictionary<string, string>
        {
            ["c-db status"] = """
                { "version": "PostgreSQL 15.20", "inRecovery": false, "databaseBytes": 8000000,
                  "volume": { "totalBytes": 10000000000, "freeBytes": 9000000000 },
                  "archive": { "archived": 12, "lastArchivedAt": "2026-12-07T11:00:00Z", "failed": 0 },
                  "settings": { "shared_buffers": "131072 8kB", "max_connections": "50", "work_mem": "4096 kB" } }
                """,
            ["c-repo backups"] = """
                { "backups": [
                    { "id": "b1", "kind": "full", "trigger": "schedule", "started": "2026-12-07T09:00:00Z", "finished": "2026-12-07T09:05:00Z",
                      "durationSeconds": 300, "status": "ok", "sizeBytes": 30000000, "repositoryBytes": 4000000, "stopTime": "2026-12-07T09:05:00Z",
                      "check": { "status": "passed", "at": "2026-12-07T09:10:00Z", "tables": 3, "rows": 1200, "durationSeconds": 20 } },
                    { "id": "b2", "kind": "diff", "trigger": "manual", "started": "2026-12-07T10:00:00Z", "finished": "2026-12-07T10:01:00Z",
                      "durationSeconds": 60, "status": "ok", "sizeBytes": 20, "repositoryBytes": 20, "stopTime": "2026-12-07T10:01:00Z",
                      "check": { "status": "empty", "reason": "nothing to restore" } } ],
                  "scheduler": { "heartbeat": "2026-12-07T11:59:50Z", "next": "2026-12-07T12:00:00Z", "stanza": "ready" },
                  "repository": { "status": "ok", "freeBytes": 5000000000, "totalBytes": 10000000000 } }
                """,
        });
    }

    /// <summary>Node engines whose containers answer ward-db's commands from canned output ("container verb").</summary>
    private sealed class FakeNodes(IReadOnlyDictionary<string, string> answers) : INodeEngines, INodeEngine
    {
        public string Description => "the fake node";

        public Task<INodeEngine> ConnectAsync(ObservedNode node, CancellationToken cancellationToken) => Task.FromResult<INodeEngine>(this);

        public Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken) =>
            Task.FromResult(answers.TryGetValue($"{containerId} {command[^1]}", out var output) ? new ExecResult(0, output, "") : new ExecResult(1, "", $"no such command: {string.Join(' ', command)}"));

        public Task<long> AttachAsync(string containerId, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, AttachedStreams streams, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task The_recorded_rehearsals_of_a_database_are_listed_newest_first()
    {
        var swarm = new FakeSwarm();
        await RecordAsync(swarm, "clinic", "records", new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), verified: false);
        await RecordAsync(swarm, "clinic", "records", new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero), verified: true);
        await RecordAsync(swarm, "clinic", "other", new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero), verified: true);
        await RecordAsync(swarm, "shop", "records", new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero), verified: true);
        await using var host = await WardHost.StartAsync(new HostOptions { Engine = swarm });
        var owner = await host.CreateOwnerAsync();
        await WardHost.RegisterAsync(owner, File);

        var list = (await owner.GetAsync("/api/v1/environments/clinic/databases/records/rehearsals").Expect(200)).Json!.AsArray();
        Assert.Equal(["2026-12-03T10:00:00+00:00", "2026-12-01T10:00:00+00:00"], list.Select(r => r!["at"]!.GetValue<string>()));
        Assert.Equal([true, false], list.Select(r => r!["verified"]!.GetValue<bool>()));
        Assert.Equal("the source refused the credentials", list[1]!["failure"]!.GetValue<string>());
        Assert.Equal(42.5, list[0]!["phases"]!["dump"]!.GetValue<double>());

        var unknown = await owner.GetAsync("/api/v1/environments/clinic/databases/orders/rehearsals").Expect(404, "database_not_found");
        Assert.Contains("its databases are records", unknown.Json!["detail"]!.GetValue<string>());
    }

    /// <summary>A record as <see cref="Rehearsals"/> stores it: a config labelled with its environment, the record as JSON.</summary>
    private static Task RecordAsync(FakeSwarm swarm, string environment, string database, DateTimeOffset at, bool verified)
    {
        var record = new RehearsalRecord(environment, database, at, "owner", "legacy@db.example.org:5432/records", verified, null, verified ? null : "the source refused the credentials",
            1_000_000, 400_000, 3, 1200, new Dictionary<string, double> { ["dump"] = 42.5, ["restore"] = 60 }, 110, 9.8);
        return swarm.CreateAsync(ObjectKind.Config, Rehearsals.RecordSpec(record, $"{at:HHmmss}"), TestContext.Current.CancellationToken);
    }
}
