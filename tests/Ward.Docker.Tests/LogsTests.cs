using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ward.Docker.Tests.Support;

namespace Ward.Docker.Tests;

/// <summary>
/// <c>ward logs</c> on the real swarm: every task on every node named on each line, in time order, filtered, followed,
/// and never showing the value of a secret an application prints.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed partial class LogsTests(TestCluster cluster)
{
    private const string Secret = "sk-live-7f3a9c2e41";

    // Each task prints its secret's value on stdout (as a careless application would) and a counter on stderr.
    private const string Yaml = """
        version: "3.9"
        x-ward:
          environment: { name: logs, kind: staging }
        services:
          talker:
            image: ward/busybox:1.0
            command: ["sh", "-c", "i=0; while true; do echo \"line $$i key=$$(cat /run/secrets/api_key) from $$(hostname)\"; echo \"stderr $$i\" >&2; i=$$((i+1)); sleep 0.2; done"]
            stop_grace_period: 1s
            secrets: [api_key]
            deploy:
              replicas: 2
              placement: { constraints: ["node.role == worker"], max_replicas_per_node: 1 }
          quiet:
            image: ward/busybox:1.0
            command: ["sh", "-c", "echo quiet started; sleep 86400"]
            stop_grace_period: 1s
            deploy:
              placement: { constraints: ["node.role == worker"] }
        secrets:
          api_key: { file: ./api_key.txt }
        """;

    [Fact]
    public async Task Logs_name_each_task_and_node_mask_the_secret_filter_and_follow()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        var environment = EnvironmentFile.Write("logs", Yaml, new Dictionary<string, string> { ["api_key.txt"] = Secret + "\n" });
        try
        {
            var apply = await WardCli.ApplyAsync(environment.Path);
            Assert.True(apply.ExitCode == 0, apply.ToString());

            // Once the talkers have written more than 200 lines, the history shows the newest 200, each task on its own worker.
            ProcessResult history = null!;
            await Poll.RequireAsync("200 lines of both talkers", async () =>
            {
                history = await Logs(environment.Path, "--tail", "200");
                return history.ExitCode == 0 && history.Stdout.Count(c => c == '\n') == 200 && history.Stdout.Contains("talker.1@", StringComparison.Ordinal) && history.Stdout.Contains("talker.2@", StringComparison.Ordinal);
            }, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1));

            var lines = history.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(200, lines.Length);
            Assert.DoesNotContain(Secret, history.Stdout, StringComparison.Ordinal);
            Assert.Contains(lines, l => l.Contains("key=[secret api_key] from", StringComparison.Ordinal));
            Assert.Contains(lines, l => StderrLine().IsMatch(l));
            var nodes = lines.Where(l => l.Contains(" talker.", StringComparison.Ordinal)).Select(l => TaskAndNode().Match(l).Groups["node"].Value).ToHashSet();
            Assert.Equal(["worker-1", "worker-2"], nodes.Order(StringComparer.Ordinal));
            var times = lines.Select(l => DateTimeOffset.Parse(l[..24], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(times.Order(), times);

            // One service, filtered, as JSON.
            var quiet = await Logs(environment.Path, "quiet", "--format", "json");
            Assert.True(quiet.ExitCode == 0, quiet.ToString());
            var entry = JsonNode.Parse(quiet.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single())!;
            Assert.Equal(("quiet", "quiet.1", "quiet started", "stdout"), (entry["service"]!.GetValue<string>(), entry["task"]!.GetValue<string>(), entry["message"]!.GetValue<string>(), entry["stream"]!.GetValue<string>()));
            Assert.StartsWith("worker-", entry["node"]!.GetValue<string>(), StringComparison.Ordinal);
            var grep = await Logs(environment.Path, "--grep", "STDERR 1", "--tail", "1000");
            Assert.True(grep.ExitCode == 0, grep.ToString());
            Assert.NotEmpty(grep.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.All(grep.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.Contains("stderr 1", l, StringComparison.Ordinal));

            // Following prints lines written after it started, still masked.
            var started = DateTimeOffset.UtcNow;
            using var follow = WardCli.Start(["logs", environment.Path, "talker", "--follow", "--tail", "0", "--host", TestCluster.ManagerHost]);
            Assert.True(
                await follow.WaitForOutputAsync(l => l.Contains("key=[secret api_key]", StringComparison.Ordinal) && l.Length > 24 && DateTimeOffset.Parse(l[..24], System.Globalization.CultureInfo.InvariantCulture) > started, TimeSpan.FromSeconds(30), token),
                follow.Output);
            Assert.DoesNotContain(Secret, follow.Output, StringComparison.Ordinal);
            follow.Kill();

            // Given the name instead of the file, ward cannot know the value, and says so.
            var byName = await Logs("logs", "--tail", "5");
            Assert.Contains("secret values are masked when ward is given the environment's file", byName.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await Stacks.RemoveAsync(cluster.Manager, "logs", token);
        }
    }

    private static Task<ProcessResult> Logs(params string[] arguments) =>
        WardCli.RunAsync(["logs", .. arguments, "--host", TestCluster.ManagerHost], null);

    [GeneratedRegex(@" talker\.\d@worker-\d ! \| stderr \d+$")]
    private static partial Regex StderrLine();

    [GeneratedRegex(@" (?<task>\w+\.\d)@(?<node>[\w-]+)")]
    private static partial Regex TaskAndNode();
}
