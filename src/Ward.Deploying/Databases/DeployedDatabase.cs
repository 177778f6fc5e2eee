using Ward.Engine.Databases;
using Ward.Engine.Desired;
using Ward.Engine.Ports;

namespace Ward.Deploying.Databases;

/// <summary>A service of a database as the swarm runs it: its spec, its running task (if any) and that task's node.</summary>
/// <param name="Service">The service.</param>
/// <param name="Task">Its running task.</param>
/// <param name="Node">The node of its running task, else of its latest task.</param>
/// <param name="Stopped">Why Ward stopped it, when it did (an in-place restore that did not finish), for the failure.</param>
public sealed record DeployedService(ObservedObject Service, ObservedTask? Task, ObservedNode? Node, string? Stopped = null)
{
    /// <summary>The running task's container and node, or a failure that says the service is not running.</summary>
    public (string Container, ObservedNode Node) Running(string what) =>
        Task is { ContainerId: { } container } && Node is { } node
            ? (container, node)
            : throw new DatabaseOperationException(DatabaseFailureCodes.NotRunning, Stopped is not null
                ? $"{what} ({Service.Name}) is stopped: {Stopped}"
                : $"{what} ({Service.Name}) has no running task{(Node is null ? "" : $" (its node {Node.Hostname} is {Node.State})")}; see ward status");
}

/// <summary>A database Ward runs in an environment, found on the swarm by its labels: its service and its repository's.</summary>
public sealed record DeployedDatabase(string Environment, string Name, DeployedService Database, DeployedService? Repository)
{
    public string? Tier => Database.Service.Labels.GetValueOrDefault(DatabaseNames.TierLabel);

    /// <summary>The id of an in-place restore that stopped the database and did not start it again (its follower was killed).</summary>
    public string? InterruptedRestore => Database.Service.Labels.GetValueOrDefault(DatabaseNames.RestoringLabel);

    /// <summary>The node whose volume holds the interrupted restore.</summary>
    public string? InterruptedRestoreNode => Database.Service.Labels.GetValueOrDefault(DatabaseNames.RestoringNodeLabel);

    /// <summary>A value of the database service's environment (POSTGRES_DB, WARD_DB_SETTINGS, ...).</summary>
    public string? Setting(string name) =>
        (Database.Service.Spec["TaskTemplate"]?["ContainerSpec"]?["Env"]?.AsArray() ?? [])
            .Select(e => e?.GetValue<string>() ?? "")
            .FirstOrDefault(e => e.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];

    /// <summary>The repository, or a refusal saying the database has no backups.</summary>
    public DeployedService RequireRepository() => Repository
        ?? throw new DatabaseRequestException(DatabaseRequestCodes.NoBackups, $"database {Name} of {Environment} has no backups: declare x-ward.databases[].backups (a repository on another node) and apply");
}

/// <summary>Finds the databases Ward runs in an environment.</summary>
public static class DatabaseLocator
{
    /// <summary>The names of the databases (not restored copies) Ward runs in the environment.</summary>
    public static async Task<IReadOnlyList<string>> NamesAsync(IEngine engine, string environment, CancellationToken cancellationToken) =>
        [.. (await engine.ListAsync(ObjectKind.Service, environment, cancellationToken))
            .Where(s => s.Labels.GetValueOrDefault(DatabaseNames.RoleLabel) == "database")
            .Select(s => s.Labels[DatabaseNames.DatabaseLabel])
            .Order(StringComparer.Ordinal)];

    /// <exception cref="DatabaseRequestException">The environment runs no database of that name.</exception>
    public static async Task<DeployedDatabase> FindAsync(IEngine engine, string environment, string database, CancellationToken cancellationToken)
    {
        await SwarmGuard.EnsureManagerAsync(engine, cancellationToken);
        var services = await engine.ListAsync(ObjectKind.Service, environment, cancellationToken);
        ObservedObject? Of(string role) => services.FirstOrDefault(s =>
            s.Labels.GetValueOrDefault(DatabaseNames.RoleLabel) == role && s.Labels.GetValueOrDefault(DatabaseNames.DatabaseLabel) == database);
        var service = Of("database");
        if (service is null)
        {
            var names = services.Where(s => s.Labels.GetValueOrDefault(DatabaseNames.RoleLabel) == "database").Select(s => s.Labels[DatabaseNames.DatabaseLabel]).Order(StringComparer.Ordinal).ToList();
            throw new DatabaseRequestException(DatabaseRequestCodes.DatabaseNotFound, names.Count == 0
                ? $"{environment} runs no database Ward hosts on this swarm (declare it in x-ward.databases and apply)"
                : $"{environment} runs no database named '{database}'; its databases are {string.Join(", ", names)}");
        }

        var repository = Of("repository");
        var ids = new[] { service.Id, repository?.Id }.OfType<string>().ToList();
        var tasks = await engine.ListTasksAsync(ids, cancellationToken);
        var nodes = await engine.ListNodesAsync(cancellationToken);
        DeployedService Deployed(ObservedObject of)
        {
            var task = tasks.Where(t => t.ServiceId == of.Id && t is { DesiredState: "running", State: "running" }).MaxBy(t => t.Timestamp);
            var node = nodes.FirstOrDefault(n => n.Id == (task ?? tasks.Where(t => t.ServiceId == of.Id).MaxBy(t => t.Timestamp))?.NodeId);
            return new DeployedService(of, task, node);
        }

        var interrupted = service.Labels.GetValueOrDefault(DatabaseNames.RestoringLabel) is { } restore
            ? $"the in-place restore {restore} stopped it and did not finish (ward was stopped); it serves nothing until `ward db restore {environment} {database} --resume` finishes the restore and starts it (or `ward apply` starts it on the cluster its volume holds, whole either way)"
            : null;
        return new DeployedDatabase(environment, database, Deployed(service) with { Stopped = interrupted }, repository is null ? null : Deployed(repository));
    }

    /// <summary>Whether a name is taken in the environment: by a service of its stack, or a database.</summary>
    public static async Task<bool> NameTakenAsync(IEngine engine, string environment, string name, CancellationToken cancellationToken) =>
        (await engine.ListAsync(ObjectKind.Service, environment, cancellationToken)).Any(s =>
            s.Name == StackNames.Scoped(environment, name) || s.Labels.GetValueOrDefault(DatabaseNames.DatabaseLabel) == name);
}
