using System.Text.Json;
using Ward.Deploying.Operations;
using Ward.Server.Auth;
using Ward.Server.Services;

namespace Ward.Server.Api;

/// <summary>
/// An environment's logs, through the core's <see cref="LogReader"/>: the history as JSON, or (follow=true) the history
/// and then new lines as server-sent events. The values of the environment's secrets that Ward keeps are masked.
/// </summary>
public static class LogEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/environments/{name}/logs", ReadAsync).WithTags("Logs").WithName("readLogs")
            .WithSummary("Log lines of every task on every node (service, task, node, time; secrets masked); ?service=&since=&tail=&grep=, and follow=true for server-sent events (text/event-stream: id, event 'line' and data, one LogEntry as JSON)")
            .Produces<IReadOnlyList<LogEntry>>().Produces<string>(StatusCodes.Status200OK, "text/event-stream")
            .Fails(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound).Requires(Roles.Viewer, "name");
    }

    private static async Task ReadAsync(string name, HttpContext context, EnvironmentService environments, TimeProvider time, string[]? service, string? since, int? tail, string? grep, bool? follow)
    {
        if (await environments.LoadAsync(name, context.RequestAborted) is not { } environment)
        {
            await Problems.NotFound(ProblemCodes.EnvironmentNotFound, $"there is no environment named {name}").ExecuteAsync(context);
            return;
        }

        var query = new LogQuery
        {
            Services = service ?? [],
            Since = string.IsNullOrEmpty(since) ? null : LogQuery.ParseSince(since, time.GetUtcNow()),
            Tail = follow == true ? tail ?? 200 : tail ?? 1000,
            Grep = grep,
            Follow = follow == true,
        };
        var lines = environments.Logs().ReadAsync(name, query, new SecretMask(environment.SecretValues()), context.RequestAborted);
        if (!query.Follow)
        {
            var entries = new List<LogEntry>();
            await foreach (var entry in lines)
            {
                entries.Add(entry);
            }

            await Results.Json(entries, Json).ExecuteAsync(context);
            return;
        }

        await FollowAsync(context, lines);
    }

    /// <summary>
    /// Streams the lines as server-sent events ("line", each with a sequence number), flushing when the engine has
    /// nothing more at once, so a service writing hundreds of lines a second is sent in batches rather than one write
    /// per line. Reading starts before the answer does, so that a refusal (an unknown service) is still a ProblemDetails.
    /// </summary>
    private static async Task FollowAsync(HttpContext context, IAsyncEnumerable<LogEntry> lines)
    {
        var reader = lines.GetAsyncEnumerator(context.RequestAborted);
        try
        {
            var next = reader.MoveNextAsync();
            var more = await next;
            context.Response.Headers.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            await context.Response.WriteAsync(": following\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            long sequence = 0;
            while (more)
            {
                var entry = reader.Current;
                await context.Response.WriteAsync($"id: {++sequence}\nevent: line\ndata: {JsonSerializer.Serialize(entry, Json)}\n\n", context.RequestAborted);
                next = reader.MoveNextAsync();
                if (!next.IsCompleted)
                {
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                }

                more = await next;
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            await reader.DisposeAsync();
        }
    }
}
