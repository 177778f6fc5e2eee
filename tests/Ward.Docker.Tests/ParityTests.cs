using Ward.Docker.Tests.Support;

namespace Ward.Docker.Tests;

/// <summary>
/// "For any file that both accept, the services, networks, secrets and configs that Ward creates are those the CLI
/// creates." Each stack file under Parity/ is deployed with ward apply (environment ward-pN, named in its x-ward)
/// and with docker stack deploy (stack cli-pN), one after the other so explicit names and host ports never clash,
/// and every object is compared field by field after normalising as engine-api-notes.md B9 says.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ParityTests(TestCluster cluster)
{
    public static TheoryData<string> Files =>
    [
        "p1-env-command", "p2-ports", "p3-volumes", "p4-secrets-configs", "p5-networks", "p6-health-restart-update", "p7-resources-placement", "p8-runtime",
    ];

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Ward_creates_the_objects_docker_stack_deploy_creates(string name)
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        var file = Repository.PathOf("tests", "Ward.Docker.Tests", "Parity", name + ".yaml");
        var id = name.Split('-')[0];
        var (wardStack, cliStack) = ($"ward-{id}", $"cli-{id}");
        await Stacks.RemoveAsync(cluster.Manager, wardStack, token);
        await Stacks.RemoveAsync(cluster.Manager, cliStack, token);
        try
        {
            var apply = await WardCli.ApplyAsync(file);
            Assert.True(apply.ExitCode == 0, $"ward apply {name}: {apply}");
            var ward = await StackSnapshot.ReadAsync(cluster.Manager, wardStack, ward: true, token);
            var destroy = await WardCli.DestroyAsync(wardStack);
            Assert.True(destroy.ExitCode == 0, $"ward destroy {wardStack}: {destroy}");
            await Stacks.WaitGoneAsync(cluster.Manager, wardStack, TimeSpan.FromSeconds(30), token);

            // docker stack deploy (API 1.41: CheckDuplicate) refuses a network name the manager's engine still lists:
            // a network with an explicit name waits until Ward's removed one has let go of its last task there.
            await Poll.RequireAsync(
                "the explicitly named networks Ward removed gone from the manager",
                async () => !(await cluster.Manager.ListStackAsync("networks", wardStack, token, leftovers: true)).Any(n => !n["Name"]!.GetValue<string>().StartsWith(wardStack + "_", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(30));

            var deploy = await DockerCli.RunAsync("stack", "deploy", "--resolve-image", "never", "-c", file, cliStack);
            Assert.True(deploy.ExitCode == 0, $"docker stack deploy {name}: {deploy}");
            var cli = await StackSnapshot.ReadAsync(cluster.Manager, cliStack, ward: false, token);

            Assert.True(cli.Count("service") > 0, $"docker stack deploy created no service for {name}");

            // On the local cluster Ward pins each image to the id its tag names there (a rebuilt tag then rolls out,
            // issue 9); docker stack deploy --resolve-image never keeps the tag. They agree when Ward's id is the one
            // the CLI's tag names on the manager.
            cli.PinImages(await ImageIdsAsync(cli.Images(), token));
            var differences = StackSnapshot.Compare(ward, cli);
            TestContext.Current.TestOutputHelper?.WriteLine($"{name}: compared\n{cli}");
            Assert.True(differences.Count == 0, $"{name}: Ward and docker stack deploy differ in {differences.Count} field(s):\n{string.Join('\n', differences)}");
        }
        finally
        {
            await Stacks.RemoveAsync(cluster.Manager, wardStack, token);
            await Stacks.RemoveAsync(cluster.Manager, cliStack, token);
        }
    }

    /// <summary>Each image field value (a JSON string such as "\"ward/busybox:1.0\"") → its image id on the manager, as a field value.</summary>
    private async Task<Dictionary<string, string>> ImageIdsAsync(IEnumerable<string> images, CancellationToken token)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var image in images)
        {
            var name = System.Text.Json.JsonSerializer.Deserialize<string>(image)!;
            var inspected = await cluster.Manager.GetAsync($"images/{Uri.EscapeDataString(name)}/json", token);
            ids[image] = System.Text.Json.JsonSerializer.Serialize(inspected["Id"]!.GetValue<string>());
        }

        return ids;
    }
}
