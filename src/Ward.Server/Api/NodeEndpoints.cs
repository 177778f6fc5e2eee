using System.Text.Json.Nodes;
using Ward.Engine.Observing;
using Ward.Engine.Ports;
using Ward.Server.Auth;
using Ward.Server.Services;

namespace Ward.Server.Api;

/// <summary>Node operations on the swarm: drain and activate, promote and demote, labels.</summary>
public static class NodeEndpoints
{
    public sealed record AvailabilityRequest(string Availability);

    public sealed record RoleRequest(string Role);

    public sealed record LabelsRequest(Dictionary<string, string> Labels);

    public static void Map(RouteGroupBuilder api)
    {
        var nodes = api.MapGroup("/nodes").WithTags("Nodes");
        nodes.MapGet("/", ListAsync).WithSummary("The swarm's nodes: role, state, availability, address, labels, resources").Requires(Roles.Viewer);
        nodes.MapPut("/{id}/availability", (string id, AvailabilityRequest request, HttpContext context, EngineAccess engine, AuditLog audit) =>
                ChangeAsync(id, context, engine, audit, "node-availability", spec => request.Availability is "active" or "pause" or "drain" ? spec["Availability"] = request.Availability : null,
                    $"availability is active, pause or drain, not '{request.Availability}'"))
            .WithSummary("Drain, pause or activate a node").Requires(Roles.Admin);
        nodes.MapPut("/{id}/role", (string id, RoleRequest request, HttpContext context, EngineAccess engine, AuditLog audit) =>
                ChangeAsync(id, context, engine, audit, "node-role", spec => request.Role is "manager" or "worker" ? spec["Role"] = request.Role : null,
                    $"role is manager or worker, not '{request.Role}'"))
            .WithSummary("Promote a node to manager or demote it to worker").Requires(Roles.Admin);
        nodes.MapPut("/{id}/labels", (string id, LabelsRequest request, HttpContext context, EngineAccess engine, AuditLog audit) =>
                ChangeAsync(id, context, engine, audit, "node-labels", spec => spec["Labels"] = Labels(request.Labels), null))
            .WithSummary("Replace a node's labels").Requires(Roles.Admin);
    }

    private static async Task<IResult> ListAsync(HttpContext context, EngineAccess engine)
    {
        try
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
        catch (EngineException e)
        {
            return Problems.Unavailable("engine_unavailable", e.Message);
        }
    }

    /// <summary>Reads the node, changes its spec, and updates it at the version read; a stale version is a 409.</summary>
    private static async Task<IResult> ChangeAsync(string id, HttpContext context, EngineAccess engine, AuditLog audit, string action, Func<JsonObject, JsonNode?> change, string? invalid)
    {
        try
        {
            var node = (await engine.Engine.ListNodesAsync(context.RequestAborted)).FirstOrDefault(n => n.Id == id || EnvironmentStatus.NodeName(n) == id);
            if (node is null)
            {
                return Problems.NotFound("node_not_found", $"the swarm has no node {id}");
            }

            var spec = new JsonObject { ["Role"] = node.Role, ["Availability"] = node.Availability, ["Labels"] = Labels(node.Labels) };
            var before = spec.DeepClone();
            if (change(spec) is null)
            {
                return Problems.BadRequest("invalid_node_change", invalid ?? "invalid change");
            }

            await engine.Engine.UpdateNodeAsync(node.Id, node.Version, spec, context.RequestAborted);
            await audit.RecordAsync(context, (await Access.PrincipalAsync(context))!, action, $"node {EnvironmentStatus.NodeName(node)}", before, spec);
            return Results.Ok(new { id = node.Id, role = spec["Role"]?.GetValue<string>(), availability = spec["Availability"]?.GetValue<string>(), labels = spec["Labels"] });
        }
        catch (EngineConflictException e)
        {
            return Problems.Conflict("stale_version", $"the node changed meanwhile ({e.Message}); read it again and retry");
        }
        catch (EngineException e)
        {
            return Problems.Unavailable("engine_unavailable", e.Message);
        }
    }

    private static JsonObject Labels(IEnumerable<KeyValuePair<string, string>> labels)
    {
        var result = new JsonObject();
        foreach (var (key, value) in labels)
        {
            result[key] = value;
        }

        return result;
    }
}
