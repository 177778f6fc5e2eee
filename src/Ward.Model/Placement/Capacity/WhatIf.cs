using System.Globalization;
using Ward.Model.Catalog;

namespace Ward.Model.Placement.Capacity;

/// <summary>Workers of one size to add: <c>large</c>, or <c>largex3</c> for three.</summary>
public sealed record AddedWorkers(NodeSize Size, int Count);

/// <summary>A service's replicas changed: <c>api=4</c>.</summary>
public sealed record Scaling(string Service, int Replicas);

/// <summary>
/// A what-if over the cluster: nodes lost (down or drained), workers added, services scaled. Workers and scaling change
/// the cluster that is deployed; the lost nodes then fail one after the other, and their tasks move as Swarm moves them.
/// </summary>
public sealed record WhatIf
{
    /// <summary>The most workers one what-if adds: enough for any team Ward serves, and a bound on the work.</summary>
    public const int MaxAddedWorkers = 100;

    public IReadOnlyList<string> Without { get; init; } = [];

    public IReadOnlyList<AddedWorkers> AddWorkers { get; init; } = [];

    public IReadOnlyList<Scaling> Scale { get; init; } = [];

    public bool IsEmpty => Without.Count == 0 && AddWorkers.Count == 0 && Scale.Count == 0;

    /// <summary>The what-if in words: "without worker-2, with 1 more large worker, api at 4 replicas".</summary>
    public string Describe()
    {
        var parts = new List<string>();
        parts.AddRange(Without.Select(n => $"without {n}"));
        parts.AddRange(AddWorkers.Select(w => $"with {w.Count} more {w.Size.Name} worker{(w.Count == 1 ? "" : "s")}"));
        parts.AddRange(Scale.Select(s => $"{s.Service} at {s.Replicas} replica{(s.Replicas == 1 ? "" : "s")}"));
        return parts.Count == 0 ? "as the file describes it" : string.Join(", ", parts);
    }

    /// <summary>
    /// Reads a what-if as the CLI's options and the API's query parameters give it (<c>without</c>: node names;
    /// <c>add-worker</c>: SIZE or SIZExN; <c>scale</c>: SERVICE=N). Every mistake is reported, naming the value and the
    /// choices; the what-if is null when there is one.
    /// </summary>
    public static (WhatIf? WhatIf, IReadOnlyList<WhatIfError> Errors) Parse(IEnumerable<string> without, IEnumerable<string> addWorker, IEnumerable<string> scale, EnvironmentCluster cluster)
    {
        var errors = new List<WhatIfError>();
        var lost = new List<string>();
        foreach (var node in without)
        {
            if (cluster.FindNode(node) is null)
            {
                errors.Add(new WhatIfError("without", node, $"there is no node named '{node}'; the nodes are {string.Join(", ", cluster.Nodes.Select(n => n.Name))}"));
            }
            else if (!lost.Contains(node))
            {
                lost.Add(node);
            }
        }

        var added = new List<AddedWorkers>();
        foreach (var text in addWorker)
        {
            if (ParseWorkers(text, cluster.Catalog, out var workers, out var error))
            {
                added.Add(workers!);
            }
            else
            {
                errors.Add(new WhatIfError("add-worker", text, error!));
            }
        }

        if (added.Sum(a => a.Count) > MaxAddedWorkers)
        {
            errors.Add(new WhatIfError("add-worker", string.Join(" ", addWorker), $"adds {added.Sum(a => a.Count)} workers; at most {MaxAddedWorkers} in one what-if"));
        }

        var scaled = new List<Scaling>();
        foreach (var text in scale)
        {
            if (ParseScaling(text, cluster, out var scaling, out var error))
            {
                scaled.RemoveAll(s => s.Service == scaling!.Service);
                scaled.Add(scaling!);
            }
            else
            {
                errors.Add(new WhatIfError("scale", text, error!));
            }
        }

        return errors.Count > 0 ? (null, errors) : (new WhatIf { Without = lost, AddWorkers = added, Scale = scaled }, errors);
    }

    private static bool ParseWorkers(string text, SizeCatalog catalog, out AddedWorkers? workers, out string? error)
    {
        workers = null;
        error = null;
        var sizes = catalog.SizeNames;
        var name = text.Trim();
        var count = 1;
        if (catalog.FindSize(name) is null)
        {
            // SIZExN: the count follows the last 'x' (x-large has an x of its own).
            var at = name.LastIndexOf('x');
            if (at > 0 && at < name.Length - 1 && name[(at + 1)..].All(char.IsAsciiDigit))
            {
                if (!int.TryParse(name[(at + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxAddedWorkers)
                {
                    error = $"asks for {name[(at + 1)..]} workers; give a count from 1 to {MaxAddedWorkers} (SIZE or SIZExN, e.g. largex2)";
                    return false;
                }

                name = name[..at];
            }
        }

        if (catalog.FindSize(name) is not { } size)
        {
            error = name.Length == 0
                ? $"names no size; write SIZE or SIZExN with a size from the catalog: {sizes}"
                : $"'{name}' is not a node size; the sizes are {sizes} (SIZE or SIZExN, e.g. largex2)";
            return false;
        }

        workers = new AddedWorkers(size, count);
        return true;
    }

    private static bool ParseScaling(string text, EnvironmentCluster cluster, out Scaling? scaling, out string? error)
    {
        scaling = null;
        error = null;
        var services = string.Join(", ", cluster.Services.Select(s => s.Name));
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            error = $"needs a replica count: SERVICE=N, e.g. {cluster.Services.FirstOrDefault()?.Name ?? "web"}=3";
            return false;
        }

        var name = text[..equals].Trim();
        var count = text[(equals + 1)..].Trim();
        if (cluster.FindService(name) is not { } service)
        {
            error = $"there is no service named '{name}'; the services are {services}";
            return false;
        }

        if (service.IsGlobal)
        {
            error = $"{name} is a global service (one task on every eligible node); only replicated services scale";
            return false;
        }

        if (!long.TryParse(count, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var replicas))
        {
            error = $"'{count}' is not a replica count; give a whole number from 0 up";
            return false;
        }

        if (replicas is < 0 or > 100_000)
        {
            error = replicas < 0 ? $"{replicas} replicas: a replica count is 0 or more" : $"{replicas} replicas: at most 100000 in a what-if";
            return false;
        }

        scaling = new Scaling(name, (int)replicas);
        return true;
    }
}

/// <summary>A what-if value that cannot be used: which parameter (without, add-worker, scale), the value, and why.</summary>
public sealed record WhatIfError(string Parameter, string Value, string Message)
{
    public override string ToString() => $"{Parameter} {Value}: {Message}";
}
