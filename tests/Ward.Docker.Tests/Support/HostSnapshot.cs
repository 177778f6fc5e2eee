namespace Ward.Docker.Tests.Support;

/// <summary>
/// What a local cluster can leave on the host, as sorted lines: network links, network namespaces, iptables rules,
/// mount points, processes naming the cluster's folders, and the folders themselves. Two snapshots are compared
/// line by line to prove that bringing a cluster up and down leaves the host as it was.
/// </summary>
internal static class HostSnapshot
{
    /// <param name="folders">The cluster's own folders (state and run): processes naming them and their existence are recorded.</param>
    /// <param name="foreignFolders">Folders of other clusters, busy meanwhile: mounts below them are left out of the snapshot.</param>
    public static async Task<SortedSet<string>> TakeAsync(IReadOnlyList<string> folders, IReadOnlyList<string> foreignFolders)
    {
        var lines = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in Lines(await Processes.RequireAsync("ip", "-o", "link", "show")))
        {
            // "12: wv0-ward0@if2: <...>": the name, without the peer index.
            var name = line.Split(':', 3)[1].Trim().Split('@')[0];
            lines.Add($"link {name}");
        }

        foreach (var line in Lines(await Processes.RequireAsync("ip", "netns", "list")))
        {
            lines.Add($"netns {line.Split(' ')[0]}");
        }

        foreach (var table in new[] { "filter", "nat" })
        {
            foreach (var line in Lines(await Processes.RequireAsync("iptables", "-t", table, "-S")))
            {
                lines.Add($"iptables {table} {line}");
            }
        }

        foreach (var line in await File.ReadAllLinesAsync("/proc/mounts"))
        {
            var point = line.Split(' ')[1].Replace("\\040", " ", StringComparison.Ordinal);
            if (!foreignFolders.Any(f => point == f || point.StartsWith(f + "/", StringComparison.Ordinal)))
            {
                lines.Add($"mount {point}");
            }
        }

        foreach (var process in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            string commandLine;
            try
            {
                commandLine = (await File.ReadAllTextAsync(Path.Combine(process, "cmdline"))).Replace('\0', ' ').Trim();
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            if (folders.Any(f => commandLine.Contains(f, StringComparison.Ordinal)))
            {
                lines.Add($"process {Path.GetFileName(process)} {commandLine}");
            }
        }

        foreach (var folder in folders.Where(Directory.Exists))
        {
            lines.Add($"folder {folder}");
        }

        return lines;
    }

    /// <summary>The lines only one of the snapshots has, marked - (before only) and + (after only).</summary>
    public static List<string> Difference(SortedSet<string> before, SortedSet<string> after) =>
        [.. before.Except(after).Select(l => "- " + l), .. after.Except(before).Select(l => "+ " + l)];

    /// <summary>Lines of a snapshot that belong to a cluster: its bridge, namespaces, veths, rules, mounts, processes and folders.</summary>
    public static List<string> Belonging(SortedSet<string> snapshot, string bridge, IReadOnlyList<string> folders) =>
        [.. snapshot.Where(l => l.Contains(bridge, StringComparison.Ordinal) || folders.Any(f => l.Contains(f, StringComparison.Ordinal)))];

    private static IEnumerable<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
