using System.Text.Json.Nodes;
using Ward.Engine.Planning;
using Ward.Engine.Tests.Support;

namespace Ward.Engine.Tests.Planning;

/// <summary>What Ward sent and what the engine reports back compare equal when they mean the same (B8/B9).</summary>
public sealed class SpecNormalizerTests
{
    private static readonly Dictionary<string, string> NetworkNames = new(StringComparer.Ordinal)
    {
        ["n1d2c3"] = "st_front",
        ["a9f8e7"] = "st_back",
    };

    /// <summary>A service spec as Ward sends it.</summary>
    private const string Sent = """
        {"Name":"st_web","Labels":{"com.docker.stack.image":"nginx","com.docker.stack.namespace":"st"},
         "TaskTemplate":{"ContainerSpec":{"Image":"nginx:latest","Labels":{"com.docker.stack.namespace":"st"},"Privileges":{},
           "Healthcheck":{"Test":["CMD","true"],"Interval":0,"Timeout":0,"StartPeriod":0,"Retries":0},
           "Secrets":[{"File":{"Name":"token","UID":"0","GID":"0","Mode":292},"SecretName":"st_token_0123456789"}]},
           "Resources":{},"RestartPolicy":{"Condition":"on-failure"},"Placement":{},
           "Networks":[{"Target":"st_back","Aliases":["web"]},{"Target":"st_front","Aliases":["web"]}],"ForceUpdate":0},
         "Mode":{"Replicated":{}},
         "UpdateConfig":{"Parallelism":1,"MaxFailureRatio":0,"Order":""},
         "EndpointSpec":{"Ports":[{"Protocol":"tcp","TargetPort":80,"PublishedPort":8080,"PublishMode":"ingress"},{"TargetPort":9000}]}}
        """;

    /// <summary>The same service as the engine reports it (B8): ids, defaults, explicit empties, engine-managed fields.</summary>
    private const string Stored = """
        {"Name":"st_web","Labels":{"com.docker.stack.image":"nginx","com.docker.stack.namespace":"st"},
         "TaskTemplate":{"ContainerSpec":{"Image":"nginx:latest","Labels":{"com.docker.stack.namespace":"st"},
           "Privileges":{"CredentialSpec":null,"SELinuxContext":null,"NoNewPrivileges":false},"Isolation":"default","Init":null,
           "TTY":false,"ReadOnly":false,"Env":[],"Mounts":[],
           "Healthcheck":{"Test":["CMD","true"]},
           "Secrets":[{"File":{"Name":"token","UID":"0","GID":"0","Mode":292},"SecretID":"q1w2e3","SecretName":"st_token_0123456789"}]},
           "Resources":{},"RestartPolicy":{"Condition":"on-failure","MaxAttempts":0},
           "Placement":{"Platforms":[{"Architecture":"amd64","OS":"linux"}]},
           "Networks":[{"Target":"n1d2c3","Aliases":["web"]},{"Target":"a9f8e7","Aliases":["web"]}],
           "ForceUpdate":4,"Runtime":"container"},
         "Mode":{"Replicated":{"Replicas":1}},
         "UpdateConfig":{"Parallelism":1,"FailureAction":"pause","Monitor":0,"MaxFailureRatio":0,"Order":"stop-first"},
         "EndpointSpec":{"Mode":"vip","Ports":[{"Protocol":"tcp","TargetPort":80,"PublishedPort":8080,"PublishMode":"ingress"},
           {"Protocol":"tcp","TargetPort":9000,"PublishMode":"ingress"}]}}
        """;

    private static List<FieldChange> Diff(JsonObject before, JsonObject after) =>
        JsonDiff.Compare(SpecNormalizer.Service(before, NetworkNames), SpecNormalizer.Service(after, NetworkNames));

    [Fact]
    public void The_spec_the_engine_reports_equals_the_spec_Ward_sent()
    {
        Json.Equal(SpecNormalizer.Service(Json.Parse(Stored), NetworkNames), SpecNormalizer.Service(Json.Parse(Sent), NetworkNames));
    }

    [Fact]
    public void Normalising_leaves_the_input_alone()
    {
        var stored = Json.Parse(Stored);
        SpecNormalizer.Service(stored, NetworkNames);
        Json.Equal(Json.Parse(Stored), stored);
    }

    [Fact]
    public void A_changed_image_shows_as_the_image_and_its_label()
    {
        var sent = Json.Parse(Sent.Replace("nginx", "nginx:1.28", StringComparison.Ordinal).Replace("nginx:1.28:latest", "nginx:1.28", StringComparison.Ordinal));
        var changes = Diff(Json.Parse(Stored), sent);
        Assert.Equal(
            [
                new FieldChange("Labels.com.docker.stack.image", "\"nginx\"", "\"nginx:1.28\""),
                new FieldChange("TaskTemplate.ContainerSpec.Image", "\"nginx:latest\"", "\"nginx:1.28\""),
            ],
            changes);
    }

    [Fact]
    public void Changed_environment_replicas_and_constraints_show_with_readable_paths()
    {
        var sent = Json.Parse(Sent);
        sent.At("TaskTemplate.ContainerSpec")!["Env"] = new JsonArray("MODE=v2");
        sent["Mode"] = Json.Parse("""{"Replicated":{"Replicas":3}}""");
        sent.At("TaskTemplate.Placement")!["Constraints"] = new JsonArray("node.labels.tier == web");
        var changes = Diff(Json.Parse(Stored), sent);
        Assert.Equal(
            [
                new FieldChange("Mode.Replicated.Replicas", "1", "3"),
                new FieldChange("TaskTemplate.ContainerSpec.Env", null, "[\"MODE=v2\"]"),
                new FieldChange("TaskTemplate.Placement.Constraints", null, "[\"node.labels.tier == web\"]"),
            ],
            changes);
    }

    [Fact]
    public void A_changed_field_inside_a_list_of_objects_names_its_index()
    {
        var sent = Json.Parse(Sent);
        sent.At("EndpointSpec.Ports[0]")!["PublishedPort"] = 8081;
        var change = Assert.Single(Diff(Json.Parse(Stored), sent));
        Assert.Equal(new FieldChange("EndpointSpec.Ports[0].PublishedPort", "8080", "8081"), change);
    }

    [Fact]
    public void Presence_still_matters_where_it_changes_behaviour()
    {
        var withInit = Json.Parse(Sent);
        withInit.At("TaskTemplate.ContainerSpec")!["Init"] = false;
        Assert.Equal("TaskTemplate.ContainerSpec.Init", Assert.Single(Diff(Json.Parse(Stored), withInit)).Path);

        var withoutRestart = Json.Parse(Sent);
        withoutRestart.At("TaskTemplate")!.AsObject().Remove("RestartPolicy");
        Assert.Equal("TaskTemplate.RestartPolicy", Assert.Single(Diff(Json.Parse(Stored), withoutRestart)).Path);

        var withoutPrivileges = Json.Parse(Sent);
        withoutPrivileges.At("TaskTemplate.ContainerSpec")!.AsObject().Remove("Privileges");
        Assert.Equal("TaskTemplate.ContainerSpec.Privileges", Assert.Single(Diff(Json.Parse(Stored), withoutPrivileges)).Path);
    }

    [Fact]
    public void Networks_compare_by_name_whatever_order_the_ids_come_in()
    {
        var sent = Json.Parse(Sent);
        sent.At("TaskTemplate")!["Networks"] = JsonNode.Parse("""[{"Target":"st_back","Aliases":["web"]}]""");
        var change = Assert.Single(Diff(Json.Parse(Stored), sent));
        Assert.Equal("TaskTemplate.Networks", change.Path);
        Assert.Contains("st_front", change.Before, StringComparison.Ordinal);
        Assert.DoesNotContain("n1d2c3", change.Before, StringComparison.Ordinal);
    }

    [Fact]
    public void A_removed_field_shows_with_no_after_value()
    {
        var stored = Json.Parse(Stored);
        stored.At("TaskTemplate.ContainerSpec")!["User"] = "nobody";
        Assert.Equal(new FieldChange("TaskTemplate.ContainerSpec.User", "\"nobody\"", null), Assert.Single(Diff(stored, Json.Parse(Sent))));
    }

    [Fact]
    public void Lists_of_different_length_and_lists_of_values_compare_whole()
    {
        var changes = JsonDiff.Compare(
            Json.Parse("""{"a":[{"x":1}],"b":["p","q"]}"""),
            Json.Parse("""{"a":[{"x":1},{"x":2}],"b":["q","p"]}"""));
        Assert.Equal([new FieldChange("a", "[{\"x\":1}]", "[{\"x\":1},{\"x\":2}]"), new FieldChange("b", "[\"p\",\"q\"]", "[\"q\",\"p\"]")], changes);
    }
}
