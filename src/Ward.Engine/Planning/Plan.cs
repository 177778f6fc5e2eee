using System.Text.Json.Nodes;
using Ward.Engine.Ports;

namespace Ward.Engine.Planning;

public enum ChangeKind
{
    Create,
    Update,
    Remove,
}

/// <summary>What a plan step is about: a Swarm object, or a node's labels and availability.</summary>
public enum StepTarget
{
    Network,
    Secret,
    Config,
    Node,
    Service,
}

/// <summary>
/// One change the apply will make: pure data, so it can be shown, serialised and tested before anything happens.
/// </summary>
public sealed record PlanStep
{
    public required ChangeKind Change { get; init; }

    public required StepTarget Target { get; init; }

    public required string Name { get; init; }

    /// <summary>The field-level differences of an update (empty for create and remove).</summary>
    public IReadOnlyList<FieldChange> Fields { get; init; } = [];

    /// <summary>Why the step is there, in words ("new content version", "no longer in the file", ...).</summary>
    public string? Reason { get; init; }

    /// <summary>The engine id of the object changed or removed.</summary>
    public string? Id { get; init; }

    /// <summary>The version index the plan was made against; an update at a newer one is retried on fresh state.</summary>
    public long? Version { get; init; }

    /// <summary>The desired spec of a create or update (service specs carry secret and config names, resolved to ids when applied).</summary>
    public JsonObject? Spec { get; init; }

    /// <summary>For node steps: what the file wants, to recompute the spec if the node changed meanwhile.</summary>
    public DesiredNode? Node { get; init; }

    /// <summary>For service updates: replace every task even if the spec is unchanged (as <c>docker service update --force</c>).</summary>
    public bool Restart { get; init; }

    /// <summary>Removal of an old secret or config version waits until no service uses it.</summary>
    public bool AfterServices { get; init; }

    public static StepTarget TargetOf(ObjectKind kind) => kind switch
    {
        ObjectKind.Network => StepTarget.Network,
        ObjectKind.Secret => StepTarget.Secret,
        ObjectKind.Config => StepTarget.Config,
        _ => StepTarget.Service,
    };
}

/// <summary>The difference between an environment's file and its swarm, as steps in dependency order.</summary>
public sealed record Plan(string Environment, IReadOnlyList<PlanStep> Steps, IReadOnlyList<string> Warnings)
{
    public bool HasChanges => Steps.Count > 0;

    public int Count(ChangeKind change) => Steps.Count(s => s.Change == change);
}
