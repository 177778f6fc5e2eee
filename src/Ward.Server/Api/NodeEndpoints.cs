using Ward.Deploying.Nodes;
using Ward.Engine.Observing;
using Ward.Server.Api.Models;
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
        nodes.MapGet("/", ListAsync).WithName("listNodes").WithSummary("The swarm's nodes: role, state, availability, address, labels, resources")
            .Produces<IReadOnlyList<NodeInfo>>().Fails(EnvironmentEndpoints.EngineFailures).Requires(Roles.Viewer);
        nodes.MapPut("/{id}/availability", (string id, AvailabilityRequest request, HttpContext context, EngineAccess engine, AuditLog audit, TimeProvider time) =>
                ChangeAsync(id, context, engine, audit, time, "node-availability", () => NodeChange.Availability(request.Availability)))
            .WithName("setNodeAvailability").WithSummary("Drain, pause or activate a node").Produces<NodeChanged>().Fails(EnvironmentEndpoints.EngineFailures).Requires(Roles.Admin);
        nodes.MapPut("/{id}/role", (string id, RoleRequest request, HttpContext context, EngineAccess engine, AuditLog audit, TimeProvider time) =>
                ChangeAsync(id, context, engine, audit, time, "node-role", () => NodeChange.Role(request.Role)))
            .WithName("setNodeRole").WithSummary("Promote a node to manager or demote it to worker").Produces<NodeChanged>().Fails(EnvironmentEndpoints.EngineFailures).Requires(Roles.Admin);
        nodes.MapPut("/{id}/labels", (string id, LabelsRequest request, HttpContext context, EngineAccess engine, AuditLog audit, TimeProvider time) =>
                ChangeAsync(id, context, engine, audit, time, "node-labels", () => NodeChange.ReplaceLabels(request.Labels)))
            .WithName("setNodeLabels").WithSummary("Replace a node's labels").Produces<NodeChanged>().Fails(EnvironmentEndpoints.EngineFailures).Requires(Roles.Admin);
    }

    private static async Task<IResult> ListAsync(HttpContext context, EngineAccess engine)
    {
        var nodes = await engine.Engine.ListNodesAsync(context.RequestAborted);
        return Results.Ok(nodes.Select(n => new NodeInfo(
            n.Id, EnvironmentStatus.NodeName(n), n.Hostname, n.Role, n.State, n.Availability, n.Address, n.IsLeader, n.Labels, n.Cpus, n.MemoryBytes, n.Version)));
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

        return Results.Ok(new NodeChanged(
            result.Node,
            result.After["Role"]?.GetValue<string>(),
            result.After["Availability"]?.GetValue<string>(),
            result.After["Labels"] is { } labels ? System.Text.Json.JsonSerializer.SerializeToElement(labels) : null));
    }
}
