using Ward.Deploying.Databases;
using Ward.Server.Auth;
using Ward.Server.Services;

namespace Ward.Server.Api;

/// <summary>
/// The databases Ward runs: the migration rehearsals it recorded (<c>ward db rehearsals</c>), the same core and the same
/// records, which the switchover's gate reads.
/// </summary>
public static class DatabaseEndpoints
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/environments/{name}/databases/{database}/rehearsals", RehearsalsAsync)
            .WithTags("Environments").WithName("listRehearsals")
            .WithSummary("The migration rehearsals Ward ran and recorded for a database (who, when, source, sizes, per-phase durations, verified or the first difference), newest first")
            .Produces<IReadOnlyList<RehearsalRecord>>().Fails(StatusCodes.Status404NotFound).Requires(Roles.Viewer, "name");

    private static async Task<IResult> RehearsalsAsync(string name, string database, HttpContext context, EnvironmentService environments, EngineAccess engine)
    {
        if (await environments.LoadAsync(name, context.RequestAborted) is not { } environment)
        {
            return Problems.NotFound(ProblemCodes.EnvironmentNotFound, $"there is no environment named {name}");
        }

        if (environment.Spec.Databases.All(d => d.Name != database))
        {
            var names = environment.Spec.Databases.Select(d => d.Name).ToList();
            return Problems.NotFound(ProblemCodes.DatabaseNotFound, names.Count == 0
                ? $"{name} declares no databases (x-ward.databases)"
                : $"{name} has no database named '{database}'; its databases are {string.Join(", ", names)}");
        }

        return Results.Ok(await new Rehearsals(engine.Engine, TimeProvider.System).ListAsync(name, database, context.RequestAborted));
    }
}
