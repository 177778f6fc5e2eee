using System.Globalization;
using Ward.Model.Compose;
using Ward.Model.Placement.Capacity;
using Ward.Model.Placement.Simulation;

namespace Ward.Cli;

/// <summary>Shows a capacity report for people: a bar per node for CPU and memory, the tasks there, what waits and why.</summary>
internal static class CapacityPrinter
{
    private const int BarWidth = 20;

    public static void Text(TextWriter output, string environment, CapacityReport report, bool color)
    {
        var shown = report.Shown;
        var whatIf = report.WhatIf.IsEmpty ? "" : $", {report.WhatIf.Describe()}";
        output.WriteLine($"Capacity of {environment} on {report.Cluster.Source}{whatIf}:");
        var rows = shown.Nodes.Select(Cells).ToList();
        rows.Insert(0, ["node", "role", "size", "CPU reserved", "", "memory reserved", "", "tasks"]);
        var widths = Enumerable.Range(0, 7).Select(c => rows.Max(r => r[c].Length)).ToArray();
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            var node = r == 0 ? null : shown.Nodes[r - 1];
            var line = new System.Text.StringBuilder("  ");
            for (var c = 0; c < 7; c++)
            {
                var cell = row[c].PadRight(widths[c]);
                line.Append(node is { TakesTasks: true } && c is 3 or 5 ? Colour(cell, c == 3 ? node.CpuShare : node.MemoryShare, color) : cell).Append("  ");
            }

            output.WriteLine(line.Append(row[7]).ToString().TrimEnd());
        }

        output.WriteLine();
        if (report.Pending.Count == 0)
        {
            output.WriteLine(Paint($"Every task finds a node: {shown.Services.Sum(s => s.Placed)} tasks of {shown.Services.Count} services.", "\e[32m", color));
        }
        else
        {
            output.WriteLine(Paint($"{shown.PendingTasks} task{(shown.PendingTasks == 1 ? "" : "s")} would stay pending:", "\e[31m", color));
            foreach (var pending in report.Pending)
            {
                output.WriteLine($"  {pending.Service}: {pending.Pending} of {pending.Desired}: {pending.Reason}");
            }
        }

        if (report.NoLongerFits.Count > 0)
        {
            output.WriteLine($"No longer fits {report.WhatIf.Describe()}: {string.Join(", ", report.NoLongerFits.Select(s => $"{s.Service} ({s.Pending - s.PendingBefore} more pending)"))}.");
        }

        var share = report.ManagerShare;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Manager's share: {share.Tasks} of {share.AllTasks} tasks, {Percent(share.NanoCpus, share.AllNanoCpus)} of the reserved CPU, {Percent(share.MemoryBytes, share.AllMemoryBytes)} of the reserved memory."));
        if (share.Tasks > 0)
        {
            output.WriteLine(Paint("  The manager runs application tasks: when it runs out of resources, orchestration slows and services go down (PLC-001).", "\e[33m", color));
        }

        if (report.Fix is { } fix)
        {
            output.WriteLine(Paint(char.ToUpperInvariant(fix.Advice[0]) + fix.Advice[1..] + ".", fix.HasRemedy ? "\e[33m" : "\e[31m", color));
        }
    }

    /// <summary>A node's cells: name, role, size, CPU bar, CPU figures, memory bar, memory figures, tasks.</summary>
    private static string[] Cells(NodePlacement node)
    {
        var head = new[] { node.Node.Name, node.Node.IsManager ? "manager" : "worker", node.Node.Size ?? "?" };
        if (!node.TakesTasks)
        {
            var state = node.Node.Status == NodeStatus.Ready ? node.Node.Availability.ToString().ToLowerInvariant() : node.Node.Status.ToString().ToLowerInvariant();
            return [.. head, $"{state}: takes no tasks", "", "", "", node.OtherTasks > 0 ? $"{node.OtherTasks} of other stacks" : "-"];
        }

        var tasks = node.Tasks.OrderBy(t => t.Service, StringComparer.Ordinal).Select(t => t.Count == 1 ? t.Service : $"{t.Service} x{t.Count}").ToList();
        if (node.OtherTasks > 0)
        {
            tasks.Add($"{node.OtherTasks} of other stacks");
        }

        return
        [
            .. head,
            Bar(node.CpuShare),
            string.Create(CultureInfo.InvariantCulture, $"{node.CpuShare * 100,3:0}% {node.ReservedNanoCpus / 1e9:0.##} of {node.Node.NanoCpus / 1e9:0.##}"),
            Bar(node.MemoryShare),
            string.Create(CultureInfo.InvariantCulture, $"{node.MemoryShare * 100,3:0}% {ByteSize.Format(node.ReservedMemoryBytes)} of {ByteSize.Format(node.Node.MemoryBytes)}"),
            tasks.Count == 0 ? "-" : string.Join(", ", tasks),
        ];
    }

    /// <summary>[#######.............]: the reserved share of the node.</summary>
    private static string Bar(double share)
    {
        var filled = (int)Math.Round(Math.Clamp(share, 0, 1) * BarWidth);
        return "[" + new string('#', filled) + new string('.', BarWidth - filled) + "]";
    }

    // Coloured by how full the node is; the figures beside it say the same in words.
    private static string Colour(string bar, double share, bool color) =>
        Paint(bar, share > 0.9 ? "\e[31m" : share > 0.75 ? "\e[33m" : "\e[32m", color);

    private static string Percent(long part, long whole) => whole <= 0 ? "0%" : string.Create(CultureInfo.InvariantCulture, $"{(double)part / whole * 100:0}%");

    private static string Paint(string text, string code, bool color) => color ? code + text + "\e[0m" : text;
}
