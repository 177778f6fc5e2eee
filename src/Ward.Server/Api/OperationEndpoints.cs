using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Ward.Server.Api.Models;
using Ward.Server.Auth;
using Ward.Server.Services;
using Ward.Store;

namespace Ward.Server.Api;

/// <summary>Long-running operations: poll one, or follow its progress as server-sent events.</summary>
public static class OperationEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var operations = api.MapGroup("/operations").WithTags("Operations");
        // Anyone who may see an environment may follow its operations (a deployer of one environment follows the apply
        // they started); the operation's environment is checked once it is read.
        operations.MapGet("/{id:guid}", ShowAsync).WithName("getOperation").WithSummary("An operation, with every progress event so far")
            .Produces<OperationDetail>().Fails(StatusCodes.Status404NotFound).RequiresAnywhere(Roles.Viewer);
        operations.MapGet("/{id:guid}/events", FollowAsync).WithName("followOperation")
            .WithSummary("The operation's progress as server-sent events (text/event-stream: id, event and data, the data an OperationEventDocument as JSON), until it ends")
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream").Fails(StatusCodes.Status404NotFound).RequiresAnywhere(Roles.Viewer);
    }

    private static async Task<IResult> ShowAsync(Guid id, HttpContext context, StoreOptions store, OperationRunner runner)
    {
        await using var db = store.CreateContext();
        var operation = await db.Operations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, context.RequestAborted);
        if (operation is null || !await MaySeeAsync(context, operation.Environment))
        {
            return Problems.NotFound(ProblemCodes.OperationNotFound, $"there is no operation {id}");
        }

        // A finished operation's stored events are complete; a running one's are in memory.
        var events = operation.FinishedAt is null && runner.Live(id) is { } live
            ? JsonSerializer.SerializeToElement(live.Events, JsonSerializerOptions.Web)
            : JsonDocument.Parse(operation.EventsJson).RootElement;
        return Results.Ok(new OperationDetail(
            operation.Id,
            operation.Environment,
            operation.Kind,
            operation.State,
            operation.StartedBy,
            operation.StartedAt,
            operation.FinishedAt,
            operation.Summary,
            events.Deserialize<List<OperationEventDocument>>(JsonSerializerOptions.Web) ?? []));
    }

    private static async Task FollowAsync(Guid id, HttpContext context, StoreOptions store, OperationRunner runner)
    {
        await using var db = store.CreateContext();
        var operation = await db.Operations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, context.RequestAborted);
        if (operation is null || !await MaySeeAsync(context, operation.Environment))
        {
            await Problems.NotFound(ProblemCodes.OperationNotFound, $"there is no operation {id}").ExecuteAsync(context);
            return;
        }

        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        if (runner.Live(id) is { } live)
        {
            await foreach (var item in live.FollowAsync(context.RequestAborted))
            {
                await context.Response.WriteAsync(EnvironmentEndpoints.SseFrame(item), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }

            return;
        }

        // No longer in memory: finished, and stored with every event. Read it again, as it may have finished since.
        operation = await db.Operations.AsNoTracking().FirstAsync(o => o.Id == id, context.RequestAborted);
        foreach (var item in JsonSerializer.Deserialize<List<JsonElement>>(operation.EventsJson) ?? [])
        {
            var type = item.TryGetProperty("type", out var t) ? t.GetString() : "event";
            var sequence = item.TryGetProperty("sequence", out var s) ? s.GetInt64() : 0;
            await context.Response.WriteAsync($"id: {sequence}\nevent: {type}\ndata: {item.GetRawText()}\n\n", context.RequestAborted);
        }
    }

    private static async Task<bool> MaySeeAsync(HttpContext context, string environment) =>
        Roles.AtLeast((await Access.PrincipalAsync(context))?.RoleIn(environment), Roles.Viewer);
}
