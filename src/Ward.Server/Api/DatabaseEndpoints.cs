using Ward.Deploying.Databases;
using Ward.Engine.Desired;
using Ward.Server.Api.Models;
using Ward.Server.Auth;
using Ward.Server.Services;

namespace Ward.Server.Api;

/// <summary>
/// The databases Ward runs (<c>ward db ...</c> over the same core): each declared database, its tier measured in the
/// running database, its backups and restore points, and the migration rehearsals it recorded; a backup, a restore and
/// a rehearsal as operations with progress (<see cref="DatabaseOperations"/>). What the core refuses as bad input
/// (DatabaseRequestCodes) and the failures it reports (DatabaseFailureCodes) are mapped by <see cref="EngineProblems"/>.
/// </summary>
public static class DatabaseEndpoints
{
    /// <param name="Kind">full, incremental (the changes since the last full) or auto (incremental when a full exists); default auto.</param>
    public sealed record BackupRequest(string? Kind);

    /// <param name="To">A time with its zone (e.g. 2026-12-07T10:30:00Z), or latest.</param>
    /// <param name="Into">Restore into a new database of this name beside the original (the original is untouched); absent, restore in place.</param>
    /// <param name="Confirm">Required (true) to restore in place: every write after the time is undone (a safety backup is taken first).</param>
    public sealed record DatabaseRestoreRequest(string To, string? Into, bool? Confirm);

    /// <param name="From">The current (legacy) database: postgresql://USER:PASSWORD@HOST:PORT/DATABASE. It reaches the rehearsal's job as a secret, never shown or recorded.</param>
    public sealed record RehearsalRequest(string From);

    public static void Map(RouteGroupBuilder api)
    {
        var databases = api.MapGroup("/environments/{name}/databases").WithTags("Databases");
        databases.MapGet("/", ListAsync).WithName("listDatabases")
            .WithSummary("The databases the environment's file declares: engine, tier, backups, and their service as the status watch last saw it")
            .Produces<IReadOnlyList<DatabaseSummary>>().Fails(StatusCodes.Status404NotFound).Requires(Roles.Viewer, "name");
        databases.MapGet("/{database}", StatusAsync).WithName("getDatabaseStatus")
            .WithSummary("A database's status, read in its running task: its tier's settings expected and measured, its size, its volume's size and free space, WAL archiving")
            .Produces<DatabaseStatus>().Fails(EnvironmentEndpoints.EngineFailures).Requires(Roles.Viewer, "name");
        databases.MapGet("/{database}/backups", BackupsAsync).WithName("listBackups")
            .WithSummary("A database's backups, newest first (time, kind, size, duration, the check by restore and a verdict), the earliest restore point and the next scheduled backup")
            .Produces<BackupListing>().Fails(EnvironmentEndpoints.EngineFailures).Requires(Roles.Viewer, "name");
        databases.MapPost("/{database}/backups", BackupAsync).WithName("takeBackup")
            .WithSummary("Take a backup now, inside the cluster, and check it by restore: an operation (follow it at the answer's Location, or its events)")
            .Produces<OperationStarted>(StatusCodes.Status202Accepted).Fails(EnvironmentEndpoints.EngineFailures).Requires(Roles.Deployer, "name");
        databases.MapPost("/{database}/restores", RestoreAsync).WithName("restoreDatabase")
            .WithSummary("Restore a database to a point in time, into a new database or in place (confirm: true; a safety backup is taken first): an operation")
            .Produces<OperationStarted>(StatusCodes.Status202Accepted).Fails(EnvironmentEndpoints.EngineFailures).Requires(Roles.Deployer, "name");
        databases.MapPost("/{database}/rehearsals", RehearseAsync).WithName("rehearse")
            .WithSummary("The migration rehearsal: dump the current database, restore it into a scratch database, verify every table, time each phase, record it: an operation")
            .Produces<OperationStarted>(StatusCodes.Status202Accepted).Fails(EnvironmentEndpoints.EngineFailures).Requires(Roles.Deployer, "name");
        databases.MapGet("/{database}/rehearsals", RehearsalsAsync).WithName("listRehearsals")
            .WithSummary("The migration rehearsals Ward ran and recorded for a database (who, when, source, sizes, per-phase durations, verified or the first difference), newest first")
            .Produces<IReadOnlyList<RehearsalRecord>>().Fails(StatusCodes.Status404NotFound).Requires(Roles.Viewer, "name");
    }

    private static async Task<IResult> ListAsync(string name, HttpContext context, EnvironmentService environments, StatusCache status)
    {
        if (await environments.LoadAsync(name, context.RequestAborted) is not { } environment)
        {
            return EnvironmentNotFound(name);
        }

        var services = status.Get(name)?.Report?.Services ?? [];
        return Results.Ok(environment.Spec.Databases.Select(d =>
        {
            var service = d.IsHosted ? StackNames.Scoped(name, d.Service ?? d.Name) : null;
            var seen = services.FirstOrDefault(s => s.Name == service);
            return new DatabaseSummary(d.Name, d.Engine.ToString().ToLowerInvariant(), d.Version, d.Tier, d.IsHosted, d.Backups is not null, service, seen?.Running, seen?.Desired, seen?.State, seen?.Nodes ?? []);
        }).ToList());
    }

    private static async Task<IResult> StatusAsync(string name, string database, HttpContext context, EnvironmentService environments, EngineAccess engine) =>
        await DeclaredAsync(name, database, context, environments) ?? Results.Ok(await new DatabaseInspector(engine.Engine, engine.Nodes).StatusAsync(name, database, context.RequestAborted));

    private static async Task<IResult> BackupsAsync(string name, string database, HttpContext context, EnvironmentService environments, EngineAccess engine) =>
        await DeclaredAsync(name, database, context, environments) ?? Results.Ok(await new Backups(engine.Engine, engine.Nodes, TimeProvider.System).ListAsync(name, database, context.RequestAborted));

    private static async Task<IResult> BackupAsync(string name, string database, BackupRequest? request, HttpContext context, EnvironmentService environments, DatabaseOperations operations)
    {
        if (await DeclaredAsync(name, database, context, environments) is { } problem)
        {
            return problem;
        }

        var principal = (await Access.PrincipalAsync(context))!;
        return Started(name, await operations.BackupAsync(context, principal, name, database, request?.Kind ?? "auto"));
    }

    private static async Task<IResult> RestoreAsync(string name, string database, DatabaseRestoreRequest request, HttpContext context, EnvironmentService environments, DatabaseOperations operations)
    {
        if (await DeclaredAsync(name, database, context, environments) is { } problem)
        {
            return problem;
        }

        if (request.Into is null && request.Confirm != true)
        {
            return Problems.BadRequest(ProblemCodes.ConfirmationRequired,
                $"restoring {database} in place undoes every write after {request.To} (a safety backup is taken first): send confirm: true, or restore into a new database (into)");
        }

        var principal = (await Access.PrincipalAsync(context))!;
        return Started(name, await operations.RestoreAsync(context, principal, new RestoreRequest(name, database, request.To, request.Into)));
    }

    private static async Task<IResult> RehearseAsync(string name, string database, RehearsalRequest request, HttpContext context, EnvironmentService environments, DatabaseOperations operations)
    {
        if (await DeclaredAsync(name, database, context, environments) is { } problem)
        {
            return problem;
        }

        var principal = (await Access.PrincipalAsync(context))!;
        return Started(name, await operations.RehearseAsync(context, principal, name, database, request.From));
    }

    private static async Task<IResult> RehearsalsAsync(string name, string database, HttpContext context, EnvironmentService environments, EngineAccess engine) =>
        await DeclaredAsync(name, database, context, environments) ?? Results.Ok(await new Rehearsals(engine.Engine, TimeProvider.System).ListAsync(name, database, context.RequestAborted));

    /// <summary>Null when the environment's file declares the database; else the problem that says what is there.</summary>
    private static async Task<IResult?> DeclaredAsync(string name, string database, HttpContext context, EnvironmentService environments)
    {
        if (await environments.LoadAsync(name, context.RequestAborted) is not { } environment)
        {
            return EnvironmentNotFound(name);
        }

        if (environment.Spec.Databases.Any(d => d.Name == database))
        {
            return null;
        }

        var names = environment.Spec.Databases.Select(d => d.Name).ToList();
        return Problems.NotFound(ProblemCodes.DatabaseNotFound, names.Count == 0
            ? $"{name} declares no databases (x-ward.databases)"
            : $"{name} has no database named '{database}'; its databases are {string.Join(", ", names)}");
    }

    private static IResult Started(string name, Store.Entities.Operation operation) =>
        Results.Accepted($"/api/v1/operations/{operation.Id}", new OperationStarted(operation.Id, name, operation.State, $"/api/v1/operations/{operation.Id}/events"));

    private static IResult EnvironmentNotFound(string name) => Problems.NotFound(ProblemCodes.EnvironmentNotFound, $"there is no environment named {name}");
}
