using System.CommandLine;
using System.Text.Json;
using Ward.Engine.Placement;
using Ward.Model.Placement.Capacity;

namespace Ward.Cli.Commands;

/// <summary>
/// <c>ward plan --capacity FILE</c>: where every task of the file would land (per node its size and reservations, the
/// manager's share, pending tasks and why), with what-ifs (<c>--without NODE</c>, <c>--add-worker SIZE[xN]</c>,
/// <c>--scale SERVICE=N</c>) and the smallest change that makes it fit. Exit 0: everything fits; 1: tasks stay
/// pending; 2: the file or a what-if cannot be used. The core (Ward.Model.Placement) does the work.
/// </summary>
internal sealed class CapacityCommand
{
    private readonly Option<bool> _capacity = new("--capacity")
    {
        Description = "Instead of the changes, show where every task would land: per node its reservations against its size, the manager's share, pending tasks and why. Exit 0: everything fits; 1: tasks stay pending; 2: bad input.",
    };

    private readonly Option<string[]> _without = new("--without")
    {
        Description = "With --capacity: lose this node (down or drained) and see where its tasks go. Repeatable.",
        HelpName = "NODE",
    };

    private readonly Option<string[]> _addWorker = new("--add-worker")
    {
        Description = "With --capacity: add workers of a catalog size, e.g. large or largex2. Repeatable.",
        HelpName = "SIZE[xN]",
    };

    private readonly Option<string[]> _scale = new("--scale")
    {
        Description = "With --capacity: run a replicated service at N replicas, e.g. api=4. Repeatable.",
        HelpName = "SERVICE=N",
    };

    private readonly Option<bool> _live = new("--live")
    {
        Description = "With --capacity: place on the swarm's nodes (see --host) with the resources they report and the tasks other stacks run there, instead of x-ward.nodes.",
    };

    /// <summary>Adds the options to <c>ward plan</c>.</summary>
    public static CapacityCommand AddTo(Command plan)
    {
        var capacity = new CapacityCommand();
        plan.Add(capacity._capacity);
        plan.Add(capacity._without);
        plan.Add(capacity._addWorker);
        plan.Add(capacity._scale);
        plan.Add(capacity._live);
        return capacity;
    }

    /// <summary>Whether the command line asks for capacity (or a what-if, which only capacity answers).</summary>
    public bool Handles(ParseResult parse) =>
        parse.GetValue(_capacity) || WhatIfGiven(parse) || parse.GetValue(_live);

    public async Task<int> RunAsync(ParseResult parse, string file, string format, string? host, string? envFile, string? catalogFile, CancellationToken token)
    {
        if (!parse.GetValue(_capacity))
        {
            Console.Error.WriteLine("ward plan: --without, --add-worker, --scale and --live are what-ifs of --capacity; add --capacity");
            return ExitCodes.Usage;
        }

        if (EnvironmentInput.LoadOrExplain(file, envFile, catalogFile) is not { } environment)
        {
            return ExitCodes.InvalidInput;
        }

        var (spec, catalog) = (environment.Spec, environment.Catalog);

        if (!parse.GetValue(_live))
        {
            if (EnvironmentCluster.FromFile(spec, catalog) is not { } cluster)
            {
                Console.Error.WriteLine($"ward plan: {file} describes no nodes (x-ward.nodes): give the cluster's nodes and sizes there, or place on the swarm's nodes with --live");
                return ExitCodes.InvalidInput;
            }

            return Answer(parse, spec.Name, cluster, format);
        }

        using var target = EngineTarget.Resolve(host);
        return Answer(parse, spec.Name, await LiveCluster.ReadAsync(target.Engine, spec, catalog, $"the swarm at {target.Description}", token), format);
    }

    private int Answer(ParseResult parse, string environment, EnvironmentCluster cluster, string format)
    {
        var (whatIf, errors) = WhatIf.Parse(parse.GetValue(_without) ?? [], parse.GetValue(_addWorker) ?? [], parse.GetValue(_scale) ?? [], cluster);
        if (whatIf is null)
        {
            foreach (var error in errors)
            {
                Console.Error.WriteLine($"ward plan: --{error.Parameter} {error.Value}: {error.Message}");
            }

            return ExitCodes.InvalidInput;
        }

        var report = CapacityPlanner.Plan(cluster, whatIf);
        if (format == "json")
        {
            using var stdout = Console.OpenStandardOutput();
            JsonSerializer.Serialize(stdout, CapacityDocument.Of(environment, report), CapacityJson.Options);
            stdout.WriteByte((byte)'\n');
        }
        else
        {
            CapacityPrinter.Text(Console.Out, environment, report, Terminal.UseColor("auto"));
        }

        return report.Fits ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private bool WhatIfGiven(ParseResult parse) =>
        parse.GetValue(_without) is { Length: > 0 } || parse.GetValue(_addWorker) is { Length: > 0 } || parse.GetValue(_scale) is { Length: > 0 };
}

/// <summary>The JSON form of capacity documents: camelCase, indented, as the API's.</summary>
internal static class CapacityJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerOptions.Web) { WriteIndented = true };
}
