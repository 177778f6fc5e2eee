using Ward.Engine.Placement;
using Ward.Model.Placement.Capacity;
using Ward.Server.Auth;
using Ward.Server.Services;

namespace Ward.Server.Api;

/// <summary>
/// Capacity: where every task of an environment would land and what-ifs, as <c>ward plan --capacity</c> answers
/// (the same core and the same document).
/// </summary>
public static class CapacityEndpoints
{
    // The query parameters, by the names the core's what-if errors use.
    private static readonly Dictionary<string, string> Parameters = new(StringComparer.Ordinal)
    {
        ["without"] = "without",
        ["add-worker"] = "addWorker",
        ["scale"] = "scale",
    };

    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/environments/{name}/capacity", CapacityAsync)
            .WithTags("Environments")
            .WithSummary("Where every task lands (per node its reservations against its size, the manager's share, pending tasks and why), with what-ifs: ?without=NODE&addWorker=SIZE[xN]&scale=SERVICE=N (each repeatable); source=swarm places on the live swarm's nodes")
            .Requires(Roles.Viewer, "name");

    private static async Task<IResult> CapacityAsync(string name, string[]? without, string[]? addWorker, string[]? scale, string? source, HttpContext context, EnvironmentService environments, EngineAccess engine)
    {
        if (await environments.LoadAsync(name, context.RequestAborted) is not { } environment)
        {
            return Problems.NotFound(ProblemCodes.EnvironmentNotFound, $"there is no environment named {name}");
        }

        if (source is not (null or "" or "file" or "swarm"))
        {
            return Problems.BadRequest(ProblemCodes.InvalidSource, $"source '{source}' is not file (x-ward.nodes at catalog sizes) or swarm (the live swarm's nodes)");
        }

        // Engine failures reach the server's one error map (EngineProblems) like every other endpoint's.
        var cluster = source == "swarm"
            ? await LiveCluster.ReadAsync(engine.Engine, environment.Spec, environment.Catalog, $"the swarm at {engine.Description}", context.RequestAborted)
            : EnvironmentCluster.FromFile(environment.Spec, environment.Catalog);
        if (cluster is null)
        {
            return Problems.BadRequest(ProblemCodes.NoNodes, $"the file of {name} describes no nodes (x-ward.nodes); describe them, or ask with source=swarm to place on the swarm's nodes");
        }

        var (whatIf, errors) = WhatIf.Parse(without ?? [], addWorker ?? [], scale ?? [], cluster);
        if (whatIf is null)
        {
            return Problems.BadRequest(
                ProblemCodes.InvalidWhatIf,
                string.Join("; ", errors.Select(e => $"{Parameters[e.Parameter]}={e.Value}: {e.Message}")),
                new Dictionary<string, object?> { ["errors"] = errors.Select(e => new { parameter = Parameters[e.Parameter], value = e.Value, message = e.Message }).ToList() });
        }

        return Results.Ok(CapacityDocument.Of(name, CapacityPlanner.Plan(cluster, whatIf)));
    }
}
