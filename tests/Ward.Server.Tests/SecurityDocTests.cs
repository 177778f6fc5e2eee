using System.Reflection;
using System.Text.RegularExpressions;

namespace Ward.Server.Tests;

/// <summary>
/// docs/security.md is the threat model, each line proved by a test it names: every name must be a test that exists
/// (a method of this project's test classes, or of the browser tests), and every line of its tables must name one.
/// </summary>
public sealed partial class SecurityDocTests
{
    [Fact]
    public void Every_line_of_the_threat_model_names_a_test_that_exists()
    {
        var document = File.ReadAllLines(Repository.PathOf("docs", "security.md"));
        var problems = new List<string>();
        var named = 0;
        foreach (var line in document)
        {
            var names = TestName().Matches(line).Select(m => (Class: m.Groups["class"].Value, Method: m.Groups["method"].Value)).ToList();
            var isRow = line.StartsWith("| can", StringComparison.Ordinal) || line.StartsWith("| cannot", StringComparison.Ordinal) || line.StartsWith("| with", StringComparison.Ordinal);
            if (isRow && names.Count == 0)
            {
                problems.Add($"a line proved by no test: {line}");
            }

            foreach (var (type, method) in names)
            {
                named++;
                if (!Exists(type, method))
                {
                    problems.Add($"{type}.{method} is not a test");
                }
            }
        }

        Assert.True(named >= 40, $"only {named} tests are named");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static bool Exists(string type, string method)
    {
        var local = typeof(SecurityDocTests).Assembly.GetTypes().FirstOrDefault(t => t.Name == type);
        if (local is not null)
        {
            return local.GetMethod(method, BindingFlags.Public | BindingFlags.Instance)?.GetCustomAttributes().Any(a => a is FactAttribute) == true;
        }

        var browser = Repository.PathOf("tests", "Ward.EndToEnd.Tests", type + ".cs");
        return File.Exists(browser) && File.ReadAllText(browser).Contains($"public async Task {method}(", StringComparison.Ordinal);
    }

    [GeneratedRegex("`(?<class>[A-Z][A-Za-z]+Tests)\\.(?<method>[A-Z][A-Za-z0-9_]+)`")]
    private static partial Regex TestName();
}
