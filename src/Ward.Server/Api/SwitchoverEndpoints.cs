using Ward.Deploying.Switchover;
using Ward.Server.Auth;
using Ward.Server.Services;

namespace Ward.Server.Api;

/// <summary>
/// An environment's switchover: the runbook and its gates, as <c>ward switchover plan</c> prints them, judged with the
/// DNS history the server keeps (since when each domain has pointed at the manager).
/// </summary>
public static class SwitchoverEndpoints
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/environments/{name}/switchover/plan", PlanAsync)
            .WithTags("Environments").WithName("getSwitchoverPlan")
            .WithSummary("The switchover's runbook and the state of every gate, each observed by Ward (readiness, rehearsals, DNS for 48 hours, window, swarm backup, rollback plan); ready when all pass")
            .Produces<SwitchoverPlan>().Fails(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound).Requires(Roles.Viewer, "name");

    private static async Task<IResult> PlanAsync(string name, HttpContext context, EnvironmentService environments, TimeProvider time, SwitchoverOptions options)
    {
        if (await environments.LoadAsync(name, context.RequestAborted) is not { } environment)
        {
            return Problems.NotFound(ProblemCodes.EnvironmentNotFound, $"there is no environment named {name}");
        }

        var mapped = await environments.MappedSinceAsync(name, context.RequestAborted);
        return Results.Ok(await new SwitchoverPlanner(time, options).PlanAsync(environment, t => environments.LiveFactsAsync(environment, t), mapped, context.RequestAborted));
    }
}
