using System.Text.Json.Nodes;
using Ward.Docker.Tests.Support;

namespace Ward.Docker.Tests;

/// <summary>The parity comparison itself (no cluster): what it treats as equal, and that it reports real differences.</summary>
public sealed class StackSnapshotTests
{
    private static readonly Dictionary<string, string> NetworkNames = new() { ["n1"] = "ward-x_front", ["n2"] = "cli-x_front", ["n3"] = "shared" };

    private static JsonObject Service(string stack, string network, string secret, string image = "ward/busybox:1.0") => JsonNode.Parse("""
        {"ID":"s","Spec":{"Name":"STACK_web","Labels":{"com.docker.stack.namespace":"STACK","com.docker.stack.image":"IMAGE"},
         "TaskTemplate":{"ContainerSpec":{"Image":"IMAGE","Labels":{"com.docker.stack.namespace":"STACK"},"ReadOnly":false,
           "Secrets":[{"File":{"Name":"b","UID":"0","GID":"0","Mode":292},"SecretID":"id-STACK","SecretName":"SECRET"},
                      {"File":{"Name":"a","UID":"0","GID":"0","Mode":292},"SecretID":"id2","SecretName":"explicit"}],"Privileges":{"CredentialSpec":null}},
           "Placement":{"Platforms":[{"OS":"linux"}]},"Networks":[{"Target":"n3","Aliases":["web"]},{"Target":"NETWORK","Aliases":["web"]}],"ForceUpdate":FORCE},
         "Mode":{"Replicated":{"Replicas":1}},"EndpointSpec":{"Mode":"vip"}}}
        """
        .Replace("STACK", stack, StringComparison.Ordinal)
        .Replace("IMAGE", image, StringComparison.Ordinal)
        .Replace("SECRET", secret, StringComparison.Ordinal)
        .Replace("NETWORK", network, StringComparison.Ordinal)
        .Replace("FORCE", stack == "cli-x" ? "3" : "0", StringComparison.Ordinal))!.AsObject();

    [Fact]
    public void Stack_names_content_hashes_network_ids_and_history_fields_are_not_differences()
    {
        var ward = StackSnapshot.From("ward-x", true, NetworkNames, [Service("ward-x", "n1", "ward-x_token_0123456789")], [], [], []);
        var cli = StackSnapshot.From("cli-x", false, NetworkNames, [Service("cli-x", "n2", "cli-x_token")], [], [], []);
        Assert.Empty(StackSnapshot.Compare(ward, cli));
    }

    [Fact]
    public void A_differing_field_is_reported_with_its_path_and_both_values()
    {
        var ward = StackSnapshot.From("ward-x", true, NetworkNames, [Service("ward-x", "n1", "ward-x_token_0123456789", image: "ward/busybox:1.1")], [], [], []);
        var cli = StackSnapshot.From("cli-x", false, NetworkNames, [Service("cli-x", "n2", "cli-x_token")], [], [], []);
        var differences = StackSnapshot.Compare(ward, cli);
        Assert.Equal(
            [
                "service <stack>_web: Labels.com.docker.stack.image: Ward \"ward/busybox:1.1\" | CLI \"ward/busybox:1.0\"",
                "service <stack>_web: TaskTemplate.ContainerSpec.Image: Ward \"ward/busybox:1.1\" | CLI \"ward/busybox:1.0\"",
            ],
            differences);
    }

    [Fact]
    public void An_object_only_one_side_made_is_reported()
    {
        var network = JsonNode.Parse("""{"Name":"cli-x_back","Id":"n9","Scope":"swarm","Driver":"overlay","Labels":{"com.docker.stack.namespace":"cli-x"},"Containers":null}""")!.AsObject();
        var ward = StackSnapshot.From("ward-x", true, NetworkNames, [], [], [], []);
        var cli = StackSnapshot.From("cli-x", false, NetworkNames, [], [network], [], []);
        Assert.Equal(["network <stack>_back: only the CLI created it"], StackSnapshot.Compare(ward, cli));
    }
}
