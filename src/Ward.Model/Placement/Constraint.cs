using Ward.Model.Spec;

namespace Ward.Model.Placement;

/// <summary>
/// A Swarm placement constraint, <c>attribute ==|!= value</c>, and its evaluation against the nodes that the
/// environment file describes. Attributes: node.id, node.hostname, node.role, node.platform.os/arch,
/// node.labels.*, engine.labels.*.
/// </summary>
public sealed record Constraint(string Attribute, bool Equal, string Value)
{
    private static readonly string[] Prefixes = ["node.labels.", "engine.labels.", "node.platform."];

    public static bool TryParse(string text, out Constraint? constraint, out string? error)
    {
        constraint = null;
        error = null;
        var equal = text.IndexOf("==", StringComparison.Ordinal);
        var notEqual = text.IndexOf("!=", StringComparison.Ordinal);
        if (equal < 0 && notEqual < 0)
        {
            error = $"'{text}' has no operator; write attribute == value or attribute != value";
            return false;
        }

        var isEqual = equal >= 0 && (notEqual < 0 || equal < notEqual);
        var at = isEqual ? equal : notEqual;
        var attribute = text[..at].Trim();
        var value = text[(at + 2)..].Trim();
        if (attribute.Length == 0 || value.Length == 0)
        {
            error = $"'{text}' needs an attribute and a value on both sides of the operator";
            return false;
        }

        var known = attribute is "node.id" or "node.hostname" or "node.role" or "node.platform.os" or "node.platform.arch" ||
                    (Prefixes.Any(p => attribute.StartsWith(p, StringComparison.Ordinal) && attribute.Length > p.Length) && !attribute.StartsWith("node.platform.", StringComparison.Ordinal));
        if (!known)
        {
            error = $"'{attribute}' is not a constraint attribute; use node.id, node.hostname, node.role, node.platform.os, node.platform.arch, node.labels.<name> or engine.labels.<name>";
            return false;
        }

        if (attribute == "node.role" && value is not ("manager" or "worker"))
        {
            error = $"node.role is 'manager' or 'worker', not '{value}'";
            return false;
        }

        constraint = new Constraint(attribute, isEqual, value);
        return true;
    }

    /// <summary>True when the constraint keeps tasks off managers.</summary>
    public bool ExcludesManagers => Attribute == "node.role" && ((Equal && Value == "worker") || (!Equal && Value == "manager"));

    /// <summary>True when the constraint pins tasks with a node label, a hostname or a node id.</summary>
    public bool IsPin => Equal && (Attribute.StartsWith("node.labels.", StringComparison.Ordinal) || Attribute is "node.hostname" or "node.id");

    /// <summary>
    /// Whether <paramref name="node"/> satisfies the constraint, or null when the file cannot tell
    /// (engine labels, platform and node ids are only known on a live cluster).
    /// </summary>
    public bool? Matches(NodeSpec node)
    {
        string? actual;
        if (Attribute == "node.role")
        {
            actual = node.Role == NodeRole.Manager ? "manager" : "worker";
        }
        else if (Attribute == "node.hostname")
        {
            actual = node.Name;
        }
        else if (Attribute.StartsWith("node.labels.", StringComparison.Ordinal))
        {
            actual = node.Labels.TryGetValue(Attribute["node.labels.".Length..], out var label) ? label : null;
        }
        else
        {
            return null;
        }

        // Swarm compares values case-insensitively, and a missing label never equals anything.
        var same = actual is not null && string.Equals(actual, Value, StringComparison.OrdinalIgnoreCase);
        return Equal ? same : !same;
    }

    public override string ToString() => $"{Attribute} {(Equal ? "==" : "!=")} {Value}";
}

/// <summary>A service's constraint set, evaluated over the file's nodes.</summary>
public static class Eligibility
{
    /// <summary>Parses every constraint; those that do not parse are left out (PLC-004 reports them).</summary>
    public static List<Constraint> Parse(IEnumerable<string> constraints)
    {
        var parsed = new List<Constraint>();
        foreach (var text in constraints)
        {
            if (Constraint.TryParse(text, out var constraint, out _))
            {
                parsed.Add(constraint!);
            }
        }

        return parsed;
    }

    /// <summary>The nodes that satisfy all constraints and accept tasks (availability active). Unknowable constraints count as satisfied.</summary>
    public static List<NodeSpec> EligibleNodes(IEnumerable<NodeSpec> nodes, IReadOnlyList<Constraint> constraints)
    {
        var eligible = new List<NodeSpec>();
        foreach (var node in nodes)
        {
            if (node.Availability == NodeAvailability.Active && Satisfies(node, constraints))
            {
                eligible.Add(node);
            }
        }

        return eligible;
    }

    /// <summary>Whether the node satisfies every constraint; one the file cannot decide counts as satisfied.</summary>
    public static bool Satisfies(NodeSpec node, IReadOnlyList<Constraint> constraints)
    {
        for (var i = 0; i < constraints.Count; i++)
        {
            if (constraints[i].Matches(node) == false)
            {
                return false;
            }
        }

        return true;
    }
}
