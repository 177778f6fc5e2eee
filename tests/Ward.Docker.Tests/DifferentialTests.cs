using Ward.Docker.Tests.Differential;
using Ward.Docker.Tests.Support;

namespace Ward.Docker.Tests;

/// <summary>
/// Issue 15's differential test: generated stack files (CsCheck, over the compose format's service keys) deployed with
/// docker stack deploy and with Ward on the test swarm, and every field of every service, network, secret and config
/// compared. Where the CLI refuses a file Ward must refuse it too, before creating anything. A case that differs is
/// kept under Parity/generated/ (commit it), and every kept case is replayed as a regression. The bench
/// bench/Ward.Bench.Differential runs more cases.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DifferentialTests(TestCluster cluster)
{
    /// <summary>How many generated files the suite deploys (each with both tools).</summary>
    private const int Cases = 200;

    /// <summary>Cases deployed at once, each on its own names and ports.</summary>
    private const int Threads = 2;

    private static readonly string Kept = Repository.PathOf("tests", "Ward.Docker.Tests", "Parity", "generated");

    public static TheoryData<string> KeptCases()
    {
        var data = new TheoryData<string>();
        foreach (var folder in Directory.EnumerateDirectories(Kept).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(folder));
        }

        return data;
    }

    [Fact]
    public async Task Generated_stack_files_deploy_as_docker_stack_deploy_deploys_them()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        using var runner = new DifferentialRunner(TestCluster.ManagerSocket, DockerCli.Program, Scratch.Folder("differential"));
        await runner.PrepareAsync(token);

        var report = await runner.RunGeneratedAsync(Cases, Threads, firstNumber: 1000, keepIn: Kept, progress: null, token);

        TestContext.Current.TestOutputHelper?.WriteLine(report.Summary());
        Assert.Equal(Cases, report.Cases.Count);
        Assert.True(report.Differing.Count == 0, $"{report.Summary()}; kept under {Kept}:\n{string.Join("\n\n", report.Differing)}");

        // The generators must reach both outcomes, or the test checks less than it says.
        Assert.Contains(report.Cases, c => c.Ward.Deployed is not null && c.Cli.Deployed is not null);
        Assert.Contains(report.Cases, c => c.Ward.Refused is not null && c.Cli.Refused is not null);
    }

    [Theory]
    [MemberData(nameof(KeptCases))]
    public async Task A_kept_case_deploys_as_docker_stack_deploy_deploys_it(string name)
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        using var runner = new DifferentialRunner(TestCluster.ManagerSocket, DockerCli.Program, Scratch.Folder("differential-kept"));
        await runner.PrepareAsync(token);

        var outcome = await runner.RunAsync(StackCase.Load(Path.Combine(Kept, name)), 900, token);

        TestContext.Current.TestOutputHelper?.WriteLine(outcome.ToString());
        Assert.False(outcome.Differs, outcome.ToString());
    }
}
