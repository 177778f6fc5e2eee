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
        var width = Math.Max(4, shown.Nodes.Max(n => n.Node.Name.Length));
        var sizeWidth = Math.Max(4, shown.Nodes.Max(n => (n.Node.Size ?? "").Length));
        output.WriteLine($"  {"node".PadRight(width)}  {"role",-8} {"size".PadRight(sizeWidth)}  {"CPU reserved",-36} {"memory reserved",-46} tasks");
        foreach (var node in shown.Nodes)
        {
            output.WriteLine(NodeLine(node, width, sizeWidth, color));
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

    private static string NodeLine(NodePlacement node, int width, int sizeWidth, bool color)
    {
        var role = node.Node.IsManager ? "manager*" : "worker";
        var head = $"  {node.Node.Name.PadRight(width)}  {role,-8} {(node.Node.Size ?? "").PadRight(sizeWidth)}  ";
        if (!node.TakesTasks)
        {
            var why = node.Node.Status == NodeStatus.Ready ? node.Node.Availability.ToString().ToLowerInvariant() : "down";
            return head + Paint($"{why}: takes no tasks", "\e[90m", color);
        }

        var cpu = string.Create(CultureInfo.InvariantCulture, $"{Bar(node.CpuShare, color)} {node.CpuShare * 100,4:0}% {node.ReservedNanoCpus / 1e9:0.##} of {node.Node.NanoCpus / 1e9:0.##}");
        var memory = string.Create(CultureInfo.InvariantCulture, $"{Bar(node.MemoryShare, color)} {node.MemoryShare * 100,4:0}% {ByteSize.Format(node.ReservedMemoryBytes)} of {ByteSize.Format(node.Node.MemoryBytes)}");
        var tasks = node.Tasks.OrderBy(t => t.Service, StringComparer.Ordinal).Select(t => t.Count == 1 ? t.Service : $"{t.Service} x{t.Count}").ToList();
        if (node.OtherTasks > 0)
        {
            tasks.Add($"{node.OtherTasks} of other stacks");
        }

        return head + Pad(cpu, 36, color) + " " + Pad(memory, 46, color) + " " + (tasks.Count == 0 ? "-" : string.Join(", ", tasks));
    }

    /// <summary>[#######.............]: the reserved share of the node; coloured by how full it is.</summary>
    private static string Bar(double share, bool color)
    {
        var filled = (int)Math.Round(Math.Clamp(share, 0, 1) * BarWidth);
        var bar = new string('#', filled) + new string('.', BarWidth - filled);
        var paint = share > 0.9 ? "\e[31m" : share > 0.75 ? "\e[33m" : "\e[32m";
        return "[" + Paint(bar, paint, color) + "]";
    }

    // Padding counts what shows, not the colour codes.
    private static string Pad(string text, int width, bool color) => text + new string(' ', Math.Max(1, width - (color ? text.Length - 9 : text.Length)));

    private static string Percent(long part, long whole) => whole <= 0 ? "0%" : string.Create(CultureInfo.InvariantCulture, $"{(double)part / whole * 100:0}%");

    private static string Paint(string text, string code, bool color) => color ? code + text + "\e[0m" : text;
}
