using System.Text;
using System.Text.Json;
using Ward.Model.Diagnostics;
using Ward.Rules.Reports;

namespace Ward.Rules.Tests;

/// <summary>
/// The sample files: Samples/&lt;RULE-ID&gt;/pass*.yaml (no finding of the rule) and fail*.yaml (findings of the rule,
/// listed in fail*.expected.json). A folder may hold <c>live.json</c> (a fake cluster, see <see cref="FakeLiveFacts"/>),
/// <c>options.json</c> (rule options, camelCase as in <see cref="RuleOptions"/>) and the side files its samples name.
/// </summary>
internal static class Samples
{
    /// <summary>Set to 1 to rewrite every golden file from what the rules report now; review the diff by hand.</summary>
    public const string UpdateVariable = "WARD_UPDATE_GOLDEN";

    public static string Folder { get; } = Repository.Tests("Samples");

    public static string PathOf(string rule, string sample) => Path.Combine(Folder, rule, sample);

    /// <summary>Every sample as (rule, file name), passing and failing.</summary>
    public static IEnumerable<(string Rule, string File)> All() =>
        Directory.EnumerateDirectories(Folder)
            .Order(StringComparer.Ordinal)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.yaml")
                .Select(Path.GetFileName)
                .Where(f => f!.StartsWith("pass", StringComparison.Ordinal) || f.StartsWith("fail", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .Select(f => (Path.GetFileName(d), f!)));

    public static bool IsFailing(string file) => file.StartsWith("fail", StringComparison.Ordinal);

    public static string ExpectedPathOf(string rule, string file) => PathOf(rule, Path.GetFileNameWithoutExtension(file) + ".expected.json");

    /// <summary>Runs a sample as <c>ward check</c> would, with its folder's fake cluster and options.</summary>
    public static Outcome Check(string rule, string file)
    {
        var folder = Path.Combine(Folder, rule);
        var live = File.Exists(Path.Combine(folder, "live.json")) ? FakeLiveFacts.Load(Path.Combine(folder, "live.json")) : null;
        var options = File.Exists(Path.Combine(folder, "options.json"))
            ? JsonSerializer.Deserialize<RuleOptions>(File.ReadAllText(Path.Combine(folder, "options.json")), JsonSerializerOptions.Web)
            : null;
        return WardCheck.Run(PathOf(rule, file), live: live, options: options);
    }

    /// <summary>The findings of <paramref name="rule"/>, in a stable order.</summary>
    public static List<Finding> FindingsOf(Outcome outcome, string rule) =>
    [
        .. outcome.Result.Findings
            .Where(f => f.Rule == rule)
            .OrderBy(f => f.Location?.Line ?? 0)
            .ThenBy(f => f.Location?.Column ?? 0)
            .ThenBy(f => f.Path, StringComparer.Ordinal)
            .ThenByDescending(f => f.Severity),
    ];

    /// <summary>The golden form: one {rule, severity, path, line, column} per line, so a diff shows one finding per line.</summary>
    public static string Golden(IEnumerable<Finding> findings)
    {
        var lines = findings.Select(f => JsonSerializer.Serialize(
            new GoldenFinding(f.Rule, ReportInput.SeverityWord(f.Severity), f.Path, f.Location?.Line, f.Location?.Column),
            JsonSerializerOptions.Web)).ToList();
        var text = new StringBuilder("[\n");
        for (var i = 0; i < lines.Count; i++)
        {
            text.Append("  ").Append(lines[i]).Append(i < lines.Count - 1 ? ",\n" : "\n");
        }

        return text.Append("]\n").ToString();
    }

    private sealed record GoldenFinding(string Rule, string Severity, string Path, int? Line, int? Column);

    public static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    public static Severity ParseSeverity(string word) => word switch
    {
        "error" => Severity.Error,
        "warning" => Severity.Warning,
        _ => Severity.Info,
    };
}
