using System.Diagnostics;
using System.Text.RegularExpressions;
using Ward.Server.Api;
using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>
/// docs/api.md as a reader uses it: its curl examples run, in order, against a server (over a fake swarm) and answer
/// what the page says; and it lists every problem code the server has.
/// </summary>
public sealed partial class ApiDocumentationTests
{
    private static readonly string Page = Repository.PathOf("docs", "api.md");

    [Fact]
    public async Task The_curl_examples_run_and_answer_as_the_page_says()
    {
        var blocks = BashBlock().Matches(await File.ReadAllTextAsync(Page, TestContext.Current.CancellationToken)).Select(m => m.Groups[1].Value).ToList();
        Assert.True(blocks.Count >= 4, $"only {blocks.Count} examples found");

        await using var host = await WardHost.StartAsync(new HostOptions { Engine = new FakeSwarm() });
        var owner = await host.CreateOwnerAsync();
        var token = await WardHost.CreateTokenAsync(owner, "admin");
        var folder = Directory.CreateTempSubdirectory("ward-api-doc-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "environment.yaml"), Environments.File("shop"), TestContext.Current.CancellationToken);
            var start = new ProcessStartInfo("bash") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
            start.Environment["WARD"] = host.Url;
            start.Environment["WARD_TOKEN"] = token;
            using var bash = Process.Start(start)!;
            var stdout = bash.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = bash.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);

            // Each example in a subshell of its own, as a reader pastes it, stopping at the first that fails.
            await bash.StandardInput.WriteAsync(string.Join('\n', blocks.Select((b, i) => $"echo '## example {i + 1}'\n(set -euo pipefail\n{b}) || exit 1\n")));
            bash.StandardInput.Close();
            await bash.WaitForExitAsync(TestContext.Current.CancellationToken);
            var output = await stdout;
            Assert.True(bash.ExitCode == 0, $"an example failed (exit {bash.ExitCode}):\n{output}\n{await stderr}");

            string[] expected =
            [
                "\"status\":\"ok\"",                   // health
                "\"signedIn\": true",                  // the token is a caller
                "environment_not_found",               // the error's code
                "\"name\": \"shop\"",                  // registered
                "\"hasChanges\": true",                // planned
                "event: result",                       // the operation's events, to the end
                "\"state\": \"failed\"",               // the fake swarm runs no task: the apply ends, failed
                "apply-started,environment shop",      // the audit log
                "[]\n",                                // shop declares no databases
                "database_not_found",                  // a restore of one it does not declare
            ];
            foreach (var text in expected)
            {
                Assert.True(output.Contains(text, StringComparison.Ordinal), $"the examples' output lacks {text}:\n{output}");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_page_lists_every_problem_code()
    {
        var page = await File.ReadAllTextAsync(Page, TestContext.Current.CancellationToken);
        var missing = ProblemCodes.All.Where(code => !page.Contains($"`{code}`", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"docs/api.md does not list: {string.Join(", ", missing)}");
    }

    [GeneratedRegex("```bash\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();
}
