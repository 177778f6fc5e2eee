using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ward.Docker.Tests.Differential;

/// <summary>
/// One generated stack file with what it needs around it: side files (env files, secret and config contents), the
/// variables of the process that deploys it, and whether HOME is set. The YAML holds placeholders for what must differ
/// between cases deployed side by side: «C» (the case number, in names), «N» (the case number modulo 250, in subnets:
/// two cases creating overlay networks on one subnet at once confuse the engine) and «Pn» (published port n of the case).
/// </summary>
internal sealed partial record StackCase(string Yaml, IReadOnlyDictionary<string, string> Files, IReadOnlyDictionary<string, string> Variables, bool HomeSet)
{
    /// <summary>HOME when a case sets it: the ~ of a bind source then expands to it.</summary>
    public const string Home = "/home/differential";

    /// <summary>Ports a case may publish, from its own block of the range.</summary>
    public const int PortsPerCase = 40;

    private const string CaseFile = "case.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The environment Ward deploys the file as (x-ward.environment.name), and the stack name the CLI is given.</summary>
    public static (string Ward, string Cli) StackNames(int caseNumber) => ($"dw-{caseNumber}", $"dc-{caseNumber}");

    /// <summary>The stack file of case <paramref name="caseNumber"/>: placeholders filled in.</summary>
    public string Render(int caseNumber)
    {
        var portBase = 20000 + (caseNumber % 1000 * PortsPerCase);
        var text = Yaml.Replace("«C»", caseNumber.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("«N»", (caseNumber % 250).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        return Port().Replace(text, m => (portBase + int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The deploying process's environment: PATH, HOME when set, and the case's variables.</summary>
    public Dictionary<string, string> ProcessEnvironment()
    {
        var environment = new Dictionary<string, string>(Variables, StringComparer.Ordinal) { ["PATH"] = "/usr/local/bin:/usr/bin:/bin" };
        if (HomeSet)
        {
            environment["HOME"] = Home;
        }

        return environment;
    }

    /// <summary>Writes the rendered file (stack.yaml) and its side files into <paramref name="folder"/>; returns the file's path.</summary>
    public string WriteTo(string folder, int caseNumber)
    {
        Directory.CreateDirectory(folder);
        foreach (var (name, content) in Files)
        {
            File.WriteAllText(Path.Combine(folder, name), content);
        }

        var path = Path.Combine(folder, "stack.yaml");
        File.WriteAllText(path, Render(caseNumber));
        return path;
    }

    /// <summary>
    /// Keeps the case as a regression: a folder with the template (stack.yaml, placeholders and all), its side files
    /// and case.json (variables, HOME), which <see cref="Load"/> reads back.
    /// </summary>
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var (name, content) in Files)
        {
            File.WriteAllText(Path.Combine(folder, name), content);
        }

        File.WriteAllText(Path.Combine(folder, "stack.yaml"), Yaml);
        File.WriteAllText(Path.Combine(folder, CaseFile), JsonSerializer.Serialize(new CaseSettings(HomeSet, new SortedDictionary<string, string>(Variables.ToDictionary(), StringComparer.Ordinal)), Indented) + "\n");
    }

    public static StackCase Load(string folder)
    {
        var settings = JsonSerializer.Deserialize<CaseSettings>(File.ReadAllText(Path.Combine(folder, CaseFile)))!;
        var files = Directory.EnumerateFiles(folder)
            .Where(f => Path.GetFileName(f) is not ("stack.yaml" or CaseFile))
            .ToDictionary(f => Path.GetFileName(f), File.ReadAllText, StringComparer.Ordinal);
        return new StackCase(File.ReadAllText(Path.Combine(folder, "stack.yaml")), files, settings.Variables, settings.Home);
    }

    private sealed record CaseSettings(bool Home, SortedDictionary<string, string> Variables);

    [GeneratedRegex("«P([0-9]+)»")]
    private static partial Regex Port();
}
