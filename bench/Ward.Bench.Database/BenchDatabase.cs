using System.Globalization;
using System.Text.Json.Nodes;
using Ward.Deploying.Databases;
using Ward.Docker;
using Ward.Docker.Cluster;
using Ward.Engine.Ports;

namespace Ward.Bench.Database;

/// <summary>
/// The environment the benchmark applies, and how it reaches the database it runs: records, on general-purpose-2
/// (as the clinic's), on worker-1, its backup repository on worker-2. The generated "legacy" data lives in a database
/// of its own (legacy) on the same PostgreSQL, owned by the application's role: the rehearsal dumps it over the
/// network like any source, and the backups and restores carry it, so every figure is about the same gigabyte.
/// </summary>
internal sealed class BenchDatabase(ClusterLayout layout, DockerEngine engine)
{
    /// <summary>
    /// The benchmark's own swarm: a manager and two workers on the bridge wardy0 (10.216.0.0/24), apart from the local
    /// cluster, the Docker tests' and the other benchmarks'.
    /// </summary>
    public static ClusterLayout Cluster { get; } = new() { Bridge = "wardy0", Subnet = "10.216.0.0/24", StateDirectory = "/var/lib/ward/bench-db", RunDirectory = "/run/ward/bench-db" };

    public const string Environment = "dbbench";

    public const string Name = "records";

    public string Host => "unix://" + layout.Manager!.Socket;

    public static string WriteFile(string folder)
    {
        var file = Path.Combine(folder, "dbbench.yaml");
        File.WriteAllText(file, $$"""
            version: "3.9"
            x-ward:
              environment: { name: {{Environment}}, kind: staging }
              databases:
                - name: {{Name}}
                  engine: postgres
                  version: "15"
                  tier: general-purpose-2
                  placement: [ "node.labels.ward.node == worker-1" ]
                  backups:
                    repository: { placement: [ "node.labels.ward.node == worker-2" ] }
            services: {}
            """);
        return file;
    }

    /// <summary>`ward db VERB ENV records ARGS... --host manager`, which must succeed.</summary>
    public Task<Ran> DbAsync(string verb, params string[] arguments) => Shell.WardAsync(["db", verb, Environment, Name, .. arguments, "--host", Host]);

    public async Task<JsonNode> StatusAsync() => JsonNode.Parse((await DbAsync("status", "--format", "json")).Stdout)!;

    public async Task<JsonArray> BackupsAsync() => JsonNode.Parse((await DbAsync("backups", "--format", "json")).Stdout)!["backups"]!.AsArray();

    /// <summary>Until `ward db status` answers (the database's first start initialises its cluster).</summary>
    public async Task WaitAnswersAsync()
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        Ran status;
        while ((status = await Shell.RunAsync(Shell.Ward, ["db", "status", Environment, Name, "--host", Host], CancellationToken.None)).ExitCode != 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"ward db status never answered: {status}");
            }

            await Task.Delay(2000);
        }
    }

    /// <summary>The engine socket and container of the database's running task.</summary>
    public async Task<Container> DatabaseAsync()
    {
        var deployed = await DatabaseLocator.FindAsync(engine, Environment, Name, CancellationToken.None);
        var (container, node) = deployed.Database.Running("the benchmark's database");
        return new Container(SocketOf(node), container);
    }

    /// <summary>The engine socket and container of a service's running task (a restored copy), waiting for it.</summary>
    public async Task<Container> RunningAsync(string service)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var id = (await engine.ListAsync(ObjectKind.Service, Environment, CancellationToken.None)).FirstOrDefault(s => s.Name == $"{Environment}_{service}")?.Id;
            var task = id is null ? null : (await engine.ListTasksAsync([id], CancellationToken.None)).FirstOrDefault(t => t is { State: "running", DesiredState: "running", ContainerId: not null });
            if (task is not null)
            {
                var node = (await engine.ListNodesAsync(CancellationToken.None)).Single(n => n.Id == task.NodeId);
                var container = new Container(SocketOf(node), task.ContainerId!);
                if ((await Shell.RunAsync(Shell.Docker, ["-H", container.Host, "exec", container.Id, "pg_isready", "-q", "-h", "/run/postgresql"], CancellationToken.None)).ExitCode == 0)
                {
                    return container;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"{service} has no running task that answers after 3 minutes");
            }

            await Task.Delay(1000);
        }
    }

    /// <summary>Waits until the swarm's manager sees the node down (what an operator would see before restoring).</summary>
    public async Task WaitDownAsync(string localName)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((await engine.ListNodesAsync(CancellationToken.None)).Any(n => n.Labels.GetValueOrDefault("ward.node") == localName && n.State != "down"))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"the swarm still reports {localName} up 2 minutes after its engine stopped");
            }

            await Task.Delay(500);
        }
    }

    private string SocketOf(ObservedNode node)
    {
        var name = node.Labels.GetValueOrDefault("ward.node") ?? throw new InvalidOperationException($"node {node.Hostname} has no ward.node label");
        return "unix://" + layout.Nodes.Single(n => n.Name == name).Socket;
    }

    public static string Megabytes(long bytes) => (bytes / 1_000_000.0).ToString("0", CultureInfo.InvariantCulture) + " MB";
}

/// <summary>A container on a node's engine: SQL through psql in it, as the superuser on its socket.</summary>
internal sealed record Container(string Host, string Id)
{
    public async Task<string> PsqlAsync(string database, string sql) =>
        (await Shell.RequireAsync(Shell.Docker, ["-H", Host, "exec", Id, "psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", "/run/postgresql", "-d", database, "-c", sql], CancellationToken.None)).Stdout.Trim();

    /// <summary>A shell command in the container (its own variables and secrets are there: the password never leaves it).</summary>
    public Task<Ran> ShAsync(string script) => Shell.RequireAsync(Shell.Docker, ["-H", Host, "exec", Id, "sh", "-c", script], CancellationToken.None);
}
