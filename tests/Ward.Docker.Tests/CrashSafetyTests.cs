using System.Diagnostics;
using Ward.Docker.Tests.Support;

namespace Ward.Docker.Tests;

/// <summary>
/// ward apply killed at any moment (SIGKILL) is finished by running it again, and the swarm then holds exactly the
/// environment's objects; Ctrl-C stops it cleanly with exit 130; two applies of one environment never interleave.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CrashSafetyTests(TestCluster cluster)
{
    private const string Services = "api, web, worker";

    private static readonly string[] ServiceKeys = ["api", "web", "worker"];

    private static string Yaml(string name) => $$"""
        version: "3.9"
        x-ward:
          environment: { name: {{name}}, kind: staging }
        services:
          api:
            image: ward/busybox:1.0
            command: ["sleep", "86400"]
            stop_grace_period: 1s
            environment: { ROLE: api }
            networks: [front, back]
            secrets: [{ source: token, mode: 0400 }]
            configs: [{ source: settings, target: /etc/settings.conf }]
            deploy: { replicas: 2, update_config: { order: start-first } }
          web:
            image: ward/busybox:1.0
            command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
            stop_grace_period: 1s
            networks: [front]
            configs: [settings]
          worker:
            image: ward/busybox:1.0
            command: ["sleep", "86400"]
            stop_grace_period: 1s
            networks: [back]
            secrets: [token, password]
        networks:
          front: {}
          back: {}
        secrets:
          token: { file: ./token.txt }
          password: { file: ./password.txt }
        configs:
          settings: { file: ./settings.conf }
        """;

    private static Dictionary<string, string> Files(string version) => new()
    {
        ["token.txt"] = $"token-{version}",
        ["password.txt"] = "password-1",
        ["settings.conf"] = "level = info\n",
    };

    private static readonly string[] KillPoints = ["0.3 s", "0.8 s", "1.5 s", "3 s", "network created", "secret created", "service created", "converging"];

    [Fact]
    public async Task An_apply_killed_at_any_moment_is_finished_by_the_next_one_with_nothing_duplicated_or_orphaned()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        var rounds = KillPoints.Select((point, i) => (Point: point, Environment: EnvironmentFile.Write($"crash-{i + 1}", Yaml($"crash-{i + 1}"), Files("1")))).ToList();
        try
        {
            // Independent environments, so the killed applies run side by side.
            var killed = await Task.WhenAll(rounds.Select(r => KillAsync(r.Environment, r.Point)));
            var reruns = await Task.WhenAll(rounds.Select(r => WardCli.ApplyAsync(r.Environment.Path)));
            for (var i = 0; i < rounds.Count; i++)
            {
                var (point, environment) = rounds[i];
                var (pid, lockHolder, output) = killed[i];
                TestContext.Current.TestOutputHelper?.WriteLine($"killed at {point}: lock {(lockHolder ?? "not taken yet")}; output before the kill:\n{output}");
                Assert.True(reruns[i].ExitCode == 0, $"the apply after a kill at {point}: {reruns[i]}");
                if (lockHolder is not null)
                {
                    // The killed apply held the lock; the next one, on the same host, saw its process gone and took it over.
                    Assert.EndsWith($":{pid}", lockHolder, StringComparison.Ordinal);
                }

                await AssertExactlyAsync(environment, "1", $"after a kill at {point}");
            }

            Assert.Contains(killed, k => k.LockHolder is not null);
        }
        finally
        {
            await Task.WhenAll(rounds.Select(r => Stacks.RemoveAsync(cluster.Manager, r.Environment.Name, token)));
        }
    }

    [Fact]
    public async Task A_secret_rotation_killed_half_way_is_finished_by_the_next_apply_and_the_old_version_removed()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        var environment = EnvironmentFile.Write("crash-rotate", Yaml("crash-rotate"), Files("1"));
        try
        {
            var first = await WardCli.ApplyAsync(environment.Path);
            Assert.True(first.ExitCode == 0, first.ToString());
            foreach (var (version, point) in new[] { ("2", "secret created"), ("3", "service updated"), ("4", "converging") })
            {
                environment.Update(Yaml(environment.Name), Files(version));
                var (pid, holder, output) = await KillAsync(environment, point);
                Assert.True(holder is not null, $"the rotation to version {version} was killed ({point}) before it held the lock:\n{output}");
                Assert.EndsWith($":{pid}", holder, StringComparison.Ordinal);
                var rerun = await WardCli.ApplyAsync(environment.Path);
                Assert.True(rerun.ExitCode == 0, $"the apply after a kill at {point} (version {version}): {rerun}");
                await AssertExactlyAsync(environment, version, $"after a rotation to version {version} killed at {point}");
            }
        }
        finally
        {
            await Stacks.RemoveAsync(cluster.Manager, environment.Name, token);
        }
    }

    [Fact]
    public async Task Ctrl_C_during_an_apply_exits_130_says_to_run_it_again_and_the_next_apply_converges()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        var environment = EnvironmentFile.Write("crash-interrupt", Yaml("crash-interrupt"), Files("1"));
        try
        {
            using (var apply = WardCli.StartInterruptible(["apply", environment.Path, "--yes", "--host", TestCluster.ManagerHost]))
            {
                Assert.True(await apply.WaitForOutputAsync(l => l.Contains("✓ create service", StringComparison.Ordinal), TimeSpan.FromSeconds(60), token), apply.Output);
                apply.Interrupt();
                var interrupted = await apply.WaitAsync(TimeSpan.FromSeconds(30), token);
                Assert.True(interrupted.ExitCode == 130, $"Ctrl-C: {interrupted}");
                Assert.Contains("interrupted", interrupted.Stderr, StringComparison.Ordinal);
                Assert.Contains("run ward apply again to finish", interrupted.Stderr, StringComparison.Ordinal);
                WardCli.AssertNoStackTrace(interrupted);
            }

            // Ctrl-C lets the apply release its lock on the way out.
            Assert.Null(await EnvironmentState.LockAsync(cluster.Manager, environment.Name, token));
            var again = await WardCli.ApplyAsync(environment.Path);
            Assert.True(again.ExitCode == 0, again.ToString());
            await AssertExactlyAsync(environment, "1", "after Ctrl-C and a second apply");
        }
        finally
        {
            await Stacks.RemoveAsync(cluster.Manager, environment.Name, token);
        }
    }

    [Fact]
    public async Task Two_applies_of_one_environment_one_stops_with_75_naming_the_holder_or_with_lock_wait_both_succeed_in_turn()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        var environment = EnvironmentFile.Write("race", Yaml("race"), Files("1"));
        try
        {
            using (var one = WardCli.StartApply(environment.Path))
            using (var two = WardCli.StartApply(environment.Path))
            {
                var results = await Task.WhenAll(one.WaitAsync(TimeSpan.FromMinutes(3), token), two.WaitAsync(TimeSpan.FromMinutes(3), token));
                var codes = results.Select(r => r.ExitCode).Order().ToList();
                Assert.True(codes.SequenceEqual([0, 75]), $"exit codes {string.Join(", ", codes)}:\n{results[0]}\n{results[1]}");
                var (winner, loser, winnerPid) = results[0].ExitCode == 0 ? (results[0], results[1], one.Id) : (results[1], results[0], two.Id);
                Assert.Contains("another apply of race is running", loser.Stderr, StringComparison.Ordinal);
                Assert.Contains($":{winnerPid},", loser.Stderr, StringComparison.Ordinal);
                Assert.Contains("--lock-wait", loser.Stderr, StringComparison.Ordinal);
                WardCli.AssertNoStackTrace(loser);
                Assert.Contains("converged", winner.Stderr, StringComparison.Ordinal);
            }

            await AssertExactlyAsync(environment, "1", "after two applies at once");

            // With --lock-wait, the second waits for the first and then finishes the job (here: a new secret version).
            environment.Update(Yaml(environment.Name), Files("2"));
            using (var one = WardCli.StartApply(environment.Path, "--lock-wait", "5m"))
            using (var two = WardCli.StartApply(environment.Path, "--lock-wait", "5m"))
            {
                var clock = Stopwatch.StartNew();
                var results = await Task.WhenAll(one.WaitAsync(TimeSpan.FromMinutes(4), token), two.WaitAsync(TimeSpan.FromMinutes(4), token));
                Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
                Assert.Contains(results, r => r.Stderr.Contains("converged", StringComparison.Ordinal));
                TestContext.Current.TestOutputHelper?.WriteLine($"both applies with --lock-wait done in {clock.Elapsed.TotalSeconds:0.0} s");
            }

            await AssertExactlyAsync(environment, "2", "after two applies with --lock-wait");
        }
        finally
        {
            await Stacks.RemoveAsync(cluster.Manager, environment.Name, token);
        }
    }

    /// <summary>Starts an apply and SIGKILLs it at a moment: after a time, or when its output shows a step.</summary>
    private async Task<(int Pid, string? LockHolder, string Output)> KillAsync(EnvironmentFile environment, string point)
    {
        var token = TestContext.Current.CancellationToken;
        using var apply = WardCli.StartApply(environment.Path);
        var marker = point switch
        {
            "network created" => "✓ create network",
            "secret created" => "✓ create secret",
            "service created" => "✓ create service",
            "service updated" => "✓ update service",
            "converging" => " running  ",
            _ => null,
        };
        if (marker is null)
        {
            await Task.Delay(TimeSpan.FromSeconds(double.Parse(point.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)), token);
        }
        else
        {
            Assert.True(await apply.WaitForOutputAsync(l => l.Contains(marker, StringComparison.Ordinal), TimeSpan.FromSeconds(90), token), $"no '{marker}' in:\n{apply.Output}");
        }

        Assert.False(apply.HasExited, $"the apply ended before the kill at {point}:\n{apply.Output}");
        apply.Kill();
        await apply.WaitAsync(TimeSpan.FromSeconds(10), token);
        var held = await EnvironmentState.LockAsync(cluster.Manager, environment.Name, token);
        return (apply.Id, held?["Spec"]?["Labels"]?["ward.lock.holder"]?.GetValue<string>(), apply.Output);
    }

    /// <summary>
    /// The swarm holds exactly the environment's objects: the three services once each, its two networks, one version
    /// of each secret and config (the current content; no orphaned old version), every service converged, no lock
    /// left, and a plan with nothing to do.
    /// </summary>
    private async Task AssertExactlyAsync(EnvironmentFile environment, string version, string when)
    {
        var token = TestContext.Current.CancellationToken;
        var engine = cluster.Manager;
        var name = environment.Name;
        var files = Files(version);
        Assert.Equal([.. ServiceKeys.Select(k => $"{name}_{k}")], await EnvironmentState.NamesAsync(engine, "services", name, token));
        Assert.Equal([$"{name}_back", $"{name}_front"], await EnvironmentState.NamesAsync(engine, "networks", name, token));
        Assert.Equal(
            new[] { environment.VersionedName("password", files["password.txt"]), environment.VersionedName("token", files["token.txt"]) }.Order(StringComparer.Ordinal),
            await EnvironmentState.NamesAsync(engine, "secrets", name, token));
        Assert.Equal([environment.VersionedName("settings", files["settings.conf"])], await EnvironmentState.NamesAsync(engine, "configs", name, token));
        Assert.Null(await EnvironmentState.NotConvergedAsync(engine, name, token));
        Assert.Null(await EnvironmentState.LockAsync(engine, name, token));
        var plan = await WardCli.RunAsync("plan", environment.Path, "--host", TestCluster.ManagerHost);
        Assert.True(plan.ExitCode == 0, $"{when}, ward plan should have nothing to do ({Services}): {plan}");
    }
}
