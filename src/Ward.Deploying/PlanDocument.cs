using Ward.Engine.Planning;

namespace Ward.Deploying;

/// <summary>
/// A plan as machines read it: the one JSON shape of <c>ward plan --format json</c>, the API's plans and the
/// operation's "plan" event.
/// </summary>
/// <param name="Environment">The environment's name.</param>
/// <param name="Target">The engine planned against, for people (the CLI's choice of engine); null from the server.</param>
/// <param name="HasChanges">Whether an apply would change anything.</param>
/// <param name="Steps">The changes in the order they are applied.</param>
/// <param name="Warnings">What the plan cannot fix by itself.</param>
/// <param name="Summary">How many objects are created, updated and removed.</param>
/// <param name="Images">How the services' images were identified.</param>
/// <param name="Routes">How each domain would be served by the load balancer; null without domains.</param>
public sealed record PlanDocument(
    string Environment,
    string? Target,
    bool HasChanges,
    IReadOnlyList<PlanStepDocument> Steps,
    IReadOnlyList<string> Warnings,
    PlanSummaryDocument Summary,
    PlanImagesDocument Images,
    PlanRoutesDocument? Routes)
{
    public static PlanDocument Of(DeploymentPlan deployment, string? target = null)
    {
        var plan = deployment.Plan;
        return new PlanDocument(
            plan.Environment,
            target,
            deployment.HasChanges,
            [.. plan.Steps.Select(s => new PlanStepDocument(
                s.Change.ToString().ToLowerInvariant(),
                s.Target.ToString().ToLowerInvariant(),
                s.Name,
                s.Reason,
                s.Restart,
                [.. s.Fields.Select(f => new PlanFieldDocument(f.Path, f.Before, f.After))]))],
            plan.Warnings,
            new PlanSummaryDocument(plan.Count(ChangeKind.Create), plan.Count(ChangeKind.Update), plan.Count(ChangeKind.Remove)),
            new PlanImagesDocument(
                deployment.Images.Pinning == Engine.Ports.ImagePinning.ImageId ? "image-id" : "as-written",
                deployment.Images.Description,
                deployment.Images.Pinned),
            deployment.Routes is { } routes
                ? new PlanRoutesDocument(routes.Changes, [.. routes.Routes.Select(r => new PlanRouteDocument(r.Domain, TlsName(r.Tls), r.Note))])
                : null);
    }

    private static string TlsName(Engine.Balancing.RouteTls tls) => tls switch
    {
        Engine.Balancing.RouteTls.Acme => "acme",
        Engine.Balancing.RouteTls.Internal => "internal",
        _ => "waiting-for-dns",
    };
}

/// <param name="Change">create, update or remove.</param>
/// <param name="Target">network, secret, config, node or service.</param>
/// <param name="Name">The object's name.</param>
/// <param name="Reason">Why the step is there, when it is not plain from the fields.</param>
/// <param name="Restart">An update that replaces every task even where the spec is unchanged.</param>
/// <param name="Fields">The field-level differences of an update.</param>
public sealed record PlanStepDocument(string Change, string Target, string Name, string? Reason, bool Restart, IReadOnlyList<PlanFieldDocument> Fields);

/// <param name="Path">The field, as a path in the Engine API's spec (TaskTemplate.ContainerSpec.Image).</param>
/// <param name="Before">Its JSON on the swarm; null when absent.</param>
/// <param name="After">Its JSON as the file wants it; null when absent.</param>
public sealed record PlanFieldDocument(string Path, string? Before, string? After);

public sealed record PlanSummaryDocument(int Create, int Update, int Remove);

/// <param name="Pinning">image-id (each tag resolved to its image ID on the nodes) or as-written.</param>
/// <param name="Description">The same, for people.</param>
/// <param name="Pinned">Each image as written, and the ID its services run.</param>
public sealed record PlanImagesDocument(string Pinning, string Description, IReadOnlyDictionary<string, string> Pinned);

/// <param name="Changes">Whether the routes in force would change.</param>
/// <param name="Domains">Each domain and how it would be served.</param>
public sealed record PlanRoutesDocument(bool Changes, IReadOnlyList<PlanRouteDocument> Domains);

/// <param name="Domain">The host name.</param>
/// <param name="Tls">acme, internal, or waiting-for-dns (plain HTTP until an order can succeed).</param>
/// <param name="Note">Why, in words.</param>
public sealed record PlanRouteDocument(string Domain, string Tls, string Note);
