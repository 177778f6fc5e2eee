using Ward.Deploying.Nodes;
using Ward.Engine.Observing;
using Ward.Server.Auth;
using Ward.Server.Services;

namespace Ward.Server.Api;

/// <summary>Node operations on the swarm (drain and activate, promote and demote, labels), through the core's <see cref="NodeChanger"/>.</summary>
public static class NodeEndpoints
{
    public sealed record AvailabilityRequest(string Availability);

    public sealed record RoleRequest(string Role);

    public sealed record LabelsRequest(Dictionary<string, string> Labels);

    public static void Map(RouteGroupBuilder api)
    {
        var nodes = api.MapGroup("/nodes").WithTags("Nodes");
        nodes.MapGet("/", ListAsync).WithSummary("The swarm's nodes: role, state, availability, address, labels, resources").Requires(Roles.Viewer);
        nodes.MapPut("/{id}/availability", (string id, AvailabilityRequest request, HttpContext context, EngineAccess engine, AuditLog audit, TimeProvider time) =>
                ChangeAsync(id, context, engine, audit, time, "node-availability", () => NodeChange.Availability(request.Availability)))
            .WithSummary("Drain, pause or activate a node").Requires(Roles.Admin);
        nodes.MapPut("/{id}/role", (string id, RoleRequest request, HttpContext context, EngineAccess engine, AuditLog audit, TimeProvider time) =>
                ChangeAsync(id, context, engine, audit, time, "node-role", () => NodeChange.Role(request.Role)))
            .WithSummary("Promote a node to manager or demote it to worker").Requires(Roles.Admin);
        nodes.MapPut("/{id}/labels", (string id, LabelsRequest request, HttpContext context, EngineAccess engine, AuditLog audit, TimeProvider time) =>
                ChangeAsync(id, context, engine, audit, time, "node-labels", () => NodeChange.ReplaceLabels(request.Labels)))
            .WithSummary("Replace a node's labels").Requires(Roles.Admin);
    }

    private static async Task<IResult> ListAsync(HttpContext context, EngineAccess engine)
    {
        var nodes = await engine.Engine.ListNodesAsync(context.RequestAborted);
        return Results.Ok(nodes.Select(n => new
        {
            id = n.Id,
            name = EnvironmentStatus.NodeName(n),
            hostname = n.Hostname,
            role = n.Role,
            state = n.State,
            availability = n.Availability,
            address = n.Address,
            leader = n.IsLeader,
            labels = n.Labels,
            cpus = n.Cpus,
            memoryBytes = n.MemoryBytes,
            version = n.Version,
        }));
    }

    /// <summary>Validates the change, makes it (the core reads the node and updates it at the version read), and records it.</summary>
    private static async Task<IResult> ChangeAsync(string id, HttpContext context, EngineAccess engine, AuditLog audit, TimeProvider time, string action, Func<NodeChange> change)
    {
        var result = await new NodeChanger(engine.Engine, time).ChangeAsync(id, change(), _ => { }, context.RequestAborted);
        await audit.RecordAsync(context, (await Access.PrincipalAsync(context))!, action, $"node {result.Node}", result.Before, result.After);
        if (!result.Confirmed)
        {
            return Problems.Of(StatusCodes.Status504GatewayTimeout, ProblemCodes.NotConfirmed, $"the swarm's managers did not commit the change to {result.Node} within {NodeChanger.ConfirmationWait.TotalMinutes:0} minutes; see GET /api/v1/nodes: are they all reachable?");
        }

        return Results.Ok(new
        {
            id = result.Node,
            role = result.After["Role"]?.GetValue<string>(),
            availability = result.After["Availability"]?.GetValue<string>(),
            labels = result.After["Labels"],
        });
    }
}
