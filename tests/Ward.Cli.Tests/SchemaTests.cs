using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Ward.Model.Compose.Schema;
using Ward.Model.Diagnostics;
using Ward.Model.Yaml;

namespace Ward.Cli.Tests;

public sealed class SchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromFile(Repository.PathOf("schema", "ward-environment.schema.json"));

    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Repository.PathOf("examples"), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(Repository.Root, file));
        }

        return data;
    }

    [Fact]
    public void The_schema_file_is_the_one_the_reader_generates()
    {
        var onDisk = File.ReadAllText(Repository.PathOf("schema", "ward-environment.schema.json"));
        Assert.True(onDisk == JsonSchemaWriter.Write(), "schema/ward-environment.schema.json is stale: run ./ward schema > schema/ward-environment.schema.json");
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_validates_against_the_schema(string example)
    {
        var instance = JsonSerializer.SerializeToElement(ToJson(Repository.PathOf(example)));
        var result = Schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
        Assert.True(result.IsValid, string.Join("\n", errors));
    }

    [Fact]
    public void The_schema_refuses_an_unknown_service_key_and_a_wrong_type_each_where_it_is()
    {
        // A string would be allowed for replicas (a ${VARIABLE} that interpolates to a number): a boolean is not.
        using var document = JsonDocument.Parse("""{"version":"3.8","services":{"web":{"image":"a:1","imagee":"x","deploy":{"replicas":true}}}}""");
        var result = Schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.False(result.IsValid);
        var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => (Location: d.InstanceLocation.ToString(), Message: e.Value)))
            .ToList();
        var all = string.Join("\n", errors.Select(e => $"{e.Location}: {e.Message}"));

        // Each mistake is reported where it is, and nothing else is: the valid keys around them pass.
        Assert.Contains(errors, e => e.Location == "/services/web/imagee");
        Assert.Contains(errors, e => e.Location == "/services/web/deploy/replicas" && e.Message.Contains("boolean", StringComparison.OrdinalIgnoreCase));
        Assert.True(errors.All(e => e.Location is "/services/web/imagee" or "/services/web/deploy/replicas"), all);
    }

    /// <summary>YAML to JSON with the reader's own typing, so integers stay integers and merge keys are resolved.</summary>
    private static JsonNode? ToJson(string path)
    {
        var diagnostics = new DiagnosticBag();
        var text = YamlTreeBuilder.Decode(File.ReadAllBytes(path), path, diagnostics);
        var tree = YamlTreeBuilder.Build(text!, path, diagnostics);
        Assert.False(diagnostics.HasErrors, string.Join("\n", diagnostics.Items));
        return Convert(tree!);
    }

    private static JsonNode? Convert(YNode node) => node switch
    {
        YMapping mapping => new JsonObject(mapping.Entries.Select(e => KeyValuePair.Create(e.KeyText!, Convert(e.Value)))),
        YSequence sequence => new JsonArray([.. sequence.Items.Select(Convert)]),
        YScalar { Kind: ScalarKind.Null } => null,
        YScalar { Kind: ScalarKind.Bool } s => JsonValue.Create(s.Value is "true" or "True" or "TRUE"),
        YScalar { Kind: ScalarKind.Int } s when ScalarResolver.TryGetLong(s, out var n) => JsonValue.Create(n),
        YScalar { Kind: ScalarKind.Float } s when ScalarResolver.TryGetDouble(s, out var d) => JsonValue.Create(d),
        YScalar s => JsonValue.Create(s.Value),
        _ => throw new JsonException("unexpected node"),
    };
}
